"""Real processes on one PostgreSQL index: `add` killed with SIGKILL at named moments,
writers at once, and two servers that both find what a third process adds.

Each check opens the index afresh and asserts it is whole (`whole` from the embedded
store's process tests: every letter complete or absent, counts that add up, vectors for
exactly the passages listed).
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pg_server import PgServer

from assistant.store import open_store
from assistant.store.copy import copy_store
from tests.conftest import run_cli
from tests.test_store_processes import CATS, SEEDS, cli, kill, new_letter, wait_stopped, whole


@pytest.fixture
def url(pg_server: PgServer, seed_index_dir: Path) -> Iterator[str]:
    """A fresh database holding the seed index (copied: nothing is embedded again)."""
    location = pg_server.new_database("proc")
    with open_store(seed_index_dir) as src, open_store(location, src.config) as dst:
        copy_store(src, dst)
    yield location


def lex_terms_add_up(location: str) -> None:
    """lex_terms holds, for every term, the number of passages whose tokens contain it."""
    with psycopg.connect(location) as conn:
        wrong = conn.execute(
            "WITH t AS (SELECT x AS term, count(*) AS df FROM passages p, LATERAL (SELECT "
            "DISTINCT unnest(string_to_array(p.stems, ' ')) AS x) u GROUP BY x) "
            "SELECT count(*) FROM t FULL JOIN lex_terms l USING (term) "
            "WHERE t.df IS DISTINCT FROM l.df").fetchone()  # fmt: skip
        assert wrong == (0,)


@pytest.mark.parametrize("point, landed", [("write:begin", False), ("write:rows", False),
                                           ("write:committed", True)])
def test_kill_during_add(url: str, tmp_path: Path, point: str, landed: bool) -> None:
    letter = new_letter(tmp_path)
    proc = cli("add", str(letter), "--store", url, stop_at=point)
    wait_stopped(proc)
    kill(proc)
    expected = {**SEEDS, letter.name: 3} if landed else SEEDS
    assert whole(url) == expected  # type: ignore[arg-type]
    lex_terms_add_up(url)
    started = time.monotonic()  # the killed writer's lock went with its connection
    again = run_cli("add", str(letter), "--store", url)
    assert again.returncode == 0, again.stderr
    assert time.monotonic() - started < 120
    assert ("indexed already" if landed else "added") in again.stdout
    assert whole(url) == {**SEEDS, letter.name: 3}  # type: ignore[arg-type]
    lex_terms_add_up(url)


def test_kill_during_remove_leaves_the_letter_whole(url: str) -> None:
    proc = cli("remove", "5209583", "--store", url, stop_at="write:rows")
    wait_stopped(proc)
    kill(proc)
    assert whole(url) == SEEDS  # type: ignore[arg-type]
    done = run_cli("remove", "5209583", "--store", url)
    assert done.returncode == 0, done.stderr
    assert whole(url) == {"000_e7098fd791bfcf62.txt": 17}  # type: ignore[arg-type]
    lex_terms_add_up(url)


def test_two_adds_at_once_both_land(url: str, tmp_path: Path) -> None:
    letters = [new_letter(tmp_path, "katten", 900 + i) for i in range(2)]
    procs = [cli("add", str(path), "--store", url) for path in letters]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert whole(url) == {**SEEDS, **{path.name: 3 for path in letters}}  # type: ignore
    lex_terms_add_up(url)
    with open_store(url) as store:
        assert store.generation() == 4  # two seeds copied, then one change per add


def test_the_same_letter_added_twice_at_once_lands_once(url: str, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    letters = [new_letter(first), new_letter(second)]  # same Aanhangsel: the same letter
    procs = [cli("add", str(path), "--store", url) for path in letters]
    outs = [p.communicate(timeout=600) for p in procs]
    assert sorted(p.returncode for p in procs) == [0, 0], outs
    said = " ".join(out for out, _ in outs)
    assert "indexed already" in said  # the second writer saw the first one's letter
    assert whole(url) == {**SEEDS, "katten-999.txt": 3}  # type: ignore[arg-type]


def start_server(url: str, port: int) -> subprocess.Popen:
    return cli("serve", "--store", url, "--port", str(port))


def client_for(server: subprocess.Popen, port: int):  # noqa: ANN201 (gradio_client.Client)
    from gradio_client import Client

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            return Client(f"http://127.0.0.1:{port}/", verbose=False)
        except Exception:  # not up yet
            assert server.poll() is None, server.communicate()
            time.sleep(0.5)
    raise AssertionError("the server did not come up")


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        kill(server)


def test_two_servers_find_a_letter_a_third_process_adds(url: str, tmp_path: Path) -> None:
    from assistant.web.app import free_port

    ports = [free_port(), free_port()]
    servers = [start_server(url, port) for port in ports]
    try:
        clients = [client_for(s, p) for s, p in zip(servers, ports)]
        question = "Wie vangt de zwerfkatten van de veerboot op?"
        for client in clients:
            top = client.predict(question, 1, api_name="/search")["hits"][0]
            assert top["passage_id"] != f"{CATS}-q2"
        added = run_cli("add", str(new_letter(tmp_path)), "--store", url)
        assert added.returncode == 0, added.stderr
        added_at = time.monotonic()
        waiting = set(range(len(clients)))
        while waiting:
            for i in sorted(waiting):
                top = clients[i].predict(question, 1, api_name="/search")["hits"][0]
                if top["passage_id"] == f"{CATS}-q2":
                    waiting.discard(i)
            assert time.monotonic() - added_at < 5, f"servers {waiting} did not see the letter"
            time.sleep(0.1)
    finally:
        for server in servers:
            stop(server)
