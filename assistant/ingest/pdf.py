"""Text of a PDF, a string per page, within the limits (page count, text size, time)."""

from __future__ import annotations

import io
import logging

from .limits import MAX_PDF_PAGES, MAX_TEXT_CHARS, Deadline, FileProblemError


def pdf_pages(data: bytes, deadline: Deadline) -> list[str]:
    """Extract page texts. Raises FileProblemError for damaged, encrypted or oversized PDFs."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    # pypdf logs its repairs ("EOF marker not found"); a failure is reported once, below
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt(reader)
        count = len(reader.pages)
    except FileProblemError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FileProblemError(f"is not a readable PDF (damaged, or not a PDF: {_short(exc)}); "
                          "open it in a PDF viewer and save it again") from exc  # fmt: skip
    if count > MAX_PDF_PAGES:
        raise FileProblemError(f"has {count} pages, more than the {MAX_PDF_PAGES} a letter may "
                          "have; split it into one file per letter")  # fmt: skip
    pages: list[str] = []
    size = 0
    for number in range(count):
        deadline.check()
        try:
            text = reader.pages[number].extract_text() or ""
        except FileNotDecryptedError as exc:
            raise FileProblemError(_LOCKED) from exc
        except Exception as exc:  # pypdf raises many kinds on damaged content streams
            raise FileProblemError(f"page {number + 1} cannot be read ({_short(exc)}); "
                              "open it in a PDF viewer and save it again") from exc  # fmt: skip
        size += len(text)
        if size > MAX_TEXT_CHARS:
            raise FileProblemError(f"holds more than {MAX_TEXT_CHARS:,} characters of text by "
                              f"page {number + 1}; one letter per file")  # fmt: skip
        pages.append(text)
    return pages


_LOCKED = "is password-protected; save an unprotected copy (print to PDF) and add that"


def _decrypt(reader: object) -> None:
    """Open a PDF that is encrypted without a user password (only editing is locked)."""
    try:
        ok = reader.decrypt("")  # type: ignore[attr-defined]
    except Exception as exc:  # a missing crypto library or an unknown scheme
        raise FileProblemError(f"is encrypted in a way that cannot be opened ({_short(exc)}); "
                          "save an unprotected copy and add that") from exc  # fmt: skip
    if not ok:
        raise FileProblemError(_LOCKED)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "…"
