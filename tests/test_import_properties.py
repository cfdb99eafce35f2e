"""Property tests (Hypothesis) of the importer's record handling: whatever JSON a listing
holds, each record of the kinds asked for ends as an imported letter or as one skipped
line, and nothing is a traceback (issue #25 item 8).

Two levels. `read_record` on arbitrary JSON: a TkRecord or a RecordError, fast, many
examples. The whole import on a real replay server on 127.0.0.1: records derived from
captured ones (one of each kind, a tombstone, a document of another Soort) with fields
dropped or replaced by arbitrary JSON, served as one listing page; the files behind them
are the replay's real letters for the record each was derived from.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import opendata_fixtures as fx
import opendata_replay as replay
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from opendata_sink import MemorySink
from time_limit import within

from assistant.ingest.opendata import ImportOptions, run_import
from assistant.ingest.opendata.tk import RecordError, TkRecord, read_record

pytestmark = pytest.mark.skipif(not fx.available(), reason="../shared fixtures are absent")

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=6,
)  # fmt: skip
# Strings that are nearly right: what a server gets wrong more often than a type.
NEARLY = st.sampled_from(["", " ", "2025-13-45", "2025-09-24", "2025-09-24T00:00:00+02:00",
                          "gisteren", "Antwoord schriftelijke vragen", "Schriftelijke vragen",
                          "161701603", "2025D41515\n\x1b[31m", "0" * 36,
                          "41e85593-d544-4c13-a74b-ffffff5d0cdc"])  # fmt: skip
VALUES = JSON | NEARLY


def _bases() -> list[dict]:
    """One captured record of each kind the importer asks for, a tombstone and a record of
    another Soort, with Zaak/DocumentActor as the server expands them."""
    records = fx.documents()
    wanted = ["Antwoord schriftelijke vragen", "Schriftelijke vragen",
              "Mededeling (uitstel antwoord)"]  # fmt: skip
    picked = [next(r for r in records if r.get("Soort") == s) for s in wanted]
    picked.append(next(r for r in records if r.get("Verwijderd")))
    picked.append(next(r for r in records if r.get("Soort") and r["Soort"] not in fx.SOORTEN))
    for record in picked:
        record["Zaak"], record["DocumentActor"] = [], []
    return picked


BASES = _bases()
FIELDS = sorted({key for record in BASES for key in record})


@st.composite
def listed_record(draw: st.DrawFn, number: int) -> tuple[Any, str | None]:
    """A record derived from a captured one, some fields dropped or replaced, and the Id
    of that one (its file is served for it); now and then not an object at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON), None
    base = draw(st.sampled_from(BASES))
    record = copy.deepcopy(base)
    record["Id"] = str(draw(st.uuids()))
    if record.get("DocumentNummer"):
        record["DocumentNummer"] = f"2099D{number:05d}"
    record["ApiGewijzigdOp"] = f"2026-01-01T00:00:{number:02d}.1234567Z"
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)):
        if draw(st.booleans()):
            record.pop(name, None)
        else:
            record[name] = draw(VALUES)
    return record, base["Id"]


@st.composite
def listing(draw: st.DrawFn) -> list[tuple[Any, str | None]]:
    return [draw(listed_record(number)) for number in range(draw(st.integers(1, 6)))]


@dataclass
class Replay:
    server: replay.ReplayServer
    page: dict = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def served() -> Iterator[Replay]:
    with replay.ReplayServer() as server:
        state = Replay(server)
        server.answers["list"] = lambda path: (200, json.dumps(state.page).encode(),
                                               "application/json")  # fmt: skip

        def resource(path: str) -> tuple[int, bytes, str]:
            doc_id = path.rsplit("Document(", 1)[-1].split(")", 1)[0]
            found = state.files.get(doc_id)
            return (200, *found) if found else (404, b"", "text/plain")

        server.answers["resource"] = resource
        yield state


FILES: dict[str, tuple[bytes, str] | None] = {}  # base Id → its replay file (made once)


def _labels(raw: dict, number: int) -> set[str]:
    """Every name a line may give this record: its DocumentNummer (as given, or on one line
    and cut to 60), its Id (bare or as tk:…), or its place on the page."""
    names = {f"record {number} of page 1"}
    for key in ("DocumentNummer", "Id"):
        value = raw.get(key)
        if isinstance(value, str):
            names |= {value, " ".join(value.split())[:60], f"tk:{value}"}
    return names


def test_read_record_gives_a_record_or_one_line() -> None:
    @given(JSON | st.fixed_dictionaries({}, optional={name: VALUES for name in FIELDS}))
    @settings(max_examples=600, deadline=None, database=None)
    def check(raw: Any) -> None:
        try:
            record = read_record(raw)
        except RecordError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
        assert isinstance(record, TkRecord) and isinstance(record.id, str)
        assert record.nummer is None or "\n" not in record.nummer

    check()


@given(generated=listing())
@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
def test_every_record_is_imported_or_one_skipped_line(
        served: Replay, generated: list[tuple[Any, str | None]]) -> None:  # fmt: skip
    records = [raw for raw, _ in generated]
    served.page = {"value": records}
    served.files = {}
    for raw, base_id in generated:
        if base_id is not None and isinstance(raw.get("Id"), str):
            if base_id not in FILES:
                FILES[base_id] = served.server.data.resource(base_id)
            if FILES[base_id] is not None:
                served.files[raw["Id"]] = FILES[base_id]
    sink = MemorySink()
    options = ImportOptions(tk_url=served.server.tk_url, rate=0, timeout=5, retries=0)
    report = within(60, run_import, options, sink)
    assert report.error is None
    event(f"imported {min(len(sink.letters), 2)}+, skipped {min(len(report.skipped), 2)}+")
    lines = [s.line() for s in report.skipped]
    assert all(line and "\n" not in line for line in lines), lines
    labels = {s.label for s in report.skipped}
    reported: list[Any] = []  # records with a line: an identical one later needs none
    for number, raw in enumerate(records, 1):
        if raw in reported:
            continue
        if not isinstance(raw, dict):
            assert f"record {number} of page 1" in labels, (raw, lines)
            reported.append(raw)
            continue
        asked = raw.get("Soort") in fx.SOORTEN and raw.get("Verwijderd") is not True
        imported = isinstance(raw.get("Id"), str) and f"tk:{raw['Id']}" in sink.letters
        skipped = bool(_labels(raw, number) & labels)
        if asked:
            assert imported or skipped, (raw, lines)
        if skipped:
            reported.append(raw)
