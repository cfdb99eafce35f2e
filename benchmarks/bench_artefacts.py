"""Count the PDF artefacts left in parsed letters, by class (issue #17 item 5).

Usage: .venv/bin/python benchmarks/bench_artefacts.py [--list] [FOLDER ...]
(default: corpus/ and ../shared/corpus-real/). Every letter is parsed; its question
texts, answer texts and title are searched for:

- hyphen: a word broken at a line end and joined with its hyphen kept ("individu-eel",
  "dagpro-gramma"): lowercase "x-y" whose closed form "xy" is a Dutch word (wordfreq
  Zipf >= 1.5) or is written closed elsewhere in the same letter, less the real hyphenated
  forms in GOOD_HYPHENS;
- glued: two words whose space a line join lost ("hebbenzoals"): an unknown lowercase
  token of 6+ letters that splits into two words of Zipf >= 3.5, one of them among
  wordfreq's 150 most common Dutch words (so noun compounds such as "schadebeeld" do not
  count, and noun+noun glues such as "procentkorting" are not counted either);
- joined: two words of the raw text joined into one ("OM en de" → "OM ende"): a token
  that is two of those 150 words, far rarer than both (Zipf 1.5 less, and under 3.8),
  and occurs more often in the parsed text than in the raw text (so "meteen", a word,
  and glues already in the raw text do not count).

The criteria are the benchmark's own (not the repair code's thresholds); --list prints
every artefact found, so a reader can judge them.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path

from wordfreq import top_n_list, zipf_frequency

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest.corpus import list_files, read_pages  # noqa: E402
from assistant.ingest.parse import parse_pages  # noqa: E402

# Hyphenated forms Dutch writes with a hyphen though the closed form is a word too.
GOOD_HYPHENS = {"minister-president", "e-mail", "sociaal-economisch", "sociaal-economische",
                "back-ups", "full-time"}
TOP = set(top_n_list("nl", 150))
_HYPHENED = re.compile(r"(?<![\w\-])([a-zà-ÿ]{2,})-([a-zà-ÿ]{2,})(?![\w\-])")
_TOKEN = re.compile(r"(?<![\w@/.\-’'])[a-zà-ÿ]{4,}(?![\w@/\-’'])")


@cache
def zipf(word: str) -> float:
    return zipf_frequency(word, "nl")


def hyphens(text: str, closed: set[str]) -> list[str]:
    found = []
    for match in _HYPHENED.finditer(text):
        joined = match.group(1) + match.group(2)
        if match.group(0) in GOOD_HYPHENS:
            continue
        if zipf(joined) >= 1.5 or joined in closed:
            found.append(match.group(0))
    return found


def glued(text: str) -> list[str]:
    found = []
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        if len(word) < 6 or zipf(word) > 0:
            continue
        for i in range(2, len(word) - 1):
            head, tail = word[:i], word[i:]
            if (head in TOP or tail in TOP) and min(zipf(head), zipf(tail)) >= 3.5:
                found.append(f"{word} ({head} {tail})")
                break
    return found


def joined(texts: list[str], raw: str) -> list[str]:
    """Tokens made of two very common words, rarer than both ("ende", "inde"), that occur
    more often in the parsed text than in the raw text: the parser joined them."""
    found = []
    counts = Counter(m.group(0) for text in texts for m in _TOKEN.finditer(text))
    for word, count in counts.items():
        for i in range(1, len(word)):
            head, tail = word[:i], word[i:]
            rarer = min(3.8, zipf(head) - 1.5, zipf(tail) - 1.5)
            if head in TOP and tail in TOP and zipf(word) < rarer:
                made = count - len(re.findall(rf"(?<![\w\-]){word}(?![\w\-])", raw))
                found += [f"{word} ({head} {tail})"] * max(0, made)
                break
    return found


def main(folders: list[Path], show: bool) -> int:
    totals: Counter[str] = Counter()
    letters = 0
    rows = []
    for folder in folders:
        for path in list_files(folder):
            pages = read_pages(path)
            letter = parse_pages(list(pages), path.name, pages.sha)
            letters += 1
            raw = "\n".join(pages)
            closed = set(re.findall(r"[a-zà-ÿ]{4,}", raw.lower()))
            texts = [letter.document.title] + [t for p in letter.passages
                                               for t in (p.question_text, p.answer_text)]
            found = {"hyphen": [], "glued": [], "joined": []}
            for text in texts:
                found["hyphen"] += hyphens(text, closed)
                found["glued"] += glued(text)
            found["joined"] = joined(texts, raw)
            for kind, items in found.items():
                totals[kind] += len(items)
            rows.append((path.name, found))
    print(f"| class | artefacts in {letters} letters |")
    print("|---|---|")
    for kind in ("hyphen", "glued", "joined"):
        print(f"| {kind} | {totals[kind]} |")
    if show:
        for name, found in rows:
            for kind, items in found.items():
                if items:
                    print(f"{name[:40]} {kind}: {', '.join(items)}")
    return 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--list"]
    default = [ROOT / "corpus", ROOT.parent / "shared" / "corpus-real"]
    sys.exit(main([Path(a) for a in args] or default, "--list" in sys.argv[1:]))
