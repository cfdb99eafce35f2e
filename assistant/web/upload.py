"""Letters added from the web page (Sources tab): each file reported, indexed at once.

The same rules as `assistant add`: the ingest limits (file size, unpacked size, time per
file), a letter already indexed is left alone, the same letter in another file is refused
unless the user ticks "replace". Embedding runs on a model instance of its own, so a
search in another request never waits for it; writes go through the store.

An added letter's file is kept with the index (`added/`, or the database), as the README
says; Gradio's copy of the upload in its temporary folder is deleted once the files are
handled (the page clears its file list then), so no other copy stays on the server. An
upload nobody adds is deleted after `UPLOAD_MAX_AGE` (Gradio's `delete_cache`, set up in
app.py), every upload still waiting when the server stops, and at start the uploads an
earlier server left older than that (one that was killed).
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from pathlib import Path
from typing import Any

from ..store.build import Outcome, add_files
from ..store.embed import Embedder
from .render import esc

MAX_FILES = 20  # files per upload; more are refused with a message
UPLOAD_MAX_AGE = 3600  # seconds an upload waits to be added before the server deletes it
_UPLOAD_DIR = re.compile(r"[0-9a-f]{64}")  # Gradio files each upload under its SHA-256
STATUS = {  # how each outcome reads, in both languages
    "added": "added · toegevoegd",
    "replaced": "replaced · vervangen",
    "unchanged": "indexed already · al aanwezig",
    "not-answers": "not an answer letter · geen antwoordbrief",
    "conflict": "not added · niet toegevoegd",
    "not-a-letter": "not a letter · geen brief",
    "unreadable": "unreadable · onleesbaar",
    "too-large": "too large · te groot",
}


class Uploads:
    """Adds uploaded files to a searcher's store, one upload at a time."""

    def __init__(self, store: Any, upload_folder: Path | None = None,
                 max_age: float = UPLOAD_MAX_AGE) -> None:  # fmt: skip
        """upload_folder: where the web server puts uploads (only files inside it are
        deleted after adding); None deletes nothing. max_age: how long an upload may wait
        to be added (said when one comes later)."""
        self.store = store
        self.upload_folder = upload_folder.resolve() if upload_folder else None
        self.max_age = max_age
        self._embedder: Embedder | None = None
        self._lock = threading.Lock()

    def add(self, files: list[Any] | None, replace: bool) -> tuple[str, list[Outcome]]:
        """HTML report and outcomes for the uploaded files (Gradio gives their paths)."""
        paths = [Path(getattr(f, "name", f)) for f in (files or [])]
        try:
            if not paths:
                return _message("Choose one or more .pdf, .docx or .txt files first · kies "
                                "eerst een of meer bestanden."), []  # fmt: skip
            if len(paths) > MAX_FILES:
                return _message(f"At most {MAX_FILES} files at once; nothing was added · "
                                f"hoogstens {MAX_FILES} bestanden tegelijk."), []  # fmt: skip
            gone = [self._expired(p) for p in paths if not p.is_file()]
            with self._lock:
                outcomes = add_files([p for p in paths if p.is_file()], self.store,
                                     self._model, replace=replace)  # fmt: skip
            outcomes = gone + outcomes
            return report(outcomes), outcomes
        finally:
            self.forget(paths)

    def forget(self, paths: list[Path]) -> None:
        """Delete the server's temporary copies of uploaded files (and their folders)."""
        if self.upload_folder is None:
            return
        for path in paths:
            path = path.resolve()
            if path.parent.parent != self.upload_folder:
                continue  # not an upload: Gradio puts each in a folder of its own in there
            with contextlib.suppress(OSError):
                path.unlink()
                path.parent.rmdir()  # only when empty

    def _expired(self, path: Path) -> Outcome:
        """The outcome of an upload the server deleted before it was added."""
        minutes = max(1, round(self.max_age / 60))
        return Outcome(path.name, "unreadable", (
            f"{path.name}: the upload waited more than {minutes} min and was deleted from "
            "the server; choose the file again · kies het bestand opnieuw"))  # fmt: skip

    def sweep(self, now: float | None = None) -> int:
        """Delete uploads older than max_age (left by a server that was killed); the
        number deleted. Younger ones may be another running server's."""
        if self.upload_folder is None or not self.upload_folder.is_dir():
            return 0
        limit = (now or time.time()) - self.max_age
        deleted = 0
        for folder in self.upload_folder.iterdir():
            if not _UPLOAD_DIR.fullmatch(folder.name) or not folder.is_dir():
                continue
            with contextlib.suppress(OSError):
                for path in folder.iterdir():
                    if path.is_file() and path.stat().st_mtime < limit:
                        path.unlink()
                        deleted += 1
                folder.rmdir()  # only when empty
        return deleted

    def _model(self) -> Embedder:
        """The upload's own model instance, loaded when a first letter is to be embedded
        (an upload of letters indexed already never loads it)."""
        if self._embedder is None:
            self._embedder = Embedder(self.store.config.model)
        return self._embedder


def report(outcomes: list[Outcome]) -> str:
    items = "".join(
        f'<li class="kv-upload-{o.status}"><strong>{esc(STATUS.get(o.status, o.status))}'
        f"</strong> — {esc(o.message)}</li>" for o in outcomes)
    return f'<ul class="kv-upload-report">{items}</ul>'


def _message(text: str) -> str:
    return f'<p class="kv-friendly">{esc(text)}</p>'
