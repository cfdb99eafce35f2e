"""Answering a question from the index: ranked, cited hits.

`Searcher.search` first resolves exact references ("vraag 13 van 5236577", "artikel
125p Sv"); those passages rank first. Every passage is then scored by fusing, after
per-query standardisation (z-scores across the passages):
  - the best "passage" unit (subject + question + answer, or a piece of a long answer),
  - the "answer" unit (the answer alone), at half weight,
  - the best "window" unit (two answer sentences with the same context),
  - BM25 with a Dutch stemmer, weighted by the question's language,
minus a fixed demotion for the closing "Kunt u deze vragen … beantwoorden?" passage.
Weights were chosen on development questions (benchmarks/eval_table.py). Whether the
documents answer the question at all is judged by `answerable.judge`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..documents import Hit, Passage
from ..store.embed import Embedder
from ..store.index import Index
from .answerable import judge
from .highlight import highlight_spans
from .language import detect_language
from .lexical import Lexical
from .lookup import Lookup

MAX_QUESTION_CHARS = 2000  # longer input is cut: the model reads 512 tokens at most


@dataclass
class Weights:
    """How the signals are fused (relative to the passage unit); all 0: dense baseline."""

    answer: float = 0.5
    window: float = 1.0
    lexical_nl: float = 0.8  # BM25 helps Dutch questions much,
    lexical_en: float = 0.1  # English ones (against Dutch letters) barely
    procedural: float = 1.0  # demotion of "Kunt u deze vragen … beantwoorden?" passages


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


# The closing question of most letters asks how the questions will be answered, and its
# answer ("Ja.") says nothing. Short and all context, such a passage otherwise tops
# one-word queries ("doxing") and questions the letters do not answer.
_PROCEDURAL = re.compile(r"\b(?:deze|de|alle|(?:de )?bovenstaande(?: \w+)?) vragen\b.{0,80}?"
                         r"\b(?:beantwoorden|toesturen|sturen|apart|afzonderlijk|één voor één)",
                         re.I)  # fmt: skip


def is_procedural(passage: Passage) -> bool:
    """True for a passage that only asks how the questions will be answered."""
    return len(passage.question_text) < 300 and bool(_PROCEDURAL.search(passage.question_text))


def _z(x: np.ndarray) -> np.ndarray:
    std = float(x.std())
    return (x - x.mean()) / std if std > 1e-9 else np.zeros_like(x)


class _Tables:
    """Everything derived once from an index's contents: unit matrix, BM25, look-up."""

    def __init__(self, index: Index) -> None:
        self.passages: list[Passage] = index.passages
        self.pos = {p.passage_id: i for i, p in enumerate(self.passages)}
        units, self.matrix = index.unit_matrix()
        self.units = units
        self.owner = np.array([self.pos[u.passage_id] for u in units], dtype=np.int64)
        kinds = np.array([u.kind for u in units], dtype=object)
        self.is_window = kinds == "window"
        self.is_answer = kinds == "answer"
        self.is_passage = ~(self.is_window | self.is_answer)
        self.procedural = np.array([is_procedural(p) for p in self.passages], dtype=bool)
        self.lexical = Lexical(self.passages, {d.doc_id: d for d in index.documents})
        self.lookup = Lookup(self.passages, index.documents)


@dataclass
class Scores:
    """Per-passage scores for one question (arrays aligned with the index's passages)."""

    vector: np.ndarray  # the question's embedding
    unit: np.ndarray  # cosine per unit
    passage: np.ndarray  # best "passage" unit
    answer: np.ndarray  # the "answer" unit (the passage score when it has none)
    window: np.ndarray  # best window unit (the passage score when it has none)
    best_unit: np.ndarray  # row of the best "passage" unit
    lexical: np.ndarray
    fused: np.ndarray


class Searcher:
    """Search one index with one embedding model."""

    def __init__(self, index: Index, embedder: Embedder, weights: Weights | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.weights = weights or Weights()
        self._tables: _Tables | None = None
        self._signature: tuple = ()

    def tables(self) -> _Tables:
        """Derived tables, rebuilt only when the index's documents change."""
        signature = (tuple(self.index.entries), self.index.manifest.passages)
        if self._tables is None or signature != self._signature:
            self._tables, self._signature = _Tables(self.index), signature
        return self._tables

    def scores(self, text: str, lang: str) -> Scores:
        t = self.tables()
        n = len(t.passages)
        vector = self.embedder.queries([text])[0]
        unit = t.matrix @ vector

        def best(mask: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
            out = np.full(n, -2.0, dtype=np.float32)
            np.maximum.at(out, t.owner[mask], unit[mask])
            return out if fallback is None else np.where(out < -1.5, fallback, out)

        passage = best(t.is_passage)
        answer = best(t.is_answer, passage)
        window = best(t.is_window, passage)
        # Row of each passage's best "passage" unit: the piece of a long answer to mark.
        best_unit = np.full(n, -1, dtype=np.int64)
        rows = np.flatnonzero(t.is_passage)
        order = rows[np.argsort(unit[rows], kind="stable")]  # ascending: best written last
        best_unit[t.owner[order]] = order
        lexical = t.lexical.scores(text)
        w = self.weights
        fused = _z(passage) + w.answer * _z(answer) + w.window * _z(window)
        weight = w.lexical_nl if lang == "nl" else w.lexical_en
        if weight and lexical.any():
            fused = fused + weight * _z(lexical)
        fused = fused - w.procedural * t.procedural
        return Scores(vector, unit, passage, answer, window, best_unit, lexical, fused)

    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> Result:
        text, notes = clean_question(question)
        filters = filters or Filters()
        t = self.tables()
        if not t.passages:
            return Result(text, [], False, notes)
        lang = detect_language(text)
        s = self.scores(text, lang)
        ref, named = t.lookup.resolve(text)
        named_pos = [t.pos[p.passage_id] for p in named]
        if not ref.doc_ids:  # a letter's passages stay in letter order; others by relevance
            named_pos.sort(key=lambda i: -s.fused[i])
        lookup = set(named_pos)
        ranked = named_pos + [int(i) for i in np.argsort(-s.fused, kind="stable")
                              if int(i) not in lookup]  # fmt: skip
        hits: list[Hit] = []
        for i in ranked:
            hit = self._hit(i, s, t, lookup=i in lookup)
            if filters.allows(hit):
                hits.append(hit)
            if len(hits) >= k:
                break
        for rank, hit in enumerate(hits, 1):
            hit.rank = rank
        best = np.maximum(s.passage, s.window)
        if filters != Filters():  # judge only what the user searches in
            docs = {d.doc_id: d for d in self.index.documents}
            best = best[[filters.allows(Hit(p, docs[p.doc_id], 0.0)) for p in t.passages]]
        answerable = bool(named) or (best.size > 0 and judge(float(best.max()), s.vector,
                                                             self.embedder))  # fmt: skip
        return Result(text, hits, answerable, notes)

    def _hit(self, i: int, s: Scores, t: _Tables, lookup: bool) -> Hit:
        passage = t.passages[i]
        unit = t.units[int(s.best_unit[i])] if s.best_unit[i] >= 0 else None
        piece = (unit.start, unit.end) if unit else (0, len(passage.answer_text))
        windows = [(t.units[r].start, t.units[r].end, float(s.unit[r]))
                   for r in np.flatnonzero((t.owner == i) & t.is_window)]
        score = float(max(s.passage[i], s.window[i]))  # cosine: comparable across questions
        hit = Hit(passage, self.index.document(passage.doc_id), score,
                  how="lookup" if lookup else "semantic", piece=piece)  # fmt: skip
        hit.highlights = highlight_spans(passage.answer_text, windows)
        hit.see_also = self.index.referred(passage)
        return hit
