"""Issue #17 items 1–3 as the page shows them (the real Gradio server, Debian's chromium):
"not found within these filters", a short new question that is not glued to the thread
(no "searched as", no "exact match" badges), and the "since when" example's first card.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from assistant.search import Searcher
from assistant.web.app import start
from tests.test_browser import CHROMIUM_ARGS, TIMEOUT, ask

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FIRST_CARD_ANSWERS_SINCE = re.compile(r"kenmerk 5236577;.*antwoord op vraag [26],")


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
    page.goto(app_url)
    expect(page.locator("#kv-question textarea")).to_be_visible(timeout=TIMEOUT)
    return page


def test_17_1_a_letter_that_does_not_answer_is_not_found_within_the_filter(chat: Page) -> None:
    """Only letter 5209583 (drug trade on Telegram) and a question only 5236577 answers:
    the page said "Deze passages beantwoorden uw vraag" over 5209583's passages."""
    chat.locator("#kv-filters").get_by_text("Filters").first.click()
    chat.locator("#kv-doc-filter input").click()
    chat.get_by_role("option", name=re.compile("5209583")).click()
    chat.locator("#kv-header").click()  # close the option list
    reply = ask(chat, "Hoeveel verdachten van doxing zijn geïdentificeerd?")
    expect(reply.locator(".kv-notfound")).to_contain_text("Niet gevonden binnen deze filters")
    expect(reply.locator(".kv-intro")).to_have_count(0)
    related = reply.locator(".kv-related-block .kv-cite-line")
    expect(related.first).to_contain_text("kenmerk 5209583;")


def test_17_2_a_short_new_question_is_not_glued_to_the_thread(chat: Page) -> None:
    ask(chat, "artikel 285d Sr")
    reply = ask(chat, "How many exposegroepen are there?")
    expect(reply.locator(".kv-card").first).to_be_visible()
    expect(reply.locator(".kv-followup")).to_have_count(0)  # no "searched as: artikel …"
    expect(reply.locator(".kv-exact")).to_have_count(0)  # no "exact match" badges
    ask(chat, "Kan Telegarm in Nederland verbodden worden?")
    reply = ask(chat, "Sinds wanneer is doxing strafbaar?")
    expect(reply.locator(".kv-followup")).to_have_count(0)
    expect(reply.locator(".kv-card .kv-cite-line").first).to_contain_text(
        FIRST_CARD_ANSWERS_SINCE)
    # a question that lacks its own subject still leans on the thread
    reply = ask(chat, "Onder welk artikel valt dat?")
    expect(reply.locator(".kv-followup")).to_contain_text("Sinds wanneer is doxing strafbaar?")


def test_17_3_the_since_when_example_puts_the_start_first(chat: Page) -> None:
    chat.get_by_role("button", name="Since when is doxing a criminal offence?").click()
    reply = chat.locator('#kv-chat [data-testid="bot"]').first
    expect(reply.locator(".kv-card").first).to_be_visible(timeout=TIMEOUT)
    expect(reply.locator(".kv-card .kv-cite-line").first).to_contain_text(
        FIRST_CARD_ANSWERS_SINCE)
