"""The "Asked before? · Eerder gevraagd?" tab in Debian's chromium against the real app on
the seed index: an upload, pasted text, the per-question table, an earlier answer opened
in its letter, the report downloaded, a clear message for bad input, and axe-core."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from playwright.sync_api import Page, expect

from assistant.search import Searcher
from assistant.web.app import start
from tests.test_accessibility import WIDTHS, blocking_violations
from tests.test_browser import CHROMIUM_ARGS, TIMEOUT
from tests.test_filetypes import write_docx
from tests.test_match import INTRO, QUESTIONS, numbered

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SHOTS = Path(os.environ.get("MATCH_SCREENSHOTS", "/tmp/match-shots"))
SLOW = 120_000  # a whole document on a shared 2-core machine


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def app_url(searcher: Searcher) -> Iterator[str]:
    app, url = start(searcher, port=0)
    yield url
    app.close()


def open_tab(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("tab", name=re.compile("Asked before")).click()
    expect(page.locator("#kv-match-go")).to_be_visible(timeout=TIMEOUT)


def results(page: Page) -> Any:
    rows = page.locator("#kv-match-results .kv-match-table tbody tr")
    expect(rows.first).to_be_visible(timeout=SLOW)
    return rows


@pytest.mark.timeout(900)
def test_upload_table_open_in_letter_and_report(page: Page, app_url: str,
                                                tmp_path: Path) -> None:  # fmt: skip
    word = write_docx([(INTRO, None)] + [(f"{n}. {q}", None) for n, q in
                                         enumerate(QUESTIONS, 1)], tmp_path / "vragen.docx")
    page.set_viewport_size({"width": 1280, "height": 900})
    open_tab(page, app_url)
    page.locator("#kv-match-file input[type=file]").set_input_files(str(word))
    expect(page.locator("#kv-match-file")).to_contain_text("vragen", timeout=TIMEOUT)
    page.locator("#kv-match-go").click()
    rows = results(page)
    expect(rows).to_have_count(5)
    expect(rows.nth(0).locator(".kv-verdict")).to_contain_text("procedural")
    expect(rows.nth(1).locator(".kv-verdict")).to_contain_text("answered")
    expect(rows.nth(3).locator(".kv-verdict")).to_contain_text("new")
    expect(rows.nth(1).locator("a.kv-open").first).to_contain_text("kenmerk 5236577")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "match-1280.png"), full_page=True)

    link = page.locator("#kv-match-report tr").filter(
        has_text=re.compile(r"eerder-gevraagd\s*\.docx")).locator("a").first  # fmt: skip
    expect(link).to_be_visible(timeout=TIMEOUT)
    with page.expect_download() as got:
        link.click()
    saved = tmp_path / "report.docx"
    got.value.save_as(saved)
    text = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
    assert "Vraag 2 — answered" in text and "kenmerk 5236577" in text

    rows.nth(1).locator("a.kv-open").first.click()  # the earlier answer, in its letter
    expect(page.locator("#kv-letter #kv-cited")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#kv-letter #kv-cited")).to_contain_text("Telegram")


@pytest.mark.timeout(900)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_pasted_text_at_desktop_and_phone_width_passes_axe(page: Page, app_url: str,
                                                           width: str) -> None:  # fmt: skip
    w, h = WIDTHS[width]
    page.set_viewport_size({"width": w, "height": h})
    open_tab(page, app_url)
    assert not blocking_violations(page)
    page.locator("#kv-match-paste textarea").fill(numbered("paren"))
    page.locator("#kv-match-go").click()
    expect(results(page)).to_have_count(5)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"match-{w}.png"), full_page=True)
    assert not blocking_violations(page)


@pytest.mark.timeout(600)
def test_bad_input_is_one_message_read_out(page: Page, app_url: str) -> None:
    open_tab(page, app_url)
    page.locator("#kv-match-go").click()  # nothing pasted, nothing uploaded
    alert = page.locator("#kv-match-results [role=alert]")
    expect(alert).to_contain_text("nothing pasted", timeout=SLOW)
    page.locator("#kv-match-paste textarea").fill("Geen genummerde vragen, alleen een zin.")
    page.locator("#kv-match-go").click()
    expect(alert).to_contain_text("no numbered questions", timeout=SLOW)
    expect(page.locator("#kv-match-report")).to_be_hidden()


@pytest.mark.timeout(600)
def test_the_tab_is_reachable_and_usable_by_keyboard(page: Page, app_url: str) -> None:
    page.goto(app_url)
    tab = page.get_by_role("tab", name=re.compile("Asked before"))
    expect(tab).to_be_visible(timeout=TIMEOUT)
    tab.focus()
    page.keyboard.press("Enter")
    paste = page.locator("#kv-match-paste textarea")
    expect(paste).to_be_visible(timeout=TIMEOUT)
    paste.focus()
    page.keyboard.type("1. Kan de app Telegram in Nederland verboden worden?\n\n"
                       "2. Hoeveel garnalenkotters zijn er nog?")
    page.keyboard.press("Tab")  # to the button
    page.keyboard.press("Enter")
    rows = results(page)
    expect(rows).to_have_count(2)
    link = rows.nth(0).locator("a.kv-open").first
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#kv-letter #kv-cited")).to_be_visible(timeout=TIMEOUT)
