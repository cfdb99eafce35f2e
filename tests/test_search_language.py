"""The question's language decides how much the Dutch lexical score counts."""

from __future__ import annotations

import json

from conftest import DEV_EVAL, ROOT

from assistant.search.language import detect_language


def test_detects_the_language_of_labelled_questions() -> None:
    files = [DEV_EVAL, *sorted((ROOT / "benchmarks" / "questions").glob("*.jsonl"))]
    items = [json.loads(line) for f in files if f.is_file()
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]  # fmt: skip
    items = [it for it in items if "q" in it and "lang" in it]  # question sets, not dialogues
    wrong = [it["q"] for it in items if detect_language(it["q"]) != it["lang"]]
    assert len(items) > 150
    assert len(wrong) <= 0.02 * len(items), wrong


def test_short_and_mixed_questions() -> None:
    assert detect_language("Wordt Telegram verboden?") == "nl"
    assert detect_language("Is Telegram banned?") == "en"
    assert detect_language("artikel 285d Sr") == "nl"
    assert detect_language("Is de Uitvoeringswet Digitaledienstenverordening al ingediend?") == "nl"
    assert detect_language("Telegram", default="en") == "en"  # no evidence: the default
