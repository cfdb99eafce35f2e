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
  word is one that takes a number ("artikel2", "groep3": those get a space);
- a word hyphenated at a line end and joined with its hyphen kept ("individu-eel",
  "dagpro-gramma", "plaats-vindt") loses the hyphen when the closed form is what the
  letter writes elsewhere, a common word, or a word more common than one of its halves,
  or when the part before the hyphen is no word and ends a word the part after it
  continues ("achtergron-den": "gronden"). Real hyphenated words stay: Dutch puts a
  hyphen after a whole word ("minister-president", "oud-minister", "ICT-systeem") or
  between two vowels that would read as one ("zee-egel", "re-integratie");
- two small words are never joined into a rarer word ("in de" → "inde", "en de" →
  "ende"), though a glued form elsewhere in the letter is such a word.

The word lists below are closed classes (articles, pronouns, prepositions, conjunctions,
adverbs, finite verbs): words that start or end no compound, so a token made of one of
them and a known word is two words. Nouns and adjectives are never on them, nor words
that start compounds: "tussen" and "mijn" ("tussenuitspraak", "mijnschade") split a
token only before a small word ("tussende").
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
            "heeft", "dan", "geen", "zich", "hun", "we",
            # adverbs, conjunctions and finite verbs a line join glued to the next word
            # ("erdaarna", "ganiet", "zeerbelangrijk", "geeftin", "weetwelke")
            "er", "nog", "ook", "zeer", "nu", "zo", "wel", "maar", "dus", "toch", "steeds",
            "vooral", "slechts", "precies", "eerder", "ooit", "altijd", "reeds", "echter",
            "waarin", "waarbij", "waarmee", "waarop", "omdat", "doordat", "zodat", "zoals",
            "welke", "tijdens", "volgens", "namens", "gezien", "ga", "gaat",
            "kan", "kunt", "zal", "zou", "wil", "werd", "mag", "geeft", "blijkt", "volgt",
            "dient", "weet", "doet", "hebben", "moeten", "ervoor", "daarbij", "daarmee",
            "daarna", "hierbij")  # fmt: skip
# … and at its end ("kwaliteitvan", "hebbenzoals", "algemeengeldt"). Not "de", "te", "en",
# "is", "in", …: Dutch words end in those letters ("implementerende", "Philis", "nieuwe");
# nor "al", "wel", "er", "nu", "zo": "totaal", "hoewel", "ander", "menu", "credo"; nor
# verbs that end separable verbs ("toedoet", "aangeeft", "meegaan", "ophebben").
_TRAILING = frozenset(_LEADING) - {
    "de", "te", "en", "is", "in", "ik", "op", "om", "of", "we", "er", "al", "nu", "zo", "wel",
    "ga", "gaat", "geeft", "blijkt", "volgt", "dient", "weet", "doet", "hebben", "moeten",
    "wil"} | {"geldt", "binnen", "samen", "verder", "helemaal", "vervolgens", "uiteindelijk",
              "vanuit"}  # fmt: skip
# Words that take no ending: glued to a small word ("wordtde", "waarinde", "zijnop",
# "altijdte"), the two are two words though the small word is a common word ending.
_NO_ENDING = frozenset(w for w in _LEADING if len(w) >= 4) | {
    "tussen", "tegen", "onder", "altijd", "ervoor", "kunnen", "zijn", "vanuit"}
_SHORT_TAILS = ("de", "het", "een", "te", "en", "in", "op", "om", "of", "is", "er")
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
_GLUED_SENTENCE = re.compile(r"(?:(?<=[a-zà-ÿ]{2})|(?<=\)))\.(?=[A-Z][a-zà-ÿ]+\s)")
# "selectie,plaatsing", "DJI,het": a comma whose space a line join lost (numbers such as
# "1,5" have digits around the comma, so they are no match).
_GLUED_COMMA = re.compile(r"(?:(?<=[A-Za-zà-ÿ]{2})|(?<=\))),(?=[A-Za-zà-ÿ]{2})")
# A whole word (from a space to a space) with such a comma; matched from word starts
# only, so a file of one endless word stays linear.
_COMMA_WORD = re.compile(r"(?<!\S)\S*[A-Za-zà-ÿ)],[A-Za-zà-ÿ]{2}\S*")
_URLISH = re.compile(r"[/@%]|www\.")
# "bevoegdEBI": a common lowercase word glued to an acronym.
_GLUED_ACRONYM = re.compile(r"\b([a-zà-ÿ]{3,})(?=[A-Z]{2,}\b)")
# A word broken at a line end and joined with its hyphen: a lowercase (or capitalised)
# part before the hyphen, a lowercase part after it, neither part of a longer chain
# ("rood-wit-blauw"), a URL or an address.
_HYPHENATED = re.compile(r"(?<![\w’'@/.\-=#%&?~+])([A-Za-zà-ÿ][a-zà-ÿ]+)-([a-zà-ÿ]{2,})"
                         r"(?![\w@/\-=#%&])")  # fmt: skip
# Vowels that would read as one sound when the hyphen goes: Dutch keeps the hyphen there.
_VOWEL_PAIRS = frozenset({"aa", "ae", "ai", "au", "ee", "ei", "eu", "ie", "ii", "ij", "oe", "oi",
                          "oo", "ou", "ui", "uu"})
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
    text = _HYPHENATED.sub(lambda m: _unhyphenate(m.group(1), m.group(2), vocabulary), text)
    text = _SPLIT_WORD.sub(lambda m: _join(m.group(1), m.group(2), vocabulary), text)
    text = _TOKEN.sub(lambda m: _split(m.group(0), vocabulary), text)
    text = _GLUED_ACRONYM.sub(lambda m: m.group(1) + (" " if zipf(m.group(1)) >= COMMON
                                                      else ""), text)  # fmt: skip
    text = _COMMA_WORD.sub(_commas, text)
    text = _GLUED_CAPITAL.sub(lambda m: _space_after(m, _LEADING_ANY_CASE), text)
    text = _GLUED_DATE.sub(" ", text)
    text = _GLUED_NUMBER.sub(lambda m: _space_after(m, _BEFORE_NUMBER), text)
    text = _GLUED_NOTE.sub(_unglue_number, text)
    return _GLUED_SENTENCE.sub(". ", text)  # "verergerd.Dit leidt"


def _commas(match: re.Match[str]) -> str:
    """"selectie,plaatsing" → "selectie, plaatsing"; a URL keeps its commas."""
    word = match.group(0)
    return word if _URLISH.search(word) else _GLUED_COMMA.sub(", ", word)


def _space_after(match: re.Match[str], words: frozenset[str]) -> str:
    word = match.group(1)
    return word + " " if word in words else word


def _unglue_number(match: re.Match[str]) -> str:
    word, number = match.group(1), match.group(2)
    if word in _TAKES_NUMBER:
        return f"{word} {number}"
    return word if zipf(word) >= COMMON else match.group(0)


def _unhyphenate(left: str, right: str, vocabulary: set[str]) -> str:
    """"individu-eel" → "individueel"; "minister-president" stays (module docstring)."""
    low = left.lower()
    closed = low + right
    if len(closed) > _MAX_TOKEN:
        return f"{left}-{right}"
    if closed in vocabulary:  # the letter writes it closed elsewhere ("dagprogramma")
        return left + right
    if low[-1] + right[0] in _VOWEL_PAIRS:  # "zee-egel", "re-integratie"
        return f"{left}-{right}"
    whole = zipf(closed)
    # "plaats-vindt" (plaatsvindt: 4.1), "individu-eel" (4.1 > "eel", 2.5); not
    # "minister-president" (ministerpresident: 2.2, below both halves) or "back-ups".
    if whole >= 3.5 or (whole >= 1.5 and whole > min(zipf(low), zipf(right))):
        return left + right
    if zipf(low) < 1.0 and _continues(low, right):  # "mijnbouwactivitei-ten"
        return left + right
    return f"{left}-{right}"


def _continues(left: str, right: str) -> bool:
    """Whether the end of `left` and the start of `right` make a common word of 5+
    letters across the hyphen ("activitei|ten", "gevange|nis", "transforma|tie")."""
    for i in range(max(0, len(left) - 12), len(left) - 1):
        for j in range(1, min(len(right), 12) + 1):
            word = left[i:] + right[:j]
            if len(word) >= 5 and zipf(word) >= COMMON:
                return True
    return False


def _join(left: str, right: str, vocabulary: set[str]) -> str:
    """`left` alone (the space dropped: joined) or `left ` (kept)."""
    joined = (left + right).lower()
    if len(left) <= 2:
        # "ar tikel": "artikel" occurs in the letter. But not "op de" → "opde", "in de" →
        # "inde" or "en de" → "ende", though the letter has that glued form elsewhere and
        # wordfreq knows it: two words stay two words unless the joined word is nearly as
        # common as the second ("in formatie", "de ze", "er voor"; "ende" is 4 Zipf below
        # "de", "opdat" 3 below "dat").
        if joined in vocabulary and (left not in _REAL_SHORT
                                     or zipf(joined) >= max(KNOWN, zipf(right) - 2)):  # fmt: skip
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
        best = _adjective_split(low, vocabulary) or _loose_tail(low)
    return token if best is None else f"{token[:best[1]]} {token[best[1]:]}"


# Small words that end no Dutch word after a common word: "kabinetis", "plannenom",
# "opleidingof", "klachtop", "daartoein", "gradenal". ("en" and "te" do: "huurwoningen"
# is the plural of "huurwoning", "hoogte" a noun; those two split only after a word
# that takes no ending, see _NO_ENDING.)
_LOOSE_TAILS = ("of", "op", "om", "is", "in", "al")


def _loose_tail(low: str) -> tuple[float, int] | None:
    """"kabinet|is": an unknown token that is a common word and a small word."""
    if low[-2:] in _LOOSE_TAILS and len(low) >= 6 and zipf(low[:-2]) >= COMMON:
        return zipf(low[:-2]), len(low) - 2
    return None


def _function_word_splits(low: str) -> list[int]:
    """Split points after a leading or before a trailing function word, and before a
    small word after a word that takes no ending ("wordt|de")."""
    heads = [len(w) for w in _LEADING if low.startswith(w) and len(low) - len(w) >= 3]
    tails = [len(low) - len(w) for w in _TRAILING
             if low.endswith(w) and len(low) - len(w) >= 3]  # fmt: skip
    small = [len(low) - len(w) for w in _SHORT_TAILS
             if low.endswith(w) and low[: -len(w)] in _NO_ENDING]  # fmt: skip
    return sorted(set(heads + tails + small))


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
    plain = word.replace("ë", "e")  # "financiële" ends like "individuele"
    if word not in _SHORT_ADJECTIVES and (len(word) < 5 or (  # "inde" is no adjective
            not plain.endswith(_ADJECTIVE_ENDINGS) and not _PARTICIPLE.match(word))):
        return False
    stem = word[:-1]
    stems = {stem, stem.replace("ë", "e")}  # financiële → financiel → financieel
    stem = stem.replace("ë", "e")
    if len(stem) >= 3 and stem[-1] == stem[-2]:
        stems.add(stem[:-1])  # witte → wit
    if len(stem) >= 3 and stem[-2] in "aeou" and stem[-1] not in "aeiouy":
        stems.add(stem[:-1] + stem[-2] + stem[-1])  # grote → groot, individuele → individueel
    stems |= {s[:-1] + {"v": "f", "z": "s"}[s[-1]] for s in list(stems) if s[-1:] in ("v", "z")}
    return any(zipf(s) >= COMMON for s in stems if s != word)
