"""The Tweede Kamer open-data API (OData v4): list answer documents, read their records.

Field names and shapes come from the recorded captures (fixtures/open-data/tk_odata):
`Document` records (`Id`, `Soort`, `DocumentNummer`, `Onderwerp`, `Datum`, `Vergaderjaar`,
`Aanhangselnummer`, `ContentType`, `GewijzigdOp`, `ApiGewijzigdOp`, `Verwijderd`), deleted
records as tombstones (`Verwijderd: true`, every other field null — so a tombstone never
matches a filter on `Soort` or `Datum`), `@odata.context`/`value` pages, and a navigation
property expanded as a list of full records (the `Zaak` → `Document` capture).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urljoin

from ...documents import ANSWERS, POSTPONEMENT, QUESTIONS
from ..metadata import members
from .aanhangsel import aanhangsel_id
from .http import FetchError, PoliteClient
from .http import short_url as _short
from .tkshape import RecordError, check_shape, record_label, shape, timestamp_key

DEFAULT_TK_URL = "https://gegevensmagazijn.tweedekamer.nl/OData/v4/2.0/"

SOORTEN = {
    "Antwoord schriftelijke vragen": ANSWERS,
    "Antwoord schriftelijke vragen (nader)": ANSWERS,
    "Mededeling (uitstel antwoord)": POSTPONEMENT,
    "Schriftelijke vragen": QUESTIONS,
}
# Zaak and DocumentActor are navigation properties of Document in the service's $metadata.
EXPAND = "Zaak,DocumentActor"
ORDER = "ApiGewijzigdOp,Id"

# "Antwoord op vragen van de leden Van Raak en Futselaar over …", "Uitstel beantwoording
# vragen van lid Vermeer over …", "Antwoord op vragen de leden van Baarle en Ergin over …"
_ASKED_BY = re.compile(
    r"\bvragen\s+(?:van\s+)?(?:het\s+|de\s+)?(?:lid|leden)\s+(?:lid\s+)?(?P<who>.+?)"
    r"\s+(?:over|inzake|aan|naar aanleiding)\b",
    re.IGNORECASE,
)


@dataclass
class TkRecord:
    """What the importer needs from one `Document` record."""

    id: str
    deleted: bool
    changed: str  # ApiGewijzigdOp: orders the listing and is the sync checkpoint
    version: str  # GewijzigdOp: changes when the document itself changes
    kind: str | None = None  # answers / questions / postponement, from Soort
    soort: str | None = None
    nummer: str | None = None  # DocumentNummer, e.g. 2017D09969
    title: str | None = None
    date: str | None = None  # ISO date of Datum, as the API states it (local time)
    aanhangsel: str | None = None  # ah-tk id from Aanhangselnummer
    zaak: str | None = None  # Nummer of the linked Zaak, e.g. 2024Z02257
    questioner: str | None = None
    party: str | None = None
    minister: str | None = None
    ministry: str | None = None
    content_type: str | None = None

    @property
    def external_id(self) -> str:
        return f"tk:{self.id}"

    @property
    def label(self) -> str:
        return self.nummer or self.external_id


def read_record(raw: Any) -> TkRecord:
    """A TkRecord from one JSON record. Raises RecordError (a ValueError) for a record not
    shaped as the service's $metadata declares."""
    check_shape(raw)
    changed = raw["ApiGewijzigdOp"]
    record = TkRecord(id=raw["Id"], deleted=bool(raw.get("Verwijderd")), changed=changed,
                      version=raw.get("GewijzigdOp") or changed)  # fmt: skip
    if record.deleted:
        return record
    record.soort = raw.get("Soort")
    record.kind = SOORTEN.get(record.soort or "")
    record.nummer = _one_line(raw.get("DocumentNummer") or "") or None
    record.title = _one_line(raw.get("Onderwerp") or raw.get("Titel") or "") or None
    record.date = (raw.get("Datum") or "")[:10] or None
    record.aanhangsel = aanhangsel_id(raw.get("Aanhangselnummer"), raw.get("Vergaderjaar"))
    record.content_type = raw.get("ContentType")
    record.zaak = _zaak_nummer(raw.get("Zaak"))
    asked = _ASKED_BY.search(record.title or "")
    if asked:
        record.questioner, record.party = members(asked.group("who"))
    record.minister, record.ministry = _answerer(raw.get("DocumentActor"))
    return record


def _zaak_nummer(zaken: Any) -> str | None:
    """The Nummer of the linked questions Zaak (or of the only linked Zaak)."""
    live = [z for z in zaken or [] if isinstance(z, dict) and not z.get("Verwijderd")
            and isinstance(z.get("Nummer"), str) and z["Nummer"].strip()]  # fmt: skip
    asked = [z for z in live if z.get("Soort") == "Schriftelijke vragen"]
    chosen = asked or (live if len(live) == 1 else [])
    return str(chosen[0]["Nummer"]) if chosen else None


def _answerer(actors: Any) -> tuple[str | None, str | None]:
    """Minister (or state secretary) and ministry from expanded DocumentActor rows.

    ASSUMPTION: the captures show DocumentActor's properties (ActorNaam, Functie, …) only in
    $metadata, never a row's values. We take rows whose Functie starts with "minister" or
    "staatssecretaris" and read the ministry from the rest of Functie ("minister van
    Justitie en Veiligheid"); rows of any other shape are ignored.
    """
    who: list[tuple[str, str, str | None]] = []
    for row in actors or []:
        if not isinstance(row, dict) or row.get("Verwijderd") or \
                not isinstance(row.get("ActorNaam"), str) or not row["ActorNaam"].strip():
            continue
        match = re.match(r"\s*(minister(?:-president)?|staatssecretaris)\b\s*(?:(?:van|voor)"
                         r"\s+(?P<ministry>.+))?", str(row.get("Functie") or ""), re.I)  # fmt: skip
        if match:
            ministry = match.group("ministry")
            who.append((match.group(1).lower(), _one_line(str(row["ActorNaam"])),
                        _one_line(ministry) if ministry else None))  # fmt: skip
    if not who:
        return None, None
    minister = " en ".join(f"{role} {name}" for role, name, _ in who)
    ministries = [m for _, _, m in who if m]
    return minister, "; ".join(dict.fromkeys(ministries)) or None


def list_filter(since: date | None, until: date | None, after: str | None,
                deleted: bool) -> str:  # fmt: skip
    """The $filter for answer documents, widened by a day on each side of the date range.

    `Datum` carries a local offset (+01:00/+02:00), so a bound in UTC would cut off the first
    day; `in_range` applies the exact bounds to the API's own date. `deleted` lets
    tombstones through (they carry no Soort or Datum): a sync needs them, a first import not.
    """
    soort = " or ".join(f"Soort eq {_literal(s)}" for s in SOORTEN)
    wanted = [f"({soort})"]
    if since:
        wanted.append(f"Datum ge {_utc(since - timedelta(days=1))}")
    if until:
        wanted.append(f"Datum lt {_utc(until + timedelta(days=2))}")
    since_checkpoint = [f"ApiGewijzigdOp ge {after}"] if after else []
    if not deleted:
        return " and ".join([*since_checkpoint, *wanted, "Verwijderd eq false"])
    return " and ".join([*since_checkpoint, f"(Verwijderd eq true or ({' and '.join(wanted)}))"])


def in_range(record: TkRecord, since: date | None, until: date | None) -> bool:
    """The exact date range, on the API's local date (tombstones always pass; without a
    range, so does a record without a date)."""
    if record.deleted:
        return True
    if record.kind is None:
        return False
    if not record.date:
        return not since and not until
    return (not since or record.date >= since.isoformat()) and \
        (not until or record.date <= until.isoformat())  # fmt: skip


@dataclass
class BadRecord:
    """A listed record of the wrong shape: skipped with this line, the listing goes on."""

    label: str
    reason: str


def iter_records(client: PoliteClient, base_url: str, since: date | None, until: date | None,
                 after: str | None, withdrawn: bool | None = None,
                 ) -> Iterator[TkRecord | BadRecord]:  # fmt: skip
    """Every matching record in ApiGewijzigdOp order, from the checkpoint `after` on
    (tombstones included then, or when `withdrawn` says so: a document imported before may
    since have been deleted). Records of the wrong shape come as BadRecord.

    `@odata.nextLink` says whether more pages follow. Instead of the link's $skip we ask
    again from the newest ApiGewijzigdOp seen: a record changed while we page moves to the
    end of the order, and a $skip would then silently step over its neighbour. Only a page
    without new records (all of one timestamp, listed already) makes us follow the link.

    The server is not trusted: a record is new when this run has not listed it at this
    version (Id and ApiGewijzigdOp), wherever the server puts it, and the listing stops
    with a FetchError when paging goes round in circles (see `_Progress`).
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    collection = urljoin(base, "Document")
    deleted = after is not None if withdrawn is None else withdrawn
    floor: str | None = after
    at_floor = 0  # records listed at timestamp `floor`
    listed: set[int] = set()  # hashes of (Id, ApiGewijzigdOp) listed in this run
    progress = _Progress()
    url: str = collection
    params: dict[str, str] | None = _params(since, until, floor, deleted)
    while True:
        page = client.get_json(url, params)
        rows = page.get("value")
        if not isinstance(rows, list):
            raise FetchError(f"{url}: the response has no 'value' list (is --tk-url the "
                             "OData v4 service root?)", transient=False)  # fmt: skip
        fresh = new = 0
        for number, raw in enumerate(rows, 1):
            where = f"record {number} of page {progress.pages + 1}"
            try:
                record = read_record(raw)
            except RecordError as exc:
                if progress.first_sight(raw):
                    new += 1
                    yield BadRecord(record_label(raw, where), str(exc))
                continue
            key = timestamp_key(record.changed)
            mark = hash((record.id, key))
            if mark in listed:
                continue  # listed already: the page restarted at its timestamp
            listed.add(mark)
            fresh += 1
            if floor is None or key > timestamp_key(floor):
                floor, at_floor = record.changed, 0
            at_floor += key == timestamp_key(floor)
            if record.kind and not record.date and (since or until):
                yield BadRecord(record.label, "Datum is missing: cannot tell whether it falls "
                                "within --since/--until")  # fmt: skip
            elif in_range(record, since, until):
                yield record
        link = page.get("@odata.nextLink")
        if not link:
            return
        if not isinstance(link, str):
            raise FetchError(f"{url}: @odata.nextLink is {shape(link)}, not a URL",
                             transient=False)  # fmt: skip
        try:
            following = urljoin(base, link)
        except ValueError as exc:  # "http://[::1": urljoin cannot even split it
            raise FetchError(f"{_short(url)}: @odata.nextLink {link[:60]!r} is not a URL "
                             f"({exc})", transient=False) from None  # fmt: skip
        progress.page(fresh + new, at_floor, following if not fresh else None, url)
        if fresh:
            url, params = collection, _params(since, until, floor, deleted)
        else:
            url, params = following, None


class _Progress:
    """Stops a listing whose paging goes round in circles.

    Pages after the first new-free one are a traversal of records already listed at the
    current position (all of one timestamp): a correct server brings at most as many of
    those as were listed there, each through a link not followed before. A nextLink met
    again before anything new, or more old records in a row than that, is a server going
    round in circles (one that linked its page to itself was asked 2,264 times).
    """

    def __init__(self) -> None:
        self.pages = 0
        self.links: set[str] = set()  # nextLinks followed since the last new record
        self.stale = 0  # pages' worth of old records in a row since the last new record
        self.shapes: set[str] = set()  # bad records already reported

    def first_sight(self, raw: Any) -> bool:
        """True the first time a bad record is met (a repeated one is no progress)."""
        try:
            text = json.dumps(raw, sort_keys=True)
        except (TypeError, ValueError):
            text = repr(raw)
        fingerprint = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
        known = fingerprint in self.shapes
        self.shapes.add(fingerprint)
        return not known

    def page(self, new: int, at_position: int, link: str | None, url: str) -> None:
        self.pages += 1
        if new:
            self.links, self.stale = set(), 0
            return
        self.stale += 1
        if link is not None and link in self.links:
            raise FetchError(f"{_short(url)}: the listing makes no progress (its nextLink "
                             f"leads to a page already read); stopped after {self.pages} "
                             "pages", transient=False)  # fmt: skip
        if self.stale > max(1, at_position):
            raise FetchError(f"{_short(url)}: the listing makes no progress ({self.stale} "
                             f"pages in a row without a new record); stopped after "
                             f"{self.pages} pages", transient=False)  # fmt: skip
        if link is not None:
            self.links.add(link)


def resource_url(base_url: str, document_id: str) -> str:
    """The file of the document's current version."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    return urljoin(base, f"Document({document_id})/resource")


def _params(since: date | None, until: date | None, after: str | None,
            deleted: bool) -> dict[str, str]:  # fmt: skip
    return {"$filter": list_filter(since, until, after, deleted), "$orderby": ORDER,
            "$expand": EXPAND}  # fmt: skip


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _utc(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
