"""Small text helpers shared by the parser and the search: dates, numbers, clean-up."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}  # fmt: skip
MONTH_NAMES = {v: k for k, v in MONTHS.items()}

DUTCH_DATE = re.compile(
    r"\b(\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE
)


def parse_dutch_date(text: str) -> str | None:
    """First Dutch date in text as ISO "YYYY-MM-DD" ("18 maart 2024" → "2024-03-18")."""
    match = DUTCH_DATE.search(text)
    if not match:
        return None
    day, month, year = match.groups()
    return f"{int(year):04d}-{MONTHS[month.lower()]:02d}-{int(day):02d}"


# The range of dates a letter can carry: written Kamervragen are of the 20th century and
# later, so 1800 leaves room for any real letter, and none is dated more than a year ahead
# (a typo such as "2205" for "2025" is). Outside it a date is a typo or a hostile file
# ("1 januari 9999" overflowed the store's day numbers and stopped indexing): it is read as
# no date, with a warning, rather than shown, filtered on or stored.
EARLIEST_DATE = dt.date(1800, 1, 1)
FUTURE_DAYS = 366


def date_problem(iso: str | None, today: dt.date | None = None) -> str | None:
    """Why an ISO date can be no letter's date ("is no calendar date", "is before 1800",
    "is more than a year ahead"), or None when it can (or there is none)."""
    if not iso:
        return None
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return "is no calendar date"
    if day < EARLIEST_DATE:
        return f"is before {EARLIEST_DATE.year}"
    if day > (today or dt.date.today()) + dt.timedelta(days=FUTURE_DAYS):
        return "is more than a year ahead"
    return None


def sane_date(iso: str | None) -> str | None:
    """The ISO date when a letter can carry it, else None (see date_problem)."""
    return iso if iso and date_problem(iso) is None else None


def date_parts(iso: str | None) -> tuple[int, int, int] | None:
    """(year, month, day) of an ISO date; None for none or anything malformed."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", (iso or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 1 <= int(match[3]) <= 31:
        return None
    return int(match[1]), int(match[2]), int(match[3])


def dutch_date(iso: str | None) -> str:
    """ISO date back to Dutch words, for citations ("2024-03-18" → "18 maart 2024"); a
    malformed date is shown as it is."""
    if not iso:
        return "ongedateerd"
    parts = date_parts(iso)
    if parts is None:
        return iso
    year, month, day = parts
    return f"{day} {MONTH_NAMES[month]} {year}"


_NUMBER_LIST = re.compile(r"(\d+)\s*(?:t/m|tot en met|-|–)\s*(\d+)|(\d+)")


def parse_numbers(text: str) -> list[int]:
    """Question numbers in "12 en 13", "1,2,3,4 en 5" or "3 t/m 5", in order, unique."""
    numbers: dict[int, None] = {}  # an ordered set: "1, 2, …, 40000" stays linear
    for start, end, single in _NUMBER_LIST.findall(text):
        if single:
            values = [int(single)]
        else:
            lo, hi = int(start), int(end)
            values = list(range(lo, hi + 1)) if 0 <= hi - lo <= 50 else [lo, hi]
        numbers.update(dict.fromkeys(values))
    return list(numbers)


def squash(text: str) -> str:
    """Collapse runs of spaces and trim each line; drop empty lines."""
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def join_lines(lines: list[str]) -> str:
    """Join extracted lines into paragraphs.

    Blank lines are unreliable in extracted text (some extractors put one after every
    line), so a paragraph ends where a line ends a sentence and is clearly shorter than
    the longest line of the block (a ragged right edge). A break after "-" is joined
    without a space: Dutch compounds keep their hyphen ("rechter-commissaris").
    """
    rows = [ln.strip() for ln in lines if ln.strip()]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    paragraphs: list[list[str]] = [[rows[0]]]  # parts joined once at the end: linear time
    for prev, row in zip(rows, rows[1:]):
        if prev[-1:] in ".?!:" and len(prev) < 0.75 * width:
            paragraphs.append([row])
        elif prev.endswith("-") and row[:1].islower():
            paragraphs[-1].append(row)
        else:
            paragraphs[-1].extend((" ", row))
    return "\n".join(re.sub(r"\s+", " ", "".join(p)) for p in paragraphs)


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in text (split after . ? ! ; before a capital)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"(?<=[.?!;])\s+(?=[\"'‘“(]?[A-Z0-9À-Þ])|\n+", text):
        end = match.start()
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = match.end()
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Terminal escape sequences (ECMA-48): CSI "ESC [ … final" (colours, cursor moves), OSC
# "ESC ] … BEL or ESC \" (window title, hyperlinks, clipboard), DCS/SOS/PM/APC strings up
# to ST, two-byte escapes ("ESC c" resets the terminal), and their 8-bit C1 forms. An
# unterminated string sequence is not matched: its ESC goes with the controls below and
# the rest stays visible as plain text.
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[PX^_][^\x1b]*\x1b\\"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c|\x1b\\)"
)
# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and
# isolates that make a terminal show text in another order than it is stored.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: escape sequences and control characters removed,
    newlines and tabs kept ("\\x1b]0;title\\x07Onderwerp" → "Onderwerp")."""
    return _CONTROL.sub("", _ESCAPE.sub("", text))


# Code points U+D800–U+DFFF alone: a JSON "\\udcff" decodes to one, and so does a byte of a
# command-line argument that is not UTF-8; the model's tokenizer and every encoder refuse them.
SURROGATE = re.compile("[\ud800-\udfff]")


def typed_text(text: str) -> str:
    """What a person typed (a question, a filter), as every part below can take it: lone
    surrogates become "\ufffd", escape sequences and control characters go, tabs and
    newlines stay ("Telegram\udcff\x00?" → "Telegram\ufffd?")."""
    return printable(SURROGATE.sub("\ufffd", text))


_LINE_BREAKS = re.compile(r"\r\n?|[\f\v\x1c-\x1e\x85\u2028\u2029]")


def clean_text(text: str) -> str:
    """Extracted text as the parser wants it: every line break a "\\n", no control
    characters (a NUL could forge the parser's own "\\x00fn" footnote markers)."""
    return printable(_LINE_BREAKS.sub("\n", text))
