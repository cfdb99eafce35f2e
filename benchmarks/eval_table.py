"""Eval table: each kept ranking change, on the seed index and the seeds + corpus-real index.

    .venv/bin/python benchmarks/eval_table.py --index /tmp/ix-seeds --index /tmp/ix-full

Prints hit@1 / hit@3 / MRR@10 per question set and language for each configuration, and
the share of questions marked not answerable (off-topic sets should be high, dev low).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluate import evaluate, load_questions  # noqa: E402
from assistant.search import Searcher, Weights  # noqa: E402
from assistant.store import open_store  # noqa: E402
from assistant.store.embed import Embedder  # noqa: E402

QUESTIONS = ROOT / "benchmarks" / "questions"
# "dev EN in Dutch": the 13 English dev questions translated by hand. Their scores are
# a ceiling for any English-to-Dutch query translation with this model.
RANKED = {"dev": ROOT.parent / "shared" / "eval" / "dev.jsonl",
          "extra": QUESTIONS / "seeds_extra.jsonl",
          "dev EN in Dutch": QUESTIONS / "dev_en_in_dutch.jsonl"}  # fmt: skip
UNANSWERED = {"off-topic": QUESTIONS / "off_topic.jsonl",
              "off-topic holdout": QUESTIONS / "off_topic_holdout.jsonl",
              "off-topic holdout 2": QUESTIONS / "off_topic_holdout2.jsonl",
              "near-topic": QUESTIONS / "near_topic.jsonl"}  # fmt: skip
CONFIGS = {
    "dense (backbone)": Weights(answer=0, window=0, lexical_nl=0, lexical_en=0, procedural=0,
                                start=0),
    "+ 2-sentence windows": Weights(answer=0, window=1, lexical_nl=0, lexical_en=0,
                                    procedural=0, start=0),
    "+ BM25 (nl .8, en .1)": Weights(answer=0, window=1, lexical_nl=0.8, lexical_en=0.1,
                                     procedural=0, start=0),
    "+ answer unit (.5)": Weights(procedural=0, start=0),
    "+ closing-question demotion": Weights(start=0),
    "+ 'since when' answers naming a start (.015) = final": Weights(),
}


@click.command()
@click.option("--index", "indexes", multiple=True, required=True, type=click.Path(path_type=Path))
def main(indexes: tuple[Path, ...]) -> None:
    embedder = Embedder()
    sets = {name: load_questions(path) for name, path in RANKED.items() if path.is_file()}
    print("| index | config | set | all h@1 | all h@3 | en h@1 | en h@3 | nl h@1 | nl h@3 "
          "| MRR | not answerable |")  # fmt: skip
    print("|" + "---|" * 11)
    for folder in indexes:
        searcher = Searcher(open_store(folder), embedder)
        for config, weights in CONFIGS.items():
            searcher.weights = weights
            for name, items in sets.items():
                r = evaluate(searcher, items)
                en, nl = r["by_lang"].get("en", {}), r["by_lang"].get("nl", {})
                print(f"| {folder.name} | {config} | {name} | {r['hit@1']:.3f} | "
                      f"{r['hit@3']:.3f} | {en.get('hit@1', 0):.3f} | {en.get('hit@3', 0):.3f}"
                      f" | {nl.get('hit@1', 0):.3f} | {nl.get('hit@3', 0):.3f} | "
                      f"{r['mrr@10']:.3f} | {r['not_answerable']}/{r['n']} |")  # fmt: skip
        for name, path in UNANSWERED.items():
            r = evaluate(searcher, load_questions(path))
            print(f"| {folder.name} | final | {name} | | | | | | | | "
                  f"{r['not_answerable']}/{r['n']} = {r['not_answerable'] / r['n']:.0%} |")


if __name__ == "__main__":
    main()
