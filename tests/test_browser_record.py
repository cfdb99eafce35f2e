"""Issue #20 in the page (the real Gradio server over the seed letters, Debian's chromium):
the "All answers" tab shows the chart, a facet filters the list, and each export
downloads and parses (csv module, json, a strict RIS parser written here); axe finds no
serious or critical problem at desktop and phone width."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from assistant.search import Searcher
from assistant.web.app import start
from tests.test_browser import CHROMIUM_ARGS, open_tab

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

QUESTION = "Kan Telegram in Nederland verboden worden?"
SLOW = 300_000  # the machine running the tests may be shared
RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")
RIS_TAGS = {"TY", "TI", "AU", "PY", "DA", "PB", "M1", "M2", "M3", "UR", "N1", "AB", "KW",
            "ID", "ER"}  # fmt: skip


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def app_url(searcher: Searcher) -> Iterator[str]:
    app, url = start(searcher, port=0)
    yield url
    app.close()


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """RIS as Zotero reads it, strictly: every non-blank line "XX  - value" with a known
    tag; a record starts with TY and ends with ER; nothing outside records."""
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for n, line in enumerate(text.split("\r\n"), 1):
        if not line:
            assert current is None, f"line {n}: blank line inside a record"
            continue
        match = RIS_LINE.match(line)
        assert match, f"line {n} is no RIS line: {line!r}"
        tag, value = match.groups()
        assert tag in RIS_TAGS, f"line {n}: unknown tag {tag}"
        if tag == "TY":
            assert current is None, f"line {n}: TY inside a record"
            current = {}
        assert current is not None, f"line {n}: {tag} outside a record"
        if tag == "ER":
            assert value == "" and "TI" in current
            records.append(current)
            current = None
            continue
        assert value.strip() and "\n" not in value, f"line {n}: empty or broken value"
        current.setdefault(tag, []).append(value)
    assert current is None, "the last record has no ER"
    return records


def all_answers(page: Page, url: str, width: int) -> Page:
    page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
    page.goto(url)
    expect(page.locator("#kv-question textarea")).to_be_visible(timeout=SLOW)
    open_tab(page, "All answers")
    page.locator("#kv-all-question textarea").fill(QUESTION)
    page.locator("#kv-all-send").click()
    expect(page.locator(".kv-all-letter").first).to_be_visible(timeout=SLOW)
    return page


def download(page: Page, kind: str, folder: Path) -> str:
    with page.expect_download(timeout=SLOW) as info:
        page.locator(f"#kv-download-{kind}").click()
    path = folder / f"export.{kind}"
    info.value.save_as(path)
    return path.read_bytes().decode("utf-8")  # line ends as written (RIS: CRLF)


@pytest.mark.timeout(900)
def test_chart_facet_filter_and_every_export(page: Page, app_url: str, tmp_path: Path) -> None:
    all_answers(page, app_url, 1280)
    letters = page.locator(".kv-all-letter")
    expect(letters).to_have_count(2)
    chart = page.locator("#kv-all-chart")
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=SLOW)
    page.screenshot(path=str(tmp_path / "record-1280.png"), full_page=True)
    # the party facet: CDA (Krul, letter 5209583) keeps one letter
    page.locator("#kv-facet-party input").click()
    page.get_by_role("option", name=re.compile(r"^CDA \(1\)")).click()
    page.locator("#kv-all-summary, .kv-all-summary").first.click()  # close the option list
    expect(letters).to_have_count(1, timeout=SLOW)
    expect(letters.first).to_contain_text("5209583")
    expect(page.locator(".kv-all-summary")).to_contain_text("1 letters answer")
    # each export downloads and parses, filtered as the list is
    rows = list(csv.DictReader(io.StringIO(download(page, "csv", tmp_path), newline="")))
    assert [r["ons_kenmerk"] for r in rows] == ["5209583"] and rows[0]["party"] == "CDA"
    data = json.loads(download(page, "json", tmp_path))
    assert set(data) == {"question", "searched_as", "letters", "facets"}
    assert [x["document"]["ons_kenmerk"] for x in data["letters"]] == ["5209583"]
    assert data["facets"]["party"] == {"CDA": 1}
    assert data["letters"][0]["hits"][0]["citation"].startswith("Antwoorden Kamervragen")
    markdown = download(page, "md", tmp_path)
    assert markdown.startswith("# All answers: ") and "kenmerk 5209583" in markdown
    records = parse_ris(download(page, "ris", tmp_path))
    assert len(records) == 1 and records[0]["TY"] == ["GOVDOC"]
    assert records[0]["M1"] == ["5209583"] and records[0]["DA"] == ["2024/03/18"]
    # the chart switches to ministries
    page.get_by_label("Ministry · ministerie").first.check()
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=SLOW)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_axe_violations_and_no_sideways_scroll(page: Page, app_url: str,
                                                          width: int) -> None:  # fmt: skip
    all_answers(page, app_url, width)
    page.wait_for_timeout(500)
    page.screenshot(path=f"/tmp/kv-record-{width}.png", full_page=True)
    found = Axe().run(page).response["violations"]
    blocking = [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
                for v in found if v["impact"] in {"serious", "critical"}]  # fmt: skip
    assert blocking == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
