"""The `search` API endpoint of a real launched app (gradio_client and raw HTTP), and who
may talk to the server at all: foreign Host names, other sites, uploads (issue #13.11-12)."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gradio as gr
import pytest
from gradio_client import Client

from assistant.cite import result_dict
from assistant.search import Searcher
from assistant.web.api import MAX_K
from assistant.web.app import free_port, start
from assistant.web.guard import LOCAL_NAMES, MAX_UPLOAD_BYTES, server_options
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def app_url(searcher: Searcher) -> Iterator[str]:
    app, url = start(searcher, port=0)
    yield url
    app.close()


def test_search_endpoint_returns_the_ask_json_object(app_url: str, searcher: Searcher) -> None:
    assert app_url.startswith("http://127.0.0.1:")
    client = Client(app_url, verbose=False)
    question = "Can Telegram be banned in the Netherlands?"
    got = client.predict(question, api_name="/search")
    assert got == json.loads(json.dumps(result_dict(searcher.search(question)),
                                        ensure_ascii=False))  # fmt: skip
    assert set(got) == {"question", "answerable", "hits"} and len(got["hits"]) == 5
    assert any(h["document"]["ons_kenmerk"] == "5236577" and h["questions"] == [13]
               for h in got["hits"][:3])  # fmt: skip
    assert "antwoord op vraag" in got["hits"][0]["citation"]
    fewer = client.predict("Wie houdt toezicht op de Digital Services Act?", 2,
                           api_name="/search")  # fmt: skip
    assert len(fewer["hits"]) == 2


def test_search_endpoint_explains_an_empty_question(app_url: str) -> None:
    client = Client(app_url, verbose=False)
    with pytest.raises(Exception, match="the question is empty"):
        client.predict("   ", api_name="/search")


# (arguments, words the error message must contain)
BAD_ARGUMENTS: list[tuple[list[Any], str]] = [
    (["Telegram", "abc"], "k must be a whole number from 1 to 50, got 'abc'"),
    (["Telegram", [1]], "k must be a whole number"),
    (["Telegram", {"k": 3}], "k must be a whole number"),
    (["Telegram", 10**30], "k must be a whole number from 1 to 50"),
    (["Telegram", 0], "got 0"),
    (["Telegram", -5], "got -5"),
    (["Telegram", 51], "got 51"),
    (["Telegram", 2.5], "got 2.5"),
    (["Telegram", True], "got True"),
    (["Telegram", "1e400"], "k must be a whole number"),
    ([123, 2], "question must be text, got int 123"),
    ([["a"], 2], "question must be text, got list"),
    ([{"q": "Telegram"}, 2], "question must be text, got dict"),
    ([None, 2], "the question is empty"),
    (["   ", 2], "the question is empty"),
    ([], "didn't receive enough input values (needed: 2, got: 0)"),
    (["Telegram"], "didn't receive enough input values (needed: 2, got: 1)"),
]


def call_raw(url: str, data: Any) -> tuple[str, Any]:
    """POST /gradio_api/call/search as any HTTP client would; (event, data) of the result."""
    body = json.dumps({"data": data}).encode()
    request = urllib.request.Request(f"{url}gradio_api/call/search", data=body,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call/search/{event_id}", timeout=60) as stream:
        lines = stream.read().decode().splitlines()
    event = next(line.split(": ", 1)[1] for line in lines if line.startswith("event: "))
    data_line = next(line.split(": ", 1)[1] for line in lines if line.startswith("data: "))
    return event, json.loads(data_line)


def test_wrong_arguments_get_a_readable_message_over_raw_http(app_url: str) -> None:
    for arguments, expected in BAD_ARGUMENTS:
        event, data = call_raw(app_url, arguments)
        assert event == "error", arguments
        assert data["error"] and expected in data["error"], (arguments, data)
    for arguments, k in ((["Telegram", "3"], 3), (["Telegram", 2.0], 2),
                         (["Telegram", None], 5), (["Telegram", MAX_K], MAX_K)):  # fmt: skip
        event, data = call_raw(app_url, arguments)
        assert event == "complete" and len(data[0]["hits"]) <= k, arguments
        assert data[0]["hits"], arguments


def test_wrong_arguments_get_a_readable_message_in_gradio_client(app_url: str) -> None:
    client = Client(app_url, verbose=False)
    for arguments, expected in BAD_ARGUMENTS[:4] + BAD_ARGUMENTS[10:12]:
        with pytest.raises(Exception, match=re.escape(expected)):
            client.predict(*arguments, api_name="/search")


def request(url: str, method: str, path: str, headers: dict[str, str],
            body: bytes = b"") -> tuple[int, str]:  # fmt: skip
    """A raw HTTP request with exactly these headers (Host included)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def multipart(name: str, data: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"'
            f"\r\nContent-Type: application/octet-stream\r\n\r\n").encode() + data + (
            f"\r\n--{boundary}--\r\n").encode()  # fmt: skip
    return f"multipart/form-data; boundary={boundary}", body


def test_foreign_host_names_are_refused(app_url: str) -> None:
    """DNS rebinding: a site whose name points at 127.0.0.1 must not read the app or API."""
    port = urlsplit(app_url).port
    for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1.nip.io:{port}",
                 f"192.168.1.20:{port}", ""):  # fmt: skip
        for method, path in (("GET", "/"), ("GET", "/config"), ("POST", "/gradio_api/upload"),
                             ("GET", "/gradio_api/info")):  # fmt: skip
            status, text = request(app_url, method, path, {"Host": host})
            assert status == 403 and "unknown host name" in text, (host, path, status)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        status, text = request(app_url, "GET", "/config", {"Host": host})
        assert status == 200 and "Kamervragen" in text, host


def test_cross_site_writes_and_uploads_are_refused(app_url: str) -> None:
    port = urlsplit(app_url).port
    host = f"127.0.0.1:{port}"
    kind, body = multipart("letter.txt", b"x" * 2_000_000)
    upload = {"Host": host, "Content-Type": kind}
    for origin in ("http://attacker.example", "null", f"http://localhost:{port + 1}",
                   f"http://127.0.0.1:{port + 1}"):  # fmt: skip
        status, text = request(app_url, "POST", "/gradio_api/upload",
                               {**upload, "Origin": origin}, body)  # fmt: skip
        assert status == 403 and "from another site" in text, origin
        call = {"Host": host, "Origin": origin, "Content-Type": "application/json"}
        status, _ = request(app_url, "POST", "/gradio_api/call/search", call,
                            b'{"data": ["Telegram"]}')  # fmt: skip
        assert status == 403, origin
    status, text = request(app_url, "POST", "/gradio_api/upload",
                           {**upload, "Sec-Fetch-Site": "cross-site"}, body)  # fmt: skip
    assert status == 403, text
    # the app's own page may upload (Sources → Add letters), within the size limit
    status, text = request(app_url, "POST", "/gradio_api/upload",
                           {**upload, "Origin": f"http://{host}"}, body)  # fmt: skip
    assert status == 200, text
    # the page itself (same origin) still works, and reading from elsewhere is harmless
    call = {"Host": host, "Origin": f"http://{host}", "Content-Type": "application/json"}
    status, text = request(app_url, "POST", "/gradio_api/call/search", call,
                           b'{"data": ["Telegram"]}')  # fmt: skip
    assert status == 200 and "event_id" in text


def test_an_upload_control_takes_same_origin_files_up_to_the_limit(tmp_path: Path) -> None:
    """The guard and Gradio's size limit, on a real server whose page has an upload control."""
    with gr.Blocks() as blocks:
        gr.File(label="letter")
    options = server_options("127.0.0.1", blocks.config, max_bytes=100_000)
    port = free_port()
    _, url, _ = blocks.launch(server_name="127.0.0.1", server_port=port, quiet=True,
                              prevent_thread_lock=True, **options)  # fmt: skip
    try:
        host = f"127.0.0.1:{port}"
        same = {"Host": host, "Origin": f"http://{host}"}
        kind, small = multipart("letter.txt", b"Antwoord op vraag 1\n" * 100)
        status, text = request(url, "POST", "/gradio_api/upload",
                               {**same, "Content-Type": kind}, small)  # fmt: skip
        assert status == 200 and json.loads(text)[0].endswith("letter.txt")
        kind, big = multipart("big.txt", b"x" * 150_000)
        status, text = request(url, "POST", "/gradio_api/upload",
                               {**same, "Content-Type": kind}, big)  # fmt: skip
        assert status == 413 and "maximum allowed size" in text
        kind, body = multipart("letter.txt", b"hello")
        status, _ = request(url, "POST", "/gradio_api/upload",
                            {"Host": host, "Origin": "http://attacker.example",
                             "Content-Type": kind}, body)  # fmt: skip
        assert status == 403
    finally:
        blocks.close()
    assert server_options("127.0.0.1", {})["max_file_size"] == MAX_UPLOAD_BYTES
    # serving on another address was the user's choice: any Host name is answered there
    anywhere = server_options("0.0.0.0", {})["app_kwargs"]["middleware"][0]
    assert anywhere.kwargs["hosts"] is None
    assert server_options("localhost", {})["app_kwargs"]["middleware"][0].kwargs["hosts"] == (
        LOCAL_NAMES)  # fmt: skip


def test_only_search_is_public(app_url: str) -> None:
    api = Client(app_url, verbose=False).view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/search"]


def test_assistant_serve_binds_localhost_and_reports_a_taken_port(
        seed_index_dir: Path, tmp_path: Path) -> None:  # fmt: skip
    port = free_port()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--index",
                               str(seed_index_dir), "--port", str(port)], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=2) as page:
                    assert json.loads(page.read())["title"] == "Kamervragen assistant"
                    break
            except OSError:
                assert time.monotonic() < deadline, "assistant serve did not start in 120 s"
                time.sleep(0.3)
        listening = [c for c in psutil_like_connections(server.pid) if c[1] == port]
        assert listening and all(host == "127.0.0.1" for host, _ in listening)
        taken = run_cli("serve", "--index", str(seed_index_dir), "--port", str(port),
                        timeout=120)  # fmt: skip
        assert taken.returncode == 2
        assert taken.stderr.startswith("error: cannot serve on 127.0.0.1:") and "Traceback" not in (
            taken.stderr)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def psutil_like_connections(pid: int) -> list[tuple[str, int]]:
    """(address, port) of the TCP sockets pid listens on, from /proc (IPv4)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue  # a file the server closed while we looked
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    out = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
            hex_ip, hex_port = fields[1].split(":")
            ip = ".".join(str(int(hex_ip[i:i + 2], 16)) for i in (6, 4, 2, 0))
            out.append((ip, int(hex_port, 16)))
    return out
