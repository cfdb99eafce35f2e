"""The seed letters parse into the passages and metadata the letters really hold."""

from __future__ import annotations

import pytest

from assistant.ingest.parse import parse_file
from tests.conftest import SEED_A, SEED_B


@pytest.fixture(scope="module")
def letter_a():  # type: ignore[no-untyped-def]
    return parse_file(SEED_A)


@pytest.fixture(scope="module")
def letter_b():  # type: ignore[no-untyped-def]
    return parse_file(SEED_B)


def test_seed_a_has_one_passage_per_question(letter_a) -> None:  # type: ignore[no-untyped-def]
    assert [p.questions for p in letter_a.passages] == [[n] for n in range(1, 18)]
    assert letter_a.questions_numbered == list(range(1, 18))


def test_seed_b_merges_combined_answers(letter_b) -> None:  # type: ignore[no-untyped-def]
    numbers = [p.questions for p in letter_b.passages]
    assert len(numbers) == 20
    assert [12, 13] in numbers and [19, 20] in numbers
    assert sorted(n for ns in numbers for n in ns) == list(range(1, 23))
    combined = next(p for p in letter_b.passages if p.questions == [12, 13])
    # Both questions are carried, each labelled.
    assert combined.question_text.startswith("Vraag 12: ")
    assert "\nVraag 13: " in combined.question_text
    assert "125p Sv" in combined.answer_text
    assert combined.passage_id == "5209583-q12+13"


def test_seed_metadata(letter_a, letter_b) -> None:  # type: ignore[no-untyped-def]
    a, b = letter_a.document, letter_b.document
    assert a.title == "Antwoorden Kamervragen over exposegroepen en doxing op Telegram"
    assert (a.date, a.ons_kenmerk, a.uw_kenmerk) == ("2024-03-18", "5236577", "2024Z02257")
    assert (a.questioner, a.party) == ("Kathmann", "GroenLinks-PvdA")
    assert a.minister == "minister van Justitie en Veiligheid"
    assert a.ministry == "Justitie en Veiligheid"
    assert a.kind == "answers" and a.source == SEED_A.name
    assert b.title.startswith("Antwoorden Kamervragen over het bericht ‘Miljoenen drugs")
    assert b.title.endswith("zoals jullie wilden'")  # the subject runs over four lines
    assert (b.date, b.ons_kenmerk, b.uw_kenmerk) == ("2024-03-18", "5209583", "2024Z01211")
    assert (b.questioner, b.party) == ("Krul", "CDA")
    assert b.minister.startswith("minister van Justitie en Veiligheid")
    assert a.aanhangsel is None and b.aanhangsel is None  # not in these letters: never guessed


def test_footnotes_are_kept_out_of_answer_text(letter_a, letter_b) -> None:  # type: ignore[no-untyped-def]
    q3 = letter_a.passages[2]
    # Footnote 1 sits at the bottom of page 2, in the middle of answer 3.
    assert "Kuik/Slootweg" not in q3.answer_text
    assert "Verordening (EU) 2022/2065" not in q3.answer_text
    assert "soorten aanbieders in de internetsector" in q3.answer_text  # joined across the page
    assert any("2022/2065" in note for note in q3.footnotes)
    assert "Digital Services Act." in q3.answer_text  # the reference digit "Act2" is gone
    q2 = letter_a.passages[1]
    note = "Kamervragen Kuik/Slootweg, Aanhangsel Handelingen II 2023/24, nr. 212."
    assert q2.footnotes == [note]
    for passage in letter_a.passages + letter_b.passages:
        assert "Aanhangsel Handelingen" not in passage.answer_text
        assert "Retouradres" not in passage.answer_text
        assert "[1]" not in passage.answer_text  # the endnotes of the question letter
    q7b = next(p for p in letter_b.passages if p.questions == [4])
    # "V erordening" in the extracted footnote is mended
    assert any(note.startswith("Verordening (EU)") for note in q7b.footnotes)


def test_split_words_are_repaired(letter_a) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(p.answer_text + " ".join(p.footnotes) for p in letter_a.passages)
    assert "A anhangsel" not in text and "V erordening" not in text
    assert "foto’s en" in text  # but a real "’s en" is left alone


def test_pages_are_where_the_answers_start(letter_a) -> None:  # type: ignore[no-untyped-def]
    pages = {p.questions[0]: p.page for p in letter_a.passages}
    assert pages[1] == 2  # page 1 is the cover letter
    assert pages[13] == 7
    assert all(1 <= page <= 8 for page in pages.values())
    assert pages == dict(sorted(pages.items()))  # never decreasing
    assert sorted(pages.values()) == list(pages.values())


def test_answer_text_flows_as_paragraphs(letter_a) -> None:  # type: ignore[no-untyped-def]
    q13 = letter_a.passages[12]
    assert q13.answer_text.startswith("Ik zie een verbod op de app Telegram in Nederland niet")
    assert "\n" not in q13.answer_text  # one paragraph, line breaks joined
    assert "rechter-commissaris" in letter_a.passages[11].answer_text  # hyphen break kept
