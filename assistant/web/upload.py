"""Letters added from the web page (Sources tab): each file reported, indexed at once.

The same rules as `assistant add`: the ingest limits (file size, unpacked size, time per
file), a letter already indexed is left alone, the same letter in another file is refused
unless the user ticks "replace". Embedding runs on a model instance of its own, so a
search in another request never waits for it; writes go through the store.

An added letter's file is kept with the index (`added/`, or the database), as the README
says; Gradio's copy of the upload in its temporary folder is deleted once the files are
handled (the page clears its file list then), so no other copy stays on the server.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

from ..store.build import Outcome, add_files
from ..store.embed import Embedder
from .render import esc

MAX_FILES = 20  # files per upload; more are refused with a message
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

    def __init__(self, store: Any, upload_folder: Path | None = None) -> None:
        """upload_folder: where the web server puts uploads (only files inside it are
        deleted after adding); None deletes nothing."""
        self.store = store
        self.upload_folder = upload_folder.resolve() if upload_folder else None
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
            with self._lock:
                outcomes = add_files(paths, self.store, self._model, replace=replace)
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
