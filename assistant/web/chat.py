"""Chat logic of the web app, without Gradio: follow-ups, language, one turn.

A follow-up ("and in Belgium?", "wat zei de minister daarover?") is searched together
with the question that started the thread, so it is understood in that context.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..documents import Hit
from ..search.language import detect_language
from ..search.rank import Filters, QuestionError, Result, clean_question
from ..store.index import Index
from . import render

SHORT_FOLLOW_UP = 4  # words; a question this short leans on the previous one
REFERRING_MAX = 8  # words; a longer question with "that/daarover" stands on its own
STARTERS = ("and ", "en ", "but ", "maar ", "also ", "ook ", "what about", "how about",
            "idem", "same ", "hetzelfde")
REFERRING = {
    "daarover", "hierover", "erover", "daarvan", "hiervan", "ervan", "daarop", "hierop", "erop",
    "daarmee", "hiermee", "ermee", "daarbij", "hierbij", "erbij", "daarin", "hierin", "hij",
    "zij", "that", "this", "those", "them", "they", "he", "she", "also", "further",
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REFERENCE = re.compile(r"\b\d{5,}\b|\b\d{4}Z\d+\b|\bah[- ]", re.IGNORECASE)  # kenmerk, zaak


class Searcher(Protocol):
    index: Index

    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> Result: ...


class Serialized:
    """A searcher used by one request at a time (the web server runs requests in threads)."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.index: Index = searcher.index
        self._lock = threading.Lock()

    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> Result:
        with self._lock:
            return self.searcher.search(question, k=k, filters=filters)

    def warm_up(self) -> threading.Thread:
        """Load the model and tables in the background, so the first answer comes fast."""
        thread = threading.Thread(target=self.search, args=("Telegram",), daemon=True)
        thread.start()
        return thread


@dataclass
class Conversation:
    """What a chat session remembers between turns."""

    base: str | None = None  # the question that started the current thread
    lang: str = "en"
    turns: int = 0


@dataclass
class Turn:
    """One answered message: what to show and what was found."""

    user_html: str
    bot_html: str
    conversation: Conversation
    hits: list[Hit] = field(default_factory=list)
    result: Result | None = None


def is_follow_up(question: str) -> bool:
    """Does this message lean on the previous question (short, or refers back)?"""
    text = " ".join(question.lower().split())
    if REFERENCE.search(text):  # a reference names its own letter
        return False
    words = re.findall(r"[a-zà-ÿ0-9]+", text)
    if len(words) <= SHORT_FOLLOW_UP:
        return True
    if text.startswith(STARTERS):
        return True
    return len(words) <= REFERRING_MAX and any(w in REFERRING for w in words)


def contextualize(question: str, conversation: Conversation) -> tuple[str, bool]:
    """The text to search for this message, and whether it was read as a follow-up."""
    if conversation.base and is_follow_up(question):
        return f"{conversation.base} {question}", True
    return question, False


def parse_filters(doc_ids: list[str] | None, date_from: str | None,
                  date_to: str | None) -> Filters:  # fmt: skip
    """Filters from the form; raises ValueError on a date that is not YYYY-MM-DD."""
    dates = []
    for value in (date_from, date_to):
        value = (value or "").strip()
        if value and not DATE.match(value):
            raise ValueError(value)
        dates.append(value or None)
    return Filters(doc_ids=list(doc_ids) or None if doc_ids else None,
                   date_from=dates[0], date_to=dates[1])  # fmt: skip


def answer(searcher: Searcher, message: str, conversation: Conversation,
           doc_ids: list[str] | None = None, date_from: str | None = None,
           date_to: str | None = None, k: int = 5) -> Turn:  # fmt: skip
    """Answer one chat message; friendly messages instead of errors."""
    message = message or ""
    lang = detect_language(message, default=conversation.lang)
    user_html = render.user_text(message) if message.strip() else ""
    try:
        clean_question(message)
    except QuestionError:
        return Turn(user_html, render.message(render.label(lang, "empty"), lang), conversation)
    try:
        filters = parse_filters(doc_ids, date_from, date_to)
    except ValueError:
        return Turn(user_html, render.message(render.label(lang, "bad_date"), lang),
                    conversation)  # fmt: skip
    query, follow_up = contextualize(message, conversation)
    result = searcher.search(query, k=k, filters=filters)
    base = conversation.base if follow_up else " ".join(message.split())
    state = Conversation(base=base, lang=lang, turns=conversation.turns + 1)
    bot = render.reply(result, lang, searched_as=query if follow_up else None)
    return Turn(user_html, bot, state, result.hits, result)


def lookup(searcher: Searcher, text: str, doc_ids: list[str] | None = None,
           date_from: str | None = None, date_to: str | None = None,
           k: int = 10) -> tuple[str, list[Hit]]:  # fmt: skip
    """Quick lookup: the ranked list as HTML, and the hits."""
    lang = detect_language(text or "", default="nl")
    try:
        clean_question(text)
        filters = parse_filters(doc_ids, date_from, date_to)
    except QuestionError:
        return render.message(render.label(lang, "lookup_empty"), lang), []
    except ValueError:
        return render.message(render.label(lang, "bad_date"), lang), []
    result = searcher.search(text, k=k, filters=filters)
    return render.lookup_list(result, lang), result.hits
