"""Archive-scale benchmark: synthetic indexes of 1,000, 10,000 (and 100,000) letters.

    .venv/bin/python benchmarks/bench_scale.py --source /tmp/ix-full [--full] [--sizes 1000]
    .venv/bin/python benchmarks/bench_scale.py --source /tmp/ix-full --store postgresql://…

The letters are copies of the real answer letters of a built index (--source: the seeds
and ../shared/corpus-real), with fresh ids, kenmerken, Aanhangsel numbers and dates spread
over 1995–2025, and their real unit vectors jittered slightly (each vector v becomes
normalise(v + 0.1·g), g ~ N(0, 1/dim): cosine to the original ≈ 0.995), so nothing is
embedded and a 100,000-letter index builds in minutes. Printed per size: passages, units,
folder size, build time, cold `assistant ask` (a new process, to JSON on stdout), warm
query p50/p95 (dev + extra questions), matching a 20-question document warm
(`assistant match`, benchmarks/bench_match.py), adding one letter (its write, excluding embedding),
removing one, `assistant serve` RSS after 100 queries, recall@50 of the vector index
against exhaustive search over the stored vectors, gap@50: how much lower the index's
50th unit scores than the exhaustive 50th (near 0: what it misses are near-ties), and the
warm p50 of "all answers" with its facets (`ask --all`, the first --all-questions
questions). Parties are drawn per period, and ministries carry their name of the time
("Veiligheid en Justitie" 2010–2016), so the facets count as they would on the archive.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.documents import Document, Passage  # noqa: E402
from assistant.ingest.references import cited_articles, document_keys  # noqa: E402
from assistant.search import Filters, Searcher  # noqa: E402
from assistant.store import Store, open_store  # noqa: E402
from assistant.store.base import (  # noqa: E402
    IMPORTED,
    LetterRecord,
    PassageRecord,
    StoreConfig,
)
from assistant.store.embed import Embedder  # noqa: E402
from assistant.store.records import is_procedural  # noqa: E402

QUESTIONS = [ROOT.parent / "shared" / "eval" / "dev.jsonl",
             ROOT / "benchmarks" / "questions" / "seeds_extra.jsonl"]  # fmt: skip
BATCH = 200  # letters per write transaction while building
JITTER = 0.1


def templates(source: Store) -> list[LetterRecord]:
    """Every answer letter of the source index, as records (read through the Store API)."""
    out = []
    for row in source.documents():
        if not row.passages:
            continue
        doc = row.document
        keys = source.doc_passages([doc.doc_id], Filters())
        rows = source.signal_rows(keys)
        texts = source.hits(keys)
        passages = []
        for i, key in enumerate(rows.keys):
            passage = texts[key][0]
            mine = rows.owner == i
            passages.append(PassageRecord(
                passage=passage, stems=rows.stems[i].split(), procedural=is_procedural(passage),
                articles=cited_articles(f"{passage.question_text}\n{passage.answer_text}"),
                kinds=rows.kind[mine].tolist(),
                spans=list(zip(rows.start[mine].tolist(), rows.end[mine].tolist())),
                vectors=rows.vectors[mine].astype(np.float16)))  # fmt: skip
        out.append(LetterRecord(doc, passages, IMPORTED, row.questions_numbered))
    return out


def synthetic(template: LetterRecord, i: int, rng: np.random.Generator) -> LetterRecord:
    """Letter number i: a copy of template with fresh ids, date and jittered vectors."""
    year = 1995 + i % 31
    date = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    doc_id = hashlib.sha256(f"synthetic-{i}".encode()).hexdigest()[:12]
    t = template.document
    doc = Document(doc_id=doc_id, title=t.title, source=f"synthetic-{i}.txt", kind=t.kind,
                   date=date, ons_kenmerk=f"S{i:07d}", uw_kenmerk=f"{year}Z{i % 100000:05d}",
                   aanhangsel=f"ah-tk-{year}{year + 1}-{i}", questioner=t.questioner,
                   party=parties_of(year, i), minister=t.minister,
                   ministry=ministry_of(t.ministry, year), pages=t.pages)
    passages = []
    for p in template.passages:
        src = p.passage
        passage = Passage(passage_id=f"S{i:07d}-q{'+'.join(map(str, src.questions))}",
                          doc_id=doc_id, questions=src.questions, question_text=src.question_text,
                          answer_text=src.answer_text, page=src.page, footnotes=src.footnotes,
                          refers_to=src.refers_to)  # fmt: skip
        vectors = p.vectors.astype(np.float32)
        noise = rng.standard_normal(vectors.shape).astype(np.float32) / np.sqrt(vectors.shape[1])
        vectors = vectors + JITTER * noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        passages.append(PassageRecord(passage, p.stems, p.procedural, p.articles, p.kinds,
                                      p.spans, vectors.astype(np.float16)))  # fmt: skip
    return LetterRecord(doc, passages, IMPORTED, template.questions_numbered, document_keys(doc),
                        external_id=f"synthetic:{i}", version="1")  # fmt: skip


# Parties in the Tweede Kamer by period (a letter's questioners: one party, every fifth two)
PARTIES = [(2006, ["CDA", "PvdA", "VVD", "SP", "D66", "GroenLinks", "ChristenUnie", "SGP",
                   "LPF"]),
           (2017, ["CDA", "PvdA", "VVD", "SP", "D66", "GroenLinks", "ChristenUnie", "SGP",
                   "PVV", "PvdD", "50PLUS"]),
           (2023, ["CDA", "PvdA", "VVD", "SP", "D66", "GroenLinks", "ChristenUnie", "SGP",
                   "PVV", "PvdD", "FVD", "DENK", "JA21", "Volt", "BBB"]),
           (9999, ["GroenLinks-PvdA", "VVD", "PVV", "NSC", "BBB", "D66", "CDA", "SP", "PvdD",
                   "ChristenUnie", "SGP", "DENK", "FVD", "JA21", "Volt"])]  # fmt: skip
# Ministries under their name of the time (what `ask --all` counts as one)
OLD_NAMES = {"Justitie en Veiligheid": [(2010, "Justitie"), (2017, "Veiligheid en Justitie")],
             "Infrastructuur en Waterstaat": [(2010, "Verkeer en Waterstaat"),
                                              (2017, "Infrastructuur en Milieu")]}  # fmt: skip


def parties_of(year: int, i: int) -> str:
    names = next(p for until, p in PARTIES if year < until)
    first = names[(i * 7) % len(names)]
    second = names[(i * 11 + 3) % len(names)]
    return first if i % 5 or second == first else f"{first}, {second}"


def ministry_of(ministry: str | None, year: int) -> str | None:
    for until, name in OLD_NAMES.get(ministry or "", []):
        if year < until:
            return name
    return ministry


def build(location: str, letters: int, base: list[LetterRecord],
          config: StoreConfig) -> tuple[Store, float]:  # fmt: skip
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    store = open_store(location, config)
    for start in range(0, letters, BATCH):
        batch = [synthetic(base[i % len(base)], i, rng)
                 for i in range(start, min(letters, start + BATCH))]  # fmt: skip
        store.write(batch)
    snapshot = getattr(store, "snapshot", None)
    if snapshot:
        snapshot(force=True)  # the vector index a reader loads (IVF above its threshold)
    return store, time.perf_counter() - started


def folder_size(location: str) -> str:
    path = Path(location)
    if not path.is_dir():
        return "(server)"
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return f"{total / 1e9:.2f} GB" if total > 1e9 else f"{total / 1e6:.0f} MB"


def questions() -> list[str]:
    return [json.loads(line)["q"] for path in QUESTIONS if path.is_file()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def cold_ask(location: str, asked: list[str]) -> float:
    times = []
    for q in asked:
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "assistant", "ask", q, "--index", location,
                               "--json"], capture_output=True, text=True, cwd=ROOT)  # fmt: skip
        times.append(time.perf_counter() - started)
        assert proc.returncode == 0 and json.loads(proc.stdout)["hits"], proc.stderr
    return statistics.median(times)


def warm(store: Store, embedder: Embedder, asked: list[str]) -> tuple[float, float]:
    searcher = Searcher(store, embedder)
    for q in asked[:3]:
        searcher.search(q)
    times = []
    for q in asked:
        started = time.perf_counter()
        searcher.search(q)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def match_twenty(store: Store, embedder: Embedder) -> float:
    """Median seconds to match a 20-question document (benchmarks/bench_match.py), warm."""
    from bench_match import twenty, warm_match

    return statistics.median(warm_match(Searcher(store, embedder), twenty(), runs=3))


def warm_all(store: Store, embedder: Embedder, asked: list[str]) -> float:
    """Warm p50 (ms) of `ask --all` with facets (search.record.all_answers)."""
    from assistant.search.record import all_answers

    searcher = Searcher(store, embedder)
    all_answers(searcher, asked[0])
    times = []
    for q in asked:
        started = time.perf_counter()
        all_answers(searcher, q)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def add_remove(store: Store, base: list[LetterRecord]) -> tuple[float, float]:
    letter = synthetic(base[0], 10_000_000, np.random.default_rng(1))
    started = time.perf_counter()
    store.write([letter])
    added = time.perf_counter() - started
    started = time.perf_counter()
    store.write(remove=[letter.document.doc_id])
    return added, time.perf_counter() - started


def server_rss(location: str, asked: list[str]) -> float:
    """RSS (MB) of `assistant serve` after 100 questions through its API."""
    from gradio_client import Client

    from assistant.web.app import free_port

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--index", location,
                               "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        client = None
        for _ in range(600):
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                break
            except Exception:  # not up yet
                time.sleep(0.5)
        assert client is not None, "the server did not start"
        for i in range(100):
            client.predict(asked[i % len(asked)], 5, api_name="/search")
        status = Path(f"/proc/{server.pid}/status").read_text().splitlines()
        return int(next(ln for ln in status if ln.startswith("VmRSS")).split()[1]) / 1024
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def recall_at(store: Store, embedder: Embedder, asked: list[str],
              n: int = 50) -> tuple[float, float] | None:  # fmt: skip
    """Share of the exhaustive top-n units (over every stored vector) the index returns,
    and the mean score gap between the exhaustive n-th unit and the index's n-th: near 0
    when the units it misses are near-ties (copies of one letter differ by ~0.005)."""
    nearest = getattr(store, "nearest_units", None)
    chunks = getattr(store, "iter_unit_vectors", None)
    if nearest is None or chunks is None:
        return None
    queries = embedder.queries(asked)
    best_ids = np.zeros((len(asked), 0), dtype=np.int64)
    best = np.zeros((len(asked), 0), dtype=np.float32)
    for ids, vecs in chunks():
        scores = queries @ vecs.T
        best = np.hstack([best, scores])
        best_ids = np.hstack([best_ids, np.broadcast_to(ids, (len(asked), len(ids)))])
        top = np.argsort(-best, axis=1)[:, :n]
        best = np.take_along_axis(best, top, axis=1)
        best_ids = np.take_along_axis(best_ids, top, axis=1)
    found, gaps = [], []
    for q, e, s in zip(queries, best_ids, best):
        ids, scores = nearest(q, n, Filters())
        found.append(len(set(ids.tolist()) & set(e.tolist())) / n)
        gaps.append(float(s[-1] - (scores[n - 1] if len(scores) >= n else -1.0)))
    gap = float(np.mean(gaps))
    return float(np.mean(found)), gap if abs(gap) >= 5e-5 else 0.0  # no "-0.0000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, help="a built index of the real letters")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000])
    parser.add_argument("--full", action="store_true", help="also 100,000 letters")
    parser.add_argument("--store", default=None,
                        help="a postgresql:// URL to build in (default: temporary folders)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the indexes here")
    parser.add_argument("--no-server", action="store_true", help="skip the server RSS column")
    parser.add_argument("--all-questions", type=int, default=20,
                        help="questions timed for the all-answers column")
    args = parser.parse_args()
    sizes = args.sizes + ([100_000] if args.full else [])

    source = open_store(args.source)
    base = templates(source)
    embedder = Embedder(source.config.model)
    config = StoreConfig(source.config.model, source.config.dim, source.config.units_version)
    asked = questions()
    recall_questions = asked[:50]
    print(f"templates: {len(base)} answer letters, "
          f"{sum(len(t.passages) for t in base)} passages")  # fmt: skip
    print("| letters | passages | units | size | build | cold ask | warm p50 | warm p95 "
          "| match 20 q | add 1 | remove 1 | server RSS | recall@50 | gap@50 "
          "| all+facets p50 |")  # fmt: skip
    print("|" + "---|" * 15)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    for letters in sizes:
        location = args.store or str(root / f"ix-{letters}")
        if args.store is None and Path(location).exists():
            shutil.rmtree(location)
        store, seconds = build(location, letters, base, config)
        _, passages, units = store.counts()
        p50, p95 = warm(store, embedder, asked)
        twenty = match_twenty(store, embedder)
        every = warm_all(store, embedder, asked[:args.all_questions])
        added, removed = add_remove(store, base)
        recall = recall_at(store, embedder, recall_questions)
        store.close()
        cold = cold_ask(location, asked[:3])
        rss = "" if args.no_server else f"{server_rss(location, asked):.0f} MB"
        print(f"| {letters:,} | {passages:,} | {units:,} | {folder_size(location)} | "
              f"{seconds:.0f} s | {cold:.2f} s | {p50:.0f} ms | {p95:.0f} ms | {twenty:.1f} s | "
              f"{added * 1000:.0f} ms | {removed * 1000:.0f} ms | {rss} | "
              f"{'' if recall is None else f'{recall[0]:.3f} | {recall[1]:.4f}'} | "
              f"{every:.0f} ms |",
              flush=True)  # fmt: skip
        if args.keep is None and args.store is None:
            shutil.rmtree(location, ignore_errors=True)
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
