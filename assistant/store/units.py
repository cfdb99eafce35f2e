"""What gets embedded for a passage: "units" of text, each one vector in the index.

A passage is embedded with its letter's subject and its question as context, so a
question about the topic finds it even when the answer text alone is terse ("Ja.").
An answer longer than the model's window is cut into overlapping pieces of whole
sentences; every piece cites the same passage and remembers its span in the answer.

Besides these "passage" units, every answer gets an "answer" unit (the answer alone, so
a question about what was answered is not dominated by how it was asked), and an answer
of more than two sentences gets "window" units: each two consecutive sentences with the
same context. A question usually matches
one statement of an answer; short windows let that statement score on its own (measured:
hit@1 up on English and Dutch questions, see benchmarks/eval_table.py) and say which
sentences to highlight.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..documents import Document, Passage
from ..ingest.text import sentences

# Bump when the text of units changes, here or in the parser's clean-up (repair.py):
# saved indexes are then rebuilt.
UNITS_VERSION = "6"  # 5: the parser of ingest v2 (limits, glued words, linear scans); 6: parser 3
WINDOW_SENTENCES = 2  # sentences per window unit (non-overlapping)
_MARGIN = 24  # tokens kept free for the "passage: " prefix and special tokens


class TokenCounter(Protocol):
    max_tokens: int

    def token_count(self, text: str) -> int: ...


@dataclass
class Unit:
    passage_id: str
    kind: str  # "passage": subject + question + (a piece of) the answer; "answer": the
    # answer alone; "window": two sentences of the answer with subject + question
    text: str
    start: int  # span of answer_text this unit covers
    end: int


def passage_units(passage: Passage, document: Document, model: TokenCounter) -> list[Unit]:
    """The units to embed for one passage: one, or overlapping pieces of a long answer."""
    context = f"{document.title}\n{passage.question_text}\n"
    answer = passage.answer_text
    whole = Unit(passage.passage_id, "passage", context + answer, 0, len(answer))
    units = _passage_pieces(passage, document, model, whole)
    if answer.strip():
        units.append(Unit(passage.passage_id, "answer", answer, 0, len(answer)))
    return units + window_units(passage, document)


def window_units(passage: Passage, document: Document) -> list[Unit]:
    """Consecutive WINDOW_SENTENCES-sentence windows of the answer, with short context."""
    answer = passage.answer_text
    spans = sentences(answer)
    if len(spans) <= WINDOW_SENTENCES:
        return []  # the passage unit is already this window
    context = f"{document.title}\n{passage.question_text[:300]}\n"
    units = []
    for i in range(0, len(spans), WINDOW_SENTENCES):
        start, end = spans[i][0], spans[min(i + WINDOW_SENTENCES, len(spans)) - 1][1]
        units.append(Unit(passage.passage_id, "window", context + answer[start:end], start, end))
    return units


def _passage_pieces(passage: Passage, document: Document, model: TokenCounter,
                    whole: Unit) -> list[Unit]:  # fmt: skip
    answer = passage.answer_text
    budget = model.max_tokens - _MARGIN
    if model.token_count(whole.text) <= budget:
        return [whole]
    # Long answer: windows of sentences, each with a shortened context, overlapping by
    # one sentence so a statement cut at a window edge still appears whole somewhere.
    context = f"{document.title}\n{passage.question_text[:300]}\n"
    room = max(64, budget - model.token_count(context))
    spans = sentences(answer)
    units: list[Unit] = []
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and model.token_count(
            answer[spans[i][0]:spans[j + 1][1]]
        ) <= room:
            j += 1
        start, end = spans[i][0], spans[j][1]
        units.append(Unit(passage.passage_id, "passage", context + answer[start:end], start, end))
        if j + 1 >= len(spans):
            break
        i = j if j > i else j + 1  # overlap: the next window starts at this one's last sentence
    return units
