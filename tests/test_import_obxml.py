"""The officielebekendmakingen XML parser, on the real fragment of ah-tk-20142015-1130.

The expected texts below were checked by hand against the fragment
(fixtures/open-data/fragments/FRAGMENT_ah-tk-20142015-1130_…): five questions, five
answers, two footnotes on question 1, a question cut in two `<al>` at a page break
(question 3), an answer in two `<al-groep>` (answer 3).
"""

from __future__ import annotations

import opendata_fixtures as fx
import pytest

from assistant.documents import ANSWERS, POSTPONEMENT, QUESTIONS
from assistant.ingest.opendata.obxml import parse_answer_xml
from assistant.ingest.parse import ParseError

pytestmark = pytest.mark.skipif(not fx.available(), reason="../shared fixtures are absent")

Q1 = ("Bent u bekend met het bericht «Duitse ministerraad stemt in met tolplan»? en het "
      "artikel «Zwart rijden op Duitse Tolwegen zwaar beboet»?")
Q2 = ("Deelt u de mening dat het voorliggende tolplan nadelig is voor Nederland en het "
      "discriminatoir is gezien de compensatie voor Duitsers?")
Q3 = ("Bent u in overleg met uw Duitse ambtsgenoot over de gevolgen voor de Nederlandse "
      "bewoners in de grensstreek? Zo ja, hoe verlopen deze gesprekken? Hoe beoordeelt u de "
      "houding van Duitsland als het gaat om infrastructuur, gelet ook op de eerdere "
      "uitspraken van Duitsland dat ze voornemens zijn om ook tol te heffen op de vaarwegen en "
      "in de lucht? Bent u hierover in gesprek met Duitsland? Zo ja, wat zijn de uitkomsten?")
Q4 = ("Kunt u aangeven of u bereid bent juridische stappen te zetten, zoals de gang naar het "
      "Europese hof van Justitie? Zo ja, doet u dit samen met andere landen? Zo nee, waarom "
      "niet?\nZal het nalaten van het betalen van tol voor het gebruik van Duitse snelwegen "
      "dan wel de verplichte jaarpas vallen onder de Cross Border Enforcement (CBE)-richtlijn "
      "of de Wet wederzijdse erkenning en tenuitvoering geldelijke sancties en beslissingen "
      "tot confiscatie?")
Q5 = ("Kunnen de gegevens van Nederlandse kentekenhouders die hiervoor beschikbaar gesteld "
      "zijn in het nationale kentekenregister actief door de Duitse regering worden "
      "geraadpleegd en daarmee gebruikt worden voor beboeting en inning?")
NOTES_Q1 = [
    "Nu.nl, 17 december 2014: "
    "http://www.nu.nl/economie/3955474/duitse-ministerraad-stemt-in-tolplan.html",
    "FD, 17 december 2014: http://fd.nl/economie-politiek/1085392/duitse-regering-zet-tolwet-door",
]  # fmt: skip


@pytest.fixture(scope="module")
def letter():  # type: ignore[no-untyped-def]
    return parse_answer_xml(fx.fragment_letter().xml, source="ah-tk-20142015-1130")


def test_fragment_gives_five_numbered_passages(letter) -> None:  # type: ignore[no-untyped-def]
    assert [p.questions for p in letter.passages] == [[1], [2], [3], [4], [5]]
    assert [p.question_text for p in letter.passages] == [Q1, Q2, Q3, Q4, Q5]
    assert letter.questions_numbered == [1, 2, 3, 4, 5]
    assert [p.passage_id for p in letter.passages][:2] == ["ah-tk-20142015-1130-q1",
                                                            "ah-tk-20142015-1130-q2"]
    assert all(p.page is None for p in letter.passages)  # XML has no pages


def test_fragment_answers(letter) -> None:  # type: ignore[no-untyped-def]
    answers = [p.answer_text for p in letter.passages]
    assert answers[0] == "Ja."
    assert answers[1].startswith("Zoals ik verschillende keren heb aangegeven, heb ik grote "
                                 "bezwaren tegen het voornemen van Minister Dobrindt")
    assert answers[1].endswith("discriminerend zijn of in overeenstemming zijn met het EU-recht.")
    # Answer 3: two <al-groep> of 2 and 3 <al>: five paragraphs, the xpp instruction gone.
    paragraphs = answers[2].split("\n")
    assert len(paragraphs) == 5 and "xpp" not in answers[2]
    assert paragraphs[0].startswith("Ik spreek met enige regelmaat mijn Duitse collega, "
                                    "Minister Dobrindt. Recent nog en marge van de "
                                    "Transportraad op 3 december 2014.")
    assert paragraphs[2].startswith("Het is aan de Duitse regering hoe zij de Duitse "
                                    "infrastructuur financiert.")
    assert paragraphs[4].endswith("In Europees verband wordt hier in januari 2015 over "
                                  "gesproken.")
    assert answers[3].split("\n")[1].startswith("De CBE-richtlijn verplicht lidstaten")
    assert answers[4].startswith("De Duitse regering kan niet actief het Nederlandse "
                                 "kentekenregister raadplegen.")
    assert "\u00a0" not in "".join(answers)  # "17\xa0december" became a plain space


def test_fragment_footnotes_leave_the_text(letter) -> None:  # type: ignore[no-untyped-def]
    first = letter.passages[0]
    assert first.footnotes == NOTES_Q1
    assert "nu.nl" not in first.question_text.lower()
    assert all(not p.footnotes for p in letter.passages[1:])


def test_fragment_metadata(letter) -> None:  # type: ignore[no-untyped-def]
    doc = letter.document
    assert doc.kind == ANSWERS and doc.aanhangsel == "ah-tk-20142015-1130"
    assert doc.questioner == "B. Visser"
    assert doc.minister == "M.H. Schultz van Haegen-Maas Geesteranus"
    assert doc.date == "2015-01-27"  # DCTERMS.issued; available is 2015-01-29
    assert doc.title == "Aanhangsel Handelingen II 2014/15, nr. 1130"  # no title in the XML
    assert doc.source == "ah-tk-20142015-1130"


def _xml(body: str, meta: str = "") -> bytes:
    return (f"<officiele-publicatie><metadata>{meta}</metadata><kamervragen>{body}"
            "</kamervragen></officiele-publicatie>").encode()  # fmt: skip


def test_combined_and_referring_answers() -> None:
    body = ('<vraag><nr>Vraag 12</nr><al>Hoeveel?</al></vraag>'
            '<vraag><nr>Vraag 13</nr><al>Waarom?</al></vraag>'
            '<antwoord><nr>Antwoord 12 en 13</nr><al>Tien, omdat het kan.</al></antwoord>'
            '<vraag><nr>Vraag 14</nr><al>En verder?</al></vraag>'
            '<antwoord><nr>Antwoord 14</nr><al>Zie het antwoord op vraag 12.</al></antwoord>')
    letter = parse_answer_xml(_xml(body), source="test")
    first, second = letter.passages
    assert first.questions == [12, 13]
    assert first.question_text == "Vraag 12: Hoeveel?\nVraag 13: Waarom?"
    assert second.refers_to == [12]


def test_older_nummer_label_and_unnumbered_answer() -> None:
    body = ('<vraag><nummer>Vraag 1</nummer><al>Eén?</al></vraag>'
            '<antwoord><al>Ja.</al></antwoord>')
    letter = parse_answer_xml(_xml(body), source="test")
    assert [(p.questions, p.answer_text) for p in letter.passages] == [([1], "Ja.")]


def test_postponement_notice() -> None:
    body = ("<kamervraagopmerking><al>De vragen kunnen niet binnen de gebruikelijke termijn "
            "worden beantwoord.</al></kamervraagopmerking>")
    letter = parse_answer_xml(_xml(body), source="ah-tk-20242025-600")
    assert letter.document.kind == POSTPONEMENT and letter.passages == []


def test_questions_without_answers() -> None:
    body = ('<vraag><nr>Vraag 1</nr><al>Eén?</al></vraag>'
            '<vraag><nr>Vraag 2</nr><al>Twee?</al></vraag>')
    letter = parse_answer_xml(_xml(body), source="test")
    assert letter.document.kind == QUESTIONS and letter.questions_numbered == [1, 2]


def test_a_real_motion_is_no_answer_letter() -> None:
    motion = (fx.OPEN_DATA / "op_xml" /
              "motiematcher_DocumentPublicatie_kst-34104-439_motie.xml").read_bytes()
    with pytest.raises(ParseError, match=r"^kst-34104-439: no <vraag>/<antwoord>"):
        parse_answer_xml(motion, source="kst-34104-439")


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b"<r>&b;</r>",
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
], ids=["entity-expansion", "external-entity"])  # fmt: skip
def test_unsafe_xml_is_refused(data: bytes) -> None:
    with pytest.raises(ParseError, match=r"^evil: refused unsafe XML"):
        parse_answer_xml(data, source="evil")


def test_broken_xml_is_one_line() -> None:
    with pytest.raises(ParseError, match=r"^cut: not well-formed XML") as caught:
        parse_answer_xml(fx.fragment_letter().xml[:500], source="cut")
    assert "\n" not in str(caught.value)
