"""Answering a question from a store: ranked, cited hits.

Each signal proposes candidates, with the search's filters applied inside it: the
passages owning the best-matching embedded units (FAISS / pgvector), the best BM25
passages (FTS5 / PostgreSQL), and the passages a reference names exactly ("vraag 13 van
5236577", "artikel 125p Sv"; these rank first). Only candidates are scored, from their own
unit vectors and tokens:
  - the best "passage" unit (subject + question + answer, or a piece of a long answer),
  - the "answer" unit (the answer alone), at half weight,
  - the best "window" unit (two answer sentences with the same context),
  - BM25 with a Dutch stemmer, weighted by the question's language,
each standardised (z-score) over a pool of the candidates plus a fixed pseudo-random
sample of POOL_SAMPLE passages, minus a fixed demotion for the closing "Kunt u deze vragen
… beantwoorden?" passage. Below POOL_SAMPLE passages the pool is the whole index, so the
ranking is the one an exhaustive search would give; above it the sample stands for the
index (a sparse signal such as a rare name then weighs as in an index of a few thousand
passages, not ever more as the archive grows). Weights were chosen on development
questions (benchmarks/eval_table.py). Whether the documents answer the question at all is
judged by `answerable.judge`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..documents import Hit
from ..ingest.text import typed_text
from ..store.base import KINDS, Filters, SignalRows, Store
from ..store.embed import Embedder
from ..store.lexical import (
    LexStats,
    Postings,
    bm25,
    query_terms,
    rare_terms,
    term_frequencies,
)
from ..store.records import is_procedural
from .answerable import MARGIN, margin, within_filters
from .cues import RERANK, START_BONUS, asks_since, names_start
from .highlight import highlight_spans
from .language import detect_language
from .lookup import Reference, article_matches, read_reference

__all__ = ["Filters", "QuestionError", "Result", "Searcher", "Weights", "clean_question",
           "is_procedural"]

MAX_QUESTION_CHARS = 2000  # longer input is cut: the model reads 512 tokens at most
POOL_SAMPLE = 2048  # passages standing for the index when z-scoring (all of a small index)
VECTOR_UNITS = 400  # best units asked of the vector index
LEXICAL_PASSAGES = 400  # best BM25 passages asked of the lexical index
RARE_SHARE = 0.05  # lexical candidates come from terms in at most 5% of passages
LEXICAL_BUDGET = 60_000  # ... whose postings add up to at most this many (~50 ms of FTS5)
ANYWHERE_UNITS = 50  # best units of the whole index, for the best cosine outside filters
SCORE_SCALE = 3.0  # fused units per logistic step of the shown score (see `relevance`)
_PASSAGE, _ANSWER, _WINDOW = (KINDS.index(k) for k in ("passage", "answer", "window"))


@dataclass
class Weights:
    """How the signals are fused (relative to the passage unit); all 0: dense baseline."""

    answer: float = 0.5
    window: float = 1.0
    lexical_nl: float = 0.8  # BM25 helps Dutch questions much,
    lexical_en: float = 0.1  # English ones (against Dutch letters) barely
    procedural: float = 1.0  # demotion of "Kunt u deze vragen … beantwoorden?" passages
    # "since when" questions: answers naming a start count as matching this much better
    # (cosine, in all three dense signals; see cues.py)
    start: float = START_BONUS


class QuestionError(ValueError):
    """The question cannot be searched (empty); the message says what to do."""


@dataclass
class Result:
    question: str
    hits: list[Hit]
    answerable: bool = True
    notes: list[str] = field(default_factory=list)  # e.g. "question was shortened"
    # A reference the query names that the index lacks, e.g. "5236577 has no question 99".
    missing: str | None = None
    # How much better the best hit matches than everyday background text (cosine), the
    # measure of `answerable`; None without hits.
    margin: float | None = None
    # Filters were set and letters outside them answer the question (clearly better than
    # those inside): "not found within these filters".
    outside: bool = False


def relevance(fused: float) -> float:
    """The score a hit shows, 0–1: a logistic of its fused score, so scores fall with rank.

    The fused score orders the hits; showing a hit's cosine instead (as before) put
    "0.876" above "0.901" whenever the other signals disagreed with the cosine.
    """
    return 1.0 / (1.0 + math.exp(-fused / SCORE_SCALE))


def clean_question(question: str) -> tuple[str, list[str]]:
    """Strip, clean (lone surrogates "\ufffd", no control characters: see typed_text) and
    bound a question. Raises QuestionError when nothing is left."""
    text = " ".join(typed_text(question or "").replace("\ufffd", " ").split())
    if not text:
        raise QuestionError("the question is empty; type a question, e.g. "
                            "'Kan Telegram in Nederland verboden worden?'")  # fmt: skip
    notes = []
    if len(text) > MAX_QUESTION_CHARS:
        text = text[:MAX_QUESTION_CHARS]
        notes.append(f"question shortened to its first {MAX_QUESTION_CHARS} characters")
    return text, notes


@dataclass
class Signals:
    """Per-passage signal values for one question (aligned with SignalRows.keys)."""

    unit: np.ndarray  # cosine per unit row
    passage: np.ndarray  # best "passage" unit
    answer: np.ndarray  # the "answer" unit (the passage score when it has none)
    window: np.ndarray  # best window unit (the passage score when it has none)
    best_unit: np.ndarray  # row of the best "passage" unit, -1 if none
    lexical: np.ndarray

    def stacked(self) -> np.ndarray:
        return np.vstack([self.passage, self.answer, self.window, self.lexical])


def signals(rows: SignalRows, vector: np.ndarray, terms: list[str], stats: LexStats,
            postings: Postings | None = None) -> Signals:  # fmt: skip
    """Dense and lexical signals of the passages in rows."""
    n = len(rows.keys)
    unit = rows.vectors @ vector if len(rows.vectors) else np.zeros(0, dtype=np.float32)

    def best(kind: int, fallback: np.ndarray | None = None) -> np.ndarray:
        mask = rows.kind == kind
        out = np.full(n, -2.0, dtype=np.float32)
        np.maximum.at(out, rows.owner[mask], unit[mask])
        return out if fallback is None else np.where(out < -1.5, fallback, out)

    passage = best(_PASSAGE)
    best_unit = np.full(n, -1, dtype=np.int64)
    at = np.flatnonzero(rows.kind == _PASSAGE)
    order = at[np.argsort(unit[at], kind="stable")]  # ascending: the best is written last
    best_unit[rows.owner[order]] = order
    tf = postings.frequencies(terms) if postings else term_frequencies(rows.stems, terms)
    lexical = bm25(terms, tf, rows.n_tokens, stats)
    return Signals(unit, passage, best(_ANSWER, passage), best(_WINDOW, passage), best_unit,
                   lexical)  # fmt: skip


class Searcher:
    """Search one store with one embedding model."""

    def __init__(self, store: Store, embedder: Embedder, weights: Weights | None = None) -> None:
        if getattr(embedder, "dim", store.config.dim) != store.config.dim:
            from ..store.base import DamagedError
            from ..store.integrity import damaged_message

            raise DamagedError(damaged_message(store.location, (
                f"its vectors have {store.config.dim} dimensions, the model "
                f"{store.config.model} makes {embedder.dim}")))  # fmt: skip
        self.store = store
        self.embedder = embedder
        self.weights = weights or Weights()
        self._sample: tuple[int, SignalRows, Postings] | None = None

    def sample_rows(self) -> tuple[SignalRows, Postings]:
        """The pool sample's rows and term postings, read again only after a change."""
        gen = self.store.generation()
        if self._sample is None or self._sample[0] != gen:
            rows = self.store.signal_rows(self.store.sample(POOL_SAMPLE))
            self._sample = (gen, rows, Postings(rows.stems))
        return self._sample[1], self._sample[2]

    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> Result:
        text, notes = clean_question(question)
        filters = filters or Filters()
        self.store.refresh()  # letters another process added or removed
        if not self.store.counts()[1]:
            return Result(text, [], False, notes)
        lang = detect_language(text)
        terms = query_terms(text)
        vector = self.embedder.queries([text])[0]
        stats, lex = self._lexical(terms, filters)
        ref = read_reference(text, self.store)
        named = self.store.doc_passages(ref.doc_ids, filters) if ref.doc_ids else []
        cited = article_matches(self.store, ref, filters) if ref.articles else []
        vec = [key for key, _ in self.store.vector_candidates(vector, VECTOR_UNITS, filters)]
        keys = list(dict.fromkeys(named + cited + vec + lex))
        rows = self.store.signal_rows(keys)
        cand = signals(rows, vector, terms, stats)
        fused, per_cosine = self._fused(cand, rows, lang, vector, terms, stats)
        if self.weights.start and asks_since(text):
            fused = fused + self._start_bonus(rows, fused) * per_cosine
        lookup, missing = self._named(ref, rows, named, cited, fused)
        # a letter the query names that the filters leave out: not "it has no question 13"
        hidden = bool(filters and ref.doc_ids and not named
                      and self.store.doc_passages(ref.doc_ids, Filters()))  # fmt: skip
        if hidden:
            missing = "the letter it names is outside the filters"
        pos = {key: i for i, key in enumerate(rows.keys)}
        order = [pos[key] for key in lookup if key in pos]
        chosen = set(order)
        order += [int(i) for i in np.argsort(-fused, kind="stable") if int(i) not in chosen]
        hits = self._hits(order[:k], rows, cand, fused, set(lookup), text)
        best = np.maximum(cand.passage, cand.window)
        top = float(best.max()) if best.size else None
        gain = margin(top, vector, self.embedder) if top is not None else None
        # a reference to something the index lacks is "not found", whatever else matches
        answerable = bool(lookup) or (not missing and gain is not None and gain >= MARGIN)
        outside = hidden
        if filters and top is not None and not lookup and not missing:
            answerable, outside = within_filters(answerable, top, self._best_anywhere(vector),
                                                 vector, self.embedder)  # fmt: skip
        return Result(text, hits, answerable, notes, missing, gain, outside)

    def _best_anywhere(self, vector: np.ndarray) -> float:
        """The best passage or window cosine in the whole index, filters aside."""
        keys = [key for key, _ in self.store.vector_candidates(vector, ANYWHERE_UNITS, Filters())]
        rows = self.store.signal_rows(list(dict.fromkeys(keys)))
        shown = (rows.kind == _PASSAGE) | (rows.kind == _WINDOW)
        return float((rows.vectors[shown] @ vector).max()) if shown.any() else -1.0

    def _start_bonus(self, rows: SignalRows, fused: np.ndarray) -> np.ndarray:
        """The start weight (cosine) for the best candidates whose answer names a start."""
        bonus = np.zeros_like(fused)
        best = [int(i) for i in np.argsort(-fused, kind="stable")[:RERANK]]
        texts = self.store.hits([rows.keys[i] for i in best])
        for i in best:
            found = texts.get(rows.keys[i])
            if found and names_start(found[0].answer_text):
                bonus[i] = self.weights.start
        return bonus

    def _lexical(self, terms: list[str], filters: Filters) -> tuple[LexStats, list[int]]:
        """The terms' statistics and the best BM25 passages of the rarer terms."""
        stats = self.store.lexical_stats(terms)
        chosen = rare_terms(terms, stats, RARE_SHARE, LEXICAL_BUDGET)
        return stats, self.store.lexical_candidates(chosen, LEXICAL_PASSAGES, filters)

    def _fused(self, cand: Signals, rows: SignalRows, lang: str, vector: np.ndarray,
               terms: list[str], stats: LexStats) -> tuple[np.ndarray, float]:  # fmt: skip
        """Fused score per candidate, standardised over candidates + the pool sample; and
        how much it rises per unit of cosine in all three dense signals at once."""
        sample_rows, postings = self.sample_rows()
        seen = set(rows.keys)
        extra = [i for i, key in enumerate(sample_rows.keys) if key not in seen]
        sample = signals(sample_rows, vector, terms, stats, postings).stacked()[:, extra]
        pool = np.hstack([cand.stacked(), sample])
        mean = pool.mean(axis=1, keepdims=True)
        std = pool.std(axis=1, keepdims=True)
        z = np.where(std > 1e-9, (cand.stacked() - mean) / np.where(std > 1e-9, std, 1), 0.0)
        w = self.weights
        fused = z[0] + w.answer * z[1] + w.window * z[2]
        dense = np.array([1.0, w.answer, w.window])
        spread = std[:3, 0]
        per_cosine = float((dense / np.where(spread > 1e-9, spread, np.inf)).sum())
        weight = w.lexical_nl if lang == "nl" else w.lexical_en
        if weight and pool[3].any():
            fused = fused + weight * z[3]
        return fused - w.procedural * rows.procedural, per_cosine

    def _named(self, ref: Reference, rows: SignalRows, named: list[int], cited: list[int],
               fused: np.ndarray) -> tuple[list[int], str | None]:  # fmt: skip
        """Passage keys the query names exactly, in the order shown, and what it names that
        the index lacks."""
        if not ref:
            return [], None
        pos = {key: i for i, key in enumerate(rows.keys)}
        found = named if ref.doc_ids else cited if ref.articles else list(rows.keys)
        if ref.questions:
            wanted = set(ref.questions)
            found = [k for k in found if k in pos and wanted & set(rows.questions[pos[k]])]
        if ref.articles and ref.doc_ids:
            found = [k for k in found if k in set(cited)]
        if not ref.doc_ids:  # a letter's passages stay in letter order; others by relevance
            found = sorted(found, key=lambda key: -fused[pos[key]])
        missing = None
        if ref.doc_ids and ref.questions and not found:
            numbers = sorted({n for k in named if k in pos for n in rows.questions[pos[k]]})
            asked = ", ".join(str(n) for n in ref.questions)
            missing = (f"the letter has no question {asked}" +
                       (f" (it answers questions {numbers[0]}–{numbers[-1]})" if numbers else ""))
        return found, missing

    def _hits(self, order: list[int], rows: SignalRows, s: Signals, fused: np.ndarray,
              lookup: set[int], query: str) -> list[Hit]:  # fmt: skip
        texts = self.store.hits([rows.keys[i] for i in order])
        hits = []
        for rank, i in enumerate(order, 1):
            key = rows.keys[i]
            if key not in texts:
                continue  # removed by another process a moment ago
            passage, document = texts[key]
            unit = int(s.best_unit[i])
            piece = (int(rows.start[unit]), int(rows.end[unit])) if unit >= 0 else \
                (0, len(passage.answer_text))  # fmt: skip
            at = np.flatnonzero((rows.owner == i) & (rows.kind == _WINDOW))
            windows = [(int(rows.start[r]), int(rows.end[r]), float(s.unit[r])) for r in at]
            hit = Hit(passage, document, relevance(float(fused[i])), rank=rank,
                      how="lookup" if key in lookup else "semantic", piece=piece)  # fmt: skip
            hit.highlights = highlight_spans(passage.answer_text, windows, query)
            hit.see_also = self.store.referred(key, passage)
            hits.append(hit)
        for rank, hit in enumerate(hits, 1):
            hit.rank = rank
        return hits
