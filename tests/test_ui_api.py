"""The `search` API endpoint of a real launched app, called with gradio_client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from assistant.cite import result_dict
from assistant.search import Searcher
from assistant.web.app import free_port, start
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
