"""Importing from the Tweede Kamer API replay: a full import, then sync, versions, deletions."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import opendata_fixtures as fx
import opendata_replay as replay
import pytest
from opendata_sink import MemorySink

from assistant.documents import ANSWERS, POSTPONEMENT, QUESTIONS
from assistant.ingest.opendata import ImportOptions, ImportReport, official_url, run_import
from assistant.ingest.opendata.aanhangsel import aanhangsel_id
from assistant.ingest.parse import parse_file

pytestmark = pytest.mark.skipif(not fx.available(), reason="../shared fixtures are absent")

KINDS = {"Antwoord schriftelijke vragen": ANSWERS,
         "Antwoord schriftelijke vragen (nader)": ANSWERS,
         "Mededeling (uitstel antwoord)": POSTPONEMENT, "Schriftelijke vragen": QUESTIONS}


def options(server: replay.ReplayServer, **changes: object) -> ImportOptions:
    base = ImportOptions(tk_url=server.tk_url, since=date(2017, 1, 1), rate=0, timeout=2,
                         retries=2, backoff=0.01)  # fmt: skip
    for key, value in changes.items():
        setattr(base, key, value)
    return base


@dataclass
class Imported:
    sink: MemorySink
    report: ImportReport
    documents: list[dict]  # the records served


@pytest.fixture(scope="module")
def imported() -> Imported:
    """Every answer, question and postponement of the captures, imported once."""
    with replay.ReplayServer(page_size=50) as server:
        sink = MemorySink()
        report = run_import(options(server), sink)
        return Imported(sink, report, server.data.documents)


@pytest.fixture
def server() -> Iterator[replay.ReplayServer]:
    with replay.ReplayServer(page_size=50) as srv:
        yield srv


@pytest.fixture
def synced(imported: Imported) -> MemorySink:
    """A copy of the full import's sink, for a test to run a second import on."""
    return copy.deepcopy(imported.sink)


def test_full_import_counts(imported: Imported) -> None:
    report = imported.report
    assert report.lines() == ["found 166, new 166, updated 0, removed 0, unchanged 0, skipped 0"]
    assert report.error is None and report.checkpoint
    assert len(imported.sink.puts) == len({eid for eid, _ in imported.sink.puts}) == 166


def test_kinds_follow_the_registered_soort(imported: Imported) -> None:
    counts: Counter[str] = Counter()
    for raw in fx.relevant(imported.documents):
        letter = imported.sink.letter(f"tk:{raw['Id']}")
        kind = KINDS[raw["Soort"]]
        counts[kind] += 1
        assert letter.document.kind == kind
        assert bool(letter.passages) == (kind == ANSWERS), raw["DocumentNummer"]
    assert counts == {ANSWERS: 74, QUESTIONS: 63, POSTPONEMENT: 29}


def test_documents_carry_the_api_facts(imported: Imported) -> None:
    letter = imported.sink.by_source("2025D41471")
    doc = letter.document
    assert doc.aanhangsel == "ah-tk-20252026-134"
    assert official_url(doc.aanhangsel) == \
        "https://zoek.officielebekendmakingen.nl/ah-tk-20252026-134.html"  # fmt: skip
    assert all(p.passage_id.startswith(f"{doc.key}-q") for p in letter.passages)
    assert all(p.doc_id == doc.doc_id for p in letter.passages)
    for raw in fx.relevant(imported.documents):
        doc = imported.sink.letter(f"tk:{raw['Id']}").document
        assert doc.source == raw["DocumentNummer"]
        assert doc.aanhangsel == (aanhangsel_id(raw["Aanhangselnummer"]) or doc.aanhangsel)


def test_the_zaak_fills_a_missing_uw_kenmerk(imported: Imported) -> None:
    filled = 0
    for raw in fx.relevant(imported.documents):
        zaak = fx.zaak_for(raw)
        own = parse_file(fx.letter_for(raw, imported.documents)).document.uw_kenmerk
        doc = imported.sink.letter(f"tk:{raw['Id']}").document
        if zaak and not own:
            assert doc.uw_kenmerk == zaak["Nummer"], raw["DocumentNummer"]
            filled += 1
        elif own:
            assert doc.uw_kenmerk == own  # the letter's own text comes first
    assert filled >= 10


def test_a_second_run_imports_nothing(server: replay.ReplayServer, synced: MemorySink) -> None:
    report = run_import(options(server), synced)
    assert (report.new, report.updated, report.removed, report.skipped) == (0, 0, 0, [])
    assert server.requests("resource") == []  # nothing downloaded
    assert len(server.requests("list")) == 1  # one page: only what changed since


def test_a_newer_version_replaces_the_old(server: replay.ReplayServer,
                                          synced: MemorySink) -> None:  # fmt: skip
    record = server.data.new_version("2025D41471",
                                     "Antwoord_op_vragen_van_het_lid_Beckerman.pdf.txt")
    report = run_import(options(server), synced)
    assert (report.new, report.updated) == (0, 1)
    letter = synced.letter(f"tk:{record['Id']}")
    assert letter.passages[0].answer_text == "Ja, daarmee ben ik bekend."
    assert synced.imported_version(f"tk:{record['Id']}") == record["GewijzigdOp"]
    assert len(server.requests("resource")) == 1


def test_only_the_api_timestamp_changed(server: replay.ReplayServer, synced: MemorySink) -> None:
    server.data.touch("2025D41515")  # 2025D41471 is the last one, at the checkpoint
    report = run_import(options(server), synced)
    # It, and the document at the checkpoint (listed again): neither downloaded.
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)
    assert server.requests("resource") == []


def test_a_deleted_document_is_removed(server: replay.ReplayServer, synced: MemorySink) -> None:
    record = server.data.delete("2025D41471")
    server.data.delete("2025D42055")  # a Bijlage we never imported: nothing to remove
    report = run_import(options(server), synced)
    assert report.removed == 1 and report.error is None
    assert synced.imported_version(f"tk:{record['Id']}") is None


def test_dry_run_lists_without_storing(server: replay.ReplayServer, synced: MemorySink) -> None:
    server.data.new_version("2025D41471")
    gone = server.data.delete("2025D41515")
    before = copy.deepcopy(synced.checkpoints)
    report = run_import(options(server, dry_run=True), synced)
    assert [(p.action, p.label) for p in report.planned] == \
        [("update", "2025D41471"), ("remove", f"tk:{gone['Id']}")]  # fmt: skip
    # 2025D41471 was the document at the checkpoint: it is the only one listed again.
    assert report.summary() == "dry run: found 1, would import 0 new, update 1, remove 1; " \
        "0 unchanged"  # fmt: skip
    assert synced.checkpoints == before and len(synced.puts) == 166
    assert server.requests("resource") == []


def test_dry_run_on_an_empty_store_lists_everything(server: replay.ReplayServer) -> None:
    sink = MemorySink()
    report = run_import(options(server, dry_run=True, since=date(2025, 9, 24),
                                until=date(2025, 9, 24)), sink)  # fmt: skip
    expected = {r["DocumentNummer"] for r in fx.relevant(server.data.documents)
                if r["Datum"].startswith("2025-09-24")}  # fmt: skip
    assert {p.label for p in report.planned} == expected and len(expected) >= 8
    assert all(p.action == "new" and p.title for p in report.planned)
    assert sink.puts == [] and sink.checkpoints == {}
    assert len(report.lines()) == 1 + len(expected)


def test_limit_imports_in_slices_without_duplicates(server: replay.ReplayServer) -> None:
    sink = MemorySink()
    one_day = {"since": date(2025, 9, 19), "until": date(2025, 9, 19), "limit": 10}
    first = run_import(options(server, **one_day), sink)
    second = run_import(options(server, **one_day), sink)
    total = len([r for r in fx.relevant(server.data.documents)
                 if r["Datum"].startswith("2025-09-19")])  # fmt: skip
    assert (first.new, second.new) == (10, 10)
    while True:
        more = run_import(options(server, **one_day), sink)
        if not more.new:
            break
    assert len(sink.letters) == total
    assert len(sink.puts) == total == len(server.requests("resource"))


def test_a_broken_file_is_one_line_and_the_rest_goes_on(server: replay.ReplayServer) -> None:
    answer = server.data.by_number("2025D41515")  # not the last one (see the end)
    question = server.data.by_number("2025D41811")  # Schriftelijke vragen, same week
    server.data.broken.update({answer["Id"], question["Id"]})
    sink = MemorySink()
    report = run_import(options(server, since=date(2025, 9, 24), until=date(2025, 9, 26)), sink)
    assert len(report.skipped) == 1 and report.skipped[0].label == "2025D41515"
    line = report.skipped[0].line()
    assert line.startswith("2025D41515.pdf: ") and "PDF" in line.upper() and "\n" not in line
    assert "  skipped 2025D41515.pdf: " in "\n".join(report.lines())
    # A questions document is recorded from what the API says, even without its file.
    recorded = sink.letter(f"tk:{question['Id']}").document
    assert (recorded.kind, recorded.title) == (QUESTIONS, question["Onderwerp"])
    assert report.new == report.found - 1
    # Retrying will not help a broken file, so the checkpoint moved past it (only the
    # document at the checkpoint itself is listed again on the next run).
    again = run_import(options(server, since=date(2025, 9, 24), until=date(2025, 9, 26)), sink)
    assert again.skipped == [] and again.new == 0


def test_a_missing_file(server: replay.ReplayServer) -> None:
    answer = server.data.by_number("2025D41515")
    postponement = server.data.by_number("2025D41419")  # Mededeling (uitstel antwoord)
    server.data.missing.update({answer["Id"], postponement["Id"]})
    sink = MemorySink()
    report = run_import(options(server, since=date(2025, 9, 24), until=date(2025, 9, 24)), sink)
    assert [s.label for s in report.skipped] == ["2025D41515"]
    assert "HTTP 404" in report.skipped[0].line()
    assert len(server.requests("resource")) == report.found  # a 404 is not asked again
    notice = sink.letter(f"tk:{postponement['Id']}").document
    assert (notice.kind, notice.source) == (POSTPONEMENT, "2025D41419")
    assert notice.aanhangsel == aanhangsel_id(postponement["Aanhangselnummer"])
    assert notice.questioner == "Sneller"  # from "Uitstel beantwoording vragen van het lid …"


def test_faults_while_importing_are_ridden_out(server: replay.ReplayServer) -> None:
    server.faults["list"].extend([replay.status(500), replay.truncate(), replay.drop()])
    server.faults["resource"].extend([replay.retry_after(1), replay.sleep(3.0),
                                      replay.truncate(), replay.status(502), replay.drop()])
    sink = MemorySink()
    week = {"since": date(2025, 9, 24), "until": date(2025, 9, 26)}
    report = run_import(options(server, retries=5, **week), sink)  # 5 faults in a row at most
    expected = {r["Id"] for r in fx.relevant(server.data.documents)
                if "2025-09-24" <= r["Datum"][:10] <= "2025-09-26"}  # fmt: skip
    assert report.skipped == [] and report.error is None
    assert {eid.removeprefix("tk:") for eid in sink.letters} == expected


def test_a_download_that_keeps_failing_is_retried_next_run(server: replay.ReplayServer) -> None:
    week = {"since": date(2025, 9, 24), "until": date(2025, 9, 26)}
    server.faults["resource"].extend([replay.status(500)] * 3)  # one document, every try
    sink = MemorySink()
    first = run_import(options(server, **week), sink)
    assert len(first.skipped) == 1 and "HTTP 500" in first.skipped[0].line()
    assert "gave up after 3 tries" in first.skipped[0].line()
    failed = first.skipped[0].label
    assert first.new == first.found - 1
    second = run_import(options(server, **week), sink)
    assert second.new == 1 and second.skipped == []
    assert sink.by_source(failed).document.source == failed
    assert len(sink.puts) == len(sink.letters)  # nothing stored twice


def test_three_failed_downloads_in_a_row_stop_the_run(server: replay.ReplayServer) -> None:
    server.faults["resource"].extend([replay.status(503)] * 9)
    sink = MemorySink()
    report = run_import(options(server, retries=2), sink)
    assert report.error and report.error.startswith("stopped: 3 documents in a row")
    assert len(report.skipped) == 3 and sink.puts == []
    assert sink.checkpoints == {}  # nothing handled: a rerun starts from the beginning


def test_a_listing_that_keeps_failing_ends_the_run_cleanly(server: replay.ReplayServer) -> None:
    server.faults["list"].extend([replay.status(500)] * 3)
    report = run_import(options(server), MemorySink())
    assert report.error and report.error.startswith("listing stopped: ")
    assert "HTTP 500" in report.error and report.new == 0


def test_a_malformed_timestamp_skips_that_record_with_one_line() -> None:
    with replay.ReplayServer() as server:  # one page of 250: the bad record comes in it
        server.data.by_number("2025D41515")["ApiGewijzigdOp"] = "gisteren"
        day = {"since": date(2025, 9, 24), "until": date(2025, 9, 24)}
        sink = MemorySink()
        report = run_import(options(server, **day), sink)
        expected = {r["Id"] for r in fx.relevant(server.data.documents)
                    if r["Datum"].startswith("2025-09-24") and r["DocumentNummer"] != "2025D41515"}
    assert report.error is None
    assert [s.line() for s in report.skipped] == \
        ["2025D41515: ApiGewijzigdOp: not a timestamp: 'gisteren'"]  # fmt: skip
    assert {eid.removeprefix("tk:") for eid in sink.letters} == expected  # the rest is kept


def test_ctrl_c_keeps_what_was_done(server: replay.ReplayServer) -> None:
    sink = MemorySink()

    def interrupt_after_three(progress: object) -> None:
        if len(sink.puts) == 3:
            raise KeyboardInterrupt

    week = {"since": date(2025, 9, 24), "until": date(2025, 9, 26)}
    report = run_import(options(server, **week), sink, progress=interrupt_after_three)
    assert report.interrupted and report.new == 3
    assert report.error == "interrupted; run the same command again to resume"
    rest = run_import(options(server, **week), sink)
    assert rest.new == rest.found - 1  # the third was put before Ctrl-C; listed again
    assert len(sink.puts) == len(sink.letters)


def test_bad_options_are_one_line() -> None:
    from assistant.ingest.opendata import OptionError

    bad = [ImportOptions(source="ftp"), ImportOptions(limit=0),
           ImportOptions(since=date(2020, 1, 2), until=date(2020, 1, 1)),
           ImportOptions(tk_url="gegevensmagazijn.tweedekamer.nl")]
    for choice in bad:
        with pytest.raises(OptionError) as caught:
            run_import(choice, MemorySink())
        assert "\n" not in str(caught.value)


def test_env_urls_are_used(monkeypatch: pytest.MonkeyPatch, server: replay.ReplayServer) -> None:
    monkeypatch.setenv("ASSISTANT_TK_URL", server.tk_url)
    report = run_import(ImportOptions(since=date(2025, 9, 24), until=date(2025, 9, 24),
                                      dry_run=True, rate=0), MemorySink())  # fmt: skip
    assert report.found >= 8 and server.requests("list")
