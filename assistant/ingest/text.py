"""Small text helpers shared by the parser and the search: dates, numbers, clean-up."""

from __future__ import annotations

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


def dutch_date(iso: str | None) -> str:
    """ISO date back to Dutch words, for citations ("2024-03-18" → "18 maart 2024")."""
    if not iso:
        return "ongedateerd"
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{day} {MONTH_NAMES[month]} {year}"


_NUMBER_LIST = re.compile(r"(\d+)\s*(?:t/m|tot en met|-|–)\s*(\d+)|(\d+)")


def parse_numbers(text: str) -> list[int]:
    """Question numbers in "12 en 13", "1,2,3,4 en 5" or "3 t/m 5", in order, unique."""
    numbers: list[int] = []
    for start, end, single in _NUMBER_LIST.findall(text):
        if single:
            values = [int(single)]
        else:
            lo, hi = int(start), int(end)
            values = list(range(lo, hi + 1)) if 0 <= hi - lo <= 50 else [lo, hi]
        numbers.extend(v for v in values if v not in numbers)
    return numbers


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
    paragraphs: list[str] = []
    current = rows[0]
    for prev, row in zip(rows, rows[1:]):
        if prev[-1:] in ".?!:" and len(prev) < 0.75 * width:
            paragraphs.append(current)
            current = row
        elif current.endswith("-") and row[:1].islower():
            current += row
        else:
            current += " " + row
    paragraphs.append(current)
    return "\n".join(re.sub(r"\s+", " ", p) for p in paragraphs)


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
