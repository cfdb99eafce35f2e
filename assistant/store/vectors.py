"""FAISS over unit vectors, by unit id: exact below IVF_MIN units, IVF-SQ8 above.

Exact search (a flat inner-product index) is cheapest to keep and exact up to some
hundred thousand units. Above IVF_MIN the vectors go into an inverted-file index with
8-bit scalar quantisation: 384 bytes a unit instead of 1,536, so the four million units of
the whole archive take ~1.5 GB, memory-mapped by readers (see LayeredIndex). Its scores
are off by ~0.001, far less than the product quantiser's (48 bytes a unit: recall@50 fell to 0.6–0.9
on archives of near-identical letters, where SQ8 kept 1.0); the store re-scores the best
REFINE × n candidates with the exact vectors it keeps, so the ranking it returns is exact
for the candidates found (benchmarks/bench_scale.py prints recall@50 against exhaustive
search). Both kinds add and remove vectors by id in place, and restrict a search to an id
range (a date range; see base.unit_id).
"""

from __future__ import annotations

import math
import os
import zlib
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from .failpoints import failpoint

IVF_MIN = 100_000  # units; below: exact flat index (at most ~150 MB of float32)
NPROBE = 48  # inverted lists visited per query (of NLIST); tuned in bench_scale
REFINE = 6  # approximate candidates per wanted unit, re-scored exactly by the store
TRAIN_MAX = 100_000  # vectors used to train the IVF quantisers (~2 minutes on 2 cores)


def nlist_for(units: int) -> int:
    """Inverted lists: ~4·√units (1,024 at 65k, 8,000 at 4M), at least 64."""
    return max(64, int(4 * math.sqrt(units)))


class VectorIndex:
    """Unit vectors searchable by inner product (cosine on unit vectors), keyed by id."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index
        self.approximate = isinstance(faiss.downcast_index(index), faiss.IndexIVF)

    @classmethod
    def flat(cls, dim: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def ivf(cls, dim: int, training: np.ndarray, units: int) -> VectorIndex:
        """An empty IVF-SQ8 index trained on a sample of the vectors it will hold."""
        nlist = min(nlist_for(units), max(1, len(training) // 39))  # FAISS wants ≥39 per list
        index = faiss.index_factory(dim, f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT)
        faiss.extract_index_ivf(index).cp.niter = 10  # k-means rounds: 25 barely improve lists
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # training and adding use every core
        index.train(np.ascontiguousarray(training, dtype=np.float32))
        return cls(index)

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) > 10_000:
            faiss.omp_set_num_threads(os.cpu_count() or 1)
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                    np.ascontiguousarray(ids, dtype=np.int64))  # fmt: skip

    def remove(self, ids: np.ndarray) -> int:
        if not len(ids):
            return 0
        return int(self.index.remove_ids(faiss.IDSelectorBatch(
            np.ascontiguousarray(ids, dtype=np.int64))))  # fmt: skip

    def search(self, query: np.ndarray, n: int, id_range: tuple[int, int] | None = None,
               coverage: float = 1.0,
               hidden: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Ids and scores of the best units, best first (approximate for IVF: see REFINE).

        id_range restricts to ids in [low, high); coverage (0–1] is the share of units the
        range holds, so a narrow range visits more inverted lists; hidden ids are left out.
        """
        if not self.ntotal or n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        selector: Any = faiss.IDSelectorRange(*id_range) if id_range else None
        if hidden is not None and len(hidden):
            batch = faiss.IDSelectorBatch(hidden)
            unhidden = faiss.IDSelectorNot(batch)
            selector = faiss.IDSelectorAnd(selector, unhidden) if selector else unhidden
            selector.referenced = (batch, unhidden)  # keep the parts alive during the search
        if self.approximate:
            ivf = faiss.extract_index_ivf(self.index)
            nprobe = min(ivf.nlist, int(NPROBE / max(coverage, 1e-3)))
            params: Any = faiss.SearchParametersIVF(nprobe=nprobe, sel=selector)  # type: ignore[call-arg]
            k = n * REFINE
        else:
            params = faiss.SearchParameters(sel=selector) if selector else None  # type: ignore[call-arg]
            k = n
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        faiss.omp_set_num_threads(1)  # one query: threads only add start-up and contention
        scores, ids = self.index.search(query, min(k, self.ntotal), params=params)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def save(self, path: Path) -> None:
        """Write atomically: a temporary file, flushed to disk, renamed into place."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            faiss.write_index(self.index, str(tmp))
            failpoint("snapshot:write")
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path, crc: int = 0) -> VectorIndex:
        """The index in a file read whole; with crc, only when the file's CRC-32 matches."""
        data = path.read_bytes()
        if crc and zlib.crc32(data) != crc:
            raise ValueError(f"{path.name} does not match its checksum")
        return cls(faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8)))

    @classmethod
    def open(cls, path: Path, crc: int = 0) -> VectorIndex | LayeredIndex:
        """An index file for searching: an IVF snapshot is memory-mapped (a search reads only
        the lists it probes, so a new process starts in milliseconds and processes share the
        pages) under a LayeredIndex, since a mapped index cannot change; a flat one is read."""
        try:
            mapped = cls(faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC))
        except RuntimeError:  # e.g. a file system without mmap: read it whole (or fail so)
            return cls.load(path, crc)
        if not mapped.approximate:
            return cls.load(path, crc)
        return LayeredIndex(mapped)


class LayeredIndex:
    """A read-only snapshot, plus the units added since (a flat index), minus those removed
    since (hidden from the snapshot's searches). Searched like a VectorIndex."""

    def __init__(self, base: VectorIndex) -> None:
        self.base = base
        self.index = base.index  # what the snapshot was trained as (see needs_retrain)
        self.approximate = base.approximate
        self.delta = VectorIndex.flat(base.dim)
        self.hidden: set[int] = set()
        self._hidden = np.zeros(0, dtype=np.int64)  # the same, as the selector wants them

    @property
    def ntotal(self) -> int:
        """Vectors held: the snapshot's (including any hidden since) and the added ones."""
        return self.base.ntotal + self.delta.ntotal

    @property
    def dim(self) -> int:
        return self.base.dim

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.delta.remove(ids)
        self._hide(ids)  # a snapshot copy of the same id is outdated
        self.delta.add(ids, vectors)

    def remove(self, ids: np.ndarray) -> int:
        self._hide(ids)
        return self.delta.remove(ids)

    def _hide(self, ids: np.ndarray) -> None:
        if len(ids):
            self.hidden.update(ids.tolist())
            self._hidden = np.fromiter(self.hidden, dtype=np.int64, count=len(self.hidden))

    def search(self, query: np.ndarray, n: int, id_range: tuple[int, int] | None = None,
               coverage: float = 1.0) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        ids, scores = self.base.search(query, n, id_range, coverage, self._hidden)
        extra_ids, extra = self.delta.search(query, n * REFINE, id_range)
        ids, scores = np.concatenate([ids, extra_ids]), np.concatenate([scores, extra])
        order = np.argsort(-scores, kind="stable")[: n * REFINE if self.approximate else n]
        return ids[order], scores[order]

    def save(self, path: Path) -> None:
        raise TypeError("a memory-mapped snapshot is written anew, not saved")
