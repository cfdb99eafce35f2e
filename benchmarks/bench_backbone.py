"""Backbone benchmark: index build time, passages/s, warm query latency p50/p95, RSS.

    .venv/bin/python benchmarks/bench_backbone.py [--corpus corpus] [--queries 120]

Builds a fresh index of the corpus in a temporary folder (every passage embedded), then
times `Searcher.search` (question embedding + search + ranking) over ≥100 questions.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from assistant.search import Searcher
from assistant.store.build import Report, sync
from assistant.store.embed import Embedder

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"
ENGLISH = [
    "Can Telegram be banned in the Netherlands?", "Who supervises the Digital Services Act?",
    "How many doxing cases were reported?", "Is doxing a crime?", "What is exposing?",
    "Does Telegram have a legal representative in the EU?", "Can the police block groups?",
    "What sanctions does the DSA allow?", "How are drugs sold on Telegram?",
    "What does the minister do against drug ads online?",
]  # fmt: skip


def questions(searcher: Searcher, n: int) -> list[str]:
    """A mixed, realistic question set: the questions MPs asked, dev questions, English."""
    store = searcher.store
    asked = [p.question_text.split("?")[0] + "?" for row in store.documents()
             for p in store.letter(row.document.doc_id)]  # fmt: skip
    dev = [json.loads(line)["q"] for line in DEV.read_text().splitlines()] if DEV.exists() else []
    pool = asked + dev + ENGLISH
    return [pool[i % len(pool)] for i in range(n)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--queries", type=int, default=120)
    args = parser.parse_args()

    t0 = time.perf_counter()
    embedder = Embedder()
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        store, report = sync(args.corpus, Path(tmp) / "index", embedder=embedder, force=True)
        searcher = Searcher(store, embedder)
        rows = measure(searcher, args.queries, load_s, report)
        store.close()
    width = max(len(name) for name, _ in rows)
    print(f"{'metric':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def measure(searcher: Searcher, queries: int, load_s: float, report: Report
            ) -> list[tuple[str, str]]:  # fmt: skip
    qs = questions(searcher, queries)
    for q in qs[:5]:  # warm-up: first calls build lazy structures
        searcher.search(q)
    times = []
    for q in qs:
        start = time.perf_counter()
        searcher.search(q)
        times.append((time.perf_counter() - start) * 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        ("model load (s)", f"{load_s:.2f}"),
        ("documents / passages", f"{report.documents} / {report.passages}"),
        ("index build (s)", f"{report.seconds:.1f}"),
        ("passages / s", f"{report.passages / report.seconds:.1f}"),
        ("queries timed", f"{len(times)}"),
        ("query p50 (ms)", f"{statistics.median(times):.1f}"),
        ("query p95 (ms)", f"{percentile(times, 0.95):.1f}"),
        ("peak RSS (MB)", f"{rss_mb:.0f}"),
    ]


if __name__ == "__main__":
    main()
