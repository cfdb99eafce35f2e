"""Accessibility of the real web app in Debian's chromium: an axe-core audit of each screen
at desktop and phone width, and the whole ask-and-cite path by keyboard alone.

axe-core comes with the PyPI package axe-playwright-python (the `test` extra); it runs
inside the page, so nothing is fetched from the internet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from assistant.search import Searcher
from assistant.web.app import start
from tests.test_browser import CHROMIUM_ARGS, EN_QUESTION, TIMEOUT, ask, open_tab

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
BLOCKING = {"serious", "critical"}
AXE = Axe()


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "permissions": ["clipboard-read", "clipboard-write"]}


@pytest.fixture(scope="module")
def app_url(searcher: Searcher) -> Iterator[str]:
    app, url = start(searcher, port=0)
    yield url
    app.close()


def blocking_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    page.wait_for_timeout(300)  # let Gradio's transitions settle
    found = AXE.run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {v['help']} at "
            f"{[n['target'] for n in v['nodes'][:3]]} {v['nodes'][0].get('failureSummary', '')}"
            for v in found if v["impact"] in BLOCKING]  # fmt: skip


def answer_screen(page: Page) -> None:
    expect(ask(page, EN_QUESTION).locator(".kv-card").first).to_be_visible()


def not_found_screen(page: Page) -> None:
    reply = ask(page, "What is a good recipe for apple pie?")
    expect(reply.locator(".kv-notfound")).to_be_visible()


def lookup_screen(page: Page) -> None:
    page.get_by_role("tab", name=re.compile("Lookup")).click()
    page.locator("#kv-lookup-box textarea").fill("5236577 vraag 13")
    page.locator("#kv-lookup-send").click()
    expect(page.locator(".kv-lookup-item").first).to_be_visible(timeout=TIMEOUT)


def sources_screen(page: Page) -> None:
    answer_screen(page)
    page.locator(".kv-card a.kv-open").first.click()
    expect(page.locator("#kv-letter #kv-cited")).to_be_visible(timeout=TIMEOUT)


def letters_screen(page: Page) -> None:
    open_tab(page, "Sources")  # under "More tabs" on a phone
    expect(page.locator(".kv-docs tbody tr").first).to_be_visible(timeout=TIMEOUT)


def letter_from_list_screen(page: Page) -> None:
    letters_screen(page)
    page.locator(".kv-docs tbody tr").first.click()
    expect(page.locator("#kv-letter .kv-dl")).to_be_visible(timeout=TIMEOUT)


def asked_before_screen(page: Page) -> None:
    page.get_by_role("tab", name=re.compile("Asked before")).click()
    page.locator("#kv-match-paste textarea").fill(
        "1. Bent u bekend met het bericht «Telegram onbereikbaar»?\n\n"
        "2. Kan de app Telegram in Nederland verboden worden?")
    page.locator("#kv-match-go").click()
    expect(page.locator("#kv-match-results .kv-match-table tbody tr")).to_have_count(
        2, timeout=120_000)


SCREENS: dict[str, Callable[[Page], None]] = {
    "chat with an answer": answer_screen,
    "not-found reply": not_found_screen,
    "lookup": lookup_screen,
    "sources with the cited letter": sources_screen,
    "the list of letters": letters_screen,
    "a letter opened from the list": letter_from_list_screen,
    "asked before? with a table": asked_before_screen,
}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_no_serious_or_critical_axe_violations(page: Page, app_url: str, width: str) -> None:
    w, h = WIDTHS[width]
    page.set_viewport_size({"width": w, "height": h})
    page.goto(app_url)
    expect(page.locator("#kv-question textarea")).to_be_visible(timeout=TIMEOUT)
    problems = {"start page": blocking_violations(page)}
    for name, show in SCREENS.items():
        page.goto(app_url)
        expect(page.locator("#kv-question textarea")).to_be_visible(timeout=TIMEOUT)
        show(page)
        problems[name] = blocking_violations(page)
    assert all(not found for found in problems.values()), problems


def focused(page: Page, selector: str) -> bool:
    return bool(page.evaluate("(s) => !!document.activeElement?.matches(s)", selector))


def tab_to(page: Page, selector: str, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the element matching selector has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit + 1):
        if focused(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} not reached with {limit} × {key}")


def test_ask_and_open_a_citation_by_keyboard_alone(page: Page, app_url: str) -> None:
    page.goto(app_url)
    expect(page.locator("#kv-question textarea")).to_be_visible(timeout=TIMEOUT)
    bots = page.locator('#kv-chat [data-testid="bot"]')
    tab_to(page, "#kv-question textarea")
    page.keyboard.type(EN_QUESTION)
    tab_to(page, "#kv-send", limit=3)  # the ask button comes right after the box
    page.keyboard.press("Enter")
    expect(bots).to_have_count(1, timeout=TIMEOUT)
    expect(bots.first.locator(".kv-card").first).to_be_visible()
    # an example button, by keyboard
    tab_to(page, "#kv-examples button", limit=6)
    expect(page.locator("#kv-examples button").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(bots).to_have_count(2, timeout=TIMEOUT)
    # back into the answers: copy a citation, then open one in its letter
    tab_to(page, "#kv-question textarea")
    tab_to(page, ".kv-copy", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator(".kv-copy.kv-copied")).to_have_count(1)
    tab_to(page, "a.kv-open")
    href = unquote(page.evaluate("document.activeElement.getAttribute('href')"))
    page.keyboard.press("Enter")
    cited = page.locator("#kv-letter #kv-cited")
    expect(cited).to_be_visible(timeout=TIMEOUT)
    assert href == f"#open={cited.get_attribute('data-passage')}"  # the letter of that link
