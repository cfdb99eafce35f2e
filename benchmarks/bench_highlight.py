"""Highlight quality: is the sentence that answers the question the one shown in bold?

    .venv/bin/python benchmarks/bench_highlight.py --index /tmp/old-ix-full

Each line of benchmarks/questions/highlights.jsonl (and highlights_unseen.jsonl) holds a
question, the passage that answers it ("rel", as in ../shared/eval/README.md) and
"marked": the sentence(s) of its answer a journalist would quote (exact substrings).
For every question whose passage is among the first k hits, the table gives how often a
marked sentence is highlighted ("found") and how many sentences are highlighted on
average, for:
  - before: the best two-sentence window, plus a close neighbour (the old highlighter);
  - after: assistant.search.highlight.highlight_spans with the question;
  - served: what the search returns today (hit.highlights, however the ranker calls it).
highlights.jsonl was used to choose the weights; highlights_unseen.jsonl was written
afterwards and not tuned on. "ms/hit" is the time highlight_spans takes per hit.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.documents import Hit  # noqa: E402
from assistant.evaluate import is_relevant  # noqa: E402
from assistant.ingest.text import sentences  # noqa: E402
from assistant.search import Searcher  # noqa: E402
from assistant.search.highlight import highlight_spans  # noqa: E402
from assistant.store import open_store  # noqa: E402
from assistant.store.embed import Embedder  # noqa: E402
from assistant.store.units import window_units  # noqa: E402

QUESTIONS = ROOT / "benchmarks" / "questions"
SETS = {"tuned": QUESTIONS / "highlights.jsonl", "unseen": QUESTIONS / "highlights_unseen.jsonl"}

Spans = list[tuple[int, int]]


def before(answer: str, windows: list[tuple[int, int, float]]) -> Spans:
    """The highlighter before issue #12: best window, plus a neighbour within 0.01."""
    spans = sentences(answer)
    if not spans:
        return []
    if not windows:
        return spans[:3]
    ordered = sorted(windows)
    b = max(range(len(ordered)), key=lambda i: ordered[i][2])
    best_start, best_end, best = ordered[b]
    chosen = [s for s in spans if s[0] >= best_start and s[1] <= best_end]
    neighbours = [i for i in (b - 1, b + 1) if 0 <= i < len(ordered)]
    if neighbours:
        n = max(neighbours, key=lambda i: ordered[i][2])
        start, end, score = ordered[n]
        if best - score <= 0.01:
            inside = [s for s in spans if s[0] >= start and s[1] <= end]
            chosen = sorted(set(chosen + (inside[-1:] if n < b else inside[:1])))
    return chosen[:3] or spans[:1]


def window_cosines(hit: Hit, question: str, embedder: Embedder) -> list[tuple[int, int, float]]:
    """(start, end, cosine) of the hit's window units, as the index scores them."""
    units = window_units(hit.passage, hit.document)
    if not units:
        return []
    vectors = embedder.passages([u.text for u in units]) @ embedder.queries([question])[0]
    return [(u.start, u.end, float(c)) for u, c in zip(units, vectors)]


def sentence_set(answer: str, spans: Spans) -> set[int]:
    """Indexes of the answer's sentences that the spans overlap."""
    return {k for k, (s, e) in enumerate(sentences(answer))
            if any(a < e and s < b for a, b in spans)}


def marked_sentences(answer: str, marked: list[str]) -> set[int]:
    """Sentences holding the marked texts; spaces and hyphens may differ (the parser's
    repairs of glued or split words change them between versions)."""
    spans = []
    for text in marked:
        chars = [c for c in text if not c.isspace() and c != "-"]
        found = re.search(r"[\s-]*".join(re.escape(c) for c in chars), answer)
        if found is None:
            raise click.ClickException(f"marked text not in the answer: {text[:60]!r}")
        spans.append(found.span())
    return sentence_set(answer, spans)


def run(searcher: Searcher, embedder: Embedder, items: list[dict[str, Any]],
        k: int) -> dict[str, Any]:  # fmt: skip
    counts = {m: [0, 0] for m in ("before", "after", "served")}  # found, sentences
    retrieved, seconds, misses = 0, 0.0, []
    for item in items:
        rel = [(str(a), int(b)) for a, b in item["rel"]]
        hit = next((h for h in searcher.search(item["q"], k=k).hits if is_relevant(h, rel)), None)
        if hit is None:
            continue
        retrieved += 1
        answer = hit.passage.answer_text
        windows = window_cosines(hit, item["q"], embedder)
        start = time.perf_counter()
        after = highlight_spans(answer, windows, item["q"])
        seconds += time.perf_counter() - start
        want = marked_sentences(answer, item["marked"])
        for method, spans in (("before", before(answer, windows)), ("after", after),
                              ("served", hit.highlights)):  # fmt: skip
            shown = sentence_set(answer, spans)
            counts[method][0] += bool(shown & want)
            counts[method][1] += len(shown)
            if method == "after" and not shown & want:
                misses.append(item["id"])
    return {"n": len(items), "retrieved": retrieved, "counts": counts,
            "ms": 1000 * seconds / max(retrieved, 1), "misses": misses}  # fmt: skip


@click.command()
@click.option("--index", "indexes", multiple=True, required=True, type=click.Path(path_type=Path))
@click.option("-k", default=5, show_default=True, help="hits searched for the passage")
def main(indexes: tuple[Path, ...], k: int) -> None:
    embedder = Embedder()
    sets = {name: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                   if line.strip()] for name, path in SETS.items()}  # fmt: skip
    print("| index | set | retrieved | method | found | sentences shown | ms/hit |")
    print("|---|---|---|---|---|---|---|")
    for folder in indexes:
        searcher = Searcher(open_store(folder), embedder)
        for name, items in sets.items():
            r = run(searcher, embedder, items, k)
            m = max(r["retrieved"], 1)
            for method, (found, shown) in r["counts"].items():
                ms = f"{r['ms']:.2f}" if method == "after" else ""
                print(f"| {folder.name} | {name} | {r['retrieved']}/{r['n']} | {method} | "
                      f"{found / m:.1%} | {shown / m:.2f} | {ms} |")  # fmt: skip
            if r["misses"]:
                print(f"|  | {name} misses (after) | {' '.join(r['misses'])} |  |  |  |  |")


if __name__ == "__main__":
    main()
