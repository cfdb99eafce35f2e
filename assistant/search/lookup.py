"""Exact look-ups by reference: a letter, a question in it, or a cited law article.

"vraag 13 van 5236577", "5236577 vraag 13", "2024Z02257", "ah-tk-20242025-594",
"antwoord op vraag 4", "artikel 125p Sv", "art. 285d Sr". A query naming a letter
(kenmerk, zaak or aanhangsel) and/or question numbers matches those passages; one
naming an article matches the passages that cite it. Matches rank before semantic hits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..documents import Document, Passage
from ..ingest.text import parse_numbers

# Law codes as letters cite them, mapped to one short name.
_CODES = {
    "sr": "sr", "wvsr": "sr", "wetboek van strafrecht": "sr",
    "sv": "sv", "wvsv": "sv", "wetboek van strafvordering": "sv",
    "bw": "bw", "burgerlijk wetboek": "bw", "awb": "awb", "dsa": "dsa", "avg": "avg",
    "grondwet": "gw", "gw": "gw", "evrm": "evrm", "wpg": "wpg", "wjsg": "wjsg",
}  # fmt: skip
_CODE_ALT = "|".join(sorted((re.escape(c) for c in _CODES), key=len, reverse=True))
_ARTICLE_NO = r"(\d+[a-z]{0,3})"
# In a query: "artikel 125p Sv", "art. 285d Sr", "article 16 DSA", "art 139h".
_QUERY_ARTICLE = re.compile(
    rf"\b(?:artikel|artikelen|article|art\.?)\s*{_ARTICLE_NO}\b(?:[\s,]+(?:(?:van|of)\s+(?:de|het|the)\s+)?"
    rf"({_CODE_ALT})\b)?", re.IGNORECASE)  # fmt: skip
# In a letter: "artikel 125p Sv", "artikel 139h, tweede lid, onder b, Sr", "126naSv",
# "125p van het Wetboek van Strafvordering", "artikel 58 DSA", "artikel 16 (dat …)".
_TEXT_ARTICLE = re.compile(
    rf"\b(?:artikel|art\.)\s*{_ARTICLE_NO}(?=\W|[A-Z])((?:,\s*(?:[a-z]+\s+lid|onder\s+[a-z0-9]+)"
    rf")*)(?:,?\s*(?:van\s+(?:de|het)\s+)?({_CODE_ALT})(?![a-z]))?",
    re.IGNORECASE)  # fmt: skip
_BARE_TEXT_ARTICLE = re.compile(r"\b(\d+[a-z]{0,3})\s*(Sr|Sv)\b")  # "125p Sv", "126naSv"
_QUESTION = re.compile(
    r"\b(?:vraag|vragen|question|questions)\s*(\d+(?:\s*(?:,|en|and|t/m|-|–)\s*\d+)*)",
    re.IGNORECASE)  # fmt: skip
_TOKEN = re.compile(r"\b[Aa][Hh]\s+\d+\b|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9]")


def _norm_id(ref: str) -> str:
    return re.sub(r"[\s\-_.]", "", ref.lower())


def document_keys(doc: Document) -> set[str]:
    """The normalised references a user may type for a letter."""
    keys = {_norm_id(k) for k in (doc.ons_kenmerk, doc.uw_kenmerk, doc.aanhangsel) if k}
    if doc.aanhangsel:  # "ah-tk-20242025-594" is also cited as "AH 594"
        number = re.search(r"(\d+)$", doc.aanhangsel)
        if number:
            keys.add("ah" + number.group(1))
    return keys


@dataclass
class Reference:
    """What a query names: letters (doc ids), question numbers, articles."""

    doc_ids: list[str] = field(default_factory=list)
    questions: list[int] = field(default_factory=list)
    articles: list[tuple[str, str | None]] = field(default_factory=list)  # (number, code)

    def __bool__(self) -> bool:
        return bool(self.doc_ids or self.questions or self.articles)


def reference_keys(documents: list[Document]) -> dict[str, list[str]]:
    """Normalised reference → doc ids, for `parse_reference`."""
    keys: dict[str, list[str]] = {}
    for doc in documents:
        for key in document_keys(doc):
            keys.setdefault(key, []).append(doc.doc_id)
    return keys


def parse_reference(query: str, documents: list[Document] | dict[str, list[str]]) -> Reference:
    """The references in query; letters must be among `documents` (or their keys) to count."""
    keys = documents if isinstance(documents, dict) else reference_keys(documents)
    ref = Reference()
    for token in _TOKEN.findall(query):
        norm = _norm_id(token)
        if any(c.isdigit() for c in norm) and len(norm) >= 3:
            for doc_id in keys.get(norm, []):
                if doc_id not in ref.doc_ids:
                    ref.doc_ids.append(doc_id)
    for match in _QUESTION.finditer(query):
        ref.questions += [n for n in parse_numbers(match.group(1)) if n not in ref.questions]
    for number, code in _QUERY_ARTICLE.findall(query):
        ref.articles.append((number.lower(), _CODES[code.lower()] if code else None))
    return ref


def cited_articles(text: str) -> set[tuple[str, str | None]]:
    """(number, code) of every article cited in text; code None when the text omits it."""
    found: set[tuple[str, str | None]] = set()
    for number, _, code in _TEXT_ARTICLE.findall(text):
        found.add((number.lower(), _CODES[code.lower()] if code else None))
    for number, code in _BARE_TEXT_ARTICLE.findall(text):
        found.add((number.lower(), code.lower()))
    return found


class Lookup:
    """Reference matching over one index's passages; article citations cached once."""

    def __init__(self, passages: list[Passage], documents: list[Document]) -> None:
        self.passages = passages
        self._keys = reference_keys(documents)
        self._articles = {p.passage_id: cited_articles(f"{p.question_text}\n{p.answer_text}")
                          for p in passages}  # fmt: skip

    def find(self, query: str) -> list[Passage]:
        """Passages the query names, in letter order; empty when it names none."""
        return self.resolve(query)[1]

    def resolve(self, query: str) -> tuple[Reference, list[Passage]]:
        """The references in query and the passages they name, in letter order."""
        ref = parse_reference(query, self._keys)
        if not ref:
            return ref, []
        found = self.passages
        if ref.doc_ids:
            found = [p for p in found if p.doc_id in ref.doc_ids]
        if ref.questions:
            found = [p for p in found if set(p.questions) & set(ref.questions)]
        if ref.articles:
            # A citation naming number and code wins; "artikel 22" inside a list of DSA
            # articles names no code, so it counts only when no passage names both.
            strict = [p for p in found if self._cites(p, ref.articles, strict=True)]
            found = strict or [p for p in found if self._cites(p, ref.articles, strict=False)]
        return ref, found

    def _cites(self, passage: Passage, wanted: list[tuple[str, str | None]],
               strict: bool) -> bool:  # fmt: skip
        cited = self._articles[passage.passage_id]
        for number, code in wanted:
            for n, c in cited:
                if n == number and (code is None or c == code or (not strict and c is None)):
                    return True
        return False
