"""Adding letters from the web page (Sources tab), in Debian's chromium: a generated PDF
and DOCX are reported, indexed in place and found by the chat at once; the same letter
again is refused unless "replace" is ticked; a file that is no letter is named. And the
issue #17 items that need a changing index: the lists follow letters another process adds,
a screen reader hears words (not Gradio's keys), a long file name shows whole on a phone.
"""

from __future__ import annotations

import os
import re
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
from tests.conftest import run_cli

__all__ = ["browser_context_args", "browser_type_launch_args"]  # pytest-playwright fixtures
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture()
def served(tmp_path: Path, seed_index_dir: Path, embedder: Embedder) -> Iterator[tuple[str, Path]]:
    """The app's URL and its index folder (a copy of the seed index: uploads change it)."""
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    store = open_store(folder)
    app, url = start(Searcher(store, embedder), port=0)
    yield url, folder
    app.close()
    store.close()


@pytest.fixture()
def app_url(served: tuple[str, Path]) -> str:
    return served[0]


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
    junk.write_text(f"melk\nbrood\nkaas\n{tmp_path.name}\n", encoding="utf-8")  # new each run
    cache = Path(os.environ["GRADIO_TEMP_DIR"])  # where Gradio puts uploads
    before = set(cache.glob("*/*"))
    page.goto(app_url)
    report = upload(page, [pdf, docx, junk])
    assert report.count("added · toegevoegd") == 2, report
    assert "katten.pdf" in report and "fietsen.docx" in report
    assert "not a letter · geen brief" in report and "boodschappen.txt" in report
    expect(page.locator("#kv-doc-select")).to_contain_text("Letters · brieven (4)")
    rows = page.locator(".kv-docs tbody tr")  # the list says what the picker counts
    expect(rows).to_have_count(4)
    expect(rows.filter(has_text="zwerfkatten")).to_have_count(1)
    # the server keeps no copy of an upload besides the one kept with the index
    assert not set(cache.glob("*/*")) - before

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


# -- issue #17 ------------------------------------------------------------------------------
def add_by_cli(folder: Path, path: Path) -> None:
    """`assistant add` in a process of its own, as a colleague at another terminal would."""
    done = run_cli("add", str(path), "--store", str(folder), timeout=300)
    assert done.returncode == 0, done.stderr


def filter_options(page: Page) -> list[str]:
    """The choices the "only these letters" filter offers now (the option list opened)."""
    if not page.locator("#kv-doc-filter").is_visible():
        page.locator("#kv-filters").get_by_text("Filters").first.click()
    page.locator("#kv-header").click()  # blur first: the list refreshes as the box gets focus
    page.locator("#kv-doc-filter input").click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(500)  # the refreshed choices replace the old ones
    return options.all_inner_texts()


def test_17_4_lists_and_filter_follow_letters_another_process_adds(
        page: Page, served: tuple[str, Path], tmp_path: Path) -> None:  # fmt: skip
    url, folder = served
    page.goto(url)
    expect(page.locator("#kv-question textarea")).to_be_visible(timeout=TIMEOUT)
    assert len(filter_options(page)) == 2
    katten = tmp_path / "katten.txt"
    katten.write_text(letter_text("katten"), encoding="utf-8")
    add_by_cli(folder, katten)

    page.get_by_role("tab", name="Sources · bronnen").click()
    expect(page.locator("#kv-doc-select")).to_contain_text("Letters · brieven (3)")
    rows = page.locator(".kv-docs tbody tr")
    expect(rows).to_have_count(3)  # was: the count said 3, the list showed the first 2
    expect(rows.filter(has_text="zwerfkatten")).to_have_count(1)
    options = filter_options(page)  # the filter panel is open: its box refreshes on focus
    assert len(options) == 3 and any("zwerfkatten" in o for o in options), options

    fietsen = tmp_path / "fietsen.txt"
    fietsen.write_text(letter_text("fietsen"), encoding="utf-8")
    add_by_cli(folder, fietsen)
    options = filter_options(page)
    assert len(options) == 4 and any("fietsen" in o for o in options), options
    page.reload()  # a page opened now starts with the index as it is now
    expect(page.locator("#kv-question textarea")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("tab", name="Sources · bronnen").click()
    expect(rows).to_have_count(4)
    expect(page.locator("#kv-doc-select")).to_contain_text("Letters · brieven (4)")


LIVE = """() => { window.kvHeard = [];
  new MutationObserver((changes) => { for (const c of changes) {
    const node = c.target.nodeType === 3 ? c.target.parentElement : c.target;
    const region = node && node.closest('[role="status"][aria-live]');
    const text = region && region.textContent.trim();
    if (text) window.kvHeard.push(text); } })
  .observe(document.body, {subtree: true, childList: true, characterData: true}); }"""


def test_17_11_a_screen_reader_hears_words_not_translation_keys(
        page: Page, app_url: str, tmp_path: Path) -> None:  # fmt: skip
    katten = tmp_path / "katten.txt"
    katten.write_text(letter_text("katten"), encoding="utf-8")
    page.goto(app_url)
    expect(page.locator("#kv-question textarea")).to_be_visible(timeout=TIMEOUT)
    page.evaluate(LIVE)  # what Gradio's status region (aria-live) announces from now on
    assert "added · toegevoegd" in upload(page, [katten])
    # Gradio speaks at most every 5 s: "Loading" as the upload starts, then its end
    page.wait_for_function("window.kvHeard.length >= 2", timeout=15_000)
    heard = page.evaluate("window.kvHeard")
    assert not [h for h in heard if re.fullmatch(r"[a-z_]+\.[a-z_.]+", h)], heard  # keys
    assert heard[-1] == "Done", heard
    page.wait_for_timeout(5000)  # past Gradio's pause between two announcements
    page.evaluate("window.kvHeard = []")
    page.get_by_role("tab", name="Chat").click()
    page.get_by_role("tab", name="Sources · bronnen").click()  # refreshes the lists
    expect(page.locator(".kv-docs tbody tr")).to_have_count(3)
    page.wait_for_timeout(6000)
    assert page.evaluate("window.kvHeard") == []  # a quiet refresh: nothing to announce


def test_17_13_a_long_file_name_shows_whole_on_a_phone(
        page: Page, served: tuple[str, Path], tmp_path: Path) -> None:  # fmt: skip
    url, folder = served
    long_name = tmp_path / "Antwoord_op_vragen_van_het_lid_De_Boer_over_zwerfkatten_Texel.txt"
    long_name.write_text(letter_text("katten"), encoding="utf-8")
    add_by_cli(folder, long_name)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    expect(page.locator("#kv-question textarea")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("tab", name="Sources · bronnen").click()
    page.locator("#kv-doc-select input").click()
    page.get_by_role("option", name=re.compile("zwerfkatten")).click()
    letter = page.locator("#kv-letter")
    expect(letter.locator("h2")).to_contain_text("zwerfkatten", timeout=TIMEOUT)
    name = letter.locator(".kv-dl dd", has_text="Antwoord_op_vragen")
    expect(name).to_have_text(long_name.name)
    box = name.bounding_box()
    article = letter.locator("article").bounding_box()
    assert box and article and box["x"] + box["width"] <= article["x"] + article["width"] + 1
    assert name.evaluate("(e) => e.scrollWidth <= e.clientWidth + 1")  # nothing cut off
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
