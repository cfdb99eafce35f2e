"""The README's front door, run exactly as written: a clone of this working tree,
`./start --port N`, the page served, the Telegram question answered through the `/search`
API, then stopped. Then the README's other offline examples, run in that clone.

The clone is `git clone` of this repository with the working tree's uncommitted changes
applied, so what is tested is what a user would get from these files, with nothing of this
checkout's `.venv`, `embeddings/` or caches. `./start` installs its own `.venv` (from pip's
cache when the packages were installed once on this machine: ~1 minute) and builds the
index of the bundled letters on first use.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from gradio_client import Client

START_LIMIT = 1200.0  # seconds: set-up (~1 min), first index (~1-2 min), server (~10 s)
TELEGRAM = "Kan Telegram in Nederland verboden worden?"


def clone_working_tree(dest: Path) -> Path:
    """`git clone` of ROOT plus its uncommitted changes and untracked (not ignored) files."""
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(dest)], check=True)
    diff = subprocess.run(["git", "-C", str(ROOT), "diff", "HEAD", "--binary"],
                          capture_output=True, check=True).stdout  # fmt: skip
    if diff.strip():
        subprocess.run(["git", "-C", str(dest), "apply", "--binary", "-"], input=diff,
                       check=True)  # fmt: skip
    untracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--others",
                                "--exclude-standard", "-z"], capture_output=True,
                               check=True).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, untracked):
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)
    return dest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def user_env() -> dict[str, str]:
    """The environment of a user's shell: nothing of this test run's virtual environment."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "ASSISTANT_STORE", "ASSISTANT_INDEX",
                        "ASSISTANT_CORPUS", "PYTEST_CURRENT_TEST")}  # fmt: skip
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p != venv_bin)  # fmt: skip
    return env


class Started:
    """`./start` running in the background, its output collected line by line."""

    def __init__(self, clone: Path, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(["./start", "--port", str(port)], cwd=clone,
                                     env=user_env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self, last: int = 0) -> str:
        """All it printed (pip's lines included), or only the `last` lines."""
        return "\n".join(self.lines[-last:])

    def wait_for_page(self, limit: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < limit:
            if self.proc.poll() is not None:
                pytest.fail(f"./start exited with {self.proc.returncode}:\n{self.output(60)}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(1)
        pytest.fail(f"./start served no page within {limit:.0f} s:\n{self.output(60)}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)  # Ctrl-C, as the README says
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clone_working_tree(tmp_path_factory.mktemp("fresh") / "kamervragen-assistant")


@pytest.fixture(scope="module")
def started(clone: Path) -> Iterator[Started]:
    assert not (clone / ".venv").exists() and not (clone / "embeddings").exists()
    server = Started(clone, free_port())
    try:
        server.took = server.wait_for_page(START_LIMIT)  # type: ignore[attr-defined]
        yield server
    finally:
        server.stop()


def test_start_serves_the_page_and_answers_the_telegram_question(started: Started) -> None:
    page = urllib.request.urlopen(started.url, timeout=10).read().decode()
    assert "gradio" in page.lower()  # the page; its content is drawn by its script
    got = Client(started.url, verbose=False).predict(TELEGRAM, api_name="/search")
    assert got["answerable"] is True
    assert any(h["document"]["ons_kenmerk"] == "5236577" and 13 in h["questions"]
               for h in got["hits"][:3]), got["hits"][:3]  # fmt: skip
    # it said what it was doing while a user waited, and where to look
    said = started.output()
    assert "start: installing into .venv" in said and "start: indexing corpus/" in said
    assert "embedding:" in said  # progress of the first build, as lines in a pipe
    assert started.url in said


def test_readme_examples_run_offline_in_the_clone(started: Started, clone: Path) -> None:
    """`ask`, `ask --after`, `ask --json`, `parse`, `list` and `eval` as the README shows
    them, on the index `./start` built (the server keeps running: readers share it)."""
    readme = (clone / "README.md").read_text(encoding="utf-8")
    exe = str(clone / ".venv" / "bin" / "assistant")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, *args], cwd=clone, env=user_env(), capture_output=True,
                              text=True, timeout=300)  # fmt: skip

    for line in (f'assistant ask "{TELEGRAM}"', "assistant parse corpus/000_e7098fd791bfcf62.txt",
                 "assistant list", 'assistant ask "vraag 13 van 5236577" --json',
                 "assistant eval benchmarks/questions/seeds_extra.jsonl"):  # fmt: skip
        assert line in readme, f"the README no longer shows: {line}"
    asked = run("ask", TELEGRAM)
    assert asked.returncode == 0, asked.stderr
    assert "5236577" in asked.stdout and "vraag 13" in asked.stdout.lower()
    after = run("ask", "And in Belgium?", "--after", "Can Telegram be banned in the Netherlands?")
    assert after.returncode == 0 and "searched as" in after.stdout, after.stderr
    exact = run("ask", "vraag 13 van 5236577", "--json")
    assert json.loads(exact.stdout)["hits"][0]["questions"] == [13], exact.stderr
    parsed = run("parse", "corpus/000_e7098fd791bfcf62.txt")
    assert parsed.returncode == 0 and "5236577" in parsed.stdout, parsed.stderr
    listed = run("list")
    assert listed.returncode == 0 and "2 documents" in listed.stdout, listed.stderr
    scored = run("eval", "benchmarks/questions/seeds_extra.jsonl")
    assert scored.returncode == 0 and "hit@1" in scored.stdout, scored.stderr
    assert "--all --out telegram.csv" in readme
    every = run("ask", TELEGRAM, "--all", "--json")
    letters = json.loads(every.stdout)["letters"]
    assert any(x["document"]["ons_kenmerk"] == "5236577" for x in letters), every.stderr
