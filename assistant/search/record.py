"""The record over time: every letter with a passage that answers a question.

`ask --all` and the web app's "All answers" view. A passage answers when it clears both
tests `answerable` applies to the best hit of a search:
  - its best passage or window cosine beats the everyday background by MARGIN, and
  - it is not clearly worse than the best passage of the whole index (FILTER_GAP): the
    measure that tells "answered within these filters" from "only the least bad there"
    (answerable.within_filters), here applied to each letter as if it were the filter.
Candidates come from the vector index, asked for ever more units (from FIRST_UNITS up to
MAX_UNITS) until the last one scores below that threshold. The database then keeps the
passages whose letters are within the facet filters and counts the letters per facet in
the same query (Store.letter_facets, SQL in both backends). Up to MAX_LETTERS letters are
listed, the most relevant ones, each with its best passage first and its other matching
passages after it; near-identical answers are folded into the first letter that gave
them (`repeats.fold`). Facets count every answering letter within the filters, also those
past the limit or folded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..documents import Document, Hit
from ..store.base import KINDS, Filters, SignalRows, unit_passage
from ..store.lexical import query_terms
from ..store.sql import FACETS
from .answerable import FILTER_GAP, MARGIN, background
from .highlight import highlight_spans
from .language import detect_language
from .rank import ANYWHERE_UNITS, Searcher, Signals, clean_question, relevance, signals
from .repeats import fold

MAX_LETTERS = 500  # letters listed at most (the most relevant ones)
FIRST_UNITS = 2000  # units asked of the vector index first; doubled while all answer
MAX_UNITS = 64_000  # ... up to this many
SORTS = ("date", "relevance")
_PASSAGE, _WINDOW = KINDS.index("passage"), KINDS.index("window")


@dataclass
class Letter:
    """One answering letter: its matching passages (best first) and later letters that
    repeat its answer (near-identical text)."""

    document: Document
    hits: list[Hit]
    repeated_in: list[Document] = field(default_factory=list)
    key: int = -1  # the best passage's key

    @property
    def score(self) -> float:
        return self.hits[0].score if self.hits else 0.0


@dataclass
class Record:
    question: str
    letters: list[Letter]
    facets: dict[str, dict[str, int]]
    names: dict[str, list[str]]  # ministry (as counted) → the names its letters use
    total: int = 0  # answering letters within the filters (before the limit and folding)
    threshold: float = 0.0  # the cosine a passage needed
    notes: list[str] = field(default_factory=list)


def ministry_label(value: str, names: dict[str, list[str]]) -> str:
    """"Justitie en Veiligheid / Veiligheid en Justitie" when the letters use both names."""
    return " / ".join(names.get(value) or [value])


def all_answers(searcher: Searcher, question: str, filters: Filters | None = None,
                wanted: dict[str, list[str]] | None = None, sort: str = "date",
                limit: int = MAX_LETTERS) -> Record:  # fmt: skip
    """Every letter answering the question within the filters (dates, letters) and the
    facet filters (`wanted`: facet → any of these values); see the module docstring."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    text, notes = clean_question(question)
    filters = filters or Filters()
    wanted = {k: [v for v in vs if v and v.strip()] for k, vs in (wanted or {}).items()
              if k in FACETS}  # fmt: skip
    store = searcher.store
    store.refresh()
    empty = Record(text, [], {facet: {} for facet in FACETS}, {}, notes=notes)
    if not store.counts()[1]:
        return empty
    vector = searcher.embedder.queries([text])[0]
    floor = float((background(searcher.embedder) @ vector).max()) + MARGIN
    best = _best_anywhere(searcher, vector)
    threshold = max(floor, best - FILTER_GAP)
    empty.threshold = threshold
    if best < floor:
        return empty  # nothing in the index answers it
    keys = _candidates(searcher, vector, threshold, filters)
    if not keys:
        return empty
    rows = store.signal_rows(keys)
    terms = query_terms(text)
    stats = store.lexical_stats(terms)
    cand = signals(rows, vector, terms, stats)
    shown = np.maximum(cand.passage, cand.window)
    answering = [rows.keys[i] for i in np.flatnonzero(shown >= threshold)]
    found = store.letter_facets(answering, wanted)
    if not found.kept:
        return Record(text, [], found.counts, found.names, 0, threshold, notes)
    fused, _ = searcher._fused(cand, rows, detect_language(text), vector, terms, stats)
    pos = {key: i for i, key in enumerate(rows.keys)}
    by_doc: dict[str, list[int]] = {}
    for key in sorted(found.kept, key=lambda k: -fused[pos[k]]):
        by_doc.setdefault(found.kept[key][0], []).append(key)
    total = len(by_doc)
    chosen = sorted(by_doc, key=lambda d: -fused[pos[by_doc[d][0]]])[:limit]
    if total > limit:
        notes.append(f"{total} letters answer; the {limit} most relevant are listed")
    letters = _letters(searcher, rows, cand, fused, pos, {d: by_doc[d] for d in chosen})
    letters = fold(letters)
    for letter in letters:  # highlights only where a list shows them: the best answer
        top = letter.hits[0]
        i = pos[letter.key]
        at = np.flatnonzero((rows.owner == i) & (rows.kind == _WINDOW))
        windows = [(int(rows.start[r]), int(rows.end[r]), float(cand.unit[r])) for r in at]
        top.highlights = highlight_spans(top.passage.answer_text, windows, text)
        top.see_also = store.referred(letter.key, top.passage)
    if sort == "date":
        letters.sort(key=lambda x: (x.document.date or "", x.score), reverse=True)
    else:
        letters.sort(key=lambda x: -x.score)
    return Record(text, letters, found.counts, found.names, total, threshold, notes)


def _best_anywhere(searcher: Searcher, vector: np.ndarray) -> float:
    """The best passage or window cosine of the whole index (as rank.Searcher does)."""
    store = searcher.store
    keys = [key for key, _ in store.vector_candidates(vector, ANYWHERE_UNITS, Filters())]
    rows = store.signal_rows(list(dict.fromkeys(keys)))
    mask = (rows.kind == _PASSAGE) | (rows.kind == _WINDOW)
    return float((rows.vectors[mask] @ vector).max()) if mask.any() else -1.0


def _candidates(searcher: Searcher, vector: np.ndarray, threshold: float,
                filters: Filters) -> list[int]:  # fmt: skip
    """Passages owning a unit at or above the threshold (any kind: re-judged after)."""
    n = FIRST_UNITS
    while True:
        ids, scores = searcher.store.nearest_units(vector, n, filters)
        if len(ids) < n or scores[-1] < threshold or n >= MAX_UNITS:
            break
        n *= 4
    keep = scores >= threshold
    return list(dict.fromkeys(int(k) for k in unit_passage(ids[keep])))


def _letters(searcher: Searcher, rows: SignalRows, cand: Signals, fused: np.ndarray,
             pos: dict[int, int], by_doc: dict[str, list[int]]) -> list[Letter]:  # fmt: skip
    """Letters with hits built as `ask` builds them (score, piece); highlights and see-also
    answers are added after folding, to each listed letter's best passage only."""
    keys = [key for group in by_doc.values() for key in group]
    texts = searcher.store.hits(keys)
    out = []
    for group in by_doc.values():
        hits: list[Hit] = []
        for key in group:
            if key not in texts:
                continue  # removed by another process a moment ago
            passage, document = texts[key]
            i = pos[key]
            unit = int(cand.best_unit[i])
            piece = (int(rows.start[unit]), int(rows.end[unit])) if unit >= 0 else \
                (0, len(passage.answer_text))  # fmt: skip
            hit = Hit(passage, document, relevance(float(fused[i])), rank=len(hits) + 1,
                      piece=piece)  # fmt: skip
            hits.append(hit)
        if hits:
            best = next(k for k in group if k in texts)
            out.append(Letter(hits[0].document, hits, key=best))
    return out
