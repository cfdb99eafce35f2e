"""Which late-chunking pooling keeps the ranking: one index per variant, the same eval.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_late_variants.py [--corpus DIR]
        [--variant NAME ...]

Each variant sets store/late.py's WINDOW_WITH, ANSWER_WITH and ANSWER_ALONE, builds an
index of the corpus (default: the seed letters) in a temporary folder and prints hit@1 /
hit@3 / MRR@10 on the dev and extra sets, the build's CPU seconds and the tokens the model
read per passage. Compare with an index built before late chunking with eval_build.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluate import evaluate, load_questions  # noqa: E402
from assistant.search import Searcher  # noqa: E402
from assistant.store import late  # noqa: E402
from assistant.store.build import sync  # noqa: E402
from assistant.store.embed import Embedder  # noqa: E402

SETS = {"dev": ROOT.parent / "shared" / "eval" / "dev.jsonl",
        "extra": ROOT / "benchmarks" / "questions" / "seeds_extra.jsonl"}  # fmt: skip
# name: (WINDOW_WITH, ANSWER_WITH, ANSWER_ALONE); None: late chunking off
VARIANTS = {
    "no late chunking (each unit's text)": ("", "", None),
    "windows+context, answer": ("context", "", False),
    "windows+context, answer+special": ("context", "special", False),
    "windows+special, answer+special": ("special", "special", False),
    "windows+context, answer alone": ("context", "", True),
    "windows+special, answer alone": ("special", "", True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--variant", action="append", choices=list(VARIANTS))
    args = parser.parse_args()
    embedder = Embedder()
    sets = {name: load_questions(path) for name, path in SETS.items() if path.is_file()}
    print("| variant | build CPU s | " + " | ".join(f"{n} h@1 / h@3 / MRR" for n in sets) + " |")
    print("|" + "---|" * (2 + len(sets)))
    for name in args.variant or list(VARIANTS):
        late.WINDOW_WITH, late.ANSWER_WITH, alone = VARIANTS[name]
        late.ENABLED, late.ANSWER_ALONE = alone is not None, bool(alone)
        with tempfile.TemporaryDirectory() as tmp:
            started = time.process_time()
            store, _ = sync(args.corpus, Path(tmp) / "ix", embedder=embedder)
            cpu = time.process_time() - started
            searcher = Searcher(store, embedder)
            cells = []
            for items in sets.values():
                r = evaluate(searcher, items)
                cells.append(f"{r['hit@1']:.3f} / {r['hit@3']:.3f} / {r['mrr@10']:.3f}")
            store.close()
        print(f"| {name} | {cpu:.0f} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
