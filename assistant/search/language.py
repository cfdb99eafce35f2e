"""Is a question Dutch or English? A stop-word vote, good enough for short questions.

Used to weigh lexical (Dutch-stemmed) scores and to answer in the user's language.
"""

from __future__ import annotations

import re

_NL = {
    "de", "het", "een", "en", "van", "is", "dat", "die", "in", "op", "te", "zijn", "niet",
    "met", "voor", "er", "wat", "hoe", "waarom", "wie", "welke", "wanneer", "kan", "kunnen",
    "wordt", "worden", "heeft", "hebben", "ook", "door", "bij", "naar", "om", "aan", "als",
    "nog", "geen", "wel", "zo", "u", "ik", "je", "jij", "we", "wij", "ze", "zij", "deze",
    "dit", "dan", "of", "over", "uit", "sinds", "hoeveel", "mag", "moet", "zou", "zal",
    "verboden", "minister", "kabinet", "waar", "al", "zelf", "moeten", "hun", "zich", "onder",
    "tegen", "omdat", "maar", "nu", "alle", "meer", "veel", "artikel", "vraag", "antwoord",
    "wetboek", "wet", "gaat", "komt", "haar", "hem", "mijn", "jullie", "ons", "onze"
}  # fmt: skip
_EN = {
    "the", "a", "an", "and", "of", "is", "that", "in", "on", "to", "be", "not", "with", "for",
    "there", "what", "how", "why", "who", "which", "when", "can", "could", "does", "do", "did",
    "has", "have", "also", "by", "at", "about", "as", "still", "no", "yes", "so", "you", "i",
    "we", "they", "this", "these", "than", "or", "from", "since", "many", "much", "may",
    "must", "would", "will", "banned", "minister", "government", "where", "are", "was", "were",
    "been", "it", "its", "should", "their", "his", "her", "into", "against", "between",
    "because", "but", "all", "more", "very", "any", "law", "question", "answer", "article"
}  # fmt: skip


def detect_language(text: str, default: str = "en") -> str:
    """"nl" or "en" by counting each language's function words; ties give `default`."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    nl = sum(w in _NL for w in words) + sum(w.endswith(("ij", "heid", "lijk")) for w in words)
    # Long words ending in -ing are Dutch compounds ("digitaledienstenverordening").
    en = sum(w in _EN for w in words) + sum(
        w.endswith(("ing", "tion", "ed")) and len(w) <= 12 for w in words)
    if nl == en:
        return default
    return "nl" if nl > en else "en"
