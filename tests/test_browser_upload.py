"""Adding letters from the web page (Sources tab), in Debian's chromium: a generated PDF
and DOCX are reported, indexed in place and found by the chat at once; the same letter
again is refused unless "replace" is ticked; a file that is no letter is named.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from opendata_fixtures import _docx, _pdf
from playwright.sync_api import Page, expect
from store_letters import letter_text
from test_browser import TIMEOUT, ask, browser_context_args, browser_type_launch_args

from assistant.search import Searcher
from assistant.store import open_store
from assistant.store.embed import Embedder
from assistant.web.app import start

__all__ = ["browser_context_args", "browser_type_launch_args"]  # pytest-playwright fixtures
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture()
def app_url(tmp_path: Path, seed_index_dir: Path, embedder: Embedder) -> Iterator[str]:
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)  # a copy: uploads change it
    store = open_store(folder)
    app, url = start(Searcher(store, embedder), port=0)
    yield url
    app.close()
    store.close()


def upload(page: Page, files: list[Path], replace: bool = False) -> str:
    page.get_by_role("tab", name="Sources · bronnen").click()
    if not page.locator("#kv-add").is_visible():  # the accordion opens once and stays open
        page.locator("#kv-add-letters").get_by_text("Add letters · brieven toevoegen").click()
    page.locator("#kv-upload input[type=file]").set_input_files([str(f) for f in files])
    expect(page.locator("#kv-upload")).to_contain_text(files[-1].stem, timeout=TIMEOUT)
    expect(page.locator("#kv-upload")).not_to_contain_text("Uploading", timeout=TIMEOUT)
    if replace:
        page.locator("#kv-replace input").check()
    report = page.locator("#kv-upload-report ul.kv-upload-report")  # not Gradio's progress

    def shown() -> str:
        return report.inner_text() if report.count() else ""

    before = shown()
    page.locator("#kv-add").click()
    for _ in range(1200):  # until this upload's report replaces the last one (≤ 120 s)
        if shown() not in ("", before):
            break
        page.wait_for_timeout(100)
    expect(report.locator("li")).to_have_count(len(files))
    return shown()


def test_upload_a_pdf_and_a_docx_then_ask(page: Page, app_url: str, tmp_path: Path) -> None:
    pdf = tmp_path / "katten.pdf"
    pdf.write_bytes(_pdf("Tweede Kamer der Staten-Generaal", letter_text("katten")))
    docx = tmp_path / "fietsen.docx"
    docx.write_bytes(_docx("Tweede Kamer der Staten-Generaal", letter_text("fietsen")))
    junk = tmp_path / "boodschappen.txt"
    junk.write_text("melk\nbrood\nkaas\n", encoding="utf-8")
    page.goto(app_url)
    report = upload(page, [pdf, docx, junk])
    assert report.count("added · toegevoegd") == 2, report
    assert "katten.pdf" in report and "fietsen.docx" in report
    assert "not a letter · geen brief" in report and "boodschappen.txt" in report
    expect(page.locator("#kv-doc-select")).to_contain_text("Letters · brieven (4)")

    page.get_by_role("tab", name="Chat").click()
    reply = ask(page, "Wie vangt de zwerfkatten van de veerboot naar Texel op?")
    first = reply.locator(".kv-card").first
    expect(first).to_contain_text("dierenasiel op Texel")
    expect(first.locator(".kv-official")).to_have_attribute(
        "href", "https://zoek.officielebekendmakingen.nl/ah-tk-20242025-999.html")


def test_the_same_letter_again_is_refused_unless_replace(page: Page, app_url: str,
                                                         tmp_path: Path) -> None:  # fmt: skip
    first = tmp_path / "katten.txt"
    first.write_text(letter_text("katten"), encoding="utf-8")
    newer = tmp_path / "katten-herzien.txt"
    newer.write_text(letter_text("katten", a2="Het dierenasiel vangt 41 katten per jaar op."),
                     encoding="utf-8")  # fmt: skip
    page.goto(app_url)
    assert "added · toegevoegd" in upload(page, [first])
    refused = upload(page, [newer])
    assert "not added · niet toegevoegd" in refused and "same letter" in refused
    replaced = upload(page, [newer], replace=True)
    assert "replaced · vervangen" in replaced
    page.get_by_role("tab", name="Chat").click()
    reply = ask(page, "Hoeveel zwerfkatten vangt het dierenasiel per jaar op?")
    expect(reply.locator(".kv-card").first).to_contain_text("41 katten")
