"""Property tests (Hypothesis) of the parser's input (issue #25 item 8): whatever a file
holds — any text, any bytes named .txt, .docx or .pdf, a letter with hostile lines mixed
in, a real .docx or .pdf of such text — `parse_file` gives a parsed letter or refuses
with one line (ParseError, CorpusError), within its time budget. The parser's own
catch-all ("could not be parsed (…); please report this file") is a bug here: it means an
exception the parser did not expect.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from opendata_fixtures import _docx, _pdf
from store_letters import letter_text

from assistant.ingest.corpus import CorpusError
from assistant.ingest.limits import PARSE_SECONDS
from assistant.ingest.parse import ParseError, parse_file

SETTINGS = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), deadline=None,
                    derandomize="FUZZ_EXAMPLES" not in os.environ,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])  # fmt: skip
# Lines that look like a letter's own and hold what no letter does.
HOSTILE_LINES = [
    "Vraag 99999999999999999999", "Antwoord 99999999999999999999", "Vraag 0", "Antwoord 0",
    "Vraag 1 t/m 100000000", "Antwoord op vraag 3 en 3 en 3", "Vragen 2-1", "Antwoord 5 - 2",
    "Vraag 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22",
    "(ontvangen 1 januari 9999)", "(ingezonden 31 februari 2024)", "Datum 99 maart 0000",
    "Ons kenmerk %_\\*?[", "Uw kenmerk 2024Z%", "Aanhangsel van de Handelingen", "ah-tk-%_",
    "Vragen van het lid", "Antwoord", "Vraag", "1.", "1", "\x00fn1\x00", "\x0c", "\u2028",
    "[1] https://", "1) ", "Zie het antwoord op vraag 99999999999999999999",
    "Nee, zie antwoord 1 t/m 999999", "Kenmerk " + "9" * 400, "\udcff", "\ud800", "",
]  # fmt: skip
LINES = st.one_of(st.sampled_from(HOSTILE_LINES), st.text(max_size=60),
                  st.text(st.characters(codec="utf-8"), max_size=30))  # fmt: skip


def refusal_or_letter(path: Path) -> str:
    """Parse path: "letter" or "refused"; fails the test on anything else."""
    started = time.monotonic()
    try:
        letter = parse_file(path)
    except (ParseError, CorpusError) as exc:
        message = str(exc)
        assert message and "\n" not in message.strip(), message
        assert "please report this file" not in message, message  # a parser bug
        outcome = "refused"
    else:
        doc = letter.document
        assert doc.doc_id and doc.source == path.name
        assert all(p.answer_text for p in letter.passages)
        assert len({p.passage_id for p in letter.passages}) == len(letter.passages)
        assert doc.date is None or "1800-01-01" <= doc.date <= "2100-01-01", doc.date
        outcome = "letter"
    assert time.monotonic() - started < PARSE_SECONDS + 30
    event(outcome)
    return outcome


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def mixed_letter(lines: list[str], at: list[int], topic: str) -> str:
    """A real letter with the lines put in at the given places."""
    out = letter_text(topic).split("\n")
    for line, where in zip(lines, at, strict=False):
        out.insert(where % (len(out) + 1), line)
    return "\n".join(out)


@pytest.mark.timeout(600)
@SETTINGS
@given(text=st.text(max_size=2000))
@example(text="Vraag 1\nx\nAntwoord 1\n\udcff")
def test_any_text_file(tmp_path: Path, text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    refusal_or_letter(write(tmp_path, "brief.txt", data))


@pytest.mark.timeout(600)
@SETTINGS
@given(lines=st.lists(LINES, max_size=8), at=st.lists(st.integers(0, 60), max_size=8),
       topic=st.sampled_from(["katten", "fietsen"]))  # fmt: skip
def test_a_letter_with_hostile_lines(tmp_path: Path, lines: list[str], at: list[int],
                                     topic: str) -> None:  # fmt: skip
    text = mixed_letter(lines, at, topic)
    refusal_or_letter(write(tmp_path, "brief.txt", text.encode("utf-8", "surrogatepass")))


@pytest.mark.timeout(600)
@SETTINGS
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".docx", ".pdf", ".TXT"]),
       head=st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe"]))
@example(data=b"\x00\xff" * 10, suffix=".pdf", head=b"%PDF-1.7\n")
def test_any_bytes_as_a_letter_file(tmp_path: Path, data: bytes, suffix: str,
                                    head: bytes) -> None:  # fmt: skip
    refusal_or_letter(write(tmp_path, "brief" + suffix, head + data))


def docx_ish(xml: bytes, extra: dict[str, bytes]) -> bytes:
    """A zip with a Word document's names and whatever XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://'
                    b'schemas.openxmlformats.org/package/2006/content-types"/>')  # fmt: skip
        zf.writestr("word/document.xml", xml)
        for name, data in extra.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.mark.timeout(600)
@SETTINGS
@given(xml=st.one_of(st.binary(max_size=500), st.text(max_size=300).map(
    lambda t: ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
               f'main"><w:body><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:body></w:document>'
               ).encode("utf-8", "surrogatepass"))),
       extra=st.dictionaries(st.sampled_from(["word/styles.xml", "word/_rels/document.xml.rels",
                                              "word/footnotes.xml", "docProps/core.xml"]),
                             st.binary(max_size=200), max_size=2))  # fmt: skip
def test_a_zip_that_looks_like_a_docx(tmp_path: Path, xml: bytes,
                                      extra: dict[str, bytes]) -> None:  # fmt: skip
    refusal_or_letter(write(tmp_path, "brief.docx", docx_ish(xml, extra)))


PRINTABLE = [line for line in HOSTILE_LINES if line.isprintable()]  # what a writer takes


@pytest.mark.timeout(600)
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.sampled_from(PRINTABLE) | st.text(
           st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Co"]), max_size=40),
           max_size=6),
       at=st.lists(st.integers(0, 60), max_size=6), kind=st.sampled_from(["pdf", "docx"]))
def test_a_real_docx_or_pdf_of_a_letter_with_hostile_lines(
        tmp_path: Path, lines: list[str], at: list[int], kind: str) -> None:  # fmt: skip
    make = _pdf if kind == "pdf" else _docx
    data = make("Tweede Kamer der Staten-Generaal", mixed_letter(lines, at, "katten"))
    refusal_or_letter(write(tmp_path, f"brief.{kind}", data))
