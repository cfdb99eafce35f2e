"""The lexical signal scores exactly as bm25s's lucene BM25 did over the whole corpus."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest
import Stemmer

from assistant.store.lexical import LexStats, Postings, bm25, rare_terms, term_frequencies, tokens

DOCS = ["De minister wil Telegram niet verbieden in Nederland.",
        "Telegram en Telegram: de app wordt niet verboden, zegt de minister.",
        "Fietsen worden gestolen bij stations; artikel 125p Sv geldt niet.", ""]  # fmt: skip
QUESTIONS = ["Kan Telegram in Nederland verboden worden? Telegram",
             "artikel 125p Sv", "fietsen gestolen", "niets hiervan"]  # fmt: skip


@pytest.mark.parametrize("question", QUESTIONS)
def test_bm25_equals_bm25s(question: str) -> None:
    found = [tokens(d) for d in DOCS]
    stems = [" ".join(t) for t in found]
    terms = tokens(question)
    reference = bm25s.BM25()
    reference.index(bm25s.tokenize(DOCS, stopwords="nl", stemmer=Stemmer.Stemmer("dutch"),
                                   return_ids=False, show_progress=False), show_progress=False)
    known = [t for t in terms if t in reference.vocab_dict]
    expected = reference.get_scores(known) if known else np.zeros(len(DOCS))
    stats = LexStats(len(DOCS), sum(map(len, found)) / len(DOCS),
                     {t: sum(t in f for f in found) for t in set(terms)})  # fmt: skip
    lengths = np.array([len(f) for f in found])
    for tf in (term_frequencies(stems, terms), Postings(stems).frequencies(terms)):
        np.testing.assert_allclose(bm25(terms, tf, lengths, stats), expected, rtol=1e-5)


def test_candidate_terms_leave_out_the_commonest() -> None:
    stats = LexStats(100, 50.0, {"minister": 90, "telegram": 4, "verbod": 30, "app": 8})
    assert rare_terms(["minister", "telegram", "verbod", "app", "onbekend"], stats, 0.05) == [
        "telegram", "app"]  # the two rarest always; others only under 5% of passages
    assert rare_terms(["minister", "telegram"], LexStats(100, 50.0, {"minister": 90,
                      "telegram": 4}), 0.05) == ["telegram", "minister"]  # fmt: skip
    # a postings budget keeps the rarest, then adds terms while the sum stays within it
    assert rare_terms(["minister", "telegram", "verbod", "app"], stats, 0.5, budget=45) == [
        "telegram", "app", "verbod"]
    assert rare_terms(["minister", "telegram"], LexStats(100, 50.0, {"minister": 90,
                      "telegram": 40}), 0.05, budget=10) == ["telegram"]  # fmt: skip


def test_tokens_are_bm25s_tokens_on_every_letter() -> None:
    """tokens() stands in for bm25s.tokenize (lighter to import); on every bundled and real
    letter, line by line, both give the same stemmed tokens."""
    from tests.conftest import CORPUS, CORPUS_REAL

    lines = [line for folder in (CORPUS, CORPUS_REAL) for path in sorted(folder.glob("*.txt"))
             for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    lines += ["", "  ", "Één café – naïeve coördinatie, artikel 125p Sv!", "a b c 12 x1"]
    assert len(lines) > 3000
    expected = bm25s.tokenize(lines, stopwords="nl", stemmer=Stemmer.Stemmer("dutch"),
                              return_ids=False, show_progress=False)  # fmt: skip
    assert [tokens(line) for line in lines] == [[t for t in found if t] for found in expected]
