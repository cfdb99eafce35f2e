"""Listing the Tweede Kamer API: records, filters, paging by nextLink, the official id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import opendata_fixtures as fx
import opendata_replay as replay
import pytest

from assistant.documents import ANSWERS, POSTPONEMENT, QUESTIONS
from assistant.ingest.opendata.aanhangsel import aanhangsel_id, official_url
from assistant.ingest.opendata.http import FetchError, HttpPolicy, PoliteClient
from assistant.ingest.opendata.tk import (
    iter_records,
    list_filter,
    read_record,
    resource_url,
    timestamp_key,
)

pytestmark = pytest.mark.skipif(not fx.available(), reason="../shared fixtures are absent")

TOP3 = fx.TK / "motiematcher_capture_Document_top3_orderby_Id_desc.json"


@pytest.fixture
def client() -> Iterator[PoliteClient]:
    with PoliteClient(HttpPolicy(timeout=5, retries=2, backoff=0.01, rate=0)) as c:
        yield c


def test_captured_record_reads_as_an_answer() -> None:
    answer, tombstone, letter = json.loads(TOP3.read_text())["data"]["value"]
    record = read_record(answer)
    assert (record.kind, record.nummer, record.date) == (ANSWERS, "2017D09969", "2017-04-12")
    assert record.aanhangsel == "ah-tk-20162017-1603"
    assert record.questioner == "Van Raak en Futselaar"
    assert record.version == "2024-02-19T10:56:03.63+01:00"  # GewijzigdOp
    assert record.changed == "2024-02-20T23:21:37.6723228Z"  # ApiGewijzigdOp
    assert record.external_id == "tk:41e85593-d544-4c13-a74b-ffffff5d0cdc"
    gone = read_record(tombstone)
    assert gone.deleted and gone.kind is None
    assert read_record(letter).kind is None  # "Brief regering" is not asked for


@pytest.mark.parametrize("nummer, expected", [
    ("161701603", "ah-tk-20162017-1603"),
    ("252600134", "ah-tk-20252026-134"),
    ("242502978", "ah-tk-20242025-2978"),
    ("242510123", "ah-tk-20242025-10123"),  # ≥ 10000: keeping 4 digits would give 123
    ("990000017", "ah-tk-19992000-17"), ("991000017", None),
    ("161700000", None), ("16171", "ah-tk-20162017-1"), ("1699123", None), ("", None),
])  # fmt: skip
def test_official_id_keeps_the_whole_sequence(nummer: str, expected: str | None) -> None:
    assert aanhangsel_id(nummer) == expected


def test_official_url_rule() -> None:
    assert official_url("ah-tk-20242025-10123") == \
        "https://zoek.officielebekendmakingen.nl/ah-tk-20242025-10123.html"  # fmt: skip
    assert official_url("AH 594") is None and official_url(None) is None


def test_every_captured_aanhangselnummer_matches_its_vergaderjaar() -> None:
    numbered = [r for r in fx.documents() if r.get("Aanhangselnummer")]
    assert len(numbered) >= 100
    for raw in numbered:
        ah_id = read_record(raw).aanhangsel
        assert ah_id and ah_id.split("-")[2] == raw["Vergaderjaar"].replace("-", ""), raw
        assert ah_id.endswith("-" + str(int(raw["Aanhangselnummer"][4:])))


def test_timestamps_order_by_moment_not_by_text() -> None:
    # Six and seven fraction digits, and local offsets: string order gets these wrong.
    assert timestamp_key("2025-09-23T08:10:17.601937Z") < \
        timestamp_key("2025-09-23T08:10:17.6019371Z")  # fmt: skip
    assert timestamp_key("2025-09-29T10:25:52.173+02:00") < \
        timestamp_key("2025-09-29T08:25:53Z")  # fmt: skip


def test_filter_asks_for_the_four_soorten_in_a_widened_date_range() -> None:
    text = list_filter(date(2017, 1, 1), date(2017, 12, 31), None, deleted=False)
    for soort in ("Antwoord schriftelijke vragen", "Antwoord schriftelijke vragen (nader)",
                  "Mededeling (uitstel antwoord)", "Schriftelijke vragen"):  # fmt: skip
        assert f"Soort eq '{soort}'" in text
    assert "Datum ge 2016-12-31T00:00:00Z" in text and "Datum lt 2018-01-02T00:00:00Z" in text
    assert text.endswith("Verwijderd eq false")
    sync = list_filter(None, None, "2025-09-22T06:59:49.7730768Z", deleted=True)
    assert sync.startswith("ApiGewijzigdOp ge 2025-09-22T06:59:49.7730768Z and "
                           "(Verwijderd eq true or ")


def test_listing_follows_next_links_and_finds_every_document(client: PoliteClient) -> None:
    with replay.ReplayServer(page_size=40) as server:
        records = list(iter_records(client, server.tk_url, None, None, None))
        expected = fx.relevant(server.data.documents)
        pages = server.requests("list")
    assert len(expected) == 166  # 74 answers, 63 questions, 29 postponements
    assert sorted(r.id for r in records) == sorted(r["Id"] for r in expected)
    assert [timestamp_key(r.changed) for r in records] == \
        sorted(timestamp_key(r.changed) for r in records)  # fmt: skip
    assert len(pages) == 5  # 166 records in pages of 40
    kinds = [r.kind for r in records]
    assert (kinds.count(ANSWERS), kinds.count(QUESTIONS), kinds.count(POSTPONEMENT)) == \
        (74, 63, 29)  # fmt: skip


def test_listing_keeps_to_the_local_date_range(client: PoliteClient) -> None:
    with replay.ReplayServer() as server:
        records = list(iter_records(client, server.tk_url, date(2025, 9, 19),
                                    date(2025, 9, 19), None))  # fmt: skip
        expected = [r for r in fx.relevant(server.data.documents)
                    if r["Datum"].startswith("2025-09-19")]  # fmt: skip
    # Datum is local midnight ("2025-09-19T00:00:00+02:00"): a UTC bound would lose them.
    assert len(expected) > 30
    assert sorted(r.id for r in records) == sorted(r["Id"] for r in expected)


def test_a_change_while_paging_loses_no_document(client: PoliteClient) -> None:
    """A record changed mid-listing moves to the end of the order; paging by $skip would
    then step over its neighbour. Listing again from the newest timestamp does not."""
    with replay.ReplayServer(page_size=20) as server:
        seen = []
        for record in iter_records(client, server.tk_url, None, None, None):
            seen.append(record)
            if len(seen) == 5:
                server.data.touch(seen[1].nummer or "")
        expected = {r["Id"] for r in fx.relevant(server.data.documents)}
    assert {r.id for r in seen} == expected
    assert len(seen) == len(expected) + 1  # the changed one, listed again at its new place


def test_from_a_checkpoint_tombstones_are_listed_too(client: PoliteClient) -> None:
    with replay.ReplayServer() as server:
        gone = server.data.delete("2025D41471")
        checkpoint = "2025-10-01T00:00:00Z"
        records = list(iter_records(client, server.tk_url, date(2017, 1, 1), None, checkpoint))
    assert [(r.id, r.deleted) for r in records] == [(gone["Id"], True)]


def test_a_listing_that_is_no_odata_fails_clearly(client: PoliteClient) -> None:
    with replay.ReplayServer() as server:
        wrong = server.url + "/sru/"  # a mistaken --tk-url: answers XML, not JSON
        with pytest.raises(FetchError, match=r"invalid JSON"):
            list(iter_records(client, wrong, None, None, None))


def test_resource_url_shape() -> None:
    assert resource_url("https://gegevensmagazijn.tweedekamer.nl/OData/v4/2.0", "41e8") == \
        "https://gegevensmagazijn.tweedekamer.nl/OData/v4/2.0/Document(41e8)/resource"
