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
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import Stemmer

from ..documents import Document, Passage

K1 = 1.5
B = 0.75
_STEMMER = Stemmer.Stemmer("dutch")
_WORD = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's (and bm25s's) token pattern
# bm25s's Dutch stop words (NLTK's list), here so a search need not import bm25s (0.2 s)
_STOP_LIST = """
aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus
een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand
iets ik in is ja je kan kon kunnen maar me meer men met mij mijn moet na naar niet niets
nog nu of om omdat onder ons ook op over reeds te tegen toch toen tot u uit uw van veel
voor want waren was wat werd wezen wie wil worden wordt zal ze zelf zich zij zijn zo
zonder zou"""
STOPWORDS = frozenset(_STOP_LIST.split())


def tokens(text: str) -> list[str]:
    """Stemmed tokens of text (lower case, Dutch stop words removed), as bm25s.tokenize
    gives them (tests/test_lexical.py compares the two on the real letters)."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return [t for t in _STEMMER.stemWords(words) if t]


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


def term_frequencies(stems: Sequence[str], terms: Sequence[str]) -> dict[str, np.ndarray]:
    """How often each query term occurs in each passage's token string (one regex scan
    a passage, not a full count of its tokens)."""
    distinct = sorted(set(terms))
    tf = {t: np.zeros(len(stems), dtype=np.float32) for t in distinct}
    if not distinct:
        return tf
    pattern = re.compile(r"(?<!\S)(" + "|".join(map(re.escape, distinct)) + r")(?!\S)")
    for i, text in enumerate(stems):
        for term in pattern.findall(text):
            tf[term][i] += 1
    return tf


class Postings:
    """Term → (passage rows, counts) over a fixed set of passages (the pool sample), built
    once so each question's BM25 over them is a few array operations."""

    def __init__(self, stems: Sequence[str]) -> None:
        self.size = len(stems)
        rows: dict[str, list[int]] = {}
        counts: dict[str, list[int]] = {}
        for i, text in enumerate(stems):
            for term, count in Counter(text.split()).items():
                rows.setdefault(term, []).append(i)
                counts.setdefault(term, []).append(count)
        self._postings = {t: (np.array(rows[t]), np.array(counts[t], dtype=np.float32))
                          for t in rows}  # fmt: skip

    def frequencies(self, terms: Sequence[str]) -> dict[str, np.ndarray]:
        tf = {}
        for term in set(terms):
            dense = np.zeros(self.size, dtype=np.float32)
            if term in self._postings:
                at, count = self._postings[term]
                dense[at] = count
            tf[term] = dense
        return tf


def bm25(terms: Sequence[str], tf: Mapping[str, np.ndarray], n_tokens: np.ndarray,
         stats: LexStats) -> np.ndarray:  # fmt: skip
    """BM25 per passage from the query terms' frequencies and the passages' lengths; a term
    repeated in the question counts again (as in bm25s)."""
    lengths = np.asarray(n_tokens, dtype=np.float32)
    score = np.zeros(len(lengths), dtype=np.float32)
    if stats.avg_tokens <= 0 or not len(lengths):
        return score
    norm = K1 * ((1 - B) + B * lengths / stats.avg_tokens)
    for term in terms:
        freq = tf.get(term)
        idf = stats.idf(term)
        if freq is not None and idf:
            score += idf * freq / (norm + freq)
    return np.where(lengths > 0, score, 0.0).astype(np.float32)


def rare_terms(terms: Sequence[str], stats: LexStats, max_share: float,
               budget: int | None = None) -> list[str]:  # fmt: skip
    """Distinct known terms found in at most max_share of passages (the two rarest always),
    rarest first, while their postings add up to at most budget (the rarest always).

    Candidate queries use only these: a term in most passages adds almost nothing to BM25
    (idf → 0) but would make the engine score most of the corpus. The budget bounds that
    work in a large archive (the engine scores ~1 µs a posting); in an index of some ten
    thousand passages it never binds.
    """
    known = sorted({t for t in terms if stats.df.get(t)}, key=lambda t: stats.df[t])
    cap = max_share * stats.passages
    chosen: list[str] = []
    postings = 0
    for i, t in enumerate(known):
        postings += stats.df[t]
        if chosen and budget is not None and postings > budget:
            break
        if i < 2 or stats.df[t] <= cap:
            chosen.append(t)
    return chosen
