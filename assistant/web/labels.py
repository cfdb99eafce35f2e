"""The words the web app shows, in English and Dutch, and dates and question headings."""

from __future__ import annotations

from ..ingest.text import date_parts, dutch_date
from ..search.rank import MAX_QUESTION_CHARS

ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "found": "These passages answer your question, best first:",
        "found_one": "This passage answers your question:",
        "not_found": "Not found: none of the indexed letters answers this question.",
        "no_passages": "Not found: no passage matches this question with the current filters.",
        "not_found_filters": "Not found within these filters: letters outside them answer "
                             "this question. Widen or clear the filters to see them.",
        "lookup_not_found": "Not found: no indexed letter matches this reference or these "
                            "words.",
        "lookup_not_found_hint": "Check the kenmerk and the question number, or ask in your "
                                 "own words under Chat.",
        "related": "Possibly related",
        "question": "Question",
        "questions": "Questions",
        "answer": "Answer",
        "page": "p.",
        "kenmerk": "ref.",
        "uw_kenmerk": "your ref.",
        "cite": "Cite",
        "copy": "Copy citation",
        "copied": "Copied",
        "open": "Open in letter",
        "official": "Official publication",
        "new_tab": "(opens in a new tab)",
        "exact": "Exact match for your reference",
        "see_also": "Refers to the answer to",
        "undated": "undated",
        "understood": "Follow-up, searched as:",
        "empty": "Please type a question first, for example: "
                 "“Can Telegram be banned in the Netherlands?”",
        "long": f"Your question is very long; I searched its first {MAX_QUESTION_CHARS} "
                "characters. A short question gives better results.",
        "shortened": "…(shortened; open the letter for the full answer)",
        "bad_date": "Dates in the filter must look like 2024-03-18.",
        "reversed_dates": "The date range is reversed: “from” ({start}) is after “to” ({end}). "
                          "Swap the two dates.",
        "open_hint": "“Open in letter” shows an answer in its letter; all letters are under "
                     "Sources.",
        "lookup_empty": "Type a reference (e.g. 5236577 vraag 13) or some keywords.",
        "from": "from",
        "to": "to",
    },
    "nl": {
        "found": "Deze passages beantwoorden uw vraag, de beste eerst:",
        "found_one": "Deze passage beantwoordt uw vraag:",
        "not_found": "Niet gevonden: geen van de geïndexeerde brieven beantwoordt deze vraag.",
        "no_passages": "Niet gevonden: met deze filters past geen passage bij de vraag.",
        "not_found_filters": "Niet gevonden binnen deze filters: brieven daarbuiten "
                             "beantwoorden deze vraag. Verruim of wis de filters om ze te zien.",
        "lookup_not_found": "Niet gevonden: geen geïndexeerde brief past bij dit kenmerk of "
                            "deze woorden.",
        "lookup_not_found_hint": "Controleer het kenmerk en het vraagnummer, of stel uw vraag "
                                 "in eigen woorden onder Chat.",
        "related": "Mogelijk verwant",
        "question": "Vraag",
        "questions": "Vragen",
        "answer": "Antwoord",
        "page": "p.",
        "kenmerk": "kenmerk",
        "uw_kenmerk": "uw kenmerk",
        "cite": "Citeer",
        "copy": "Kopieer citaat",
        "copied": "Gekopieerd",
        "open": "Open in brief",
        "official": "Officiële publicatie",
        "new_tab": "(opent in een nieuw tabblad)",
        "exact": "Precies de gevraagde verwijzing",
        "see_also": "Verwijst naar het antwoord op",
        "undated": "ongedateerd",
        "understood": "Vervolgvraag, gezocht als:",
        "empty": "Typ eerst een vraag, bijvoorbeeld: "
                 "“Kan Telegram in Nederland verboden worden?”",
        "long": f"Uw vraag is erg lang; ik heb gezocht op de eerste {MAX_QUESTION_CHARS} "
                "tekens. Een korte vraag geeft betere resultaten.",
        "shortened": "…(ingekort; open de brief voor het hele antwoord)",
        "bad_date": "Datums in het filter schrijft u als 2024-03-18.",
        "reversed_dates": "Het datumbereik is omgedraaid: “van” ({start}) ligt na “tot” ({end}). "
                          "Verwissel de twee datums.",
        "open_hint": "“Open in brief” toont een antwoord in zijn brief; alle brieven staan "
                     "onder Bronnen.",
        "lookup_empty": "Typ een kenmerk (bijv. 5236577 vraag 13) of een paar trefwoorden.",
        "from": "van",
        "to": "tot",
    },
}


def label(lang: str, key: str) -> str:
    return LABELS.get(lang, LABELS["en"])[key]


def show_date(iso: str | None, lang: str) -> str:
    if not iso:
        return label(lang, "undated")
    parts = date_parts(iso)
    if lang == "nl" or parts is None:
        return dutch_date(iso)
    year, month, day = parts
    return f"{day} {ENGLISH_MONTHS[month - 1]} {year}"


def questions_heading(numbers: list[int], lang: str) -> str:
    """"Vraag 13" / "Question 13" / "Vragen 12 en 13" / "Questions 12 and 13"."""
    if not numbers:
        return label(lang, "question")
    if len(numbers) == 1:
        return f"{label(lang, 'question')} {numbers[0]}"
    joiner = " en " if lang == "nl" else " and "
    listed = ", ".join(str(n) for n in numbers[:-1]) + joiner + str(numbers[-1])
    return f"{label(lang, 'questions')} {listed}"
