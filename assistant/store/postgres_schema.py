"""PostgreSQL side of the shared store: the URL, connections, errors, schema and vectors.

`postgres.py` holds the Store methods and `postgres_write.py` the write path; what they
share (how to connect, how a psycopg error becomes one clear StoreError line, the tables
and how unit vectors travel as pgvector `halfvec` values) lives here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg_pool import PoolTimeout

from .base import DamagedError, StoreConfig, StoreError
from .integrity import damaged_message

SCHEMA_VERSION = 1  # raised with every change to the tables below
MAX_DIM = 4000  # pgvector indexes halfvec columns of at most 4,000 dimensions
CONNECT_TIMEOUT = 10  # seconds to reach the server before saying it cannot be reached
CREATE_LOCK = 0x4B56_4100  # advisory lock keys ("KVA"): creating the schema, writing
WRITE_LOCK = 0x4B56_4101

# Plain names, as in the embedded store: one index per database (or per schema, chosen
# with the URL's search_path option). `assistant_schema` marks a database as an index.
DDL = """
CREATE TABLE assistant_schema (version integer NOT NULL,
  created timestamptz NOT NULL DEFAULT now());
CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);
CREATE TABLE documents (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  doc_id text COLLATE "C" NOT NULL UNIQUE, kind text NOT NULL, title text NOT NULL,
  source text COLLATE "C" NOT NULL, date text, day integer NOT NULL, ons_kenmerk text,
  uw_kenmerk text, aanhangsel text, questioner text, party text, minister text,
  ministry text, pages integer, origin text NOT NULL, questions_numbered text NOT NULL,
  n_passages integer NOT NULL, path text COLLATE "C", size bigint, mtime_ns bigint,
  external_id text COLLATE "C" UNIQUE, version text, gen bigint NOT NULL);
CREATE INDEX documents_day ON documents (day);
CREATE INDEX documents_path ON documents (path);
CREATE INDEX documents_source ON documents (source);
CREATE TABLE doc_keys (key text COLLATE "C" NOT NULL,
  doc bigint NOT NULL REFERENCES documents ON DELETE CASCADE, PRIMARY KEY (key, doc));
CREATE INDEX doc_keys_doc ON doc_keys (doc);
CREATE TABLE originals (doc bigint PRIMARY KEY REFERENCES documents ON DELETE CASCADE,
  name text NOT NULL, data bytea NOT NULL);
-- Passage keys are never reused (a unit id names one passage's unit) and fill the 32 bits
-- base.unit_id gives them.
CREATE SEQUENCE passage_keys MINVALUE 1 MAXVALUE 4294967295;
CREATE TABLE passages (id bigint PRIMARY KEY,
  doc bigint NOT NULL REFERENCES documents ON DELETE CASCADE, seq integer NOT NULL,
  passage_id text COLLATE "C" NOT NULL UNIQUE, questions text NOT NULL,
  question_text text NOT NULL, answer_text text NOT NULL, page integer, footnotes text NOT NULL,
  refers_to text NOT NULL, n_tokens integer NOT NULL, procedural boolean NOT NULL,
  sample double precision NOT NULL, stems text NOT NULL, lex tsvector NOT NULL);
CREATE INDEX passages_doc ON passages (doc, seq);
CREATE INDEX passages_sample ON passages (sample);
CREATE INDEX passages_lex ON passages USING gin (lex);
-- Passages containing each stemmed term: BM25's df, exact and one lookup per term.
CREATE TABLE lex_terms (term text COLLATE "C" PRIMARY KEY, df integer NOT NULL);
CREATE TABLE articles (number text COLLATE "C" NOT NULL, code text COLLATE "C" NOT NULL,
  passage bigint NOT NULL REFERENCES passages ON DELETE CASCADE,
  PRIMARY KEY (number, code, passage));
CREATE INDEX articles_passage ON articles (passage);
CREATE TABLE units (id bigint PRIMARY KEY,
  passage bigint NOT NULL REFERENCES passages ON DELETE CASCADE, kind smallint NOT NULL,
  start integer NOT NULL, "end" integer NOT NULL, vector halfvec({dim}) NOT NULL);
CREATE INDEX units_passage ON units (passage);
CREATE INDEX units_vector ON units USING hnsw (vector halfvec_ip_ops)
  WITH (m = 16, ef_construction = 200);
"""
# ef_construction 200 (pgvector's default: 64): on archives of near-identical letters (the
# 10k-letter benchmark: copies of real letters, cosine 0.995) recall@50 rises from 0.75 to
# 0.86 at ef_search 100, and to 0.97 at 400.
COUNTERS = ("generation", "documents", "passages", "tokens", "units")


# -- the URL ----------------------------------------------------------------------------
def redact(url: str) -> str:
    """The URL with any password replaced by ***, for messages and `Store.location`."""
    url = re.sub(r"^([a-z]+://[^/:@?#]*:)[^/?#]*@", r"\1***@", url)  # to the last @
    return re.sub(r"([?&]password=)[^&]*", r"\1***", url)


def display_name(url: str) -> str:
    """database@host:port, how messages name the index (never with a password)."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return redact(url)
    host = str(info.get("host") or info.get("hostaddr") or "localhost")
    port = str(info.get("port") or "5432")
    return f"{info.get('dbname') or info.get('user') or 'postgres'} on {host}:{port}"


def conninfo(url: str) -> str:
    """The URL with what the assistant adds: a connection timeout and its name."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error as exc:
        raise StoreError(f"{redact(url)} is not a valid PostgreSQL URL ({_first_line(exc)}); "
                         "write it as postgresql://USER@HOST:PORT/DATABASE") from exc
    extra: dict[str, Any] = {"application_name": "kamervragen-assistant"}
    if "connect_timeout" not in info:
        extra["connect_timeout"] = CONNECT_TIMEOUT
    return psycopg.conninfo.make_conninfo(url, **extra)


# -- errors -----------------------------------------------------------------------------
def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    for prefix in ("connection failed: ", "FATAL:  ", "ERROR:  "):
        text = text.replace(prefix, "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return redact(lines[0] if lines else type(exc).__name__)


def connect_error(name: str, exc: psycopg.Error) -> StoreError:
    """Why a connection failed, and what to do, in one line."""
    text = str(exc)
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        user = re.search(r'for user "([^"]*)"', text)
        who = f"user {user.group(1)}" if user else "the user"
        return StoreError(f"the PostgreSQL server refused {who} for {name} (wrong or missing "
                          "password); set the right one in PGPASSWORD or ~/.pgpass")
    if "does not exist" in low and "database" in low:
        return StoreError(f"there is no database {name}; create it first (for example: "
                          "createdb -h HOST -p PORT -U USER DATABASE)")
    if "refused" in low or "timeout" in low or "could not" in low or "translate host" in low:
        return StoreError(f"cannot reach the PostgreSQL server for {name} "
                          f"({_first_line(exc)}); start it, or correct the host and port "
                          "in the --store URL")
    return StoreError(f"cannot connect to the database {name} ({_first_line(exc)}); "
                      "check the --store URL")


@contextmanager
def errors(name: str, writing: bool = False) -> Iterator[None]:
    """psycopg and pool errors as one clear StoreError line."""
    unchanged = "; nothing was changed" if writing else ""
    try:
        yield
    except StoreError:
        raise
    except PoolTimeout as exc:
        raise StoreError(f"no connection to the database {name} came free in time (is the "
                         f"server down or overloaded?){unchanged}; try again") from exc
    except psycopg.OperationalError as exc:
        raise StoreError(f"lost the connection to the database {name} "
                         f"({_first_line(exc)}){unchanged}; try again") from exc
    except psycopg.Error as exc:
        raise StoreError(f"the database {name} returned an error ({_first_line(exc)})"
                         f"{unchanged}") from exc


# -- the schema -------------------------------------------------------------------------
def read_config(conn: psycopg.Connection, name: str, url: str) -> StoreConfig | None:
    """The index's config; None for a database without an index; StoreError otherwise."""
    row = conn.execute("SELECT to_regclass('assistant_schema'), to_regclass('documents')"
                       ).fetchone()  # fmt: skip
    if row is None or row[0] is None:
        if row is not None and row[1] is not None:
            raise StoreError(f"the database {name} has a table 'documents' that is not an "
                             "assistant index; use another database, or another schema with "
                             "?options=-csearch_path%3DSCHEMA in the URL")
        return None
    versions = [r[0] for r in conn.execute("SELECT version FROM assistant_schema")]
    if len(versions) != 1:
        raise DamagedError(damaged(name, url, f"{len(versions)} rows of schema version"))
    version = versions[0]
    if version != SCHEMA_VERSION:
        todo = "upgrade the assistant" if (version or 0) > SCHEMA_VERSION else \
            f"build a new index in an empty database with: assistant index --store {redact(url)}"
        raise StoreError(f"the database {name} has schema version {version}, this assistant "
                         f"needs {SCHEMA_VERSION}; {todo}")
    if conn.execute("SELECT to_regtype('halfvec')").fetchone()[0] is None:  # type: ignore[index]
        raise StoreError(f"the database {name} holds an index but the pgvector extension "
                         "('vector') is not on the search_path; add its schema to the "
                         "search_path of the user")
    missing = [t for t in TABLES if conn.execute("SELECT to_regclass(%s)", (t,)
                                                 ).fetchone()[0] is None]  # type: ignore[index]
    if missing:
        raise DamagedError(damaged(name, url, f"the table {missing[0]} is missing"))
    meta: dict[str, str] = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    found = meta_problems(meta, vector_dim(conn))
    if found:
        raise DamagedError(damaged(name, url, found[0]))
    return StoreConfig(meta["model"], int(meta["dim"]), meta["units_version"])


TABLES = ("meta", "documents", "doc_keys", "originals", "passages", "lex_terms", "articles",
          "units")  # fmt: skip


def damaged(name: str, url: str, reason: str) -> str:
    """The one line for a damaged index in a database, with the command that mends it."""
    return damaged_message(f"the database {name}", reason,
                           f"assistant index --force --store {redact(url)}")  # fmt: skip


def vector_dim(conn: psycopg.Connection) -> int | None:
    """The dimension the units table's vector column was made with (None: unknown)."""
    row = conn.execute("SELECT atttypmod FROM pg_attribute WHERE attrelid = 'units'::regclass "
                       "AND attname = 'vector'").fetchone()  # fmt: skip
    return int(row[0]) if row and row[0] and row[0] > 0 else None


def meta_problems(meta: dict[str, str], dim: int | None) -> list[str]:
    """What is wrong with the meta rows: counters that are no numbers, missing rows, a
    dimension the vector column does not have."""
    found = [f"meta: the counter {key} is missing" for key in COUNTERS if key not in meta]
    found += [f"meta: the counter {key} is {meta[key][:40]!r}, not a number"
              for key in COUNTERS if key in meta and not meta[key].isdigit()]  # fmt: skip
    found += [f"meta: {key} is missing" for key in ("model", "dim", "units_version")
              if not meta.get(key)]  # fmt: skip
    value = meta.get("dim")
    if value and not value.isdigit():
        found.append(f"meta: the dimension {value[:20]!r} is not a number")
    elif value and dim is not None and int(value) != dim:
        found.append(f"meta gives vectors {value} dimensions, the units table {dim}")
    return found


def create(conn: psycopg.Connection, name: str, url: str, config: StoreConfig) -> None:
    """Tables, indexes and the pgvector extension, in one transaction (all or nothing)."""
    if not 0 < config.dim <= MAX_DIM:
        raise StoreError(f"the model {config.model!r} makes {config.dim}-dimensional vectors; "
                         f"PostgreSQL indexes at most {MAX_DIM}; choose another model")
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (CREATE_LOCK,))
        if read_config(conn, name, url) is not None:
            return  # another process created it meanwhile
        try:
            with conn.transaction():
                conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StoreError(f"the user may not install pgvector in the database {name} "
                             f"({_first_line(exc)}); ask its owner to run: "
                             "CREATE EXTENSION vector") from exc
        except psycopg.Error as exc:
            raise StoreError(f"the PostgreSQL server of {name} has no pgvector extension "
                             f"({_first_line(exc)}); install pgvector 0.7 or newer on the "
                             "server (e.g. the postgresql-NN-pgvector package, or the "
                             "pgvector/pgvector container image)") from exc
        conn.execute(DDL.format(dim=int(config.dim)).encode())
        conn.execute("INSERT INTO assistant_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        values = [(c, "0") for c in COUNTERS] + [
            ("model", config.model), ("dim", str(config.dim)),
            ("units_version", config.units_version)]  # fmt: skip
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO meta VALUES (%s, %s)", values)


# -- vectors on the wire ----------------------------------------------------------------
class Half:
    """A vector to send as pgvector `halfvec` (float16): stored units, index queries."""

    __slots__ = ("values",)

    def __init__(self, values: np.ndarray) -> None:
        self.values = values


class Full:
    """A vector to send as pgvector `vector` (float32): exact scores of a query."""

    __slots__ = ("values",)

    def __init__(self, values: np.ndarray) -> None:
        self.values = values


def _header(values: np.ndarray) -> bytes:
    return int(values.shape[0]).to_bytes(2, "big") + b"\0\0"  # dimension, unused


class _HalfDumper(Dumper):
    format = Format.BINARY  # int16 dim, int16 unused, dim × big-endian float16

    def dump(self, obj: Half) -> bytes:
        return _header(obj.values) + np.asarray(obj.values, dtype=">f2").tobytes()


class _FullDumper(Dumper):
    format = Format.BINARY  # int16 dim, int16 unused, dim × big-endian float32

    def dump(self, obj: Full) -> bytes:
        return _header(obj.values) + np.asarray(obj.values, dtype=">f4").tobytes()


class _HalfLoader(Loader):
    format = Format.BINARY

    def load(self, data: Any) -> np.ndarray:
        return np.frombuffer(bytes(data), dtype=">f2", offset=4)


def vector_oids(conn: psycopg.Connection) -> tuple[int, int]:
    row = conn.execute("SELECT to_regtype('halfvec')::oid, to_regtype('vector')::oid"
                       ).fetchone()  # fmt: skip
    if row is None or not row[0]:
        raise StoreError("the pgvector extension is not installed in this database")
    return int(row[0]), int(row[1])


def register_vectors(conn: psycopg.Connection, oids: tuple[int, int]) -> None:
    """Teach a connection to send Half/Full and read halfvec columns (binary cursors)."""
    half, full = oids
    conn.adapters.register_dumper(Half, type("HalfDumper", (_HalfDumper,), {"oid": half}))
    conn.adapters.register_dumper(Full, type("FullDumper", (_FullDumper,), {"oid": full}))
    conn.adapters.register_loader(half, _HalfLoader)


# -- lexical tokens ---------------------------------------------------------------------
MAX_LEXEME = 2000  # bytes; PostgreSQL refuses longer lexemes (such "words" are noise)
MAX_POSITIONS = 256  # a lexeme keeps at most 256 positions: tf counts up to 256


def tsvector_text(stems: list[str]) -> str:
    """A tsvector literal of the tokens as they are (no parsing, no stemming by PostgreSQL);
    positions 1..tf carry each term's frequency, which the candidate query reads back."""
    counts: dict[str, int] = {}
    for term in stems:
        counts[term] = counts.get(term, 0) + 1
    parts = []
    for term, tf in counts.items():
        if len(term.encode()) > MAX_LEXEME:
            continue
        quoted = term.replace("\\", "\\\\").replace("'", "''")
        positions = ",".join(str(i) for i in range(1, min(tf, MAX_POSITIONS) + 1))
        parts.append(f"'{quoted}':{positions}")
    return " ".join(parts)


def tsquery_text(terms: list[str]) -> str:
    """A tsquery literal matching any of the terms, as they are."""
    quoted = ("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms
              if t and len(t.encode()) <= MAX_LEXEME)  # fmt: skip
    return " | ".join(quoted)
