"""The real web app in Debian's chromium (Playwright): chat, follow-up, sources, safety.

Never `playwright install`: the browser is /usr/bin/chromium (apt-get install chromium).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from assistant.search import Searcher
from assistant.web.app import start

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
    picker = chat.locator("#kv-open-cited")
    expect(picker).to_be_visible()
    picker.locator("label").first.click()
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
    chat.locator("#kv-lookup-open label").first.click()
    expect(chat.locator("#kv-letter #kv-cited h3")).to_contain_text("Vraag 13", timeout=TIMEOUT)
