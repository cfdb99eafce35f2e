"""SQLite side of the embedded store: schema, connections, errors and row-level helpers.

`local.py` holds the Store methods; the statements they share, the folder's config file
and the files of added letters live here.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from .base import (
    DAY_SHIFT,
    KEY_SHIFT,
    KINDS,
    DamagedError,
    Filters,
    LetterRecord,
    SignalRows,
    StoreConfig,
    StoreError,
    day_range,
)
from .integrity import damaged_message
from .sql import DOC_COLUMNS, chunks, json_list

CONFIG = "config.json"
LOCK = ".rebuild.lock"  # held while an index is moved aside and made anew (rebuild.py)
DATABASE = "index.db"
ADDED = "added"
FORMAT = "kamervragen-index/2 (sqlite+faiss)"
OLD_FORMAT_FILES = ("manifest.json", "documents.json")
MAX_DIM = 16_384  # dimensions of any embedding model in use (e5-small: 384)

__all__ = ["DOC_COLUMNS"]

DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE documents (id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL, title TEXT NOT NULL, source TEXT NOT NULL, date TEXT,
  day INTEGER NOT NULL, ons_kenmerk TEXT, uw_kenmerk TEXT, aanhangsel TEXT, questioner TEXT,
  party TEXT, minister TEXT, ministry TEXT, pages INTEGER, origin TEXT NOT NULL,
  questions_numbered TEXT NOT NULL, n_passages INTEGER NOT NULL, path TEXT, size INTEGER,
  mtime_ns INTEGER, external_id TEXT, version TEXT, gen INTEGER NOT NULL);
CREATE INDEX documents_day ON documents (day);
CREATE INDEX documents_path ON documents (path);
CREATE INDEX documents_source ON documents (source);
CREATE UNIQUE INDEX documents_external ON documents (external_id);
CREATE TABLE doc_keys (key TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc))
  WITHOUT ROWID;
CREATE INDEX doc_keys_doc ON doc_keys (doc);
CREATE TABLE passages (id INTEGER PRIMARY KEY, doc INTEGER NOT NULL, seq INTEGER NOT NULL,
  passage_id TEXT NOT NULL UNIQUE, questions TEXT NOT NULL, question_text TEXT NOT NULL,
  answer_text TEXT NOT NULL, page INTEGER, footnotes TEXT NOT NULL, refers_to TEXT NOT NULL,
  n_tokens INTEGER NOT NULL, procedural INTEGER NOT NULL, sample REAL NOT NULL);
CREATE INDEX passages_doc ON passages (doc, seq);
CREATE INDEX passages_sample ON passages (sample);
CREATE VIRTUAL TABLE lex USING fts5 (stems,
  tokenize = "unicode61 remove_diacritics 0 tokenchars '_'");
CREATE VIRTUAL TABLE lex_vocab USING fts5vocab (lex, 'row');
CREATE TABLE articles (number TEXT NOT NULL, code TEXT NOT NULL, passage INTEGER NOT NULL,
  PRIMARY KEY (number, code, passage)) WITHOUT ROWID;
CREATE INDEX articles_passage ON articles (passage);
CREATE TABLE units (id INTEGER PRIMARY KEY, passage INTEGER NOT NULL, kind INTEGER NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, gen INTEGER NOT NULL, vector BLOB NOT NULL);
CREATE INDEX units_passage ON units (passage);
CREATE INDEX units_gen ON units (gen);
CREATE TABLE removed_units (gen INTEGER NOT NULL, id INTEGER NOT NULL);
CREATE INDEX removed_units_gen ON removed_units (gen);
"""
COUNTERS = ("generation", "documents", "passages", "tokens", "units", "generation_units",
            "snapshot_mark", "snapshot_gen", "snapshot_units", "log_floor", "next_key")


# -- the folder -------------------------------------------------------------------------
def create(folder: Path, config: StoreConfig, timeout_ms: int) -> None:
    """A new, empty index folder. The config is written last: a folder without it is no index."""
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{folder} is a file, not an index folder; pass --index DIR")
    if (folder / CONFIG).exists():
        raise StoreError(f"{folder} holds an index already")
    with errors(folder):
        folder.mkdir(parents=True, exist_ok=True)
        for name in (DATABASE, DATABASE + "-wal", DATABASE + "-shm"):
            (folder / name).unlink(missing_ok=True)  # left by a creation that was cut short
        db = connect(folder, timeout_ms, create=True)
        values = [(c, "0") for c in COUNTERS] + [
            ("model", config.model), ("dim", str(config.dim)),
            ("units_version", config.units_version)]  # fmt: skip
        inserts = "".join(f"INSERT INTO meta VALUES ('{k}', '{v}');"
                          for k, v in values if "'" not in k + v)  # fmt: skip
        try:  # one script, one transaction (executescript commits what came before it)
            db.executescript("BEGIN;" + DDL + inserts + "COMMIT;")
            if len(db.execute("SELECT key FROM meta").fetchall()) != len(values):
                raise StoreError(f"cannot create an index for model {config.model!r} "
                                 "(a quote in its name); rename the model folder")
        finally:
            db.close()
        data = {"format": FORMAT, "model": config.model, "dim": config.dim}
        tmp = folder / f".{CONFIG}.tmp"
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, folder / CONFIG)


def connect(folder: Path, timeout_ms: int, create: bool = False) -> sqlite3.Connection:
    path = folder / DATABASE
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                             timeout=timeout_ms / 1000)  # fmt: skip
        db.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        if create or db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # WAL: atomic; durable at checkpoints
        return db
    except sqlite3.OperationalError:
        if create or os.access(folder, os.W_OK):
            raise
    # A read-only folder: SQLite cannot create its shared-memory file there; nobody can
    # write this index now, so read it as an immutable file.
    uri = f"file:{path.as_posix()}?immutable=1"
    return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)


_MESSAGES = (
    ("readonly", "it is read-only"),
    ("disk is full", "the disk is full"),
    ("disk i/o error", "a disk error (is the disk full?)"),
    ("unable to open", "it cannot be opened"),
    ("locked", "another process kept it busy for too long; try again"),
)


@contextmanager
def errors(folder: Path) -> Iterator[None]:
    """SQLite and file errors as one clear StoreError line."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        text = str(exc).lower()
        for needle, reason in _MESSAGES:
            if needle in text:
                raise StoreError(f"cannot use the index in {folder}: {reason} ({exc}); "
                                 "nothing was changed") from exc  # fmt: skip
        from .local_check import quick_check  # a damaged-looking error: check the file

        found = [p for p in quick_check(folder) if p != f"SQLite: {exc}"]
        reason = f"{exc}; integrity check: {found[0]}" if found else str(exc)
        raise DamagedError(damaged_message(str(folder), reason)) from exc
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            raise StoreError(f"cannot write the index in {folder}: the disk is full (or a "
                             "file size limit was reached); nothing was changed") from exc
        raise StoreError(f"cannot use the index in {folder}: {exc.strerror or exc}; "
                         "nothing was changed") from exc  # fmt: skip


@contextmanager
def read_view(db: sqlite3.Connection, lock: threading.RLock,
              folder: Path) -> Iterator[sqlite3.Connection]:  # fmt: skip
    """One consistent view of the database (a read transaction), errors as StoreError."""
    with lock, errors(folder):
        db.execute("BEGIN")
        try:
            yield db
        finally:
            db.execute("COMMIT")


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction: taken at once (writers queue here), all or nothing."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# -- counters ---------------------------------------------------------------------------
def next_generation(db: sqlite3.Connection) -> int:
    """The number the running write transaction will have (writers hold the lock)."""
    return int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]) + 1


def set_generation(db: sqlite3.Connection, gen: int) -> None:
    db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(gen),))


def add_counts(db: sqlite3.Connection, **deltas: int) -> None:
    units = deltas.get("units", 0)
    if units:
        deltas["generation_units"] = abs(units)
    for key, delta in deltas.items():
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = ?",
                   (delta, key))  # fmt: skip


def next_passage_key(db: sqlite3.Connection) -> int:
    """Passage keys are never reused: a unit id always names one passage's unit."""
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'next_key'")
    return int(db.execute("SELECT value FROM meta WHERE key = 'next_key'").fetchone()[0])


def unique_passage_id(db: sqlite3.Connection, passage_id: str, doc_id: str) -> str:
    """The parser's id ("5236577-q13"), or with the doc id added when another letter has it."""
    if db.execute("SELECT 1 FROM passages WHERE passage_id = ?", (passage_id,)).fetchone():
        return f"{passage_id}@{doc_id[:8]}"
    return passage_id


# -- deleting ---------------------------------------------------------------------------
def delete_document(db: sqlite3.Connection, doc_id: str, gen: int, folder: Path) -> bool:
    row = db.execute("SELECT id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
    if not row:
        return False
    doc = row[0]
    keys = [r[0] for r in db.execute("SELECT id FROM passages WHERE doc = ?", (doc,))]
    for part in chunks(keys):
        marks = ",".join("?" * len(part))
        units = db.execute(f"SELECT count(*) FROM units WHERE passage IN ({marks})",
                           part).fetchone()[0]  # fmt: skip
        db.execute(f"INSERT INTO removed_units SELECT ?, id FROM units WHERE passage IN ({marks})",
                   [gen, *part])  # fmt: skip
        tokens = db.execute(f"SELECT COALESCE(SUM(n_tokens), 0) FROM passages WHERE id IN "
                            f"({marks})", part).fetchone()[0]  # fmt: skip
        for table, column in (("units", "passage"), ("articles", "passage"),
                              ("lex", "rowid"), ("passages", "id")):  # fmt: skip
            db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", part)
        add_counts(db, passages=-len(part), tokens=-int(tokens), units=-int(units))
    db.execute("DELETE FROM doc_keys WHERE doc = ?", (doc,))
    db.execute("DELETE FROM documents WHERE id = ?", (doc,))
    add_counts(db, documents=-1)
    return True


# -- vectors and rows -------------------------------------------------------------------
def matrix(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    if any(len(b) != dim * 2 for b in blobs):
        raise sqlite3.DatabaseError("a unit vector has the wrong length")
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(-1, dim).astype(np.float32)


def stored_dim(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT value FROM meta WHERE key = 'dim'").fetchone()[0])


def filter_sql(filters: Filters, ref: str = "lex.rowid", alias: str = "",
               column: str = "") -> tuple[str, str, list[Any]]:  # fmt: skip
    """(join, where, params) restricting rows whose passage key is `ref` to the filters."""
    if alias:
        ref = f"{alias}.{column or 'id'}"
    if not filters:
        return "", "", []
    join = f"JOIN passages fp ON fp.id = {ref} JOIN documents fd ON fd.id = fp.doc"
    where: list[str] = []
    params: list[Any] = []
    if filters.doc_ids:
        where.append(f"fd.doc_id IN ({','.join('?' * len(filters.doc_ids))})")
        params += list(filters.doc_ids)
    if filters.date_from or filters.date_to:
        low, high = day_range(filters.date_from, filters.date_to)
        where.append("fd.day >= ? AND fd.day < ?")
        params += [low >> DAY_SHIFT, (high + 1) >> DAY_SHIFT]
    return join, "AND " + " AND ".join(where), params


def signal_rows(db: sqlite3.Connection, keys: list[int], dim: int, folder: Path) -> SignalRows:
    pos = {k: i for i, k in enumerate(keys)}
    units: list[tuple[Any, ...]] = []
    stems: dict[int, str] = {}
    flags: dict[int, tuple[int, int, str]] = {}
    for part in chunks(keys):
        marks = ",".join("?" * len(part))
        units += db.execute(f'SELECT passage, kind, start, "end", vector, id FROM units WHERE '
                            f"passage IN ({marks}) ORDER BY id", part).fetchall()  # fmt: skip
        stems.update(db.execute(f"SELECT rowid, stems FROM lex WHERE rowid IN ({marks})", part))
        flags.update((r[0], (r[1], r[2], r[3])) for r in db.execute(
            f"SELECT id, n_tokens, procedural, questions FROM passages WHERE id IN ({marks})",
            part))
    orphan = next((u[0] for u in units if u[0] not in flags), None)
    if orphan is not None:  # one read transaction: a removed passage takes its units along
        raise sqlite3.DatabaseError(f"unit vectors of passage {orphan}, which is missing")
    if any(k not in flags for k in keys):
        keys = [k for k in keys if k in flags]  # removed meanwhile by another process
        pos = {k: i for i, k in enumerate(keys)}
        units = [u for u in units if u[0] in pos]
    vectors = matrix([u[4] for u in units], dim)
    if not np.isfinite(vectors).all() or any(u[1] >= len(KINDS) for u in units):
        raise sqlite3.DatabaseError("unit vectors that are not numbers")
    if any((u[5] >> KEY_SHIFT) & 0xFFFFFFFF != u[0] for u in units):
        raise sqlite3.DatabaseError("units filed under a passage their id does not name")
    return SignalRows(
        keys=keys,
        owner=np.array([pos[u[0]] for u in units], dtype=np.int64),
        kind=np.array([u[1] for u in units], dtype=np.int8),
        start=np.array([u[2] for u in units], dtype=np.int32),
        end=np.array([u[3] for u in units], dtype=np.int32),
        vectors=vectors,
        stems=[stems.get(k, "") for k in keys],
        n_tokens=np.array([flags[k][0] for k in keys], dtype=np.int64),
        procedural=np.array([bool(flags[k][1]) for k in keys], dtype=bool),
        questions=[json_list(flags[k][2], int, "passages.questions") for k in keys],
    )


# -- files of added letters -------------------------------------------------------------
def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", Path(name).name)[:120] or "letter"


def save_original(folder: Path, rec: LetterRecord) -> Path | None:
    """Keep the file of a letter the user added, so a rebuild can parse it again."""
    if not rec.original:
        return None
    name, data = rec.original
    target = folder / ADDED / f"{rec.document.doc_id}-{_safe_name(name)}"
    target.parent.mkdir(exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    return target


def read_original(folder: Path, doc_id: str) -> tuple[str, bytes] | None:
    for path in sorted((folder / ADDED).glob(f"{doc_id}-*")):
        return path.name[len(doc_id) + 1:], path.read_bytes()
    return None


def original_in_use(db: sqlite3.Connection, path: Path) -> bool:
    doc_id = path.name.split("-", 1)[0]
    return db.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is not None


def drop_unused_originals(folder: Path, doc_ids: Sequence[str], db: sqlite3.Connection) -> None:
    for doc_id in doc_ids:
        for path in (folder / ADDED).glob(f"{doc_id}-*"):
            if not original_in_use(db, path):
                path.unlink(missing_ok=True)
