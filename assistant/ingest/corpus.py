"""Reading letters from disk: .txt, .pdf and .docx files become lists of page texts.

Parsing the text into a Document and Passages is `assistant.ingest.parse`'s job; this module
only knows file formats and where pages begin.
"""

from __future__ import annotations

import hashlib
import logging
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
# Parliamentary prints end each page with a footer such as "Tweede Kamer, vergaderjaar
# 2024–2025, Aanhangsel 3"; other layouts repeat one footer with a rising page number.
_PRINT_FOOTER = re.compile(
    r"vergaderjaar\s+\d{4}\s*[–-]\s*\d{4},\s*(?:Aanhangsel|Vragen)(?:\s+\d+)?\s*$")
_NUMBERED_LINE = re.compile(r"^(?P<text>.{12,}?\D)\s*(?P<n>\d{1,3})\s*$")


def split_text_pages(text: str) -> list[str]:
    """Split extracted text into pages: on form feeds, one-space-indented lines or footers."""
    if "\f" in text:
        return [p for p in text.split("\f")]
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if _PAGE_START.match(line)]
    if len(starts) < 2:
        starts = [i + 1 for i in _footer_lines(lines) if i + 1 < len(lines)]
    if not starts:
        return [text]
    if starts[0] != 0:
        starts.insert(0, 0)
    bounds = starts + [len(lines)]
    return ["\n".join(lines[a:b]) for a, b in zip(bounds, bounds[1:])]


def _footer_lines(lines: list[str]) -> list[int]:
    """Indexes of page-footer lines: print footers, or one text with rising page numbers."""
    found = {i for i, line in enumerate(lines) if _PRINT_FOOTER.search(line.strip())}
    by_text: dict[str, list[tuple[int, int]]] = {}
    for i, line in enumerate(lines):
        match = _NUMBERED_LINE.match(line.strip())
        if match:
            key = re.sub(r"\s+", " ", match.group("text"))[-30:]
            by_text.setdefault(key, []).append((i, int(match.group("n"))))
    for rows in by_text.values():
        numbers = [n for _, n in rows]
        if len(rows) >= 2 and numbers == list(range(numbers[0], numbers[0] + len(rows))):
            found.update(i for i, _ in rows)
    return sorted(found)


def read_pages(path: Path) -> list[str]:
    """The text of one file, a string per page. Raises CorpusError when unreadable."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            return split_text_pages(path.read_text(encoding="utf-8", errors="replace"))
        if suffix == ".pdf":
            from pypdf import PdfReader

            # pypdf logs its repairs ("EOF marker not found"); a failure is reported once, below
            logging.getLogger("pypdf").setLevel(logging.ERROR)
            return [page.extract_text() or "" for page in PdfReader(path).pages]
        if suffix == ".docx":
            return [_docx_text(path)]
    except CorpusError:
        raise
    except Exception as exc:  # library errors vary by format; report them by file name
        raise CorpusError(f"{path.name}: cannot be read as {suffix} ({exc})") from exc
    raise CorpusError(f"{path.name}: unsupported file type (use {', '.join(SUPPORTED)})")


def _docx_text(path: Path) -> str:
    """Paragraphs and table rows in document order; Word's automatic list numbers, which
    are not part of the paragraph text, are written out ("1. <question>")."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    numbering = _DocxNumbering(document)
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            lines.append(numbering.prefix(paragraph) + paragraph.text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells))
                lines.extend(c for c in cells if c)
    return "\n".join(lines)


class _DocxNumbering:
    """Counts decimal list items per list so "1.", "2." … can be put back in the text."""

    def __init__(self, document: object) -> None:
        try:
            self._xml = document.part.numbering_part.element  # type: ignore[attr-defined]
        except (AttributeError, KeyError, NotImplementedError):
            self._xml = None
        self._counts: dict[tuple[str, str], int] = {}

    def prefix(self, paragraph: object) -> str:
        ppr = paragraph._p.pPr  # type: ignore[attr-defined]
        numpr = ppr.numPr if ppr is not None else None
        style = paragraph.style  # type: ignore[attr-defined]
        while numpr is None and style is not None:  # "List Number" numbers via its style
            spr = style.element.pPr
            numpr = spr.numPr if spr is not None else None
            style = style.base_style
        if self._xml is None or numpr is None or numpr.numId is None:
            return ""
        num_id = str(numpr.numId.val)
        level = str(numpr.ilvl.val) if numpr.ilvl is not None else "0"
        if num_id == "0" or level != "0" or not paragraph.text.strip():  # type: ignore[attr-defined]
            return ""
        try:
            abstract = self._xml.xpath(f'./w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')[0]
            fmt = self._xml.xpath(f'./w:abstractNum[@w:abstractNumId="{abstract}"]'
                                  f'/w:lvl[@w:ilvl="{level}"]/w:numFmt/@w:val')  # fmt: skip
        except IndexError:
            return ""
        if fmt != ["decimal"]:
            return ""  # bullets and lettered lists stay as they are
        key = (num_id, level)
        self._counts[key] = self._counts.get(key, 0) + 1
        return f"{self._counts[key]}. "


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
