"""'Not in these documents': off-topic questions are marked, answerable ones are not."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import DEV_EVAL, ROOT, run_cli

from assistant.evaluate import load_questions
from assistant.search import Searcher

QUESTIONS = ROOT / "benchmarks" / "questions"


def _not_answerable_rate(searcher: Searcher, path: Path) -> float:
    items = load_questions(path)
    return sum(not searcher.search(it["q"], k=3).answerable for it in items) / len(items)


def test_sourdough_is_not_answered_but_related_passages_are_offered(searcher: Searcher) -> None:
    result = searcher.search("How do I bake sourdough bread?", k=3)
    assert result.answerable is False
    assert len(result.hits) == 3  # still offered, as "possibly related"


def test_questions_the_letters_answer_are_answerable(searcher: Searcher) -> None:
    for question in ("Kan Telegram in Nederland verboden worden?",
                     "Which German law was used to fine Telegram?"):  # fmt: skip
        assert searcher.search(question).answerable, question


def test_off_topic_marked_and_dev_not_on_seed_index(searcher: Searcher) -> None:
    assert _not_answerable_rate(searcher, QUESTIONS / "off_topic.jsonl") >= 0.9
    assert _not_answerable_rate(searcher, QUESTIONS / "off_topic_holdout.jsonl") >= 0.9
    assert _not_answerable_rate(searcher, QUESTIONS / "off_topic_holdout2.jsonl") >= 0.9
    assert _not_answerable_rate(searcher, DEV_EVAL) <= 0.03
    assert _not_answerable_rate(searcher, QUESTIONS / "seeds_extra.jsonl") <= 0.03


def test_off_topic_marked_and_dev_not_among_all_letters(full_searcher: Searcher) -> None:
    assert _not_answerable_rate(full_searcher, QUESTIONS / "off_topic.jsonl") >= 0.9
    assert _not_answerable_rate(full_searcher, QUESTIONS / "off_topic_holdout2.jsonl") >= 0.9
    assert _not_answerable_rate(full_searcher, DEV_EVAL) <= 0.03
    assert _not_answerable_rate(full_searcher, QUESTIONS / "seeds_extra.jsonl") <= 0.03


def test_cli_reports_answerable_and_not_answerable_count(seed_index_dir: Path,
                                                         tmp_path: Path) -> None:  # fmt: skip
    out = run_cli("ask", "--index", str(seed_index_dir), "--json", "-k", "2",
                  "How do I bake sourdough bread?")  # fmt: skip
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["answerable"] is False and len(payload["hits"]) == 2
    text = run_cli("ask", "--index", str(seed_index_dir), "How do I bake sourdough bread?")
    assert "Not answered in these documents" in text.stdout
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(
        '{"id": "a", "lang": "en", "q": "How do I bake sourdough bread?", "rel": []}\n'
        '{"id": "b", "lang": "nl", "q": "Kan Telegram verboden worden?", '
        '"rel": [["5236577", "13"]]}\n', encoding="utf-8")  # fmt: skip
    out = run_cli("eval", str(mixed), "--index", str(seed_index_dir), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["not_answerable"] == 1
