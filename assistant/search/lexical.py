"""Lexical scores: BM25 over passages with a Dutch stemmer (bm25s + PyStemmer).

Built once per set of passages (a few ms for hundreds of passages); a query scores in
well under a millisecond. Strong for Dutch questions and for exact terms (names, laws),
weak for English questions against Dutch text; the searcher weighs it accordingly.
"""

from __future__ import annotations

import bm25s
import numpy as np
import Stemmer

from ..documents import Document, Passage

_STEMMER = Stemmer.Stemmer("dutch")


def _tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="nl", stemmer=_STEMMER, return_ids=False,
                          show_progress=False)  # fmt: skip


class Lexical:
    """BM25 over the subject, question and answer of each passage."""

    def __init__(self, passages: list[Passage], documents: dict[str, Document]) -> None:
        self.size = len(passages)
        texts = [f"{documents[p.doc_id].title}\n{p.question_text}\n{p.answer_text}"
                 for p in passages]  # fmt: skip
        self._bm25 = bm25s.BM25()
        if texts:
            self._bm25.index(_tokens(texts), show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """One BM25 score per passage (0 when no query term occurs)."""
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        terms = [t for t in _tokens([query])[0] if t in self._bm25.vocab_dict]
        if not terms:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
