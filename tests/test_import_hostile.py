"""The importer does not trust its server (issue #25 item 8).

Every server here is a real one on 127.0.0.1 (opendata_replay.py) serving pages built
from the captured records; what a misbehaving server sends instead is derived from those
pages and said in each test. Tests of code that used to hang run under a time limit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import opendata_fixtures as fx
import opendata_replay as replay
import pytest
from opendata_sink import MemorySink
from time_limit import within

from assistant.ingest.opendata import ImportOptions, ImportReport, checkpoint_key, run_import
from assistant.ingest.opendata.http import FetchError, HttpPolicy, PoliteClient
from assistant.ingest.opendata.tk import timestamp_key
from assistant.store.embed import Embedder
from tests.conftest import run_cli

pytestmark = pytest.mark.skipif(not fx.available(), reason="../shared fixtures are absent")

DAY = {"since": date(2025, 9, 24), "until": date(2025, 9, 24)}


def options(server: replay.ReplayServer, **changes: object) -> ImportOptions:
    base = ImportOptions(tk_url=server.tk_url, rate=0, timeout=5, retries=1, backoff=0.01,
                         **DAY)  # type: ignore[arg-type]  # fmt: skip
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def import_(server: replay.ReplayServer, sink: MemorySink | None = None, seconds: float = 60,
            **changes: object) -> ImportReport:  # fmt: skip
    return within(seconds, run_import, options(server, **changes), sink or MemorySink())


def json_answer(page: dict | Callable[[str], dict]) -> Callable[[str], tuple[int, bytes, str]]:
    def answer(path: str) -> tuple[int, bytes, str]:
        body = page(path) if callable(page) else page
        return 200, json.dumps(body).encode(), "application/json"

    return answer


def day_rows(server: replay.ReplayServer, soort: str = "Antwoord schriftelijke vragen",
             count: int = 3) -> list[dict]:  # fmt: skip
    """The first `count` records of one Soort dated 2025-09-24, as the server pages them
    (Zaak and DocumentActor expanded), in ApiGewijzigdOp order."""
    page = server.odata_page({"$filter": "Datum ge 2025-09-23T00:00:00Z and Datum lt "
                              "2025-09-25T00:00:00Z", "$expand": "Zaak,DocumentActor",
                              "$orderby": "ApiGewijzigdOp,Id"})  # fmt: skip
    rows = [
        r
        for r in page["value"]
        if r.get("Soort") == soort and (r.get("Datum") or "").startswith("2025-09-24")
    ]
    assert len(rows) >= count
    return rows[:count]


@pytest.fixture
def server() -> Iterator[replay.ReplayServer]:
    with replay.ReplayServer() as srv:
        yield srv


@pytest.fixture
def elsewhere() -> Iterator[replay.ReplayServer]:
    """Another service on 127.0.0.1 (another port: another origin) that must hear nothing."""
    with replay.ReplayServer() as srv:
        yield srv


# --- a server that trickles -------------------------------------------------------------


@pytest.mark.parametrize("headers", [False, True], ids=["body", "headers-and-body"])
def test_a_trickling_answer_ends_at_the_deadline(server: replay.ReplayServer,
                                                 headers: bool) -> None:  # fmt: skip
    """One byte every 0.2 s: the 2 s read timeout never trips; the 1 s deadline does."""
    server.faults["list"].extend([replay.trickle(0.2, headers=headers)] * 2)
    policy = HttpPolicy(timeout=2, deadline=1, retries=1, backoff=0.01, rate=0)
    started = time.monotonic()
    with PoliteClient(policy) as client, pytest.raises(FetchError) as caught:
        within(20, client.get_json, server.tk_url + "Document", {"$top": "1"})
    assert str(caught.value).endswith("no complete answer within 1 s (the server sends too "
                                      "slowly) (gave up after 2 tries)")  # fmt: skip
    assert time.monotonic() - started < 20
    assert len(server.requests("list")) == 2


def test_a_trickle_once_is_retried(server: replay.ReplayServer) -> None:
    server.faults["list"].append(replay.trickle(0.2))
    policy = HttpPolicy(timeout=2, deadline=1, retries=1, backoff=0.01, rate=0)
    with PoliteClient(policy) as client:
        page = within(20, client.get_json, server.tk_url + "Document", {"$top": "2"})
    assert len(page["value"]) == 2


def test_a_trickling_listing_stops_the_import_with_one_line(server: replay.ReplayServer) -> None:
    server.faults["list"].extend([replay.trickle(0.2)] * 2)
    report = import_(server, seconds=20, timeout=2, deadline=1)
    assert report.error and report.error.startswith("listing stopped: ")
    assert "no complete answer within 1 s" in report.error and "\n" not in report.error


# --- a pager that makes no progress -----------------------------------------------------


def test_a_page_that_links_to_itself_stops_with_one_line(server: replay.ReplayServer) -> None:
    """The page of three records, its nextLink to itself: asked 2,264 times before."""
    page = {"value": day_rows(server), "@odata.nextLink": f"{server.tk_url}Document?$skip=3"}
    server.answers["list"] = json_answer(page)
    sink = MemorySink()
    report = import_(server, sink, seconds=30)
    assert report.new == 3 and len(sink.letters) == 3  # what was listed is kept
    assert report.error and report.error.startswith("listing stopped: ")
    assert "the listing makes no progress (its nextLink leads to a page already read)" \
        in report.error  # fmt: skip
    assert len(server.requests("list")) <= 4


def test_ever_new_links_to_old_records_stop_too(server: replay.ReplayServer) -> None:
    """Each nextLink new ($skip growing), each page the same three records."""
    rows = day_rows(server)

    def page(path: str) -> dict:
        skip = int(path.rsplit("$skip=", 1)[1]) if "$skip=" in path else 0
        return {"value": rows, "@odata.nextLink": f"{server.tk_url}Document?$skip={skip + 3}"}

    server.answers["list"] = json_answer(page)
    report = import_(server, seconds=30)
    assert report.new == 3
    assert report.error and "pages in a row without a new record" in report.error
    assert len(server.requests("list")) <= 5


def test_a_search_service_serving_one_page_for_every_position_stops(
        server: replay.ReplayServer) -> None:  # fmt: skip
    """SRU: whatever startRecord is asked, the page of position 1 (with a next position)."""
    first = server.url + replay.SRU_PATH + "?operation=searchRetrieve&version=2.0&query=" + \
        'c.product-area%3D%3Dofficielepublicaties+AND+w.publicatienaam%3D%3D%22Kamervragen+' \
        '%28Aanhangsel%29%22&startRecord=1&maximumRecords=2'  # fmt: skip
    with PoliteClient(HttpPolicy(rate=0)) as client:
        body = client.get(first).content
    server.answers["sru"] = lambda path: (200, body, "text/xml")
    asked_before = len(server.requests("sru"))
    sink = MemorySink()
    report = within(
        60,
        run_import,
        ImportOptions(source="officielebekendmakingen", sru_url=server.sru_url, rate=0),
        sink,
    )
    assert report.error and "the listing makes no progress" in report.error
    assert report.new == 2 and len(server.requests("sru")) - asked_before == 2


# --- records of the wrong shape ---------------------------------------------------------


def test_records_of_the_wrong_shape_are_skipped_with_a_line(server: replay.ReplayServer) -> None:
    rows = day_rows(server, count=6)
    rows[0]["Datum"] = 20250924
    rows[1]["Zaak"] = "2025Z17431"
    rows[2]["Onderwerp"] = ["Antwoord op vragen", "over iets"]
    page = {"value": [*rows, "not a record"]}
    server.answers["list"] = json_answer(page)
    sink = MemorySink()
    report = import_(server, sink)
    assert report.error is None
    assert [s.line() for s in report.skipped] == [
        f"{rows[0]['DocumentNummer']}: Datum is a number, not text",
        f"{rows[1]['DocumentNummer']}: Zaak is the text '2025Z17431', not a list",
        f"{rows[2]['DocumentNummer']}: Onderwerp is a list, not text",
        "record 7 of page 1: the record is the text 'not a record', not an object",
    ]
    assert {eid.removeprefix("tk:") for eid in sink.letters} == {r["Id"] for r in rows[3:]}


# --- other hosts ------------------------------------------------------------------------


def test_a_next_link_to_another_host_is_refused(server: replay.ReplayServer,
                                               elsewhere: replay.ReplayServer) -> None:  # fmt: skip
    page = {"value": day_rows(server, count=1),
            "@odata.nextLink": f"{elsewhere.tk_url}Document?secret=1"}  # fmt: skip
    server.answers["list"] = json_answer(page)
    report = import_(server)
    assert elsewhere.log == []  # nothing reached the other address
    assert report.new == 1 and report.error
    host = elsewhere.url.removeprefix("http://")
    assert report.error.startswith(f"listing stopped: refused to request http://{host}: the "
                                   f"importer talks only to {server.url}")  # fmt: skip
    assert "secret" not in report.error


def test_a_redirect_to_another_host_is_refused(server: replay.ReplayServer,
                                              elsewhere: replay.ReplayServer) -> None:  # fmt: skip
    server.faults["list"].append(replay.redirect(f"{elsewhere.tk_url}Document?secret=1"))
    report = import_(server)
    assert elsewhere.log == []
    assert report.error and "refused to request http://127.0.0.1:" in report.error


def test_a_download_redirected_elsewhere_is_skipped(
        server: replay.ReplayServer, elsewhere: replay.ReplayServer) -> None:  # fmt: skip
    server.faults["resource"].append(replay.redirect(f"{elsewhere.url}/file.pdf?secret=1"))
    report = import_(server)
    assert elsewhere.log == []
    assert len(report.skipped) == 1 and "refused to request" in report.skipped[0].line()
    assert report.error is None and report.new == report.found - 1


def test_a_redirect_on_the_same_host_is_followed(server: replay.ReplayServer) -> None:
    server.faults["list"].append(replay.redirect(f"{server.tk_url}Document?$top=1"))
    with PoliteClient(HttpPolicy(rate=0), origin=server.tk_url) as client:
        page = client.get_json(server.tk_url + "Document")
    assert len(page["value"]) == 1 and len(server.requests("list")) == 2


def test_redirects_in_circles_are_one_line(server: replay.ReplayServer) -> None:
    server.faults["list"].extend([replay.redirect(f"{server.tk_url}Document?again=1")] * 30)
    report = import_(server, seconds=30)
    assert (
        report.error == f"listing stopped: {server.tk_url}Document: the server redirects in circles"
    )


# --- a damaged checkpoint, a URL that is none --------------------------------------------


@pytest.mark.parametrize("damaged", ["kapot", "2025-13-45T99:00:00Z", ""])
def test_a_damaged_checkpoint_lists_everything_again(server: replay.ReplayServer,
                                                     damaged: str) -> None:  # fmt: skip
    sink = MemorySink()
    first = import_(server, sink)
    assert first.new >= 8 and first.error is None
    # Withdrawn after the checkpoint was lost: only a listing with tombstones sees it.
    gone = server.data.delete(day_rows(server, count=1)[0]["DocumentNummer"])
    key = checkpoint_key(options(server))
    sink.checkpoints[key] = damaged
    again = import_(server, sink)
    assert again.error is None
    assert again.warnings == [
        f"the stored checkpoint of this import ({damaged!r}) is damaged; "
        "listing everything from --since again, withdrawn documents "
        "included (unchanged documents are not downloaded again)"
    ]
    assert again.removed == 1 and f"tk:{gone['Id']}" not in sink.letters
    assert (again.new, again.updated, again.unchanged) == (0, 0, first.new - 1)
    assert timestamp_key(sink.checkpoints[key]) > timestamp_key(None)  # a good one again


def test_a_damaged_search_checkpoint_lists_everything_again(server: replay.ReplayServer) -> None:
    choice = ImportOptions(source="officielebekendmakingen", sru_url=server.sru_url, rate=0)
    sink = MemorySink()
    first = run_import(choice, sink)
    sink.checkpoints[checkpoint_key(choice)] = "' OR dt.date>=1"
    again = within(60, run_import, choice, sink)
    assert again.error is None and len(again.warnings) == 1
    assert again.unchanged == first.new and again.new == 0


def test_a_damaged_checkpoint_in_an_index_is_a_warning(
        tmp_path: Path, embedder: Embedder, server: replay.ReplayServer) -> None:  # fmt: skip
    from assistant.store import open_store
    from assistant.store.base import StoreConfig
    from assistant.store.imported import CHECKPOINT
    from assistant.store.units import UNITS_VERSION

    index = tmp_path / "index"
    store = open_store(index, StoreConfig(embedder.name, embedder.dim, UNITS_VERSION))
    store.write(meta={CHECKPOINT + checkpoint_key(options(server)): "{not a timestamp"})
    store.close()
    done = run_cli("import", "--index", str(index), "--tk-url", server.tk_url, "--dry-run",
                   "--since", "2025-09-24", "--until", "2025-09-24", "--rate", "50",
                   timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("warning: the stored checkpoint of this import "
                                  "('{not a timestamp') is damaged")  # fmt: skip
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert done.stdout.startswith("dry run: found ")


@pytest.mark.parametrize("url, fault", [
    ("http://[::1", "Invalid IPv6 URL"),
    ("http://127.0.0.1:99999/OData/v4/2.0/", "Port out of range 0-65535"),
    ("http:///OData/v4/2.0/", "not an http(s) URL with a host"),
])  # fmt: skip
def test_a_tk_url_that_is_no_url_is_one_line(tmp_path: Path, url: str, fault: str) -> None:
    done = run_cli("import", "--index", str(tmp_path / "index"), "--tk-url", url, "--dry-run",
                   timeout=60)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        f"error: --tk-url {url!r} is not a valid URL ({fault}); give the "
        "service's base URL, e.g. "
        "https://gegevensmagazijn.tweedekamer.nl/OData/v4/2.0/\n"
    )
    assert not (tmp_path / "index").exists()  # nothing was created


def test_a_next_link_that_is_no_url_is_one_line(server: replay.ReplayServer) -> None:
    server.answers["list"] = json_answer({"value": [], "@odata.nextLink": "http://[::1"})
    report = import_(server)
    assert report.error == (
        f"listing stopped: {server.tk_url}Document: @odata.nextLink "
        "'http://[::1' is not a URL (Invalid IPv6 URL)"
    )
