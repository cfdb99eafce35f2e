"""A downloaded PDF or DOCX → ParsedLetter, through the project's own file reader and parser.

`corpus.read_pages` reads from a path, so the bytes go to a temporary file named after the
document ("2017D09969.pdf"): its messages then name what the user recognises.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

from ...documents import ParsedLetter
from ..corpus import CorpusError, read_pages
from ..parse import ParseError, parse_pages

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_SUFFIXES = {"application/pdf": ".pdf", DOCX: ".docx", "text/plain": ".txt"}


class DocumentError(Exception):
    """One document that cannot be imported as it is; asking again will not help."""


def suffix_for(data: bytes, content_type: str | None) -> str:
    """The file type: from the bytes' signature first, else the declared content type."""
    if data.startswith(b"%PDF"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        return ".docx"
    declared = (content_type or "").split(";", 1)[0].strip().lower()
    if declared in _SUFFIXES:
        return _SUFFIXES[declared]
    raise DocumentError(f"unsupported file type {declared or 'unknown'} (expected PDF or DOCX)")


def letter_from_bytes(data: bytes, content_type: str | None, name: str) -> ParsedLetter:
    """Parse one downloaded file. Raises DocumentError with one line naming `name`."""
    if not data:
        raise DocumentError(f"{name}: the file is empty")
    suffix = suffix_for(data, content_type)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "document"
    with tempfile.TemporaryDirectory(prefix="kv-import-") as folder:
        path = Path(folder) / f"{safe}{suffix}"
        path.write_bytes(data)
        try:
            pages = read_pages(path)
        except CorpusError as exc:
            raise DocumentError(str(exc)) from None
    try:
        return parse_pages(pages, source=name, sha=hashlib.sha256(data).hexdigest())
    except ParseError as exc:
        raise DocumentError(str(exc)) from None
