"""Which sentences of an answer to show in bold: the one to three that best match.

The index already holds a vector per two-sentence window of each longer answer, so the
best window found during the search says where the answer meets the question; no extra
embedding at query time. A neighbouring window that scores almost as well adds its first
sentence (three sentences at most).
"""

from __future__ import annotations

from ..ingest.text import sentences

MAX_SENTENCES = 3
NEAR = 0.01  # cosine gap under which a neighbouring window counts as matching too


def highlight_spans(answer: str, windows: list[tuple[int, int, float]]) -> list[tuple[int, int]]:
    """Sentence spans (start, end) into answer to highlight, in text order.

    windows: (start, end, cosine) of the answer's window units; none for answers of at
    most two sentences, which are highlighted whole.
    """
    spans = sentences(answer)
    if not spans:
        return []
    if not windows:
        return spans[:MAX_SENTENCES]
    ordered = sorted(windows)
    b = max(range(len(ordered)), key=lambda i: ordered[i][2])
    best_start, best_end, best = ordered[b]
    chosen = [s for s in spans if s[0] >= best_start and s[1] <= best_end]
    # Of the two neighbouring windows, the better one adds the sentence touching the best
    # window when it scores almost as well.
    neighbours = [i for i in (b - 1, b + 1) if 0 <= i < len(ordered)]
    if neighbours:
        n = max(neighbours, key=lambda i: ordered[i][2])
        start, end, score = ordered[n]
        if best - score <= NEAR:
            inside = [s for s in spans if s[0] >= start and s[1] <= end]
            chosen = sorted(set(chosen + (inside[-1:] if n < b else inside[:1])))
    return chosen[:MAX_SENTENCES] or spans[:1]
