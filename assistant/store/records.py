"""Parsed letters → records ready to write: units embedded, tokens stemmed, articles found.

Everything a store keeps about a letter is derived here, once, by the same code for every
backend; a store only persists records and answers queries over them.
"""

from __future__ import annotations

import re

import numpy as np

from ..documents import ParsedLetter, Passage
from ..ingest.limits import MAX_CHARS_PER_LETTER, MAX_UNITS_PER_LETTER
from ..ingest.references import cited_articles, document_keys
from .base import CORPUS, KINDS, LetterRecord, PassageRecord
from .embed import Embedder
from .lexical import passage_text, tokens
from .units import TokenCounter, Unit, passage_units, window_units

# The closing question of most letters asks how the questions will be answered, and its
# answer ("Ja.") says nothing. Short and all context, such a passage otherwise tops
# one-word queries ("doxing") and questions the letters do not answer.
_PROCEDURAL = re.compile(r"\b(?:deze|de|alle|(?:de )?bovenstaande(?: \w+)?) vragen\b.{0,80}?"
                         r"\b(?:beantwoorden|toesturen|sturen|apart|afzonderlijk|één voor één)",
                         re.I)  # fmt: skip


def is_procedural(passage: Passage) -> bool:
    """True for a passage that only asks how the questions will be answered."""
    return len(passage.question_text) < 300 and bool(_PROCEDURAL.search(passage.question_text))


class LetterTooLargeError(ValueError):
    """A letter asks for more embedding than one letter may (limits.MAX_UNITS_PER_LETTER,
    MAX_CHARS_PER_LETTER); refused before anything is embedded, the message names the
    letter, the limit and its count."""


def letter_units(letter: ParsedLetter, counter: TokenCounter) -> list[list[Unit]]:
    """The units of each passage, counted against the limit before any embedding. The
    windows and the one passage and answer unit per passage are counted first, without
    tokenizing: a 33,000-sentence answer is refused in well under a second instead of
    after 12 s of cutting it into pieces. The characters the model would read are counted
    first of all (a few enormous answers make few units)."""
    doc = letter.document
    chars = sum(len(doc.title) + len(p.question_text) + len(p.answer_text)
                for p in letter.passages)  # fmt: skip
    if chars > MAX_CHARS_PER_LETTER:
        raise LetterTooLargeError(
            f"{doc.source}: {chars:,} characters of questions and answers to embed "
            f"({len(letter.passages):,} passages), more than the {MAX_CHARS_PER_LETTER:,} one "
            "letter may have; nothing was embedded (is it one answer letter? split it into "
            "letters)")  # fmt: skip
    least = sum(len(window_units(p, doc)) + 1 + bool(p.answer_text.strip())
                for p in letter.passages)  # fmt: skip
    if least > MAX_UNITS_PER_LETTER:
        raise _too_large(letter, least, "at least ")
    units = [passage_units(p, doc, counter) for p in letter.passages]
    total = sum(map(len, units))
    if total > MAX_UNITS_PER_LETTER:
        raise _too_large(letter, total)
    return units


def _too_large(letter: ParsedLetter, count: int, bound: str = "") -> LetterTooLargeError:
    return LetterTooLargeError(
        f"{letter.document.source}: {bound}{count:,} texts to embed ({len(letter.passages):,} "
        f"passages), more than the {MAX_UNITS_PER_LETTER:,} one letter may have; nothing "
        "was embedded (is it one answer letter? split it into letters)")  # fmt: skip


def letter_record(letter: ParsedLetter, embedder: Embedder, origin: str = CORPUS,
                  **fields: object) -> LetterRecord:  # fmt: skip
    """Embed and analyse one parsed letter. `fields` fill LetterRecord's other fields.
    Raises LetterTooLargeError, before embedding anything, for a letter over the limit."""
    doc = letter.document
    passages = []
    per_passage = letter_units(letter, embedder)
    for passage, units, vectors in zip(letter.passages, per_passage,
                                       embedder.units(per_passage)):  # fmt: skip
        passages.append(PassageRecord(
            passage=passage,
            stems=tokens(passage_text(passage, doc)),
            procedural=is_procedural(passage),
            articles=cited_articles(f"{passage.question_text}\n{passage.answer_text}"),
            kinds=[KINDS.index(u.kind) for u in units],
            spans=[(u.start, u.end) for u in units],
            vectors=check_vectors(vectors, embedder.dim).astype(np.float16),
        ))  # fmt: skip
    return LetterRecord(document=doc, passages=passages, origin=origin,
                        questions_numbered=list(letter.questions_numbered),
                        keys=document_keys(doc), **fields)  # type: ignore[arg-type]


def check_vectors(vectors: np.ndarray, dim: int) -> np.ndarray:
    """Vectors as stored must be finite unit vectors of the index's dimension."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[1] != dim or not np.isfinite(matrix).all():
        raise ValueError(f"the model returned vectors of shape {matrix.shape} with "
                         f"non-finite values or another dimension than {dim}")  # fmt: skip
    return matrix
