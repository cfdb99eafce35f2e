"""Shared fixtures: the real embedding model and real indexes, built once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.search import Searcher
from assistant.store import Store, open_store
from assistant.store.build import sync
from assistant.store.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
CORPUS_REAL = SHARED / "corpus-real"
DEV_EVAL = SHARED / "eval" / "dev.jsonl"
SEED_A = CORPUS / "000_e7098fd791bfcf62.txt"  # kenmerk 5236577, 17 questions
SEED_B = CORPUS / "002_7ab916604d5dad4d.txt"  # kenmerk 5209583, 22 questions

needs_shared = pytest.mark.skipif(
    not CORPUS_REAL.is_dir(), reason="../shared/corpus-real is not next to this clone"
)

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def real_files() -> list[Path]:
    """The real letters in ../shared/corpus-real (empty when it is absent)."""
    if not CORPUS_REAL.is_dir():
        return []
    return sorted(p for p in CORPUS_REAL.glob("*.txt") if p.name != "README.md")


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 600
            ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run `python -m assistant ARGS` as a user would, capturing output."""
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """An index of the two seed letters (read-only for tests: copy it before changing)."""
    folder = tmp_path_factory.mktemp("seed-index") / "index"
    sync(CORPUS, folder, embedder=embedder)[0].close()
    return folder


@pytest.fixture(scope="session")
def seed_store(seed_index_dir: Path) -> Store:
    return open_store(seed_index_dir)


@pytest.fixture(scope="session")
def searcher(seed_store: Store, embedder: Embedder) -> Searcher:
    return Searcher(seed_store, embedder)


@pytest.fixture(scope="session")
def full_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus folder with the seeds plus every letter of ../shared/corpus-real."""
    if not CORPUS_REAL.is_dir():
        pytest.skip("../shared/corpus-real is not next to this clone")
    folder = tmp_path_factory.mktemp("full-corpus")
    for path in [SEED_A, SEED_B, *real_files()]:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def full_index_dir(tmp_path_factory: pytest.TempPathFactory, full_corpus: Path,
                   embedder: Embedder) -> Path:  # fmt: skip
    """An index of the seeds + corpus-real (read-only for tests: copy it before changing)."""
    folder = tmp_path_factory.mktemp("full-index") / "index"
    sync(full_corpus, folder, embedder=embedder)[0].close()
    return folder


@pytest.fixture(scope="session")
def full_store(full_index_dir: Path) -> Store:
    return open_store(full_index_dir)


@pytest.fixture(scope="session")
def full_searcher(full_store: Store, embedder: Embedder) -> Searcher:
    return Searcher(full_store, embedder)


# -- stores of every backend: the same tests run against each ------------------------------
BACKENDS = ["sqlite", "postgres"]
from pg_server import pg_database, pg_server, pg_url  # noqa: E402, F401  (postgres fixtures)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_store(backend: str, tmp_path: Path, embedder: Embedder,
              request: pytest.FixtureRequest) -> Iterator[Callable[[], Store]]:  # fmt: skip
    """Makes fresh, empty stores of the backend under test (closed after the test); a
    PostgreSQL store is a fresh database on the session's server."""
    from assistant.store.base import StoreConfig
    from assistant.store.units import UNITS_VERSION

    made: list[Store] = []

    def make() -> Store:
        location: Path | str = tmp_path / f"store-{len(made)}"
        if backend == "postgres":
            location = request.getfixturevalue("pg_database")()
        store = open_store(location, StoreConfig(embedder.name, embedder.dim, UNITS_VERSION))
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def reopen() -> Iterator[Callable[[Store], Store]]:
    """Opens a second handle on a store, as another process would."""
    opened: list[Store] = []

    def again(store: Store) -> Store:
        opened.append(open_store(store.location))
        return opened[-1]

    yield again
    for store in opened:
        store.close()
