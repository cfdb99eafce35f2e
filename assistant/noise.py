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
_PAGE_NUMBER = re.compile(r"^\s*(?:pagina\s+)?\d{1,3}(?:\s*(?:van|/)\s*\d{1,3})?\s*$", re.I)


def clean_pages(pages: list[str]) -> CleanPages:
    """Remove repeated lines and page numbers; move footnotes out of the text."""
    repeated = _repeated_lines(pages)
    footnotes: dict[int, str] = {}
    cleaned: list[str] = []
    next_note = 1
    for index, page in enumerate(pages):
        lines = [ln for ln in page.splitlines()
                 if _norm(ln) not in repeated and not _PAGE_NUMBER.match(ln)]  # fmt: skip
        context = "\n".join(lines) if index == 0 else pages[index - 1] + "\n".join(lines)
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
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_norm(ln) for ln in page.splitlines()
                       if len(_norm(ln)) > 12 and not _MARKER.match(ln)})
    need = max(3, len(pages) // 2)
    return {line for line, n in counts.items() if n >= need}


def _cut_footnotes(lines: list[str], expected: int, context: str
                   ) -> tuple[list[str], dict[int, str]]:  # fmt: skip
    """Split a page into body lines and its footnotes (numbered from `expected`)."""
    start = None
    for i, line in enumerate(lines):
        if i == 0:
            continue
        match = re.match(rf"^\s*{expected}(?!\d)\s?(?=[A-Z\[(“‘'\"])", line)
        if match and _is_referenced(expected, context):
            start = i
            break
    if start is None:
        return lines, {}
    notes: dict[int, list[str]] = {}
    current = expected
    for line in lines[start:]:
        nxt = re.match(rf"^\s*{current + 1}(?!\d)\s?(?=\S)", line)
        if nxt:
            current += 1
            line = line[nxt.end():]
        elif current == expected and not notes:
            line = line[re.match(rf"^\s*{expected}\s?", line).end():]  # type: ignore[union-attr]
        notes.setdefault(current, []).append(line.strip())
    return lines[:start], {n: re.sub(r"\s+", " ", " ".join(v)).strip() for n, v in notes.items()}


def _ref_pattern(number: int) -> str:
    return rf"(?<=[A-Za-zà-ÿ.,;:)’'”]){number}(?!\d)(?=[\s.,;:)]|$)"


def _is_referenced(number: int, text: str) -> bool:
    return re.search(_ref_pattern(number), text) is not None


def _mark_references(page: str, footnotes: dict[int, str]) -> str:
    for number in footnotes:
        page = re.sub(_ref_pattern(number), f"\x00fn{number}\x00", page)
    return page
