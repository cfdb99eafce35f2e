"""Follow-ups: which messages lean on the thread, what is searched, and what comes first."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

from assistant.search import Searcher
from assistant.search.followup import (
    form,
    is_elliptical,
    is_follow_up,
    resolve,
    search_turn,
    topic_of,
)
from assistant.web.chat import Conversation, answer, contextualize

EN_BAN = "Can Telegram be banned in the Netherlands?"
NL_BAN = "Kan Telegram in Nederland verboden worden?"
DUTCH_BAN_ANSWER = "5236577-q13"  # "Ik zie een verbod op de app Telegram in Nederland niet …"
BELGIAN_BAN_ANSWER = "5209583-q16"  # "… is de Belgische onafhankelijk toezichthouder … bevoegd"
GERMAN_FINE_ANSWER = "5209583-q17"  # the Bundesamt für Justiz fined Telegram


def ids(hits: list) -> list[str]:
    return [h.passage.passage_id for h in hits]


def test_follow_ups_lean_on_the_thread_and_new_subjects_do_not() -> None:
    for message in ("And in Belgium?", "En in België?", "wat zei de minister daarover?",
                    "How many suspects were identified?", "Waarom?", "Gaan de tarieven omhoog?",
                    "Who enforces that?", "What about other pension providers?"):  # fmt: skip
        assert is_follow_up(message), message
    for message in (EN_BAN, "5236577 vraag 13", "2024Z02257",
                    "Is Ukraine developing nuclear weapons?",
                    "Ziekenhuizen in financiële problemen?", "APG pension security?",
                    "Hoeveel verdachten van doxing zijn geïdentificeerd door de politie?"):
        assert not is_follow_up(message), message


def test_a_follow_up_is_merged_with_the_topic() -> None:
    searched = resolve("And in  Belgium?", [EN_BAN])
    assert searched.text == f"{EN_BAN} And in Belgium?" and searched.topic == EN_BAN
    assert searched.merged and searched.follow_up and searched.aspect == "belgium"
    referring = resolve("Wat zei de minister daarover?", [NL_BAN])
    assert referring.text == f"{NL_BAN} Wat zei de minister daarover?"
    assert referring.aspect is None  # a question about the same thing: no new aspect


def test_a_new_subject_is_not_merged() -> None:
    for message in ("Which article of the Criminal Code makes doxing a crime?",
                    "Ziekenhuizen in financiële problemen?"):  # fmt: skip
        searched = resolve(message, [EN_BAN, "And in Belgium?"])
        assert searched.text == message and not searched.merged and not searched.follow_up


def test_a_second_follow_up_is_glued_to_the_topic_not_to_the_first_follow_up() -> None:
    searched = resolve("En in Duitsland?", [NL_BAN, "En in België?"])
    assert searched.text == f"{NL_BAN} En in Duitsland?" and searched.aspect == "duitsland"
    assert topic_of([NL_BAN, "En in België?", "Wat zei de minister daarover?"]) == NL_BAN
    # After a change of subject the new question is the topic.
    new = "How many Afghan women are waiting for an asylum decision?"
    assert resolve("And in Belgium?", [EN_BAN, "And in Germany?", new]).topic == new


def test_a_follow_up_without_an_earlier_question_is_searched_on_its_own() -> None:
    searched = resolve("And in Belgium?", [])
    assert searched.text == "And in Belgium?" and searched.follow_up and not searched.merged


def test_elliptical_follow_ups_name_an_aspect() -> None:
    assert is_elliptical("And in Belgium?") and is_elliptical("En de Tunesische kustwacht?")
    assert not is_elliptical("And how many cases involved Telegram?")
    assert not is_elliptical("En wat kost een inspectie?")
    assert resolve("And how many cases involved Telegram?", [EN_BAN]).aspect is None


def test_the_chat_remembers_the_questions_and_reads_them_with_resolve() -> None:
    conversation = Conversation(previous=[NL_BAN, "En in België?"])
    assert conversation.base == NL_BAN and conversation.turns == 2
    assert contextualize("En in Duitsland?", conversation) == (f"{NL_BAN} En in Duitsland?", True)
    assert contextualize("En in Duitsland?", Conversation()) == ("En in Duitsland?", False)


def test_and_in_belgium_puts_the_belgian_answer_first(searcher: Searcher) -> None:
    """Issue #12: after the Dutch ban question, 'And in Belgium?' no longer repeats it."""
    first = searcher.search(EN_BAN, k=5)
    assert ids(first.hits)[0] == DUTCH_BAN_ANSWER
    for topic, message in ((EN_BAN, "And in Belgium?"), (NL_BAN, "En in België?")):
        searched, result = search_turn(searcher, message, [topic])
        assert searched.text == f"{topic} {message}" and result.question == searched.text
        assert ids(result.hits)[0] == BELGIAN_BAN_ANSWER, ids(result.hits)
        assert DUTCH_BAN_ANSWER not in ids(result.hits)[:3]
        assert all("België" in h.passage.answer_text for h in result.hits[:3])
        assert [h.rank for h in result.hits] == list(range(1, len(result.hits) + 1))


def test_the_chat_returns_what_search_turn_returns(searcher: Searcher) -> None:
    """The CLI's --after calls search_turn: the chat must give the same hits per turn."""
    conversation = Conversation()
    for message in (NL_BAN, "En in België?", "En in Duitsland?"):
        previous = list(conversation.previous)
        turn = answer(searcher, message, conversation)
        searched, result = search_turn(searcher, message, previous)
        assert turn.searched == searched and ids(turn.hits) == ids(result.hits)
        conversation = turn.conversation
    assert turn.searched is not None and turn.searched.text == f"{NL_BAN} En in Duitsland?"
    assert ids(turn.hits)[0] == GERMAN_FINE_ANSWER
    assert conversation.previous == [NL_BAN, "En in België?", "En in Duitsland?"]


def test_a_follow_up_in_an_empty_chat_says_it_stands_alone(searcher: Searcher) -> None:
    turn = answer(searcher, "And in Belgium?", Conversation())
    assert turn.searched is not None and turn.searched.follow_up and not turn.searched.merged
    assert turn.result is not None and turn.result.question == "And in Belgium?"
    assert "searched as" not in turn.bot_html.lower()


# -- issue #17 item 2: a short question that names its own subject starts a new thread ----
def test_short_questions_are_decided_by_whether_the_letters_answer_them(
        searcher: Searcher) -> None:  # fmt: skip
    typo = "Kan Telegarm in Nederland verbodden worden?"
    searched, result = search_turn(searcher, "Sinds wanneer is doxing strafbaar?", [typo])
    assert not searched.merged and result.question == "Sinds wanneer is doxing strafbaar?"
    assert ids(result.hits)[0] in ("5236577-q2", "5236577-q6"), ids(result.hits)
    searched, result = search_turn(searcher, "How many exposegroepen are there?",
                                   ["artikel 285d Sr"])  # fmt: skip
    assert not searched.merged and all(h.how != "lookup" for h in result.hits)
    # ... and a short question that lacks a subject still leans on the thread
    doxing = "How many doxing incidents were reported to the police in January 2024?"
    searched, result = search_turn(searcher, "How many suspects were identified?", [doxing])
    assert searched.merged and searched.topic == doxing
    assert ids(result.hits)[0] == "5236577-q5"


def test_the_thread_keeps_a_short_question_that_stood_alone_as_its_topic(
        searcher: Searcher) -> None:  # fmt: skip
    """After "Sinds wanneer is doxing strafbaar?" started a thread, a follow-up leans on it."""
    previous = [NL_BAN, "Sinds wanneer is doxing strafbaar?"]
    searched, _ = search_turn(searcher, "Onder welk artikel valt dat?", previous)
    assert searched.topic == "Sinds wanneer is doxing strafbaar?"


def test_short_questions_by_their_words_alone() -> None:
    assert form("Sinds wanneer is doxing strafbaar?") == "short"
    assert form("How many exposegroepen are there?") == "short"  # "there": not referring
    assert form("What does the regulator DNB do about it?") == "follow-up"  # ends in "it"
    assert form("Onder welk artikel valt dat?") == "follow-up"
    assert form("Duitsland?") == "follow-up"  # elliptical: no verb, no question word
    assert form("Is Ukraine developing nuclear weapons?") == "own"
    # without a judgement a short question counts as a follow-up (the old reading)
    assert is_follow_up("Sinds wanneer is doxing strafbaar?")
    assert not is_follow_up("Sinds wanneer is doxing strafbaar?", lambda text: True)
    assert resolve("Sinds wanneer is doxing strafbaar?", [NL_BAN], lambda text: True).text == \
        "Sinds wanneer is doxing strafbaar?"  # fmt: skip


def test_cli_after_searches_a_new_subject_on_its_own(seed_index_dir: Path) -> None:
    out = run_cli("ask", "--index", str(seed_index_dir), "--json", "-k", "3",
                  "--after", "artikel 285d Sr", "How many exposegroepen are there?")  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["searched_as"] == "How many exposegroepen are there?"
    assert all(hit["match"] != "lookup" for hit in data["hits"])
