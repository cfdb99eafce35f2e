"""What is embedded per passage, and whether less of it loses quality.

    .venv/bin/python benchmarks/bench_units.py --corpus corpus --corpus /tmp/full-corpus

Embedding dominates a build, and its cost grows with the tokens embedded. A passage is
embedded as units: the whole passage (subject + question + answer, in pieces when long),
the answer alone, and two-sentence windows of the answer with context. For each variant
of the windows' context — the subject and question (today), the question only, nothing —
this prints the tokens embedded per passage by unit kind, the build time, and hit@1 /
hit@3 / MRR@10 on the dev and extra questions, building a temporary index per corpus.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import assistant.store.units as units  # noqa: E402
from assistant.documents import Document, Passage  # noqa: E402
from assistant.evaluate import evaluate, load_questions  # noqa: E402
from assistant.ingest.corpus import list_files  # noqa: E402
from assistant.ingest.text import sentences  # noqa: E402
from assistant.search import Searcher  # noqa: E402
from assistant.store.build import Report, parse_files, sync  # noqa: E402
from assistant.store.embed import Embedder  # noqa: E402

SETS = {"dev": ROOT.parent / "shared" / "eval" / "dev.jsonl",
        "extra": ROOT / "benchmarks" / "questions" / "seeds_extra.jsonl"}  # fmt: skip
ORIGINAL = units.window_units


def windows_with(context: Callable[[Passage, Document], str]):  # type: ignore[no-untyped-def]
    """window_units with another context before each two-sentence window."""

    def window_units(passage: Passage, document: Document) -> list[units.Unit]:
        answer = passage.answer_text
        spans = sentences(answer)
        if len(spans) <= units.WINDOW_SENTENCES:
            return []
        out = []
        for i in range(0, len(spans), units.WINDOW_SENTENCES):
            start = spans[i][0]
            end = spans[min(i + units.WINDOW_SENTENCES, len(spans)) - 1][1]
            out.append(units.Unit(passage.passage_id, "window",
                                  context(passage, document) + answer[start:end], start, end))
        return out

    return window_units


VARIANTS = {
    "subject + question (today)": ORIGINAL,
    "question only": windows_with(lambda p, d: f"{p.question_text[:300]}\n"),
    "no context": windows_with(lambda p, d: ""),
}


def tokens(corpus: Path, embedder: Embedder) -> tuple[int, dict[str, float]]:
    """Passages, and tokens embedded per passage by unit kind, with the current units."""
    letters = parse_files(list_files(corpus), Report())
    per_kind: dict[str, int] = {}
    count = 0
    for _, letter in letters:
        for passage in letter.passages:
            count += 1
            for unit in units.passage_units(passage, letter.document, embedder):
                per_kind[unit.kind] = per_kind.get(unit.kind, 0) + embedder.token_count(unit.text)
    return count, {k: v / max(count, 1) for k, v in per_kind.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, action="append", required=True)
    args = parser.parse_args()
    embedder = Embedder()
    sets = {name: load_questions(path) for name, path in SETS.items() if path.is_file()}
    print("| corpus | windows' context | tokens/passage (passage + answer + windows) | build "
          "| " + " | ".join(f"{n} h@1 / h@3 / MRR" for n in sets) + " |")
    print("|" + "---|" * (4 + len(sets)))
    for corpus in args.corpus:
        for name, variant in VARIANTS.items():
            units.window_units = variant
            passages, per_kind = tokens(corpus, embedder)
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                store, _ = sync(corpus, Path(tmp) / "ix", embedder=embedder)
                seconds = time.perf_counter() - started
                searcher = Searcher(store, embedder)
                scores = [evaluate(searcher, items) for items in sets.values()]
                store.close()
            total = sum(per_kind.values())
            kinds = " + ".join(f"{per_kind.get(k, 0):.0f}" for k in ("passage", "answer", "window"))
            cells = " | ".join(f"{r['hit@1']:.3f} / {r['hit@3']:.3f} / {r['mrr@10']:.3f}"
                               for r in scores)  # fmt: skip
            print(f"| {corpus.name} ({passages}) | {name} | {total:.0f} ({kinds}) | "
                  f"{seconds:.0f} s | {cells} |", flush=True)
    units.window_units = ORIGINAL


if __name__ == "__main__":
    main()
