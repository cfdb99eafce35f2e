"""An import killed with SIGKILL mid-way resumes where it stopped and stores nothing twice.

The importer runs in a real subprocess (tests/opendata_sink.py as a script) that stores
into a JSON file; the replay server, in this process, holds one download open until the
test has killed the importer.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import opendata_fixtures as fx
import opendata_replay as replay
import pytest
from opendata_sink import JsonSink

pytestmark = pytest.mark.skipif(not fx.available(), reason="../shared fixtures are absent")

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "opendata_sink.py"
WEEK = ["--since", "2025-09-22", "--until", "2025-09-26"]  # 26 documents


def driver(state: Path, server: replay.ReplayServer) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    return subprocess.Popen([sys.executable, str(DRIVER), str(state), "--tk-url",
                             server.tk_url, *WEEK], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def test_kill_9_then_resume(tmp_path: Path) -> None:
    state = tmp_path / "sink.json"
    with replay.ReplayServer(page_size=25) as server:
        expected = {r["Id"] for r in fx.relevant(server.data.documents)
                    if "2025-09-22" <= r["Datum"][:10] <= "2025-09-26"}  # fmt: skip
        hang = replay.sleep(120)  # the 8th download never ends: the process is killed there
        server.faults["resource"].extend([None] * 7 + [hang])
        first = driver(state, server)
        try:
            assert hang.reached.wait(120), first.stderr.read() if first.stderr else ""
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.communicate(timeout=30)
        assert first.returncode == -signal.SIGKILL

        killed = JsonSink(state)
        assert len(killed.letters) == 7 and len(killed.puts) == 7
        assert len(killed.checkpoints) == 1  # advanced after each of the seven
        downloaded_before = len(server.requests("resource"))

        second = driver(state, server)
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, err
        assert f"new {len(expected) - 7}, updated 0" in out, out

    final = JsonSink(state)
    assert {eid.removeprefix("tk:") for eid in final.letters} == expected
    assert len(final.puts) == len({eid for eid, _ in final.puts}) == len(expected)
    # After the restart only what was not stored yet is downloaded: the one cut off, and on.
    assert len(server.requests("resource")) - downloaded_before == len(expected) - 7
