"""The search index: passages, their vectors in FAISS, and a manifest, in one folder.

Like txtai's `Embeddings`, one `Index` object builds, saves, loads and searches.
Vectors are kept per document, so syncing with a changed corpus or adding a letter
embeds only the documents that are new (a document is identified by its content hash).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import faiss
import numpy as np

from ..documents import Document, ParsedLetter, Passage
from .embed import Embedder
from .units import UNITS_VERSION, Unit, passage_units

FORMAT_VERSION = 1
FILES = ("manifest.json", "documents.json", "passages.json", "rows.json", "vectors.faiss")


class IndexFolderError(Exception):
    """The index folder is missing, damaged or does not fit; the message says what to do."""


@dataclass
class Manifest:
    model: str
    dim: int
    format_version: int = FORMAT_VERSION
    units_version: str = UNITS_VERSION
    corpus: str | None = None  # the folder the index was built from
    corpus_fingerprint: str | None = None
    documents: int = 0
    passages: int = 0


@dataclass
class Entry:
    """One indexed document: its metadata, passages, embedded units and their vectors."""

    document: Document
    passages: list[Passage]
    units: list[Unit]
    vectors: np.ndarray
    origin: str = "corpus"  # "corpus" (synced from the corpus folder) or "added"
    questions_numbered: list[int] = field(default_factory=list)


class Index:
    """Documents with embedded passages, searchable by vector."""

    def __init__(self, model: str, dim: int) -> None:
        self.manifest = Manifest(model=model, dim=dim)
        self.entries: dict[str, Entry] = {}  # by doc_id
        self._faiss: faiss.IndexFlatIP | None = None
        self._units: tuple[list[Unit], np.ndarray] | None = None

    # -- contents ---------------------------------------------------------------------
    @property
    def documents(self) -> list[Document]:
        return [e.document for e in self.entries.values()]

    @property
    def passages(self) -> list[Passage]:
        return [p for e in self.entries.values() for p in e.passages]

    def document(self, doc_id: str) -> Document:
        return self.entries[doc_id].document

    def passage(self, passage_id: str) -> Passage:
        return self._passage_map()[passage_id]

    def referred(self, passage: Passage) -> list[Passage]:
        """The passages of the same letter that answer the questions `passage` refers to
        ("Zie het antwoord op vraag 7"), so a hit can show both. Empty if it refers to none."""
        entry = self.entries.get(passage.doc_id)
        if entry is None or not passage.refers_to:
            return []
        wanted = set(passage.refers_to)
        return [p for p in entry.passages
                if p.passage_id != passage.passage_id and wanted & set(p.questions)]

    def _passage_map(self) -> dict[str, Passage]:
        if not hasattr(self, "_pmap"):
            self._pmap = {p.passage_id: p for p in self.passages}
        return self._pmap

    # -- changing ---------------------------------------------------------------------
    def add(self, letters: Iterable[ParsedLetter], embedder: Embedder, origin: str = "corpus",
            progress: Callable[[int], None] | None = None) -> list[str]:  # fmt: skip
        """Add parsed letters, embedding only documents not yet indexed. Returns new doc ids.

        A letter whose content hash is indexed already is skipped; one whose references
        (kenmerk, zaak, aanhangsel) match an indexed letter replaces it (a newer version).
        """
        self._check_model(embedder)
        added: list[str] = []
        for letter in letters:
            doc = letter.document
            if doc.doc_id in self.entries:
                if progress:
                    progress(len(letter.passages))
                continue
            for old in self._same_letter(doc):
                if old not in added:  # letters of one batch never replace each other
                    del self.entries[old]
            units = [u for p in letter.passages for u in passage_units(p, doc, embedder)]
            vectors = embedder.passages([u.text for u in units]) if units else np.zeros(
                (0, self.manifest.dim), dtype=np.float32)  # fmt: skip
            self.entries[doc.doc_id] = Entry(doc, letter.passages, units, vectors, origin,
                                             letter.questions_numbered)  # fmt: skip
            added.append(doc.doc_id)
            if progress:
                progress(len(letter.passages))
        self._changed()
        return added

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        removed = [d for d in doc_ids if self.entries.pop(d, None) is not None]
        self._changed()
        return removed

    def find_documents(self, ref: str) -> list[str]:
        """Doc ids matching a doc id (prefix), kenmerk, zaak, aanhangsel or file name."""
        ref_l = ref.strip().lower()
        found = []
        for doc_id, entry in self.entries.items():
            d = entry.document
            names = {d.ons_kenmerk, d.uw_kenmerk, d.aanhangsel, d.source, Path(d.source).stem}
            if doc_id.startswith(ref_l) or ref_l in {n.lower() for n in names if n}:
                found.append(doc_id)
        return found

    def _same_letter(self, doc: Document) -> list[str]:
        keys = {k for k in (doc.ons_kenmerk, doc.uw_kenmerk, doc.aanhangsel) if k}
        return [i for i, e in self.entries.items()
                if e.document.kind == doc.kind and (e.document.source == doc.source or keys
                    & {k for k in (e.document.ons_kenmerk, e.document.uw_kenmerk,
                                   e.document.aanhangsel) if k})]  # fmt: skip

    def _check_model(self, embedder: Embedder) -> None:
        if embedder.name != self.manifest.model:
            raise IndexFolderError(
                f"this index was built with model {self.manifest.model!r}, not {embedder.name!r}; "
                f"rebuild it with: assistant index --model {embedder.name}"
            )

    def _changed(self) -> None:
        self._faiss = None
        self._units = None
        self.__dict__.pop("_pmap", None)
        self.manifest.documents = len(self.entries)
        self.manifest.passages = sum(len(e.passages) for e in self.entries.values())

    # -- searching --------------------------------------------------------------------
    def unit_matrix(self) -> tuple[list[Unit], np.ndarray]:
        """Every embedded unit and its vector, in one row order (what FAISS holds)."""
        if self._units is None:
            entries = [e for e in self.entries.values() if len(e.units)]
            units = [u for e in entries for u in e.units]
            matrix = (np.ascontiguousarray(np.vstack([e.vectors for e in entries]),
                                           dtype=np.float32) if entries
                      else np.zeros((0, self.manifest.dim), dtype=np.float32))  # fmt: skip
            self._units = (units, matrix)
        return self._units

    def search(self, query_vector: np.ndarray, k: int) -> list[tuple[Unit, float]]:
        """The k best-scoring embedded units (cosine similarity), best first."""
        units, matrix = self.unit_matrix()
        if not units:
            return []
        if self._faiss is None:
            self._faiss = faiss.IndexFlatIP(self.manifest.dim)  # exact cosine on unit vectors
            self._faiss.add(matrix)
        query = np.ascontiguousarray(query_vector.reshape(1, -1), dtype=np.float32)
        scores, ids = self._faiss.search(query, min(k, len(units)))
        return [(units[row], float(score)) for score, row in zip(scores[0], ids[0]) if row >= 0]

    # -- persistence ------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write the index to folder atomically: a new folder is swapped in when complete."""
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
        try:
            self._write(tmp)
            _swap(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _write(self, folder: Path) -> None:
        entries = list(self.entries.values())
        dump = {
            "documents.json": [dict(e.document.to_dict(), origin=e.origin,
                                    questions_numbered=e.questions_numbered) for e in entries],
            "passages.json": [p.to_dict() for e in entries for p in e.passages],
            "rows.json": [dict(asdict(u), doc_id=e.document.doc_id) for e in entries
                          for u in e.units],
        }  # fmt: skip
        for name, data in dump.items():
            (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        flat = faiss.IndexFlatIP(self.manifest.dim)
        flat.add(self.unit_matrix()[1])
        faiss.write_index(flat, str(folder / "vectors.faiss"))
        # The manifest goes last: a folder without one is never taken for an index.
        (folder / "manifest.json").write_text(json.dumps(asdict(self.manifest), indent=2))

    @classmethod
    def load(cls, folder: Path) -> Index:
        folder = Path(folder)
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            raise IndexFolderError(f"no index in {folder}; build one with: assistant index")
        try:
            manifest = Manifest(**json.loads(manifest_path.read_text()))
            if manifest.format_version != FORMAT_VERSION:
                raise ValueError(f"format {manifest.format_version}, expected {FORMAT_VERSION}")
            docs = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
            passages = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
            rows = json.loads((folder / "rows.json").read_text(encoding="utf-8"))
            flat = faiss.read_index(str(folder / "vectors.faiss"))
            if flat.ntotal != len(rows) or flat.d != manifest.dim:
                raise ValueError(f"{flat.ntotal} vectors for {len(rows)} rows")
            matrix = flat.reconstruct_n(0, flat.ntotal) if flat.ntotal else np.zeros(
                (0, manifest.dim), dtype=np.float32)  # fmt: skip
        except Exception as exc:  # any damage means: rebuild
            raise IndexFolderError(
                f"the index in {folder} is damaged ({exc}); rebuild it with: assistant index"
            ) from exc
        index = cls(manifest.model, manifest.dim)
        index.manifest = manifest
        by_doc: dict[str, list[Passage]] = {}
        for p in passages:
            by_doc.setdefault(p["doc_id"], []).append(Passage.from_dict(p))
        start = 0
        for d in docs:
            doc = Document.from_dict(d)
            units = [Unit(**{k: v for k, v in r.items() if k != "doc_id"})
                     for r in rows if r["doc_id"] == doc.doc_id]  # fmt: skip
            index.entries[doc.doc_id] = Entry(
                doc, by_doc.get(doc.doc_id, []), units, matrix[start:start + len(units)],
                d.get("origin", "corpus"), d.get("questions_numbered", []))  # fmt: skip
            start += len(units)
        index._changed()
        return index


def _swap(new: Path, folder: Path) -> None:
    """Replace folder by new in two renames, keeping files of folder that are not ours."""
    if folder.exists():
        for extra in folder.iterdir():
            if extra.name not in FILES and not (new / extra.name).exists():
                shutil.copy2(extra, new / extra.name) if extra.is_file() else None
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        os.replace(folder, old)
        os.replace(new, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, folder)
