"""`assistant import` when the service cannot be reached at all (issue #17 item 6).

Before: 16.5 s of five tries of a failed DNS lookup, then "dry run: found 0, would import
0 new…" (reads like success) and a line without `error:` telling a dry run to "resume".
Now: one request, one `error:` line that names the host and says what to do, exit 2.

The command runs as a real process. Where user namespaces allow (`unshare -rn`) it runs
in a network namespace of its own, without any network: the real fault. Its URL is under
`.invalid` (RFC 6761: never resolves) either way, so no request can leave the machine.
"""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import opendata_fixtures as fx
import opendata_replay as replay
import pytest
from opendata_sink import MemorySink
from time_limit import within

from assistant.ingest.opendata import ImportOptions, run_import
from assistant.ingest.opendata.http import PoliteClient
from tests.conftest import ROOT

NOWHERE = "http://kamervragen-test.invalid/OData/v4/2.0/"


@functools.lru_cache(maxsize=1)
def _unshare() -> list[str]:
    """`unshare -rn` when this machine lets us make a namespace without network."""
    try:
        ok = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return ["unshare", "-rn"] if ok.returncode == 0 else []


def offline_cli(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ASSISTANT_TK_URL=NOWHERE, ASSISTANT_SRU_URL=NOWHERE)
    return subprocess.run([*_unshare(), sys.executable, "-m", "assistant", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)  # fmt: skip


def closed_port() -> int:
    with socket.socket() as sock:  # a port that was free a moment ago and is closed now
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
def test_import_without_a_network_is_one_error_line(tmp_path: Path, dry_run: bool) -> None:
    args = ["import", "--index", str(tmp_path / "index"), *(["--dry-run"] if dry_run else [])]
    # Five tries with the default backoff (1+2+4+8 s) took 16.5 s: 10 s is the limit here.
    done = offline_cli(*args, timeout=10)
    assert done.returncode == 2
    assert done.stdout == ""  # no "dry run: found 0, would import 0 new …"
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: cannot reach http://kamervragen-test.invalid: the name "
                               "does not resolve")  # fmt: skip
    assert "check the network connection and --tk-url" in lines[0]
    assert "resume" not in lines[0] and "gave up" not in lines[0]


def test_officielebekendmakingen_without_a_network_names_its_option(tmp_path: Path) -> None:
    done = offline_cli("import", "--source", "officielebekendmakingen", "--dry-run",
                       "--index", str(tmp_path / "index"), timeout=10)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: cannot reach http://kamervragen-test.invalid")
    assert "--sru-url" in done.stderr and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
def test_a_refused_connection_is_asked_once(dry_run: bool) -> None:
    port = closed_port()
    options = ImportOptions(tk_url=f"http://127.0.0.1:{port}/OData/v4/2.0/", dry_run=dry_run,
                            rate=0, retries=4, backoff=1.0)  # fmt: skip
    with PoliteClient(options.policy()) as client:
        report = within(10, run_import, options, MemorySink(), client=client)
        assert client.requests == 1  # not retried: nothing listens there
    assert report.error == (f"cannot reach http://127.0.0.1:{port}: connection refused (no "
                            "service listens there); check the network connection and "
                            "--tk-url, then run the same command again")  # fmt: skip
    assert report.lines() == []  # no summary of a run that listed nothing


@pytest.mark.skipif(not fx.available(), reason="../shared fixtures are absent")
def test_a_host_that_answered_is_retried_when_it_drops_out() -> None:
    """Once the service has answered, a refused connection is a network loss mid-run: the
    downloads are retried and the next run resumes (what the retries are for)."""
    with replay.ReplayServer() as server:
        options = ImportOptions(
            tk_url=server.tk_url,
            since=date(2025, 9, 24),
            until=date(2025, 9, 24),
            rate=0,
            retries=1,
            backoff=0.01,
        )
        client = PoliteClient(options.policy())
        server.faults["resource"].extend([replay.drop()] * 2)
        report = within(60, run_import, options, MemorySink(), client=client)
        client.close()
    assert report.error is None and len(report.skipped) == 1
    assert "gave up after 2 tries" in report.skipped[0].line()


@pytest.mark.skipif(not fx.available(), reason="../shared fixtures are absent")
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
def test_a_listing_that_keeps_failing_advises_by_kind_of_run(dry_run: bool) -> None:
    with replay.ReplayServer() as server:
        server.faults["list"].extend([replay.status(503)] * 2)
        options = ImportOptions(tk_url=server.tk_url, dry_run=dry_run, rate=0, retries=1,
                                backoff=0.01)  # fmt: skip
        report = within(30, run_import, options, MemorySink())
    assert report.error and report.error.startswith("listing stopped: ")
    assert "HTTP 503 (gave up after 2 tries)" in report.error
    if dry_run:  # a dry run stores nothing: there is nothing to resume
        assert report.error.endswith("; try again later") and "resume" not in report.error
    else:
        assert report.error.endswith("; run the same command again later to resume")
    assert report.lines() == []
