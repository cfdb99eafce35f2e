"""Where passages and vectors live, behind one interface (`base.Store`).

`open_store(location)` picks the backend: a folder path is the embedded store (SQLite +
FAISS, `local`); a `postgresql://…` URL is the shared store (PostgreSQL + pgvector,
`postgres`). `embed` holds the model, `units` what is embedded, `records` turns parsed
letters into rows, `build` keeps a store in step with a corpus folder.
"""

from __future__ import annotations

from pathlib import Path

from .base import Filters, Store, StoreConfig, StoreError

__all__ = ["Filters", "Store", "StoreConfig", "StoreError", "is_url", "open_store"]


def is_url(location: str | Path) -> bool:
    return str(location).startswith(("postgresql://", "postgres://"))


def open_store(location: str | Path, create: StoreConfig | None = None) -> Store:
    """Open the index at location; with `create`, make a new empty one when there is none."""
    if is_url(location):
        from .postgres import PostgresStore

        return PostgresStore.open(str(location), create)
    from .local import LocalStore, is_local_index

    folder = Path(location)
    if create is not None and not is_local_index(folder):
        return LocalStore.create(folder, create)
    return LocalStore.open(folder)
