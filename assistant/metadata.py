"""Metadata of a letter: subject, date, kenmerken, questioner, minister.

Each field is read from the place real letters put it (sender block, the "Vragen van
het lid …" introduction, the Aanhangsel header); a field not found stays None.
"""

from __future__ import annotations

import re
from pathlib import Path

from .documents import Document
from .text import parse_dutch_date

ZAAK_RE = re.compile(r"\b(20\d{2}Z\d{5})\b")
AH_ID_RE = re.compile(r"\b(ah-tk-\d{8}-\d+)\b", re.IGNORECASE)
AH_NR_RE = re.compile(r"^\s*AH\s+(\d+)\s*$", re.MULTILINE)
INTRO_RE = re.compile(
    r"(?:Schriftelijke\s+|Mondelinge\s+)?Vragen\s+(?:gesteld\s+)?van\s+(?:het\s+lid|de\s+leden)\s+"
    r"(?P<who>[^()]{2,120}?)\s*\((?P<party>[^)]{2,60})\)\s*(?:aan\s+de\s+(?P<to>.+?))?"
    r"(?:\s+over\s+(?P<about>.+?))?\s*\(ingezonden\s+(?P<sent>[^)]*)\)",
    re.IGNORECASE | re.DOTALL,
)
ANSWER_BY_RE = re.compile(
    r"Antwoord\s+van\s+(?P<who>(?:de\s+)?(?:minister|staatssecretaris)[^(\n]*?)\s*"
    r"\((?P<ministry>[^)]+)\)(?P<rest>[^\n]*?)\(ontvangen\s+(?P<date>[^)]+)\)",
    re.IGNORECASE | re.DOTALL,
)
SIGNATURE_RE = re.compile(
    r"^\s*(?:De|Het)\s+(?P<who>(?:Minister|Staatssecretaris)\s+(?:van|voor)\s+[^,\n]+),?\s*$",
    re.MULTILINE,
)
POSTPONE_RE = re.compile(r"uitstel\s+(?:van\s+(?:de\s+)?)?beantwoording", re.IGNORECASE)


def _field(raw: str, label: str) -> str | None:
    """Value after a sender-block label, on the same line or the next non-empty one."""
    match = re.search(rf"^\s*{label}\s*[:]?[ \t]*(\S[^\n]*)?$", raw, re.MULTILINE | re.I)
    if not match:
        return None
    if match.group(1) and match.group(1).strip():
        return match.group(1).strip()
    for line in raw[match.end():].splitlines():
        if line.strip():
            return line.strip()
    return None


def _subject(raw: str) -> str | None:
    """The "Onderwerp" line and its continuation lines, up to the next paragraph."""
    match = re.search(r"^\s*Onderwerp\s*:?[ \t]*(\S.*)$", raw, re.MULTILINE)
    if not match:
        return None
    parts = [match.group(1)]
    blank = 0
    for line in raw[match.end():].splitlines()[1:]:
        if not line.strip():
            blank += 1
            if blank >= 2 or len(parts) > 4:
                break
            continue
        if re.match(r"\s*(?:In antwoord|Geachte|Hierbij|Datum|Ons kenmerk)", line):
            break
        blank = 0
        parts.append(line)
    return _one_line(" ".join(parts))


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" ,.")


def extract(raw: str, source: str, doc_id: str) -> Document:
    """Read the document's metadata from its full raw text."""
    doc = Document(doc_id=doc_id, title="", source=source)
    head = raw[:6000]
    subject = _subject(head)
    date = _field(head, "Datum")
    doc.date = parse_dutch_date(date) if date else None
    ons = _field(head, "Ons kenmerk")
    doc.ons_kenmerk = ons.split()[0] if ons else None
    uw = _field(head, "Uw kenmerk")
    doc.uw_kenmerk = uw.split()[0] if uw else None

    intro = INTRO_RE.search(raw)
    if intro:
        doc.questioner = _one_line(intro.group("who"))
        doc.party = _one_line(intro.group("party"))
        if intro.group("to"):
            doc.minister = _one_line(intro.group("to"))
        zaak = ZAAK_RE.search(intro.group("sent") or "")
        if zaak and not doc.uw_kenmerk:
            doc.uw_kenmerk = zaak.group(1)
        if not subject and intro.group("about"):
            subject = "Antwoorden Kamervragen over " + _one_line(intro.group("about"))

    answer_by = ANSWER_BY_RE.search(raw)
    if answer_by:
        doc.minister = _one_line(answer_by.group("who"))
        doc.ministry = _one_line(answer_by.group("ministry"))
        doc.date = doc.date or parse_dutch_date(answer_by.group("date"))
    signature = SIGNATURE_RE.search(raw)
    if signature and not doc.minister:
        doc.minister = _one_line(signature.group("who"))
    if doc.minister and not doc.ministry:
        ministry = re.search(r"(?:minister|staatssecretaris)\s+(?:van|voor)\s+(.+)",
                             doc.minister, re.I)  # fmt: skip
        doc.ministry = re.split(r"\s+en\s+de\s+", ministry.group(1))[0] if ministry else None

    ah_id = AH_ID_RE.search(raw)
    ah_nr = AH_NR_RE.search(raw)
    if ah_id:
        doc.aanhangsel = ah_id.group(1).lower()
    elif ah_nr:
        doc.aanhangsel = f"AH {ah_nr.group(1)}"
    if not doc.uw_kenmerk:
        zaak = ZAAK_RE.search(raw)
        doc.uw_kenmerk = zaak.group(1) if zaak else None
    doc.title = _one_line(subject) if subject else Path(source).stem.replace("_", " ")
    return doc


def is_postponement(raw: str) -> bool:
    """A notice that the answer is postponed ("Uitstel beantwoording …")."""
    return POSTPONE_RE.search(raw[:3000]) is not None and not re.search(
        r"^\s*Antwoord(?:\s+op)?\s+(?:vraag\s+)?1\b", raw, re.MULTILINE | re.I
    )
