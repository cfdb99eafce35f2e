"""Answering a question from the index: ranked, cited hits.

`Searcher.search` embeds the question, scores every embedded unit, keeps the best
unit per passage, and returns `Hit`s best first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .documents import Hit
from .embed import Embedder
from .index import Index

MAX_QUESTION_CHARS = 2000  # longer input is cut: the model reads 512 tokens at most


class QuestionError(ValueError):
    """The question cannot be searched (empty); the message says what to do."""


@dataclass
class Filters:
    """Restrict a search to some documents and/or a date range (ISO dates, inclusive)."""

    doc_ids: list[str] | None = None
    date_from: str | None = None
    date_to: str | None = None

    def allows(self, hit: Hit) -> bool:
        doc = hit.document
        if self.doc_ids and doc.doc_id not in self.doc_ids:
            return False
        if self.date_from and (not doc.date or doc.date < self.date_from):
            return False
        return not (self.date_to and (not doc.date or doc.date > self.date_to))


@dataclass
class Result:
    question: str
    hits: list[Hit]
    answerable: bool = True
    notes: list[str] = field(default_factory=list)  # e.g. "question was shortened"


def clean_question(question: str) -> tuple[str, list[str]]:
    """Strip and bound a question. Raises QuestionError when nothing is left."""
    text = " ".join((question or "").split())
    if not text:
        raise QuestionError("the question is empty; type a question, e.g. "
                            "'Kan Telegram in Nederland verboden worden?'")  # fmt: skip
    notes = []
    if len(text) > MAX_QUESTION_CHARS:
        text = text[:MAX_QUESTION_CHARS]
        notes.append(f"question shortened to its first {MAX_QUESTION_CHARS} characters")
    return text, notes


class Searcher:
    """Search one index with one embedding model."""

    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder

    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> Result:
        text, notes = clean_question(question)
        filters = filters or Filters()
        vector = self.embedder.queries([text])[0]
        best: dict[str, Hit] = {}
        for unit, score in self.index.search(vector, k=len(self.index._rows) or 1000):
            if unit.passage_id in best:
                continue
            passage = self.index.passage(unit.passage_id)
            hit = Hit(passage, self.index.document(passage.doc_id), score,
                      piece=(unit.start, unit.end))  # fmt: skip
            if filters.allows(hit):
                best[unit.passage_id] = hit
            if len(best) >= k:
                break
        hits = sorted(best.values(), key=lambda h: -h.score)
        for rank, hit in enumerate(hits, 1):
            hit.rank = rank
        return Result(text, hits, True, notes)
