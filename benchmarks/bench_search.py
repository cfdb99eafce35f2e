"""Warm query latency: the fused search vs the backbone's dense-only search.

    .venv/bin/python benchmarks/bench_search.py --index /tmp/ix-full

Both embed the question (the dominant cost); the backbone then ranked FAISS results, the
fused search adds BM25, the reference look-up, highlights and the answerability check.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluate import load_questions  # noqa: E402
from assistant.search import Searcher  # noqa: E402
from assistant.store.embed import Embedder  # noqa: E402
from assistant.store.index import Index  # noqa: E402

QUESTIONS = [ROOT.parent / "shared" / "eval" / "dev.jsonl",
             ROOT / "benchmarks" / "questions" / "seeds_extra.jsonl",
             ROOT / "benchmarks" / "questions" / "off_topic.jsonl"]  # fmt: skip


def backbone_search(index: Index, embedder: Embedder, question: str, k: int = 5) -> list[str]:
    """The backbone's search: embed, score every unit, best unit per passage."""
    vector = embedder.queries([question])[0]
    best: list[str] = []
    for unit, _ in index.search(vector, k=len(index.unit_matrix()[0]) or 1000):
        if unit.passage_id not in best:
            best.append(unit.passage_id)
        if len(best) >= k:
            break
    return best


def timed(fn, questions: list[str], rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        for q in questions:
            start = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - start) * 1000)
    return times


@click.command()
@click.option("--index", "folder", required=True, type=click.Path(path_type=Path))
@click.option("--rounds", default=2, show_default=True)
def main(folder: Path, rounds: int) -> None:
    embedder = Embedder()
    index = Index.load(folder)
    searcher = Searcher(index, embedder)
    questions = [it["q"] for path in QUESTIONS if path.is_file() for it in load_questions(path)]
    searcher.search(questions[0])  # warm: tables, BM25, background vectors
    backbone_search(index, embedder, questions[0])
    base = timed(lambda q: backbone_search(index, embedder, q), questions, rounds)
    fused = timed(lambda q: searcher.search(q, k=5), questions, rounds)
    embed_only = timed(lambda q: embedder.queries([q]), questions, rounds)
    print(f"index {folder}: {len(index.passages)} passages, {len(questions)} questions x {rounds}")
    for name, t in (("embed only", embed_only), ("backbone dense", base), ("fused search", fused)):
        q = statistics.quantiles(t, n=20)
        print(f"{name:<15} p50 {statistics.median(t):6.1f} ms   p95 {q[18]:6.1f} ms")
    print(f"ratio p50 fused/backbone: {statistics.median(fused) / statistics.median(base):.2f}")


if __name__ == "__main__":
    main()
