"""Page noise on the seed letters and on small made-up pages (no ../shared needed)."""

from __future__ import annotations

from assistant.ingest.corpus import split_text_pages
from assistant.ingest.noise import clean_pages
from assistant.ingest.parse import parse_file, parse_pages
from assistant.ingest.repair import repair_split_words
from tests.conftest import SEED_A, SEED_B


def test_seed_endnotes_leave_the_last_answer_and_join_their_questions() -> None:
    passages = {p.passage_id: p for p in parse_file(SEED_B).passages}
    last = passages["5209583-q22"]
    assert last.answer_text.endswith("zal Uw Kamer daar apart over informeren.")
    q1 = passages["5209583-q1"]
    assert q1.question_text.endswith("platform laat handel ongemoeid’?")  # "1) 2)" left
    assert [note[:24] for note in q1.footnotes] == ["NOS, 25 januari 2024, Mi",
                                                    "NOS, 25 januari 2024, Te"]  # fmt: skip
    assert "-op-telegram-" in q1.footnotes[0]  # the URL broken at a line end is whole again
    assert passages["5209583-q8"].footnotes == [
        "Aanhangsel van de Handelingen, vergaderjaar 2023-2024, nr. 212."]


def test_a_date_at_a_line_start_is_no_footnote_reference() -> None:
    q5 = next(p for p in parse_file(SEED_A).passages if p.questions == [5])
    assert "sinds de strafbaarstelling daarvan op 1 januari jl." in q5.question_text


def test_print_footers_split_pages_and_footnotes_are_cut() -> None:
    text = "\n".join([
        "Vraag 1", "Kent u het artikel «Katten op de boot»?", "1 Hoe vaak gebeurt dat?",
        "Antwoord 1", "Ja. Het gebeurt zelden, zegt de rederij.", "1NOS, 3 mei 2024, «Katten».",
        "ah-tk-20242025-999",
        "ISSN 0921 - 7398’s-Gravenhage 2024Tweede Kamer, vergaderjaar 2024–2025, Aanhangsel 1",
        "Vraag 2", "Wat gaat u doen?", "Antwoord 2", "Niets.",
        "Tweede Kamer, vergaderjaar 2024–2025, Aanhangsel 2",
    ])  # fmt: skip
    pages = split_text_pages(text)
    assert len(pages) == 2
    cleaned = clean_pages(pages)
    assert cleaned.footnotes == {1: "NOS, 3 mei 2024, «Katten»."}
    assert "Aanhangsel" not in "".join(cleaned.pages) and "ah-tk" not in "".join(cleaned.pages)
    letter = parse_pages(pages, "ah-999.txt")
    q1 = letter.passages[0]
    assert q1.question_text == "Kent u het artikel «Katten op de boot»? Hoe vaak gebeurt dat?"
    assert q1.footnotes == ["NOS, 3 mei 2024, «Katten»."]
    assert q1.answer_text == "Ja. Het gebeurt zelden, zegt de rederij."
    assert letter.document.aanhangsel == "ah-tk-20242025-999"


def test_split_and_glued_words_are_repaired_only_when_unambiguous() -> None:
    vocabulary = {"operationele", "slechts", "artikel"}
    assert repair_split_words("De O perationele dienst", vocabulary) == "De Operationele dienst"
    assert repair_split_words("Wilt u s lechts één zaak", vocabulary) == "Wilt u slechts één zaak"
    assert repair_split_words("in ar tikel 3", vocabulary) == "in artikel 3"
    # "u", "de" and "zo" are words: these stay as they are.
    assert repair_split_words("kunt u de brief zo als", vocabulary) == "kunt u de brief zo als"
    assert repair_split_words("vanuit uwKamer", set()) == "vanuit uw Kamer"
    assert repair_split_words("verergerd.Dit leidt", set()) == "verergerd. Dit leidt"
    for kept in ("GroenLinks-PvdA", "DigiD", "www.Rijksoverheid.nl", "Stb.2024"):
        assert repair_split_words(kept, set()) == kept


def test_words_broken_at_a_line_end_are_joined_by_a_dutch_word_list() -> None:
    # Seed A prints "dit me ldt bij de aanbieders": "ldt" is no word, "meldt" is.
    q11 = next(p for p in parse_file(SEED_A).passages if p.questions == [11])
    assert "dit meldt bij de aanbieders" in q11.answer_text
    assert repair_split_words("zal plaatsvin den in mei", set()) == "zal plaatsvinden in mei"
    assert repair_split_words("de zoge naamde aanpak", set()) == "de zogenaamde aanpak"
    # Two words stay two words, also when the letter has them glued elsewhere.
    glued_elsewhere = {"beschikbareonderwijscapaciteit"}
    assert repair_split_words("de beschikbare onderwijscapaciteit", glued_elsewhere) == \
        "de beschikbare onderwijscapaciteit"  # fmt: skip


def test_words_glued_by_a_lost_space_are_split_only_after_small_words() -> None:
    cases = {
        "om dit tekunnen doen": "om dit te kunnen doen",
        "hetkabinet en deNAVO": "het kabinet en de NAVO",
        "HetIMG betaalt": "Het IMG betaalt",
        "de kwaliteitvan zorg": "de kwaliteit van zorg",
        "de Ombudsmanmet betrekking": "de Ombudsman met betrekking",
        "dat ikniet kan": "dat ik niet kan",
    }
    for text, repaired in cases.items():
        assert repair_split_words(text, set()) == repaired
    # Compounds, inflections, names, separable verbs and links stay whole.
    for kept in ("de tussenhandeldiensten", "de implementerende partners", "Philis zegt",
                 "is aangezegd", "een rechtshulpverzoek", "Den Haag", "OpenAI",
                 "https://www.tweedekamer.nl/kamerstukken/hetkabinet"):  # fmt: skip
        assert repair_split_words(kept, set()) == kept


def test_a_decimal_is_no_footnote_reference() -> None:
    """"1,5 graden" and "tot1,5" keep their digits though notes 1 and 5 exist (the
    Teunissen letter lost "1,5" to note 5, and its note text went to the wrong answers)."""
    notes = [f"{n}Bron nummer {n}." for n in range(2, 5)]
    page = "\n".join([
        "Vraag 1", "Hoe hoog mag de opwarming worden?", "Antwoord 1",
        "Het doel is beneden 2 en streven naar 1,5 graden; de opwarming tot1,5 graden",
        "beperken vraagt veel, zoals het rapport1 zegt, bron2 en 3 en 4, en de Kamerbrief.5",
        "1Rapport, 8 oktober 2024.", *notes, "5Kamerstuk 31 793 nr. 274.",
    ])  # fmt: skip
    (passage,) = parse_pages([page, "Vraag 2\nEn nu?\nAntwoord 2\nNiets."], "d.txt").passages[:1]
    assert "streven naar 1,5 graden; de opwarming tot 1,5 graden" in passage.answer_text
    assert passage.footnotes[0] == "Rapport, 8 oktober 2024."
    assert passage.footnotes[-1] == "Kamerstuk 31 793 nr. 274."


def test_a_repeated_body_sentence_is_no_page_header() -> None:
    """Only lines at a page's top or bottom count as repeated headers and footers."""
    body = ["Vraag {n}", "Klopt bericht {n}?", "Antwoord {n}", "Dat is zo.",
            "Zie ook het antwoord op de vorige vraag hierboven.", "Het kabinet kijkt er naar."]
    filler = [f"Regel {i} van de uitleg over het onderwerp." for i in range(8)]
    pages = ["\n".join(["Kenmerk 2024-0001 pagina"] + filler[:4] + [line.format(n=n)
                                                                     for line in body]
                       + filler) for n in range(1, 5)]  # fmt: skip
    cleaned = clean_pages(pages)
    for page in cleaned.pages:
        assert "Zie ook het antwoord op de vorige vraag hierboven." in page
        assert "Kenmerk 2024-0001 pagina" not in page  # the real header still goes
