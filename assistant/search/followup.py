"""Follow-up questions: what to search for a message, given the user's earlier questions.

A follow-up ("And in Belgium?", "Wat zei de minister daarover?", "How many suspects?")
leans on the question that started the thread, the topic. It is searched as topic +
message, never glued to an earlier follow-up, so a second follow-up stays on the topic.
A message that names its own subject (three content words or more: "Is Ukraine developing
nuclear weapons?", "Ziekenhuizen in financiële problemen?") starts a new thread.

An elliptical follow-up ("And in Belgium?", "En de Tunesische kustwacht?", "Duitsland?":
neither a question word nor a verb) asks the topic's question about a new aspect.
Searched as topic + message, the topic's words outweigh the aspect and the answer the
previous turn showed comes first again; so those results are re-ranked together with a
search for the aspect's own words, which puts the passages about the new aspect first.

`resolve` says what a message is searched as (pure); `search_turn` searches it. The chat
and `assistant ask --after` both call `search_turn`, so they return the same hits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from ..documents import Hit
from .rank import Filters, Result, is_procedural

SUBJECT_WORDS = 3  # content words from which a message carries its own subject
REFERRING_MAX = 8  # words; a longer message with "that/daarover" stands on its own
THREAD = 10  # the thread's hits that the aspect re-orders: its first two pages
ASPECT = 20  # hits of the aspect's own search that count
FUSION = 5  # reciprocal-rank constant: small, so the first few ranks of each weigh most

# Lead words of a follow-up, longest first so "what about" wins over "what".
LEADS = ("en hoe zit het met", "hoe zit het met", "and what about", "what about", "how about",
         "en wat met", "and", "en", "but", "maar", "also", "ook", "idem", "same", "hetzelfde")
REFERRING = set("""
daarover hierover erover daarvan hiervan ervan daarop hierop erop daarmee hiermee ermee
daarbij hierbij erbij daarin hierin erin daaraan hieraan eraan daarvoor hiervoor ervoor
daardoor hierdoor daar hij zij ze hen hun that this those them they its he she her his
further
""".split())  # noqa: SIM905 (word lists read best as text; "it", "there": "Is it true …?")
QUESTION_WORDS = set("""
who what how why when where which whom whose wie wat hoe waarom wanneer waar welke welk
hoeveel hoelang
""".split())  # noqa: SIM905
VERBS = set("""
is are was were be been can could will would shall should does do did has have had may
might must kan kunnen is zijn was waren wordt worden werd zal zullen zou heeft hebben had
gaat gaan ging moet moeten mag mogen komt komen klopt kreeg krijgt doet doen zegt zei
""".split())  # noqa: SIM905
# Words that carry no subject of their own (with the two lists above).
FUNCTION_WORDS = set("""
de het een en van in op te dat die dit deze er voor met als aan om bij door of ook niet
geen nog al dan naar over uit tot onder boven tussen tegen zonder na sinds tijdens via per
binnen buiten zo zeer heel u uw ik we wij je jij men the a an and of in on to that for with
as at by or also not no any all about from into than then so too very like under over
between against without after before since during per within if whether me my we our you
your us more most many much other some it there
""".split()) | QUESTION_WORDS | VERBS | REFERRING  # noqa: SIM905
REFERENCE = re.compile(r"\b\d{5,}\b|\b\d{4}Z\d+\b|\bah[- ]", re.IGNORECASE)  # kenmerk, zaak


@dataclass(frozen=True)
class Searched:
    """What one message is searched as."""

    question: str  # the message, whitespace normalised
    text: str  # what is searched: the message, or "topic message"
    topic: str | None = None  # the earlier question it leans on; None: it stands alone
    follow_up: bool = False  # reads as a follow-up (also when there is nothing to lean on)
    aspect: str | None = None  # the new aspect's words, for an elliptical follow-up

    @property
    def merged(self) -> bool:
        return self.topic is not None


class Searching(Protocol):
    def search(self, question: str, k: int = 5, filters: Filters | None = None) -> Result: ...


def _words(text: str) -> list[str]:
    return re.findall(r"[\wà-ÿ'-]+", text.lower())


def _lead(words: list[str]) -> int:
    """How many words of the message are a follow-up's lead ("and", "what about"): 0 if none."""
    for lead in LEADS:
        parts = lead.split()
        if words[:len(parts)] == parts and len(words) > len(parts):
            return len(parts)
    return 0


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w not in FUNCTION_WORDS and not w.isdigit()]


def is_follow_up(question: str) -> bool:
    """Does this message lean on an earlier question rather than name its own subject?"""
    text = " ".join(question.split())
    if REFERENCE.search(text):  # a reference names its own letter
        return False
    words = _words(text)
    if not words:
        return False
    if _lead(words):
        return True
    if len(words) <= REFERRING_MAX and any(w in REFERRING for w in words):
        return True
    return len(_content(words)) < SUBJECT_WORDS


def is_elliptical(question: str) -> bool:
    """A bare aspect, maybe after a lead word: no question word, no verb ("And in Belgium?")."""
    words = _words(question)
    rest = words[_lead(words):]
    return bool(rest) and not any(w in QUESTION_WORDS or w in VERBS for w in rest)


def topic_of(previous: Sequence[str]) -> str | None:
    """The question that started the current thread: the last one that was no follow-up."""
    topic = None
    for question in previous:
        question = " ".join(question.split())
        if question and (topic is None or not is_follow_up(question)):
            topic = question
    return topic


def aspect_of(question: str, topic: str) -> str:
    """The message's content words that the topic lacks (5-letter prefixes compared)."""
    seen = {w[:5] for w in _content(_words(topic))}
    words = _words(question)
    return " ".join(w for w in _content(words[_lead(words):]) if w[:5] not in seen)


def resolve(question: str, previous: Sequence[str]) -> Searched:
    """What to search for question, given the user's earlier questions (oldest first)."""
    text = " ".join((question or "").split())
    follow_up = is_follow_up(text)
    topic = topic_of(previous)
    if not follow_up or topic is None:
        return Searched(text, text, None, follow_up)
    aspect = aspect_of(text, topic) if is_elliptical(text) else ""
    return Searched(text, f"{topic} {text}", topic, True, aspect or None)


def search_turn(searcher: Searching, question: str, previous: Sequence[str], k: int = 5,
                filters: Filters | None = None) -> tuple[Searched, Result]:  # fmt: skip
    """Search one turn of a conversation: the hits the chat shows for it."""
    searched = resolve(question, previous)
    if not searched.aspect:
        return searched, searcher.search(searched.text, k=k, filters=filters)
    result = searcher.search(searched.text, k=max(k, THREAD), filters=filters)
    aspect = searcher.search(searched.aspect, k=ASPECT, filters=filters)
    hits = rerank(result.hits[:THREAD], aspect.hits)[:k]
    for rank, hit in enumerate(hits, 1):
        hit.rank = rank
    return searched, replace(result, hits=hits)


def rerank(thread: list[Hit], aspect: list[Hit]) -> list[Hit]:
    """The thread's hits, ordered by reciprocal-rank fusion with the aspect's own hits.

    Only the thread's first hits are kept: the aspect alone ("Belgium") drifts off topic,
    and so do the thread's weak tail hits that merely share the aspect's words (measured:
    benchmarks/bench_followup.py).
    The closing "Kunt u deze vragen … beantwoorden?" passages top short searches such as
    "Belgium" for want of content, so they get no credit from the aspect.
    """
    aspect = [h for h in aspect if not is_procedural(h.passage)]
    where = {h.passage.passage_id: rank for rank, h in enumerate(aspect, 1)}

    def score(item: tuple[int, Hit]) -> float:
        rank, hit = item
        other = where.get(hit.passage.passage_id)
        return 1 / (FUSION + rank) + (1 / (FUSION + other) if other else 0.0)

    ranked = sorted(enumerate(thread, 1), key=score, reverse=True)
    return [hit for _, hit in ranked]
