"""References a letter carries and a user may type: kenmerk, zaak, Aanhangsel, law articles.

Both sides use these functions: the store records each letter's keys and each passage's
cited articles when it is written; the search parses the same shapes out of a question.
"""

from __future__ import annotations

import re

from ..documents import Document

# Law codes as letters cite them, mapped to one short name.
CODES = {
    "sr": "sr", "wvsr": "sr", "wetboek van strafrecht": "sr",
    "sv": "sv", "wvsv": "sv", "wetboek van strafvordering": "sv",
    "bw": "bw", "burgerlijk wetboek": "bw", "awb": "awb", "dsa": "dsa", "avg": "avg",
    "grondwet": "gw", "gw": "gw", "evrm": "evrm", "wpg": "wpg", "wjsg": "wjsg",
}  # fmt: skip
CODE_ALT = "|".join(sorted((re.escape(c) for c in CODES), key=len, reverse=True))
ARTICLE_NO = r"(\d+[a-z]{0,3})"
# In a letter: "artikel 125p Sv", "artikel 139h, tweede lid, onder b, Sr", "126naSv",
# "125p van het Wetboek van Strafvordering", "artikel 58 DSA", "artikel 16 (dat …)".
_TEXT_ARTICLE = re.compile(
    rf"\b(?:artikel|art\.)\s*{ARTICLE_NO}(?=\W|[A-Z])((?:,\s*(?:[a-z]+\s+lid|onder\s+[a-z0-9]+)"
    rf")*)(?:,?\s*(?:van\s+(?:de|het)\s+)?({CODE_ALT})(?![a-z]))?",
    re.IGNORECASE)  # fmt: skip
_BARE_TEXT_ARTICLE = re.compile(r"\b(\d+[a-z]{0,3})\s*(Sr|Sv)\b")  # "125p Sv", "126naSv"

Article = tuple[str, "str | None"]  # (number, code); code None when the text omits it

OFFICIAL_BASE = "https://zoek.officielebekendmakingen.nl/"
# "ah-tk-20162017-1603" (Tweede Kamer) or "ah-ek-20182019-2" (Eerste Kamer).
OFFICIAL_ID_RE = re.compile(r"^ah-(tk|ek)-(\d{4})(\d{4})-(\d+)$")


def official_url(ah_id: str | None) -> str | None:
    """The official publication page of an Aanhangsel id, or None for anything else."""
    if not ah_id:
        return None
    ah_id = ah_id.strip().lower()
    return f"{OFFICIAL_BASE}{ah_id}.html" if OFFICIAL_ID_RE.match(ah_id) else None


def document_url(document: Document) -> str | None:
    """The official link of a letter, for citations: only a full id gives one.

    Letters added from files often say only "AH 594", which lacks the year; those get
    no link rather than a guessed one.
    """
    return official_url(document.aanhangsel)


def norm_id(ref: str) -> str:
    """A reference as compared: lower case, without spaces, dashes, dots, underscores."""
    return re.sub(r"[\s\-_.]", "", ref.lower())


def document_keys(doc: Document) -> set[str]:
    """The normalised references a user may type for a letter."""
    keys = {norm_id(k) for k in (doc.ons_kenmerk, doc.uw_kenmerk, doc.aanhangsel) if k}
    if doc.aanhangsel:  # "ah-tk-20242025-594" is also cited as "AH 594"
        number = re.search(r"(\d+)$", doc.aanhangsel)
        if number:
            keys.add("ah" + number.group(1))
    return keys


def cited_articles(text: str) -> set[Article]:
    """(number, code) of every article cited in text; code None when the text omits it."""
    found: set[Article] = set()
    for number, _, code in _TEXT_ARTICLE.findall(text):
        found.add((number.lower(), CODES[code.lower()] if code else None))
    for number, code in _BARE_TEXT_ARTICLE.findall(text):
        found.add((number.lower(), code.lower()))
    return found
