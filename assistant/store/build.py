"""Keeping a store in step with a corpus folder, and adding or removing letters.

`sync` is what `assistant index` runs: it compares the corpus folder with the store and
changes only the letters involved (new, changed or vanished files), each letter in one
transaction. Letters the user added or imported are never removed by a sync, and a corpus
file that is the same letter as one the user added is left out. `add_files` and `remove`
are `assistant add` and `assistant remove`; rebuild.py makes an index anew.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..documents import ANSWERS, ParsedLetter
from ..ingest.corpus import CorpusError, file_hash, list_files, name_problem
from ..ingest.text import SURROGATE
from . import is_url, open_store
from .base import (
    ADDED,
    CORPUS,
    ConflictError,
    DamagedError,
    DocumentRow,
    Store,
    StoreConfig,
    StoreError,
)
from .embed import DEFAULT_MODEL, Embedder
from .failpoints import reached
from .files import KIND_NAMES, Report, parse_files
from .rebuild import (
    Progress,
    carry_over,
    migrate_old_format,
    old_format,
    rebuild_damaged,
    refresh_units,
    switch_model,
)
from .records import LetterTooLargeError, letter_record
from .units import UNITS_VERSION

MIN_PREFIX = 6  # characters of a doc id that name it (Store.find_documents)

__all__ = ["KIND_NAMES", "Outcome", "Report", "add_files", "check_model", "open_or_create",
           "parse_files", "resolve_refs", "sync"]


def open_or_create(location: str | Path, model: str,
                   embedder: Embedder | None = None) -> tuple[Store, Embedder | None]:  # fmt: skip
    """The store at location, created empty (with the model's dimension) when missing, or
    beside the JSON files of an index of the old format (its added letters are carried over
    by `sync`)."""
    try:
        return open_store(location), embedder
    except StoreError:
        if _exists(location) and not old_format(location):
            raise  # damaged or of another format: reported, never silently replaced
    embedder = embedder or Embedder(model)
    return open_store(location, StoreConfig(model, embedder.dim, UNITS_VERSION)), embedder


def _exists(location: str | Path) -> bool:
    if is_url(location):  # an empty database gets an index; any other is reported
        from .postgres import has_index

        return has_index(str(location))
    path = Path(str(location))
    return path.exists() and (not path.is_dir() or any(path.iterdir()))


def check_model(store: Store, model: str | None) -> None:
    if model and model != store.config.model:
        raise StoreError(f"the index in {store.location} was built with model "
                         f"{store.config.model!r}, not {model!r}; embed it anew with that "
                         f"model with: assistant index --force --model {model} (letters you "
                         "added are kept), or pass another --index")  # fmt: skip


def sync(corpus: Path, location: str | Path, model: str = DEFAULT_MODEL, *,
         embedder: Embedder | None = None, force: bool = False,
         progress: Progress | None = None) -> tuple[Store, Report]:  # fmt: skip
    """Bring the store at `location` in step with the corpus folder.

    force re-embeds every corpus letter. Raises CorpusError when the corpus is missing or
    holds no letter to index, StoreError when the store cannot be used.
    """
    started = time.perf_counter()
    report = Report()
    files = list_files(corpus, report.skipped)
    if not files:
        left_out = f" ({'; '.join(report.skipped)})" if report.skipped else ""
        raise CorpusError(f"no .txt, .pdf or .docx letters in {corpus}{left_out}; add some and "
                          "retry")  # fmt: skip
    try:
        store, embedder = open_or_create(location, model, embedder)
        if force and store.check():  # damage SQLite does not notice on opening
            store.close()
            raise DamagedError(f"the index in {location} is damaged")
    except DamagedError:
        if not force:
            raise
        store, embedder = rebuild_damaged(location, model, embedder, report)
    if store.config.model != model and force and not is_url(location):
        store, embedder = switch_model(store, Path(location), model, embedder, report)
    try:
        check_model(store, model)
        if not is_url(location):
            embedder = migrate_old_format(store, Path(location), embedder, report)
            embedder = carry_over(store, embedder, report)
        stale = store.config.units_version != UNITS_VERSION
        force = force or stale  # the units or the parser changed: every letter anew
        root = corpus.resolve()
        indexed = {row.path: row for row in store.documents(origin=CORPUS) if row.path}
        todo = [f for f in files if force or _changed(f, root, indexed)]
        paths = {_relative(f, root) for f in files}
        gone = [row.document.doc_id for path, row in indexed.items() if path not in paths]
        if gone:
            report.removed = len(store.write(remove=gone, meta={"corpus": str(root)}).removed)
        letters = parse_files(todo, report)
        if not letters and not indexed and not store.counts()[0]:
            reasons = "; ".join(report.skipped) or "only question letters or notices"
            raise CorpusError(f"no answer letter could be indexed from {corpus} ({reasons})")
        total = sum(len(letter.passages) for _, letter in letters)
        done = 0
        for path, letter in letters:
            if _superseded(store, letter, report):
                continue
            embedder = embedder or Embedder(store.config.model)
            stat = path.stat()
            old = indexed.get(_relative(path, root))
            try:
                rec = letter_record(letter, embedder, CORPUS, path=_relative(path, root),
                                    size=stat.st_size, mtime_ns=stat.st_mtime_ns)  # fmt: skip
            except LetterTooLargeError as exc:  # one letter, reported; the rest go on
                report.skipped.append(str(exc))
                continue
            remove = [old.document.doc_id] if old and old.document.doc_id != \
                letter.document.doc_id else []  # fmt: skip
            if force and old and not remove:  # same content, embedded again
                remove = [old.document.doc_id]
            written = store.write([rec], remove=remove, meta={"corpus": str(root)})
            report.embedded_documents += bool(written.added and letter.passages)
            reached("build:letter")
            done += len(letter.passages)
            if progress:
                progress(done, total)
        if stale:
            refresh_units(store, embedder, progress)
        report.reused = not letters and not gone
        report.documents, report.passages, _ = store.counts()
        store.compact(force)
        report.warnings += store.take_warnings()
    except BaseException:
        store.close()
        raise
    report.seconds = time.perf_counter() - started
    return store, report


def _relative(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root).as_posix()


def _changed(path: Path, root: Path, indexed: dict[str, DocumentRow]) -> bool:
    """New or changed since it was indexed: size and time first, the content hash if needed."""
    row = indexed.get(_relative(path, root))
    if row is None:
        return True
    try:
        stat = path.stat()
    except OSError:
        return True  # reported as unreadable when parsed
    if (row.size, row.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
        return False
    try:
        return file_hash(path)[:12] != row.document.doc_id
    except OSError:
        return True


def _superseded(store: Store, letter: ParsedLetter, report: Report) -> bool:
    """A corpus file that is the same letter as one the user added or imported is kept out."""
    for row in store.same_letters(letter.document):
        if row.origin != CORPUS:
            report.kept.append(f"{letter.document.source}: the index keeps "
                               f"{row.document.source} ({row.origin}) for this letter")
            return True
    return False


@dataclass
class Outcome:
    """What `add` did with one file."""

    file: str
    status: str  # added | replaced | unchanged | conflict | not-answers | not-a-letter |
    # unreadable | too-large
    message: str
    doc_id: str | None = None
    passages: int = 0


def add_files(files: list[Path], store: Store,
              embedder: Embedder | Callable[[], Embedder] | None = None,
              replace: bool = False, origin: str = ADDED) -> list[Outcome]:  # fmt: skip
    """Add letters (each in its own transaction); one Outcome per file, in order.

    embedder: the model, or a function that gives it (called only when a letter is to be
    embedded). A letter indexed already, or (without `replace`) the same letter as an
    indexed one, is found before it is embedded, as such a letter is never written:
    `assistant add` of a 17-question letter indexed already took 21 s, now 0.6 s (the
    command's start), measured on 2 busy cores.
    """
    model: Embedder | None = None
    outcomes: list[Outcome] = []
    for path in files:
        report = Report()
        if path.is_dir():
            outcomes.append(Outcome(str(path), "unreadable", f"{path} is a folder; add takes "
                                    "letter files (.pdf, .docx, .txt), e.g. "
                                    f"assistant add {path}/*.pdf"))  # fmt: skip
            continue
        if not path.is_file():
            outcomes.append(Outcome(str(path), "unreadable", f"{path}: no such file"))
            continue
        problem = name_problem(path.name)
        if problem:  # a name no database takes: said, and the other files go on
            outcomes.append(Outcome(problem.split(":")[0], "unreadable", problem))
            continue
        failures: dict[str, str] = {}
        parsed = parse_files([path], report, failures)
        if not parsed:
            status = failures.get(path.name, "unreadable")
            outcomes.append(Outcome(path.name, status, report.skipped[0]))
            continue
        _, letter = parsed[0]
        warning = f" (warning: {report.warnings[0]})" if report.warnings else ""
        known = _known_outcome(store, letter, path, replace, warning)
        if known:
            outcomes.append(known)
            continue
        if model is None:
            model = embedder() if callable(embedder) else embedder
            model = model or Embedder(store.config.model)
        try:
            rec = letter_record(letter, model, origin,
                                original=(path.name, path.read_bytes()),
                                conflict="replace" if replace else "refuse")  # fmt: skip
        except LetterTooLargeError as exc:
            outcomes.append(Outcome(path.name, "too-large", str(exc)))
            continue
        try:  # checked again in the write: another process may have added it meanwhile
            written = store.write([rec])
        except ConflictError as exc:
            outcomes.append(_conflict(path, exc.existing, warning))
            continue
        doc = letter.document
        kind = KIND_NAMES[doc.kind].split(" (")[0]
        if written.unchanged:
            outcomes.append(_unchanged(path, doc.doc_id))
        elif written.replaced:
            old_ids = ", ".join(old for old, _ in written.replaced)
            outcomes.append(Outcome(path.name, "replaced", (
                f"replaced {old_ids} by {path.name} ({kind}, {len(letter.passages)} passages, "
                f"id {doc.doc_id}){warning}"), doc.doc_id, len(letter.passages)))  # fmt: skip
        else:
            status = "added" if doc.kind == ANSWERS else "not-answers"
            outcomes.append(Outcome(path.name, status, (
                f"added {path.name} ({kind}, {len(letter.passages)} passages, id {doc.doc_id})"
                f"{warning}"), doc.doc_id, len(letter.passages)))  # fmt: skip
    store.compact()
    return outcomes


def _known_outcome(store: Store, letter: ParsedLetter, path: Path, replace: bool,
                   warning: str) -> Outcome | None:  # fmt: skip
    """What `write` would say without changing anything, asked before embedding: the same
    content is indexed already (same doc id), or the same letter is (same kind and a shared
    kenmerk, zaak or Aanhangsel) and `replace` was not asked."""
    doc = letter.document
    if store.document(doc.doc_id) is not None:
        return _unchanged(path, doc.doc_id)
    if not replace:
        same = store.same_letters(doc)
        if same:
            return _conflict(path, same[0], warning)
    return None


def _unchanged(path: Path, doc_id: str) -> Outcome:
    return Outcome(path.name, "unchanged", f"{path.name}: indexed already (id {doc_id})", doc_id)


def _conflict(path: Path, existing: DocumentRow, warning: str) -> Outcome:
    old = existing.document
    return Outcome(path.name, "conflict", (
        f"{path.name} is the same letter as the indexed {old.source} ({old.key}); "
        f"nothing was changed. To replace it, run: assistant add --replace "
        f"{path}{warning}"), old.doc_id)  # fmt: skip


def resolve_refs(store: Store, refs: list[str]) -> dict[str, list[DocumentRow]]:
    """The documents each reference names; raises StoreError for an empty or unknown one."""
    found: dict[str, list[DocumentRow]] = {}
    for ref in refs:
        ref = SURROGATE.sub("\ufffd", ref)  # bytes that were not UTF-8: no name has them
        if not ref.strip():
            raise StoreError("an empty reference names no letter; nothing was removed; give a "
                             "kenmerk, zaak, Aanhangsel id, file name or doc id "
                             "(see: assistant list)")  # fmt: skip
        rows = store.find_documents(ref)
        if not rows:
            raise StoreError(f"no indexed document matches {ref!r}{_short_prefix(ref)}; "
                             "nothing was removed (see: assistant list)")  # fmt: skip
        found[ref] = rows
    return found


def _short_prefix(ref: str) -> str:
    """Why a short hexadecimal reference matched nothing: a doc id is matched by its first
    6 or more characters only (Store.find_documents), so that a slip never names a letter."""
    if re.fullmatch(r"[0-9a-f]{1,5}", ref.strip().lower()):
        return (f" (a doc id prefix needs at least {MIN_PREFIX} characters; a kenmerk, zaak or "
                "Aanhangsel id counts only whole)")  # fmt: skip
    return ""
