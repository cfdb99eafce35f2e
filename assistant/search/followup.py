"""Follow-up questions: what to search for a message, given the user's earlier questions.

A follow-up ("And in Belgium?", "Wat zei de minister daarover?", "How many suspects?")
leans on the question that started the thread, the topic. It is searched as topic +
message, never glued to an earlier follow-up, so a second follow-up stays on the topic.
A message that names its own subject (three content words or more: "Is Ukraine developing
nuclear weapons?", "Ziekenhuizen in financiële problemen?") starts a new thread.

A short question with a verb or question word and a subject word or two ("Sinds wanneer
is doxing strafbaar?", "How many exposegroepen are there?", "How many suspects were
identified?", "Gaan de tarieven omhoog?") may be either; its words cannot tell. Gluing
every such question to the thread searched "Sinds wanneer is doxing strafbaar?" together
with an earlier Telegram question and showed the Telegram ban first. So it is searched on
its own first: if the letters answer it clearly on their own (its best passage beats the
everyday background of `answerable` by STANDS_ALONE), it names its own subject and starts
a new thread; otherwise it lacks one and leans on the topic (benchmarks/bench_followup.py).

An elliptical follow-up ("And in Belgium?", "En de Tunesische kustwacht?", "Duitsland?":
neither a question word nor a verb) asks the topic's question about a new aspect.
Searched as topic + message, the topic's words outweigh the aspect and the answer the
previous turn showed comes first again; so those results are re-ranked together with a
search for the aspect's own words, which puts the passages about the new aspect first.

`resolve` says what a message is searched as (pure, given a `stands_alone` judgement);
`search_turn` searches it. The chat and `assistant ask --after` both call `search_turn`,
so they return the same hits.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from ..documents import Hit
from .rank import Filters, Result, is_procedural

SUBJECT_WORDS = 3  # content words from which a message carries its own subject
REFERRING_MAX = 8  # words; a longer message with "that/daarover" stands on its own
THREAD = 10  # the thread's hits that the aspect re-orders: its first two pages
ASPECT = 20  # hits of the aspect's own search that count
FUSION = 5  # reciprocal-rank constant: small, so the first few ranks of each weigh most
# A short question whose best passage on its own beats the background by this much (the
# margin of `answerable`, cosine) names its own subject. Measured on the conversations of
# benchmarks/questions/conversations.jsonl: short questions that change the subject score
# 0.032–0.107, short follow-ups -0.017–0.039 (one, "Komt er een landelijke richtlijn?",
# finds its passage on its own anyway); the answerable threshold (0.022) would split off
# three follow-ups.
STANDS_ALONE = 0.03
MEMO = 512  # judgements kept per searcher

# Lead words of a follow-up, longest first so "what about" wins over "what".
LEADS = ("en hoe zit het met", "hoe zit het met", "and what about", "what about", "how about",
         "en wat met", "and", "en", "but", "maar", "also", "ook", "idem", "same", "hetzelfde")
REFERRING = set("""
daarover hierover erover daarvan hiervan ervan daarop hierop erop daarmee hiermee ermee
daarbij hierbij erbij daarin hierin erin daaraan hieraan eraan daarvoor hiervoor ervoor
daardoor hierdoor daar hij zij ze hen hun that this those them they its he she her his
further
""".split())  # noqa: SIM905 (word lists read best as text; "it", "there": "Is it true …?")
# Pronouns that refer back when they end the message: "… do about it?", "Onder welk
# artikel valt dat?" (not "Is it true that …?", "Klopt het dat …?"; "there" ends "How many
# … are there?").
REFERRING_LAST = {"it", "dat", "dit", "die", "deze"}
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


def form(question: str) -> str:
    """How a message reads by its words alone: "own" (it names its own subject: a
    reference, or three content words or more), "follow-up" (a lead word, a referring
    word, no subject word, or no verb and no question word), or "short" (a question with
    a subject word or two, which may be either)."""
    text = " ".join(question.split())
    if REFERENCE.search(text):  # a reference names its own letter
        return "own"
    words = _words(text)
    if not words:
        return "own"
    if _lead(words) or words[-1] in REFERRING_LAST:
        return "follow-up"
    if len(words) <= REFERRING_MAX and any(w in REFERRING for w in words):
        return "follow-up"
    content = len(_content(words))
    if content >= SUBJECT_WORDS:
        return "own"
    return "short" if content and not is_elliptical(text) else "follow-up"


def is_follow_up(question: str, stands_alone: Callable[[str], bool] | None = None) -> bool:
    """Does this message lean on an earlier question rather than name its own subject?

    stands_alone: whether the letters answer a short question on their own (see
    `standing`); without it a short question counts as a follow-up.
    """
    kind = form(question)
    if kind == "short":
        return not (stands_alone and stands_alone(" ".join(question.split())))
    return kind == "follow-up"


def is_elliptical(question: str) -> bool:
    """A bare aspect, maybe after a lead word: no question word, no verb ("And in Belgium?")."""
    words = _words(question)
    rest = words[_lead(words):]
    return bool(rest) and not any(w in QUESTION_WORDS or w in VERBS for w in rest)


def topic_of(previous: Sequence[str],
             stands_alone: Callable[[str], bool] | None = None) -> str | None:  # fmt: skip
    """The question that started the current thread: the last one that was no follow-up
    (the first question when all were)."""
    questions = [q for q in (" ".join(q.split()) for q in previous) if q]
    for question in reversed(questions[1:]):
        if not is_follow_up(question, stands_alone):
            return question
    return questions[0] if questions else None


def aspect_of(question: str, topic: str) -> str:
    """The message's content words that the topic lacks (5-letter prefixes compared)."""
    seen = {w[:5] for w in _content(_words(topic))}
    words = _words(question)
    return " ".join(w for w in _content(words[_lead(words):]) if w[:5] not in seen)


def resolve(question: str, previous: Sequence[str],
            stands_alone: Callable[[str], bool] | None = None) -> Searched:  # fmt: skip
    """What to search for question, given the user's earlier questions (oldest first)."""
    text = " ".join((question or "").split())
    follow_up = is_follow_up(text, stands_alone)
    topic = topic_of(previous, stands_alone) if follow_up else None
    if not follow_up or topic is None:
        return Searched(text, text, None, follow_up)
    aspect = aspect_of(text, topic) if is_elliptical(text) else ""
    return Searched(text, f"{topic} {text}", topic, True, aspect or None)


_judged: weakref.WeakKeyDictionary[object, dict[str, bool]] = weakref.WeakKeyDictionary()


def standing(searcher: Searching) -> Callable[[str], bool]:
    """Whether the letters answer a message on their own (best passage beats the
    background by STANDS_ALONE), searched without filters: whether a question names its
    own subject does not depend on the filters. Remembered per searcher, so the earlier
    messages of a conversation are searched once."""
    memo = _judged.setdefault(searcher, {})

    def stands_alone(text: str) -> bool:
        if text not in memo:
            if len(memo) >= MEMO:
                memo.clear()
            gain = searcher.search(text, k=1).margin
            memo[text] = gain is not None and gain >= STANDS_ALONE
        return memo[text]

    return stands_alone


def search_turn(searcher: Searching, question: str, previous: Sequence[str], k: int = 5,
                filters: Filters | None = None) -> tuple[Searched, Result]:  # fmt: skip
    """Search one turn of a conversation: the hits the chat shows for it."""
    searched = resolve(question, previous, standing(searcher))
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
    best = 2 / (FUSION + 1)  # first in both searches
    for item in ranked:  # the shown score follows this order: 1.0 = first in both
        item[1].score = score(item) / best
    return [hit for _, hit in ranked]
