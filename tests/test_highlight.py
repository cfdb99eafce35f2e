"""Highlights: the one or two sentences of an answer that answer the question."""

from __future__ import annotations

from assistant.documents import Hit
from assistant.ingest.text import sentences
from assistant.search import Searcher
from assistant.search.highlight import (
    MAX_SENTENCES,
    highlight_spans,
    question_kind,
    sentence_scores,
)
from assistant.store.embed import Embedder
from assistant.store.units import window_units

TELEGRAM_BAN = "Ik zie een verbod op de app Telegram in Nederland niet als een manier"


def windows_of(answer: str, cosines: list[float]) -> list[tuple[int, int, float]]:
    """Two-sentence windows over answer, as the index makes them, with given cosines."""
    spans = sentences(answer)
    pairs = [spans[i:i + 2] for i in range(0, len(spans), 2)]
    return [(pair[0][0], pair[-1][1], c) for pair, c in zip(pairs, cosines)]


def shown(answer: str, spans: list[tuple[int, int]]) -> list[str]:
    return [answer[s:e] for s, e in spans]


def real_windows(hit: Hit, question: str, embedder: Embedder) -> list[tuple[int, int, float]]:
    """The hit's window units scored against the question with the real model."""
    units = window_units(hit.passage, hit.document)
    cosines = embedder.passages([u.text for u in units]) @ embedder.queries([question])[0]
    return [(u.start, u.end, float(c)) for u, c in zip(units, cosines)]


def test_question_kinds_in_english_and_dutch() -> None:
    assert question_kind("How many doxing incidents were reported?") == "amount"
    assert question_kind("In hoeveel gevallen is de verdachte geïdentificeerd?") == "amount"
    assert question_kind("What share of applications was granted?") == "percent"
    assert question_kind("Sinds wanneer is doxing strafbaar?") == "time"
    assert question_kind("Why does the police not register exposing?") == "reason"
    assert question_kind("Wie houdt toezicht op de DSA?") == "who"
    assert question_kind("Wat vindt de minister van de drugshandel?") == "opinion"
    assert question_kind("Kan Telegram in Nederland verboden worden?") == "yesno"
    assert question_kind("Which platforms act against doxing?") == "other"


def test_a_number_answers_how_many_not_a_year() -> None:
    answer = ("Het veld is sinds 1997 een gasopslag. Het werd in die jaren gevuld. Eerder is er "
              "ongeveer 10 miljard m3 gas uit gewonnen. Dat is bekend. Meer weten we niet.")
    question = "How much gas was extracted from the field?"
    windows = windows_of(answer, [0.86, 0.84, 0.80])  # they favour the year's sentence
    scores = sentence_scores(answer, sentences(answer), question, windows)
    assert int(scores.argmax()) == 2  # "ongeveer 10 miljard m3", not "sinds 1997"
    assert "10 miljard" in " ".join(shown(answer, highlight_spans(answer, windows, question)))


def test_a_yes_no_question_highlights_the_stance_not_the_topic() -> None:
    answer = ("Telegram is een veelgebruikte app voor berichten. Het platform is in Dubai "
              "gevestigd. Ik zie een verbod op de app niet als oplossing. Andere platforms "
              "kennen vergelijkbare problemen.")
    spans = highlight_spans(answer, windows_of(answer, [0.90, 0.87]),
                            "Can Telegram be banned?")  # fmt: skip
    assert any(s.startswith("Ik zie een verbod") for s in shown(answer, spans))
    assert len(spans) <= MAX_SENTENCES


def test_one_clear_sentence_is_highlighted_alone_and_spans_are_in_text_order() -> None:
    answer = ("Dat is een kwestie voor de toezichthouder. Het toezicht is geregeld. "
              "In januari 2024 zijn 21 incidenten gemeld bij de politie. De zaak loopt nog.")
    spans = highlight_spans(answer, windows_of(answer, [0.85, 0.85]),
                            "How many incidents were reported in January?")  # fmt: skip
    assert shown(answer, spans) == ["In januari 2024 zijn 21 incidenten gemeld bij de politie."]
    two = highlight_spans(answer, windows_of(answer, [0.85, 0.85]), "")
    assert two == sorted(two) and 1 <= len(two) <= MAX_SENTENCES


def test_short_answers_are_highlighted_whole_and_long_ones_without_windows_work() -> None:
    assert highlight_spans("Ja.", [], "Klopt dat?") == [(0, 3)]
    assert highlight_spans("Ja. Zie het antwoord op vraag 3.", [], "") == [(0, 3), (4, 32)]
    assert highlight_spans("", [], "Klopt dat?") == []
    answer = "Eerste zin. Tweede zin. Nee, dat kan niet. Vierde zin."
    spans = highlight_spans(answer, [], "Kan dat?")  # no window units: terms and cues decide
    assert "Nee, dat kan niet." in shown(answer, spans) and len(spans) <= MAX_SENTENCES


def test_the_telegram_ban_sentence_is_the_one_highlighted(searcher: Searcher,
                                                          embedder: Embedder) -> None:  # fmt: skip
    """Issue #12: the sentence that answers, not two side sentences, is highlighted."""
    for question in ("can Telegram be banned in NL?", "Kan Telegram in Nederland verboden worden?"):
        hit = next(h for h in searcher.search(question, k=3).hits
                   if h.passage.passage_id == "5236577-q13")  # fmt: skip
        answer = hit.passage.answer_text
        spans = highlight_spans(answer, real_windows(hit, question, embedder), question)
        assert any(s.startswith(TELEGRAM_BAN) for s in shown(answer, spans)), question
        assert len(spans) <= MAX_SENTENCES


def test_hits_highlight_the_sentence_that_answers(searcher: Searcher) -> None:
    result = searcher.search("Hoeveel incidenten rond doxing zijn in januari 2024 gemeld?", k=3)
    hit = next(h for h in result.hits if h.passage.passage_id == "5236577-q5")
    text = hit.passage.answer_text
    assert 1 <= len(hit.highlights) <= MAX_SENTENCES
    assert all(0 <= s < e <= len(text) for s, e in hit.highlights)
    assert any("21 incidenten" in text[s:e] for s, e in hit.highlights)
    for h in result.hits:
        assert 1 <= len(h.highlights) <= MAX_SENTENCES
