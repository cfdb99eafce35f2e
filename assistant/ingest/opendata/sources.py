"""The two routes to the letters, behind one shape: list entries, fetch one as a letter.

`TkSource` lists `Document` records of the Tweede Kamer API and downloads each file
(PDF/DOCX) from `Document(<Id>)/resource`; `SruSource` lists officielebekendmakingen
records and downloads each letter's XML. Each entry carries the checkpoint value that is
safe to store once it (and everything listed before it) has been handled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from ...documents import ANSWERS, ParsedLetter
from ..parse import ParseError
from .aanhangsel import citation_label
from .files import DocumentError, letter_from_bytes
from .fill import Known, complete, from_listing
from .http import FetchError, PoliteClient
from .obxml import parse_answer_xml
from .sru import SruRecord
from .sru import iter_records as sru_records
from .tk import BadRecord, TkRecord, iter_records, resource_url, timestamp_key


@dataclass
class Entry:
    """One listed document: what to do with it and how to name it."""

    external_id: str
    version: str
    cursor: str  # checkpoint value once this entry is handled
    label: str  # what a user recognises: "2017D09969", "ah-tk-20142015-1130"
    title: str
    deleted: bool = False
    record: TkRecord | SruRecord | None = None
    problem: str | None = None  # a record of the wrong shape: skipped with this line


class Source(Protocol):
    name: str

    # `full`: list from the start with withdrawn documents too (the checkpoint is lost)
    def entries(self, after: str | None, full: bool = False) -> Iterator[Entry]: ...

    def valid_checkpoint(self, value: str) -> bool: ...

    def fetch(self, entry: Entry) -> ParsedLetter: ...


class TkSource:
    name = "tk"

    def __init__(self, client: PoliteClient, base_url: str, since: date | None,
                 until: date | None) -> None:  # fmt: skip
        self.client, self.base_url, self.since, self.until = client, base_url, since, until

    def entries(self, after: str | None, full: bool = False) -> Iterator[Entry]:
        for record in iter_records(self.client, self.base_url, self.since, self.until, after,
                                   withdrawn=full or None):  # fmt: skip
            if isinstance(record, BadRecord):
                yield Entry(external_id="", version="", cursor="", label=record.label,
                            title="", problem=record.reason)  # fmt: skip
                continue
            yield Entry(external_id=record.external_id, version=record.version,
                        cursor=record.changed, label=record.label, title=record.title or "",
                        deleted=record.deleted, record=record)  # fmt: skip

    def valid_checkpoint(self, value: str) -> bool:
        """An ApiGewijzigdOp timestamp, as stored after each document."""
        try:
            timestamp_key(value)
        except (ValueError, OverflowError):
            return False
        return bool(value.strip())

    def fetch(self, entry: Entry) -> ParsedLetter:
        """Download and parse the document's file; fill it from the record."""
        record = entry.record
        assert isinstance(record, TkRecord) and record.kind
        known = Known(kind=record.kind, source=record.label, title=record.title,
                      date=record.date, aanhangsel=record.aanhangsel, zaak=record.zaak,
                      questioner=record.questioner, party=record.party,
                      minister=record.minister, ministry=record.ministry)  # fmt: skip
        try:
            response = self.client.get(resource_url(self.base_url, record.id))
            content_type = response.headers.get("Content-Type") or record.content_type
            letter = letter_from_bytes(response.content, content_type, record.label)
        except (DocumentError, FetchError) as exc:
            if record.kind == ANSWERS or getattr(exc, "transient", False):
                raise
            # Questions and postponements are recorded, not indexed: when their file is
            # missing (404) or unreadable, what the listing says is enough.
            return from_listing(known, f"{entry.external_id}@{entry.version}")
        return complete(letter, known)


class SruSource:
    name = "officielebekendmakingen"

    def __init__(self, client: PoliteClient, sru_url: str, since: date | None,
                 until: date | None, on_total: Callable[[int | None], None] | None = None,
                 ) -> None:  # fmt: skip
        self.client, self.sru_url, self.since, self.until = client, sru_url, since, until
        self.on_total = on_total

    def entries(self, after: str | None, full: bool = False) -> Iterator[Entry]:
        # (The search service lists no withdrawn documents: `full` only drops `after`.)
        after = None if full else after
        # The checkpoint is a publication date: records of that day are listed again and
        # skipped as unchanged, so a day cut off by an interruption is never lost.
        for record in sru_records(self.client, self.sru_url, self.since, self.until, after,
                                  on_total=self.on_total):  # fmt: skip
            yield Entry(external_id=record.external_id, version=record.version,
                        cursor=record.date or after or "", label=record.identifier,
                        title=record.title or "", record=record)  # fmt: skip

    def valid_checkpoint(self, value: str) -> bool:
        """A publication date (YYYY-MM-DD), as stored after each document."""
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        return len(value) == 10

    def fetch(self, entry: Entry) -> ParsedLetter:
        record = entry.record
        assert isinstance(record, SruRecord)
        if not record.xml_url:
            raise DocumentError(f"{record.identifier}: the record links no XML manifestation")
        data = self.client.get(record.xml_url).content
        try:
            letter = parse_answer_xml(data, source=record.identifier)
        except ParseError as exc:
            raise DocumentError(str(exc)) from None
        doc = letter.document
        fields = record.fields
        known = Known(kind=doc.kind, source=record.identifier, title=record.title,
                      date=record.date, aanhangsel=doc.aanhangsel,
                      questioner=fields.get("indiener"), minister=fields.get("ontvanger"))
        if record.title and doc.title == citation_label(record.identifier):
            doc.title = record.title  # the XML had no title of its own
        return complete(letter, known)
