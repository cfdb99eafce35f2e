"""Ranking quality on the development questions, guarded so regressions fail CI.

Numbers (see benchmarks/eval_table.py): the fused ranking is measured on
../shared/eval/dev.jsonl and on benchmarks/questions/seeds_extra.jsonl, with the seed
letters alone and among all of ../shared/corpus-real.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import DEV_EVAL, ROOT, run_cli

from assistant.cite import result_text
from assistant.evaluate import evaluate, load_questions
from assistant.search import Filters, Searcher, is_procedural
from assistant.search.cues import asks_since, names_start

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


# -- issue #17 item 3: "since when" asks for a start -------------------------------------
SINCE_DOXING = ("Since when is doxing a criminal offence?", "Sinds wanneer is doxing strafbaar?")


@pytest.mark.parametrize("question", SINCE_DOXING)
def test_since_when_puts_the_answer_naming_the_start_first(searcher: Searcher,
                                                           question: str) -> None:  # fmt: skip
    """Vraag 5 ("In januari 2024 zijn 21 incidenten …") came first: its question restates
    the start date and its answer opens with a month. Vraag 2's answer names the start
    ("sinds 1 januari 2024 … strafbare doxing"); vraag 6 defines the offence."""
    ids = [h.passage.passage_id for h in searcher.search(question, k=5).hits]
    assert ids[0] in ("5236577-q2", "5236577-q6"), ids
    assert ids.index("5236577-q2") < ids.index("5236577-q5"), ids


def test_since_when_example_in_the_cli(seed_index_dir: Any) -> None:
    out = run_cli("ask", "--index", str(seed_index_dir), "-k", "3", SINCE_DOXING[0])
    assert out.returncode == 0, out.stderr
    first = next(line for line in out.stdout.splitlines() if line.startswith("[1] "))
    assert "antwoord op vraag 2," in first or "antwoord op vraag 6," in first, out.stdout


def test_since_cue_reads_the_answer_not_a_date_alone() -> None:
    assert asks_since("Since when is doxing a criminal offence?")
    assert asks_since("Sinds wanneer loopt het gebiedsproces rond de gasopslag Norg?")
    assert asks_since("When does DORA take effect for the financial sector?")
    assert not asks_since("When did the Council of State advise on the DSA bill?")
    assert not asks_since("How many doxing incidents were reported in January 2024?")
    assert names_start("… en sinds 1 januari 2024 ook aan het gebruik van persoonsgegevens")
    assert names_start("Al in november 2021 is door de toenmalige Minister aangekondigd")
    assert names_start("Met ingang van 17 januari 2025 zal ook DORA van kracht worden")
    assert not names_start("In januari 2024 zijn 21 incidenten rond doxing gemeld.")
    assert not names_start("Per maand komen er 36,9 verschillende medewerkers.")


# -- issue #17 item 7: the score shown is the one the hits are ranked by ------------------
def _shown_scores(text: str) -> list[float]:
    return [float(m) for m in re.findall(r"^\[\d+\] .*\(relevance (\d\.\d+)\)$", text, re.M)]


def test_cli_relevance_falls_with_rank(seed_index_dir: Any) -> None:
    """The CLI printed each hit's cosine while ranking by the fused score: "[4] … 0.870"
    above "[5] … 0.894" for the Telegram question."""
    question = "Kan Telegram in Nederland verboden worden?"
    out = run_cli("ask", "--index", str(seed_index_dir), "-k", "8", question)
    assert out.returncode == 0, out.stderr
    scores = _shown_scores(out.stdout)
    assert len(scores) == 8 and scores == sorted(scores, reverse=True), out.stdout
    data = json.loads(run_cli("ask", "--index", str(seed_index_dir), "-k", "8", "--json",
                              question).stdout)  # fmt: skip
    json_scores = [h["score"] for h in data["hits"]]
    assert json_scores == sorted(json_scores, reverse=True)


def test_exact_references_first_and_marked_then_by_relevance(searcher: Searcher) -> None:
    result = searcher.search("artikel 285d Sr", k=6)
    exact = [h for h in result.hits if h.how == "lookup"]
    assert exact and result.hits[: len(exact)] == exact  # exact references come first
    text = result_text(result)
    assert "Passages your reference names come first (exact reference), then the others by " \
           "relevance." in text  # fmt: skip
    assert len(re.findall(r"^\[\d+\] .*\(exact reference\)$", text, re.M)) == len(exact)
    rest = _shown_scores(text)
    assert len(rest) == len(result.hits) - len(exact) and rest == sorted(rest, reverse=True)
