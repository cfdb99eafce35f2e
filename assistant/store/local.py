"""The embedded store: one folder with an SQLite database and FAISS vector snapshots.

    embeddings/
      config.json          format, model, dimension (written once, when created)
      index.db             SQLite (WAL): documents, passages, units + vectors (float16),
                           FTS5 lexical index, references, change counter
      vectors-<gen>.faiss  the FAISS index as of change <gen> (derived; rebuilt if lost)
      added/               the original files of letters a user added (kept for rebuilds)

Every change is one SQLite transaction, so `kill -9` at any moment leaves the old state
or the new one, and writers in several processes take turns (WAL, a busy timeout). The
database is the truth: each unit row carries its vector and the change that wrote it, and
a log records removed unit ids, so a reader loads the newest FAISS snapshot and applies
the changes made after it (`refresh`). A new snapshot is written only when that backlog
grows past SNAPSHOT_BACKLOG, at the end of a command that changed letters (`compact`),
never on every write: a bulk build writes it once.

Nothing read from the folder is trusted (local_check.py): opening checks the tables, the
meta counters and config.json; a row that does not parse runs the integrity check and is
one "damaged" line; a snapshot whose size or checksum is off is rebuilt from the database.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

from ..documents import Document, Passage
from ..ingest.references import Article, norm_id
from . import local_check
from . import local_schema as schema
from .base import (
    DamagedError,
    DocumentRow,
    Filters,
    LetterFacets,
    LetterRecord,
    PassageRecord,
    SignalRows,
    Store,
    StoreConfig,
    StoreError,
    Written,
    unit_passage,
)
from .failpoints import reached
from .integrity import READS, damaged_message, first_problem, guard_reads
from .lexical import LexStats
from .local_folder import read_config
from .local_vectors import StoredVectors
from .local_write import same_letters, write_letter
from .sql import (
    DOC_SHOWN,
    PASSAGE_SHOWN,
    chunks,
    document_row,
    find_documents_query,
    passage_row,
    record_sql,
)
from .sql import letter_facets as facet_rows
from .vectors import LayeredIndex, VectorIndex

BUSY_TIMEOUT_MS = 120_000  # a writer waits this long for another writer to finish


@guard_reads(*READS, "snapshot", "compact")
class LocalStore(Store):
    """SQLite + FAISS in one folder (see the module docstring)."""

    def __init__(self, folder: Path, config: StoreConfig, db: sqlite3.Connection) -> None:
        self.folder = folder
        self.location = str(folder)
        self.config = config
        self._db = db
        self._lock = threading.RLock()
        self._vectors = StoredVectors(folder, config.dim, db, self._lock)
        self._gen = -1

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: Path) -> LocalStore:
        folder = Path(folder)
        config = read_config(folder)
        with schema.errors(folder):
            db = schema.connect(folder, BUSY_TIMEOUT_MS)
        try:
            with schema.errors(folder):
                config.units_version = local_check.validate_open(folder, db, config)
        except StoreError:
            db.close()
            raise
        return cls(folder, config, db)

    def check(self) -> list[str]:
        """The whole integrity check (local_check.problems); [] when the index is sound."""
        with self._lock:
            return local_check.problems(self.folder, self._db, self.config)

    def damaged(self, exc: BaseException) -> DamagedError:
        """The line for a value read from disk that did not parse, after the check."""
        try:
            found = self.check()
        except Exception:  # noqa: BLE001  (the check itself failed: report the first error)
            found = []
        return DamagedError(damaged_message(self.location, first_problem(found, exc)))

    @classmethod
    def create(cls, folder: Path, config: StoreConfig) -> LocalStore:
        folder = Path(folder)
        schema.create(folder, config, BUSY_TIMEOUT_MS)
        return cls.open(folder)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        return schema.read_view(self._db, self._lock, self.folder)

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock, schema.errors(self.folder):
            return self._db.execute(sql, params).fetchall()

    # -- change counter ------------------------------------------------------------------
    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    def get_meta(self, key: str) -> str | None:
        rows = self._q("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def refresh(self) -> bool:
        gen = self.generation()
        if gen == self._gen:
            return False
        self._gen = gen
        if self._vectors.loaded():
            self._vectors.current()
        return True

    def vectors(self) -> VectorIndex | LayeredIndex:
        return self._vectors.current()

    def snapshot(self, force: bool = False) -> bool:
        """Write the FAISS index as of now when the backlog is large (or force); True if so."""
        return self._vectors.snapshot(force)

    def compact(self, force: bool = False) -> None:
        self.snapshot(force)

    def take_warnings(self) -> list[str]:
        taken, self._vectors.warnings = self._vectors.warnings, []
        return taken

    def nearest_units(self, query: np.ndarray, n: int,
                      filters: Filters) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Ids and exact cosines of the n best units within the filters, best first."""
        return self._vectors.nearest(query, n, filters)

    def iter_unit_vectors(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of every stored unit, in chunks (exhaustive search, benchmarks)."""
        return self._vectors.iter_all()

    # -- documents -----------------------------------------------------------------------
    def counts(self) -> tuple[int, int, int]:
        meta = dict(self._q("SELECT key, value FROM meta WHERE key IN "
                            "('documents', 'passages', 'units')"))  # fmt: skip
        return int(meta.get("documents", 0)), int(meta.get("passages", 0)), \
            int(meta.get("units", 0))  # fmt: skip

    def documents(self, limit: int | None = None, offset: int = 0,
                  origin: str | None = None) -> list[DocumentRow]:  # fmt: skip
        where = "WHERE d.origin = ?" if origin else ""
        params: list[Any] = [origin] if origin else []
        rows = self._q(f"SELECT {DOC_SHOWN} FROM documents d {where} ORDER BY d.day DESC, "
                       f"d.doc_id LIMIT ? OFFSET ?", [*params, limit or -1, offset])  # fmt: skip
        return [document_row(r) for r in rows]

    def document(self, doc_id: str) -> DocumentRow | None:
        rows = self._q(f"SELECT {DOC_SHOWN} FROM documents d WHERE d.doc_id = ?", (doc_id,))
        return document_row(rows[0]) if rows else None

    def find_documents(self, ref: str) -> list[DocumentRow]:
        ref = ref.strip()
        if not ref:
            return []
        sql, args = find_documents_query("?", ref, norm_id(ref))
        return [document_row(r) for r in self._q(sql, args)]

    def same_letters(self, doc: Document, external_id: str | None = None,
                     path: str | None = None) -> list[DocumentRow]:  # fmt: skip
        with self._lock, schema.errors(self.folder):
            return same_letters(self._db, doc, external_id, path)

    def letter(self, doc_id: str) -> list[Passage]:
        rows = self._q(f"SELECT {PASSAGE_SHOWN} FROM passages p JOIN documents d ON d.id = p.doc "
                       "WHERE d.doc_id = ? ORDER BY p.seq", (doc_id,))  # fmt: skip
        return [passage_row(r) for r in rows]

    def passage_by_id(self, passage_id: str) -> tuple[Passage, Document] | None:
        rows = self._q(f"SELECT {PASSAGE_SHOWN}, {DOC_SHOWN} FROM passages p JOIN documents d "
                       "ON d.id = p.doc WHERE p.passage_id = ?", (passage_id,))  # fmt: skip
        if not rows:
            return None
        return passage_row(rows[0][:8]), document_row(rows[0][8:]).document

    def original(self, doc_id: str) -> tuple[str, bytes] | None:
        return schema.read_original(self.folder, doc_id)

    def export(self, doc_id: str) -> LetterRecord | None:
        with self._read() as db:
            row = db.execute(f"SELECT d.id, {DOC_SHOWN} FROM documents d WHERE d.doc_id = ?",
                             (doc_id,)).fetchone()  # fmt: skip
            if not row:
                return None
            keys = {r[0] for r in db.execute("SELECT key FROM doc_keys WHERE doc = ?", row[:1])}
            rows = db.execute(f"SELECT p.id, p.procedural, l.stems, {PASSAGE_SHOWN} FROM "
                              "passages p JOIN documents d ON d.id = p.doc JOIN lex l ON "
                              "l.rowid = p.id WHERE p.doc = ? ORDER BY p.seq", row[:1]).fetchall()
            units: dict[int, list[Any]] = {r[0]: [] for r in rows}
            cited: dict[int, set[Article]] = {r[0]: set() for r in rows}
            for part in chunks(list(units)):
                marks = ",".join("?" * len(part))
                for u in db.execute(f'SELECT passage, kind, start, "end", vector FROM units '
                                    f"WHERE passage IN ({marks}) ORDER BY id", part):
                    units[u[0]].append(u)
                for key, number, code in db.execute("SELECT passage, number, code FROM articles "
                                                    f"WHERE passage IN ({marks})", part):
                    cited[key].add((number, code or None))
        dim, listed = self.config.dim, document_row(row[1:])
        passages = [PassageRecord(
            passage_row(r[3:]), r[2].split(), bool(r[1]), cited[r[0]],
            [u[1] for u in units[r[0]]], [(u[2], u[3]) for u in units[r[0]]],
            np.frombuffer(b"".join(u[4] for u in units[r[0]]), np.float16).reshape(-1, dim))
            for r in rows]  # fmt: skip
        return LetterRecord(listed.document, passages, listed.origin, listed.questions_numbered,
                            keys, listed.path, listed.size, listed.mtime_ns, listed.external_id,
                            listed.version, self.original(doc_id))  # fmt: skip

    # -- signals -------------------------------------------------------------------------
    def vector_candidates(self, query: np.ndarray, n: int,
                          filters: Filters) -> list[tuple[int, float]]:  # fmt: skip
        ids, scores = self._vectors.nearest(query, n, filters)
        best: dict[int, float] = {}
        for key, score in zip(unit_passage(ids).tolist(), scores.tolist()):
            best.setdefault(int(key), float(score))
        return list(best.items())

    def lexical_stats(self, terms: Sequence[str]) -> LexStats:
        meta = dict(self._q("SELECT key, value FROM meta WHERE key IN ('passages', 'tokens')"))
        n = int(meta.get("passages", 0))
        df: dict[str, int] = {}
        distinct = sorted(set(terms))
        if distinct:
            marks = ",".join("?" * len(distinct))
            df = dict(self._q(f"SELECT term, doc FROM lex_vocab WHERE term IN ({marks})",
                              distinct))  # fmt: skip
        return LexStats(n, int(meta.get("tokens", 0)) / n if n else 0.0, df)

    def lexical_candidates(self, terms: Sequence[str], n: int, filters: Filters) -> list[int]:
        if not terms or n <= 0:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in sorted(set(terms)))
        join, where, params = schema.filter_sql(filters)
        sql = (f"SELECT lex.rowid FROM lex {join} WHERE lex MATCH ? {where} "
               "ORDER BY bm25(lex), lex.rowid LIMIT ?")  # bm25(): 25% faster than rank
        return [r[0] for r in self._q(sql, [match, *params, n])]

    def sample(self, size: int) -> list[int]:
        return [r[0] for r in self._q("SELECT id FROM passages ORDER BY sample LIMIT ?", (size,))]

    def signal_rows(self, keys: Sequence[int]) -> SignalRows:
        with self._read() as db:
            return schema.signal_rows(db, list(keys), self.config.dim, self.folder)

    def reference_docs(self, refs: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for part in chunks(sorted(set(refs))):
            rows = self._q("SELECT k.key, d.doc_id FROM doc_keys k JOIN documents d ON "
                           f"d.id = k.doc WHERE k.key IN ({','.join('?' * len(part))}) "
                           "ORDER BY d.day DESC", part)  # fmt: skip
            for key, doc_id in rows:
                found.setdefault(key, []).append(doc_id)
        return found

    def doc_passages(self, doc_ids: Sequence[str], filters: Filters) -> list[int]:
        join, where, params = schema.filter_sql(filters, alias="p")
        marks = ",".join("?" * len(doc_ids))
        rows = self._q(f"SELECT p.id FROM passages p {join} JOIN documents dd ON dd.id = p.doc "
                       f"WHERE dd.doc_id IN ({marks}) {where} ORDER BY dd.day DESC, p.seq",
                       [*doc_ids, *params])  # fmt: skip
        return [r[0] for r in rows]

    def article_passages(self, articles: Sequence[Article], filters: Filters,
                         limit: int) -> dict[int, set[Article]]:  # fmt: skip
        numbers = sorted({number for number, _ in articles})
        if not numbers:
            return {}
        join, where, params = schema.filter_sql(filters, alias="a", column="passage")
        marks = ",".join("?" * len(numbers))
        keys = [r[0] for r in self._q(
            f"SELECT DISTINCT a.passage FROM articles a {join} WHERE a.number IN ({marks}) "
            f"{where} LIMIT ?", [*numbers, *params, limit])]  # fmt: skip
        cited: dict[int, set[Article]] = {k: set() for k in keys}
        for part in chunks(keys):
            for key, number, code in self._q(
                    f"SELECT passage, number, code FROM articles WHERE passage IN "
                    f"({','.join('?' * len(part))})", part):  # fmt: skip
                cited[key].add((number, code or None))
        return cited

    def hits(self, keys: Sequence[int]) -> dict[int, tuple[Passage, Document]]:
        out: dict[int, tuple[Passage, Document]] = {}
        for part in chunks(list(keys)):
            rows = self._q(f"SELECT p.id, {PASSAGE_SHOWN}, {DOC_SHOWN} FROM passages p JOIN "
                           f"documents d ON d.id = p.doc WHERE p.id IN "
                           f"({','.join('?' * len(part))})", part)  # fmt: skip
            for row in rows:
                out[row[0]] = (passage_row(row[1:9]), document_row(row[9:]).document)
        return out

    def referred(self, key: int, passage: Passage) -> list[Passage]:
        if not passage.refers_to:
            return []
        rows = self._q(f"SELECT {PASSAGE_SHOWN} FROM passages p JOIN documents d ON d.id = p.doc "
                       "WHERE p.doc = (SELECT doc FROM passages WHERE id = ?) AND p.id != ? "
                       "ORDER BY p.seq", (key, key))  # fmt: skip
        wanted = set(passage.refers_to)
        return [p for p in map(passage_row, rows) if wanted & set(p.questions)]

    def letter_facets(self, keys: Sequence[int],
                      wanted: dict[str, list[str]]) -> LetterFacets:  # fmt: skip
        sql, params = record_sql("instr", "SELECT value FROM json_each(?)", "?", wanted)
        return facet_rows(self._q(sql, [json.dumps([int(k) for k in keys]), *params]))

    # -- writing -------------------------------------------------------------------------
    def write(self, add: Sequence[LetterRecord] = (), remove: Sequence[str] = (),
              meta: dict[str, str] | None = None) -> Written:  # fmt: skip
        written = Written()
        with schema.errors(self.folder):
            originals = [schema.save_original(self.folder, rec) for rec in add if rec.original]
        try:
            with self._lock, schema.errors(self.folder), schema.transaction(self._db) as db:
                gen = schema.next_generation(db)
                reached("write:begin")
                for doc_id in remove:
                    if schema.delete_document(db, doc_id, gen, self.folder):
                        written.removed.append(doc_id)
                for rec in add:
                    write_letter(db, rec, gen, written, self.folder)
                for key, value in (meta or {}).items():
                    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
                    if key == "units_version":
                        self.config.units_version = value
                if written.added or written.removed:  # readers reload only after a change
                    schema.set_generation(db, gen)
                reached("write:rows")
        except BaseException:
            for path in originals:  # the letter did not land: neither does its file
                if path and path.exists() and not schema.original_in_use(self._db, path):
                    path.unlink()
            raise
        reached("write:committed")
        schema.drop_unused_originals(
            self.folder, [*written.removed, *(old for old, _ in written.replaced)], self._db)
        return written


def is_local_index(folder: Path) -> bool:
    return (Path(folder) / schema.CONFIG).is_file()

