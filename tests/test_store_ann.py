"""Above IVF_MIN units the embedded store searches an IVF-SQ8 index and re-scores its
candidates exactly; here the threshold is lowered so the real letters take that path."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from store_letters import records

from assistant.evaluate import evaluate, load_questions
from assistant.search import Filters, Searcher
from assistant.store import open_store
from assistant.store.base import unit_passage
from assistant.store.embed import Embedder
from tests.conftest import DEV_EVAL, needs_shared


def exhaustive(store, query: np.ndarray, n: int) -> set[int]:  # type: ignore[no-untyped-def]
    ids, vecs = zip(*store.iter_unit_vectors())
    ids, vecs = np.concatenate(ids), np.vstack(vecs)
    return set(ids[np.argsort(-(vecs @ query))[:n]].tolist())


@needs_shared
def test_ivf_finds_what_exhaustive_search_finds(
        full_index_dir: Path, tmp_path: Path, embedder: Embedder,
        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import assistant.store.local_vectors as local

    folder = tmp_path / "index"
    shutil.copytree(full_index_dir, folder)
    monkeypatch.setattr(local, "IVF_MIN", 500)
    store = open_store(folder)
    units = store.counts()[2]
    assert units > 500 and store.snapshot(force=True)
    store.close()
    store = open_store(folder)  # a reader loads the IVF snapshot
    assert store.vectors().approximate and store.vectors().ntotal == units
    questions = load_questions(DEV_EVAL)
    vectors = embedder.queries([q["q"] for q in questions])
    recall = [len(set(store.nearest_units(v, 50, Filters())[0].tolist()) &
                  exhaustive(store, v, 50)) / 50 for v in vectors]  # fmt: skip
    assert np.mean(recall) >= 0.95
    report = evaluate(Searcher(store, embedder), questions)
    assert report["hit@1"] >= 0.80 and report["hit@3"] >= 0.90  # exact: .85 / .95

    cats = records(embedder)["katten"]  # a letter added later is found through the delta
    store.write([cats])
    searcher = Searcher(store, embedder)
    top = searcher.search("Wie vangt de zwerfkatten van de veerboot op?", k=1)
    assert top.hits[0].passage.passage_id == "ah-tk-20242025-999-q2"

    # the snapshot is mapped read-only: a letter removed since is hidden from its searches
    question = "Kan Telegram in Nederland verboden worden?"
    gone = searcher.search(question, k=1).hits[0].passage.doc_id
    store.write(remove=[gone])
    vector = embedder.queries([question])[0]
    ids, _ = store.nearest_units(vector, 50, Filters())
    keys = sorted(set(unit_passage(ids).tolist()))
    assert len(ids) == 50 and set(store.hits(keys)) == set(keys)  # none of the removed
    assert all(h.passage.doc_id != gone for h in searcher.search(question, k=5).hits)
    assert store.snapshot(force=True)  # a new snapshot holds both changes
    store.close()
    store = open_store(folder)
    assert store.vectors().ntotal == store.counts()[2]
    searcher = Searcher(store, embedder)
    top = searcher.search("Wie vangt de zwerfkatten van de veerboot op?", k=1)
    assert top.hits[0].passage.passage_id == "ah-tk-20242025-999-q2"
    assert all(h.passage.doc_id != gone for h in searcher.search(question, k=5).hits)
    store.close()
