"""Exact look-ups: references to letters, questions and law articles rank first."""

from __future__ import annotations

import pytest

from assistant.documents import Document
from assistant.ingest.references import cited_articles, document_keys
from assistant.search import Filters, Searcher
from assistant.search.lookup import parse_reference

DOC_A = Document("a1", "Exposegroepen", "a.txt", ons_kenmerk="5236577", uw_kenmerk="2024Z02257")
DOC_B = Document("b1", "Iets", "b.txt", aanhangsel="ah-tk-20242025-594")
KEYS = {key: [doc.doc_id] for doc in (DOC_A, DOC_B) for key in document_keys(doc)}


def test_parse_reference_letter_and_question_in_either_order() -> None:
    for query in ("vraag 13 van 5236577", "5236577 vraag 13", "Question 13 of 5236577"):
        ref = parse_reference(query, KEYS)
        assert ref.doc_ids == ["a1"] and ref.questions == [13], query


def test_parse_reference_zaak_aanhangsel_and_short_aanhangsel() -> None:
    assert parse_reference("2024z02257", KEYS).doc_ids == ["a1"]
    assert parse_reference("ah-tk-20242025-594", KEYS).doc_ids == ["b1"]
    assert parse_reference("AH 594", KEYS).doc_ids == ["b1"]
    assert not parse_reference("In 2024 waren er 21 incidenten", KEYS)


def test_parse_reference_articles_normalised() -> None:
    for query in ("artikel 125p Sv", "art. 125p Sv", "Art 125P sv", "artikel 125p van het "
                  "Wetboek van Strafvordering"):  # fmt: skip
        assert parse_reference(query, {}).articles == [("125p", "sv")], query
    assert parse_reference("article 16 of the DSA", {}).articles == [("16", "dsa")]
    assert parse_reference("vragen 12 en 13", {}).questions == [12, 13]


def test_cited_articles_in_letter_styles() -> None:
    text = ("strafbare doxing (artikel 285d Sr), (artikel 139h, tweede lid, onder b, Sr), "
            "te achterhalen (artikel 126naSv). Bevelen die op grond van 125p Sv direct aan "
            "hen zijn gericht; artikel 22 (over meldingen) en artikel 58 DSA.")  # fmt: skip
    found = cited_articles(text)
    assert {("285d", "sr"), ("139h", "sr"), ("126na", "sv"), ("125p", "sv"),
            ("58", "dsa"), ("22", None)} <= found  # fmt: skip
    assert ("285", "sr") not in found  # 285d is not article 285


@pytest.mark.parametrize("query, expected", [
    ("vraag 13 van 5236577", {"5236577-q13"}),
    ("5236577 vraag 13", {"5236577-q13"}),
    ("vraag 13 van 5209583", {"5209583-q12+13"}),  # a combined answer answers 13 too
    ("artikel 125p Sv", {"5236577-q3", "5236577-q12", "5209583-q11", "5209583-q12+13",
                         "5209583-q14"}),
    ("art. 285d Sr", {"5236577-q2", "5236577-q6"}),
    ("artikel 285d sr", {"5236577-q2", "5236577-q6"}),
    ("antwoord op vraag 4", {"5236577-q4", "5209583-q4"}),
])  # fmt: skip
def test_lookup_ranks_named_passages_first(searcher: Searcher, query: str,
                                           expected: set[str]) -> None:  # fmt: skip
    hits = searcher.search(query, k=len(expected) + 2).hits
    top = [h.passage.passage_id for h in hits[:len(expected)]]
    assert set(top) == expected
    assert all(h.how == "lookup" for h in hits[:len(expected)])
    assert all(h.how == "semantic" for h in hits[len(expected):])


def test_lookup_of_a_letter_lists_its_passages_in_order(searcher: Searcher) -> None:
    result = searcher.search("2024Z02257", k=20)
    ids = [h.passage.passage_id for h in result.hits if h.how == "lookup"]
    assert ids == [f"5236577-q{n}" for n in range(1, 18)]
    assert result.answerable


def test_lookup_respects_filters(searcher: Searcher) -> None:
    other = searcher.store.find_documents("5209583")[0].document.doc_id
    hits = searcher.search("artikel 125p Sv", k=3, filters=Filters(doc_ids=[other])).hits
    assert hits[0].passage.passage_id in {"5209583-q11", "5209583-q12+13", "5209583-q14"}
    assert all(h.document.doc_id == other for h in hits)


def test_a_missing_question_of_a_named_letter_is_said(searcher: Searcher) -> None:
    result = searcher.search("vraag 99 van 5236577", k=3)
    assert result.missing == "the letter has no question 99 (it answers questions 1–17)"
    assert all(h.how == "semantic" for h in result.hits)
    assert searcher.search("vraag 13 van 5236577", k=1).missing is None


def test_lookup_by_aanhangsel_among_all_letters(full_searcher: Searcher) -> None:
    docs = full_searcher.store.find_documents("ah-tk-20242025-594")
    assert len(docs) == 1 and docs[0].passages > 0
    passages = full_searcher.store.letter(docs[0].document.doc_id)
    hits = full_searcher.search("ah-tk-20242025-594", k=len(passages)).hits
    assert [h.passage.passage_id for h in hits] == [p.passage_id for p in passages]
    hits = full_searcher.search("vraag 13 van 5236577", k=1).hits
    assert hits[0].passage.passage_id == "5236577-q13"
