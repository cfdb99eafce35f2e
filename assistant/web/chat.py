"""Chat logic of the web app, without Gradio: follow-ups, language, one turn.

A follow-up ("and in Belgium?", "wat zei de minister daarover?") is searched together
with the question that started the thread, so it is understood in that context; the
rules live in search/followup.py, shared with `assistant ask --after`.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..documents import Hit
from ..ingest.text import typed_text
from ..search.followup import Searched, is_follow_up, resolve, search_turn, topic_of
from ..search.language import detect_language
from ..search.lookup import missing_questions
from ..search.rank import Filters, QuestionError, Result, clean_question
from ..store import Store
from . import render

__all__ = ["Conversation", "Searcher", "Serialized", "Turn", "answer", "contextualize",
           "is_follow_up", "lookup", "parse_filters", "ReversedRangeError"]

DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits: "\d" takes "٢٠٢٤" too


class Searcher(Protocol):
    store: Store

    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> Result: ...


class Serialized:
    """A searcher used by one request at a time (the web server runs requests in threads)."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.store: Store = searcher.store
        self._lock = threading.Lock()

    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> Result:
        with self._lock:
            return self.searcher.search(question, k=k, filters=filters)

    def run(self, work: Any) -> Any:
        """work(searcher), while no other request searches (e.g. a whole question document)."""
        with self._lock:
            return work(self.searcher)

    def all_answers(self, question: str, filters: Filters | None = None,
                    wanted: dict[str, list[str]] | None = None, sort: str = "date") -> Any:
        """Every letter answering the question (search.record.all_answers)."""
        from ..search.record import all_answers

        with self._lock:
            return all_answers(self.searcher, question, filters, wanted, sort)

    def warm_up(self) -> threading.Thread:
        """Load the model and tables in the background, so the first answer comes fast."""
        thread = threading.Thread(target=self.search, args=("Telegram",), daemon=True)
        thread.start()
        return thread


@dataclass
class Conversation:
    """What a chat session remembers between turns: the user's questions, oldest first."""

    previous: list[str] = field(default_factory=list)
    lang: str = "en"

    @property
    def base(self) -> str | None:
        """The question that started the current thread."""
        return topic_of(self.previous)

    @property
    def turns(self) -> int:
        return len(self.previous)


@dataclass
class Turn:
    """One answered message: what to show and what was found."""

    user_html: str
    bot_html: str
    conversation: Conversation
    hits: list[Hit] = field(default_factory=list)
    result: Result | None = None
    # What the message was searched as; .follow_up without .merged: a follow-up with no
    # earlier question, searched on its own.
    searched: Searched | None = None


def contextualize(question: str, conversation: Conversation) -> tuple[str, bool]:
    """The text to search for this message, and whether it was read as a follow-up."""
    searched = resolve(question, conversation.previous)
    return searched.text, searched.merged


class ReversedRangeError(ValueError):
    """The date filter's "from" is after its "to": no letter could match."""


def parse_filters(doc_ids: list[str] | None, date_from: str | None,
                  date_to: str | None) -> Filters:  # fmt: skip
    """Filters from the form; raises ValueError on a date that is not YYYY-MM-DD, and
    ReversedRangeError when "from" is after "to" (that said, not "no passage matches")."""
    dates = []
    for value in (date_from, date_to):
        value = (value or "").strip()
        if value and not (DATE.fullmatch(value) and _calendar_date(value)):
            raise ValueError(value)  # "9999-99-99" filtered nothing, silently
        dates.append(value or None)
    if dates[0] and dates[1] and dates[0] > dates[1]:
        raise ReversedRangeError(f"{dates[0]} > {dates[1]}")
    return Filters(doc_ids=list(doc_ids) or None if doc_ids else None,
                   date_from=dates[0], date_to=dates[1])  # fmt: skip


def _calendar_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def answer(searcher: Searcher, message: str, conversation: Conversation,
           doc_ids: list[str] | None = None, date_from: str | None = None,
           date_to: str | None = None, k: int = 5) -> Turn:  # fmt: skip
    """Answer one chat message; friendly messages instead of errors."""
    message = typed_text(message or "")  # no lone surrogate or control character goes on
    lang = detect_language(message, default=conversation.lang)
    user_html = render.user_text(message) if message.strip() else ""
    try:
        clean_question(message)
    except QuestionError:
        return Turn(user_html, render.message(render.label(lang, "empty"), lang), conversation)
    try:
        filters = parse_filters(doc_ids, date_from, date_to)
    except ValueError as exc:
        return Turn(user_html, render.message(_date_problem(exc, lang, date_from, date_to),
                                              lang), conversation)  # fmt: skip
    searched, result = search_turn(searcher, message, conversation.previous, k=k,
                                   filters=filters)  # fmt: skip
    state = Conversation(previous=[*conversation.previous, searched.question], lang=lang)
    bot = render.reply(result, lang, searched_as=searched.text if searched.merged else None,
                       missing=_missing(searcher, searched.text, result, lang))  # fmt: skip
    return Turn(user_html, bot, state, result.hits, result, searched)


def lookup(searcher: Searcher, text: str, doc_ids: list[str] | None = None,
           date_from: str | None = None, date_to: str | None = None,
           k: int = 10) -> tuple[str, list[Hit]]:  # fmt: skip
    """Quick lookup: the ranked list as HTML, and the hits."""
    text = typed_text(text or "")
    lang = detect_language(text, default="nl")
    try:
        clean_question(text)
        filters = parse_filters(doc_ids, date_from, date_to)
    except QuestionError:
        return render.message(render.label(lang, "lookup_empty"), lang), []
    except ValueError as exc:
        return render.message(_date_problem(exc, lang, date_from, date_to), lang), []
    result = searcher.search(text, k=k, filters=filters)
    return render.lookup_list(result, lang, _missing(searcher, text, result, lang)), result.hits


def _date_problem(exc: ValueError, lang: str, date_from: str | None,
                  date_to: str | None) -> str:  # fmt: skip
    if isinstance(exc, ReversedRangeError):
        return render.label(lang, "reversed_dates").format(
            start=(date_from or "").strip(), end=(date_to or "").strip())  # fmt: skip
    return render.label(lang, "bad_date")


def _missing(searcher: Searcher, text: str, result: Result, lang: str) -> str | None:
    """"Letter 5236577 has no question 99" when the query names an indexed letter and
    questions it lacks (said instead of "no letter matches this reference")."""
    if any(h.how == "lookup" for h in result.hits):
        return None
    found = missing_questions(text, searcher.store)
    return found.text(lang) if found else None
