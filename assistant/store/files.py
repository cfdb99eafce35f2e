"""Reading letter files into parsed letters, each failure reported by name.

What `assistant index`, `add`, the upload and a rebuild share: read a file (the ingest
limits apply), parse it, and say in one line per file what went wrong.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import ANSWERS, POSTPONEMENT, QUESTIONS, ParsedLetter
from ..ingest.corpus import CorpusError, iter_sources
from ..ingest.parse import ParseError, parse_pages

KIND_NAMES = {
    ANSWERS: "answers",
    QUESTIONS: "questions (the questions only, no answers yet)",
    POSTPONEMENT: "postponement (notice that the answer is postponed)",
}


@dataclass
class Report:
    documents: int = 0
    passages: int = 0
    embedded_documents: int = 0  # letters with passages embedded this time
    removed: int = 0  # letters removed because their file left the corpus
    reused: bool = False  # nothing changed
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)  # "file: reason" lines
    not_answers: list[str] = field(default_factory=list)  # "file: kind" lines
    kept: list[str] = field(default_factory=list)  # corpus files superseded by added letters
    warnings: list[str] = field(default_factory=list)  # e.g. "x.txt: not UTF-8; read as …"


Parsed = list[tuple[Path, ParsedLetter]]


def parse_files(files: list[Path], report: Report,
                failures: dict[str, str] | None = None) -> Parsed:  # fmt: skip
    """Parse files; each one that fails is reported by name and the rest go on.

    failures, when given, records per file name why it failed: "unreadable" (the file
    cannot be read) or "not-a-letter" (read, but not a letter the assistant knows).
    """
    letters = []
    for source in iter_sources(files):
        if isinstance(source, CorpusError):
            report.skipped.append(str(source))
            if failures is not None:
                failures[str(source).split(":", 1)[0]] = "unreadable"
            continue
        if source.warning:
            report.warnings.append(source.warning)
        try:
            letter = parse_pages(source.pages, source.path.name, source.sha,
                                 deadline=source.deadline)  # fmt: skip
        except ParseError as exc:
            report.skipped.append(str(exc))
            if failures is not None:
                failures[source.path.name] = "not-a-letter"
            continue
        report.warnings.extend(letter.warnings)
        if letter.document.kind != ANSWERS:
            report.not_answers.append(f"{source.path.name}: {KIND_NAMES[letter.document.kind]}")
        letters.append((source.path, letter))
    return letters


def reparse(original: tuple[str, bytes]) -> ParsedLetter | None:
    name, data = original
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        parsed = parse_files([path], Report())
    return parsed[0][1] if parsed else None


