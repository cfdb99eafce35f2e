"""The officielebekendmakingen route: SRU listing and XML letters, and the real captures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import opendata_fixtures as fx
import opendata_replay as replay
import pytest
from opendata_sink import MemorySink

from assistant.documents import ANSWERS
from assistant.ingest.opendata import ImportOptions, run_import
from assistant.ingest.opendata.http import FetchError, HttpPolicy, PoliteClient
from assistant.ingest.opendata.sru import iter_records, parse_page, parse_xml, query, read_record
from assistant.ingest.parse import parse_file

pytestmark = pytest.mark.skipif(not fx.available(), reason="../shared fixtures are absent")

SRU = fx.OPEN_DATA / "sru"


def options(server: replay.ReplayServer, **changes: object) -> ImportOptions:
    base = ImportOptions(source="officielebekendmakingen", sru_url=server.sru_url, rate=0,
                         timeout=2, retries=2, backoff=0.01)  # fmt: skip
    for key, value in changes.items():
        setattr(base, key, value)
    return base


@pytest.fixture
def server() -> Iterator[replay.ReplayServer]:
    with replay.ReplayServer(sru_page_max=4) as srv:
        yield srv


def _capture(name: str) -> bytes:
    """A captured response without the collector's header lines before the XML."""
    text = (SRU / name).read_bytes()
    return text[text.index(b"<?xml"):]


def test_real_sru_1_2_envelope_is_read() -> None:
    page = parse_page(_capture("motiematcher_capture_zoek_officielebekendmakingen_sru12_type_wet"
                               ".xml.txt"))  # fmt: skip
    assert page.total == 315 and page.next_position == 6
    assert [r.identifier for r in page.records][:2] == ["stb-2025-252", "stb-2025-250"]
    assert page.records[0].date == "2025-10-02"


def test_real_sru_diagnostic_is_one_clear_line() -> None:
    data = _capture("motiematcher_capture_zoek_officielebekendmakingen_sru12_diagnostic.txt")
    with pytest.raises(FetchError) as caught:
        parse_page(data)
    assert str(caught.value) == \
        "SRU error: Invalid parameter – Query syntax error: expected boolean, got '/'"  # fmt: skip
    assert not caught.value.transient


def test_real_sru_2_record_is_read() -> None:
    record = read_record(parse_xml(
        (SRU / "wetsuite-core_testfiles_searchrec_gmb-2023-174296_SRU_record_ns-stripped.xml")
        .read_bytes()))  # fmt: skip
    assert record is not None and record.identifier == "gmb-2023-174296"
    assert record.xml_url == ("https://repository.overheid.nl/frbr/officielepublicaties/gmb/"
                              "2023/gmb-2023-174296/1/xml/gmb-2023-174296.xml")
    assert record.version == "2023-04-20T10:35:38.545935+02:00"  # enrichedData/timestamp
    assert record.fields["publicatienaam"] == "Gemeenteblad"


def test_query_shape() -> None:
    assert query(date(2015, 1, 1), date(2015, 12, 31), None) == (
        'c.product-area==officielepublicaties AND w.publicatienaam=="Kamervragen (Aanhangsel)" '
        "AND dt.date>=2015-01-01 AND dt.date<=2015-12-31 sortBy dt.date/sort.ascending")
    assert "dt.date>=2024-11-20" in query(date(2015, 1, 1), None, "2024-11-20")  # checkpoint


def test_listing_pages_with_start_record(server: replay.ReplayServer) -> None:
    totals: list[int | None] = []
    with PoliteClient(HttpPolicy(timeout=2, retries=1, rate=0)) as client:
        records = list(iter_records(client, server.sru_url, None, None, None, page_size=10,
                                    on_total=totals.append))  # fmt: skip
    letters = server.data.ah_letters
    assert totals == [len(letters)] == [16]
    assert sorted(r.identifier for r in records) == sorted(a.identifier for a in letters)
    starts = [q.split("startRecord=")[1].split("&")[0] for q in server.requests("sru")]
    assert starts == ["1", "5", "9", "13"]  # the server gives at most 4 per page
    assert [r.date for r in records] == sorted(r.date for r in records)


def test_import_parses_the_real_fragment(server: replay.ReplayServer) -> None:
    sink = MemorySink()
    report = run_import(options(server), sink)
    assert report.lines() == ["found 16, new 16, updated 0, removed 0, unchanged 0, skipped 0"]
    letter = sink.letter("ob:ah-tk-20142015-1130")
    doc = letter.document
    assert (doc.kind, doc.source, doc.aanhangsel) == (ANSWERS, "ah-tk-20142015-1130",
                                                      "ah-tk-20142015-1130")  # fmt: skip
    assert (doc.questioner, doc.date) == ("B. Visser", "2015-01-27")
    assert [p.questions for p in letter.passages] == [[1], [2], [3], [4], [5]]
    assert letter.passages[0].answer_text == "Ja."
    assert letter.passages[0].footnotes[0].startswith("Nu.nl, 17 december 2014: http://")


def test_derived_letters_keep_their_passages(server: replay.ReplayServer) -> None:
    sink = MemorySink()
    run_import(options(server, since=date(2024, 1, 1)), sink)
    assert "ob:ah-tk-20142015-1130" not in sink.letters  # before --since
    for path in fx.letters()["answers"]:
        parsed = parse_file(path)
        ah_id = parsed.document.aanhangsel or ""
        if not ah_id.startswith("ah-tk-"):
            continue
        stored = sink.letter(f"ob:{ah_id}")
        assert [p.questions for p in stored.passages] == [p.questions for p in parsed.passages]
        assert stored.document.title == parsed.document.title


def test_second_run_imports_nothing(server: replay.ReplayServer) -> None:
    sink = MemorySink()
    run_import(options(server), sink)
    fetched = len(server.requests("xml"))
    again = run_import(options(server), sink)
    assert (again.new, again.updated) == (0, 0) and again.unchanged >= 1
    assert len(server.requests("xml")) == fetched == 16


def test_sru_faults_are_ridden_out(server: replay.ReplayServer) -> None:
    server.faults["sru"].extend([replay.truncate(honest=True), replay.status(503)])
    server.faults["xml"].extend([replay.drop(), replay.truncate()])
    sink = MemorySink()
    report = run_import(options(server, retries=3), sink)
    assert report.new == 16 and report.skipped == [] and report.error is None


def test_a_broken_xml_letter_is_skipped_with_one_line(server: replay.ReplayServer) -> None:
    server.faults["xml"].extend([replay.truncate(honest=True)])  # the first letter
    report = run_import(options(server), MemorySink())
    assert len(report.skipped) == 1 and report.new == 15
    assert report.skipped[0].line().startswith("ah-tk-20142015-1130: not well-formed XML")


def test_dry_run(server: replay.ReplayServer) -> None:
    sink = MemorySink()
    report = run_import(options(server, dry_run=True, until=date(2020, 1, 1)), sink)
    assert [(p.action, p.label) for p in report.planned] == [("new", "ah-tk-20142015-1130")]
    assert sink.puts == [] and server.requests("xml") == []
