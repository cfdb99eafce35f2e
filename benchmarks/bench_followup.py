"""Follow-up quality: does each turn of a conversation find its passage?

    .venv/bin/python benchmarks/bench_followup.py --index /tmp/ix-seeds --index /tmp/ix-full

benchmarks/questions/conversations.jsonl holds two- and three-turn conversations (English
and Dutch); each turn has its question, the passages that answer it ("rel", as in
../shared/eval/README.md) and "follow_up": whether it leans on the thread (false for a
change of topic, which must not be merged). c30–c44 (issue #17) change the topic with a
question that names its own subject, most of them short ("Sinds wanneer is doxing
strafbaar?" after a mistyped Telegram question, "How many exposegroepen are there?" after
"artikel 285d Sr", "What is doxing?", "Is de Nutri-Score misleidend?"). Every turn after
the first is scored, when its passages are in the index, with the chat's own top 5:
  - before: the chat before issue #12 (a follow-up is glued to the thread's first
    question; four words or fewer always count as a follow-up);
  - after: assistant.search.followup.search_turn, which the chat and `ask --after` use.
"merged right" is the share of turns whose merge decision matches "follow_up".
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluate import is_relevant  # noqa: E402
from assistant.search import Filters, Result, Searcher  # noqa: E402
from assistant.search.followup import search_turn  # noqa: E402
from assistant.store import open_store  # noqa: E402
from assistant.store.embed import Embedder  # noqa: E402

CONVERSATIONS = ROOT / "benchmarks" / "questions" / "conversations.jsonl"
K = 5  # hits the chat shows

# The follow-up rule of the chat before issue #12, kept to compare against.
_STARTERS = ("and ", "en ", "but ", "maar ", "also ", "ook ", "what about", "how about",
             "idem", "same ", "hetzelfde")  # fmt: skip
_REFERRING = {
    "daarover", "hierover", "erover", "daarvan", "hiervan", "ervan", "daarop", "hierop", "erop",
    "daarmee", "hiermee", "ermee", "daarbij", "hierbij", "erbij", "daarin", "hierin", "hij",
    "zij", "that", "this", "those", "them", "they", "he", "she", "also", "further",
}
_REFERENCE = re.compile(r"\b\d{5,}\b|\b\d{4}Z\d+\b|\bah[- ]", re.IGNORECASE)


def before_is_follow_up(question: str) -> bool:
    text = " ".join(question.lower().split())
    if _REFERENCE.search(text):
        return False
    words = re.findall(r"[a-zà-ÿ0-9]+", text)
    if len(words) <= 4 or text.startswith(_STARTERS):
        return True
    return len(words) <= 8 and any(w in _REFERRING for w in words)


class Cached:
    """A searcher that answers a repeated (text, k) from memory: before and after share."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.memory: dict[tuple[str, int], Result] = {}

    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> Result:
        if (question, k) not in self.memory:
            self.memory[(question, k)] = self.searcher.search(question, k=k, filters=filters)
        result = self.memory[(question, k)]  # copies: search_turn renumbers the hits it ranks
        return replace(result, hits=[replace(hit) for hit in result.hits])


def rank_of(result: Result, rel: list[tuple[str, int]]) -> int | None:
    return next((h.rank for h in result.hits if is_relevant(h, rel)), None)


def run(searcher: Cached, conversations: list[dict[str, Any]], keys: set[str]) -> dict[str, Any]:
    rows: dict[str, list[tuple[bool, bool, int | None]]] = {"before": [], "after": []}
    for conversation in conversations:
        turns = conversation["turns"]
        base: str | None = None  # before: the thread's first question
        previous: list[str] = []  # after: the user's questions so far
        for number, turn in enumerate(turns):
            question = turn["q"]
            rel = [(str(a), int(b)) for a, b in turn["rel"]]
            merge = base is not None and before_is_follow_up(question)
            old = searcher.search(f"{base} {question}" if merge else question, k=K)
            base = base if merge else question
            searched, new = search_turn(searcher, question, previous, k=K)
            previous.append(question)
            if number == 0 or not any(key in keys for key, _ in rel):
                continue
            label = bool(turn["follow_up"])
            rows["before"].append((label, merge == label, rank_of(old, rel)))
            rows["after"].append((label, searched.merged == label, rank_of(new, rel)))
    return rows


def scores(rows: list[tuple[bool, bool, int | None]], follow_up: bool | None) -> str:
    picked = [r for r in rows if follow_up is None or r[0] == follow_up]
    n = len(picked) or 1
    hit1 = sum(r[2] == 1 for r in picked) / n
    hit3 = sum(bool(r[2] and r[2] <= 3) for r in picked) / n
    return f"{len(picked)} | {hit1:.3f} | {hit3:.3f}"


@click.command()
@click.option("--index", "indexes", multiple=True, required=True, type=click.Path(path_type=Path))
def main(indexes: tuple[Path, ...]) -> None:
    conversations = [json.loads(line) for line in CONVERSATIONS.read_text("utf-8").splitlines()
                     if line.strip()]  # fmt: skip
    embedder = Embedder()
    print("| index | method | follow-ups n | hit@1 | hit@3 | topic changes n | hit@1 | hit@3 "
          "| all turns n | hit@1 | hit@3 | merged right |")  # fmt: skip
    print("|" + "---|" * 12)
    for folder in indexes:
        store = open_store(folder)
        keys = {key for row in store.documents() for key in
                (row.document.ons_kenmerk, row.document.uw_kenmerk, row.document.aanhangsel)
                if key}  # fmt: skip
        rows = run(Cached(Searcher(store, embedder)), conversations, keys)
        for method, found in rows.items():
            right = sum(r[1] for r in found) / (len(found) or 1)
            print(f"| {folder.name} | {method} | {scores(found, True)} | {scores(found, False)} "
                  f"| {scores(found, None)} | {right:.3f} |")  # fmt: skip
        store.close()


if __name__ == "__main__":
    main()
