"""Shared fixtures: the real embedding model and real indexes, built once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.search import Searcher
from assistant.store.build import sync
from assistant.store.embed import Embedder
from assistant.store.index import Index

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
    sync(CORPUS, folder, embedder=embedder)
    return folder


@pytest.fixture(scope="session")
def seed_index(seed_index_dir: Path) -> Index:
    return Index.load(seed_index_dir)


@pytest.fixture(scope="session")
def searcher(seed_index: Index, embedder: Embedder) -> Searcher:
    return Searcher(seed_index, embedder)


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
    sync(full_corpus, folder, embedder=embedder)
    return folder


@pytest.fixture(scope="session")
def full_searcher(full_index_dir: Path, embedder: Embedder) -> Searcher:
    return Searcher(Index.load(full_index_dir), embedder)
