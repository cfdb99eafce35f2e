"""The embedded store's write path: one letter's rows (documents, passages, lexical
tokens, references, units with their vectors), written inside the store's transaction."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from ..documents import Document
from ..ingest.references import document_keys
from . import local_schema as schema
from .base import ConflictError, DocumentRow, LetterRecord, Written, day_number, unit_id
from .sql import doc_values, document_row, passage_values, same_letter_sql


def write_letter(db: sqlite3.Connection, rec: LetterRecord, gen: int, written: Written,
                 folder: Path) -> None:  # fmt: skip
    """One letter's rows, in the write transaction of db (replacing the same letter)."""
    doc = rec.document
    if db.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc.doc_id,)).fetchone():
        written.unchanged.append(doc.doc_id)
        return
    keys = sorted(rec.keys)
    same = same_letters(db, doc, rec.external_id,
                        rec.path if rec.origin == "corpus" else None)  # fmt: skip
    if same and rec.conflict == "refuse":
        old = same[0]
        raise ConflictError(f"{doc.source} is the same letter as the indexed "
                            f"{old.document.source} ({old.document.key})", old, doc)
    for old in same:
        schema.delete_document(db, old.document.doc_id, gen, folder)
        written.replaced.append((old.document.doc_id, doc.doc_id))
    cur = db.execute(f"INSERT INTO documents ({', '.join(schema.DOC_COLUMNS)}) VALUES "
                     f"({','.join('?' * len(schema.DOC_COLUMNS))})", doc_values(rec, gen))
    doc_key = int(cur.lastrowid or 0)
    db.executemany("INSERT OR IGNORE INTO doc_keys VALUES (?, ?)", [(k, doc_key) for k in keys])
    day = day_number(doc.date)
    for seq, prec in enumerate(rec.passages):
        key = schema.next_passage_key(db)
        pid = schema.unique_passage_id(db, prec.passage.passage_id, doc.doc_id)
        db.execute(f"INSERT INTO passages VALUES ({','.join('?' * 13)})", passage_values(
            key, doc_key, seq, pid, prec.passage, len(prec.stems), prec.procedural))
        db.execute("INSERT INTO lex (rowid, stems) VALUES (?, ?)", (key, " ".join(prec.stems)))
        db.executemany("INSERT OR IGNORE INTO articles VALUES (?, ?, ?)",
                       [(n, c or "", key) for n, c in prec.articles])  # fmt: skip
        db.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?)", [
            (unit_id(day, key, i), key, kind, start, end, gen,
             prec.vectors[i].astype(np.float16).tobytes())
            for i, (kind, (start, end)) in enumerate(zip(prec.kinds, prec.spans))])
        schema.add_counts(db, passages=1, tokens=len(prec.stems), units=len(prec.kinds))
    schema.add_counts(db, documents=1)
    written.added.append(doc.doc_id)


def same_letters(db: sqlite3.Connection, doc: Document, external_id: str | None,
                 path: str | None) -> list[DocumentRow]:  # fmt: skip
    keys = sorted(document_keys(doc))
    sql = same_letter_sql("?").format(keys=",".join("?" * len(keys)) or "NULL")
    rows = db.execute(sql, [doc.kind, external_id, path, *keys]).fetchall()
    return [document_row(r) for r in rows if r[0] != doc.doc_id]
