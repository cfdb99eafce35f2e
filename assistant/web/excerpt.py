"""Which part of a long answer a card shows: whole sentences around the highlighted ones.

A reader quoting from an excerpt must see where a sentence begins and ends, so an excerpt
starts at a sentence and never cuts a highlighted sentence off.
"""

from __future__ import annotations

from ..ingest.text import sentences

Span = tuple[int, int]


def window(text: str, highlights: list[Span], limit: int, focus: int | None = None) -> Span:
    """(start, end) of text to show: about `limit` characters of whole sentences.

    The window starts at the sentence holding `focus` (default: the first highlight), takes
    one sentence before it for context when that fits, and runs to the end of the last
    highlighted sentence at least; it may grow to twice `limit` to hold the highlights. Only
    a single sentence longer than that is cut, at spaces around the focus.
    """
    if len(text) <= limit:
        return 0, len(text)
    spans = sentences(text)
    if not spans:
        return 0, _cut(text, 0, limit)
    marks = sorted(h for h in highlights if 0 <= h[0] < h[1] <= len(text))
    if focus is None:
        focus = marks[0][0] if marks else 0
    first = _holding(spans, focus)
    last = max(first, _holding(spans, marks[-1][1] - 1)) if marks else first
    while last > first and spans[last][1] - spans[first][0] > 2 * limit:
        last -= 1  # highlights too far apart: keep the first ones
    if spans[first][1] - spans[first][0] > 2 * limit:  # one endless sentence: cut around
        start = max(spans[first][0], focus - limit // 5)
        space = text.find(" ", start, focus)
        start = space + 1 if start > spans[first][0] and space >= 0 else start
        need = min(marks[-1][1], start + 2 * limit) if marks else 0
        return start, _cut(text, start, max(start + limit, need))
    if spans[last][1] - spans[0][0] <= limit:
        first = 0  # the highlights are near the start: show the answer from its beginning
    elif first > 0 and spans[last][1] - spans[first - 1][0] <= limit:
        first -= 1  # one sentence of context before the highlights
    while last + 1 < len(spans) and spans[last + 1][1] - spans[first][0] <= limit:
        last += 1
    start = 0 if first == 0 else spans[first][0]
    end = len(text) if last == len(spans) - 1 else spans[last][1]
    return start, end


def _holding(spans: list[Span], offset: int) -> int:
    """Index of the sentence that holds offset (or the last one starting before it)."""
    index = 0
    for i, (start, _) in enumerate(spans):
        if start <= offset:
            index = i
    return index


def _cut(text: str, start: int, end: int) -> int:
    """end moved back to a space, so no word is cut."""
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", start, end)
    return space if space > start else end
