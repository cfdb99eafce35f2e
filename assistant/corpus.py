"""Reading letters from disk: .txt, .pdf and .docx files become lists of page texts.

Parsing the text into a Document and Passages is `assistant.parse`'s job; this module
only knows file formats and where pages begin.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPPORTED = (".txt", ".pdf", ".docx")


class CorpusError(Exception):
    """A corpus path or file that cannot be read; the message says what to do."""


@dataclass
class SourceFile:
    path: Path
    pages: list[str]
    sha: str  # content hash of the raw file bytes


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# In text extracted by PDF tools without form feeds, each new page starts with a line
# that has exactly one leading space (the seed letters show this).
_PAGE_START = re.compile(r"^ (?=\S)")


def split_text_pages(text: str) -> list[str]:
    """Split extracted text into pages: on form feeds, else on one-space-indented lines."""
    if "\f" in text:
        return [p for p in text.split("\f")]
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if _PAGE_START.match(line)]
    if len(starts) < 2:
        return [text]
    if starts[0] != 0:
        starts.insert(0, 0)
    bounds = starts + [len(lines)]
    return ["\n".join(lines[a:b]) for a, b in zip(bounds, bounds[1:])]


def read_pages(path: Path) -> list[str]:
    """The text of one file, a string per page. Raises CorpusError when unreadable."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            return split_text_pages(path.read_text(encoding="utf-8", errors="replace"))
        if suffix == ".pdf":
            from pypdf import PdfReader

            return [page.extract_text() or "" for page in PdfReader(path).pages]
        if suffix == ".docx":
            return [_docx_text(path)]
    except CorpusError:
        raise
    except Exception as exc:  # library errors vary by format; report them by file name
        raise CorpusError(f"{path.name}: cannot be read as {suffix} ({exc})") from exc
    raise CorpusError(f"{path.name}: unsupported file type (use {', '.join(SUPPORTED)})")


def _docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    lines = [para.text for para in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def list_files(corpus: Path) -> list[Path]:
    """Supported files in a corpus folder (not recursive into hidden folders), sorted."""
    if not corpus.exists():
        raise CorpusError(f"corpus folder {corpus} does not exist; pass --corpus DIR")
    if not corpus.is_dir():
        raise CorpusError(f"{corpus} is not a folder; pass --corpus DIR with letters in it")
    files = sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED
        and not any(part.startswith(".") for part in p.relative_to(corpus).parts)
        and p.name.lower() != "readme.txt"
    )
    return files


def iter_sources(files: list[Path]) -> Iterator[SourceFile | CorpusError]:
    """Read each file; an unreadable one yields its CorpusError instead of stopping."""
    for path in files:
        try:
            yield SourceFile(path=path, pages=read_pages(path), sha=file_hash(path))
        except CorpusError as exc:
            yield exc
        except OSError as exc:
            yield CorpusError(f"{path.name}: cannot be read ({exc.strerror})")


def fingerprint(files: list[Path], root: Path) -> str:
    """A hash of the corpus: file names and contents. Changes when any file changes."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(file_hash(path).encode())
    return digest.hexdigest()[:16]
