"""Real processes against one embedded index: kill -9 at named moments and at timed ones,
writers at once, and a running server that sees what another process adds.

Every check opens the index afresh and asserts it is whole: each letter complete (all its
passages and units) or absent, counts that add up, and a search that works.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_letters import letter_text

from assistant.search import Filters
from assistant.store import open_store
from tests.conftest import CORPUS, ROOT, run_cli

CATS = "ah-tk-20242025-999"


def new_letter(folder: Path, topic: str = "katten", number: int = 999) -> Path:
    """A letter file; `number` makes its Aanhangsel id (and so the letter) distinct."""
    years = {"katten": "20242025", "fietsen": "20222023", "molens": "20202021"}[topic]
    path = folder / f"{topic}-{number}.txt"
    path.write_text(letter_text(topic, ah=f"ah-tk-{years}-{number}",
                                member=f"Lid{number} (CDA)"), encoding="utf-8")  # fmt: skip
    return path


def cli(*args: str, stop_at: str | None = None, backlog: int | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    if stop_at:
        env["ASSISTANT_STOP_AT"] = stop_at
    if backlog is not None:
        env["ASSISTANT_SNAPSHOT_BACKLOG"] = str(backlog)
    return subprocess.Popen([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_stopped(proc: subprocess.Popen, timeout: float = 240) -> None:
    """Until the process has stopped itself at its failpoint (state T in /proc)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"finished without stopping: {proc.communicate()}"
        state = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "T":
            return
        time.sleep(0.05)
    raise AssertionError("the process never reached its failpoint")


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def whole(folder: Path) -> dict[str, int]:
    """Open the index afresh, check it is consistent; passages per document source."""
    store = open_store(folder)
    try:
        rows = store.documents()
        docs, passages, units = store.counts()
        assert docs == len(rows)
        assert passages == sum(r.passages for r in rows)
        keys = []
        for row in rows:
            letter = store.letter(row.document.doc_id)
            assert len(letter) == row.passages, row.document.source
            keys += store.doc_passages([row.document.doc_id], Filters())
        signal_rows = store.signal_rows(keys)
        assert len(signal_rows.vectors) == units
        assert set(signal_rows.owner.tolist()) == set(range(len(keys)))  # units for each
        found = store.vector_candidates(signal_rows.vectors[0], 1000, Filters())
        assert {k for k, _ in found} == set(keys)  # the vector index holds exactly these
        return {r.document.source: r.passages for r in rows}
    finally:
        store.close()


def asks(folder: Path, question: str) -> dict:
    proc = run_cli("ask", question, "--index", str(folder), "--json", "-k", "1")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["hits"][0]


@pytest.fixture
def index(tmp_path: Path, seed_index_dir: Path) -> Path:
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    return folder


SEEDS = {"000_e7098fd791bfcf62.txt": 17, "002_7ab916604d5dad4d.txt": 20}


@pytest.mark.parametrize("point, landed", [("write:begin", False), ("write:rows", False),
                                           ("write:committed", True), ("snapshot:file", True)])
def test_kill_during_add(index: Path, tmp_path: Path, point: str, landed: bool) -> None:
    letter = new_letter(tmp_path)
    proc = cli("add", str(letter), "--index", str(index), stop_at=point, backlog=1)
    wait_stopped(proc)
    kill(proc)
    expected = {**SEEDS, letter.name: 3} if landed else SEEDS
    assert whole(index) == expected
    again = run_cli("add", str(letter), "--index", str(index))  # the next command works
    assert again.returncode == 0, again.stderr
    assert ("indexed already" if landed else "added") in again.stdout
    assert whole(index) == {**SEEDS, letter.name: 3}
    assert asks(index, "Wie vangt de zwerfkatten van de veerboot op?")["passage_id"] == \
        f"{CATS}-q2"  # fmt: skip


@pytest.mark.parametrize("point, landed", [("write:rows", False), ("write:committed", True)])
def test_kill_during_remove(index: Path, point: str, landed: bool) -> None:
    proc = cli("remove", "5209583", "--index", str(index), stop_at=point)
    wait_stopped(proc)
    kill(proc)
    assert whole(index) == ({"000_e7098fd791bfcf62.txt": 17} if landed else SEEDS)
    again = run_cli("remove", "5209583", "--index", str(index))
    assert again.returncode == (2 if landed else 0), again.stderr
    assert whole(index) == {"000_e7098fd791bfcf62.txt": 17}


def test_kill_during_a_build_keeps_whole_letters_and_the_next_build_finishes(
        index: Path, tmp_path: Path) -> None:  # fmt: skip
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    first, second = new_letter(corpus, "katten"), new_letter(corpus, "fietsen", 555)
    proc = cli("index", "--corpus", str(corpus), "--index", str(index), stop_at="build:letter")
    wait_stopped(proc)
    kill(proc)
    state = whole(index)
    assert set(SEEDS) <= set(state) and len(state) == 3  # the seeds and one whole new letter
    done = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert whole(index) == {**SEEDS, first.name: 3, second.name: 3}


def test_kills_at_timed_moments_of_a_forced_rebuild(index: Path) -> None:
    for delay in (1.0, 2.5, 4.0, 6.0):
        proc = cli("index", "--corpus", str(CORPUS), "--index", str(index), "--force")
        time.sleep(delay)
        finished = proc.poll() is not None
        kill(proc)
        assert whole(index) == SEEDS or (finished and whole(index) == SEEDS), delay
        assert asks(index, "Kan Telegram verboden worden?")["document"]["ons_kenmerk"] in \
            {"5236577", "5209583"}  # fmt: skip


@pytest.mark.parametrize("writers", [2, 4])
def test_writers_at_once_all_take_effect(index: Path, tmp_path: Path, writers: int) -> None:
    letters = [new_letter(tmp_path, "katten", 900 + i) for i in range(writers)]
    procs = [cli("add", str(path), "--index", str(index)) for path in letters]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert whole(index) == {**SEEDS, **{path.name: 3 for path in letters}}


def test_an_add_and_a_remove_at_once(index: Path, tmp_path: Path) -> None:
    letter = new_letter(tmp_path)
    procs = [cli("add", str(letter), "--index", str(index)),
             cli("remove", "5209583", "--index", str(index))]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert whole(index) == {"000_e7098fd791bfcf62.txt": 17, letter.name: 3}


def test_a_build_and_an_add_at_once(index: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    in_corpus = new_letter(corpus, "fietsen", 555)
    added = new_letter(tmp_path, "molens", 321)
    procs = [cli("index", "--corpus", str(corpus), "--index", str(index)),
             cli("add", str(added), "--index", str(index))]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert whole(index) == {**SEEDS, in_corpus.name: 3, added.name: 3}


def test_a_running_server_answers_from_letters_another_process_adds(
        index: Path, tmp_path: Path) -> None:  # fmt: skip
    from gradio_client import Client

    from assistant.web.app import free_port

    port = free_port()
    server = cli("serve", "--index", str(index), "--port", str(port))
    try:
        client = None
        deadline = time.monotonic() + 180
        while client is None and time.monotonic() < deadline:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            except Exception:  # not up yet
                assert server.poll() is None, server.communicate()
                time.sleep(0.5)
        assert client is not None
        question = "Wie vangt de zwerfkatten van de veerboot op?"
        before = client.predict(question, 1, api_name="/search")
        assert before["hits"][0]["document"]["source"] != "katten-999.txt"
        letter = new_letter(tmp_path)
        assert run_cli("add", str(letter), "--index", str(index)).returncode == 0
        added_at = time.monotonic()
        while True:
            top = client.predict(question, 1, api_name="/search")["hits"][0]
            if top["passage_id"] == f"{CATS}-q2":
                break
            assert time.monotonic() - added_at < 5, "the server did not see the new letter"
            time.sleep(0.2)
        assert run_cli("remove", CATS, "--index", str(index)).returncode == 0
        removed_at = time.monotonic()
        while client.predict(question, 1, api_name="/search")["hits"][0]["passage_id"] == \
                f"{CATS}-q2":  # fmt: skip
            assert time.monotonic() - removed_at < 5, "the server still shows a removed letter"
            time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill(server)
