"""officielebekendmakingen SRU 2.0 (repository.overheid.nl/sru): list Kamervragen (Aanhangsel).

Shapes come from the recorded captures (fixtures/open-data/sru): the envelope
`searchRetrieveResponse` → `numberOfRecords`, `records/record/recordData`, `recordPosition`,
`nextRecordPosition`; a `gzd` record with `originalData/meta/{owmskern, owmsmantel, tpmeta}`
and `enrichedData/{url, preferredUrl, itemUrl@manifestation, timestamp}`; errors as
`diagnostics/diagnostic/{uri, details, message}`. The SRU 2.0 capture had its namespace
prefixes stripped and the SRU 1.2 capture uses other namespaces, so elements are matched by
local name only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from .http import FetchError, PoliteClient

DEFAULT_SRU_URL = "https://repository.overheid.nl/sru"
ANSWERS_QUERY = ('c.product-area==officielepublicaties AND '
                 'w.publicatienaam=="Kamervragen (Aanhangsel)"')  # fmt: skip


@dataclass
class SruRecord:
    """What the importer needs from one gzd record."""

    identifier: str  # e.g. ah-tk-20142015-1130
    title: str | None = None
    date: str | None = None  # ISO date (owmsmantel date / issued / available)
    version: str = ""  # enrichedData timestamp, else modified, else date
    xml_url: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # tpmeta by lower-case name

    @property
    def external_id(self) -> str:
        return f"ob:{self.identifier}"


@dataclass
class SruPage:
    records: list[SruRecord]
    total: int | None
    next_position: int | None


def query(since: date | None, until: date | None, after: str | None) -> str:
    """CQL for answers in a date range, oldest first; `after` is a checkpoint date."""
    parts = [ANSWERS_QUERY]
    start = max(filter(None, [since.isoformat() if since else None, after]), default=None)
    if start:
        parts.append(f"dt.date>={start}")
    if until:
        parts.append(f"dt.date<={until.isoformat()}")
    return " AND ".join(parts) + " sortBy dt.date/sort.ascending"


def parse_xml(data: bytes) -> Element:
    """Parse XML from the network safely (no entities, no external references)."""
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise FetchError(f"refused unsafe XML ({type(exc).__name__})", transient=False) from exc
    except SafeET.ParseError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from exc


def parse_page(data: bytes) -> SruPage:
    """One searchRetrieve response. Raises FetchError for an SRU diagnostic."""
    root = parse_xml(data)
    diagnostic = _find(root, "diagnostic")
    if diagnostic is not None or local(root.tag) == "diagnostics":
        diagnostic = diagnostic if diagnostic is not None else root
        text = " – ".join(filter(None, [_text(diagnostic, "message"),
                                        _text(diagnostic, "details")]))  # fmt: skip
        raise FetchError(f"SRU error: {text or 'diagnostic without message'}", transient=False)
    if local(root.tag) != "searchRetrieveResponse":
        raise ValueError(f"expected searchRetrieveResponse, got <{local(root.tag)}>")
    records = [read_record(r) for r in _findall(root, "record")]
    total = _int(_text(root, "numberOfRecords"))
    return SruPage([r for r in records if r], total, _int(_text(root, "nextRecordPosition")))


def read_record(record: Element) -> SruRecord | None:
    """An SruRecord from one `record`, or None when it has no identifier."""
    kern, mantel = _find(record, "owmskern"), _find(record, "owmsmantel")
    tp, enriched = _find(record, "tpmeta"), _find(record, "enrichedData")
    identifier = _text(kern, "identifier")
    if not identifier:
        return None
    urls = {item.get("manifestation", ""): (item.text or "").strip()
            for item in _findall(enriched, "itemUrl")}  # fmt: skip
    plain = _text(enriched, "url")
    xml_url = urls.get("xml") or (plain if plain and plain.endswith(".xml") else None)
    day = _text(mantel, "date") or _text(mantel, "issued") or _text(mantel, "available")
    version = _text(enriched, "timestamp") or _text(kern, "modified") or day or ""
    fields = {local(child.tag).lower(): (child.text or "").strip()
              for child in (tp if tp is not None else []) if (child.text or "").strip()}
    return SruRecord(identifier=identifier.strip(), title=_text(kern, "title"),
                     date=_iso_day(day), version=version, xml_url=xml_url,
                     fields=fields)  # fmt: skip


def iter_records(client: PoliteClient, sru_url: str, since: date | None, until: date | None,
                 after: str | None, page_size: int = 50,
                 on_total: Callable[[int | None], None] | None = None,
                 ) -> Iterator[SruRecord]:  # fmt: skip
    """Every record of the answers query, paging with startRecord; `on_total` hears the
    number of matching records once. A page that brings no record not listed before ends
    the listing with a FetchError: a server that serves one page for every position would
    otherwise be asked without end."""
    position = 1
    cql = query(since, until, after)
    listed: set[str] = set()
    while True:
        params = {"operation": "searchRetrieve", "version": "2.0", "query": cql,
                  "startRecord": position, "maximumRecords": page_size,
                  "recordSchema": "gzd"}  # fmt: skip
        page = client.get_parsed(sru_url, params, parse_page)
        if on_total is not None and position == 1:
            on_total(page.total)
        if not page.records:
            return
        new = [r for r in page.records if r.identifier not in listed]
        if not new:
            raise FetchError(f"{sru_url}: the listing makes no progress (the page at "
                             f"startRecord={position} holds only records listed already)",
                             transient=False)  # fmt: skip
        listed.update(r.identifier for r in new)
        yield from new
        nxt = page.next_position
        if nxt is None and page.total is not None and position + len(page.records) <= page.total:
            nxt = position + len(page.records)
        if nxt is None or nxt <= position:
            return
        position = nxt


def _iso_day(text: str | None) -> str | None:
    """YYYY-MM-DD from the start of a date or timestamp, or None: the day is the checkpoint
    and goes into the next query, so only a real date is kept."""
    day = (text or "")[:10]
    try:
        date.fromisoformat(day)
    except ValueError:
        return None
    return day if len(day) == 10 else None


def local(tag: str) -> str:
    """`{namespace}name` or `prefix:name` → `name`."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _find(node: Element | None, name: str) -> Element | None:
    if node is None:
        return None
    return next((el for el in node.iter() if local(el.tag) == name), None)


def _findall(node: Element | None, name: str) -> list[Element]:
    return [] if node is None else [el for el in node.iter() if local(el.tag) == name]


def _text(node: Element | None, name: str) -> str | None:
    found = _find(node, name)
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None
