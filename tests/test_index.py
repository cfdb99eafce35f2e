"""The saved index: reuse when nothing changed, partial rebuilds, atomic saves, damage."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.search import Searcher
from assistant.store.build import sync
from assistant.store.embed import Embedder
from assistant.store.index import Index, IndexFolderError
from tests.conftest import CORPUS, ROOT, SEED_A, SEED_B


def test_manifest_records_model_and_corpus(seed_index_dir: Path) -> None:
    manifest = json.loads((seed_index_dir / "manifest.json").read_text())
    assert manifest["model"] == "multilingual-e5-small"
    assert manifest["dim"] == 384
    assert manifest["format_version"] == 1
    assert len(manifest["corpus_fingerprint"]) == 16
    assert (manifest["documents"], manifest["passages"]) == (2, 37)


def test_index_round_trip_keeps_vectors(seed_index_dir: Path, seed_index: Index) -> None:
    again = Index.load(seed_index_dir)
    assert [p.passage_id for p in again.passages] == [p.passage_id for p in seed_index.passages]
    for doc_id, entry in again.entries.items():
        assert np.allclose(entry.vectors, seed_index.entries[doc_id].vectors)
        norms = np.linalg.norm(entry.vectors, axis=1)
        assert np.allclose(norms, 1.0, atol=1e-3)  # unit vectors: inner product = cosine


def test_unchanged_corpus_reuses_the_saved_index(seed_index_dir: Path, tmp_path: Path,
                                                 embedder: Embedder) -> None:  # fmt: skip
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    before = (folder / "vectors.faiss").stat().st_mtime_ns
    _, report = sync(CORPUS, folder, embedder=embedder)
    assert report.reused and report.embedded_documents == 0
    assert (folder / "vectors.faiss").stat().st_mtime_ns == before


def test_changed_corpus_reembeds_only_the_changed_letter(seed_index_dir: Path, tmp_path: Path,
                                                         embedder: Embedder) -> None:  # fmt: skip
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_A, corpus / SEED_A.name)
    text = SEED_B.read_text(encoding="utf-8")
    changed = text.replace("Ja, daar ben ik bekend mee.", "Ja, daar ben ik zeker bekend mee.")
    assert changed != text
    (corpus / SEED_B.name).write_text(changed, encoding="utf-8")
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    index, report = sync(corpus, folder, embedder=embedder)
    assert not report.reused
    assert report.embedded_documents == 1  # seed A's vectors were carried over
    assert report.passages == 37
    q1 = next(p for p in index.passages if p.passage_id == "5209583-q1")
    assert q1.answer_text == "Ja, daar ben ik zeker bekend mee."
    # and a removed letter leaves the index
    (corpus / SEED_B.name).unlink()
    index, report = sync(corpus, folder, embedder=embedder)
    assert [d.ons_kenmerk for d in index.documents] == ["5236577"]
    assert report.embedded_documents == 0


def test_interrupted_build_leaves_the_old_index_usable(seed_index_dir: Path, tmp_path: Path,
                                                       embedder: Embedder) -> None:  # fmt: skip
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    # A real build, killed hard while it embeds (forced re-embedding takes ~10 s).
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "index", "--corpus",
                             str(CORPUS), "--index", str(folder), "--force"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    time.sleep(4)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    index = Index.load(folder)
    assert index.manifest.passages == 37
    hits = Searcher(index, embedder).search("Kan Telegram in Nederland verboden worden?").hits
    assert hits and hits[0].document.ons_kenmerk in {"5236577", "5209583"}


def test_a_damaged_index_is_reported(seed_index_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    (folder / "vectors.faiss").write_bytes(b"not a faiss file")
    with pytest.raises(IndexFolderError, match="damaged.*assistant index"):
        Index.load(folder)
    shutil.copytree(seed_index_dir, folder, dirs_exist_ok=True)
    (folder / "rows.json").write_text("[]")
    with pytest.raises(IndexFolderError, match="damaged"):
        Index.load(folder)


def test_missing_index_is_reported(tmp_path: Path) -> None:
    with pytest.raises(IndexFolderError, match="no index"):
        Index.load(tmp_path)
