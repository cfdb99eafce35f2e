"""The lexical signal: Dutch-stemmed tokens and BM25 over them.

A passage's subject, question and answer become Snowball-stemmed tokens (stop words
removed) when it is written; the store keeps them (SQLite FTS5 / PostgreSQL text search)
to find candidates, and `bm25` scores candidates exactly as bm25s's "lucene" variant did
over the whole corpus: idf = ln(1 + (N − df + ½) / (df + ½)), tf part
tf / (tf + k1·(1 − b + b·len/avglen)), k1 = 1.5, b = 0.75. Strong for Dutch questions and
exact terms (names, laws); weak for English questions against Dutch text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import bm25s
import Stemmer

from ..documents import Document, Passage

K1 = 1.5
B = 0.75
_STEMMER = Stemmer.Stemmer("dutch")


def tokens(text: str) -> list[str]:
    """Stemmed tokens of text (lower case, Dutch stop words removed)."""
    found = bm25s.tokenize([text], stopwords="nl", stemmer=_STEMMER, return_ids=False,
                           show_progress=False)[0]  # fmt: skip
    return [t for t in found if t]


def passage_text(passage: Passage, document: Document) -> str:
    """What the lexical signal reads of a passage: the letter's subject, question, answer."""
    return f"{document.title}\n{passage.question_text}\n{passage.answer_text}"


@dataclass
class LexStats:
    """Corpus statistics BM25 needs: passages, mean tokens per passage, df per query term."""

    passages: int
    avg_tokens: float
    df: dict[str, int]

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        if not df:
            return 0.0
        return math.log(1 + (self.passages - df + 0.5) / (df + 0.5))


def query_terms(question: str) -> list[str]:
    """The question's stemmed terms, in order (a repeated term counts again, as in bm25s)."""
    return tokens(question)


def bm25(terms: Sequence[str], counts: Mapping[str, int], n_tokens: int,
         stats: LexStats) -> float:  # fmt: skip
    """BM25 of one passage, from its token counts and length in tokens."""
    if not n_tokens or stats.avg_tokens <= 0:
        return 0.0
    norm = K1 * ((1 - B) + B * n_tokens / stats.avg_tokens)
    score = 0.0
    for term in terms:
        tf = counts.get(term, 0)
        if tf:
            score += stats.idf(term) * tf / (norm + tf)
    return score


def rare_terms(terms: Sequence[str], stats: LexStats, max_share: float) -> list[str]:
    """Distinct known terms found in at most max_share of passages (the two rarest always).

    Candidate queries use only these: a term in most passages adds almost nothing to BM25
    (idf → 0) but would make the engine score most of the corpus.
    """
    known = sorted({t for t in terms if stats.df.get(t)}, key=lambda t: stats.df[t])
    cap = max_share * stats.passages
    return [t for i, t in enumerate(known) if i < 2 or stats.df[t] <= cap]
