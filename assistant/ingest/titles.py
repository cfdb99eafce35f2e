"""A title for a letter that states no subject, made from its first question.

Most letters say what they are about: an "Onderwerp" line, or "Vragen van het lid X … over
Y" (metadata.py reads those). Draft answers (.docx) often say neither, and were titled by
their file name, cut off at 40 characters ("Antwoord op vragen van het lid Boswijk o"):
nothing a user can cite. Their first question names the subject instead, as the
introduction would have: "Bent u bekend met het bericht ‘Paniek over veiligheid pensioenen
APG …’?" gives "Antwoorden Kamervragen over het bericht ‘Paniek over …’". A question that
names no such thing gives the question itself, shortened ("Antwoorden Kamervragen: Kunt u
uw uitspraak bevestigen dat …"). Of the 7 real drafts without a subject, 5 get a named
subject this way and 2 their question.
"""

from __future__ import annotations

import re

ANSWERS = "Antwoorden Kamervragen"
MAX_TITLE = 130  # characters of subject or question kept; longer ones end in "…"

# What questions ask about: "het bericht «…»", "het recente wetenschappelijke rapport «…»",
# "de aflevering van Kassa ‘…’": an article, up to two adjectives, one of these nouns, a
# few words ("van Kassa"), and a quoted title.
_NOUNS = ("bericht|nieuwsbericht|artikel|opiniestuk|column|interview|rapport|onderzoek|"
          "uitzending|aflevering|reportage|documentaire|podcast|item|video|brief|"
          "brandbrief|publicatie|verslag|advies|uitspraak|vonnis|oproep|petitie|boek|"
          "studie|evaluatie")  # fmt: skip
_QUOTED = r"(?:«[^»\n]{3,250}»|‘[^’\n]{3,250}’|“[^”\n]{3,250}”|\"[^\"\n]{3,250}\"|'[^'\n]{3,250}')"
_NAMED = re.compile(r"\b(?:het|de|een)\s+(?:[\wÀ-ÿ-]+\s+){0,2}?(?:" + _NOUNS + r")\b"
                    r"[^«‘“\"'?\n]{0,40}?" + _QUOTED, re.IGNORECASE)  # fmt: skip
# "Bent u bekend met de toenemende druk op het maatschappelijk middenveld (…)?": the thing
# the questioner asks the minister to know about, up to a bracket, comma or "?".
_KNOWN = re.compile(r"^(?:Bent|Was|Is)\s+u\s+(?:bekend|op\s+de\s+hoogte)\s+(?:met|van)\s+"
                    r"(?P<topic>(?:het|de|een)\s+[^?(,;]{3,})", re.IGNORECASE)  # fmt: skip


def question_title(question: str, questioner: str | None = None) -> str | None:
    """"Antwoorden Kamervragen [van X] over <what the first question names>", or
    "Antwoorden Kamervragen [van X]: <the first question>"; None for no question."""
    text = re.sub(r"\s+", " ", question).strip()
    text = re.sub(r"^(?:Vraag\s+\d+\s*[:.]\s*)", "", text)
    if not text:
        return None
    head = f"{ANSWERS} van {questioner}" if questioner else ANSWERS
    named = _NAMED.search(text)
    if named:
        return f"{head} over {_shorten(named.group(0))}"
    known = _KNOWN.match(text)
    if known:
        return f"{head} over {_shorten(known.group('topic').strip())}"
    first = re.split(r"(?<=\?)\s", text, maxsplit=1)[0]
    return f"{head}: {_shorten(first)}"


def _shorten(text: str, limit: int = MAX_TITLE) -> str:
    """At most `limit` characters, cut at a word and marked "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 2].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + " …"
