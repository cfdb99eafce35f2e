"""Screenshots of every screen of the web app at desktop (1280 px) and phone (390 px) width.

    .venv/bin/python benchmarks/screenshots.py [--index DIR] [--out screenshots]

Starts the app on a free port of 127.0.0.1 over the index (built from corpus/ into
.tmp/screenshot-index when --index is not given), drives Debian's chromium through each
screen and writes PNGs to screenshots/ (git-ignored). Look at them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.web.app import all_documents, start  # noqa: E402  (offline environment first)
from assistant.web.render import official_url  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 '--host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"']  # fmt: skip
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
INJECTION = "<img src=x onerror=alert(1)>"


def load_searcher(index_dir: Path | None):  # type: ignore[no-untyped-def]
    from assistant.search import Searcher
    from assistant.store import open_store
    from assistant.store.build import sync
    from assistant.store.embed import Embedder

    embedder = Embedder()
    if index_dir is None:
        index_dir = ROOT / ".tmp" / "screenshot-index"
        sync(ROOT / "corpus", index_dir, embedder=embedder)[0].close()
    store = open_store(index_dir)
    return Searcher(store, embedder if store.config.model == embedder.name
                    else Embedder(store.config.model))  # fmt: skip


def ask(page, text: str) -> None:  # type: ignore[no-untyped-def]
    bots = page.locator('[data-testid="bot"]')
    before = bots.count()
    box = page.locator("#kv-question textarea")
    box.fill(text)
    box.press("Enter")
    bots.nth(before).wait_for(timeout=30_000)
    page.wait_for_timeout(400)


def screens(page, url: str,  # type: ignore[no-untyped-def]
            official: str | None) -> list[tuple[str, Callable[[], None]]]:  # fmt: skip
    def home() -> None:
        page.goto(url)
        page.locator("#kv-question textarea").wait_for()

    def sources() -> None:
        page.locator('[data-testid="bot"]').last.locator("a.kv-open").first.click()
        page.locator("#kv-cited").wait_for()
        page.wait_for_timeout(700)

    def copy() -> None:
        page.locator('[data-testid="bot"]').last.locator(".kv-copy").first.click()
        page.locator(".kv-copied").first.wait_for()

    def back_to_chat() -> None:
        page.get_by_role("tab", name="Chat").click()
        page.wait_for_timeout(400)

    def lookup() -> None:
        page.get_by_role("tab", name="Lookup · zoeken").click()
        page.locator("#kv-lookup-box textarea").fill("5236577 vraag 13")
        page.locator("#kv-lookup-send").click()
        page.locator(".kv-lookup-item").first.wait_for()

    def lookup_not_found() -> None:
        page.locator("#kv-lookup-box textarea").fill("Ziggo")
        page.locator("#kv-lookup-send").click()
        page.locator("#kv-lookup-results .kv-notfound").wait_for()

    def filters() -> None:
        home()
        page.locator("#kv-filters").get_by_text("Filters").first.click()
        page.wait_for_timeout(400)

    def letters() -> None:
        home()
        page.get_by_role("tab", name="Sources · bronnen").click()
        page.locator(".kv-docs").wait_for()

    def letter_from_list() -> None:  # a row of the list opens its letter
        letters()
        page.locator(".kv-docs tbody tr").first.click()
        page.locator("#kv-letter .kv-dl").wait_for()
        page.wait_for_timeout(500)

    def add_letters() -> None:  # opened only: an upload would change the index
        letters()
        page.locator("#kv-add-letters").get_by_text("Add letters · brieven toevoegen").click()
        page.locator("#kv-upload").wait_for()
        page.wait_for_timeout(400)

    return [
        ("1-home", home),
        ("1b-home-first-screen", home),
        ("2-answer-en", lambda: ask(page, "Can Telegram be banned in the Netherlands?")),
        ("2b-copied", copy),
        ("3-follow-up", lambda: ask(page, "and in Belgium?")),
        ("4-sources-cited-letter", sources),
        ("4b-back-to-chat", back_to_chat),
        ("5-answer-nl", lambda: (home(), ask(page, "Kan Telegram in Nederland verboden worden?"))),
        ("6-not-found", lambda: (home(), ask(page, "What is a good recipe for apple pie?"))),
        ("7-injection", lambda: (home(), ask(page, INJECTION))),
        ("8-empty-question", lambda: (home(), ask(page, "   "))),
        ("9-quick-lookup", lookup),
        ("9b-lookup-not-found", lookup_not_found),
        ("10-filters", filters),
        ("11-sources-list", letters),
        ("11a-sources-letter-from-list", letter_from_list),
        ("11b-add-letters", add_letters),
    ] + ([("12-official-link", lambda: (home(), ask(page, f"vraag 1 van {official}")))]
         if official else [])  # only when a letter has an Aanhangsel id of the full form


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    searcher = load_searcher(args.index)
    official = next((d.aanhangsel for d in all_documents(searcher) if official_url(d)), None)
    app, url = start(searcher, port=0)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, (width, height) in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
                page = context.new_page()
                for label, action in screens(page, url, official):
                    started = time.perf_counter()
                    action()
                    path = args.out / f"{label}-{name}.png"
                    # the letter is long: show what the reader sees after the jump; the
                    # first screen is what a reader sees before scrolling
                    whole = "sources" not in label and "first-screen" not in label
                    page.screenshot(path=str(path), full_page=whole)
                    print(f"{path}  ({time.perf_counter() - started:.1f} s)")
                context.close()
            browser.close()
    finally:
        app.close()


if __name__ == "__main__":
    main()
