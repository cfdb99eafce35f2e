"""Late chunking: every unit of a passage pooled from one forward pass over the passage.

A passage used to be embedded as 4-5 separate texts (units.py): the passage (subject +
question + answer), the answer alone, and each two-sentence window with the subject and
question again, so the model read the subject and question 3-4 times and every answer
sentence 3 times (measured on the 236 passages of the seeds and ../shared/corpus-real:
about 3.5 times the tokens of the passage itself). Here the model reads each passage unit
once (the whole passage, or the pieces of an answer longer than its window), and the other
units are means of that pass's token states:

- passage unit: the mean over all its tokens — what embedding the text alone gives;
- answer unit: the mean over the answer's tokens (each read with the question in view);
- window unit: the mean over the window's tokens together with the subject and question's
  tokens (and <s>, </s>, "passage:"), as the window unit's text held them before; taken
  from the piece that holds most of the window.

Every vector is L2-normalised. The units (kinds, spans, counts, limits) stay those of
units.py; only how their vectors are made changes. Quality: benchmarks/bench_build_rate.py
and eval_table.py (the eval table in the README's "Embedding cost" section).
"""

from __future__ import annotations

import numpy as np

from .e5_numpy import E5Numpy, Tokens
from .units import Unit

# Window vectors pool the context tokens with the window's (measured better than the
# window's tokens alone on the dev sets; see the module docstring).
WINDOW_WITH_CONTEXT = True


def late_vectors(engine: E5Numpy, passages: list[list[Unit]]) -> list[np.ndarray]:
    """The vectors of each passage's units, in the order given, shape (units, dim) each.
    All passages of a letter run through the model in shared batches."""
    pieces: list[tuple[int, Unit, Tokens]] = []
    for number, units in enumerate(passages):
        for unit in units:
            if unit.kind == "passage":
                pieces.append((number, unit, engine.tokenize(unit.text)))
    states = engine.states([tokens.ids for _, _, tokens in pieces])
    by_passage: dict[int, list[_Piece]] = {}
    for (number, unit, tokens), hidden in zip(pieces, states):
        by_passage.setdefault(number, []).append(_Piece(unit, tokens, hidden))
    out = []
    for number, units in enumerate(passages):
        found = by_passage.get(number, [])
        vectors = np.zeros((len(units), engine.dim), dtype=np.float32)
        for row, unit in enumerate(units):
            vectors[row] = _pool(unit, found)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out.append(vectors / np.maximum(norms, 1e-12))
    return out


class _Piece:
    """One passage unit's forward pass: where each token falls in the answer."""

    def __init__(self, unit: Unit, tokens: Tokens, hidden: np.ndarray) -> None:
        self.unit = unit
        self.hidden = hidden
        context = len(unit.text) - (unit.end - unit.start)  # subject + question + "\n"s
        ends = tokens.ends
        self.in_answer = ends >= context
        self.answer_at = np.where(self.in_answer, ends - context + unit.start, -1)

    def overlap(self, start: int, end: int) -> int:
        return max(0, min(end, self.unit.end) - max(start, self.unit.start))


def _pool(unit: Unit, pieces: list[_Piece]) -> np.ndarray:
    if not pieces:
        raise ValueError(f"no passage unit to pool {unit.kind} of {unit.passage_id} from")
    if unit.kind == "passage":
        piece = next(p for p in pieces if p.unit is unit)
        return piece.hidden.mean(axis=0)
    if unit.kind == "answer":
        rows = [p.hidden[p.in_answer] for p in pieces]
        stacked = np.concatenate(rows) if rows else np.zeros((0, pieces[0].hidden.shape[1]))
        return stacked.mean(axis=0) if len(stacked) else pieces[0].hidden.mean(axis=0)
    piece = max(pieces, key=lambda p: p.overlap(unit.start, unit.end))
    inside = (piece.answer_at >= unit.start) & (piece.answer_at < unit.end)
    if WINDOW_WITH_CONTEXT:
        inside |= ~piece.in_answer
    if not inside.any():
        return piece.hidden.mean(axis=0)
    return piece.hidden[inside].mean(axis=0)
