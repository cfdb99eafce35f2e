"""Complete a parsed letter with what the open data knows and its text does not say.

The text stays the first source for everything it states; the API fills the gaps (date,
Zaak number as "Uw kenmerk", questioner, minister). The Aanhangsel id is the exception: the
API's is the official id of exactly this document, while a letter often says only "AH 594".
The API also decides the kind (its `Soort` is what the Kamer registered), so a questions
document with answer-like lines is recorded as questions, not indexed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ...documents import ANSWERS, Document, ParsedLetter, Passage
from ..text import sane_date
from .files import DocumentError


@dataclass
class Known:
    """Facts about one document from a listing (TK record or SRU record)."""

    kind: str
    source: str  # what a user recognises: DocumentNummer or the ah-tk id
    title: str | None = None
    date: str | None = None
    aanhangsel: str | None = None
    zaak: str | None = None
    questioner: str | None = None
    party: str | None = None
    minister: str | None = None
    ministry: str | None = None


def complete(letter: ParsedLetter, known: Known) -> ParsedLetter:
    """Fill `letter` from `known` and fit it to the registered kind.

    Raises DocumentError when the API says "answer" but the file holds no answers.
    """
    doc = letter.document
    if known.kind == ANSWERS and not letter.passages:
        raise DocumentError(f"{known.source}: registered as an answer, but the parser found no "
                            f"answers in its file (it reads as {doc.kind})")  # fmt: skip
    untitled = letter.derived_title or doc.title.strip() in ("", doc.source, known.source)
    doc.source = known.source
    doc.kind = known.kind
    if untitled and known.title:
        doc.title = known.title
    doc.date = doc.date or sane_date(known.date)
    doc.uw_kenmerk = doc.uw_kenmerk or known.zaak
    doc.aanhangsel = known.aanhangsel or doc.aanhangsel
    if not doc.questioner:
        doc.questioner, doc.party = known.questioner, doc.party or known.party
    if not doc.minister:
        doc.minister, doc.ministry = known.minister, doc.ministry or known.ministry
    passages = rekey(letter.passages, doc) if known.kind == ANSWERS else []
    return ParsedLetter(doc, passages, letter.questions_numbered, letter.warnings)


def from_listing(known: Known, identity: str) -> ParsedLetter:
    """A questions document or postponement notice known only from its listing (its file
    could not be read): recorded with what the API says, no passages."""
    doc = Document(doc_id=hashlib.sha256(identity.encode()).hexdigest()[:12],
                   title=known.title or known.source, source=known.source, kind=known.kind,
                   date=sane_date(known.date), uw_kenmerk=known.zaak, aanhangsel=known.aanhangsel,
                   questioner=known.questioner, party=known.party, minister=known.minister,
                   ministry=known.ministry)  # fmt: skip
    return ParsedLetter(doc, [])


def rekey(passages: list[Passage], doc: Document) -> list[Passage]:
    """Passage ids follow the document's key (`<key>-q<numbers>`, as the parser makes them);
    filling a kenmerk or the Aanhangsel id can change that key."""
    seen: dict[str, int] = {}
    for passage in passages:
        pid = f"{doc.key}-q{'+'.join(str(n) for n in passage.questions)}"
        count = seen.get(pid, 0)
        seen[pid] = count + 1
        passage.passage_id = pid if not count else f"{pid}-{count + 1}"
        passage.doc_id = doc.doc_id
    return passages
