"""Exact look-ups by reference: a letter, a question in it, or a cited law article.

"vraag 13 van 5236577", "5236577 vraag 13", "2024Z02257", "ah-tk-20242025-594",
"antwoord op vraag 4", "artikel 125p Sv", "art. 285d Sr". A query naming a letter
(kenmerk, zaak or aanhangsel) and/or question numbers matches those passages; one
naming an article matches the passages that cite it. Matches rank before semantic hits.
Letters are looked up in the store; a question number alone (no letter) only picks
among the candidates the other signals found.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..ingest.references import ARTICLE_NO, CODE_ALT, CODES, Article, norm_id
from ..ingest.text import parse_numbers
from ..store.base import Filters, Store

LOOKUP_LIMIT = 500  # passages an article reference may name, at most

# In a query: "artikel 125p Sv", "art. 285d Sr", "article 16 DSA", "art 139h".
_QUERY_ARTICLE = re.compile(
    rf"\b(?:artikel|artikelen|article|art\.?)\s*{ARTICLE_NO}\b(?:[\s,]+(?:(?:van|of)\s+(?:de|het|the)\s+)?"
    rf"({CODE_ALT})\b)?", re.IGNORECASE)  # fmt: skip
_QUESTION = re.compile(
    r"\b(?:vraag|vragen|question|questions)\s*(\d+(?:\s*(?:,|en|and|t/m|-|–)\s*\d+)*)",
    re.IGNORECASE)  # fmt: skip
_TOKEN = re.compile(r"\b[Aa][Hh]\s+\d+\b|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9]")


@dataclass
class Reference:
    """What a query names: letters (doc ids), question numbers, articles."""

    doc_ids: list[str] = field(default_factory=list)
    questions: list[int] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.doc_ids or self.questions or self.articles)


def reference_tokens(query: str) -> list[str]:
    """Normalised tokens of a query that could be a kenmerk, zaak or Aanhangsel reference."""
    out = []
    for token in _TOKEN.findall(query):
        norm = norm_id(token)
        if any(c.isdigit() for c in norm) and len(norm) >= 3 and norm not in out:
            out.append(norm)
    return out


def parse_reference(query: str, keys: Mapping[str, Sequence[str]]) -> Reference:
    """The references in query; letters count only when `keys` (reference → doc ids,
    from `Store.reference_docs`) names them."""
    ref = Reference()
    for norm in reference_tokens(query):
        for doc_id in keys.get(norm, []):
            if doc_id not in ref.doc_ids:
                ref.doc_ids.append(doc_id)
    for match in _QUESTION.finditer(query):
        ref.questions += [n for n in parse_numbers(match.group(1)) if n not in ref.questions]
    for number, code in _QUERY_ARTICLE.findall(query):
        ref.articles.append((number.lower(), CODES[code.lower()] if code else None))
    return ref


def read_reference(query: str, store: Store) -> Reference:
    return parse_reference(query, store.reference_docs(reference_tokens(query)))


def cites(cited: set[Article], wanted: Sequence[Article], strict: bool) -> bool:
    """Does a passage citing `cited` cite one of `wanted`? Strict: the code must match too."""
    for number, code in wanted:
        for n, c in cited:
            if n == number and (code is None or c == code or (not strict and c is None)):
                return True
    return False


def article_matches(store: Store, ref: Reference, filters: Filters) -> list[int]:
    """Passages citing the query's articles. A citation naming number and code wins;
    "artikel 22" inside a list of DSA articles names no code, so it counts only when no
    passage names both."""
    scope = Filters(ref.doc_ids or filters.doc_ids, filters.date_from, filters.date_to)
    cited = store.article_passages(ref.articles, scope, LOOKUP_LIMIT)
    strict = [k for k, arts in cited.items() if cites(arts, ref.articles, strict=True)]
    return strict or [k for k, arts in cited.items() if cites(arts, ref.articles, strict=False)]


@dataclass
class Missing:
    """Question numbers a query asks of an indexed letter that has no such questions."""

    letter: str  # the letter's reference as cited (kenmerk, zaak or Aanhangsel id)
    asked: list[int]
    has: list[int]  # the question numbers the letter has, in order

    def text(self, lang: str = "en") -> str:
        """One sentence in the page's language: the letter exists, the questions do not."""
        asked = ", ".join(str(n) for n in self.asked)
        has = _numbers_text(self.has)
        if lang == "nl":
            held = f"; de brief heeft {len(self.has)} vragen ({has})" if self.has else ""
            word = "vraag" if len(self.asked) == 1 else "vragen"
            return f"Niet gevonden: brief {self.letter} is geïndexeerd, maar heeft geen {word} " \
                f"{asked}{held}."  # fmt: skip
        held = f"; it has {len(self.has)} questions ({has})" if self.has else ""
        word = "question" if len(self.asked) == 1 else "questions"
        return f"Not found: letter {self.letter} is indexed but has no {word} {asked}{held}."


def missing_questions(query: str, store: Store) -> Missing | None:
    """What a query such as "vraag 99 van 5236577" names that the index lacks: the letter
    is indexed, none of the asked question numbers is in it. None when the query names no
    letter and question, or a named letter has one of them."""
    ref = read_reference(query, store)
    if not ref.doc_ids or not ref.questions:
        return None
    best: tuple[str, list[int]] | None = None
    for doc_id in ref.doc_ids:
        row = store.document(doc_id)
        if row is None:
            continue
        numbers = set(row.questions_numbered)
        numbers.update(n for passage in store.letter(doc_id) for n in passage.questions)
        if numbers & set(ref.questions):
            return None
        if best is None or len(numbers) > len(best[1]):  # the answers, not the questions
            best = (row.document.key, sorted(numbers))
    return Missing(best[0], list(ref.questions), best[1]) if best else None


def _numbers_text(numbers: list[int]) -> str:
    """1–17 for a run without gaps, else the numbers (the first ten)."""
    if not numbers:
        return ""
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"{numbers[0]}–{numbers[-1]}"
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (", …" if len(numbers) > 10 else "")
