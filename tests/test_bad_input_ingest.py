"""Bad input and faults on the ingest side (issue #13): a catalogue of real hostile files.

Each case in CASES names a file to build, and the exact outcome of reading and parsing it
with the real `assistant.ingest` functions: the error message (pattern) or what the
parsed letter must hold. A few go through the real `assistant parse` command too: exit
status 2, one "error:" line, no traceback. No embedding model is needed.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from assistant.documents import ParsedLetter
from assistant.evaluate import EvalError, load_questions
from assistant.ingest.corpus import (
    CorpusError,
    fingerprint,
    iter_sources,
    list_files,
    read_pages,
    split_text_pages,
)
from assistant.ingest.encoding import decode_text
from assistant.ingest.limits import (
    MAX_DOCX_ENTRIES,
    MAX_FILE_BYTES,
    MAX_PDF_PAGES,
    MB,
    Deadline,
)
from assistant.ingest.opendata.fill import Known, complete, from_listing
from assistant.ingest.parse import ParseError, parse_file, parse_pages
from assistant.ingest.repair import repair_split_words
from assistant.ingest.text import date_problem, printable
from tests.conftest import ROOT, SEED_A, run_cli

LETTER = """Onderwerp: Antwoorden Kamervragen over de fietsbelasting
Datum 18 maart 2025

Vragen van het lid Jansen (CDA) aan de minister van Financiën over de fietsbelasting.
Vraag 1
Klopt het dat fietsen duurder worden door de nieuwe belasting?
Antwoord op vraag 1
Nee, de belasting op fietsen blijft gelijk in 2025.
Vraag 2
Wat kost de maatregel het café op de hoek?
Antwoord op vraag 2
De maatregel kost een café niets; de accijns geldt alleen voor fabrikanten.
"""


# --- building real files -----------------------------------------------------------------


def write_pdf(path: Path, pages: list[str], **encrypt: str) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for page in pages:
        y = 800
        for line in page.splitlines():
            pdf.setFont("Helvetica", 9)
            pdf.drawString(40, y, line)
            y -= 12
        pdf.showPage()
    pdf.save()
    if encrypt:
        writer = PdfWriter(clone_from=PdfReader(path))
        writer.encrypt(algorithm="RC4-128", **encrypt)
        with path.open("wb") as handle:
            writer.write(handle)
    return path


def write_docx(path: Path, text: str) -> Path:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


def docx_with_part(path: Path, name: str, content: bytes) -> Path:
    """A real .docx (made by python-docx) with one part replaced."""
    source = write_docx(path.with_suffix(".src.docx"), LETTER)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, content if item.filename == name else old.read(item))
    return path


XXE = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""


def zip_bomb(path: Path, megabytes: int = 700) -> Path:
    """A .docx of about 3 MB that would unzip to `megabytes` of XML."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"<w:p/>" * (1 << 20)
            for _ in range(megabytes * MB // len(chunk)):
                part.write(chunk)
    return path


def sparse(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space (its size is what is checked)."""
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def denied(path: Path) -> Path:
    """A file whose opening raises PermissionError, as root too: root ignores mode 000,
    but not the write-only sysctl files of /proc, so a link to one stands in."""
    path.write_text(LETTER, encoding="utf-8")
    path.chmod(0)
    try:
        path.read_bytes()
    except PermissionError:
        return path
    path.unlink()
    path.symlink_to("/proc/sys/vm/compact_memory")
    with pytest.raises(PermissionError):
        path.read_bytes()
    return path


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def _link(path: Path, target: Path) -> Path:
    path.symlink_to(target)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


# --- the catalogue -----------------------------------------------------------------------


@dataclass
class Case:
    name: str
    build: Callable[[Path], Path]  # makes the input file in a temporary folder
    error: str | None = None  # regex the error must match (from its start), or
    check: Callable[[ParsedLetter], object] | None = None  # a check of the parsed letter
    seconds: float = 10.0  # the outcome must come within this (no hang, linear time)


def _file(name: str, data: bytes | str | Callable[[], bytes]) -> Callable[[Path], Path]:
    """A builder writing `data` (or what calling it returns: big inputs are made lazily)."""

    def build(folder: Path) -> Path:
        path = folder / name
        content = data() if callable(data) else data
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    return build


def answers(*expected: str) -> Callable[[ParsedLetter], None]:
    def check(letter: ParsedLetter) -> None:
        assert letter.document.kind == "answers"
        assert [p.answer_text for p in letter.passages] == list(expected)

    return check


def consecutive_headings(n: int) -> str:
    """Answers only, one heading after another, no page breaks (#13 item 9)."""
    return "".join(f"Antwoord op vraag {i}\nHet kabinet neemt maatregel {i} over.\n"
                   for i in range(1, n + 1))  # fmt: skip


def qa_headings(n: int) -> str:
    return "".join(f"Vraag {i}\nKlopt bericht {i}?\nAntwoord op vraag {i}\nJa, bericht {i} klopt.\n"
                   for i in range(1, n + 1))  # fmt: skip


FIRST_ANSWERS = ("Nee, de belasting op fietsen blijft gelijk in 2025.",
                 "De maatregel kost een café niets; de accijns geldt alleen voor fabrikanten.")

CASES = [
    # plain text: empty, binary, control characters, encodings
    Case("empty txt", _file("leeg.txt", b""), error=r"leeg\.txt: no text in this file"),
    Case("blank txt", _file("blanco.txt", " \n\t\n" * 100), error=r"blanco\.txt: no text"),
    Case("binary renamed .txt", _file("foto.txt", bytes(range(256)) * 40),
         error=r"foto\.txt: is not a text file \(binary content\)"),
    Case("NUL bytes and a forged footnote marker", _file("nul.txt", LETTER.replace(
        "gelijk in 2025.", "gelijk\x00 in 2025. \x00fn7\x00")),  # stays plain text
        check=answers(FIRST_ANSWERS[0] + " fn7", FIRST_ANSWERS[1])),
    Case("ANSI and OSC escapes in the subject", _file("ansi.txt", LETTER.replace(
        "Onderwerp: Antwoorden", "Onderwerp: \x1b]0;pwned\x07\x1b[31mAntwoorden")),
        check=lambda letter: letter.document.title == "Antwoorden Kamervragen over de "
        "fietsbelasting" or pytest.fail(letter.document.title)),
    Case("Windows-1252 (Latin-1) text", _file("latin1.txt", LETTER.encode("cp1252")),
         check=answers(*FIRST_ANSWERS)),
    Case("UTF-16 with BOM", _file("utf16.txt", LETTER.encode("utf-16")),
         check=answers(*FIRST_ANSWERS)),
    Case("UTF-16-LE without BOM", _file("utf16le.txt", LETTER.encode("utf-16-le")),
         check=answers(*FIRST_ANSWERS)),
    Case("UTF-8 with BOM", _file("bom.txt", codecs.BOM_UTF8 + LETTER.encode()),
         check=lambda letter: letter.document.title.startswith("Antwoorden Kamervragen")
         or pytest.fail(letter.document.title)),
    Case("UTF-8 with two damaged bytes", _file("kapot.txt", LETTER.encode().replace(
        b"Klopt", b"Kl\xffopt").replace(b"Wat", b"W\xc3t")), check=answers(*FIRST_ANSWERS)),
    # size and time
    Case("txt over the size limit", lambda d: sparse(d / "groot.txt", MAX_FILE_BYTES[".txt"] + 1),
         error=r"groot\.txt: is 2\.0 MB, more than the 2\.0 MB a \.txt letter may be; "
               r"one letter per file", seconds=1),
    Case("50 MB text of many letters", _file("archief.txt", lambda: SEED_A.read_bytes() * 2500),
         error=r"archief\.txt: is 5\d MB, more than the 2\.0 MB", seconds=2),
    Case("40,000 endnote-like lines before a letter (was 148 s)",
         _file("noten.txt", "1) Artikel in de krant\n" * 40_000 + LETTER),
         check=answers(*FIRST_ANSWERS), seconds=8),
    # structure: consecutive headings without page breaks (#13 item 9)
    Case("three answer headings in a row, no page breaks", _file("drie.txt",
         consecutive_headings(3)), check=answers(*(f"Het kabinet neemt maatregel {i} over."
                                                   for i in (1, 2, 3)))),
    Case("twelve question/answer headings, no page breaks", _file("twaalf.txt",
         qa_headings(12)), check=answers(*(f"Ja, bericht {i} klopt." for i in range(1, 13)))),
    Case("headings only, no text", _file("kop.txt", "Antwoord op vraag 1\nAntwoord op vraag "
         "2\nAntwoord op vraag 3\n"), error=r"kop\.txt: has 3 answer heading\(s\) but no "
         r"answer text under them; is the file's text complete\?"),
    # PDF
    Case("random bytes as .pdf", _file("nep.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8),
         error=r"nep\.pdf: is not a readable PDF \(damaged, or not a PDF: .*\); open it in a "
               r"PDF viewer and save it again"),
    Case("truncated PDF", lambda d: _file("half.pdf", write_pdf(d / "heel.pdf", [LETTER])
         .read_bytes()[:700])(d), error=r"half\.pdf: is not a readable PDF"),
    Case("PDF with a user password", lambda d: write_pdf(d / "slot.pdf", [LETTER],
         user_password="geheim", owner_password="baas"),
         error=r"slot\.pdf: is password-protected; save an unprotected copy"),
    Case("PDF locked for editing only (no user password)", lambda d: write_pdf(
        d / "owner.pdf", [LETTER], user_password="", owner_password="baas"),
        check=lambda letter: len(letter.passages) == 2 or pytest.fail("not decrypted")),
    Case("PDF without text", lambda d: write_pdf(d / "scan.pdf", ["", ""]),
         error=r"scan\.pdf: no text in this file \(empty, or a scanned PDF"),
    Case("PDF with too many pages", lambda d: write_pdf(d / "boek.pdf",
         ["x"] * (MAX_PDF_PAGES + 1)), error=r"boek\.pdf: has 501 pages, more than the 500"),
    Case("PDF over the size limit", lambda d: sparse(d / "dik.pdf", 51 * MB),
         error=r"dik\.pdf: is 51 MB, more than the 50 MB a \.pdf letter may be", seconds=1),
    # DOCX
    Case("random bytes as .docx", _file("nep.docx", b"PK\x03\x04" + bytes(200)),
         error=r"nep\.docx: is not a Word \.docx file: not a zip archive; open it in Word"),
    Case("old Word .doc renamed .docx", _file("oud.docx", b"\xd0\xcf\x11\xe0" + bytes(600)),
         error=r"oud\.docx: .*\(an old \.doc\? save it as \.docx\)"),
    Case("truncated .docx", lambda d: _file("half.docx", write_docx(d / "heel.docx", LETTER)
         .read_bytes()[:3000])(d), error=r"half\.docx: is not a Word \.docx file"),
    Case("zip without a Word document", _file("zip.docx", _zip({"a.txt": b"hallo"})),
         error=r"zip\.docx: is not a Word document"),
    Case("XXE entity in document.xml", lambda d: docx_with_part(d / "xxe.docx",
         "word/document.xml", XXE), error=r"xxe\.docx: contains a document type declaration "
         r"\(<!DOCTYPE>\) in word/document\.xml, which Word never writes"),
    Case("billion laughs in document.xml", lambda d: docx_with_part(d / "lol.docx",
         "word/document.xml", LAUGHS), error=r"lol\.docx: contains a document type"),
    Case("DTD in a UTF-16 styles part", lambda d: docx_with_part(d / "u16.docx",
         "word/styles.xml", LAUGHS.decode().replace('"?>', '" encoding="UTF-16"?>', 1)
         .encode("utf-16")), error=r"u16\.docx: contains a document type declaration .* in "
         r"word/styles\.xml"),
    Case("DTD after a long comment", lambda d: docx_with_part(d / "com.docx", "word/document"
         ".xml", XXE.replace(b"?>", b"?><!--" + b"x" * 100_000 + b"-->", 1)),
         error=r"com\.docx: contains a document type"),
    Case("too many parts", _file("veel.docx", lambda: _zip({f"p{i}": b"" for i in
         range(MAX_DOCX_ENTRIES + 1)})), error=r"veel\.docx: holds 5,001 files inside"),
    Case("30 MB of XML that zips small", _file("xml.docx", lambda: _zip({"word/document.xml":
         b"<w:p/>" * (5 * MB)})), error=r"xml\.docx: holds 30 MB of XML, more than the 25 MB"),
    Case("a .docx of a letter", lambda d: write_docx(d / "brief.docx", LETTER),
         check=answers(*FIRST_ANSWERS)),
    # not files at all
    Case("a folder named like a letter", lambda d: _mkdir(d / "map.txt"),
         error=r"map\.txt: is a folder, not a letter file"),
    Case("a broken link", lambda d: _link(d / "weg.txt", d / "bestaat-niet.txt"),
         error=r"weg\.txt: cannot be read \(no such file, or a link to a file that is gone\)"),
    Case("a link to itself", lambda d: _link(d / "lus.txt", d / "lus.txt"),
         error=r"lus\.txt: cannot be read \(a link that loops back on itself\)"),
    Case("a named pipe (must not hang)", lambda d: _fifo(d / "pijp.txt"),
         error=r"pijp\.txt: is not a regular file \(a pipe, socket or device\)", seconds=2),
    Case("a file that may not be read", lambda d: denied(d / "geheim.txt"),
         error=r"geheim\.txt: cannot be read \(permission denied\); check the file's "
               r"permissions"),
    Case("an unsupported type", _file("brief.doc", b"x"),
         error=r"brief\.doc: unsupported file type \(use \.txt, \.pdf, \.docx\)"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_catalogue(case: Case, tmp_path: Path) -> None:
    path = case.build(tmp_path)
    started = time.perf_counter()
    if case.error:
        with pytest.raises((CorpusError, ParseError)) as caught:
            parse_file(path)
        message = str(caught.value)
        assert re.match(case.error, message), message
        assert "\n" not in message and "Traceback" not in message
    else:
        assert case.check is not None
        case.check(parse_file(path))
    assert time.perf_counter() - started < case.seconds


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 30


# --- the same through the command line ---------------------------------------------------

CLI_CASES = ["binary renamed .txt", "XXE entity in document.xml", "PDF with a user password",
             "txt over the size limit",
             "three answer headings in a row, no page breaks"]  # fmt: skip


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_parse(name: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == name)
    shown = run_cli("parse", str(case.build(tmp_path)), timeout=60)
    assert "Traceback" not in shown.stderr
    if case.error:
        assert shown.returncode == 2
        lines = shown.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), shown.stderr
        assert re.match(case.error, lines[0][len("error: "):]), lines[0]
    else:
        assert shown.returncode == 0 and "passages: 3" in shown.stdout, shown.stdout


# --- the zip bomb: refused fast and with little memory -----------------------------------


def test_zip_bomb_is_refused_before_unzipping(tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "bom.docx")
    assert bomb.stat().st_size < 4 * MB
    probe = ("import resource, sys, time; from pathlib import Path\n"
             "from assistant.ingest.corpus import CorpusError, read_pages\n"
             "import zipfile, docx  # what reading a .docx may import, before measuring\n"
             "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
             "t = time.perf_counter()\n"
             "try: read_pages(Path(sys.argv[1]))\n"
             "except CorpusError as exc: print(exc)\n"
             "print(time.perf_counter() - t)\n"
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak)")  # fmt: skip
    run = subprocess.run([sys.executable, "-c", probe, str(bomb)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    message, seconds, grown_kb = run.stdout.strip().splitlines()
    assert re.match(r"bom\.docx: would unzip to \d{3} MB, more than the 200 MB allowed "
                    r"\(a zip bomb\?\); refused", message), message  # fmt: skip
    assert float(seconds) < 1.0
    assert int(grown_kb) < 30_000  # KB: the 3 MB file read once, no XML unzipped


# --- encodings are reported, not hidden --------------------------------------------------


@pytest.mark.parametrize(("data", "encoding", "warning"), [
    (LETTER.encode(), "utf-8", None),
    (codecs.BOM_UTF8 + LETTER.encode(), "utf-8-sig", None),
    (LETTER.encode("utf-16"), "utf-16", None),
    (LETTER.encode("cp1252"), "cp1252", r"not UTF-8; read as Windows-1252 \(Latin-1\) text"),
    (LETTER.encode().replace(b"Klopt", b"Kl\xffopt"), "utf-8 (damaged)",
     r"not valid UTF-8 \(1 damaged byte\(s\), the first at byte \d+\)"),
])  # fmt: skip
def test_decoding_says_when_text_was_reencoded(
        data: bytes, encoding: str, warning: str | None, tmp_path: Path) -> None:
    decoded = decode_text(data)
    assert decoded.encoding == encoding and "é" in decoded.text
    assert decoded.reencoded == (warning is not None)
    path = tmp_path / "brief.txt"
    path.write_bytes(data)
    pages = read_pages(path)
    if warning is None:
        assert pages.warning is None and not pages.reencoded
    else:
        assert re.match(r"brief\.txt: " + warning, pages.warning or ""), pages.warning
    (source,) = list(iter_sources([path]))
    assert not isinstance(source, CorpusError) and source.warning == pages.warning


# --- a corpus folder with faults: each reported by name, the rest read -------------------


def test_corpus_with_unreadable_files_reads_the_rest(tmp_path: Path) -> None:
    (tmp_path / "goed.txt").write_text(LETTER, encoding="utf-8")
    _link(tmp_path / "weg.txt", tmp_path / "nergens.txt")
    _fifo(tmp_path / "pijp.txt")
    denied(tmp_path / "geheim.txt")
    _mkdir(tmp_path / "map.pdf")
    (tmp_path / "map.pdf" / "binnen.txt").write_text(LETTER, encoding="utf-8")
    files = list_files(tmp_path)
    # As root, the unreadable file is a link to /proc: a link out of the corpus, left out.
    outside = (tmp_path / "geheim.txt").is_symlink()
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "geheim.txt", "goed.txt", "map.pdf/binnen.txt", "pijp.txt", "weg.txt"][outside:]
    files = [tmp_path / "geheim.txt", *files] if outside else files
    started = time.perf_counter()
    assert len(fingerprint(files, tmp_path)) == 16  # hashing skips what cannot be read
    results = list(iter_sources(files))
    assert time.perf_counter() - started < 2  # the pipe was not opened for a blocking read
    errors = sorted(str(r) for r in results if isinstance(r, CorpusError))
    assert errors == [
        "geheim.txt: cannot be read (permission denied); check the file's permissions",
        "pijp.txt: is not a regular file (a pipe, socket or device); copy the letter to a file",
        "weg.txt: cannot be read (no such file, or a link to a file that is gone)",
    ]
    read = [r for r in results if not isinstance(r, CorpusError)]
    assert [r.path.name for r in read] == ["goed.txt", "binnen.txt"]
    assert all(len(parse_pages(r.pages, r.path.name, r.sha).passages) == 2 for r in read)


def test_links_out_of_the_corpus_are_left_out_by_name(tmp_path: Path) -> None:
    """Issue #25: a link to a letter outside the corpus folder stopped `index` with a
    traceback (ValueError from relative_to) and nothing was indexed."""
    corpus, elsewhere = tmp_path / "corpus", tmp_path / "elders"
    _mkdir(corpus)
    _mkdir(elsewhere)
    (elsewhere / "brief.txt").write_text(LETTER, encoding="utf-8")
    (elsewhere / "map").mkdir()
    (elsewhere / "map" / "nog.txt").write_text(LETTER, encoding="utf-8")
    (corpus / "goed.txt").write_text(LETTER.replace("fietsbelasting", "fietspad"), "utf-8")
    _link(corpus / "buiten.txt", elsewhere / "brief.txt")
    _link(corpus / "map", elsewhere / "map")
    _link(corpus / "binnen.txt", corpus / "goed.txt")  # inside the folder: listed
    skipped: list[str] = []
    files = list_files(corpus, skipped)
    assert [f.name for f in files] == ["binnen.txt", "goed.txt"]
    target = os.path.realpath(elsewhere)
    assert skipped == [
        f"buiten.txt: a link to {target}/brief.txt, outside the corpus folder; left out "
        "(copy the letter into the folder to index it)",
        f"map: a link to {target}/map, outside the corpus folder; left out (copy the letter "
        "into the folder to index it)"]  # fmt: skip
    shown = run_cli("index", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))
    assert shown.returncode == 0, shown.stderr
    assert "Traceback" not in shown.stderr
    assert f"skipped: buiten.txt: a link to {target}/brief.txt, outside" in shown.stderr
    assert "indexed 1 documents, 2 passages" in shown.stdout, shown.stdout


# --- dates no letter can carry (#25 item 5) ---------------------------------------------


@pytest.mark.parametrize(("written", "problem"), [
    ("1 januari 9999", "is more than a year ahead"),
    ("1 januari 2300", "is more than a year ahead"),
    ("12 mei 1687", "is before 1800"),
    ("31 februari 2024", "is no calendar date"),
])  # fmt: skip
def test_a_date_no_letter_can_carry_is_read_as_none(written: str, problem: str) -> None:
    for text in (LETTER.replace("18 maart 2025", written),  # the sender block's "Datum"
                 LETTER.replace("Datum 18 maart 2025\n", "").replace(  # an Aanhangsel header
                     "fietsbelasting.\n", f"fietsbelasting.\nAntwoord van minister Heinen "
                     f"(Financiën) (ontvangen {written})\n", 1)):  # fmt: skip
        letter = parse_pages([text], "brief.txt")
        assert letter.document.date is None
        assert letter.warnings == [f"brief.txt: its date {written} {problem}; the letter is "
                                   "read as undated (correct the date in the file to date "
                                   "it)"]  # fmt: skip
        assert len(letter.passages) == 2  # the letter itself is read as ever


def test_dates_at_the_edges_of_the_range_are_kept() -> None:
    for written, iso in (("1 januari 1800", "1800-01-01"), ("18 maart 2025", "2025-03-18")):
        letter = parse_pages([LETTER.replace("18 maart 2025", written)], "brief.txt")
        assert (letter.document.date, letter.warnings) == (iso, [])
    assert date_problem("2030-01-01", today=dt.date(2029, 1, 2)) is None
    assert date_problem("2030-01-04", today=dt.date(2029, 1, 2)) == "is more than a year ahead"


def test_an_open_data_date_no_letter_can_carry_is_left_out() -> None:
    letter = parse_pages([LETTER.replace("Datum 18 maart 2025\n", "")], "brief.txt")
    assert letter.document.date is None
    known = Known(kind="answers", source="ah-tk-20242025-1", date="9999-01-01")
    assert complete(letter, known).document.date is None
    assert from_listing(known, "x").document.date is None


def test_a_letter_dated_9999_is_indexed_undated_and_the_rest_too(tmp_path: Path) -> None:
    """Issue #25: "1 januari 9999" raised OverflowError and stopped `index` for the whole
    corpus; now the letter is indexed undated, with one warning line naming it."""
    corpus = _mkdir(tmp_path / "corpus")
    (corpus / "goed.txt").write_text(LETTER, encoding="utf-8")
    (corpus / "toekomst.txt").write_text(
        LETTER.replace("18 maart 2025", "1 januari 9999").replace("fiets", "auto"), "utf-8")
    warning = ("toekomst.txt: its date 1 januari 9999 is more than a year ahead; the letter "
               "is read as undated (correct the date in the file to date it)")  # fmt: skip
    shown = run_cli("index", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))
    assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
    assert f"warning: {warning}" in shown.stderr.splitlines()
    assert "indexed 2 documents, 4 passages" in shown.stdout, shown.stdout
    parsed = run_cli("parse", str(corpus / "toekomst.txt"), timeout=60)
    assert parsed.returncode == 0 and f"warning: {warning}" in parsed.stderr.splitlines()


# --- time budget -------------------------------------------------------------------------


def test_parse_budget_names_the_file_and_stops_early(tmp_path: Path) -> None:
    path = tmp_path / "lang.txt"
    path.write_text(qa_headings(20_000), encoding="utf-8")  # 1 MB, about 3 s to parse
    started = time.perf_counter()
    with pytest.raises(ParseError, match=r"^lang\.txt: parsing it took longer than the 0\.2 s "
                                         r"allowed for one file; is it one letter\?$"):  # fmt: skip
        parse_file(path, seconds=0.2)
    assert time.perf_counter() - started < 1.5  # checked while parsing, not only after


def test_pdf_budget_is_checked_between_pages(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "dik.pdf", [LETTER] * 30)
    with pytest.raises(CorpusError, match=r"^dik\.pdf: reading it took longer than the 0 s "):
        read_pages(path, Deadline(0))


def test_many_consecutive_headings_split_no_pages() -> None:
    """The fault behind #13 item 9: rising "Antwoord op vraag N" lines were taken for
    page footers, and the body lines, now on "pages" of their own, for repeated headers."""
    assert split_text_pages(consecutive_headings(5)) == [consecutive_headings(5)]


# --- evaluation files --------------------------------------------------------------------

EVAL_OK = '{"q": "Wordt Telegram verboden?", "rel": [["5236577", "13"], ["5209583", 16]]}\n'


@pytest.mark.parametrize(("body", "message"), [
    (EVAL_OK.encode() + b'{"q": "caf\xe9", "rel": []}\n',
     r":2: not valid UTF-8 \(byte 0xe9 at column 11\); save the file as UTF-8$"),
    (b'{"q": "x", "rel": [["5236577", 1e400]]}', r":1: .*\(number 1e400 is out of range\)"),
    (b'{"q": "x", "rel": [["5236577", NaN]]}', r":1: .*\(NaN is not a number JSON allows\)"),
    (b'{"q": "x", "rel": [["5236577", 1.5]]}', r":1: .*question number 1\.5 must be a whole"),
    (b'{"q": "x", "rel": [["5236577", true]]}', r":1: .*question number true must be a whole"),
    (b'{"q": "x", "rel": 13}', r":1: .*rel must be a list of \[kenmerk, question number\]"),
    (b'{"q": "x", "rel": [[{"a": 1}, 2]]}', r":1: .*kenmerk \{\"a\": 1\} must be a string"),
    (b'{"q": null, "rel": []}', r":1: .*q must be a non-empty string"),
    (b'["q", "rel"]', r":1: .*a line must be a JSON object, not list"),
    (b'{"q": "x"}', r":1: .*needs the fields q and rel"),
    (b"[" * 100_000, r":1: not a valid question line \(nested too deeply\)$"),
    (b"\n\n", r" holds no questions$"),
])  # fmt: skip
def test_bad_evaluation_file_gives_one_line(body: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "vragen.jsonl"
    path.write_bytes(body)
    with pytest.raises(EvalError) as caught:
        load_questions(path)
    text = str(caught.value)
    assert text.startswith(str(path)) and "\n" not in text
    assert re.search(message, text), text


def test_good_evaluation_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "vragen.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + EVAL_OK.encode() + b'{"q": "taart?", "rel": [], "id": 7}\n')
    first, second = load_questions(path)
    assert first["rel"] == [("5236577", 13), ("5209583", 16)] and first["id"] == "1"
    assert second["rel"] == [] and second["id"] == "7" and second["lang"] == "?"


def test_bad_evaluation_file_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "vragen.jsonl"
    path.write_bytes(b'{"q": "x", "rel": [["5236577", 1e400]]}\n')
    shown = run_cli("eval", str(path), "--index", str(tmp_path / "geen-index"), timeout=120)
    assert shown.returncode == 2 and "Traceback" not in shown.stderr
    assert shown.stderr.strip().splitlines()[-1].startswith("error: ")


# --- text for the terminal ---------------------------------------------------------------


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b]0;gehackt\x07Onderwerp", "Onderwerp"),  # OSC: sets the window title
    ("\x1b]8;;https://x.nl\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink, ST ends it
    ("\x1b[31mrood\x1b[0m en \x1b[2J\x1b[H", "rood en "),  # CSI colours, clear screen
    ("\x9b31mC1-CSI\x9d0;titel\x9c", "C1-CSI"),  # the 8-bit forms
    ("a\x00b\x07c\x08d\x7fe\x85f", "abcdef"),  # NUL, BEL, BS, DEL, NEL
    ("regel 1\n\tregel 2\r\n", "regel 1\n\tregel 2\n"),  # newline and tab stay
    ("\x1bcreset", "reset"),  # ESC c resets the terminal
    ("\u202egnitset\u202c", "gnitset"),  # a right-to-left override
    ("half \x1b]0;zonder einde", "half 0;zonder einde"),  # unterminated: ESC goes, text stays
    ("Café «Noord» – 5 €", "Café «Noord» – 5 €"),  # ordinary text is untouched
])  # fmt: skip
def test_printable(raw: str, shown: str) -> None:
    assert printable(raw) == shown


# --- glued words (#12 item 9), and what must stay as it is -------------------------------


@pytest.mark.parametrize(("glued", "mended"), [
    ("op de rand van eenonomkeerbare klimaatramp", "op de rand van een onomkeerbare klimaatramp"),
    ("in gesprekken met individuelecliënten", "in gesprekken met individuele cliënten"),
    ("gepubliceerd in BioScience8 oktober jl.", "gepubliceerd in BioScience 8 oktober jl."),
    ("Als wetenschappers2 melden dat", "Als wetenschappers melden dat"),
    ("Aidsfonds maakt zichzorgen over", "Aidsfonds maakt zich zorgen over"),
    ("in huninleiding en in hunnieuwe plannen", "in hun inleiding en in hun nieuwe plannen"),
    ("de opwarming tot1,5 graden", "de opwarming tot 1,5 graden"),
    ("volgens artikel2 van de wet", "volgens artikel 2 van de wet"),
])  # fmt: skip
def test_glued_words_are_mended(glued: str, mended: str) -> None:
    assert repair_split_words(glued, {"onomkeerbare"}) == mended


@pytest.mark.parametrize("text", [
    "COVID-19 en artikel 125p van het Wetboek van Strafrecht",
    "de klimaatramp en de tussenhandeldiensten",  # compounds
    "de hogeschooldocenten en de waardeketens van het opnamerapport",  # noun + noun
    "Nieuwegein, Hogeveen en Rodenburg",  # names
    "de artikelen2 en 3",  # a list of numbers: left alone
    "in 2023 steeg het met 1,5 procent tot 10,4 miljard",
    "implementerende en ziektekostenverzekeraars",
    "op de kaart",  # two words stay two, though "opde" occurs glued in the letter
])  # fmt: skip
def test_repair_leaves_compounds_names_and_numbers(text: str) -> None:
    assert repair_split_words(text, {"opde"}) == text


def test_titles_are_mended_too() -> None:
    """The title's "eenonomkeerbare" is split: the letter uses "onomkeerbare" on its own."""
    text = LETTER.replace("over de fietsbelasting\n", "over eenonomkeerbare fietsbelasting\n",
                          1).replace("nieuwe belasting?", "onomkeerbare belasting?")  # fmt: skip
    letter = parse_pages([text], "brief.txt")
    assert letter.document.title == "Antwoorden Kamervragen over een onomkeerbare fietsbelasting"


def test_a_json_payload_stays_valid(tmp_path: Path) -> None:
    """Control characters in a letter never reach the CLI's JSON or terminal output."""
    path = tmp_path / "ctrl.txt"
    path.write_text(LETTER.replace("Nee,", "Nee\x1b[2J\x07,"), encoding="utf-8")
    shown = run_cli("parse", "--json", str(path), timeout=60)
    payload = json.loads(shown.stdout)
    assert payload["passages"][0]["answer_text"] == FIRST_ANSWERS[0]
