"""Property tests (Hypothesis) of what the web server takes from a caller (issue #25 item
8), against a real launched server: the `/search` API's parameters (question and k, as
any JSON a program may send, lone surrogates included), and the page's own chat and
lookup with the filter panel's values (dates, letters) as any caller may post them.
Each call ends with a result or a clear message — never a server error.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import event as note
from hypothesis import strategies as st
from web_calls import request, run_event

from assistant.ingest.text import typed_text
from assistant.search import Searcher
from assistant.web.app import start

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])  # fmt: skip
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
TEXT = st.one_of(
    st.text(max_size=80),
    st.text(st.one_of(st.characters(), SURROGATES), max_size=30),
    st.sampled_from(["Telegram", "5236577 vraag 13", "vraag 99999999999999999999", "%_\\*?[",
                     "\udcff", "\x00", "\u202e", "a" * 20_000, "Since when is doxing a crime?"]),
)  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=False)
    | TEXT, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=2),
    max_leaves=4,
)  # fmt: skip
DATES = st.one_of(
    st.none(), TEXT, JSON,
    st.sampled_from(["9999-99-99", "2300-01-01", "0000-00-00", "2024-02-30", "2024-13-01",
                     "1799-12-31", "0001-01-01", "9999-12-31", " 2024-01-01 ", "2024-1-1",
                     "٢٠٢٤-٠١-٠١", "2024-01-01\n", "2024-11-08", "2024-11-30", ""]),
    st.dates().map(str),
)  # fmt: skip


@pytest.fixture(scope="module")
def app_url(searcher: Searcher) -> Iterator[str]:
    app, url = start(searcher, port=0)
    yield url
    app.close()


def post_search(url: str, body: bytes) -> tuple[int, str, Any]:
    """POST /gradio_api/call/search; (HTTP status, event, data)."""
    host = {"Host": urlsplit(url).netloc}
    status, text = request(url, "POST", "/gradio_api/call/search",
                           {**host, "Content-Type": "application/json"}, body)  # fmt: skip
    if status != 200:
        return status, "", text
    event_id = json.loads(text)["event_id"]
    status, text = request(url, "GET", f"/gradio_api/call/search/{event_id}", host)
    lines = text.splitlines()
    event = next(line.split(": ", 1)[1] for line in lines if line.startswith("event: "))
    data = next(line.split(": ", 1)[1] for line in lines if line.startswith("data: "))
    return status, event, json.loads(data)


@pytest.mark.timeout(900)
@SETTINGS
@given(question=TEXT | JSON, k=st.integers(1, 50) | st.integers(-5, 60) | JSON,
       arity=st.sampled_from([2, 2, 2, 2, 0, 1, 3]))  # fmt: skip
@example(question="Telegram \udcff", k=3, arity=2)
@example(question="\ud800", k=3, arity=2)
@example(question="\x00", k=3, arity=2)
def test_search_api_gives_hits_or_a_message(app_url: str, question: Any, k: Any,
                                            arity: int) -> None:  # fmt: skip
    data = [question, k, "extra"][:arity]
    body = json.dumps({"data": data}).encode()  # lone surrogates as "\udcff" escapes
    status, event, got = post_search(app_url, body)
    if status != 200:
        assert status in (400, 413, 422), (data, status, got)
        return
    assert event in ("complete", "error"), (data, event, got)
    note(event)
    fine = (arity == 2 and isinstance(question, str) and isinstance(k, int)
            and not isinstance(k, bool) and 1 <= k <= 50
            and typed_text(question).replace("\ufffd", " ").strip())  # fmt: skip
    if fine:  # a question and a k in range: hits, whatever characters the question holds
        assert event == "complete" and got[0]["hits"], (data, got)
    if event == "complete":
        assert isinstance(got, list) and set(got[0]) >= {"question", "hits", "answerable"}
    else:
        message = (got or {}).get("error")
        assert message, (data, got)  # a message, never {"error": null}
        assert "failed on the server" not in message, (data, message)


def chat_call(url: str, button: str, question: Any, letters: Any, date_from: Any,
              date_to: Any) -> tuple[bool, dict[str, Any]]:  # fmt: skip
    if button == "kv-send":  # question, chat history, conversation (state), filters
        data = [question, [], None, letters, date_from, date_to]
    elif button == "kv-lookup-send":  # the lookup: box, filters
        data = [question, letters, date_from, date_to]
    else:  # "open in letter" / a row of the list: the hidden box's passage or letter id
        data = [question]
    return run_event(url, button, data)


IDS = st.sampled_from(["5236577-q13", "e7098fd791bf", "e7098f%", "\udcff", "5236577-q%"])
LETTERS = st.one_of(st.none(), st.lists(TEXT, max_size=2),
                    st.just(["5236577 · 2024-11-08"]), JSON)  # fmt: skip


@pytest.mark.timeout(900)
@SETTINGS
@given(button=st.sampled_from(["kv-send", "kv-lookup-send", "kv-open-btn",
                               "kv-open-letter-btn"]), question=TEXT | JSON | IDS,
       letters=LETTERS, date_from=DATES, date_to=DATES)  # fmt: skip
@example(button="kv-send", question="Telegram", letters=[], date_from="9999-99-99",
         date_to=None)  # fmt: skip
@example(button="kv-lookup-send", question="Telegram", letters=[], date_from="2300-01-01",
         date_to="2300-12-31")  # fmt: skip
@example(button="kv-send", question="Telegram\udcff", letters=[], date_from=None, date_to=None)
@example(button="kv-send", question="Telegram", letters=[], date_from="٢٠٢٤-٠١-٠١",
         date_to=None)  # fmt: skip
@example(button="kv-open-letter-btn", question="\udcff", letters=None, date_from=None,
         date_to=None)  # fmt: skip
def test_chat_and_lookup_with_any_filters_answer_or_explain(
        app_url: str, button: str, question: Any, letters: Any, date_from: Any,
        date_to: Any) -> None:  # fmt: skip
    success, output = chat_call(app_url, button, question, letters, date_from, date_to)
    note(f"{button} {'answered' if success else 'refused by Gradio'}")
    if not success:  # Gradio's own check of a value the page could not have sent
        message = str(output.get("error") or "")
        assert "not in the list of choices" in message or "input" in message.lower(), (
            question, letters, date_from, date_to, output)  # fmt: skip
        return
    html = json.dumps(output["data"], ensure_ascii=False)
    assert "kv-" in html
    assert "Traceback" not in html and "failed on the server" not in html
    asked = isinstance(question, str) and typed_text(question).replace("\ufffd", " ").strip()
    wrong = [d for d in (date_from, date_to) if isinstance(d, str) and not calendar(d)]
    if asked and wrong and button in ("kv-send", "kv-lookup-send"):
        assert "2024-03-18" in html, (question, date_from, date_to)  # "must look like"


def calendar(value: str) -> bool:
    """Is value empty or an ISO calendar date (what the filter takes)?"""
    value = value.strip()
    if not value:
        return True
    try:
        return bool(re.fullmatch(r"[0-9-]{10}", value)) and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False
