"""Text of a Word .docx, checked before it is unzipped or parsed.

A .docx is a zip of XML files. Before python-docx sees it, the zip's directory is read
(declared sizes: Python's zipfile never inflates more than an entry declares, so a zip
bomb is refused before a byte is inflated) and each XML part's prolog is scanned for a
document type declaration: Word never writes one, and a DTD is what XXE and "billion
laughs" payloads need.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from .limits import (
    MAX_DOCX_ENTRIES,
    MAX_DOCX_UNCOMPRESSED,
    MAX_DOCX_XML,
    MAX_TEXT_CHARS,
    Deadline,
    FileProblemError,
    size_text,
)

_XML_PART = re.compile(r"\.(?:xml|rels)$", re.I)
# Word writes a one-line prolog; 1 MB of comments before the root element is no Word file.
_PROLOG_BYTES = 1_000_000


def docx_text(data: bytes, deadline: Deadline) -> str:
    """The letter's text; raises FileProblemError for a damaged, unsafe or oversized file."""
    check_docx(data)
    deadline.check()
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise FileProblemError(f"is not a Word document ({_short(exc)}); open it in Word and "
                          "save it as .docx") from exc  # fmt: skip
    except Exception as exc:  # lxml's syntax errors and the like: a damaged part
        raise FileProblemError(f"is a damaged Word document ({_short(exc)}); open it in Word "
                          "and save it again") from exc  # fmt: skip
    try:
        text = _body_text(document, deadline)
    except (AttributeError, KeyError, ValueError, IndexError, TypeError) as exc:
        raise FileProblemError(f"is a damaged Word document ({_short(exc)}); open it in Word "
                               "and save it again") from exc  # fmt: skip
    if len(text) > MAX_TEXT_CHARS:
        raise FileProblemError(f"holds more than {MAX_TEXT_CHARS:,} characters of text; "
                          "one letter per file")  # fmt: skip
    return text


def check_docx(data: bytes) -> None:
    """Refuse a .docx that is no zip, would unzip too large, or carries a DTD."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        hint = " (an old .doc? save it as .docx)" if data[:4] == b"\xd0\xcf\x11\xe0" else ""
        raise FileProblemError(f"is not a Word .docx file: not a zip archive{hint}; open it in "
                          "Word and save it as .docx") from exc  # fmt: skip
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_DOCX_ENTRIES:
            raise FileProblemError(f"holds {len(entries):,} files inside, more than the "
                              f"{MAX_DOCX_ENTRIES:,} a Word document may have")  # fmt: skip
        total = sum(e.file_size for e in entries)
        xml = [e for e in entries if _XML_PART.search(e.filename)]
        xml_total = sum(e.file_size for e in xml)
        if total > MAX_DOCX_UNCOMPRESSED:
            raise FileProblemError(f"would unzip to {size_text(total)}, more than the "
                              f"{size_text(MAX_DOCX_UNCOMPRESSED)} allowed (a zip bomb?); "
                              "refused")  # fmt: skip
        if xml_total > MAX_DOCX_XML:
            raise FileProblemError(f"holds {size_text(xml_total)} of XML, more than the "
                              f"{size_text(MAX_DOCX_XML)} allowed; refused")  # fmt: skip
        for entry in entries:  # every part: a content type may declare any name as XML
            try:
                with archive.open(entry) as part:
                    unsafe = _has_dtd(part)  # type: ignore[arg-type]
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError,
                    EOFError, ValueError) as exc:  # fmt: skip
                raise FileProblemError(f"is a damaged Word document ({entry.filename}: "
                                  f"{_short(exc)}); open it in Word and save it again"
                                  ) from exc  # fmt: skip
            if unsafe:
                raise FileProblemError(f"contains a document type declaration (<!DOCTYPE>) in "
                                  f"{entry.filename}, which Word never writes (XXE and "
                                  "'billion laughs' attacks need one); refused")  # fmt: skip


def _has_dtd(part: io.BufferedIOBase) -> bool:
    """True when an XML part's prolog (everything before the root element) declares a
    DTD, or is too long to be Word's. Parts that are no XML (images) are False."""
    head = _ascii(part.read(_PROLOG_BYTES))
    if not head.lstrip("\ufeff \t\r\n").startswith("<"):
        return False  # an image, a font: python-docx does not parse it as XML
    if re.search(r"<!DOCTYPE|<!ENTITY", head, re.I):
        return True
    # Comments and processing instructions may come before the root element; once the
    # root has begun no DTD can follow.
    return not re.search(r"<(?![?!])", re.sub(r"<!--.*?-->|<\?.*?\?>", "", head, flags=re.S))


def _ascii(data: bytes) -> str:
    """The markup of an XML part as text, whether it is UTF-8 or UTF-16 (with or without
    a byte-order mark): enough to find "<!DOCTYPE", whatever the characters around it."""
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:2]
    if utf16:
        data = data.replace(b"\x00", b"")
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        data = data.removeprefix(bom)
    return data.decode("latin-1")


def _body_text(document: object, deadline: Deadline) -> str:
    """Paragraphs and table rows in document order; Word's automatic list numbers, which
    are not part of the paragraph text, are written out ("1. <question>")."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    numbering = _Numbering(document)
    lines: list[str] = []
    body = document.element.body  # type: ignore[attr-defined]
    for count, child in enumerate(body.iterchildren()):
        if count % 200 == 0:
            deadline.check()
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)  # type: ignore[arg-type]
            lines.append(numbering.prefix(paragraph) + paragraph.text)
        elif tag == "tbl":
            for row in Table(child, document).rows:  # type: ignore[arg-type]
                cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells))
                lines.extend(c for c in cells if c)
    return "\n".join(lines)


class _Numbering:
    """Counts decimal list items per list so "1.", "2." … can be put back in the text."""

    def __init__(self, document: object) -> None:
        try:
            self._xml = document.part.numbering_part.element  # type: ignore[attr-defined]
        except (AttributeError, KeyError, NotImplementedError):
            self._xml = None
        self._counts: dict[tuple[str, str], int] = {}
        # numbering a paragraph style gives, by style id: python-docx looks a style up by
        # scanning every style (2 ms a paragraph; 33,000 paragraphs took over a minute)
        self._by_style: dict[str | None, Any] = {}

    def prefix(self, paragraph: Any) -> str:
        ppr = paragraph._p.pPr
        numpr = ppr.numPr if ppr is not None else None
        if numpr is None:  # "List Number" numbers via its style
            style_id = ppr.style if ppr is not None else None
            if style_id not in self._by_style:
                self._by_style[style_id] = _style_numbering(paragraph.style)
            numpr = self._by_style[style_id]
        if self._xml is None or numpr is None or numpr.numId is None:
            return ""
        num_id = str(numpr.numId.val)
        level = str(numpr.ilvl.val) if numpr.ilvl is not None else "0"
        if num_id == "0" or level != "0" or not paragraph.text.strip():
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


def _style_numbering(style: object) -> object:
    """The numbering (numPr) a paragraph style or the styles it is based on give, if any."""
    while style is not None:
        spr = style.element.pPr  # type: ignore[attr-defined]
        if spr is not None and spr.numPr is not None:
            return spr.numPr
        style = style.base_style  # type: ignore[attr-defined]
    return None


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "…"
