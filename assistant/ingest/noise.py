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
# Header words that may repeat on only two pages and still be furniture.
_HEADER_WORDS = re.compile(r"^(?:datum|ons kenmerk|uw kenmerk|pagina|kenmerk|onze referentie)\b",
                           re.I)  # fmt: skip


def clean_pages(pages: list[str]) -> CleanPages:
    """Remove repeated lines and page numbers; move footnotes out of the text."""
    repeated = _repeated_lines(pages)
    footnotes: dict[int, str] = {}
    cleaned: list[str] = []
    next_note = 1
    question_seq = 0
    for index, page in enumerate(pages):
        raw_lines = page.splitlines()
        lines = []
        for i, ln in enumerate(raw_lines):
            if _norm(ln) in repeated or _FURNITURE.match(ln):
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


def _repeated_lines(pages: list[str]) -> set[str]:
    """Lines (digits ignored) that stand on at least 3 pages and most of them: headers."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_norm(ln) for ln in page.splitlines()
                       if len(_norm(ln)) > 12 and not _MARKER.match(ln)})
    need = max(3, len(pages) // 2)
    return {line for line, n in counts.items()
            if n >= need or (n >= 2 and _HEADER_WORDS.match(line))}  # fmt: skip


def _cut_footnotes(lines: list[str], expected: int, context: str
                   ) -> tuple[list[str], dict[int, str]]:  # fmt: skip
    """Split a page into body lines and its footnotes (numbered from about `expected`).

    A note may be missed on an earlier page, so numbers a little above `expected` start a
    block too; the block must be referenced in the text and end the page (no question or
    answer marker after it): a wrapped reference ("…artikel?\n1 Herkent u") is no note.
    """
    candidates: list[tuple[int, int]] = []  # (line index, note number)
    for i, line in enumerate(lines):
        match = re.match(r"^\s*(\d{1,2})(?:(?!\d)\s?(?=[A-Z\[(“‘'\"«]|https?:|www\.)"
                         r"|(?=(?:19|20)\d\d\b))", line)  # "22023 Annual report": note 2
        if i == 0 or not match or not expected <= int(match.group(1)) <= expected + 4:
            continue
        if _is_referenced(int(match.group(1)), context) and \
                not any(_MARKER_LINE.match(rest) for rest in lines[i + 1:]):  # fmt: skip
            candidates.append((i, int(match.group(1))))
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


def _ref_pattern(number: int) -> str:
    return rf"(?<=[A-Za-zà-ÿ.,;:)’'”?»]){number}(?!\d)(?=[\s.,;:)]|$)"


def _line_start_ref(number: int) -> str:
    """A reference the extractor moved to a line start: "website\n1, is onder meer",
    a lone "1" line, or "…artikel?\n1 Herkent u"."""
    # Not "\n1 januari": a number before a lowercase word is text.
    return (rf"(?:(?<=\n){number}(?=[,.;:]|[ \t]*\n)"
            rf"|(?<=[?.!»”’'\"]\n){number}(?= [A-Z]))")


def _is_referenced(number: int, text: str) -> bool:
    # Looser than the marking below: "\n5 is uitgebreid" or "\n6). Daarin" show a note 5
    # and 6 exist, though such a line start is left in the text ("\n1 januari" is a date).
    return re.search(_ref_pattern(number), text) is not None or \
        re.search(_line_start_ref(number), text) is not None or \
        re.search(rf"(?<=\n){number}(?=\)|[ \t]+[a-z])", text) is not None


def _mark_references(page: str, footnotes: dict[int, str]) -> str:
    for number in footnotes:
        page = re.sub(_ref_pattern(number), f"\x00fn{number}\x00", page)
        page = re.sub(r"\n" + _line_start_ref(number) + r"[ \t]?", f"\x00fn{number}\x00\n",
                      page)  # fmt: skip
    return page
