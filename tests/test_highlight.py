"""Highlights: the one to three sentences of an answer that best match the question."""

from __future__ import annotations

from assistant.ingest.text import sentences
from assistant.search import Searcher
from assistant.search.highlight import highlight_spans

ANSWER = "Eerste zin. Tweede zin over boetes. Derde zin. Vierde zin. Vijfde zin."


def test_best_window_is_highlighted_sentence_by_sentence() -> None:
    spans = sentences(ANSWER)
    windows = [(spans[0][0], spans[1][1], 0.80), (spans[2][0], spans[3][1], 0.86),
               (spans[4][0], spans[4][1], 0.70)]  # fmt: skip
    assert highlight_spans(ANSWER, windows) == [spans[2], spans[3]]


def test_a_close_neighbour_adds_its_touching_sentence() -> None:
    spans = sentences(ANSWER)
    windows = [(spans[0][0], spans[1][1], 0.855), (spans[2][0], spans[3][1], 0.86),
               (spans[4][0], spans[4][1], 0.70)]  # fmt: skip
    assert highlight_spans(ANSWER, windows) == [spans[1], spans[2], spans[3]]


def test_short_answers_are_highlighted_whole() -> None:
    assert highlight_spans("Ja.", []) == [(0, 3)]
    assert highlight_spans("", []) == []


def test_hits_highlight_the_sentence_that_answers(searcher: Searcher) -> None:
    result = searcher.search("Hoeveel incidenten rond doxing zijn in januari 2024 gemeld?", k=3)
    hit = next(h for h in result.hits if h.passage.passage_id == "5236577-q5")
    text = hit.passage.answer_text
    assert 1 <= len(hit.highlights) <= 3
    assert all(0 <= s < e <= len(text) for s, e in hit.highlights)
    assert any("21 incidenten" in text[s:e] for s, e in hit.highlights)
    for h in result.hits:
        assert 1 <= len(h.highlights) <= 3
