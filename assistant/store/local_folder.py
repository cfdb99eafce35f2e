"""The embedded store's folder: is it an index, whose config can be trusted, is another
process rebuilding it right now, and which command builds one there."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from .base import DamagedError, StoreConfig, StoreError
from .integrity import damaged_message, reason_of
from .local_schema import CONFIG, DATABASE, FORMAT, LOCK, MAX_DIM, OLD_FORMAT_FILES


def read_config(folder: Path) -> StoreConfig:
    """The index's config; a clear StoreError when the folder is no (current) index, a
    DamagedError when config.json is missing beside the database or does not parse."""
    if not folder.exists():
        raise StoreError(f"no index in {folder}; build one with: {build_command(folder)}")
    if not folder.is_dir():
        raise StoreError(f"{folder} is a file, not an index folder; pass --index DIR")
    path = folder / CONFIG
    if not path.is_file():
        busy = rebuilding(folder)
        if busy:
            raise StoreError(busy)
        if all((folder / name).is_file() for name in OLD_FORMAT_FILES):
            raise StoreError(f"the index in {folder} has the old format (JSON files); convert "
                             "it with: assistant index (letters you added are kept)")
        if (folder / DATABASE).exists() or path.exists():  # an index that lost its config
            raise DamagedError(damaged_message(str(folder), f"{CONFIG} is missing"))
        if any(p.name != LOCK for p in folder.iterdir()):  # not mixed with someone's files
            raise StoreError(f"{folder} holds other files and no index ({CONFIG} is missing); "
                             "choose another --index folder, or empty this one")
        raise StoreError(f"no index in {folder}; build one with: {build_command(folder)}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"holds a {type(data).__name__}, not an object")
        model, dim = data["model"], data["dim"]
        if not isinstance(model, str) or not model.strip():
            raise ValueError(f"the model {str(model)[:40]!r} is no model name")
        if not isinstance(dim, int) or isinstance(dim, bool) or not 0 < dim <= MAX_DIM:
            raise ValueError(f"the dimension {str(dim)[:20]!r} is no number of dimensions")
        # units_version lives in the database (it changes when letters are embedded again)
        config = StoreConfig(model, dim, "")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DamagedError(damaged_message(str(folder), f"{CONFIG}: {reason_of(exc)}")) from exc
    if data.get("format") != FORMAT:
        raise StoreError(f"the index in {folder} has format {str(data.get('format'))[:60]!r}, "
                         f"this assistant reads {FORMAT!r}; rebuild it with: assistant index "
                         "--force")  # fmt: skip
    if not (folder / DATABASE).is_file():
        raise DamagedError(damaged_message(str(folder), f"{DATABASE} is missing"))
    return config


HELD: set[str] = set()  # folders whose rebuild lock this process holds (rebuild_lock)


def rebuilding(folder: Path) -> str | None:
    """The line for an index another process is rebuilding right now (it holds the lock of
    rebuild.rebuild_lock), or None."""
    if str(folder.resolve()) in HELD:
        return None
    try:
        with open(folder / LOCK, encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = handle.read().strip() or "unknown"
                return (f"another assistant process (pid {pid}) is rebuilding the index in "
                        f"{folder} right now; nothing was changed; wait until it is done, "
                        "then run your command again")  # fmt: skip
            fcntl.flock(handle, fcntl.LOCK_UN)
    except OSError:
        pass
    return None


def build_command(folder: Path) -> str:
    """`assistant index`, with --index when folder is not the default index."""
    default = os.environ.get("ASSISTANT_STORE") or os.environ.get("ASSISTANT_INDEX") \
        or "embeddings"  # fmt: skip
    return "assistant index" if str(folder) == default else f"assistant index --index {folder}"
