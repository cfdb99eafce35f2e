"""Ranking quality on the development questions, guarded so regressions fail CI.

Numbers (see benchmarks/eval_table.py): the fused ranking is measured on
../shared/eval/dev.jsonl and on benchmarks/questions/seeds_extra.jsonl, with the seed
letters alone and among all of ../shared/corpus-real.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import DEV_EVAL, ROOT

from assistant.evaluate import evaluate, load_questions
from assistant.search import Filters, Searcher, is_procedural

EXTRA = ROOT / "benchmarks" / "questions" / "seeds_extra.jsonl"
# Floors: what the ranking reaches now, a little below, so a regression fails.
# (The goal, hit@1 >= .92 in each language, is not reached yet for English.)
FLOORS = {"hit@1": 0.83, "hit@3": 0.94}
LANG_FLOORS = {"hit@1": 0.75, "hit@3": 0.9}


def _check(report: dict[str, Any]) -> None:
    for metric, floor in FLOORS.items():
        assert report[metric] >= floor, (metric, report[metric], report["per_question"])
    for lang, scores in report["by_lang"].items():
        for metric, floor in LANG_FLOORS.items():
            assert scores[metric] >= floor, (lang, metric, scores[metric])


@pytest.mark.parametrize("path", [DEV_EVAL, EXTRA], ids=["dev", "extra"])
def test_ranking_on_seed_index(searcher: Searcher, path: Any) -> None:
    _check(evaluate(searcher, load_questions(path)))


@pytest.mark.parametrize("path", [DEV_EVAL, EXTRA], ids=["dev", "extra"])
def test_ranking_among_all_letters(full_searcher: Searcher, path: Any) -> None:
    _check(evaluate(full_searcher, load_questions(path)))


def test_filters_and_k_still_apply(searcher: Searcher) -> None:
    other = searcher.store.find_documents("5209583")[0].document.doc_id
    result = searcher.search("Kan Telegram verboden worden?", k=4, filters=Filters([other]))
    assert len(result.hits) == 4
    assert all(h.document.doc_id == other for h in result.hits)
    assert [h.rank for h in result.hits] == [1, 2, 3, 4]
    none = searcher.search("Telegram", k=3, filters=Filters(date_from="2030-01-01"))
    assert none.hits == []


def test_dutch_and_english_question_find_the_same_passage(searcher: Searcher) -> None:
    nl = searcher.search("Hoe hoog waren de Duitse boetes voor Telegram?", k=1).hits[0]
    en = searcher.search("How large were the fines Germany imposed on Telegram?", k=1).hits[0]
    assert nl.passage.passage_id == en.passage.passage_id == "5209583-q17"


def test_the_closing_how_to_answer_question_gives_way_to_content(searcher: Searcher) -> None:
    # Seed A's q17 "Kunt u deze vragen apart van elkaar beantwoorden?" — "Ja." — topped
    # one-word queries: short, and all of it the letter's subject.
    passages = [p for row in searcher.store.documents() for p in
                searcher.store.letter(row.document.doc_id)]  # fmt: skip
    flagged = [p.passage_id for p in passages if is_procedural(p)]
    assert flagged == ["5236577-q17"]
    top = searcher.search("doxing", k=3).hits
    assert top[0].passage.passage_id != "5236577-q17"
    assert "doxing" in (top[0].passage.question_text + top[0].passage.answer_text).lower()
    # Asked about the answering itself, it is still found first.
    asked = searcher.search("Worden de vragen apart van elkaar beantwoord?", k=1).hits
    assert asked[0].passage.passage_id == "5236577-q17"
