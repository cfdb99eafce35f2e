"""Print a table of what the parser makes of every letter in a folder.

Usage: .venv/bin/python benchmarks/parse_table.py [FOLDER ...]
(default: corpus/ and ../shared/corpus-real/). Per document: kind, question numbers
covered by answer passages vs. numbered in the letter, and which metadata fields
were filled. Ends with a count of documents by kind.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from assistant.ingest.corpus import CorpusError, list_files
from assistant.ingest.parse import ParseError, parse_file

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("date", "ons_kenmerk", "uw_kenmerk", "aanhangsel", "questioner", "party",
          "minister", "ministry")  # fmt: skip
SHORT = ("date", "ons", "uw", "ah", "qst", "pty", "min", "mny")


def main(folders: list[Path]) -> int:
    kinds: Counter[str] = Counter()
    print(f"| file | kind | found/numbered | passages | {' | '.join(SHORT)} | title |")
    print("|---|---|---|---|" + "---|" * len(SHORT) + "---|")
    for folder in folders:
        for path in list_files(folder):
            try:
                letter = parse_file(path)
            except (ParseError, CorpusError) as exc:
                kinds["unreadable"] += 1
                print(f"| {path.name[:40]} | error | - | - |" + " |" * len(SHORT)
                      + f" {str(exc)[:60]} |")
                continue
            doc = letter.document
            kinds[doc.kind] += 1
            numbered = set(letter.questions_numbered)
            covered = {n for p in letter.passages for n in p.questions}
            found = f"{len(covered & numbered)}/{len(numbered)}"
            if doc.kind != "answers":
                found = f"-/{len(numbered)}"
            flags = " | ".join("x" if getattr(doc, f) else "." for f in FIELDS)
            print(f"| {path.name[:40]} | {doc.kind} | {found} | {len(letter.passages)} | "
                  f"{flags} | {doc.title[:50]} |")
    print()
    print("| kind | documents |")
    print("|---|---|")
    for kind, count in sorted(kinds.items()):
        print(f"| {kind} | {count} |")
    return 0


if __name__ == "__main__":
    default = [ROOT / "corpus", ROOT.parent / "shared" / "corpus-real"]
    sys.exit(main([Path(a) for a in sys.argv[1:]] or default))
