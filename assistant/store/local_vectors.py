"""The FAISS side of the embedded store: loaded from the newest snapshot, kept in step with
the database (the truth), searched, and written anew when the backlog grows.

Each unit row carries its vector and the change that wrote it, and removed unit ids are
logged, so `current()` loads the snapshot and applies the changes made after it. Above
IVF_MIN units the index is IVF-SQ8 and its candidates are re-scored with the stored vectors.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import faiss
import numpy as np

from . import local_schema as schema
from .base import DamagedError, Filters, day_number, day_range
from .failpoints import reached
from .local_schema import filter_sql, matrix, stored_dim, transaction
from .sql import chunks
from .vectors import IVF_MIN, TRAIN_MAX, LayeredIndex, VectorIndex, nlist_for

# Units added or removed since the last vector snapshot before a new one is written.
SNAPSHOT_BACKLOG = int(os.environ.get("ASSISTANT_SNAPSHOT_BACKLOG", "20000"))
EXACT_MAX = 30_000  # a filter selecting at most this many units is searched exactly


class StoredVectors:
    """The unit vectors of one store's database, searchable (see the module docstring)."""

    def __init__(self, folder: Path, dim: int, db: sqlite3.Connection,
                 lock: threading.RLock) -> None:  # fmt: skip
        self.folder = folder
        self.dim = dim
        self._db = db
        self._lock = lock
        self._index: VectorIndex | LayeredIndex | None = None
        self._gen = -1  # the change the index in memory reflects
        self.bad_snapshot = False  # the snapshot file was damaged: the next compact writes one
        self.warnings: list[str] = []  # for the command to show (a snapshot it could not write)

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        return schema.read_view(self._db, self._lock, self.folder)

    def _meta(self) -> dict[str, str]:
        with self._lock, schema.errors(self.folder):
            return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def loaded(self) -> bool:
        return self._index is not None

    def _load(self) -> VectorIndex | LayeredIndex:
        """The FAISS index, loaded from the newest snapshot and brought up to date."""
        with self._read() as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            gen = int(meta.get("generation", 0))
            floor = int(meta.get("log_floor", 0))
            if self._index is None or self._gen < floor:
                self._index, self._gen = self._snapshot_or_empty(db, meta)
            if self._gen < gen:
                apply_changes(db, self._index, self._gen)
                self._gen = gen
        return self._index

    def _snapshot_or_empty(
            self, db: sqlite3.Connection, meta: dict[str, str],
            mapped: bool = True) -> tuple[VectorIndex | LayeredIndex, int]:  # fmt: skip
        name = meta.get("snapshot_file")
        if name:
            index = open_snapshot(self.folder, meta, self.dim, mapped)
            if index is not None:
                return index, int(meta["snapshot_gen"])
            self.bad_snapshot = True  # derived data: rebuilt from the database, written anew
        return vectors_from_db(db, self.dim), int(meta.get("generation", 0))

    def current(self) -> VectorIndex | LayeredIndex:
        """The index, brought up to the database's latest change."""
        with self._lock:
            if self._index is None or self._gen < int(self._meta().get("generation", 0)):
                return self._load()
            return self._index

    def snapshot(self, force: bool = False) -> bool:
        """Write the FAISS index as of now when the backlog is large (or force); True if so."""
        with self._lock:
            meta = self._meta()
            backlog = int(meta.get("generation_units", 0)) - int(meta.get("snapshot_mark", 0))
            units = int(meta.get("units", 0))
            if not force and backlog < SNAPSHOT_BACKLOG and not self.bad_snapshot:
                return False
            index = self.current()
            gen = self._gen
            if (units >= IVF_MIN) != index.approximate or needs_retrain(index, units):
                index = self._rebuild(units)
                self._index = index
            elif isinstance(index, LayeredIndex):  # mapped: write a full copy brought up to date
                index, gen = self._full()
            name = f"vectors-{gen}-{os.getpid()}.faiss"
            try:
                index.save(self.folder / name)
            except (RuntimeError, OSError) as exc:  # FAISS says RuntimeError for a full disk
                self.warnings.append(
                    f"could not write the vector snapshot in {self.folder} ({_short(exc)}); "
                    "the index works without it (it is made from the database, and written "
                    "by a later command when there is room)")  # fmt: skip
                return False
            reached("snapshot:file")
            size, crc = file_sum(self.folder / name)
            record_snapshot(self._db, name, gen, index.ntotal, self.folder, size, crc)
            self.bad_snapshot = False
            return True

    def _full(self) -> tuple[VectorIndex, int]:
        """The snapshot read whole (changeable), brought up to the database's latest change,
        and that change's number (read in one transaction, so the two agree)."""
        with self._read() as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            index, at = self._snapshot_or_empty(db, meta, mapped=False)
            assert isinstance(index, VectorIndex)
            gen = int(meta.get("generation", 0))
            if at < gen:
                apply_changes(db, index, at)
            return index, gen

    def _rebuild(self, units: int) -> VectorIndex:
        """A new flat or IVF-SQ8 index over every unit (flat below IVF_MIN units)."""
        with self._read() as db:
            if units < IVF_MIN:
                return vectors_from_db(db, self.dim)
            training = training_vectors(db, TRAIN_MAX)
            index = VectorIndex.ivf(self.dim, training, units)
            for ids, vecs in iter_vectors(db):
                index.add(ids, vecs)
            return index

    def nearest(self, query: np.ndarray, n: int,
                      filters: Filters) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Ids and exact cosines of the n best units within the filters, best first."""
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        with self._lock:
            exact = self._exact_rows(filters)
            if exact is not None:
                ids, vecs = exact
                scores = vecs @ query if len(ids) else np.zeros(0, dtype=np.float32)
            else:
                index = self.current()
                id_range = day_range(filters.date_from, filters.date_to) if filters else None
                coverage = self._date_coverage(filters) if filters else 1.0
                ids, scores = index.search(query, n, id_range, coverage)
                if index.approximate:  # re-score the approximate candidates exactly
                    ids, vecs = unit_vectors(self._db, ids)
                    scores = vecs @ query
            if not np.isfinite(scores).all():
                raise DamagedError(f"the index in {self.folder} is damaged (vectors that are "
                                 "not numbers); rebuild it with: assistant index --force")
        order = np.argsort(-scores, kind="stable")[:n]
        return ids[order], scores[order]

    def iter_all(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of every stored unit, in chunks (exhaustive search, benchmarks)."""
        with self._read() as db:
            yield from iter_vectors(db)

    def _exact_rows(self, filters: Filters) -> tuple[np.ndarray, np.ndarray] | None:
        """Unit ids and vectors to search exhaustively when a filter selects few units."""
        if filters.doc_ids:
            return doc_unit_vectors(self._db, filters)
        if not filters:
            return None
        low, high = day_range(filters.date_from, filters.date_to)
        if self._date_coverage(filters) * int(self._meta().get("units", 0)) > EXACT_MAX:
            return None
        return range_unit_vectors(self._db, low, high)

    def _date_coverage(self, filters: Filters) -> float:
        """Share of documents dated within the filter's range (estimates its units)."""
        total = int(self._meta().get("documents", 0)) or 1
        low = day_number(filters.date_from) if filters.date_from else 1
        high = day_number(filters.date_to) if filters.date_to else 1 << 17
        with self._lock, schema.errors(self.folder):
            inside = self._db.execute(
                "SELECT count(*) FROM documents WHERE day BETWEEN ? AND ?",
                                      (max(1, low), high)).fetchone()[0]  # fmt: skip
        return max(inside / total, 1e-4)



# -- rows of vectors ---------------------------------------------------------------------
def iter_vectors(db: sqlite3.Connection, since_gen: int | None = None,
                 size: int = 50_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:  # fmt: skip
    """(ids, vectors) of every unit, or of those written after since_gen, in chunks."""
    dim = stored_dim(db)
    if since_gen is None:
        cur = db.execute("SELECT id, vector FROM units ORDER BY id")
    else:  # by the gen index: ORDER BY id here made SQLite scan every unit (1.5 s at 100k)
        cur = db.execute("SELECT id, vector FROM units WHERE gen > ?", (since_gen,))
    while rows := cur.fetchmany(size):
        yield np.array([r[0] for r in rows], dtype=np.int64), matrix([r[1] for r in rows], dim)


def vectors_from_db(db: sqlite3.Connection, dim: int) -> VectorIndex:
    index = VectorIndex.flat(dim)
    for ids, vecs in iter_vectors(db):
        index.add(ids, vecs)
    return index


def training_vectors(db: sqlite3.Connection, size: int) -> np.ndarray:
    """About `size` stored vectors drawn at random (one pass over the units) to train the
    IVF lists on; unit ids are packed (date, passage, place), so every-k-th-id would not be
    a fair sample."""
    total = int(db.execute("SELECT count(*) FROM units").fetchone()[0])
    step = max(1, total // size)
    rows = db.execute("SELECT vector FROM units WHERE abs(random()) % ? = 0 LIMIT ?",
                      (step, size)).fetchall()  # fmt: skip
    return matrix([r[0] for r in rows], stored_dim(db))


def needs_retrain(index: VectorIndex | LayeredIndex, units: int) -> bool:
    """An IVF index trained for far fewer units than it now holds gets new lists."""
    if not index.approximate:
        return False
    return nlist_for(units) > 2 * faiss.extract_index_ivf(index.index).nlist


def apply_changes(db: sqlite3.Connection, index: VectorIndex | LayeredIndex,
                  since_gen: int) -> None:  # fmt: skip
    """Bring an index at change since_gen up to date: removals first, then additions."""
    removed = [r[0] for r in db.execute("SELECT id FROM removed_units WHERE gen > ?",
                                        (since_gen,))]  # fmt: skip
    index.remove(np.array(removed, dtype=np.int64))
    for ids, vecs in iter_vectors(db, since_gen):
        index.add(ids, vecs)


def record_snapshot(db: sqlite3.Connection, name: str, gen: int, units: int,
                    folder: Path, size: int = 0, crc: int = 0) -> None:  # fmt: skip
    """Point the index at a new snapshot file and forget the removals it includes."""
    with transaction(db):
        current = int(db.execute("SELECT value FROM meta WHERE key = 'snapshot_gen'")
                      .fetchone()[0])  # fmt: skip
        if gen <= current and current:
            (folder / name).unlink(missing_ok=True)
            return
        mark = db.execute("SELECT value FROM meta WHERE key = 'generation_units'").fetchone()[0]
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
            ("snapshot_file", name), ("snapshot_gen", str(gen)), ("snapshot_units", str(units)),
            ("snapshot_mark", str(mark)), ("log_floor", str(gen)),
            ("snapshot_bytes", str(size)), ("snapshot_crc", str(crc))])
        db.execute("DELETE FROM removed_units WHERE gen <= ?", (gen,))
    for old in folder.glob("vectors-*.faiss"):
        match = re.match(r"vectors-(\d+)-", old.name)
        if old.name != name and match and int(match.group(1)) <= gen:
            old.unlink(missing_ok=True)


def file_sum(path: Path) -> tuple[int, int]:
    """Size and CRC-32 of a snapshot file, recorded with it: a snapshot is read only when
    both still match (a flipped byte in a vector is otherwise a wrong score, not an error)."""
    crc = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            crc = zlib.crc32(block, crc)
    return path.stat().st_size, crc


def open_snapshot(folder: Path, meta: dict[str, str], dim: int,
                  mapped: bool = True) -> VectorIndex | LayeredIndex | None:  # fmt: skip
    """The snapshot the meta rows name, when it is whole (the recorded size, checksum (flat
    snapshots, read whole anyway), number of vectors and dimension); None when not."""
    path = folder / meta["snapshot_file"]
    try:
        size, crc = int(meta.get("snapshot_bytes") or 0), int(meta.get("snapshot_crc") or 0)
        if size and path.stat().st_size != size:
            return None
        index = VectorIndex.open(path, crc) if mapped else VectorIndex.load(path, crc)
        if index.ntotal != int(meta.get("snapshot_units", -1)) or index.dim != dim:
            return None
        return index
    except (RuntimeError, OSError, ValueError):
        return None


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) or \
            "No space left" in text or "File too large" in text:  # fmt: skip
        return "the disk is full"
    return text[-160:] or type(exc).__name__


def unit_vectors(db: sqlite3.Connection, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stored (exact) vectors of some units, in the order given (missing ones dropped)."""
    found: dict[int, bytes] = {}
    for part in chunks(ids.tolist()):
        found.update(db.execute(f"SELECT id, vector FROM units WHERE id IN "
                                f"({','.join('?' * len(part))})", part).fetchall())  # fmt: skip
    kept = [i for i in ids.tolist() if i in found]
    return np.array(kept, dtype=np.int64), matrix([found[i] for i in kept], stored_dim(db))


def doc_unit_vectors(db: sqlite3.Connection, filters: Filters) -> tuple[np.ndarray, np.ndarray]:
    docs = filters.doc_ids or []
    join, where, params = filter_sql(Filters(None, filters.date_from, filters.date_to),
                                     ref="u.passage")  # fmt: skip
    rows = db.execute(f"SELECT u.id, u.vector FROM units u JOIN passages up ON up.id = u.passage "
                      f"JOIN documents ud ON ud.id = up.doc {join} WHERE ud.doc_id IN "
                      f"({','.join('?' * len(docs))}) {where}", [*docs, *params]).fetchall()
    return _rows(db, rows)


def range_unit_vectors(db: sqlite3.Connection, low: int,
                       high: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    rows = db.execute("SELECT id, vector FROM units WHERE id >= ? AND id < ?",
                      (low, high)).fetchall()  # fmt: skip
    return _rows(db, rows)




def _rows(db: sqlite3.Connection, rows: list[tuple[int, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([r[0] for r in rows], dtype=np.int64), matrix([r[1] for r in rows],
                                                                  stored_dim(db))  # fmt: skip
