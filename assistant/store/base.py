"""The storage interface every backend implements (SQLite + FAISS folder, PostgreSQL).

Search, build, the CLI and the web app talk to a `Store`, never to files or tables:
documents and passages by id, candidate passages per signal (vectors, lexical, references)
with filters applied inside each, the rows needed to score candidates, the texts of hits,
and one transactional `write` that adds and removes whole letters. A change counter
(`generation`) tells readers in other processes that something changed.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..documents import Document, Passage
from ..ingest.references import Article
from .lexical import LexStats

# Origins of a document: how it came into the index.
CORPUS = "corpus"  # synced from the corpus folder by `assistant index`
ADDED = "added"  # added by the user (`assistant add`, upload): kept across rebuilds
IMPORTED = "imported"  # pulled from the official open data (`assistant import`)

# Unit kinds, stored as small integers.
KINDS = ("passage", "answer", "window")

# A unit id packs the letter's date, the passage key and the unit's place in the passage,
# so a date range is one id range (a cheap filter inside FAISS) and an id names its passage.
DAY_SHIFT = 46  # days since 1900-01-01 in the top 17 bits (until the year 2258)
KEY_SHIFT = 14  # passage key in the next 32 bits; up to 16,384 units per passage
EPOCH = dt.date(1900, 1, 1)
MAX_DAY = (1 << 17) - 1  # 2258-11-11: later dates are filed (and filtered) as this day
MAX_KEY = (1 << 32) - 1
MAX_UNIT_INDEX = (1 << KEY_SHIFT) - 1


class StoreError(Exception):
    """The index cannot be opened or written; the message says what is wrong and what to do."""


class DamagedError(StoreError):
    """The index's data is damaged; `assistant index --force` builds it anew (keeping the
    letters the user added)."""


class ConflictError(StoreError):
    """A letter would replace another one that the user did not ask to replace."""

    def __init__(self, message: str, existing: DocumentRow, new: Document) -> None:
        super().__init__(message)
        self.existing = existing
        self.new = new


def day_number(iso: str | None) -> int:
    """Days since 1900-01-01 of an ISO date, within [0, MAX_DAY]; 0 for none (undated
    letters) or a date that is no date. A date past MAX_DAY (no real letter's) is filed as
    MAX_DAY, so it can never spill into the passage key's bits."""
    if not iso:
        return 0
    try:
        return min(MAX_DAY, max(0, (dt.date.fromisoformat(iso) - EPOCH).days))
    except (ValueError, TypeError):
        return 0


def unit_id(day: int, key: int, index: int) -> int:
    """The id of a passage's index-th unit; fields out of range are refused, never packed
    into each other (a unit id that overflowed into the next passage's key once made the
    whole index unusable)."""
    if not (0 <= day <= MAX_DAY and 0 <= key <= MAX_KEY and 0 <= index <= MAX_UNIT_INDEX):
        raise StoreError(f"a unit id out of range (day {day}, passage key {key}, unit "
                         f"{index}); nothing was written")  # fmt: skip
    return (day << DAY_SHIFT) | (key << KEY_SHIFT) | index


def unit_passage(ids: np.ndarray) -> np.ndarray:
    """Passage keys of unit ids."""
    return (ids >> KEY_SHIFT) & 0xFFFFFFFF


def day_range(date_from: str | None, date_to: str | None) -> tuple[int, int]:
    """The unit-id range [low, high) of letters dated within [date_from, date_to]."""
    low = day_number(date_from) if date_from else 1  # a date filter excludes undated letters
    high = day_number(date_to) + 1 if date_to else (1 << 17)
    return max(1, low) << DAY_SHIFT, min(high << DAY_SHIFT, (1 << 63) - 1)


@dataclass
class Filters:
    """Restrict a search to some documents and/or a date range (ISO dates, inclusive)."""

    doc_ids: list[str] | None = None
    date_from: str | None = None
    date_to: str | None = None

    def __bool__(self) -> bool:
        return bool(self.doc_ids or self.date_from or self.date_to)

    def allows(self, doc: Document) -> bool:
        if self.doc_ids and doc.doc_id not in self.doc_ids:
            return False
        if self.date_from and (not doc.date or doc.date < self.date_from):
            return False
        return not (self.date_to and (not doc.date or doc.date > self.date_to))


@dataclass
class StoreConfig:
    """What an index is built with; fixed when it is created."""

    model: str
    dim: int
    units_version: str


@dataclass
class DocumentRow:
    """A document as listed: its metadata, origin and how many passages it has."""

    document: Document
    origin: str = CORPUS
    passages: int = 0
    questions_numbered: list[int] = field(default_factory=list)
    path: str | None = None  # corpus-relative path (corpus letters)
    external_id: str | None = None  # official id (imported letters)
    version: str | None = None
    size: int | None = None  # file size and modification time when it was indexed
    mtime_ns: int | None = None


@dataclass
class PassageRecord:
    """One passage ready to write: text, lexical tokens, flags, articles and unit vectors."""

    passage: Passage
    stems: list[str]
    procedural: bool
    articles: set[Article]
    kinds: list[int]  # per unit: index into KINDS
    spans: list[tuple[int, int]]  # per unit: span of answer_text it covers
    vectors: np.ndarray  # float16, one row per unit


@dataclass
class LetterRecord:
    """One letter ready to write in one transaction."""

    document: Document
    passages: list[PassageRecord]
    origin: str = CORPUS
    questions_numbered: list[int] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)  # normalised references (kenmerk, zaak, AH)
    path: str | None = None
    size: int | None = None
    mtime_ns: int | None = None
    external_id: str | None = None
    version: str | None = None
    original: tuple[str, bytes] | None = None  # (file name, bytes) of a letter the user added
    # When an indexed letter is the same letter (same kind and a shared kenmerk, zaak or
    # Aanhangsel, the same external id, or the same corpus file): "replace" it, or "refuse"
    # (raise ConflictError) so the user decides.
    conflict: str = "replace"


@dataclass
class Written:
    """What one `write` did, by doc id. Letters whose exact content is indexed already are
    `unchanged`; `replaced` pairs (old, new)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SignalRows:
    """What scoring needs of some passages: their units (vectors) and lexical tokens.

    Units are rows: `owner` is the passage's position in `keys`.
    """

    keys: list[int]
    owner: np.ndarray  # int64, per unit
    kind: np.ndarray  # int8, per unit (index into KINDS)
    start: np.ndarray  # int32, per unit
    end: np.ndarray  # int32, per unit
    vectors: np.ndarray  # float32 (units × dim)
    stems: list[str]  # per passage: space-separated tokens
    n_tokens: np.ndarray  # per passage
    procedural: np.ndarray  # bool, per passage
    questions: list[list[int]]  # per passage: the question numbers it answers


@dataclass
class LetterFacets:
    """Of some passages, those whose letters are within facet filters, and those letters
    counted per facet value (see sql.record_sql)."""

    kept: dict[int, tuple[str, str | None]]  # passage key → (doc id, date)
    counts: dict[str, dict[str, int]]  # facet → value → letters
    names: dict[str, list[str]]  # a counted ministry → the names its letters use


class Store(ABC):
    """One index: documents, passages, units with vectors, lexical tokens, references."""

    location: str
    config: StoreConfig

    # -- change counter ------------------------------------------------------------------
    @abstractmethod
    def generation(self) -> int:
        """Incremented by every write; cheap to call before each search."""

    @abstractmethod
    def refresh(self) -> bool:
        """Catch up with writes by other processes; True when anything changed."""

    # -- documents -----------------------------------------------------------------------
    @abstractmethod
    def counts(self) -> tuple[int, int, int]:
        """(documents, passages, units)."""

    @abstractmethod
    def documents(self, limit: int | None = None, offset: int = 0,
                  origin: str | None = None) -> list[DocumentRow]:  # fmt: skip
        """Documents, newest first."""

    @abstractmethod
    def document(self, doc_id: str) -> DocumentRow | None: ...

    @abstractmethod
    def find_documents(self, ref: str) -> list[DocumentRow]:
        """Documents a reference names exactly: doc id (or a prefix of ≥ 6 characters),
        kenmerk, zaak, Aanhangsel id, file name, or external id."""

    @abstractmethod
    def same_letters(self, doc: Document, external_id: str | None = None,
                     path: str | None = None) -> list[DocumentRow]:  # fmt: skip
        """Indexed documents that are the same letter as doc (see LetterRecord.conflict)."""

    @abstractmethod
    def letter(self, doc_id: str) -> list[Passage]:
        """A document's passages in letter order."""

    @abstractmethod
    def passage_by_id(self, passage_id: str) -> tuple[Passage, Document] | None: ...

    @abstractmethod
    def original(self, doc_id: str) -> tuple[str, bytes] | None:
        """The file a user added, as (name, bytes), when the index keeps it."""

    @abstractmethod
    def export(self, doc_id: str) -> LetterRecord | None:
        """The letter whole, as a record another store can write (vectors as stored)."""

    # -- signals -------------------------------------------------------------------------
    @abstractmethod
    def vector_candidates(self, query: np.ndarray, n: int,
                          filters: Filters) -> list[tuple[int, float]]:  # fmt: skip
        """(passage key, cosine) of the passages owning the n best units, best first."""

    @abstractmethod
    def nearest_units(self, query: np.ndarray, n: int,
                      filters: Filters) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Ids and exact cosines of the n best units within the filters, best first."""

    @abstractmethod
    def lexical_stats(self, terms: Sequence[str]) -> LexStats: ...

    @abstractmethod
    def lexical_candidates(self, terms: Sequence[str], n: int, filters: Filters) -> list[int]:
        """Passage keys matching any of the terms, best BM25 first, at most n."""

    @abstractmethod
    def sample(self, size: int) -> list[int]:
        """A fixed pseudo-random set of passage keys (all of them in a small index)."""

    @abstractmethod
    def signal_rows(self, keys: Sequence[int]) -> SignalRows: ...

    @abstractmethod
    def reference_docs(self, refs: Sequence[str]) -> dict[str, list[str]]:
        """Doc ids per normalised reference, for those that name indexed letters."""

    @abstractmethod
    def doc_passages(self, doc_ids: Sequence[str], filters: Filters) -> list[int]:
        """Passage keys of these documents, in letter order."""

    @abstractmethod
    def article_passages(self, articles: Sequence[Article], filters: Filters,
                         limit: int) -> dict[int, set[Article]]:  # fmt: skip
        """Passages citing any of the article numbers, with every article each cites."""

    @abstractmethod
    def hits(self, keys: Sequence[int]) -> dict[int, tuple[Passage, Document]]:
        """Texts and documents of the given passages (only what is shown is read)."""

    @abstractmethod
    def referred(self, key: int, passage: Passage) -> list[Passage]:
        """Passages of the same letter answering the questions `passage` refers to."""

    def letter_facets(self, keys: Sequence[int],
                      wanted: dict[str, list[str]]) -> LetterFacets:  # fmt: skip
        """The letters of these passages within the facet filters (facet → any of these
        values), counted per facet in the database (see sql.record_sql)."""
        raise NotImplementedError

    # -- writing -------------------------------------------------------------------------
    @abstractmethod
    def write(self, add: Sequence[LetterRecord] = (), remove: Sequence[str] = (),
              meta: dict[str, str] | None = None) -> Written:  # fmt: skip
        """Remove and add whole letters in one transaction; all of it or nothing."""

    @abstractmethod
    def get_meta(self, key: str) -> str | None: ...

    def compact(self, force: bool = False) -> None:  # noqa: B027  (the database keeps its own indexes up to date)
        """After a command that changed letters: fold the changes into whatever the backend
        keeps beside its database (the embedded store's vector snapshot), when many have
        accumulated (or `force`: `index --force` writes it anew). Cheap when there is
        nothing to do."""

    def take_warnings(self) -> list[str]:
        """What went wrong beside the data and did not stop the command (the embedded
        store's vector snapshot that could not be written), once; for the command to show."""
        return []

    def check(self) -> list[str]:
        """The integrity check: what is wrong with the stored data, [] when nothing."""
        return []

    def close(self) -> None:  # noqa: B027  (backends without resources need nothing here)
        """Release connections and files."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
