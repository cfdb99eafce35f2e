"""Issue #25 items 9, 10 (and 7 of "what to build"), on a real launched server: the Host
header read as an authority, questions with lone surrogates and control characters,
`serve` on an address it cannot have, and no uploaded file left where the server serves
files once it is added, refused, removed or abandoned."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from store_letters import letter_text
from web_calls import fetch_file, file_data, press, request, upload

from assistant.search import Searcher
from assistant.store import open_store
from assistant.store.embed import Embedder
from assistant.web.app import start
from assistant.web.guard import LOCAL_NAMES, host_name, is_loopback, server_options
from tests.conftest import SEED_A, run_cli

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
UPLOAD_AGE = 3  # seconds an upload not added stays on the server (the app's default: 1 h)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, seed_index_dir: Path,
           embedder: Embedder) -> Iterator[tuple[str, Path]]:  # fmt: skip
    """The app's URL and its index folder (a copy of the seed index: uploads change it)."""
    folder = tmp_path_factory.mktemp("hostile") / "index"
    shutil.copytree(seed_index_dir, folder)
    store = open_store(folder)
    app, url = start(Searcher(store, embedder), port=0, upload_max_age=UPLOAD_AGE)
    yield url, folder
    app.close()
    store.close()


@pytest.fixture(scope="module")
def app_url(served: tuple[str, Path]) -> str:
    return served[0]


# -- the Host header ------------------------------------------------------------------------
@pytest.mark.parametrize(("header", "name"), [
    ("127.0.0.1:7860", "127.0.0.1"), ("LOCALHOST:7860", "localhost"), ("[::1]:7860", "::1"),
    ("localhost", "localhost"), ("[::1]", "::1"),
    ("localhost:7860@evil.example", None), ("evil.example@localhost:7860", None),
    ("127.0.0.1:7860, evil.example", None), ("127.0.0.1:7860,evil.example", None),
    ("localhost evil.example", None), ("localhost.:7860", None), ("localhost:7860:7860", None),
    ("::1", None), ("::1:7860", None), ("[::1]:7860@evil", None), ("localhost:99999", None),
    ("localhost:", None), ("", None), ("local_host", None), ("localhost/x", None),
    ("localhost:7860#", None), ("localhost%00", None), ("localhost:+80", None),
])  # fmt: skip
def test_a_host_header_names_a_host_only_as_exactly_host_and_port(header: str,
                                                                   name: str | None) -> None:
    assert host_name(header) == name


@pytest.mark.timeout(600)
def test_userinfo_lists_and_two_host_headers_are_refused(app_url: str) -> None:
    port = urlsplit(app_url).port
    for host in (f"localhost:{port}@evil.example", f"127.0.0.1:{port}, evil.example",
                 f"127.0.0.1:{port},evil.example", f"evil.example@127.0.0.1:{port}",
                 f"localhost.:{port}", f"[::1]:{port}@evil.example"):  # fmt: skip
        for path in ("/config", "/gradio_api/info"):
            status, text = request(app_url, "GET", path, {"Host": host})
            assert status == 403 and "unknown host name" in text, (host, status, text[:200])
    # two Host headers: the server must not pick the one it likes
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("GET", "/config", skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", f"127.0.0.1:{port}")
        connection.putheader("Host", "evil.example")
        connection.endheaders()
        assert connection.getresponse().status in (400, 403)
    finally:
        connection.close()
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "localhost"):
        status, text = request(app_url, "GET", "/config", {"Host": host})
        assert status == 200 and "Kamervragen" in text, host


def test_a_loopback_address_is_guarded_and_not_announced_as_reachable() -> None:
    assert is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("LOCALHOST")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    assert not is_loopback("nonexistent.invalid")
    guard = server_options("127.0.0.2", {})["app_kwargs"]["middleware"][0]
    assert guard.kwargs["hosts"] == LOCAL_NAMES | {"127.0.0.2"}


# -- questions as JSON may carry them ---------------------------------------------------------
def call_search(url: str, raw_json: bytes) -> tuple[str, object]:
    """POST raw JSON to /gradio_api/call/search: (event, data) of the result."""
    headers = {**{"Host": urlsplit(url).netloc}, "Content-Type": "application/json"}
    status, text = request(url, "POST", "/gradio_api/call/search", headers, raw_json)
    assert status == 200, text
    event_id = json.loads(text)["event_id"]
    status, text = request(url, "GET", f"/gradio_api/call/search/{event_id}",
                           {"Host": urlsplit(url).netloc})  # fmt: skip
    lines = text.splitlines()
    event = next(line.split(": ", 1)[1] for line in lines if line.startswith("event: "))
    data = next(line.split(": ", 1)[1] for line in lines if line.startswith("data: "))
    return event, json.loads(data)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("question", [
    '"Telegram \\udcff verbod?"', '"Telegram\\u0000 verbod\\u001b[31m"',
    '"\\udc80\\udc81 Kan Telegram verboden worden \\ud83d"', '"\\ud83d\\ude00 Telegram"',
])  # fmt: skip
def test_a_question_with_lone_surrogates_or_controls_is_answered(app_url: str,
                                                                 question: str) -> None:
    event, data = call_search(app_url, b'{"data": [' + question.encode() + b", 3]}")
    assert event == "complete", data
    assert isinstance(data, list) and data[0]["hits"], data
    assert "\x00" not in data[0]["question"] and "\x1b" not in data[0]["question"]


def test_a_question_of_only_a_surrogate_and_controls_is_an_empty_question(app_url: str) -> None:
    for raw in (b'"\\u0000\\u0007 \\u001b"', b'"\\ud800"', b'"\\udcff \\u0085\\ufffd"'):
        event, data = call_search(app_url, b'{"data": [' + raw + b', 3]}')
        assert event == "error" and "the question is empty" in str(data), (raw, data)


# -- serve on an address it cannot have -------------------------------------------------------
@pytest.mark.timeout(600)
@pytest.mark.parametrize(("host", "port", "says"), [
    ("nonexistent.invalid", "0", "unknown address"),
    ("nonexistent.invalid", "7861", "unknown address"),
    ("10.255.255.254", "0", "is no address of this computer"),
    ("localhost@evil.example", "0", "unknown address"),
])  # fmt: skip
def test_serve_on_an_address_it_cannot_have_says_so_in_one_line(host: str, port: str,
                                                                says: str) -> None:
    # --index names no index: the address is checked first, before anything is loaded
    done = run_cli("serve", "--host", host, "--port", port, "--index", "/nonexistent/index",
                   timeout=240)  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot serve on "), done.stderr
    assert says in lines[0] and "other computers" not in done.stderr


# -- uploads: nothing stays where the server serves files -------------------------------------
def gradio_files() -> Path:
    return Path(os.environ["GRADIO_TEMP_DIR"])


def copies_of(data: bytes) -> list[Path]:
    """Files in the server's temporary folder holding exactly these bytes."""
    return [p for p in gradio_files().rglob("*")
            if p.is_file() and p.stat().st_size == len(data)
            and p.read_bytes() == data]  # fmt: skip


@pytest.mark.timeout(600)
def test_an_added_letter_is_gone_from_the_server_files_and_when_removed_from_the_index(
        served: tuple[str, Path]) -> None:  # fmt: skip
    url, folder = served
    data = letter_text("fietsen").encode()
    path = upload(url, "fietsen.txt", data)
    assert fetch_file(url, path) == 200  # served while it waits to be added
    report = press(url, "kv-add", [[file_data(path)], False])[0]
    assert "added · toegevoegd" in report
    assert fetch_file(url, path) in (403, 404) and not copies_of(data)
    kept = next((folder / "added").glob("*fietsen.txt"))  # the copy kept with the index
    assert fetch_file(url, str(kept)) in (403, 404)
    doc_id = kept.name.split("-", 1)[0]
    removed = run_cli("remove", doc_id, "--index", str(folder), timeout=240)
    assert removed.returncode == 0, removed.stderr
    assert not kept.exists() and fetch_file(url, str(kept)) in (403, 404)
    assert fetch_file(url, path) in (403, 404) and not copies_of(data)


@pytest.mark.timeout(600)
def test_a_refused_upload_is_gone_from_the_server(served: tuple[str, Path]) -> None:
    url, _ = served
    junk = f"melk\nbrood\nkaas\n{time.time()}\n".encode()
    twice = SEED_A.read_bytes()  # indexed already
    paths = [upload(url, "boodschappen.txt", junk), upload(url, SEED_A.name, twice)]
    assert all(fetch_file(url, p) == 200 for p in paths)
    report = press(url, "kv-add", [[file_data(p) for p in paths], False])[0]
    assert "not a letter · geen brief" in report and "indexed already" in report, report
    assert all(fetch_file(url, p) in (403, 404) for p in paths)
    assert not copies_of(junk) and not copies_of(twice)


@pytest.mark.timeout(600)
def test_an_upload_never_added_is_deleted_after_a_while(served: tuple[str, Path]) -> None:
    url, _ = served
    data = f"een bestand dat niemand toevoegt {time.time()}\n".encode()
    path = upload(url, "vergeten.txt", data)
    assert fetch_file(url, path) == 200
    deadline = time.monotonic() + UPLOAD_AGE + 30
    while fetch_file(url, path) == 200:
        assert time.monotonic() < deadline, "an upload nobody added stayed on the server"
        time.sleep(0.5)
    assert not copies_of(data)
    # adding it now says what happened, in words, without the server's paths
    report = press(url, "kv-add", [[file_data(path)], False])[0]
    assert "choose the file again" in report and str(gradio_files()) not in report, report


@pytest.mark.timeout(600)
def test_uploads_waiting_when_the_server_stops_are_deleted(seed_index_dir: Path,
                                                           embedder: Embedder) -> None:  # fmt: skip
    store = open_store(seed_index_dir)
    app, url = start(Searcher(store, embedder), port=0)  # the default: kept up to an hour
    try:
        data = f"nog niet toegevoegd {time.time()}\n".encode()
        path = upload(url, "wacht.txt", data)
        assert fetch_file(url, path) == 200
    finally:
        app.close()
        store.close()
    assert not Path(path).exists() and not copies_of(data)


def test_uploads_left_by_a_server_that_died_are_deleted_at_start(
        seed_index_dir: Path, embedder: Embedder) -> None:  # fmt: skip
    stale = gradio_files() / ("ab" * 32) / "oud.txt"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"van een server die niet meer draait\n")
    hour_ago = time.time() - 2 * 3600
    os.utime(stale, (hour_ago, hour_ago))
    fresh = gradio_files() / ("cd" * 32) / "nieuw.txt"  # another server's upload, just now
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_bytes(b"van een server die nog draait\n")
    store = open_store(seed_index_dir)
    app, _ = start(Searcher(store, embedder), port=0)
    try:
        assert not stale.exists() and fresh.exists()
    finally:
        app.close()
        store.close()
        fresh.unlink(missing_ok=True)
