"""Metadata of a letter: subject, date, kenmerken, questioner, minister.

Each field is read from the place real letters put it (sender block, the "Vragen van
het lid …" introduction, the Aanhangsel header); a field not found stays None.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..documents import ANSWERS, POSTPONEMENT, QUESTIONS, Document
from .text import date_problem, dutch_date, parse_dutch_date

ZAAK_RE = re.compile(r"\b(20\d{2}Z\d{5})\b")
AH_ID_RE = re.compile(r"\b(ah-tk-\d{8}-\d+)\b", re.IGNORECASE)
# "[ \t]*", not "\s*", after "^" in multi-line patterns: "\s*" runs on over blank lines
# from every line start, which takes quadratic time on a file of many blank lines.
AH_NR_RE = re.compile(r"^[ \t]*AH[ \t]+(\d+)[ \t]*$", re.MULTILINE)
_INTRO_HEAD = (
    r"(?:Schriftelijke\s+|Mondelinge\s+)?Vra(?:ag|gen)\s+(?:gesteld\s+)?van\s+"
    r"(?:het\s+lid|de\s+leden|het\s+leden|lid|leden)\s+(?P<members>[^\n]{2,300}?(?:\n[^\n]{0,300}?)?)"
    r"\s+aan\s+(?:de|het)\s+(?P<to>.{3,300}?)(?:\s+over(?:\s+|(?=(?:het|de|een)\s))(?P<about>.{3,700}?))?\s*"
)
# The introduction ends at "(ingezonden …)"; question-only drafts end it with the paragraph.
INTRO_RE = re.compile(_INTRO_HEAD + r"\(ingezonden\s+(?P<sent>[^)]*)\)", re.I | re.DOTALL)
INTRO_PARA_RE = re.compile(_INTRO_HEAD + r"(?:\n\s*\n|$)", re.I | re.DOTALL)
# The introduction and the "Antwoord van …" header stand near the start (at most 1,400
# characters in, after a cover letter, in the real letters); searching only the first
# 30,000 characters (about 10 pages) keeps a huge file from costing seconds per MB.
_HEAD_CHARS = 30_000
# "Antwoord van minister X (Ministerie) [en van staatssecretaris Y (…)] (ontvangen <date>)";
# postponement notices say "Mededeling van …". Some drafts miss a closing parenthesis.
ANSWER_BY_RE = re.compile(
    r"(?:Antwoord|Mededeling)\s+van\s+(?P<body>(?:de\s+)?(?:minister|staatssecretaris)\b"
    r".{0,500}?)\(\s*ontvangen\s+(?P<date>[^)]{4,40})\)",
    re.IGNORECASE | re.DOTALL,
)
ANSWERER_RE = re.compile(
    r"(?<!namens )(?<!namens de )\b(?P<role>[Mm]inister(?:-president)?|[Ss]taatssecretaris)"
    r"\s+(?!van\b|voor\b)(?P<name>[^(,]{2,60}?)\s*\((?P<ministry>[^()]{3,120})\)?",
    re.DOTALL,
)
SIGNATURE_RE = re.compile(
    r"^[ \t]*(?:De|Het)\s+(?P<who>(?:Minister|Staatssecretaris)\s+(?:van|voor)\s+[^,\n]+),?"
    r"[ \t]*$",
    re.MULTILINE,
)
POSTPONE_RE = re.compile(
    r"uitstel\s+(?:van\s+(?:de\s+)?)?beantwoording|niet\s+binnen\s+de\s+[^.]{0,60}?termijn"
    r"[^.]{0,80}?beantwoord|beantwoording\s+[^.]{0,80}?(?:meer\s+tijd|uitgesteld)",
    re.IGNORECASE,
)
POSTPONE_WHO_RE = re.compile(
    r"(?:vragen\s+van|hebben|heeft)\s+(?:het\s+lid|de\s+leden)\s+(?P<members>[^()]{2,200}?\([^)]*\))",
    re.IGNORECASE,
)
_ANSWERS_PREFIX = "Antwoorden Kamervragen over "


def _field(raw: str, label: str) -> str | None:
    """Value after a sender-block label, on the same line or the next non-empty one."""
    match = re.search(rf"^[ \t]*{label}[ \t]*[:]?[ \t]*(\S[^\n]*)?$", raw, re.MULTILINE | re.I)
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
    match = re.search(r"^[ \t]*Onderwerp[ \t]*:?[ \t]*(\S.*)$", raw, re.MULTILINE)
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
    # PDF extraction glues words at line joins ("vanBinnenlandse"): split after short
    # function words that run into a capital.
    text = re.sub(r"\b(en|van|voor|de|het|over|aan)(?=[A-Z][a-zà-ÿ])", r"\1 ", text)
    return re.sub(r"\s+", " ", text).strip(" ,.")


def extract(raw: str, source: str, doc_id: str, warnings: list[str] | None = None) -> Document:
    """Read the document's metadata from its full raw text. A date no letter can carry
    (see text.date_problem) is left out with a line in `warnings`."""
    doc = Document(doc_id=doc_id, title="", source=source)
    head = raw[:6000]
    subject = _subject(head)
    date = _field(head, "Datum")
    doc.date = _letter_date(date, source, warnings) if date else None
    ons = _field(head, "Ons kenmerk")
    doc.ons_kenmerk = ons.split()[0] if ons else None
    uw = _field(head, "Uw kenmerk")
    doc.uw_kenmerk = uw.split()[0] if uw else None

    intro = _intro(raw)
    if intro:
        doc.questioner, doc.party = members(intro.group("members"))
        if intro.group("to"):
            doc.minister = _one_line(intro.group("to"))
        sent = intro.groupdict().get("sent") or ""
        zaak = ZAAK_RE.search(sent)
        if zaak and not doc.uw_kenmerk:
            doc.uw_kenmerk = zaak.group(1)
        if not subject and intro.group("about"):
            subject = _ANSWERS_PREFIX + _one_line(intro.group("about"))

    answer_by = ANSWER_BY_RE.search(raw, 0, _HEAD_CHARS)
    if answer_by:
        who = [(m.group("role").lower(), _one_line(m.group("name")), _one_line(m.group("ministry")))
               for m in ANSWERER_RE.finditer(answer_by.group("body"))]  # fmt: skip
        if who:
            doc.minister = " en ".join(f"{role} {name}" for role, name, _ in who)
            doc.ministry = "; ".join(dict.fromkeys(ministry for _, _, ministry in who))
        doc.date = doc.date or _letter_date(answer_by.group("date"), source, warnings)
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
    doc.title = _one_line(subject) if subject else stem_title(source)
    return doc


def _letter_date(text: str, source: str, warnings: list[str] | None) -> str | None:
    """The ISO date in `text`, or None when there is none or it can be no letter's date."""
    iso = parse_dutch_date(text)
    problem = date_problem(iso)
    if problem is None:
        return iso
    if warnings is not None:
        warnings.append(f"{source}: its date {dutch_date(iso)} {problem}; the letter is read "
                        "as undated (correct the date in the file to date it)")  # fmt: skip
    return None


def members(text: str) -> tuple[str | None, str | None]:
    """Questioners and parties from "Beckerman (SP), Bushoff en Kröger (beiden GL-PvdA)"."""
    text = _one_line(text)
    parties = [re.sub(r"^(?:beiden|beide|allen|alle)\s+", "", p, flags=re.I).strip()
               for p in re.findall(r"\(([^)]*)\)", text)]  # fmt: skip
    bare = re.sub(r"\([^)]*\)", "", text)
    names = [n.strip() for n in re.split(r",|\s+en\s+", bare) if n.strip()]
    if not names:
        return None, None
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
    party = ", ".join(dict.fromkeys(p for p in parties if p)) or None
    return who, party


def is_postponement(raw: str) -> bool:
    """A notice that the answer is postponed ("Uitstel beantwoording …")."""
    return POSTPONE_RE.search(raw[:4000]) is not None


def is_question_letter(raw: str) -> bool:
    """The questions as submitted: a "Vragen van het lid …" introduction, no answers."""
    return _intro(raw) is not None


def _intro(raw: str) -> re.Match[str] | None:
    return INTRO_RE.search(raw, 0, _HEAD_CHARS) or INTRO_PARA_RE.search(raw, 0, _HEAD_CHARS)


def finish(doc: Document, raw: str) -> None:
    """Fit the title to the kind the parser found, and fill what only that kind carries."""
    derived = doc.title.startswith(_ANSWERS_PREFIX)
    if doc.kind == QUESTIONS and doc.title.startswith("Antwoorden Kamervragen"):
        doc.title = doc.title[len("Antwoorden "):]  # "Kamervragen over …", "Kamervragen: …"
    if doc.kind == POSTPONEMENT:
        if not doc.questioner:
            who = POSTPONE_WHO_RE.search(raw)
            if who:
                doc.questioner, doc.party = members(who.group("members"))
        if not derived and doc.title == stem_title(doc.source):
            doc.title = "Uitstel beantwoording Kamervragen" + (
                f" van {doc.questioner}" if doc.questioner else "")
    if doc.kind != ANSWERS and doc.date and not ANSWER_BY_RE.search(raw, 0, _HEAD_CHARS) \
            and not _field(raw[:6000], "Datum"):  # fmt: skip
        doc.date = None


def stem_title(source: str) -> str:
    """The file name as a title: what a letter that states no subject falls back to."""
    name = Path(source).name
    while Path(name).suffix.lower() in (".txt", ".pdf", ".docx"):
        name = Path(name).stem
    return name.replace("_", " ").strip()
