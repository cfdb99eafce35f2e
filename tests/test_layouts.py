"""Small made-up letters in the layouts real letters use (no ../shared needed)."""

from __future__ import annotations

import pytest

from assistant.documents import ANSWERS, POSTPONEMENT, QUESTIONS
from assistant.ingest.parse import ParseError, parse_pages

MINISTRY = """\
Datum 3 december 2024
Onderwerp Antwoorden Kamervragen over katten op de veerboot
Ons kenmerk 6123456
Uw kenmerk 2024Z19999
Vragen van het lid De Boer (CDA) aan de minister van Infrastructuur en Waterstaat over
katten op de veerboot (ingezonden 12 november 2024, 2024Z19999)
Vraag 1:
Kent u het bericht?
Antwoord op vraag 1:
Ja.
Vraag 2:
Hoeveel katten reizen mee?
Vraag 3:
Wie betaalt de opvang?
Antwoord op vragen 2 en 3:
Dat weet ik niet; de rederij betaalt.
Vraag 4:
Gaat u de rederij aanspreken?
Antwoord op vraag 4:
Ik verwijs u naar het antwoord op vraag 2 en 3.
De Minister van Infrastructuur en Waterstaat,
"""

NUMBERED_LINES = """\
AH 888
2024Z18888
Antwoord van staatssecretaris Jansen (Financiën) (ontvangen 2 december 2024)
1
Klopt het bericht?
Antwoord vraag 1:
Ja.
2
Wat doet u eraan?
3
Wanneer?
4
Hoe dan?
Antwoord vraag 2 t/m 4:
Ik kom er in het voorjaar op terug.
In dat antwoord noem ik:
1. de kosten;
2. de planning.
"""

AANHANGSEL_COMBINED = """\
Vragen van de leden Smit (VVD) en Bakker (beiden VVD) aan de Minister van Defensie over
oefeningen (ingezonden 1 oktober 2024).
Antwoord van Minister Brekelmans (Defensie) (ontvangen 18 november 2024).
Vraag 1
Hoeveel oefeningen waren er?
Antwoord 1
Twaalf.
Vraag 5
Waar vonden zij plaats?
Vraag 6
Wanneer?
Vraag 7
Met wie?
Antwoord 5, 6 en 7
In Duitsland, in mei, met Duitse eenheden.
"""

POSTPONED = """\
AH 700
2024Z17000
Mededeling van minister Wiersma (Landbouw, Visserij, Voedselzekerheid en Natuur) (ontvangen
20 november 2024)
De vragen van het lid Flach (SGP) over stallen (2024Z17000) kunnen niet binnen de termijn
van drie weken worden beantwoord, omdat afstemming nodig is.
"""

QUESTIONS_ONLY = """\
2024Z18000
Vragen van het lid Kisteman (VVD) aan de staatssecretaris van Onderwijs, Cultuur en
Wetenschap over salarissen (ingezonden 20 november 2024).
Vraag 1
Bent u bekend met het bericht?
Vraag 2
Wat vindt u daarvan?
"""


def test_ministry_letter_with_colons_and_a_referring_answer() -> None:
    letter = parse_pages([MINISTRY], "6123456.txt")
    assert [p.questions for p in letter.passages] == [[1], [2, 3], [4]]
    assert letter.passages[2].refers_to == [2, 3]
    doc = letter.document
    assert (doc.kind, doc.date, doc.ons_kenmerk, doc.uw_kenmerk) == (
        ANSWERS, "2024-12-03", "6123456", "2024Z19999")
    assert doc.title == "Antwoorden Kamervragen over katten op de veerboot"
    assert (doc.questioner, doc.party) == ("De Boer", "CDA")
    assert doc.ministry == "Infrastructuur en Waterstaat" and doc.aanhangsel is None


def test_bare_number_lines_and_a_list_inside_an_answer() -> None:
    letter = parse_pages([NUMBERED_LINES], "ah-888.docx")
    assert [p.questions for p in letter.passages] == [[1], [2, 3, 4]]
    assert letter.questions_numbered == [1, 2, 3, 4]
    assert "1. de kosten;" in letter.passages[1].answer_text  # a list is no question
    assert letter.document.minister == "staatssecretaris Jansen"
    assert letter.document.date == "2024-12-02"


def test_aanhangsel_combined_answer_in_any_wording() -> None:
    letter = parse_pages([AANHANGSEL_COMBINED], "ah.txt")
    assert [p.questions for p in letter.passages] == [[1], [5, 6, 7]]
    combined = letter.passages[1]
    assert combined.question_text.splitlines() == [
        "Vraag 5: Waar vonden zij plaats?", "Vraag 6: Wanneer?", "Vraag 7: Met wie?"]
    assert (letter.document.questioner, letter.document.party) == ("Smit en Bakker", "VVD")


def test_postponement_and_question_letters_have_their_kind() -> None:
    notice = parse_pages([POSTPONED], "uitstel.docx").document
    assert (notice.kind, notice.aanhangsel, notice.date) == (POSTPONEMENT, "AH 700", "2024-11-20")
    assert (notice.questioner, notice.party) == ("Flach", "SGP")
    questions = parse_pages([QUESTIONS_ONLY], "vragen.pdf")
    assert questions.document.kind == QUESTIONS and questions.passages == []
    assert questions.questions_numbered == [1, 2]
    assert questions.document.title == "Kamervragen over salarissen"


@pytest.mark.parametrize("text", ["", "Boodschappen:\nmelk\nbrood\n", "Vraag het de buren."])
def test_text_that_is_no_letter_is_refused_with_its_name(text: str) -> None:
    with pytest.raises(ParseError, match=r"^lijstje\.txt: "):
        parse_pages([text], "lijstje.txt")


def test_a_draft_without_subject_is_titled_by_its_first_question() -> None:
    """Issue #17: a draft that names no subject was titled by its file name, cut off as
    the file was saved ("Antwoord op vragen van het lid Boswijk o")."""
    named = parse_pages([NUMBERED_LINES.replace(
        "Klopt het bericht?", "Bent u bekend met het bericht «Belasting op fietsen stijgt»?")],
        "Antwoord_op_vragen_van_het_lid_Boswijk_o.docx")  # fmt: skip
    assert named.document.title == ("Antwoorden Kamervragen over het bericht «Belasting op "
                                    "fietsen stijgt»")  # fmt: skip
    assert named.derived_title
    plain = parse_pages([NUMBERED_LINES], "Antwoord_op_vragen_van_het_lid_Boswijk_o.docx")
    assert plain.document.title == "Antwoorden Kamervragen: Klopt het bericht?"
    # A question-only draft: "Kamervragen over …"; a letter with a subject keeps it.
    asked = parse_pages(["1. Kent u het artikel ‘Zonnepanelen op elk dak’?\n"
                         "2. Wat gaat u doen?\n"], "vragen_ove.docx")  # fmt: skip
    assert asked.document.kind == QUESTIONS
    assert asked.document.title == "Kamervragen over het artikel ‘Zonnepanelen op elk dak’"
    ministry = parse_pages([MINISTRY], "6123456.txt")
    assert ministry.document.title == "Antwoorden Kamervragen over katten op de veerboot"
    assert not ministry.derived_title


def test_an_official_title_replaces_one_made_from_the_first_question() -> None:
    from assistant.ingest.opendata.fill import Known, complete

    letter = parse_pages([NUMBERED_LINES], "ah-tk-20242025-888")
    official = "Antwoord op vragen van het lid Jansen over de fietsbelasting"
    known = Known(kind=ANSWERS, source="ah-tk-20242025-888", title=official)
    assert complete(letter, known).document.title == official
