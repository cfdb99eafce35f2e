"""Near-identical answers: ministers repeat an answer across letters, often word for word.

Two answers are near-identical when the sets of their word 5-grams (lower case, words
only: punctuation, numbering and spacing ignored) overlap with a Jaccard similarity of at
least SAME. Shared 5-grams are counted through an inverted index, so each letter is only
compared with the letters that share a phrase with it (linear in practice, where comparing
every pair of 500 letters took seconds). A later letter whose best answer is near-identical
to any matching answer of an earlier one is folded into that earlier letter's
`repeated_in` (dates ascending; undated letters count as the latest).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .record import Letter

SHINGLE = 5  # words per shingle
SAME = 0.8  # Jaccard similarity from which two answers are the same answer
_WORD = re.compile(r"\w+")


def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


def shingles(text: str) -> set[int]:
    """Hashes of the text's word 5-grams (the whole text when it is shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return {hash(tuple(words))} if words else set()
    return {hash(tuple(words[i:i + SHINGLE])) for i in range(len(words) - SHINGLE + 1)}


def similarity(a: str, b: str) -> float:
    """The Jaccard similarity of two texts' 5-gram sets."""
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y) if x or y else 1.0


def fold(letters: list[Letter]) -> list[Letter]:
    """The letters without those repeating an earlier letter's answer, each earlier letter
    listing its repeats (oldest first) in `repeated_in`."""
    ordered = sorted(letters, key=lambda x: (x.document.date is None, x.document.date or "",
                                             x.document.doc_id))  # fmt: skip
    postings: dict[int, list[int]] = defaultdict(list)  # shingle → answers of kept letters
    sizes: list[int] = []
    owner: list[Letter] = []
    kept: list[Letter] = []
    same: dict[tuple[str, ...], Letter] = {}  # answers word for word (the common repeat)
    for letter in ordered:
        text = letter.hits[0].passage.answer_text if letter.hits else ""
        exact = same.get(words(text))
        if exact is not None:
            exact.repeated_in.append(letter.document)
            continue
        mine = shingles(text)
        shared: Counter[int] = Counter()
        for s in mine:
            for a in postings.get(s, ()):
                shared[a] += 1
        twin = next((owner[a] for a, n in shared.most_common()
                     if n / (len(mine) + sizes[a] - n) >= SAME), None)  # fmt: skip
        if twin is not None:
            twin.repeated_in.append(letter.document)
            continue
        kept.append(letter)
        for hit in letter.hits:
            same.setdefault(words(hit.passage.answer_text), letter)
            a = len(sizes)
            answer = shingles(hit.passage.answer_text)
            sizes.append(len(answer))
            owner.append(letter)
            for s in answer:
                postings[s].append(a)
    return kept
