"""The shared store: one PostgreSQL database with pgvector, used by many processes at once.

Tables hold the same fields as the embedded store (documents, doc_keys, passages with
their stemmed tokens and a tsvector over them, lex_terms with each term's df, articles,
units with `halfvec` vectors under an HNSW index, originals, meta). Every write is one
transaction, writers take turns on an advisory lock, and readers see a write as soon as
it commits: nothing is cached in a process except the change counter `refresh` reads.
Connections come from a psycopg_pool pool, so a server process serves threads at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import psycopg
from psycopg_pool import ConnectionPool

from ..documents import Document, Passage
from ..ingest.references import Article, norm_id
from . import postgres_schema as schema
from . import postgres_write as writing
from .base import (
    KINDS,
    DamagedError,
    DocumentRow,
    Filters,
    LetterFacets,
    LetterRecord,
    SignalRows,
    Store,
    StoreConfig,
    StoreError,
    Written,
    day_number,
    unit_passage,
)
from .integrity import READS, first_problem, guard_reads
from .lexical import K1, B, LexStats
from .postgres_filters import LEXICAL_SQL, passage_filter, unit_filter
from .sql import (
    DOC_SHOWN,
    PASSAGE_SHOWN,
    chunks,
    document_row,
    find_documents_query,
    json_list,
    passage_row,
    record_sql,
)
from .sql import letter_facets as facet_rows

# A search whose filters leave at most this many units is exact (a scan in float32);
# above it the HNSW index answers, and candidates are re-scored exactly.
EXACT_MAX = 30_000
EF_SEARCH = 400  # HNSW candidate list, at least 2 × the units asked (recall@50 ≈ 0.97)
MAX_SCAN = 1_000_000  # index tuples a filtered HNSW scan may visit before it stops
POOL_MAX = int(os.environ.get("ASSISTANT_PG_POOL", "8"))  # connections per process
POOL_WAIT = 60.0  # seconds a request waits for a free connection


def has_index(url: str) -> bool:
    """True when the database at url holds an index (or is not empty enough to get one);
    a StoreError when it cannot be reached."""
    name = schema.display_name(url)
    try:
        with psycopg.connect(schema.conninfo(url), autocommit=True) as conn:
            row = conn.execute("SELECT to_regclass('assistant_schema') IS NOT NULL OR "
                               "to_regclass('documents') IS NOT NULL").fetchone()
            return bool(row and row[0])
    except psycopg.Error as exc:
        raise schema.connect_error(name, exc) from exc


@guard_reads(*READS)
class PostgresStore(Store):
    """PostgreSQL + pgvector (see the module docstring)."""

    def __init__(self, url: str, config: StoreConfig, pool: ConnectionPool) -> None:
        self.location = schema.redact(url)  # shown in messages: never the password
        self.name = schema.display_name(url)
        self.config = config
        self._pool = pool
        self._gen = -1

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, create: StoreConfig | None = None) -> PostgresStore:
        """The index in the database at url; with `create`, made there when it has none."""
        name = schema.display_name(url)
        info = schema.conninfo(url)
        try:
            conn = psycopg.connect(info, autocommit=True)
        except psycopg.Error as exc:
            raise schema.connect_error(name, exc) from exc
        try:
            with conn, schema.errors(name):
                config = schema.read_config(conn, name, url)
                if config is None and create is not None:
                    schema.create(conn, name, url, create)
                    config = schema.read_config(conn, name, url)
                if config is None:
                    raise StoreError(f"no index in the database {name}; build one with: "
                                     f"assistant index --store {schema.redact(url)}")
                oids = schema.vector_oids(conn)
        except psycopg.Error as exc:  # the connection broke while closing
            raise schema.connect_error(name, exc) from exc
        pool = ConnectionPool(info, kwargs={"autocommit": True}, min_size=1, max_size=POOL_MAX,
                              open=False, timeout=POOL_WAIT, name="assistant",
                              configure=lambda c: schema.register_vectors(c, oids))  # fmt: skip
        try:
            pool.open(wait=True, timeout=schema.CONNECT_TIMEOUT * 2)
        except Exception as exc:  # PoolTimeout: the server went away since the check
            pool.close()
            raise StoreError(f"cannot open connections to the database {name} ({exc}); "
                             "try again") from exc
        return cls(url, config, pool)

    def close(self) -> None:
        self._pool.close()

    def check(self) -> list[str]:
        """The whole integrity check (postgres_check.problems); [] when the index is sound."""
        from .postgres_check import problems

        with self._snapshot() as conn:
            return problems(conn, self.config.dim)

    def damaged(self, exc: BaseException) -> DamagedError:
        """The line for a value read from the database that did not parse, after the check."""
        try:
            found = self.check()
        except Exception:  # noqa: BLE001  (the check itself failed: report the first error)
            found = []
        return DamagedError(schema.damaged(self.name, self.location, first_problem(found, exc)))

    @contextmanager
    def _conn(self, writing_: bool = False) -> Iterator[psycopg.Connection]:
        with schema.errors(self.name, writing_), self._pool.connection() as conn:
            yield conn

    @contextmanager
    def _snapshot(self) -> Iterator[psycopg.Connection]:
        """One consistent, read-only view of the database for several queries."""
        with self._conn() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield conn

    def _q(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        with self._conn() as conn:
            return conn.execute(sql, params).fetchall()

    # -- change counter ------------------------------------------------------------------
    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    def get_meta(self, key: str) -> str | None:
        rows = self._q("SELECT value FROM meta WHERE key = %s", (key,))
        return rows[0][0] if rows else None

    def refresh(self) -> bool:
        gen = self.generation()
        changed, self._gen = gen != self._gen, gen
        return changed

    # -- documents -----------------------------------------------------------------------
    def counts(self) -> tuple[int, int, int]:
        meta = dict(self._q("SELECT key, value FROM meta WHERE key IN "
                            "('documents', 'passages', 'units')"))  # fmt: skip
        return int(meta.get("documents", 0)), int(meta.get("passages", 0)), \
            int(meta.get("units", 0))  # fmt: skip

    def documents(self, limit: int | None = None, offset: int = 0,
                  origin: str | None = None) -> list[DocumentRow]:  # fmt: skip
        where = "WHERE d.origin = %s" if origin else ""
        params: list[Any] = [origin] if origin else []
        rows = self._q(f"SELECT {DOC_SHOWN} FROM documents d {where} ORDER BY d.day DESC, "
                       "d.doc_id LIMIT %s OFFSET %s", [*params, limit, offset])  # fmt: skip
        return [document_row(r) for r in rows]

    def document(self, doc_id: str) -> DocumentRow | None:
        rows = self._q(f"SELECT {DOC_SHOWN} FROM documents d WHERE d.doc_id = %s", (doc_id,))
        return document_row(rows[0]) if rows else None

    def find_documents(self, ref: str) -> list[DocumentRow]:
        ref = ref.strip()
        if not ref:
            return []
        sql, args = find_documents_query("%s", ref, norm_id(ref))
        return [document_row(r) for r in self._q(sql, args)]

    def same_letters(self, doc: Document, external_id: str | None = None,
                     path: str | None = None) -> list[DocumentRow]:  # fmt: skip
        with self._conn() as conn:
            return writing.same_letters(conn, doc, external_id, path)

    def letter(self, doc_id: str) -> list[Passage]:
        rows = self._q(f"SELECT {PASSAGE_SHOWN} FROM passages p JOIN documents d ON d.id = p.doc "
                       "WHERE d.doc_id = %s ORDER BY p.seq", (doc_id,))  # fmt: skip
        return [passage_row(r) for r in rows]

    def passage_by_id(self, passage_id: str) -> tuple[Passage, Document] | None:
        rows = self._q(f"SELECT {PASSAGE_SHOWN}, {DOC_SHOWN} FROM passages p JOIN documents d "
                       "ON d.id = p.doc WHERE p.passage_id = %s", (passage_id,))  # fmt: skip
        if not rows:
            return None
        return passage_row(rows[0][:8]), document_row(rows[0][8:]).document

    def original(self, doc_id: str) -> tuple[str, bytes] | None:
        rows = self._q("SELECT o.name, o.data FROM originals o JOIN documents d ON d.id = o.doc "
                       "WHERE d.doc_id = %s", (doc_id,))  # fmt: skip
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def export(self, doc_id: str) -> LetterRecord | None:
        with self._snapshot() as conn:
            return writing.export(conn, doc_id, self.config.dim)

    # -- signals -------------------------------------------------------------------------
    def vector_candidates(self, query: np.ndarray, n: int,
                          filters: Filters) -> list[tuple[int, float]]:  # fmt: skip
        ids, scores = self.nearest_units(query, n, filters)
        best: dict[int, float] = {}
        for key, value in zip(unit_passage(ids).tolist(), scores.tolist()):
            best.setdefault(int(key), float(value))
        return list(best.items())

    def nearest_units(self, query: np.ndarray, n: int,
                      filters: Filters) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Ids and exact cosines of the n best units within the filters, best first."""
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        where, params = unit_filter(filters)
        selected, units = self._units_selected(filters), self.counts()[2]
        exact = bool(filters.doc_ids) or selected <= EXACT_MAX
        score = "-(u.vector::vector <#> %(full)s)"  # float32, as the embedded store scores
        params.update(full=schema.Full(query), half=schema.Half(query), n=n)
        with self._conn() as conn, conn.transaction():
            if exact:
                sql = (f"SELECT u.id, {score} AS s FROM units u WHERE true {where} "
                       "ORDER BY s DESC, u.id LIMIT %(n)s")
            else:  # filtered HNSW scans go on until they have n rows (pgvector ≥ 0.8)
                # A filter keeping a share s of the units needs about n / s index tuples.
                scan = min(MAX_SCAN, max(20_000, int(4 * n * units / max(selected, 1))))
                conn.execute("SELECT set_config('hnsw.ef_search', %s, true), "
                             "set_config('hnsw.iterative_scan', 'relaxed_order', true), "
                             "set_config('hnsw.max_scan_tuples', %s, true)",
                             (str(min(1000, max(EF_SEARCH, 2 * n))), str(scan)))  # fmt: skip
                sql = (f"SELECT u.id, {score} AS s FROM units u WHERE true {where} "
                       "ORDER BY u.vector <#> %(half)s LIMIT %(n)s")
            rows = conn.execute(sql, params).fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        scores = np.array([r[1] for r in rows], dtype=np.float64)
        if not np.isfinite(scores).all():
            raise DamagedError(schema.damaged(self.name, self.location,
                                              "vectors that are not numbers"))  # fmt: skip
        order = np.argsort(-scores, kind="stable")  # relaxed order: sort exactly here
        return ids[order], scores[order]

    def iter_unit_vectors(self, size: int = 20_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of every stored unit, in chunks (exhaustive search, benchmarks)."""
        last = -1
        while True:
            with self._conn() as conn, conn.cursor(binary=True) as cur:
                rows = cur.execute("SELECT id, vector FROM units WHERE id > %s ORDER BY id "
                                   "LIMIT %s", (last, size)).fetchall()  # fmt: skip
            if not rows:
                return
            last = rows[-1][0]
            yield (np.array([r[0] for r in rows], dtype=np.int64),
                   np.vstack([r[1] for r in rows]).astype(np.float32))

    def _units_selected(self, filters: Filters) -> float:
        """Units a filter leaves (estimated from the share of documents dated within it)."""
        docs, _, units = self.counts()
        if not filters.date_from and not filters.date_to:
            return units
        low = day_number(filters.date_from) if filters.date_from else 1
        high = day_number(filters.date_to) if filters.date_to else 1 << 17
        inside = self._q("SELECT count(*) FROM documents WHERE day BETWEEN %s AND %s",
                         (max(1, low), high))[0][0]  # fmt: skip
        return units * inside / max(docs, 1)

    def lexical_stats(self, terms: Sequence[str]) -> LexStats:
        rows = self._q("SELECT 0, key, value::bigint FROM meta WHERE key IN ('passages', "
                       "'tokens') UNION ALL SELECT 1, term, df FROM lex_terms WHERE term = "
                       "ANY(%s) AND df > 0", (sorted(set(terms)),))  # fmt: skip
        meta = {key: int(value) for tag, key, value in rows if tag == 0}
        df = {key: int(value) for tag, key, value in rows if tag == 1}
        n = meta.get("passages", 0)
        return LexStats(n, meta.get("tokens", 0) / n if n else 0.0, df)

    def lexical_candidates(self, terms: Sequence[str], n: int, filters: Filters) -> list[int]:
        """Passages with any term, best first by the same BM25 the search computes: idf
        from lex_terms, tf from the tsvector's positions (1..tf), length from n_tokens."""
        query = schema.tsquery_text(sorted(set(terms)))
        if not query or n <= 0:
            return []
        join, where, params = passage_filter(filters, "p")
        params.update(terms=sorted(set(terms)), query=query, n=n, k1=K1, b=B)
        sql = LEXICAL_SQL.format(join=join, where=where)
        return [r[0] for r in self._q(sql, params)]

    def sample(self, size: int) -> list[int]:
        return [r[0] for r in self._q("SELECT id FROM passages ORDER BY sample, id LIMIT %s",
                                      (size,))]  # fmt: skip

    def signal_rows(self, keys: Sequence[int]) -> SignalRows:
        keys = list(keys)
        units: list[tuple[Any, ...]] = []
        flags: dict[int, tuple[int, bool, str, str]] = {}
        with self._snapshot() as conn, conn.cursor(binary=True) as cur:
            for part in chunks(keys):  # in slices, ordered as the embedded store orders them
                units += cur.execute('SELECT passage, kind, start, "end", vector FROM units '
                                     "WHERE passage = ANY(%s) ORDER BY id", (list(part),)
                                     ).fetchall()  # fmt: skip
                flags.update((r[0], r[1:]) for r in cur.execute(
                    "SELECT id, n_tokens, procedural, questions, stems FROM passages "
                    "WHERE id = ANY(%s)", (list(part),)))  # fmt: skip
        if any(k not in flags for k in keys):
            keys = [k for k in keys if k in flags]  # removed meanwhile by another process
        pos = {k: i for i, k in enumerate(keys)}
        units = [u for u in units if u[0] in pos]
        vectors = np.vstack([u[4] for u in units]).astype(np.float32) if units else \
            np.zeros((0, self.config.dim), dtype=np.float32)  # fmt: skip
        if any(not 0 <= u[1] < len(KINDS) for u in units):
            raise DamagedError(schema.damaged(self.name, self.location, "units of an unknown kind"))
        if not np.isfinite(vectors).all():
            raise DamagedError(schema.damaged(self.name, self.location,
                                              "unit vectors that are not numbers"))  # fmt: skip
        return SignalRows(
            keys=keys,
            owner=np.array([pos[u[0]] for u in units], dtype=np.int64),
            kind=np.array([u[1] for u in units], dtype=np.int8),
            start=np.array([u[2] for u in units], dtype=np.int32),
            end=np.array([u[3] for u in units], dtype=np.int32),
            vectors=vectors,
            stems=[flags[k][3] for k in keys],
            n_tokens=np.array([flags[k][0] for k in keys], dtype=np.int64),
            procedural=np.array([bool(flags[k][1]) for k in keys], dtype=bool),
            questions=[json_list(flags[k][2], int, "passages.questions") for k in keys],
        )

    def reference_docs(self, refs: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        rows = self._q("SELECT k.key, d.doc_id FROM doc_keys k JOIN documents d ON d.id = k.doc "
                       "WHERE k.key = ANY(%s) ORDER BY d.day DESC, d.id",
                       (sorted(set(refs)),))  # fmt: skip
        for key, doc_id in rows:
            found.setdefault(key, []).append(doc_id)
        return found

    def doc_passages(self, doc_ids: Sequence[str], filters: Filters) -> list[int]:
        join, where, params = passage_filter(filters, "p")
        params["docs"] = list(doc_ids)
        rows = self._q(f"SELECT p.id FROM passages p {join} JOIN documents dd ON dd.id = p.doc "
                       f"WHERE dd.doc_id = ANY(%(docs)s) {where} "
                       "ORDER BY dd.day DESC, dd.id, p.seq", params)  # fmt: skip
        return [r[0] for r in rows]

    def article_passages(self, articles: Sequence[Article], filters: Filters,
                         limit: int) -> dict[int, set[Article]]:  # fmt: skip
        numbers = sorted({number for number, _ in articles})
        if not numbers:
            return {}
        join, where, params = passage_filter(filters, "a", "passage")
        params.update(numbers=numbers, limit=limit)
        # In the order the embedded store finds them: by article number, code, passage.
        keys = [r[0] for r in self._q(
            f"SELECT a.passage FROM articles a {join} WHERE a.number = ANY(%(numbers)s) "
            f"{where} GROUP BY a.passage ORDER BY min(a.number || chr(1) || a.code), a.passage "
            "LIMIT %(limit)s", params)]  # fmt: skip
        cited: dict[int, set[Article]] = {k: set() for k in keys}
        for key, number, code in self._q("SELECT passage, number, code FROM articles WHERE "
                                         "passage = ANY(%s)", (keys,)):  # fmt: skip
            cited[key].add((number, code or None))
        return cited

    def hits(self, keys: Sequence[int]) -> dict[int, tuple[Passage, Document]]:
        rows = self._q(f"SELECT p.id, {PASSAGE_SHOWN}, {DOC_SHOWN} FROM passages p JOIN "
                       "documents d ON d.id = p.doc WHERE p.id = ANY(%s)", (list(keys),))
        return {row[0]: (passage_row(row[1:9]), document_row(row[9:]).document) for row in rows}

    def referred(self, key: int, passage: Passage) -> list[Passage]:
        if not passage.refers_to:
            return []
        rows = self._q(f"SELECT {PASSAGE_SHOWN} FROM passages p JOIN documents d ON d.id = p.doc "
                       "WHERE p.doc = (SELECT doc FROM passages WHERE id = %s) AND p.id != %s "
                       "ORDER BY p.seq", (key, key))  # fmt: skip
        wanted = set(passage.refers_to)
        return [p for p in map(passage_row, rows) if wanted & set(p.questions)]

    def letter_facets(self, keys: Sequence[int],
                      wanted: dict[str, list[str]]) -> LetterFacets:  # fmt: skip
        sql, params = record_sql("strpos", "SELECT unnest(%s::bigint[])", "%s", wanted)
        return facet_rows(self._q(sql, [[int(k) for k in keys], *params]))

    # -- writing -------------------------------------------------------------------------
    def write(self, add: Sequence[LetterRecord] = (), remove: Sequence[str] = (),
              meta: dict[str, str] | None = None) -> Written:  # fmt: skip
        with self._conn(writing_=True) as conn:
            return writing.write(conn, add, remove, meta or {})

