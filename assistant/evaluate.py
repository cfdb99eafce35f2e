"""Retrieval evaluation: hit@1, hit@3 and MRR@10 over a JSONL question set.

Each line: {"id", "lang", "q", "rel": [[ons_kenmerk, question_number], …]}. A hit is
relevant when its letter's kenmerk and any of its question numbers match a rel pair.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .documents import Hit
from .search.rank import Searcher


class EvalError(ValueError):
    """The evaluation file is missing or malformed; the message names the line."""


def load_questions(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise EvalError(f"evaluation file {path} not found")
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            item["q"], item["rel"] = str(item["q"]), [(str(a), int(b)) for a, b in item["rel"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalError(f"{path}:{number}: not a valid question line ({exc})") from exc
        item.setdefault("id", str(number))
        item.setdefault("lang", "?")
        items.append(item)
    if not items:
        raise EvalError(f"{path} holds no questions")
    return items


def is_relevant(hit: Hit, rel: list[tuple[str, int]]) -> bool:
    keys = {hit.document.ons_kenmerk, hit.document.uw_kenmerk, hit.document.aanhangsel}
    return any(kenmerk in keys and number in hit.passage.questions for kenmerk, number in rel)


def _scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "n": len(ranks),
        "hit@1": round(sum(1 for r in ranks if r == 1) / n, 4),
        "hit@3": round(sum(1 for r in ranks if r and r <= 3) / n, 4),
        "mrr@10": round(sum(1 / r for r in ranks if r and r <= 10) / n, 4),
    }


def evaluate(searcher: Searcher, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Run every question; return overall and per-language scores and per-question ranks."""
    per_question = []
    not_answerable = 0
    for item in questions:
        result = searcher.search(item["q"], k=10)
        not_answerable += not result.answerable
        rank = next((h.rank for h in result.hits if is_relevant(h, item["rel"])), None)
        per_question.append({"id": item["id"], "lang": item["lang"], "rank": rank,
                             "answerable": result.answerable})  # fmt: skip
    report: dict[str, Any] = _scores([p["rank"] for p in per_question])
    report["by_lang"] = {
        lang: _scores([p["rank"] for p in per_question if p["lang"] == lang])
        for lang in sorted({p["lang"] for p in per_question})
    }
    report["not_answerable"] = not_answerable
    report["per_question"] = per_question
    return report


def report_text(report: dict[str, Any]) -> str:
    rows = [("all", report)] + list(report["by_lang"].items())
    lines = [f"{'set':<6}{'n':>5}{'hit@1':>8}{'hit@3':>8}{'mrr@10':>8}"]
    for name, s in rows:
        lines.append(f"{name:<6}{s['n']:>5}{s['hit@1']:>8.3f}{s['hit@3']:>8.3f}{s['mrr@10']:>8.3f}")
    lines.append(f"marked not answerable: {report['not_answerable']}")
    missed = [p for p in report["per_question"] if p["rank"] != 1]
    if missed:
        lines.append("not at rank 1: " + ", ".join(f"{p['id']}→{p['rank']}" for p in missed))
    return "\n".join(lines)
