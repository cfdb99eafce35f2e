"""Small letters for store tests: parsed and embedded once, written into fresh stores."""

from __future__ import annotations

from assistant.ingest.parse import parse_pages
from assistant.store.base import LetterRecord
from assistant.store.embed import Embedder
from assistant.store.records import letter_record

LETTER = """\
Vragen van het lid {member} aan de Minister van {ministry} over
{about} (ingezonden 4 november {year}).
Antwoord van Minister Madlener ({ministry}) (ontvangen {date} {year}).
Vraag 1
{q1}
Antwoord 1
{a1}
Vraag 2
{q2}
Antwoord 2
{a2}
Vraag 3
Bent u bereid hierover met de betrokken partijen te spreken?
Antwoord 3
Zie het antwoord op vraag 2.
{ah}
"""

TOPICS = {
    "katten": dict(
        member="De Boer (CDA)", ministry="Infrastructuur en Waterstaat",
        about="zwerfkatten op de veerboot naar Texel", year="2024", date="20 november",
        q1="Bent u bekend met het bericht dat zwerfkatten ongemerkt meereizen op de veerboot?",
        a1="Ja, ik ken het bericht over de katten op de veerboot van Den Helder naar Texel.",
        q2="Hoeveel zwerfkatten reizen jaarlijks mee en wie vangt ze op?",
        a2="Dat wordt niet bijgehouden. Het dierenasiel op Texel vangt de katten op; de "
           "rederij draagt bij aan de kosten van de opvang.",
        ah="ah-tk-20242025-999"),
    "fietsen": dict(
        member="Jansen (VVD)", ministry="Infrastructuur en Waterstaat",
        about="gestolen fietsen bij stations", year="2023", date="10 mei",
        q1="Hoeveel fietsen werden vorig jaar gestolen bij treinstations?",
        a1="Bij stations werden vorig jaar ongeveer 12.000 fietsen als gestolen gemeld.",
        q2="Welke maatregelen neemt u tegen fietsdiefstal bij stallingen?",
        a2="ProRail plaatst camera's in bewaakte stallingen. Gemeenten registreren fietsen "
           "met een chip zodat gestolen fietsen sneller worden teruggevonden.",
        ah="ah-tk-20222023-555"),
    "molens": dict(
        member="Pietersen (GL)", ministry="Economische Zaken",
        about="windmolens op zee bij de Waddeneilanden", year="2021", date="3 maart",
        q1="Hoeveel windmolens staan er op zee bij de Waddeneilanden?",
        a1="Bij de Waddeneilanden staan geen windmolens op zee; het dichtstbijzijnde windpark "
           "ligt ruim vijftig kilometer uit de kust.",
        q2="Wat betekenen windmolens op zee voor trekvogels?",
        a2="Windparken worden stilgezet tijdens massale vogeltrek. Onderzoek naar aanvaringen "
           "van trekvogels met windmolens loopt nog.",
        ah="ah-tk-20202021-321"),
}


def letter_text(topic: str, **changes: str) -> str:
    return LETTER.format(**{**TOPICS[topic], **changes})


def records(embedder: Embedder, origin: str = "added") -> dict[str, LetterRecord]:
    """One embedded LetterRecord per topic."""
    out = {}
    for topic in TOPICS:
        text = letter_text(topic)
        letter = parse_pages([text], f"{topic}.txt")
        out[topic] = letter_record(letter, embedder, origin)
    return out
