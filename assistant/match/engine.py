"""Searching the index for every question of a document.

All questions are embedded in one batch (one call of the model), then each is searched
as `assistant ask` searches it. The document's own answer letter, when it is indexed (the
same zaak, Aanhangsel or kenmerk), is left out of every signal: it is the answer being
written, not an earlier one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..documents import ANSWERS, Hit
from ..search.rank import Filters, Result, Searcher, clean_question
from .split import Question, QuestionDocument
from .verdict import verdict

HITS = 3  # earlier answers shown per question


@dataclass
class Matched:
    """One question with its verdict and best earlier answers."""

    question: Question
    verdict: str
    hits: list[Hit]
    margin: float | None = None
    result: Result | None = None


@dataclass
class MatchReport:
    read: QuestionDocument
    questions: list[Matched] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # doc ids of the document's own answer


class _Batch:
    """An embedder that answers queries from vectors embedded beforehand, in one batch."""

    def __init__(self, embedder: Any, texts: Sequence[str]) -> None:
        self._embedder = embedder
        unique = list(dict.fromkeys(texts))
        vectors = embedder.queries(unique) if unique else np.zeros((0, embedder.dim))
        self._vectors = dict(zip(unique, vectors))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._embedder, name)

    def queries(self, texts: list[str]) -> np.ndarray:
        if all(t in self._vectors for t in texts):
            return np.vstack([self._vectors[t] for t in texts])
        return self._embedder.queries(texts)


class _Without:
    """A store seen without some letters: their passages are never candidates."""

    EXTRA_UNITS = 8  # per left-out passage, asked of the vector index on top

    def __init__(self, store: Any, doc_ids: Sequence[str]) -> None:
        self._store = store
        self._keys = set(store.doc_passages(list(doc_ids), Filters())) if doc_ids else set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def vector_candidates(self, query: np.ndarray, n: int,
                          filters: Filters) -> list[tuple[int, float]]:  # fmt: skip
        more = n + self.EXTRA_UNITS * len(self._keys)
        found = self._store.vector_candidates(query, more, filters)
        return [(k, s) for k, s in found if k not in self._keys][:n]

    def lexical_candidates(self, terms: Sequence[str], n: int, filters: Filters) -> list[int]:
        found = self._store.lexical_candidates(terms, n + len(self._keys), filters)
        return [k for k in found if k not in self._keys][:n]

    def doc_passages(self, doc_ids: Sequence[str], filters: Filters) -> list[int]:
        return [k for k in self._store.doc_passages(doc_ids, filters) if k not in self._keys]

    def article_passages(self, articles: Any, filters: Filters, limit: int) -> dict[int, Any]:
        found = self._store.article_passages(articles, filters, limit)
        return {k: v for k, v in found.items() if k not in self._keys}


def own_answers(store: Any, read: QuestionDocument) -> list[str]:
    """Doc ids of indexed answer letters to this very document (zaak, Aanhangsel, kenmerk)."""
    doc = read.document
    found: dict[str, None] = {}
    for ref in (doc.uw_kenmerk, doc.aanhangsel, doc.ons_kenmerk):
        if ref:
            for row in store.find_documents(ref):
                if row.document.kind == ANSWERS:
                    found[row.document.doc_id] = None
    return list(found)


def match(searcher: Searcher, read: QuestionDocument, k: int = HITS) -> MatchReport:
    """Search every question of the document; verdict and best k earlier answers each."""
    store = searcher.store
    store.refresh()
    left_out = own_answers(store, read)
    texts = [clean_question(q.text)[0] for q in read.questions]
    seen: Any = _Without(store, left_out) if left_out else store
    batch = Searcher(seen, _Batch(searcher.embedder, texts), searcher.weights)  # type: ignore[arg-type]
    if not left_out:
        batch._sample = searcher._sample  # the pool sample read for earlier searches
    report = MatchReport(read, left_out=left_out)
    for question, text in zip(read.questions, texts):
        result = batch.search(text, k=k)
        best = result.hits[0].score if result.hits else None
        report.questions.append(Matched(question, verdict(question.text, result.margin, best),
                                        result.hits, result.margin, result))  # fmt: skip
    if not left_out:
        searcher._sample = batch._sample
    return report
