"""Retrieval evaluation: hit@1, hit@3 and MRR@10 over a JSONL question set.

Each line: {"id", "lang", "q", "rel": [[ons_kenmerk, question_number], …]}. A hit is
relevant when its letter's kenmerk and any of its question numbers match a rel pair. A
question with an empty "rel" (no letter answers it) is scored apart: right when judged
not answerable.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .documents import Hit
from .ingest.limits import MAX_EVAL_BYTES, size_text
from .ingest.text import typed_text

if TYPE_CHECKING:  # the searcher pulls in the model and the index; loading needs neither
    from .search.rank import Searcher


class EvalError(ValueError):
    """The evaluation file is missing or malformed; the message names the line."""


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL question set. Raises EvalError naming the file and line of the first
    bad line (not UTF-8, not JSON, a field of the wrong type), so `eval` prints one line."""
    if not path.is_file():
        raise EvalError(f"evaluation file {path} not found")
    try:
        size = path.stat().st_size
        if size > MAX_EVAL_BYTES:
            raise EvalError(f"{path} is {size_text(size)}, more than the "
                            f"{size_text(MAX_EVAL_BYTES)} an evaluation file may be")  # fmt: skip
        data = path.read_bytes()
    except OSError as exc:
        raise EvalError(f"{path} cannot be read ({exc.strerror or exc})") from exc
    items = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte-order mark some editors write
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start]
            raise EvalError(f"{path}:{number}: not valid UTF-8 (byte {bad:#04x} at column "
                            f"{exc.start + 1}); save the file as UTF-8") from exc  # fmt: skip
        if not line.strip():
            continue
        try:
            item = _question(json.loads(line, parse_float=_finite, parse_constant=_no_constant))
        except RecursionError as exc:
            raise EvalError(f"{path}:{number}: not a valid question line (nested too deeply)"
                            ) from exc  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalError(f"{path}:{number}: not a valid question line ({exc}); expected "
                            f"{_FORMAT}") from exc  # fmt: skip
        item.setdefault("id", str(number))
        items.append(item)
    if not items:
        raise EvalError(f"{path} holds no questions")
    return items


_FORMAT = '{"q": "question", "rel": [["kenmerk", question number], …]}'


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return value


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _question(item: object) -> dict[str, Any]:
    """Check one parsed line: "q" a non-empty string, "rel" a list of [kenmerk, number]
    pairs with a whole question number (1, or "1"); "id" and "lang" become strings."""
    if not isinstance(item, dict):
        raise TypeError(f"a line must be a JSON object, not {type(item).__name__}")
    if "q" not in item or "rel" not in item:
        raise ValueError("needs the fields q and rel")
    if not isinstance(item["q"], str) or not item["q"].strip():
        raise TypeError("q must be a non-empty string")
    # JSON may hold "\udc80" (a lone surrogate) and control characters: cleaned as typed
    # questions are, or the report could not be printed
    item = {key: typed_text(value) if isinstance(value, str) else value
            for key, value in item.items()}  # fmt: skip
    if not item["q"].replace("\ufffd", " ").strip():
        raise TypeError("q must be a non-empty string (it holds no characters but unreadable "
                        "ones)")  # fmt: skip
    if not isinstance(item["rel"], list):
        raise TypeError("rel must be a list of [kenmerk, question number] pairs")
    rel = []
    for pair in item["rel"]:
        if not isinstance(pair, list) or len(pair) != 2:
            raise TypeError(f"rel holds {json.dumps(pair)[:40]}, not a [kenmerk, number] pair")
        kenmerk, number = pair
        if isinstance(kenmerk, bool) or not isinstance(kenmerk, (str, int)) or not str(kenmerk):
            raise TypeError(f"kenmerk {json.dumps(kenmerk)[:40]} must be a string")
        rel.append((typed_text(str(kenmerk)), _question_number(number)))
    item = dict(item, rel=rel, lang=str(item.get("lang", "?")))
    if "id" in item:
        item["id"] = str(item["id"])
    return item


def _question_number(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10_000:
        raise ValueError(f"question number {json.dumps(value)[:40]} must be a whole number "
                         "from 1 to 9999")  # fmt: skip
    return value


def is_relevant(hit: Hit, rel: list[tuple[str, int]]) -> bool:
    keys = {hit.document.ons_kenmerk, hit.document.uw_kenmerk, hit.document.aanhangsel}
    return any(kenmerk in keys and number in hit.passage.questions for kenmerk, number in rel)


def _scores(items: list[dict[str, Any]]) -> dict[str, Any]:
    """hit@1, hit@3 and MRR@10 over the questions a letter answers (a non-empty "rel"),
    None when there is none; and how many of the others were judged not answerable."""
    ranked = [p["rank"] for p in items if p["relevant"]]
    n = len(ranked)
    off = [p for p in items if not p["relevant"]]

    def share(value: float) -> float | None:
        return round(value / n, 4) if n else None

    return {
        "n": len(items),
        "n_ranked": n,  # the questions hit@k and MRR are computed over
        "hit@1": share(sum(1 for r in ranked if r == 1)),
        "hit@3": share(sum(1 for r in ranked if r and r <= 3)),
        "mrr@10": share(sum(1 / r for r in ranked if r and r <= 10)),
        "unanswerable": {"n": len(off), "correct": sum(1 for p in off if not p["answerable"])},
    }


def evaluate(searcher: Searcher, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Run every question; return overall and per-language scores and per-question ranks.

    A question with an empty "rel" has no relevant letter: it is right when the search
    judges it not answerable, and it is left out of hit@k and MRR (which it could only
    lower: an off-topic set scored hit@1 0.000 with every answer right).
    """
    per_question = []
    not_answerable = 0
    for item in questions:
        result = searcher.search(item["q"], k=10)
        not_answerable += not result.answerable
        rank = next((h.rank for h in result.hits if is_relevant(h, item["rel"])), None)
        per_question.append({"id": item["id"], "lang": item["lang"], "rank": rank,
                             "answerable": result.answerable,
                             "relevant": bool(item["rel"])})  # fmt: skip
    report: dict[str, Any] = _scores(per_question)
    report["by_lang"] = {
        lang: _scores([p for p in per_question if p["lang"] == lang])
        for lang in sorted({p["lang"] for p in per_question})
    }
    report["not_answerable"] = not_answerable  # judged not answerable, of all n
    report["per_question"] = per_question
    return report


def report_text(report: dict[str, Any]) -> str:
    """The table of scores over the questions a letter answers, then the questions no
    letter answers (right when judged not answerable), then what went wrong."""
    rows = [("all", report)] + list(report["by_lang"].items())
    lines = []
    if report["n_ranked"]:
        lines.append(f"{'set':<6}{'n':>5}{'hit@1':>8}{'hit@3':>8}{'mrr@10':>8}")
        for name, s in rows:
            if s["n_ranked"]:
                lines.append(f"{name:<6}{s['n_ranked']:>5}{s['hit@1']:>8.3f}{s['hit@3']:>8.3f}"
                             f"{s['mrr@10']:>8.3f}")  # fmt: skip
        lines.append(f"(hit@k and MRR over the {report['n_ranked']} questions with a relevant "
                     'letter in "rel")')  # fmt: skip
    else:
        lines.append('hit@k and MRR: not computed, no question has a relevant letter in "rel"')
    off = report["unanswerable"]
    if off["n"]:
        lines.append(f"not answerable (empty \"rel\"): {off['correct']}/{off['n']} correct "
                     "(judged not answerable)")  # fmt: skip
    lines.append(f"marked not answerable: {report['not_answerable']} of {report['n']}")
    per = report["per_question"]
    missed = [p for p in per if p["relevant"] and p["rank"] != 1]
    if missed:
        lines.append("not at rank 1: " + ", ".join(f"{p['id']}→{p['rank']}" for p in missed))
    wrong = [p["id"] for p in per if not p["relevant"] and p["answerable"]]
    if wrong:
        lines.append("judged answerable, though no letter answers them: " + ", ".join(wrong))
    return "\n".join(lines)
