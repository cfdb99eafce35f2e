"""Making an index anew without losing a letter: a damaged folder, another embedding
model, the old JSON format, or units (or the parser) that changed.

Index files are moved aside into a dated folder, never deleted; letters the user added are
indexed again from the files kept with the index (`added/`), letters imported or added
come over from the previous index's passages, and the corpus letters follow in `sync`.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..documents import Document, ParsedLetter, Passage
from . import is_url, open_store
from .base import ADDED, CORPUS, IMPORTED, DamagedError, Store, StoreConfig, StoreError
from .embed import Embedder
from .failpoints import reached
from .files import Report, reparse
from .local_folder import HELD
from .local_schema import LOCK
from .records import LetterTooLargeError, letter_record
from .units import UNITS_VERSION

Progress = Callable[[int, int], None]
ADDED_FOLDER = "added"  # where the embedded store keeps the files of letters users added
OLD_FILES = ("manifest.json", "documents.json", "passages.json", "rows.json", "vectors.faiss")




def move_aside(folder: Path, why: str) -> Path:
    """Move the index's files (not its folders, so added/ stays) into <why>-<time>/. All or
    nothing: a file that cannot be moved puts back those that were, and nothing is lost."""
    stamp = time.strftime(f"{why}-%Y%m%d-%H%M%S")
    aside = folder / stamp
    moved: list[str] = []
    try:
        for n in itertools.count(2):  # two moves in one second get two folders
            try:
                aside.mkdir()
                break
            except FileExistsError:
                aside = folder / f"{stamp}-{n}"
        for path in list(folder.iterdir()):
            if path.is_file() and path.name != LOCK:
                os.replace(path, aside / path.name)
                moved.append(path.name)
    except OSError as exc:
        for name in moved:
            os.replace(aside / name, folder / name)
        if aside.is_dir() and not any(aside.iterdir()):
            aside.rmdir()
        raise StoreError(f"cannot move the index files in {folder} aside ({exc}); nothing "
                         "was changed; check the folder's permissions and free space") from exc
    return aside


@contextmanager
def rebuild_lock(folder: Path) -> Iterator[None]:
    """Held while the index in folder is moved aside and made anew: a second process that
    finds it held refuses in one line naming the first (two at once once died on
    FileExistsError, or could move the first one's new index aside as "damaged")."""
    try:
        handle = open(folder / LOCK, "a+", encoding="utf-8")  # noqa: SIM115 (held below)
    except OSError as exc:
        raise StoreError(f"cannot rebuild the index in {folder} ({exc.strerror or exc}); "
                         "nothing was changed") from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            other = handle.read().strip() or "unknown"
            raise StoreError(f"another assistant process (pid {other}) is rebuilding the index "
                             f"in {folder} right now; nothing was changed; wait until it is "
                             "done, then run your command again") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        HELD.add(str(folder.resolve()))
        try:
            yield
        finally:
            HELD.discard(str(folder.resolve()))
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def rebuild_damaged(location: str | Path, model: str, embedder: Embedder | None,
                    report: Report) -> tuple[Store, Embedder | None]:  # fmt: skip
    """A damaged index folder made new: its files are moved into damaged-<time>/ (nothing is
    deleted), an empty index is created, and the letters the user added are indexed again
    from the files kept with it (added/). The corpus letters follow in `sync`; imported
    letters cannot come back from a damaged database (a line says to import them again).
    The model is loaded first: a model that cannot load leaves the damaged folder as it
    was. Under `rebuild_lock`, and only when the index is still damaged once it is held
    (another process may have just rebuilt it)."""
    embedder = embedder or Embedder(model)
    if is_url(location):
        from .postgres_check import rebuild_damaged_database

        return rebuild_damaged_database(str(location), model, embedder, report), embedder
    folder = Path(location)
    with rebuild_lock(folder):
        try:
            store = open_store(folder)
            if not store.check():
                return store, embedder  # rebuilt by another process meanwhile
            store.close()
        except DamagedError:
            pass
        imported = count_imported(folder)
        aside = move_aside(folder, "damaged")
        report.kept.append(f"the damaged index files were moved to {aside}")
        reached("rebuild:moved")
        store = open_store(folder, StoreConfig(model, embedder.dim, UNITS_VERSION))
    if imported != 0:
        report.warnings.append(imported_lost(imported))
    added = sorted((folder / ADDED_FOLDER).glob("*-*")) if (folder / ADDED_FOLDER).is_dir() \
        else []  # fmt: skip
    for path in added:
        name, data = path.name.split("-", 1)[1], path.read_bytes()
        letter = reparse((name, data))
        if letter is None:
            report.skipped.append(f"{name}: a letter you added could not be read again")
            continue
        try:
            store.write([letter_record(letter, embedder, ADDED, original=(name, data))])
        except LetterTooLargeError as exc:
            report.skipped.append(f"{exc} (its file stays in {path.parent})")
            continue
        report.kept.append(f"{name}: a letter you added, indexed again")
    return store, embedder


def count_imported(folder: Path) -> int | None:
    """Letters imported from the open data in a damaged index's database (None: unreadable)."""
    try:
        db = sqlite3.connect(f"file:{(folder / 'index.db').as_posix()}?mode=ro", uri=True)
        try:
            row = db.execute(f"SELECT count(*) FILTER (WHERE origin = '{IMPORTED}'), count(*) "
                             f"FILTER (WHERE typeof(origin) != 'text' OR origin NOT IN "
                             f"('{CORPUS}', '{ADDED}', '{IMPORTED}')) FROM documents"
                             ).fetchone()  # fmt: skip
        finally:
            db.close()
        return None if row[1] else int(row[0])  # an origin that is none: cannot tell
    except (sqlite3.Error, TypeError, ValueError):
        return None


def imported_lost(imported: int | None) -> str:
    """The line for what a rebuild cannot bring back: letters imported from the open data."""
    if imported is None:
        return ("letters imported from the open data, if the damaged index held any, could not "
                "be brought back; get them again with: assistant import")
    return (f"the {imported} letter(s) imported from the open data could not be brought back "
            "from the damaged index; get them again with: assistant import")


CARRY_OVER = "carry_over"  # meta: the previous index whose letters are still to come over


def switch_model(store: Store, folder: Path, model: str, embedder: Embedder | None,
                 report: Report) -> tuple[Store, Embedder | None]:  # fmt: skip
    """The index embedded anew with another model: the previous index moves into
    previous-model-<time>/ and its added and imported letters come over (`carry_over`,
    which a later `assistant index` finishes if this one is interrupted). The new model is
    loaded first: a model that cannot load (a typo in --model) leaves the index as it was."""
    embedder = embedder or Embedder(model)
    store.close()
    with rebuild_lock(folder):
        aside = move_aside(folder, "previous-model")
        new = open_store(folder, StoreConfig(model, embedder.dim, UNITS_VERSION))
        new.write(meta={CARRY_OVER: aside.name})
    report.kept.append(f"the index for the previous model was moved to {aside}")
    return new, embedder


def carry_over(store: Store, embedder: Embedder | None,
               report: Report) -> Embedder | None:  # fmt: skip
    """Bring the added and imported letters of the previous index (see switch_model) into
    this one, embedded with its model; letters already here are left as they are."""
    name = store.get_meta(CARRY_OVER)
    if not name:
        return embedder
    previous = open_store(Path(store.location) / name)
    try:
        for row in previous.documents():
            if row.origin == CORPUS or store.document(row.document.doc_id):
                continue
            doc_id = row.document.doc_id
            original = store.original(doc_id)
            letter = (reparse(original) if original else None) or ParsedLetter(
                row.document, previous.letter(doc_id), row.questions_numbered)  # fmt: skip
            embedder = embedder or Embedder(store.config.model)
            try:
                store.write([letter_record(letter, embedder, row.origin, original=original,
                                           external_id=row.external_id,
                                           version=row.version)])  # fmt: skip
            except LetterTooLargeError as exc:
                report.skipped.append(f"{exc} (it stays in the previous index, {name})")
                continue
            report.kept.append(f"{row.document.source}: carried over from the previous index")
    finally:
        previous.close()
    store.write(meta={CARRY_OVER: ""})
    return embedder


def old_format(location: str | Path) -> bool:
    """A folder holding an index of the first format (JSON files and vectors.faiss)."""
    folder = Path(str(location))
    return not is_url(location) and all((folder / name).is_file() for name in OLD_FILES[:2])


def migrate_old_format(store: Store, folder: Path, embedder: Embedder | None,
                       report: Report) -> Embedder | None:  # fmt: skip
    """Carry the letters a user had added to an index of the old format into the store
    (embedded again), then move the old files into old-format/. Safe to repeat: a kill
    leaves the old files in place and the next `assistant index` finishes the job."""
    if not old_format(folder):
        return embedder
    docs = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
    passages = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
    for data in docs:
        if data.get("origin") != ADDED:
            continue  # corpus letters come back from the corpus folder
        doc = Document.from_dict(data)
        letter = ParsedLetter(doc, [Passage.from_dict(p) for p in passages
                                    if p.get("doc_id") == doc.doc_id],
                              list(data.get("questions_numbered", [])))  # fmt: skip
        embedder = embedder or Embedder(store.config.model)
        store.write([letter_record(letter, embedder, ADDED)])
        report.kept.append(f"{doc.source}: carried over from the old index format")
    kept = folder / "old-format"
    kept.mkdir(exist_ok=True)
    for name in OLD_FILES:
        if (folder / name).exists():
            os.replace(folder / name, kept / name)
    return embedder


def refresh_units(store: Store, embedder: Embedder | None,
                  progress: Progress | None = None) -> Embedder | None:  # fmt: skip
    """Embed letters that are not in the corpus folder again after the units (or parser)
    changed: from their kept file when there is one, else from their stored passages."""
    rows = [r for r in store.documents() if r.origin != CORPUS and r.passages]
    for done, row in enumerate(rows, 1):
        doc_id = row.document.doc_id
        original = store.original(doc_id)
        letter = reparse(original) if original else None
        if letter is None:
            letter = ParsedLetter(row.document, store.letter(doc_id), row.questions_numbered)
        embedder = embedder or Embedder(store.config.model)
        try:
            rec = letter_record(letter, embedder, row.origin, external_id=row.external_id,
                                version=row.version, original=original)  # fmt: skip
        except LetterTooLargeError:
            continue  # kept as it was embedded before: searchable, never lost
        store.write([rec], remove=[doc_id])
        if progress:
            progress(done, len(rows))
    store.write(meta={"units_version": UNITS_VERSION})
    return embedder


