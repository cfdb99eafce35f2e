"""Mending words a PDF extractor split or glued at line ends.

Extracted letters contain "me ldt" and "plaatsvin den" (a word broken where the printed
line broke) and "tekunnen", "hetkabinet", "deNAVO" (a line join that lost its space).
Both hurt: a reader sees garbage, and neither BM25 nor the embedding model knows the
word. A word is judged by how common it is in Dutch (wordfreq's Zipf scale: 7 ≈ "de",
3 ≈ once per million words, 0 = unknown) and by whether it occurs elsewhere in the same
letter (`vocabulary`). Only clear cases are changed:

- two fragments are joined when one of them is no word and the joined form is a common
  word (a one- or two-letter fragment also when the letter has the joined form);
- an unknown token is split only into a small function word ("te", "het", "van", …) and
  a known word, so compounds ("tussenhandeldiensten") and inflections
  ("implementerende") stay whole.
"""

from __future__ import annotations

import re
from functools import lru_cache

from wordfreq import zipf_frequency

COMMON = 3.0  # Zipf: about once per million words
KNOWN = 2.5  # Zipf: rarer, but a real word

# Small words a lost space leaves at the start of a token ("tekunnen", "deNAVO") …
_LEADING = ("de", "het", "een", "en", "van", "te", "in", "op", "om", "met", "aan", "bij",
            "voor", "dat", "die", "dit", "deze", "is", "of", "als", "door", "tot", "naar",
            "over", "zijn", "niet", "ik", "uw", "wordt", "worden", "kunnen", "moet",
            "heeft", "dan", "geen")  # fmt: skip
# … and at its end ("kwaliteitvan"). Not "de", "te", "en", "is", "in", …: Dutch words
# end in those letters ("implementerende", "Philis").
_TRAILING = frozenset(_LEADING) - {"de", "te", "en", "is", "in", "ik", "op", "om", "of"}

# The rest is a lookahead so a rejected pair ("in ar") leaves "ar tikel" to be tried.
_SPLIT_WORD = re.compile(r"(?<![\w’'])([A-Za-zà-ÿ]{1,15}) (?=([a-zà-ÿ]{2,})\b)")
# Single letters that are words on their own in Dutch letters ("u", "U", "a" in lists…).
_REAL_SHORT = {"u", "U", "a", "e", "i", "o", "'s", "ik", "nu", "nog", "de", "en", "in",
               "op", "te", "is", "er", "al", "om", "of", "na", "zo", "ze", "we", "je",
               "me", "ga", "tv", "EU", "VS", "bv", "ca", "dd", "II", "I"}  # fmt: skip
# Separable-verb particles: "aan" + "gezegd" is one word, "aangezegd".
_PARTICLES = {"aan", "in", "op", "om", "door", "over", "voor", "bij"}
# A whole word: not part of a hyphenated compound, a URL or an e-mail address.
_TOKEN = re.compile(r"(?<![\w’'@/.\-])[A-Za-zà-ÿ]{5,}(?![\w’'@/\-])")
# A small word glued to a capitalised word or an acronym: "uwKamer", "HetIMG".
_GLUED_CAPITAL = re.compile(
    r"\b(" + "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in _LEADING) +
    r")(?=[A-Z](?:[a-zà-ÿ]{2,}|[A-Z]+)\b)")  # fmt: skip
_GLUED_SENTENCE = re.compile(r"(?<=[a-zà-ÿ]{3})\.(?=[A-Z][a-zà-ÿ]+\s)")


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common a word is in Dutch, on the Zipf scale (0: unknown)."""
    return zipf_frequency(word.lower(), "nl")


def repair_split_words(text: str, vocabulary: set[str]) -> str:
    """Join broken words, then split glued ones (see the module docstring).

    `vocabulary`: the lowercase words of the whole letter, for words no word list has.
    """
    text = _SPLIT_WORD.sub(lambda m: _join(m.group(1), m.group(2), vocabulary), text)
    text = _TOKEN.sub(lambda m: _split(m.group(0)), text)
    text = _GLUED_CAPITAL.sub(r"\1 ", text)
    return _GLUED_SENTENCE.sub(". ", text)  # "verergerd.Dit leidt"


def _join(left: str, right: str, vocabulary: set[str]) -> str:
    """`left` alone (the space dropped: joined) or `left ` (kept)."""
    joined = (left + right).lower()
    if len(left) <= 2:
        if joined in vocabulary:  # "ar tikel": "artikel" occurs in the letter
            return left
        if len(left) == 1 and len(right) >= 3 and left not in _REAL_SHORT \
                and right.lower() not in vocabulary:  # fmt: skip
            return left  # "O perationele", "s lechts"
        if left in _REAL_SHORT and zipf(right) > 0:
            return left + " "  # "de ze" may well be two words
    # "me ldt", "plaatsvin den": a fragment that is no word, joined into a common word.
    # (Not into any word the letter uses: it may have "beschikbareonderwijscapaciteit"
    # glued elsewhere.)
    if (zipf(left) == 0 or zipf(right) == 0) and zipf(joined) >= COMMON:
        return left
    return left + " "


def _participle(word: str) -> bool:
    return word.startswith("ge") and word[-1:] in "dt"


def _split(token: str) -> str:
    """A rare or unknown token split after a small word, or before one; else unchanged."""
    low = token.lower()
    if zipf(low) >= 2.0:
        return token
    best: tuple[float, int] | None = None
    for i in range(2, len(low) - 1):
        head, tail = low[:i], low[i:]
        if head in _PARTICLES and _participle(tail):
            continue  # "aangezegd": a separable verb, not "aan gezegd"
        if (head in _LEADING and len(tail) >= 3) or (tail in _TRAILING and i >= 3):
            score = min(zipf(head), zipf(tail))
            # A rare glued form ("ikniet", Zipf 1.7) yields to two very common words.
            if score >= max(KNOWN, zipf(low) + 3) and (best is None or score > best[0]):
                best = (score, i)
    return token if best is None else f"{token[:best[1]]} {token[best[1]:]}"
