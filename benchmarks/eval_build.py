"""Eval of the final ranking on indexes built different ways (e.g. before and after a change
to how units are embedded): every ranked question set, and the not-answerable sets.

    .venv/bin/python benchmarks/eval_build.py --index /tmp/ix-before --index /tmp/ix-after

Ranked sets: the dev set, the extra seed questions, the dev English questions in Dutch,
and the highlight sets (questions on the seed letters and on ../shared/corpus-real; on an
index of the seeds alone only their seed questions can be found). Prints hit@1, hit@3 and
MRR@10, and for the off-topic and near-topic sets the share judged not answerable.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluate import evaluate, load_questions  # noqa: E402
from assistant.search import Searcher  # noqa: E402
from assistant.store import open_store  # noqa: E402
from assistant.store.embed import Embedder  # noqa: E402

QUESTIONS = ROOT / "benchmarks" / "questions"
RANKED = {"dev": ROOT.parent / "shared" / "eval" / "dev.jsonl",
          "extra": QUESTIONS / "seeds_extra.jsonl",
          "dev EN in Dutch": QUESTIONS / "dev_en_in_dutch.jsonl",
          "highlights": QUESTIONS / "highlights.jsonl",
          "highlights unseen": QUESTIONS / "highlights_unseen.jsonl"}  # fmt: skip
UNANSWERED = ["off_topic", "off_topic_holdout", "off_topic_holdout2", "near_topic"]


@click.command()
@click.option("--index", "indexes", multiple=True, required=True, type=click.Path(path_type=Path))
@click.option("--sets", default=",".join(RANKED), show_default=True,
              help="Ranked sets to run, comma-separated.")
@click.option("--unanswered/--no-unanswered", default=True)
def main(indexes: tuple[Path, ...], sets: str, unanswered: bool) -> None:
    embedder = Embedder()
    print("| index | set | n | hit@1 | hit@3 | MRR@10 |")
    print("|---|---|---|---|---|---|")
    rows = []
    for folder in indexes:
        searcher = Searcher(open_store(folder), embedder)
        for name, path in RANKED.items():
            if name not in sets.split(","):
                continue
            r = evaluate(searcher, load_questions(path))
            print(f"| {folder.name} | {name} | {r['n']} | {r['hit@1']:.3f} | {r['hit@3']:.3f} | "
                  f"{r['mrr@10']:.3f} |", flush=True)  # fmt: skip
        for name in UNANSWERED if unanswered else []:
            r = evaluate(searcher, load_questions(QUESTIONS / f"{name}.jsonl"))
            rows.append(f"| {folder.name} | {name} | {r['not_answerable']}/{r['n']} |")
    print("\n| index | set | judged not answerable |")
    print("|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
