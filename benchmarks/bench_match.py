""""Asked before?" benchmark: the question documents of benchmarks/match/ against an index.

    .venv/bin/python benchmarks/bench_match.py --index /tmp/ix-full [--sweep] [--speed IX]

--index: an index of the seeds + ../shared/corpus-real (the letters the documents re-ask).
Prints, over the documents' questions (truth in benchmarks/match/truth.json): re-asked
questions with an earlier answer (a rel pair) in the top 3, verdict accuracy per kind of
question, and every wrong `answered` (a new, near-topic or own-letter question called
answered). --sweep prints the same per candidate ANSWERED / RELATED threshold (how the
thresholds in assistant/match/verdict.py were chosen). --speed IX times a 20-question
document (questions of these documents) on index IX (the seed corpus): cold (first
match in the process, model loaded) and warm (median of 5 later runs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest.references import norm_id  # noqa: E402
from assistant.match import match, read_source  # noqa: E402
from assistant.match import verdict as verdicts  # noqa: E402
from assistant.match.split import QuestionDocument  # noqa: E402
from assistant.search import Searcher  # noqa: E402
from assistant.store import open_store  # noqa: E402
from assistant.store.embed import Embedder  # noqa: E402

FOLDER = ROOT / "benchmarks" / "match"
RIGHT = {"reasked": {"answered"}, "procedural": {"procedural"}, "new": {"new"},
         "near": {"related", "new"}, "own": {"related", "new"}}  # fmt: skip


def keys_of(doc) -> set[str]:  # type: ignore[no-untyped-def]
    return {norm_id(k) for k in (doc.ons_kenmerk, doc.uw_kenmerk, doc.aanhangsel) if k}


def run(searcher: Searcher) -> list[dict]:
    truth = json.loads((FOLDER / "truth.json").read_text(encoding="utf-8"))
    rows = []
    for name, answers in truth.items():
        if name.startswith("_"):
            continue
        report = match(searcher, read_source(FOLDER / name))
        for m in report.questions:
            want = answers[str(m.question.number)]
            rel = {(norm_id(k), n) for k, n in want.get("rel", [])}
            found = any(keys_of(h.document) & {k for k, _ in rel} and
                        any((k, q) in rel for k in keys_of(h.document) for q in h.passage.questions)
                        for h in m.hits[:3])  # fmt: skip
            own = want.get("own")
            rows.append({"doc": name, "n": m.question.number, "kind": want["kind"],
                         "verdict": m.verdict, "found": found, "margin": m.margin,
                         "score": m.hits[0].score if m.hits else None,
                         "text": m.question.text,
                         "own_shown": bool(own and any(norm_id(own) in keys_of(h.document)
                                                       for h in m.hits))})  # fmt: skip
    return rows


def table(rows: list[dict], title: str = "") -> None:
    if title:
        print(f"\n{title}")
    re_asked = [r for r in rows if r["kind"] == "reasked"]
    print(f"re-asked questions with an earlier answer in the top 3: "
          f"{sum(r['found'] for r in re_asked)}/{len(re_asked)}")
    print("| kind | questions | right verdict | answered | related | new | procedural |")
    print("|---|---|---|---|---|---|---|")
    for kind, right in RIGHT.items():
        these = [r for r in rows if r["kind"] == kind]
        if not these:
            continue
        count = {v: sum(r["verdict"] == v for r in these) for v in verdicts.VERDICTS}
        ok = sum(r["verdict"] in right for r in these)
        print(f"| {kind} ({'/'.join(sorted(right))}) | {len(these)} | {ok}/{len(these)} "
              f"({100 * ok / len(these):.0f}%) | {count['answered']} | {count['related']} | "
              f"{count['new']} | {count['procedural']} |")
    not_answered = [r for r in rows if r["kind"] in ("new", "near", "own")]
    wrong = [r for r in not_answered if r["verdict"] == "answered"]
    print(f"wrong `answered` (new, near-topic or own-letter questions): {len(wrong)}/"
          f"{len(not_answered)}")
    for r in wrong:
        print(f"  {r['doc']} vraag {r['n']} ({r['kind']}, margin {r['margin']:.3f}): "
              f"{r['text'][:90]}")
    own = [r for r in rows if r["kind"] == "own"]
    if own:
        print(f"own answer letter shown: {sum(r['own_shown'] for r in own)}/{len(own)}")


def sweep(rows: list[dict]) -> None:
    print("\n| ANSWERED | ANSWERED_SCORE | RELATED | re-asked → answered | "
          "new/near/own → answered | new → new | near/own → related or new |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for answered in (0.04, 0.05, 0.055, 0.06, 0.065, 0.07):
        for score, related in ((0.0, 0.022), (0.0, 0.03), (0.95, 0.03), (0.98, 0.03)):
            out = [dict(r, verdict=_again(r, answered, score, related)) for r in rows]
            re_asked = [r for r in out if r["kind"] == "reasked"]
            other = [r for r in out if r["kind"] in ("new", "near", "own")]
            new = [r for r in out if r["kind"] == "new"]
            near = [r for r in out if r["kind"] in ("near", "own")]
            print(f"| {answered} | {score} | {related} | "
                  f"{sum(r['verdict'] == 'answered' for r in re_asked)}/{len(re_asked)} | "
                  f"{sum(r['verdict'] == 'answered' for r in other)}/{len(other)} | "
                  f"{sum(r['verdict'] == 'new' for r in new)}/{len(new)} | "
                  f"{sum(r['verdict'] in ('related', 'new') for r in near)}/{len(near)} |")


def _again(row: dict, answered: float, score: float, related: float) -> str:
    if row["verdict"] == "procedural":
        return "procedural"
    margin = row["margin"]
    if margin is None:
        return "new"
    if margin >= answered and row["score"] >= score:
        return "answered"
    return "related" if margin >= related else "new"


def twenty() -> QuestionDocument:
    """A 20-question document: the first 20 questions of the documents in this folder."""
    texts = []
    for path in sorted(FOLDER.glob("0*.txt")):
        texts += [q.text for q in read_source(path).questions]
    doc = "Vragen van het lid Test (D66) over twintig onderwerpen (ingezonden 1 juni 2025)\n\n"
    doc += "\n\n".join(f"Vraag {i}\n{t}" for i, t in enumerate(texts[:20], 1))
    return read_source(text=doc)


def warm_match(searcher: Searcher, read: QuestionDocument, runs: int = 5) -> list[float]:
    """Seconds per match of the document, after one match that loads what it needs."""
    match(searcher, read)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        match(searcher, read)
        times.append(time.perf_counter() - start)
    return times


def speed(index: Path, embedder: Embedder) -> None:
    """A 20-question document (questions of these documents), matched on `index`."""
    read = twenty()
    searcher = Searcher(open_store(index), embedder)
    start = time.perf_counter()
    match(searcher, read)
    cold = time.perf_counter() - start
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        match(searcher, read)
        warm.append(time.perf_counter() - start)
    print(f"\n20-question document on {index}: {len(read.questions)} questions, first match "
          f"{cold:.2f} s, warm median {statistics.median(warm):.2f} s (max {max(warm):.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--speed", type=Path, default=None)
    parser.add_argument("--dump", type=Path, default=None, help="write the rows as JSON")
    args = parser.parse_args()
    embedder = Embedder()
    rows = run(Searcher(open_store(args.index), embedder))
    table(rows, f"index {args.index}: ANSWERED {verdicts.ANSWERED}, RELATED {verdicts.RELATED}")
    if args.sweep:
        sweep(rows)
    if args.dump:
        args.dump.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.speed:
        speed(args.speed, embedder)


if __name__ == "__main__":
    main()
