"""The importer's storage side: official documents written into a store, one per transaction.

`assistant import` hands each downloaded letter to `StoreSink.put`; a newer version of a
document (same external id) or the same letter under another id (the same Aanhangsel
number from the other source) is replaced in the same transaction. Checkpoints live in
the store's own metadata, so a resumed import continues from where the index is.
"""

from __future__ import annotations

from ..documents import ParsedLetter
from ..ingest.opendata.files import DocumentError
from .base import IMPORTED, DocumentRow, Store
from .embed import Embedder
from .records import LetterTooLargeError, letter_record

CHECKPOINT = "checkpoint:"


class StoreSink:
    """Implements assistant.ingest.opendata.Sink on a Store."""

    def __init__(self, store: Store, embedder: Embedder | None = None) -> None:
        self.store = store
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:  # loaded on the first download (a dry run needs none)
            self._embedder = Embedder(self.store.config.model)
        return self._embedder

    def _row(self, external_id: str) -> DocumentRow | None:
        rows = [r for r in self.store.find_documents(external_id) if r.external_id == external_id]
        return rows[0] if rows else None

    def imported_version(self, external_id: str) -> str | None:
        row = self._row(external_id)
        return row.version if row else None

    def put(self, external_id: str, version: str, letter: ParsedLetter) -> str:
        old = self._row(external_id)
        try:
            rec = letter_record(letter, self.embedder, IMPORTED, external_id=external_id,
                                version=version, conflict="replace")  # fmt: skip
        except LetterTooLargeError as exc:  # skipped with its line; the import goes on
            raise DocumentError(str(exc)) from exc
        remove = [old.document.doc_id] if old and old.document.doc_id != \
            letter.document.doc_id else []  # fmt: skip
        written = self.store.write([rec], remove=remove)
        return "updated" if old or written.replaced else "new"

    def delete(self, external_id: str) -> bool:
        old = self._row(external_id)
        return bool(old and self.store.write(remove=[old.document.doc_id]).removed)

    def get_checkpoint(self, source: str) -> str | None:
        return self.store.get_meta(CHECKPOINT + source)

    def set_checkpoint(self, source: str, value: str) -> None:
        self.store.write(meta={CHECKPOINT + source: value})
