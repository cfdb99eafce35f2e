"""The shared store's integrity check, and `index --force` on a damaged index in PostgreSQL.

PostgreSQL keeps its pages and column types sound itself; what can still be wrong is what
the assistant wrote as text: a meta counter that is no number, a missing meta or schema
row, a JSON column that does not parse or has the wrong shape, counters that disagree with
the rows. `problems` finds those (as the store reads them); `rebuild_damaged_database`
moves the damaged tables into a schema of their own (said where, nothing dropped), makes
an empty index, and indexes again the letters the user added whose files the damaged
tables still hold; imported letters are named as lost ("run import again").
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import psycopg
from psycopg import sql

from . import postgres_schema as schema
from .base import ADDED, IMPORTED, KINDS, DamagedError, StoreConfig, StoreError
from .integrity import UNTRUSTED, reason_of
from .sql import DOC_SHOWN, PASSAGE_SHOWN, document_row, passage_row
from .units import UNITS_VERSION

if TYPE_CHECKING:
    from .embed import Embedder
    from .files import Report
    from .postgres import PostgresStore

REBUILD_LOCK = 0x4B56_4102  # advisory lock key: one rebuild of a database at a time
MAX_PROBLEMS = 20


def problems(conn: psycopg.Connection, dim: int) -> list[str]:
    """Everything wrong with the index's rows, as the store would read them; [] if none."""
    found: list[str] = []
    try:
        meta: dict[str, str] = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        found += schema.meta_problems(meta, schema.vector_dim(conn))
        if found:
            return found
        found += _documents(conn, int(meta["documents"]))
        found += _passages(conn, int(meta["passages"]))
        found += _units(conn, dim, int(meta["units"]))
    except UNTRUSTED as exc:
        found.append(reason_of(exc))
    return found[:MAX_PROBLEMS]


def _documents(conn: psycopg.Connection, counted: int) -> list[str]:
    found = []
    rows = conn.execute(f"SELECT d.doc_id, {DOC_SHOWN} FROM documents d").fetchall()
    for row in rows:
        try:
            document_row(row[1:])
        except UNTRUSTED as exc:
            found.append(f"document {str(row[0])[:20]}: {reason_of(exc)}")
    if len(rows) != counted:
        found.append(f"{len(rows)} documents, but the index counted {counted}")
    return found


def _passages(conn: psycopg.Connection, counted: int) -> list[str]:
    found = []
    rows = conn.execute(f"SELECT p.id, {PASSAGE_SHOWN} FROM passages p JOIN documents d ON "
                        "d.id = p.doc").fetchall()  # fmt: skip
    for row in rows:
        try:
            passage_row(row[1:])
        except UNTRUSTED as exc:
            found.append(f"passage {row[0]}: {reason_of(exc)}")
    if len(rows) != counted:
        found.append(f"{len(rows)} passages, but the index counted {counted}")
    return found


def _units(conn: psycopg.Connection, dim: int, counted: int) -> list[str]:
    found = []
    total, last = 0, -1
    while True:
        with conn.cursor(binary=True) as cur:
            rows = cur.execute("SELECT id, kind, vector FROM units WHERE id > %s ORDER BY id "
                               "LIMIT 20000", (last,)).fetchall()  # fmt: skip
        if not rows:
            break
        total, last = total + len(rows), rows[-1][0]
        if any(not 0 <= r[1] < len(KINDS) for r in rows):
            found.append("units of an unknown kind")
        vectors = np.vstack([r[2] for r in rows])
        if vectors.shape[1] != dim or not np.isfinite(vectors).all():
            found.append("unit vectors that are not numbers")
        if found:
            return found
    if total != counted:
        found.append(f"{total} unit vectors, but the index counted {counted}")
    return found


# -- index --force on a damaged index ------------------------------------------------------
def rebuild_damaged_database(url: str, model: str, embedder: Embedder,
                             report: Report) -> PostgresStore:  # fmt: skip
    """The damaged index in the database at url made new (see the module docstring)."""
    from .postgres import PostgresStore

    name = schema.display_name(url)
    try:
        conn = psycopg.connect(schema.conninfo(url), autocommit=True)
    except psycopg.Error as exc:
        raise schema.connect_error(name, exc) from exc
    with conn, schema.errors(name, writing=True):
        locked = conn.execute("SELECT pg_try_advisory_lock(%s)", (REBUILD_LOCK,)).fetchone()
        if not locked or not locked[0]:
            raise StoreError(f"another assistant process ({_other(conn)}) is rebuilding the "
                             f"index in the database {name} right now; nothing was changed; "
                             "wait until it is done, then run your command again")
        try:
            store = _sound(url)
            if store is not None:
                return store  # rebuilt by another process meanwhile
            aside = _move_aside(conn)
            report.kept.append(f"the damaged index tables were moved to the schema {aside} "
                               f"of the database {name} (drop it once you no longer need it: "
                               f"DROP SCHEMA {aside} CASCADE)")  # fmt: skip
            store = PostgresStore.open(url, StoreConfig(model, embedder.dim, UNITS_VERSION))
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (REBUILD_LOCK,))
        _bring_back(conn, aside, store, embedder, report)
    return store


def _other(conn: psycopg.Connection) -> str:
    """Who holds the rebuild lock: process id and client address, as the server knows it."""
    row = conn.execute("SELECT a.pid, a.client_addr, a.application_name FROM pg_locks l JOIN "
                       "pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND "
                       "l.objid = %s AND l.granted LIMIT 1",
                       (REBUILD_LOCK & 0xFFFFFFFF,)).fetchone()  # fmt: skip
    if not row:
        return "unknown"
    return f"server pid {row[0]}, {row[2] or 'a client'} from {row[1] or 'this host'}"


def _sound(url: str) -> PostgresStore | None:
    """The index at url when it opens and passes the check, else None (closed)."""
    from .postgres import PostgresStore

    try:
        store = PostgresStore.open(url)
    except DamagedError:
        return None
    if store.check():
        store.close()
        return None
    return store


def _move_aside(conn: psycopg.Connection) -> str:
    """Move every table of the index (and its key sequence) into damaged_<time>, in one
    transaction; the schema's name."""
    aside = time.strftime("damaged_%Y%m%d_%H%M%S")
    with conn.transaction():
        taken = {r[0] for r in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname "
                                            "LIKE 'damaged\\_%%'")}  # fmt: skip
        base, n = aside, 2
        while aside in taken:
            aside, n = f"{base}_{n}", n + 1
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(aside)))
        for table in ("assistant_schema", *schema.TABLES):
            if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0]:  # type: ignore[index]
                conn.execute(sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(
                    sql.Identifier(table), sql.Identifier(aside)))  # fmt: skip
        if conn.execute("SELECT to_regclass('passage_keys')").fetchone()[0]:  # type: ignore[index]
            conn.execute(sql.SQL("ALTER SEQUENCE passage_keys SET SCHEMA {}").format(
                sql.Identifier(aside)))  # fmt: skip
    return aside


def _bring_back(conn: psycopg.Connection, aside: str, store: PostgresStore,
                embedder: Embedder, report: Report) -> None:  # fmt: skip
    """Index again the added letters whose files the damaged tables still hold; a line for
    the imported letters (and added ones whose files are lost)."""
    from .files import reparse
    from .records import LetterTooLargeError, letter_record

    files: list[tuple[str, bytes]] = []
    imported: int | None = None
    try:
        files = [(str(r[0]), bytes(r[1])) for r in conn.execute(sql.SQL(
            "SELECT o.name, o.data FROM {0}.originals o JOIN {0}.documents d ON d.id = o.doc "
            "WHERE d.origin = %s ORDER BY d.id").format(sql.Identifier(aside)), (ADDED,))]
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}.documents WHERE origin = %s").format(
            sql.Identifier(aside)), (IMPORTED,)).fetchone()  # fmt: skip
        imported = int(row[0]) if row else None
    except psycopg.Error:
        report.warnings.append("the letters you added could not be read from the damaged "
                               "tables; add them again with: assistant add FILE")
    for original in files:
        letter = reparse(original)
        if letter is None:
            report.skipped.append(f"{original[0]}: a letter you added could not be read again")
            continue
        try:
            store.write([letter_record(letter, embedder, ADDED, original=original)])
        except LetterTooLargeError as exc:
            report.skipped.append(str(exc))
            continue
        report.kept.append(f"{original[0]}: a letter you added, indexed again")
    if imported != 0:
        from .rebuild import imported_lost

        report.warnings.append(imported_lost(imported))
