"""The real web app in Debian's chromium (Playwright): chat, follow-up, sources, safety,
and each web item of issue #12 (contrast, excerpts, bin icon, plain words and "not found",
reopening a citation, copy, official link, phone layout).

Never `playwright install`: the browser is /usr/bin/chromium (apt-get install chromium).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from assistant.cite import aanhangsel_label
from assistant.search import Searcher
from assistant.web.app import all_documents, start
from assistant.web.render import official_url
from tests.conftest import needs_shared

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 '--host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"']  # fmt: skip
EN_QUESTION = "Can Telegram be banned in the Netherlands?"
NL_QUESTION = "Kan Telegram in Nederland verboden worden?"
HOSTILE = "<img src=x onerror=alert(1)>"
TIMEOUT = 30_000


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # the copy button writes the clipboard; the tests read it back
    return {**browser_context_args, "permissions": ["clipboard-read", "clipboard-write"]}


@pytest.fixture(scope="module")
def app_url(searcher: Searcher) -> Iterator[str]:
    app, url = start(searcher, port=0)
    yield url
    app.close()


@pytest.fixture()
def chat(page: Page, app_url: str) -> Page:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    page.goto(app_url)
    expect(page.locator("#kv-question textarea")).to_be_visible(timeout=TIMEOUT)
    return page


def ask(page: Page, text: str) -> Locator:
    """Type a question, press Enter; the new bot message."""
    bots = page.locator('#kv-chat [data-testid="bot"]')
    before = bots.count()
    box = page.locator("#kv-question textarea")
    box.fill(text)
    box.press("Enter")
    expect(bots).to_have_count(before + 1, timeout=TIMEOUT)
    return bots.nth(before)


def open_tab(page: Page, name: str) -> None:
    """Open the tab whose label starts with name; on a phone the last tabs wait under
    Gradio's "More tabs" menu."""
    tab = page.get_by_role("tab", name=re.compile(re.escape(name)))
    if tab.count():
        tab.click()
        return
    page.get_by_role("button", name="More tabs").click()
    page.locator(".overflow-dropdown button", has_text=re.compile(re.escape(name))).click()


def card_for(reply: Locator, kenmerk: str, number: int) -> Locator:
    """The card citing question `number` of the letter with this kenmerk."""
    line = re.compile(rf"kenmerk {kenmerk};.*antwoord op vraag {number},")
    return reply.locator(".kv-card").filter(
        has=reply.page.locator(".kv-cite-line", has_text=line))


def test_english_question_shows_the_telegram_ban_card(chat: Page) -> None:
    reply = ask(chat, EN_QUESTION)
    expect(reply.locator(".kv-intro")).to_have_text(re.compile("answer your question"))
    card = card_for(reply, "5236577", 13)
    expect(card).to_have_count(1)
    expect(card.locator(".kv-label").first).to_have_text(re.compile("Question 13", re.I))
    expect(card.locator(".kv-q")).to_contain_text("verbod op het aanbieden van de app Telegram")
    expect(card.locator(".kv-meta")).to_contain_text("18 March 2024")
    expect(card.locator(".kv-cite-line")).to_contain_text("p. 7")
    rank = int(card.locator(".kv-rank").inner_text())
    assert rank <= 3
    expect(chat.locator('#kv-chat [data-testid="user"]')).to_have_text(EN_QUESTION)


def test_dutch_question_gets_dutch_reply(chat: Page) -> None:
    reply = ask(chat, NL_QUESTION)
    expect(reply.locator(".kv-intro")).to_have_text(re.compile("beantwoorden uw vraag"))
    card = card_for(reply, "5236577", 13)
    expect(card).to_have_count(1)
    expect(card.locator(".kv-meta")).to_contain_text("18 maart 2024")
    expect(card.locator(".kv-a .kv-label")).to_have_text(re.compile("Antwoord", re.I))


def test_follow_up_then_new_conversation(chat: Page) -> None:
    ask(chat, EN_QUESTION)
    reply = ask(chat, "and in Belgium?")
    expect(reply.locator(".kv-followup")).to_contain_text(f"{EN_QUESTION} and in Belgium?")
    expect(reply.locator(".kv-card").first).to_be_visible()
    expect(reply.locator(".kv-a", has_text="België").first).to_be_visible()
    chat.locator("#kv-new").click()
    expect(chat.locator('#kv-chat [data-testid="bot"]')).to_have_count(0, timeout=TIMEOUT)
    fresh = ask(chat, "and in Belgium?")
    expect(fresh.locator(".kv-followup")).to_have_count(0)  # the thread was cleared


def test_off_topic_question_says_not_found(chat: Page) -> None:
    reply = ask(chat, "What is a good recipe for apple pie?")
    expect(reply.locator(".kv-notfound")).to_contain_text("Not found")
    expect(reply.locator(".kv-intro")).to_have_count(0)
    related = reply.locator(".kv-related-block")
    expect(related.locator(".kv-related-title")).to_have_text("Possibly related")


def test_open_cited_letter_highlights_answer_in_place(chat: Page) -> None:
    reply = ask(chat, EN_QUESTION)
    first_question = reply.locator(".kv-card").first.locator(".kv-q").inner_text()
    reply.locator(".kv-card").first.locator("a.kv-open").click()
    cited = chat.locator("#kv-letter #kv-cited")
    expect(cited).to_be_visible(timeout=TIMEOUT)
    expect(cited.locator(".kv-badge")).to_contain_text("cited")
    question = first_question.split(" ", 2)[-1][:60]  # drop the "QUESTION 13" label
    expect(cited.locator(".kv-q")).to_contain_text(question)
    expect(chat.locator("#kv-letter .kv-passage").nth(1)).to_be_attached()  # whole letter
    expect(chat.locator("#kv-letter .kv-dl")).to_contain_text("Ons kenmerk")
    expect(cited).to_be_in_viewport()


def test_html_injection_is_shown_literally(chat: Page) -> None:
    reply = ask(chat, HOSTILE)
    user = chat.locator('#kv-chat [data-testid="user"]').last
    expect(user).to_have_text(HOSTILE)
    expect(reply.locator(".kv-card").first).to_be_visible()
    assert chat.locator("img[onerror]").count() == 0
    assert chat.locator('#kv-chat img[src="x"]').count() == 0
    assert chat.dialogs == []  # type: ignore[attr-defined]


def test_empty_and_long_questions_get_friendly_messages(chat: Page) -> None:
    reply = ask(chat, "   ")
    expect(reply).to_contain_text("Please type a question first")
    reply = ask(chat, "Can Telegram be banned in the Netherlands? " * 120)
    expect(reply.locator(".kv-note")).to_contain_text("very long")
    expect(reply.locator(".kv-card").first).to_be_visible()
    expect(chat.locator("text=Traceback")).to_have_count(0)


def test_example_button_and_document_filter(chat: Page) -> None:
    chat.locator("#kv-filters").get_by_text("Filters").first.click()
    chat.locator("#kv-doc-filter input").click()
    chat.get_by_role("option", name=re.compile("5209583")).click()
    chat.locator("#kv-header").click()  # close the option list
    chat.get_by_role("button", name="Kan Telegram in Nederland verboden worden?").click()
    reply = chat.locator('#kv-chat [data-testid="bot"]').first
    expect(reply.locator(".kv-card").first).to_be_visible(timeout=TIMEOUT)
    lines = reply.locator(".kv-cite-line").all_inner_texts()
    assert lines and all("kenmerk 5209583;" in line for line in lines)


def test_quick_lookup_finds_a_reference(chat: Page) -> None:
    chat.get_by_role("tab", name=re.compile("Lookup")).click()
    chat.locator("#kv-lookup-box textarea").fill("5236577 vraag 13")
    chat.locator("#kv-lookup-send").click()
    items = chat.locator("#kv-lookup-results .kv-lookup-item")
    expect(items.first).to_be_visible(timeout=TIMEOUT)
    assert items.count() >= 5
    expect(items.first.locator(".kv-cite-line")).to_contain_text(
        re.compile(r"kenmerk 5236577;.*antwoord op vraag 13,"))
    items.first.locator("a.kv-open").click()
    expect(chat.locator("#kv-letter #kv-cited h3")).to_contain_text("Vraag 13", timeout=TIMEOUT)


# -- issue #12, one test per item ---------------------------------------------------------
CONTRAST = """(el) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let bg = el, color = getComputedStyle(el).color;
  while (bg && /rgba\\(0, 0, 0, 0\\)|transparent/.test(getComputedStyle(bg).backgroundColor))
    bg = bg.parentElement;
  const back = bg ? getComputedStyle(bg).backgroundColor : 'rgb(255, 255, 255)';
  let opacity = 1;
  for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
  const [hi, lo] = [lum(color), lum(back)].sort((a, b) => b - a);
  return {ratio: (hi + 0.05) / (lo + 0.05), opacity};
}"""


def test_12_1_meta_line_and_grey_text_have_contrast(chat: Page) -> None:
    reply = ask(chat, EN_QUESTION)
    for locator in (reply.locator(".kv-meta").first, reply.locator(".kv-hint"),
                    chat.locator("#kv-header p"), reply.locator(".kv-label").first,
                    reply.locator(".kv-cite-line").first):  # fmt: skip
        measured = locator.evaluate(CONTRAST)
        assert measured["ratio"] >= 4.5 and measured["opacity"] == 1, measured


def open_lookup(page: Page, text: str) -> Locator:
    page.get_by_role("tab", name=re.compile("Lookup")).click()
    page.locator("#kv-lookup-box textarea").fill(text)
    page.locator("#kv-lookup-send").click()
    results = page.locator("#kv-lookup-results")
    expect(results.locator(".kv-lookup-item, .kv-notfound").first).to_be_visible(timeout=TIMEOUT)
    return results


def test_12_2_lookup_excerpt_starts_at_the_answering_sentence(chat: Page) -> None:
    first = open_lookup(chat, "5236577 vraag 13").locator(".kv-lookup-item").first
    answer = first.locator(".kv-a").inner_text()
    assert answer.startswith("Ik zie een verbod op de app Telegram in Nederland niet als"), answer
    for bold in first.locator(".kv-a strong").all_inner_texts():
        assert bold.strip() in answer and bold.strip()[-1] in ".?!;", bold


def test_12_3_follow_up_examples_only_when_there_is_something_to_follow(chat: Page) -> None:
    belgium = chat.get_by_role("button", name="↳ And in Belgium?")
    expect(belgium).to_be_hidden()  # an empty chat has no thread to follow up on
    expect(chat.get_by_role("button", name=EN_QUESTION)).to_be_visible()
    ask(chat, EN_QUESTION)
    expect(belgium).to_be_visible()
    belgium.click()
    reply = chat.locator('#kv-chat [data-testid="bot"]').nth(1)
    expect(reply.locator(".kv-followup")).to_contain_text("Belgium", timeout=TIMEOUT)
    chat.locator('#kv-chat button[aria-label="Clear"]').click()
    expect(belgium).to_be_hidden()
    ask(chat, NL_QUESTION)
    chat.locator("#kv-new").click()
    expect(belgium).to_be_hidden()


def test_12_4_bin_icon_also_forgets_the_thread(chat: Page) -> None:
    ask(chat, EN_QUESTION)
    follow = ask(chat, "and in Belgium?")
    expect(follow.locator(".kv-followup")).to_be_visible()
    chat.locator('#kv-chat button[aria-label="Clear"]').click()
    expect(chat.locator('#kv-chat [data-testid="bot"]')).to_have_count(0, timeout=TIMEOUT)
    fresh = ask(chat, "and in Belgium?")
    expect(fresh.locator(".kv-followup")).to_have_count(0)  # no hidden context left


def test_12_6_lookup_speaks_plainly_and_says_not_found(chat: Page) -> None:
    results = open_lookup(chat, "5236577 vraag 13")
    expect(results).not_to_contain_text("semantic")
    expect(results).not_to_contain_text(re.compile(r"\b0\.\d{3}\b"))
    expect(results.locator(".kv-lookup-item").first.locator(".kv-exact")).to_have_text(
        "Precies de gevraagde verwijzing")  # fmt: skip
    for text in ("vraag 99 van 5236577", "Ziggo"):
        results = open_lookup(chat, text)
        expect(results.locator(".kv-notfound")).to_contain_text("Niet gevonden")
        expect(results.locator(".kv-lookup-item")).to_have_count(0)


def test_12_8_the_same_citation_opens_again_after_going_back(chat: Page) -> None:
    reply = ask(chat, EN_QUESTION)
    link = reply.locator(".kv-card").first.locator("a.kv-open")
    letter = chat.locator("#kv-letter #kv-cited")
    for _ in range(3):
        link.click()
        expect(letter).to_be_visible(timeout=TIMEOUT)
        expect(letter).to_be_in_viewport()
        chat.get_by_role("tab", name="Chat").click()
        expect(letter).to_be_hidden()
        expect(link).to_be_visible()


def test_copy_button_puts_the_citation_on_the_clipboard(chat: Page) -> None:
    card = card_for(ask(chat, EN_QUESTION), "5236577", 13)
    line = card.locator(".kv-cite-line").inner_text().strip()
    button = card.locator(".kv-copy")
    expect(button).to_have_text("Copy citation", use_inner_text=True)
    button.click()
    expect(button).to_have_text("Copied ✓", use_inner_text=True)
    assert chat.evaluate("navigator.clipboard.readText()") == line
    assert "kenmerk 5236577" in line and "antwoord op vraag 13" in line
    item = open_lookup(chat, "5236577 vraag 13").locator(".kv-lookup-item").first
    item.locator(".kv-copy").click()
    expect(item.locator(".kv-copy")).to_have_text("Gekopieerd ✓", use_inner_text=True)
    assert chat.evaluate("navigator.clipboard.readText()") == (
        item.locator(".kv-cite-line").inner_text().strip())  # fmt: skip


@pytest.fixture(scope="module")
def full_app(full_searcher: Searcher) -> Iterator[tuple[str, Searcher]]:
    app, url = start(full_searcher, port=0)
    yield url, full_searcher
    app.close()


@needs_shared
def test_official_publication_link_opens_in_a_new_tab(
        page: Page, full_app: tuple[str, Searcher]) -> None:  # fmt: skip
    url, searcher = full_app
    doc = next(d for d in all_documents(searcher) if official_url(d))
    page.goto(url)
    reply = ask(page, f"vraag 2 van {doc.aanhangsel}")
    card = reply.locator(".kv-card").first
    expect(card.locator(".kv-cite-line")).to_contain_text(aanhangsel_label(doc.aanhangsel or ""))
    link = card.locator("a.kv-official")
    expect(link).to_have_attribute(
        "href", f"https://zoek.officielebekendmakingen.nl/{doc.aanhangsel}.html")  # fmt: skip
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    expect(link).to_contain_text("Officiële publicatie")  # a Dutch question, a Dutch reply
    seed = card_for(ask(page, EN_QUESTION), "5236577", 13)
    expect(seed.locator("a.kv-official")).to_have_count(0)  # no Aanhangsel id, no link
    with page.context.expect_page() as opened:  # a new tab, and this page stays
        link.click()
    assert opened.value.url.startswith("https://zoek.officielebekendmakingen.nl/") or (
        opened.value.url.startswith("chrome-error://"))  # fmt: skip  (no internet here)
    expect(page.locator("#kv-question textarea")).to_be_visible()


def test_phone_examples_are_whole_and_nothing_covers_the_answer(chat: Page) -> None:
    chat.set_viewport_size({"width": 390, "height": 844})
    examples = chat.locator("#kv-examples")
    box = examples.bounding_box()
    assert box is not None and box["height"] < 120  # two short rows, not half the screen
    assert examples.evaluate("(e) => e.scrollWidth <= e.clientWidth")  # nothing hidden aside
    for button in examples.get_by_role("button").all():
        if button.is_visible():  # every example whole on the screen (#17: they ran off it)
            b = button.bounding_box()
            assert b and b["x"] >= 0 and b["x"] + b["width"] <= 390, button.inner_text()
    assert chat.evaluate("document.documentElement.scrollWidth") <= 390  # the page does not
    examples.get_by_role("button", name="Wie houdt toezicht op de Digital Services Act?").click()
    expect(chat.locator('#kv-chat [data-testid="bot"]')).to_have_count(1, timeout=TIMEOUT)
    ask(chat, EN_QUESTION)
    expect(chat.locator("#kv-chat .scroll-down-button-container button")).to_be_hidden()
    chat_box = chat.locator("#kv-chat").bounding_box()
    assert chat_box is not None and chat_box["height"] > 400  # answers get the room
    for x in (0.25, 0.5, 0.75):  # what sits on the bottom edge of the chat is the answer
        hit = chat.evaluate(f"""() => {{ const r = document.querySelector('#kv-chat')
          .getBoundingClientRect(); const el = document.elementFromPoint(
          r.left + r.width * {x}, r.bottom - 12); return el.closest('.kv-reply') !== null
          || el.closest('[data-testid="bot"]') !== null; }}""")  # fmt: skip
        assert hit, x


# -- issue #17, the items that need no change to the index ---------------------------------
def test_17_13_phone_first_screen_holds_the_question_box_and_the_examples(
        page: Page, app_url: str) -> None:  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_url)
    expect(page.locator("#kv-question textarea")).to_be_visible(timeout=TIMEOUT)
    for selector in ("#kv-question textarea", "#kv-send", "#kv-examples"):
        expect(page.locator(selector)).to_be_in_viewport(ratio=1)  # no scrolling needed
    expect(page.locator("#kv-chat .placeholder-content")).to_be_in_viewport(ratio=1)


def test_17_4_a_row_of_the_sources_list_opens_its_letter(chat: Page) -> None:
    chat.get_by_role("tab", name="Sources · bronnen").click()
    rows = chat.locator(".kv-docs tbody tr")
    expect(rows).to_have_count(2)
    rows.filter(has_text="5209583").locator("td").nth(1).click()  # the date cell: any cell
    letter = chat.locator("#kv-letter")
    expect(letter.locator(".kv-dl")).to_contain_text("5209583", timeout=TIMEOUT)
    expect(letter.locator(".kv-passage")).to_have_count(20)
    expect(chat.locator("#kv-doc-select input")).to_have_value(re.compile("^5209583 · "))
    expect(rows.first).to_be_hidden()
    chat.get_by_role("button", name="← All letters · alle brieven").click()
    expect(letter).to_be_hidden()
    expect(rows).to_have_count(2)
    expect(rows.first).to_be_visible()
    expect(chat.locator("#kv-doc-select input")).to_have_value("")
    link = rows.filter(has_text="5236577").get_by_role("link")  # by keyboard: the subject
    link.focus()
    chat.keyboard.press("Enter")
    expect(letter.locator(".kv-dl")).to_contain_text("5236577", timeout=TIMEOUT)
    expect(letter.locator(".kv-passage")).to_have_count(17)
