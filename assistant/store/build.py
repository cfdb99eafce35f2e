"""Keeping an index in step with a corpus folder: parse, embed what is new, save.

`sync` is what `assistant index` and every command that needs an index call: it reuses
the saved index when the corpus and model are unchanged, embeds only new or changed
documents otherwise, and reports every file it could not index by name.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import ANSWERS, POSTPONEMENT, QUESTIONS, ParsedLetter
from ..ingest.corpus import CorpusError, fingerprint, iter_sources, list_files
from ..ingest.parse import ParseError, parse_pages
from .embed import DEFAULT_MODEL, Embedder
from .index import Index, IndexFolderError
from .units import UNITS_VERSION

KIND_NAMES = {
    ANSWERS: "answers",
    QUESTIONS: "questions (the questions only, no answers yet)",
    POSTPONEMENT: "postponement (notice that the answer is postponed)",
}


@dataclass
class Report:
    documents: int = 0
    passages: int = 0
    embedded_documents: int = 0  # documents that needed new vectors this time
    reused: bool = False  # the saved index was used as it was
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)  # "file: reason" lines
    not_answers: list[str] = field(default_factory=list)  # "file: kind" lines


def parse_files(files: list[Path], report: Report) -> list[ParsedLetter]:
    """Parse files; each one that fails is reported by name and the rest go on."""
    letters = []
    for source in iter_sources(files):
        if isinstance(source, CorpusError):
            report.skipped.append(str(source))
            continue
        try:
            letter = parse_pages(source.pages, source.path.name, source.sha)
        except ParseError as exc:
            report.skipped.append(str(exc))
            continue
        except Exception as exc:  # a parser bug on one odd file must not stop the corpus
            report.skipped.append(f"{source.path.name}: could not be parsed "
                                  f"({type(exc).__name__}: {exc})")  # fmt: skip
            continue
        if letter.document.kind != ANSWERS:
            report.not_answers.append(f"{source.path.name}: {KIND_NAMES[letter.document.kind]}")
        letters.append(letter)
    return letters


def sync(corpus: Path, folder: Path, model: str = DEFAULT_MODEL, *,
         embedder: Embedder | None = None, force: bool = False,
         progress: Callable[[int, int], None] | None = None) -> tuple[Index, Report]:  # fmt: skip
    """Bring the index in `folder` in step with `corpus`, saving it when it changed.

    progress(done, total) is called with passage counts while embedding.
    Raises CorpusError when the corpus is missing or holds no letter to index.
    """
    started = time.perf_counter()
    report = Report()
    files = list_files(corpus)
    if not files:
        raise CorpusError(f"no .txt, .pdf or .docx letters in {corpus}; add some and retry")
    corpus_print = fingerprint(files, corpus)
    old: Index | None = None
    try:
        old = Index.load(folder)
    except IndexFolderError:
        old = None
    if old and not force and old.manifest.model == model and \
            old.manifest.units_version == UNITS_VERSION and \
            old.manifest.corpus_fingerprint == corpus_print:  # fmt: skip
        report.reused = True
        report.documents, report.passages = old.manifest.documents, old.manifest.passages
        report.seconds = time.perf_counter() - started
        return old, report

    letters = parse_files(files, report)
    if not any(letter.document.kind == ANSWERS for letter in letters):
        reasons = "; ".join(report.skipped) or "only question letters or notices"
        raise CorpusError(f"no answer letter could be indexed from {corpus} ({reasons})")
    embedder = embedder or Embedder(model)
    index = Index(model, embedder.dim)
    reusable = old is not None and old.manifest.model == model and \
        old.manifest.units_version == UNITS_VERSION and not force  # fmt: skip
    if reusable:
        assert old is not None
        wanted = {letter.document.doc_id for letter in letters}
        for doc_id, entry in old.entries.items():  # vectors of unchanged letters carry over
            if doc_id in wanted or entry.origin == "added":
                index.entries[doc_id] = entry
    total = sum(len(letter.passages) for letter in letters)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    added = index.add(letters, embedder, progress=tick)
    report.embedded_documents = _embedded(index, added)
    index.manifest.corpus = str(corpus.resolve())
    index.manifest.corpus_fingerprint = corpus_print
    index.save(folder)
    report.documents, report.passages = index.manifest.documents, index.manifest.passages
    report.seconds = time.perf_counter() - started
    return index, report


def add_files(files: list[Path], folder: Path, embedder: Embedder | None = None
              ) -> tuple[Index, Report, list[str]]:  # fmt: skip
    """Add letters to a saved index without re-embedding the others."""
    started = time.perf_counter()
    index = Index.load(folder)
    report = Report()
    missing = [f for f in files if not f.is_file()]
    report.skipped.extend(f"{f}: no such file" for f in missing)
    letters = parse_files([f for f in files if f.is_file()], report)
    embedder = embedder or Embedder(index.manifest.model)
    added = index.add(letters, embedder, origin="added")
    if added:
        index.save(folder)
    report.embedded_documents = _embedded(index, added)
    report.documents, report.passages = index.manifest.documents, index.manifest.passages
    report.seconds = time.perf_counter() - started
    return index, report, added


def _embedded(index: Index, added: list[str]) -> int:
    """Added documents that got vectors (question letters and notices have none)."""
    return sum(1 for doc_id in added if len(index.entries[doc_id].units))
