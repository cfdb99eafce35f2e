"""The embedded store's integrity check: nothing read from the folder is trusted.

`validate_open` runs at every open and is cheap (the tables, the meta rows and config.json
agree, every counter is a number); `problems` is the whole check, run when a read finds a
value that does not parse and by `assistant index --force` before it decides whether the
index must be built anew: SQLite's own check, then every row as the store reads it.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import numpy as np

from .base import KEY_SHIFT, KINDS, DamagedError, StoreConfig
from .integrity import UNTRUSTED, damaged_message, first_problem, reason_of
from .local_schema import COUNTERS, DATABASE
from .sql import DOC_SHOWN, PASSAGE_SHOWN, chunks, document_row, passage_row

TABLES = ("meta", "documents", "doc_keys", "passages", "lex", "articles", "units",
          "removed_units")  # fmt: skip
SNAPSHOT_NAME = re.compile(r"vectors-\d+-\d+\.faiss")
MAX_PROBLEMS = 20


def validate_open(folder: Path, db: sqlite3.Connection, config: StoreConfig) -> str:
    """The checks every open makes; the index's units_version. DamagedError when one fails."""
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in TABLES if t not in names]
    if missing:
        raise DamagedError(damaged_message(str(folder), f"the table {missing[0]} is missing"))
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    found = meta_problems(meta, config)
    if found:
        raise DamagedError(damaged_message(str(folder), first_problem(found, None)))
    return str(meta["units_version"])


def meta_problems(meta: dict[object, object], config: StoreConfig) -> list[str]:
    found = []
    for key in COUNTERS:
        value = meta.get(key)
        if value is None:
            found.append(f"meta: the counter {key} is missing")
        elif not isinstance(value, str) or not value.isdigit():
            found.append(f"meta: the counter {key} is {str(value)[:40]!r}, not a number")
    for key in ("model", "dim", "units_version"):
        if not isinstance(meta.get(key), str):
            found.append(f"meta: {key} is missing")
    if isinstance(meta.get("model"), str) and meta["model"] != config.model:
        found.append(f"meta names the model {meta['model']!r}, config.json {config.model!r}")
    if isinstance(meta.get("dim"), str) and meta["dim"] != str(config.dim):
        found.append(f"meta gives vectors {str(meta['dim'])[:20]!r} dimensions, config.json "
                     f"{config.dim}")  # fmt: skip
    name = meta.get("snapshot_file")
    if name and not (isinstance(name, str) and SNAPSHOT_NAME.fullmatch(name)):
        found.append(f"meta: the vector snapshot's name {str(name)[:40]!r} is no snapshot name")
    for key in ("snapshot_bytes", "snapshot_crc"):
        value = meta.get(key)
        if key in meta and not (isinstance(value, str) and value.isdigit()):
            found.append(f"meta: {key} is {str(meta[key])[:40]!r}, not a number")
    return found


def quick_check(folder: Path) -> list[str]:
    """SQLite's own check of the database file (pages, indexes), on a connection of its own."""
    try:
        db = sqlite3.connect(f"file:{(folder / DATABASE).as_posix()}?mode=ro", uri=True,
                             timeout=5)  # fmt: skip
        try:
            rows = db.execute("PRAGMA quick_check(5)").fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        return [f"SQLite: {exc}"]
    return [] if [r[0] for r in rows] == ["ok"] else [f"SQLite: {r[0]}" for r in rows]


def problems(folder: Path, db: sqlite3.Connection, config: StoreConfig) -> list[str]:
    """Everything wrong with the index's database, as the store would read it; [] if none."""
    found = quick_check(folder)
    if found:
        return found
    try:
        found += _rows(db, config)
    except sqlite3.DatabaseError as exc:
        found.append(f"SQLite: {exc}")
    except UNTRUSTED as exc:
        found.append(reason_of(exc))
    return found[:MAX_PROBLEMS]


def _rows(db: sqlite3.Connection, config: StoreConfig) -> list[str]:
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [f"the table {t} is missing" for t in TABLES if t not in names]
    if missing:
        return missing
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    found = meta_problems(meta, config)
    if found:
        return found
    found += _documents(db, int(meta["documents"]))
    found += _passages(db, int(meta["passages"]))
    found += _units(db, config.dim, int(meta["units"]))
    return found


def _row_problem(what: str, convert: object, row: tuple[object, ...]) -> str | None:
    try:
        convert(row)  # type: ignore[operator]
    except UNTRUSTED as exc:
        return f"{what}: {reason_of(exc)}"
    return None


def _documents(db: sqlite3.Connection, counted: int) -> list[str]:
    found = []
    rows = db.execute(f"SELECT d.doc_id, {DOC_SHOWN} FROM documents d").fetchall()
    for row in rows:
        problem = _row_problem(f"document {str(row[0])[:20]}", document_row, row[1:])
        if problem:
            found.append(problem)
    if len(rows) != counted:
        found.append(f"{len(rows)} documents, but the index counted {counted}")
    return found


def _passages(db: sqlite3.Connection, counted: int) -> list[str]:
    found = []
    rows = db.execute(f"SELECT p.id, d.id, typeof(p.n_tokens), typeof(p.procedural), "
                      f"{PASSAGE_SHOWN} FROM passages p LEFT JOIN documents d ON d.id = p.doc"
                      ).fetchall()  # fmt: skip
    for row in rows:
        if row[1] is None:
            found.append(f"passage {row[0]} belongs to no document")
        elif row[2] != "integer" or row[3] != "integer":
            found.append(f"passage {row[0]}: its token count or flag is no number")
        else:
            problem = _row_problem(f"passage {row[0]}", passage_row, row[4:])
            if problem:
                found.append(problem)
    if len(rows) != counted:
        found.append(f"{len(rows)} passages, but the index counted {counted}")
    lexical = db.execute("SELECT count(*) FROM lex").fetchone()[0]
    if lexical != len(rows):
        found.append(f"{lexical} rows of lexical tokens for {len(rows)} passages")
    return found


def _units(db: sqlite3.Connection, dim: int, counted: int) -> list[str]:
    found: list[str] = []
    passages = {r[0] for r in db.execute("SELECT id FROM passages")}
    total = 0
    cur = db.execute('SELECT id, passage, kind, start, "end", vector FROM units')
    while rows := cur.fetchmany(20_000):
        total += len(rows)
        for part in chunks(rows, 20_000):
            found += _unit_rows(part, passages, dim)
        if len(found) >= MAX_PROBLEMS:
            return found
    if total != counted:
        found.append(f"{total} unit vectors, but the index counted {counted}")
    return found


def _unit_rows(rows: object, passages: set[int], dim: int) -> list[str]:
    found = []
    blobs = []
    for uid, passage, kind, start, end, vector in rows:  # type: ignore[attr-defined]
        if not all(isinstance(v, int) for v in (uid, passage, kind, start, end)):
            found.append(f"unit {uid}: a value that is no number")
        elif passage not in passages:
            found.append(f"unit {uid} belongs to no passage")
        elif (uid >> KEY_SHIFT) & 0xFFFFFFFF != passage:
            found.append(f"unit {uid} is filed under a passage its id does not name")
        elif not 0 <= kind < len(KINDS):
            found.append(f"unit {uid}: unknown kind {kind}")
        elif not isinstance(vector, bytes) or len(vector) != dim * 2:
            found.append(f"unit {uid}: its vector has the wrong length")
        else:
            blobs.append(vector)
    if blobs:
        vectors = np.frombuffer(b"".join(blobs), dtype=np.float16)
        if not np.isfinite(vectors).all():
            found.append("unit vectors that are not numbers")
    return found
