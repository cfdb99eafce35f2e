"""Writing whole letters into the shared store, and reading one back whole (`export`).

One `write` is one transaction that first takes an advisory lock: writers in any number
of processes take turns, so the "same letter" check and the counters are race-free, and
a writer killed at any moment leaves nothing behind (the server rolls its transaction
back when the connection drops). Readers never wait for the lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import psycopg

from ..documents import Document
from ..ingest.references import document_keys
from . import postgres_schema as schema
from .base import (
    ConflictError,
    DocumentRow,
    LetterRecord,
    PassageRecord,
    Written,
    day_number,
    unit_id,
)
from .failpoints import reached
from .sql import (
    DOC_COLUMNS,
    DOC_SHOWN,
    PASSAGE_SHOWN,
    doc_values,
    document_row,
    passage_row,
    passage_values,
    same_letter_sql,
)


def write(conn: psycopg.Connection, add: Sequence[LetterRecord], remove: Sequence[str],
          meta: dict[str, str]) -> Written:  # fmt: skip
    written = Written()
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (schema.WRITE_LOCK,))
        gen = int(_meta(conn, "generation")) + 1
        reached("write:begin")
        for doc_id in remove:
            if delete_document(conn, doc_id):
                written.removed.append(doc_id)
        for rec in add:
            _write_letter(conn, rec, gen, written)
        for key, value in meta.items():
            conn.execute("INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                         "SET value = excluded.value", (key, value))  # fmt: skip
        if written.added or written.removed:  # readers reload only after a change
            conn.execute("UPDATE meta SET value = %s WHERE key = 'generation'", (str(gen),))
        reached("write:rows")
    reached("write:committed")
    return written


def _meta(conn: psycopg.Connection, key: str) -> str:
    row = conn.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
    return row[0] if row else "0"


def _add_counts(conn: psycopg.Connection, **deltas: int) -> None:
    with conn.cursor() as cur:
        cur.executemany("UPDATE meta SET value = (value::bigint + %s)::text WHERE key = %s",
                        [(delta, key) for key, delta in deltas.items() if delta])  # fmt: skip


def same_letters(conn: psycopg.Connection, doc: Document, external_id: str | None,
                 path: str | None) -> list[DocumentRow]:  # fmt: skip
    keys = sorted(document_keys(doc))
    sql = same_letter_sql("%s").format(keys=",".join(["%s"] * len(keys)) or "NULL")
    rows = conn.execute(sql, [doc.kind, external_id, path, *keys]).fetchall()
    return [document_row(r) for r in rows if r[0] != doc.doc_id]


def delete_document(conn: psycopg.Connection, doc_id: str) -> bool:
    row = conn.execute("SELECT id FROM documents WHERE doc_id = %s", (doc_id,)).fetchone()
    if not row:
        return False
    doc = row[0]
    passages, tokens, units = conn.execute(
        "SELECT count(*), COALESCE(sum(n_tokens), 0), COALESCE(sum((SELECT count(*) FROM "
        "units u WHERE u.passage = p.id)), 0) FROM passages p WHERE p.doc = %s",
        (doc,)).fetchone()  # type: ignore[misc]  # fmt: skip
    # Each distinct term of each passage counted once: the df the letter contributed.
    left = conn.execute(
        "WITH c AS (SELECT t AS term, count(*) AS n FROM passages p, LATERAL (SELECT DISTINCT "
        "unnest(string_to_array(p.stems, ' ')) AS t) x WHERE p.doc = %s AND t <> '' "
        "GROUP BY t) UPDATE lex_terms l SET df = l.df - c.n FROM c WHERE l.term = c.term "
        "RETURNING l.term, l.df", (doc,)).fetchall()  # fmt: skip
    gone = [term for term, df in left if df <= 0]
    if gone:
        conn.execute("DELETE FROM lex_terms WHERE term = ANY(%s)", (gone,))
    conn.execute("DELETE FROM documents WHERE id = %s", (doc,))  # cascades to all its rows
    _add_counts(conn, documents=-1, passages=-int(passages), tokens=-int(tokens),
                units=-int(units))  # fmt: skip
    return True


def _write_letter(conn: psycopg.Connection, rec: LetterRecord, gen: int,
                  written: Written) -> None:  # fmt: skip
    doc = rec.document
    if conn.execute("SELECT 1 FROM documents WHERE doc_id = %s", (doc.doc_id,)).fetchone():
        written.unchanged.append(doc.doc_id)
        return
    same = same_letters(conn, doc, rec.external_id, rec.path if rec.origin == "corpus" else None)
    if same and rec.conflict == "refuse":
        old = same[0]
        raise ConflictError(f"{doc.source} is the same letter as the indexed "
                            f"{old.document.source} ({old.document.key})", old, doc)
    for old in same:
        delete_document(conn, old.document.doc_id)
        written.replaced.append((old.document.doc_id, doc.doc_id))
    marks = ", ".join(["%s"] * len(DOC_COLUMNS))
    doc_key = conn.execute(f"INSERT INTO documents ({', '.join(DOC_COLUMNS)}) VALUES ({marks}) "
                           "RETURNING id", doc_values(rec, gen)).fetchone()[0]  # type: ignore
    conn.execute("INSERT INTO doc_keys SELECT k, %s FROM unnest(%s::text[]) AS k "
                 "ON CONFLICT DO NOTHING", (doc_key, sorted(rec.keys)))  # fmt: skip
    if rec.original:
        conn.execute("INSERT INTO originals VALUES (%s, %s, %s)",
                     (doc_key, rec.original[0], rec.original[1]))  # fmt: skip
    if rec.passages:
        _write_passages(conn, rec, doc_key)
    _add_counts(conn, documents=1, passages=len(rec.passages),
                tokens=sum(len(p.stems) for p in rec.passages),
                units=sum(len(p.kinds) for p in rec.passages))  # fmt: skip
    written.added.append(doc.doc_id)


def _write_passages(conn: psycopg.Connection, rec: LetterRecord, doc_key: int) -> None:
    doc = rec.document
    keys = [r[0] for r in conn.execute("SELECT nextval('passage_keys') FROM generate_series(1, "
                                       "%s) ORDER BY 1", (len(rec.passages),))]  # fmt: skip
    wanted = [p.passage.passage_id for p in rec.passages]
    taken = {r[0] for r in conn.execute("SELECT passage_id FROM passages WHERE passage_id = "
                                        "ANY(%s)", (wanted,))}  # fmt: skip
    day = day_number(doc.date)
    passages, articles, units = [], [], []
    terms: list[str] = []
    for seq, (key, prec) in enumerate(zip(keys, rec.passages)):
        pid = prec.passage.passage_id
        if pid in taken:  # another letter has it: the doc id tells them apart
            pid = f"{pid}@{doc.doc_id[:8]}"
        taken.add(pid)
        passages.append((*passage_values(key, doc_key, seq, pid, prec.passage, len(prec.stems),
                                         prec.procedural),
                         " ".join(prec.stems), schema.tsvector_text(prec.stems)))  # fmt: skip
        articles += [(n, c or "", key) for n, c in prec.articles]
        units += [(unit_id(day, key, i), key, kind, start, end, schema.Half(prec.vectors[i]))
                  for i, (kind, (start, end)) in enumerate(zip(prec.kinds, prec.spans))]
        terms += set(prec.stems)
    with conn.cursor() as cur:
        cur.executemany(f"INSERT INTO passages VALUES ({', '.join(['%s'] * 14)}, %s::tsvector)",
                        passages)  # fmt: skip
        cur.executemany("INSERT INTO articles VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                        articles)  # fmt: skip
        cur.executemany("INSERT INTO units VALUES (%s, %s, %s, %s, %s, %b)", units)
    conn.execute("INSERT INTO lex_terms SELECT t, count(*) FROM unnest(%s::text[]) AS t "
                 "WHERE t <> '' GROUP BY t ON CONFLICT (term) DO UPDATE "
                 "SET df = lex_terms.df + excluded.df", (terms,))  # fmt: skip


def export(conn: psycopg.Connection, doc_id: str, dim: int) -> LetterRecord | None:
    """One letter as a record ready to write into another store (vectors as stored)."""
    row = conn.execute(f"SELECT d.id, {DOC_SHOWN} FROM documents d WHERE d.doc_id = %s",
                       (doc_id,)).fetchone()  # fmt: skip
    if not row:
        return None
    listed = document_row(row[1:])
    kept = conn.execute("SELECT name, data FROM originals WHERE doc = %s", (row[0],)).fetchone()
    keys = {r[0] for r in conn.execute("SELECT key FROM doc_keys WHERE doc = %s", (row[0],))}
    rows = conn.execute(f"SELECT p.id, p.procedural, p.stems, {PASSAGE_SHOWN} FROM passages p "
                        "JOIN documents d ON d.id = p.doc WHERE p.doc = %s ORDER BY p.seq",
                        (row[0],)).fetchall()  # fmt: skip
    pkeys = [r[0] for r in rows]
    units: dict[int, list[tuple[Any, ...]]] = {k: [] for k in pkeys}
    with conn.cursor(binary=True) as cur:
        for unit in cur.execute('SELECT passage, kind, start, "end", vector FROM units WHERE '
                                "passage = ANY(%s) ORDER BY id", (pkeys,)):  # fmt: skip
            units[unit[0]].append(unit)
    cited: dict[int, set[Any]] = {k: set() for k in pkeys}
    for key, number, code in conn.execute("SELECT passage, number, code FROM articles WHERE "
                                          "passage = ANY(%s)", (pkeys,)):  # fmt: skip
        cited[key].add((number, code or None))
    passages = []
    for r in rows:
        mine = units[r[0]]
        vectors = np.vstack([u[4] for u in mine]).astype(np.float16) if mine else \
            np.zeros((0, dim), dtype=np.float16)  # fmt: skip
        passages.append(PassageRecord(
            passage=passage_row(r[3:]), stems=r[2].split(), procedural=bool(r[1]),
            articles=cited[r[0]], kinds=[int(u[1]) for u in mine],
            spans=[(int(u[2]), int(u[3])) for u in mine], vectors=vectors))  # fmt: skip
    return LetterRecord(
        document=listed.document, passages=passages, origin=listed.origin,
        questions_numbered=listed.questions_numbered, keys=keys, path=listed.path,
        size=listed.size, mtime_ns=listed.mtime_ns, external_id=listed.external_id,
        version=listed.version, original=(kept[0], bytes(kept[1])) if kept else None)
