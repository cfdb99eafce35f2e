"""The data that flows through the assistant: Document → Passage → Hit.

A `Document` is one letter (its metadata), a `Passage` is one answer unit inside it
(the question number(s) it answers, the question(s) as asked, the answer), and a `Hit`
is a passage returned for a question, with its score and the offsets to highlight.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Kinds of document the parser recognises; only "answers" are indexed as passages.
ANSWERS = "answers"
QUESTIONS = "questions"
POSTPONEMENT = "postponement"


@dataclass
class Document:
    """Metadata of one letter. Fields the letter does not carry are None, never guessed."""

    doc_id: str  # short content hash: identifies the exact file content
    title: str
    source: str  # file name inside the corpus
    kind: str = ANSWERS
    date: str | None = None  # ISO date of the answer (YYYY-MM-DD)
    ons_kenmerk: str | None = None
    uw_kenmerk: str | None = None  # usually the Tweede Kamer zaak number, e.g. 2024Z02257
    aanhangsel: str | None = None  # e.g. "ah-tk-20242025-594" or "AH 594"
    questioner: str | None = None
    party: str | None = None
    minister: str | None = None
    ministry: str | None = None
    pages: int | None = None

    @property
    def key(self) -> str:
        """Human-readable reference used in passage ids: a kenmerk when there is one."""
        return self.ons_kenmerk or self.uw_kenmerk or self.aanhangsel or self.doc_id

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class Passage:
    """One answer unit: a combined answer carries every question number it answers."""

    passage_id: str
    doc_id: str
    questions: list[int]
    question_text: str
    answer_text: str
    page: int | None = None
    footnotes: list[str] = field(default_factory=list)
    # Question numbers whose answer this one refers to ("Zie het antwoord op vraag 7").
    refers_to: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class ParsedLetter:
    """What the parser made of one file: the document and its passages."""

    document: Document
    passages: list[Passage]
    questions_numbered: list[int] = field(default_factory=list)
    # What the parser left out and the user should know ("x.pdf: the date 1 januari 9999
    # is more than a year ahead; …"): reported per file, the letter is indexed all the same.
    warnings: list[str] = field(default_factory=list)
    # The letter states no subject: its title was made from its first question or its
    # file name, and an official title (open data) is better.
    derived_title: bool = False


@dataclass
class Hit:
    """A passage returned for a question."""

    passage: Passage
    document: Document
    score: float
    rank: int = 0
    how: str = "semantic"  # "lookup" for exact reference matches, else "semantic"
    highlights: list[tuple[int, int]] = field(default_factory=list)
    piece: tuple[int, int] | None = None  # span of answer_text that matched, for long answers
    # Answers this one refers to ("Zie het antwoord op vraag 7"), shown with it.
    see_also: list[Passage] = field(default_factory=list)
