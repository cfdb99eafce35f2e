"""Page noise: repeated headers and footers, page numbers, and footnotes.

Footnotes sit at the bottom of a page, numbered on from the previous page, and the
text refers to them with a number glued to a word ("onderwerp.1", "Act2"). We cut
each page's footnote block off, keep the notes by number, and leave a marker at the
reference so the parser can attach the note to the passage that cites it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .limits import Deadline


@dataclass
class CleanPages:
    pages: list[str]
    footnotes: dict[int, str] = field(default_factory=dict)


_MARKER = re.compile(r"^\s*(?:vraag|vragen|antwoord)\b", re.I)
_MARKER_LINE = re.compile(
    r"^\s*(?:(?:Vraag|Vragen)\s+\d|\d{1,2}\.\s+[A-Z]|Antwoord(?:en)?\b(?!\s+van))")
_PAGE_NUMBER = re.compile(r"^\s*(?:pagina\s+)?\d{1,3}(?:\s*(?:van|/)\s*\d{1,3})?\s*$", re.I)
# Print furniture that is noise wherever it stands: document ids, ISSN/printer lines and
# page footers of the Aanhangsel and question prints.
_FURNITURE = re.compile(
    r"^\s*(?:(?:ah|kv)-tk-[\w-]+|ISSN\s.*|.*vergaderjaar\s+\d{4}\s*[–-]\s*\d{4},\s*"
    r"(?:Aanhangsel|Vragen)(?:\s+\d+)?)\s*$", re.I)
# Headers and footers stand at a page's edge: only lines among the first and last few of
# a page count as repeated furniture (the real letters' repeated lines are all the first
# or last line), so a body sentence that recurs ("Zie het antwoord op vraag 3.") stays.
_EDGE_LINES = 6
# Header words that may repeat on only two pages and still be furniture.
_HEADER_WORDS = re.compile(r"^(?:datum|ons kenmerk|uw kenmerk|pagina|kenmerk|onze referentie)\b",
                           re.I)  # fmt: skip


def clean_pages(pages: list[str], deadline: Deadline | None = None) -> CleanPages:
    """Remove repeated lines and page numbers; move footnotes out of the text."""
    deadline = deadline or Deadline()
    repeated = _repeated_lines(pages)
    footnotes: dict[int, str] = {}
    cleaned: list[str] = []
    next_note = 1
    question_seq = 0
    for index, page in enumerate(pages):
        deadline.check()
        raw_lines = page.splitlines()
        edge = _edge_indexes(raw_lines)
        lines = []
        for i, ln in enumerate(raw_lines):
            if (i in edge and _norm(ln) in repeated) or _FURNITURE.match(ln):
                continue
            if _PAGE_NUMBER.match(ln):
                # Drafts number questions with a line "1" above the question: such a
                # number, next in sequence and followed by a question, is kept.
                ahead = " ".join(raw_lines[i + 1:i + 4])
                if ln.strip() != str(question_seq + 1) or "?" not in ahead:
                    continue
                question_seq += 1
            lines.append(ln)
        # References are looked for in the raw text: a lone "1" line is one, though it
        # was just dropped as a page number.
        context = (pages[index - 1] if index else "") + "\n" + page
        lines, notes = _cut_footnotes(lines, next_note, context)
        if notes:
            footnotes.update(notes)
            next_note = max(notes) + 1
        cleaned.append("\n".join(lines))
    if footnotes:
        cleaned = [_mark_references(page, footnotes) for page in cleaned]
    return CleanPages(cleaned, footnotes)


def _norm(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line)).strip()


def _edge_indexes(lines: list[str]) -> set[int]:
    """Indexes of the first and last `_EDGE_LINES` non-empty lines of a page."""
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    return set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])


def _repeated_lines(pages: list[str]) -> set[str]:
    """Edge lines (digits ignored) on at least 3 pages and most of them: headers, footers."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        lines = page.splitlines()
        edge = (lines[i] for i in sorted(_edge_indexes(lines)))
        counts.update({_norm(ln) for ln in edge if len(_norm(ln)) > 12 and not _MARKER.match(ln)})
    need = max(3, len(pages) // 2)
    return {line for line, n in counts.items()
            if n >= need or (n >= 2 and _HEADER_WORDS.match(line))}  # fmt: skip


# A footnote's first line: its number, then a capital, a quote, a URL, or a year glued to
# it ("22023 Annual report" is note 2).
_NOTE_START = re.compile(r"^\s*(\d{1,2})(?:(?!\d)\s?(?=[A-Z\[(“‘'\"«]|https?:|www\.)"
                         r"|(?=(?:19|20)\d\d\b))")  # fmt: skip


def _cut_footnotes(lines: list[str], expected: int, context: str
                   ) -> tuple[list[str], dict[int, str]]:  # fmt: skip
    """Split a page into body lines and its footnotes (numbered from about `expected`).

    A note may be missed on an earlier page, so numbers a little above `expected` start a
    block too; the block must be referenced in the text and end the page (no question or
    answer marker after it): a wrapped reference ("…artikel?\n1 Herkent u") is no note.
    """
    candidates: list[tuple[int, int]] = []  # (line index, note number)
    # Notes come after the page's last marker line: found once, so this stays linear.
    last_marker = max((i for i, ln in enumerate(lines) if _MARKER_LINE.match(ln)), default=-1)
    referenced: dict[int, bool] = {}  # by note number: one search of the context each
    for i in range(max(1, last_marker + 1), len(lines)):
        match = _NOTE_START.match(lines[i])
        if not match or not expected <= int(match.group(1)) <= expected + 4:
            continue
        number = int(match.group(1))
        if number not in referenced:
            referenced[number] = _is_referenced(number, context)
        if referenced[number]:
            candidates.append((i, number))
    if not candidates:
        return lines, {}
    # The note numbered as expected wins over a wrapped reference ("2 Hoe wordt …") above it.
    start, first = next(((i, n) for i, n in candidates if n == expected), candidates[0])
    notes: dict[int, list[str]] = {}
    current = first
    for k, line in enumerate(lines[start:]):
        nxt = re.match(rf"^\s*{current + 1}(?:(?!\d)\s?(?=\S)|(?=(?:19|20)\d\d\b))", line)
        if k == 0:
            line = re.sub(rf"^\s*{first}\s?", "", line)
        elif nxt:
            current += 1
            line = line[nxt.end():]
        notes.setdefault(current, []).append(line.strip())
    return lines[:start], {n: re.sub(r"\s+", " ", " ".join(v)).strip() for n, v in notes.items()}


def _ref_pattern(number: int | str) -> str:
    # Not part of a Dutch decimal: in "1,5 graden" and "tot1,5" neither digit is a note
    # reference. ("in 2023.1 Dit" stays one: a note after a year that ends a sentence.)
    return rf"(?<=[A-Za-zà-ÿ.,;:)’'”?»])(?<!\d,){number}(?!\d)(?=[\s;:)]|[.,](?!\d)|$)"


def _line_start_ref(number: int | str) -> str:
    """A reference the extractor moved to a line start: "website\n1, is onder meer",
    a lone "1" line, or "…artikel?\n1 Herkent u"."""
    # Not "\n1 januari": a number before a lowercase word is text.
    return (rf"(?:(?<=\n){number}(?=[,.;:](?!\d)|[ \t]*\n)"
            rf"|(?<=[?.!»”’'\"]\n){number}(?= [A-Z]))")


def _is_referenced(number: int, text: str) -> bool:
    # Looser than the marking below: "\n5 is uitgebreid" or "\n6). Daarin" show a note 5
    # and 6 exist, though such a line start is left in the text ("\n1 januari" is a date).
    return re.search(_ref_pattern(number), text) is not None or \
        re.search(_line_start_ref(number), text) is not None or \
        re.search(rf"(?<=\n){number}(?=\)|[ \t]+[a-z])", text) is not None


_ANY_REF = re.compile(_ref_pattern(r"(\d{1,2})"))
_ANY_LINE_START_REF = re.compile(r"\n" + _line_start_ref(r"(\d{1,2})") + r"[ \t]?")


def _mark_references(page: str, footnotes: dict[int, str]) -> str:
    """Put a marker at each reference to a known note: one pass for all note numbers."""

    def inline(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return f"\x00fn{number}\x00" if number in footnotes else match.group(0)

    def line_start(match: re.Match[str]) -> str:
        number = int(match.group(1) or match.group(2))
        return f"\x00fn{number}\x00\n" if number in footnotes else match.group(0)

    page = _ANY_REF.sub(inline, page)
    return _ANY_LINE_START_REF.sub(line_start, page)
