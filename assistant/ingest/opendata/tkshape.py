"""Is a listed `Document` record shaped as the service's $metadata declares?

The importer reads records from a server it does not trust: a field of the wrong JSON type
(`Datum` a number, `Zaak` a string, `Onderwerp` a list) used to be a traceback that ended
the whole run (issue #25). Here such a record gets one line saying which field is wrong,
so the importer can skip it and keep the rest.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any


class RecordError(ValueError):
    """A record of the wrong shape; the message is one line naming it and its fault."""


# The types $metadata gives Document's properties (fixtures/open-data/tk_odata): Edm.String
# and Edm.DateTimeOffset arrive as JSON text, Edm.Boolean as true/false, a navigation
# collection as a list; any of them may be null.
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_DAY = re.compile(r"^\d{4}-\d\d-\d\d")
_TEXT = ("Soort", "DocumentNummer", "Onderwerp", "Titel", "Datum", "Vergaderjaar",
         "Aanhangselnummer", "ContentType", "GewijzigdOp")  # fmt: skip
_LISTS = ("Zaak", "DocumentActor")


def record_label(raw: Any, position: str) -> str:
    """What to call a record in a message: its DocumentNummer, else its Id, else where it
    stood in the listing."""
    if isinstance(raw, dict):
        for name in ("DocumentNummer", "Id"):
            value = raw.get(name)
            if isinstance(value, str) and value.strip():
                return _one_line(value)[:60]
    return position


def shape(value: Any) -> str:
    """ "a number", "a list", … for a message about a value of the wrong type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the text {_one_line(value)[:30]!r}"
    return "a list" if isinstance(value, list) else "an object"


def check_shape(raw: Any) -> None:
    """Raise RecordError when a record is not shaped as $metadata declares a Document."""
    if not isinstance(raw, dict):
        raise RecordError(f"the record is {shape(raw)}, not an object")
    if not isinstance(raw.get("Id"), str) or not _GUID.match(raw["Id"]):
        raise RecordError(f"Id is {shape(raw.get('Id'))}, not a GUID")
    if not isinstance(raw.get("ApiGewijzigdOp"), str):
        raise RecordError(f"ApiGewijzigdOp is {shape(raw.get('ApiGewijzigdOp'))}, "
                          "not a timestamp")  # fmt: skip
    try:  # a malformed timestamp: it orders everything and is the checkpoint
        timestamp_key(raw["ApiGewijzigdOp"])
    except (ValueError, OverflowError) as exc:
        raise RecordError(f"ApiGewijzigdOp: {exc}") from None
    if raw.get("Verwijderd") is not None and not isinstance(raw["Verwijderd"], bool):
        raise RecordError(f"Verwijderd is {shape(raw['Verwijderd'])}, not true/false")
    if raw.get("Verwijderd"):
        return  # a tombstone: nothing else of it is read
    for name in _TEXT:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise RecordError(f"{name} is {shape(raw[name])}, not text")
    for name in _LISTS:
        if raw.get(name) is not None and not isinstance(raw[name], list):
            raise RecordError(f"{name} is {shape(raw[name])}, not a list")
    if raw.get("Datum") and not _DAY.match(raw["Datum"]):
        raise RecordError(f"Datum is {shape(raw['Datum'])}, not a date")


def timestamp_key(value: str | None) -> tuple[datetime, str]:
    """A sort key for the API's timestamps, whose fractions run to 7 digits and vary in
    length ("…17.601937Z", "…40.2933314Z"): string order would be wrong."""
    if not value:
        return datetime.min.replace(tzinfo=timezone.utc), ""
    match = re.match(r"^(.*?T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$", value.strip())
    if not match:
        raise ValueError(f"not a timestamp: {value!r}")
    zone = match.group(3) or "Z"
    moment = datetime.fromisoformat(match.group(1) + ("+00:00" if zone == "Z" else zone))
    return moment.astimezone(timezone.utc), (match.group(2) or "").ljust(9, "0")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
