"""Reading letters from disk: .txt, .pdf and .docx files become lists of page texts.

Parsing the text into a Document and Passages is `assistant.ingest.parse`'s job; this module
only knows file formats and where pages begin.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .encoding import decode_text
from .limits import (
    MAX_FILE_BYTES,
    MAX_TEXT_CHARS,
    Deadline,
    FileProblemError,
    OverBudgetError,
    size_text,
)

SUPPORTED = (".txt", ".pdf", ".docx")


class CorpusError(Exception):
    """A corpus path or file that cannot be read; the message says what to do."""


class Pages(list[str]):
    """A file's page texts, plus the hash of its bytes and how its text was decoded.

    `warning` is set when a .txt was not clean UTF-8/UTF-16 and was read with a fallback
    (Windows-1252, or damaged bytes replaced): the text may be garbled, so a caller should
    say so ("x.txt was re-encoded: …") rather than index it silently.
    """

    def __init__(self, pages: list[str], sha: str, encoding: str,
                 warning: str | None = None) -> None:  # fmt: skip
        super().__init__(pages)
        self.sha = sha  # SHA-256 of the bytes these pages were read from
        self.encoding = encoding  # see encoding.Decoded; "pdf" or "docx" for those
        self.warning = warning

    @property
    def reencoded(self) -> bool:
        return self.warning is not None


@dataclass
class SourceFile:
    path: Path
    pages: list[str]
    sha: str  # content hash of the raw file bytes
    warning: str | None = None  # "x.txt: not UTF-8; read as Windows-1252 …" (see Pages)
    deadline: Deadline = field(default_factory=Deadline)  # pass on to parse_pages


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks. Raises OSError like open() does."""
    digest = hashlib.sha256()
    with _open_regular(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open_regular(path: Path):  # type: ignore[no-untyped-def]
    """Open a regular file for reading; anything else (a named pipe, a device, a folder)
    raises OSError instead of blocking on it. O_NONBLOCK: opening a pipe never waits."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise OSError(errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL, kind)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


# In text extracted by PDF tools without form feeds, each new page starts with a line
# that has exactly one leading space (the seed letters show this).
_PAGE_START = re.compile(r"^ (?=\S)")
# Parliamentary prints end each page with a footer such as "Tweede Kamer, vergaderjaar
# 2024–2025, Aanhangsel 3"; other layouts repeat one footer with a rising page number.
_PRINT_FOOTER = re.compile(
    r"vergaderjaar\s+\d{4}\s*[–-]\s*\d{4},\s*(?:Aanhangsel|Vragen)(?:\s+\d+)?\s*$")
# A footer's page number: 1–3 digits ending the line, not part of a longer number.
_TRAILING_NUMBER = re.compile(r"(?<!\d)\d{1,3}$")
# Question and answer headings rise in number like page footers do ("Antwoord op vraag
# 1", "… 2"), but they are the letter's structure, never its footers.
_HEADING = re.compile(r"^(?:vraag|vragen|antwoord)\b", re.I)


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
        numbered = _numbered_line(line.strip())
        if numbered:
            by_text.setdefault(numbered[0], []).append((i, numbered[1]))
    for rows in by_text.values():
        numbers = [n for _, n in rows]
        if len(rows) >= 2 and numbers == list(range(numbers[0], numbers[0] + len(rows))):
            found.update(i for i, _ in rows)
    return sorted(found)


def _numbered_line(line: str) -> tuple[str, int] | None:
    """("…the footer text", 3) for a line of 13+ characters ending in a page number.
    (Plain string work: a regex with a lazy prefix took quadratic time on long lines.)"""
    match = _TRAILING_NUMBER.search(line)
    if not match or match.start() < 13 or _HEADING.match(line):
        return None
    text = line[:match.start()]
    return re.sub(r"\s+", " ", text)[-30:], int(match.group())


def read_pages(path: Path, deadline: Deadline | None = None) -> Pages:
    """The text of one file, a string per page. Raises CorpusError when it cannot be read
    or breaks a limit of `assistant.ingest.limits` (the message names the file)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise CorpusError(f"{path.name}: unsupported file type (use {', '.join(SUPPORTED)})")
    deadline = deadline or Deadline()
    try:
        data = _read_limited(path, MAX_FILE_BYTES[suffix])
        sha = hashlib.sha256(data).hexdigest()
        deadline.check()
        if suffix == ".txt":
            decoded = decode_text(data)
            if len(decoded.text) > MAX_TEXT_CHARS:
                raise FileProblemError(f"holds more than {MAX_TEXT_CHARS:,} characters of text; "
                                  "one letter per file")  # fmt: skip
            warning = f"{path.name}: {decoded.warning}" if decoded.warning else None
            return Pages(split_text_pages(decoded.text), sha, decoded.encoding, warning)
        if suffix == ".pdf":
            from .pdf import pdf_pages

            return Pages(pdf_pages(data, deadline), sha, "pdf")
        from .word import docx_text

        return Pages([docx_text(data, deadline)], sha, "docx")
    except FileProblemError as exc:
        raise CorpusError(f"{path.name}: {exc}") from exc
    except OverBudgetError as exc:
        raise CorpusError(f"{path.name}: reading it {exc}; is it one letter?") from exc
    except OSError as exc:
        raise CorpusError(f"{path.name}: {_os_reason(exc)}") from exc
    except (MemoryError, RecursionError) as exc:
        raise CorpusError(f"{path.name}: too large or too deeply nested to read "
                          f"({type(exc).__name__})") from exc  # fmt: skip


def _read_limited(path: Path, limit: int) -> bytes:
    """The file's bytes, refused by its size before anything is read."""
    with _open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise FileProblemError(f"is {size_text(size)}, more than the {size_text(limit)} "
                                   f"a {path.suffix.lower()} letter may be; one letter "
                                   "per file")  # fmt: skip
        data = handle.read(limit + 1)  # the file may have grown since fstat
    if len(data) > limit:
        raise FileProblemError(f"is more than the {size_text(limit)} a {path.suffix.lower()} "
                          "letter may be; one letter per file")  # fmt: skip
    return data


def _os_reason(exc: OSError) -> str:
    """Why a file could not be opened, and what to do, in one line."""
    if exc.errno == errno.EACCES or isinstance(exc, PermissionError):
        return "cannot be read (permission denied); check the file's permissions"
    if exc.errno == errno.ENOENT:
        return "cannot be read (no such file, or a link to a file that is gone)"
    if exc.errno == errno.ELOOP:
        return "cannot be read (a link that loops back on itself)"
    if exc.errno == errno.EISDIR:
        return "is a folder, not a letter file"
    if exc.errno == errno.EINVAL and exc.strerror == "not a regular file":
        return "is not a regular file (a pipe, socket or device); copy the letter to a file"
    return f"cannot be read ({exc.strerror or exc})"


def name_problem(name: str) -> str | None:
    """Why a file name cannot name a letter in the index, or None. A name that is not
    UTF-8 (a Latin-1 "caf\xe9.txt" from an old zip) reaches Python as lone surrogates,
    which no database takes: it was a traceback that stopped the whole index."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(name).decode("utf-8", "backslashreplace")
        return (f"{shown}: the file name is not UTF-8; left out (rename the file to index "
                "it)")  # fmt: skip
    return None


def list_files(corpus: Path, skipped: list[str] | None = None) -> list[Path]:
    """Letter files in a corpus folder and its subfolders (not hidden ones), sorted.

    Names with a supported suffix that are no readable file (a broken link, a named
    pipe) are listed too, so that reading them reports them by name; folders are not.
    A link that leads out of the folder (to a letter or a folder elsewhere) is left out
    with one "name: reason" line in `skipped`: the index knows a corpus letter by its
    place inside the folder, and a folder shared or unpacked from elsewhere must not make
    the index read, and the web app show, any file its links point at (~/.ssh, /etc).
    """
    if not corpus.exists():
        raise CorpusError(f"corpus folder {corpus} does not exist; pass --corpus DIR")
    if not corpus.is_dir():
        raise CorpusError(f"{corpus} is not a folder; pass --corpus DIR with letters in it")
    root = os.path.realpath(corpus)
    files = []
    for p in corpus.rglob("*"):
        relative = p.relative_to(corpus)
        if any(part.startswith(".") for part in relative.parts):
            continue
        letter = p.suffix.lower() in SUPPORTED and p.name.lower() != "readme.txt"
        if p.is_symlink() and (letter or _is_folder(p)):
            target = os.path.realpath(p)  # never raises, not even on a loop
            if os.path.commonpath([root, target]) != root:
                if skipped is not None:
                    skipped.append(f"{relative.as_posix()}: a link to {target}, outside the "
                                   "corpus folder; left out (copy the letter into the folder "
                                   "to index it)")  # fmt: skip
                continue
        if letter and not _is_folder(p):
            problem = name_problem(relative.as_posix())
            if problem:
                if skipped is not None:
                    skipped.append(problem)
                continue
            files.append(p)
    return sorted(files)


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # cannot even be looked at: list it, so reading it reports why
        return False


def iter_sources(files: list[Path]) -> Iterator[SourceFile | CorpusError]:
    """Read each file; an unreadable one yields its CorpusError instead of stopping."""
    for path in files:
        deadline = Deadline()
        try:
            pages = read_pages(path, deadline)
            yield SourceFile(path=path, pages=list(pages), sha=pages.sha,
                             warning=pages.warning, deadline=deadline)  # fmt: skip
        except CorpusError as exc:
            yield exc
        except OSError as exc:
            yield CorpusError(f"{path.name}: {_os_reason(exc)}")


def fingerprint(files: list[Path], root: Path) -> str:
    """A hash of the corpus: file names and contents. Changes when any file changes.
    A file that cannot be read counts by its name and the reason (it is reported when
    the corpus is read), so one bad file does not stop the others."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        try:
            digest.update(file_hash(path).encode())
        except OSError as exc:
            digest.update(f"unreadable: {exc.errno}".encode())
    return digest.hexdigest()[:16]
