"""The same answers from both stores: the seeds + ../shared/corpus-real letters, indexed in
the embedded store and copied into PostgreSQL (the same vectors, not embedded again), give
the same evaluation scores within the issue's bounds and the same passages for exact
references."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_server import PgServer

from assistant.evaluate import evaluate, load_questions
from assistant.search import Searcher
from assistant.store import Store, open_store
from assistant.store.copy import copy_store
from assistant.store.embed import Embedder
from tests.conftest import DEV_EVAL, ROOT

QUESTION_SETS = [DEV_EVAL, ROOT / "benchmarks" / "questions" / "seeds_extra.jsonl"]


@pytest.fixture(scope="module")
def pg_full(pg_server: PgServer, full_index_dir: Path) -> Iterator[Store]:
    url = pg_server.new_database("full")
    with open_store(full_index_dir) as src:
        store = open_store(url, src.config)
        report = copy_store(src, store)
    assert report.conflicts == [] and report.copied == store.counts()[0]
    yield store
    store.close()


@pytest.mark.parametrize("path", QUESTION_SETS, ids=lambda p: p.name)
def test_evaluation_scores_match(full_store: Store, pg_full: Store, embedder: Embedder,
                                 path: Path) -> None:  # fmt: skip
    questions = load_questions(path)
    local = evaluate(Searcher(full_store, embedder), questions)
    shared = evaluate(Searcher(pg_full, embedder), questions)
    n = len(questions)
    print(f"\n{path.name} (n={n}): " + ", ".join(
        f"{m} {local[m]:.3f} → {shared[m]:.3f}" for m in ("hit@1", "hit@3", "mrr@10")))
    assert shared["hit@1"] >= local["hit@1"] - 1 / n - 1e-9
    assert shared["hit@3"] >= local["hit@3"] - 1 / n - 1e-9
    assert abs(shared["mrr@10"] - local["mrr@10"]) <= 0.02


def reference_questions(store: Store, limit: int = 40) -> list[str]:
    """Exact references to the indexed letters: kenmerk, zaak, Aanhangsel, question number."""
    asked = []
    for row in store.documents():
        doc = row.document
        for ref in (doc.ons_kenmerk, doc.uw_kenmerk):
            if ref:
                asked += [ref, f"vraag 2 van {ref}"]
        if doc.aanhangsel:
            asked.append(doc.aanhangsel)
    return asked[:limit]


def test_exact_references_return_the_same_passages(full_store: Store, pg_full: Store,
                                                   embedder: Embedder) -> None:  # fmt: skip
    asked = reference_questions(full_store)
    assert len(asked) >= 20
    local, shared = Searcher(full_store, embedder), Searcher(pg_full, embedder)
    for question in asked:
        expected = [h.passage.passage_id for h in local.search(question, k=3).hits]
        assert expected, question
        assert [h.passage.passage_id for h in shared.search(question, k=3).hits] == expected, \
            question  # fmt: skip
