"""Copy every letter of one store into another without embedding anything again.

`copy_store(src, dst)` moves an embedded index into PostgreSQL (or back): each letter is
read whole with `Store.export` (document, passages, stemmed tokens, articles, references,
unit vectors as stored, the original file of an added letter) and written with
`Store.write`, one letter per transaction. Letters are copied in the order the source
indexed them, so a fresh destination gives them the same passage keys and ids. A copy cut
short resumes: letters already in the destination are reported unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .base import ConflictError, Filters, Store, StoreError

Progress = Callable[[int, int], None]
COPIED_META = ("corpus",)  # metadata that describes the letters, copied along with them


@dataclass
class CopyReport:
    copied: int = 0
    unchanged: int = 0  # in the destination already (a resumed or repeated copy)
    conflicts: list[str] = field(default_factory=list)  # "source: same letter as …" lines
    seconds: float = 0.0


def copy_store(src: Store, dst: Store, progress: Progress | None = None) -> CopyReport:
    """Copy src's letters into dst (same model and dimension); dst's own letters stay.

    A letter of src that is the same letter as a different one in dst is not copied and
    is reported in `conflicts`. Raises StoreError when the models differ.
    """
    started = time.perf_counter()
    if (src.config.model, src.config.dim) != (dst.config.model, dst.config.dim):
        raise StoreError(f"cannot copy: {src.location} holds vectors of model "
                         f"{src.config.model!r} ({src.config.dim} dimensions), "
                         f"{dst.location} of {dst.config.model!r} ({dst.config.dim}); "
                         "copy into an empty database, or rebuild with assistant index")
    report = CopyReport()
    doc_ids = _in_index_order(src)
    for done, doc_id in enumerate(doc_ids, 1):
        rec = src.export(doc_id)
        if rec is None:  # removed from the source meanwhile
            continue
        rec.conflict = "refuse"
        try:
            written = dst.write([rec])
        except ConflictError as exc:
            old = exc.existing.document
            report.conflicts.append(f"{rec.document.source}: the same letter as "
                                    f"{old.source} ({old.key}) in the destination; not copied")
            continue
        report.copied += len(written.added)
        report.unchanged += len(written.unchanged)
        if progress:
            progress(done, len(doc_ids))
    meta = {key: value for key in COPIED_META if (value := src.get_meta(key)) is not None}
    if meta:
        dst.write(meta=meta)
    report.seconds = time.perf_counter() - started
    return report


def _in_index_order(store: Store) -> list[str]:
    """Doc ids in the order their passages were written (letters without any go last)."""
    rows = store.documents()
    first: dict[str, int] = {}
    for row in rows:
        keys = store.doc_passages([row.document.doc_id], Filters())
        first[row.document.doc_id] = min(keys) if keys else 1 << 62
    return sorted(first, key=lambda doc_id: (first[doc_id], doc_id))
