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
  ("implementerende") stay whole; or, when wordfreq does not know it at all, into an
  inflected adjective and a common word ("individuelecliënten"): Dutch closes compounds
  of nouns, never of an inflected adjective, except lexicalised ones wordfreq knows
  ("hogeschool"). Capitalised tokens (names: "Nieuwegein") are never split that way;
- a day glued to its month ("BioScience8 oktober") gets its space back, and a footnote
  number left glued to a common word ("wetenschappers2 melden") is dropped, unless the
  word is one that takes a number ("artikel2", "groep3": those get a space).
"""

from __future__ import annotations

import re
from functools import lru_cache

COMMON = 3.0  # Zipf: about once per million words
KNOWN = 2.5  # Zipf: rarer, but a real word

# Small words a lost space leaves at the start of a token ("tekunnen", "deNAVO") …
_LEADING = ("de", "het", "een", "en", "van", "te", "in", "op", "om", "met", "aan", "bij",
            "voor", "dat", "die", "dit", "deze", "is", "of", "als", "door", "tot", "naar",
            "over", "zijn", "niet", "ik", "uw", "wordt", "worden", "kunnen", "moet",
            "heeft", "dan", "geen", "zich", "hun", "we")  # fmt: skip
# … and at its end ("kwaliteitvan"). Not "de", "te", "en", "is", "in", …: Dutch words
# end in those letters ("implementerende", "Philis", "nieuwe").
_TRAILING = frozenset(_LEADING) - {"de", "te", "en", "is", "in", "ik", "op", "om", "of", "we"}
# Longer tokens are no glued pair of words (and slicing them at every point would cost
# quadratic time on a hostile file of one endless "word").
_MAX_TOKEN = 40

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
# (Any short word is matched and looked up in a set: an alternation of 40 words tried at
# every word boundary cost a third of a second per MB.)
_GLUED_CAPITAL = re.compile(r"\b([A-Za-z][a-z]{1,5})(?=[A-Z](?:[a-zà-ÿ]{2,}|[A-Z]+)\b)")
_LEADING_ANY_CASE = frozenset(_LEADING) | {w[0].upper() + w[1:] for w in _LEADING}
_GLUED_SENTENCE = re.compile(r"(?<=[a-zà-ÿ]{3})\.(?=[A-Z][a-zà-ÿ]+\s)")
_MONTH = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
          "november|december")  # fmt: skip
# "BioScience8 oktober": a day of the month glued to the word before it.
_GLUED_DATE = re.compile(r"(?<=[A-Za-zà-ÿ])(?=(?:[1-9]|[12]\d|3[01]) (?:" + _MONTH + r")\b)")
# "tot1,5 graden", "er10,4 miljard": a small word glued to the number after it.
_GLUED_NUMBER = re.compile(r"(?<![\w’'@/.\-])([a-z]{2,6})(?=\d)")
_BEFORE_NUMBER = frozenset(_LEADING) | {"er", "nog", "al"}
# "wetenschappers2 melden": a note number (1–30) glued to a lowercase word, followed by
# more sentence, not by a list of numbers ("artikelen2 en 3").
_GLUED_NOTE = re.compile(r"(?<![\w’'@/.\-])([a-zà-ÿ]{5,})([1-9]|[12]\d|30)"
                         r"(?= (?!(?:en|of|tot|t/m|tm|-|–)\b)[a-zà-ÿ])")  # fmt: skip
# Words a number follows ("artikel 2", "groep 3"): glued, they get a space back.
_TAKES_NUMBER = {
    "artikel", "artikelen", "lid", "leden", "vraag", "vragen", "antwoord", "groep",
    "groepen", "fase", "fasen", "bijlage", "hoofdstuk", "paragraaf", "punt", "niveau",
    "stap", "nummer", "pagina", "klasse", "categorie", "week", "ronde", "onderdeel",
    "tabel", "figuur", "schaal", "pijler", "trede", "kwartaal", "tranche", "scenario",
    "variant", "optie", "motie", "amendement", "zone", "box", "regel", "sub", "versie",
    "jaar", "dag", "uur", "graden", "procent", "euro", "miljoen", "miljard",
}  # fmt: skip


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common a word is in Dutch, on the Zipf scale (0: unknown)."""
    from wordfreq import zipf_frequency  # imported when first needed: it takes 0.25 s

    return zipf_frequency(word.lower(), "nl")


def repair_split_words(text: str, vocabulary: set[str]) -> str:
    """Join broken words, then split glued ones (see the module docstring).

    `vocabulary`: the lowercase words of the whole letter, for words no word list has.
    """
    text = _SPLIT_WORD.sub(lambda m: _join(m.group(1), m.group(2), vocabulary), text)
    text = _TOKEN.sub(lambda m: _split(m.group(0), vocabulary), text)
    text = _GLUED_CAPITAL.sub(lambda m: _space_after(m, _LEADING_ANY_CASE), text)
    text = _GLUED_DATE.sub(" ", text)
    text = _GLUED_NUMBER.sub(lambda m: _space_after(m, _BEFORE_NUMBER), text)
    text = _GLUED_NOTE.sub(_unglue_number, text)
    return _GLUED_SENTENCE.sub(". ", text)  # "verergerd.Dit leidt"


def _space_after(match: re.Match[str], words: frozenset[str]) -> str:
    word = match.group(1)
    return word + " " if word in words else word


def _unglue_number(match: re.Match[str]) -> str:
    word, number = match.group(1), match.group(2)
    if word in _TAKES_NUMBER:
        return f"{word} {number}"
    return word if zipf(word) >= COMMON else match.group(0)


def _join(left: str, right: str, vocabulary: set[str]) -> str:
    """`left` alone (the space dropped: joined) or `left ` (kept)."""
    joined = (left + right).lower()
    if len(left) <= 2:
        # "ar tikel": "artikel" occurs in the letter. But not "op de" → "opde", though the
        # letter has that glued form elsewhere: two words stay two words.
        if joined in vocabulary and (left not in _REAL_SHORT or zipf(joined) >= KNOWN):
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


def _split(token: str, vocabulary: set[str]) -> str:
    """A rare or unknown token split after a small word, or before one, or after an
    inflected adjective; else unchanged. `vocabulary`: words the letter uses on their own
    ("onomkeerbare" makes "eenonomkeerbare" split, though wordfreq finds it rare)."""
    low = token.lower()
    known = zipf(low)
    if known >= 2.0 or len(low) > _MAX_TOKEN:
        return token
    best: tuple[float, int] | None = None
    for i in _function_word_splits(low):
        head, tail = low[:i], low[i:]
        if head in _PARTICLES and _participle(tail):
            continue  # "aangezegd": a separable verb, not "aan gezegd"
        word = tail if head in _LEADING else head  # the part that is no function word
        need = max(KNOWN, known + 3)
        if known == 0 and word in vocabulary:
            need = KNOWN  # the letter itself uses the word on its own
        score = min(zipf(head), zipf(tail))
        # A rare glued form ("ikniet", Zipf 1.7) yields to two very common words.
        if score >= need and (best is None or score > best[0]):
            best = (score, i)
    if best is None and known == 0 and token[0].islower():
        best = _adjective_split(low, vocabulary)
    return token if best is None else f"{token[:best[1]]} {token[best[1]:]}"


def _function_word_splits(low: str) -> list[int]:
    """Split points after a leading or before a trailing function word."""
    heads = [len(w) for w in _LEADING if low.startswith(w) and len(low) - len(w) >= 3]
    tails = [len(low) - len(w) for w in _TRAILING
             if low.endswith(w) and len(low) - len(w) >= 3]  # fmt: skip
    return sorted(set(heads + tails))


def _adjective_split(low: str, vocabulary: set[str]) -> tuple[float, int] | None:
    """"individuele|cliënten": an inflected adjective glued to a common word."""
    best: tuple[float, int] | None = None
    for i in range(4, len(low) - 3):
        if low[i - 1] != "e":
            continue
        head, tail = low[:i], low[i:]
        if zipf(head) < COMMON or not _inflected_adjective(head):
            continue
        if zipf(tail) < COMMON and not (tail in vocabulary and zipf(tail) >= 2.0):
            continue
        score = min(zipf(head), zipf(tail))
        if best is None or score > best[0]:
            best = (score, i)
    return best


# Endings of inflected adjectives ("maatschappelijke", "ernstige", "technische",
# "individuele", "nationale", "innovatieve", "duurzame", "komende", "relevante") …
_ADJECTIVE_ENDINGS = ("lijke", "ige", "ische", "ieke", "se", "ele", "ale", "ieve", "bare",
                      "zame", "nde", "ante", "ente", "aire", "ere", "iele")  # fmt: skip
# … past participles used as adjectives ("genoemde", "beoogde", "uitgebreide") …
_PARTICIPLE = re.compile(r"^(?:ge|be|ver|her|ont|uit|op|aan|over|voor)\w*(?:de|te)$")
# … and short common ones. Nouns ending in -e ("waarde", "opname") are none of these.
_SHORT_ADJECTIVES = {
    "alle", "andere", "grote", "goede", "vaste", "dure", "onze", "welke", "enkele", "vele",
    "nieuwe", "hoge", "lage", "oude", "jonge", "kleine", "brede", "lange", "korte", "vrije",
    "hele", "halve", "beide", "concrete", "diverse", "geringe", "zware", "snelle", "sterke",
    "zwakke", "echte", "juiste", "volgende", "vorige", "eerste", "laatste", "beste",
}  # fmt: skip


def _inflected_adjective(word: str) -> bool:
    """"individuele" (individueel), "grote" (groot), "witte" (wit): an adjective ending
    in -e, by its ending or a short list, whose stem, spelled back, is a common word."""
    if word not in _SHORT_ADJECTIVES and (len(word) < 5 or (  # "inde" is no adjective
            not word.endswith(_ADJECTIVE_ENDINGS) and not _PARTICIPLE.match(word))):
        return False
    stem = word[:-1]
    stems = {stem}
    if len(stem) >= 3 and stem[-1] == stem[-2]:
        stems.add(stem[:-1])  # witte → wit
    if len(stem) >= 3 and stem[-2] in "aeou" and stem[-1] not in "aeiouy":
        stems.add(stem[:-1] + stem[-2] + stem[-1])  # grote → groot, individuele → individueel
    stems |= {s[:-1] + {"v": "f", "z": "s"}[s[-1]] for s in list(stems) if s[-1:] in ("v", "z")}
    return any(zipf(s) >= COMMON for s in stems if s != word)
