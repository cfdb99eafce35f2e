""".pdf and .docx input: files generated here from the seed text parse like the .txt."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from assistant.ingest.corpus import CorpusError, read_pages, split_text_pages
from assistant.ingest.parse import ParseError, parse_file
from tests.conftest import CORPUS_REAL, SEED_A, SEED_B, needs_shared, run_cli


def write_pdf(pages: list[str], path: Path) -> Path:
    """One PDF page per text page (long pages run on), lines wrapped as a printer would."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for page in pages:
        y = 800
        for line in page.splitlines():
            for part in textwrap.wrap(line, 110) or [""]:
                pdf.setFont("Helvetica", 8)
                pdf.drawString(40, y, part)
                y -= 10
                if y < 40:
                    pdf.showPage()
                    y = 800
        pdf.showPage()
    pdf.save()
    return path


def write_docx(paragraphs: list[tuple[str, str | None]], path: Path) -> Path:
    document = docx.Document()
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    document.save(str(path))
    return path


@pytest.mark.parametrize("seed", [SEED_A, SEED_B], ids=["5236577", "5209583"])
def test_pdf_of_a_seed_parses_like_its_text(seed: Path, tmp_path: Path) -> None:
    pdf = write_pdf(split_text_pages(seed.read_text(encoding="utf-8")), tmp_path / "brief.pdf")
    from_pdf, from_txt = parse_file(pdf), parse_file(seed)
    assert len(read_pages(pdf)) >= 8
    assert [p.questions for p in from_pdf.passages] == [p.questions for p in from_txt.passages]
    assert [p.answer_text for p in from_pdf.passages] == [p.answer_text for p in from_txt.passages]
    for field in ("title", "date", "ons_kenmerk", "uw_kenmerk", "questioner", "minister"):
        assert getattr(from_pdf.document, field) == getattr(from_txt.document, field), field
    assert from_pdf.document.doc_id != from_txt.document.doc_id  # other bytes, other hash


def test_docx_of_a_seed_parses_like_its_text(tmp_path: Path) -> None:
    lines = SEED_A.read_text(encoding="utf-8").replace("\f", "\n").splitlines()
    path = write_docx([(line.strip(), None) for line in lines], tmp_path / "brief.docx")
    from_docx, from_txt = parse_file(path), parse_file(SEED_A)
    assert [p.questions for p in from_docx.passages] == [[n] for n in range(1, 18)]
    assert from_docx.document.ons_kenmerk == "5236577"
    assert from_docx.document.date == from_txt.document.date == "2024-03-18"
    by_q = {p.questions[0]: p.answer_text for p in from_docx.passages}
    assert by_q[13] == next(p.answer_text for p in from_txt.passages if p.questions == [13])


def test_docx_draft_with_word_list_numbers(tmp_path: Path) -> None:
    # A draft whose question numbers exist only as Word list numbering, bare "Antwoord"
    # markers, a combined answer and an answer that only refers to another.
    path = write_docx([
        ("AH 777", None), ("2024Z99999", None),
        ("Antwoord van minister De Vries (Infrastructuur en Waterstaat) "
         "(ontvangen 3 december 2024)", None),
        ("Kent u het bericht over zwerfkatten op de veerboot naar Texel?", "List Number"),
        ("Antwoord", None), ("Ja.", None),
        ("Hoeveel katten reizen jaarlijks mee?", "List Number"),
        ("Wie betaalt de opvang van die katten?", "List Number"),
        ("Antwoord op vragen 2 en 3", None),
        ("Dat wordt niet bijgehouden; de rederij betaalt de opvang.", None),
        ("Bent u bereid de rederij hierop aan te spreken?", "List Number"),
        ("Antwoord", None), ("Zie het antwoord op vraag 2 en 3.", None),
    ], tmp_path / "concept.docx")  # fmt: skip
    letter = parse_file(path)
    assert [p.questions for p in letter.passages] == [[1], [2, 3], [4]]
    assert letter.passages[2].refers_to == [2, 3]
    assert letter.passages[1].question_text.startswith("Vraag 2: Hoeveel katten")
    doc = letter.document
    assert (doc.aanhangsel, doc.uw_kenmerk, doc.date) == ("AH 777", "2024Z99999", "2024-12-03")
    assert (doc.minister, doc.ministry) == ("minister De Vries", "Infrastructuur en Waterstaat")
    assert doc.questioner is None and doc.ons_kenmerk is None


@needs_shared
def test_pdf_of_an_aanhangsel_print_drops_footers_and_footnotes(tmp_path: Path) -> None:
    source = CORPUS_REAL / "Antwoord_op_vragen_van_het_lid_Westervel.pdf.txt"
    pages = split_text_pages(source.read_text(encoding="utf-8"))
    pdf = write_pdf(pages, tmp_path / "ah-578.pdf")
    letter = parse_file(pdf)
    assert [p.questions for p in letter.passages] == [[n] for n in range(1, 17)]
    text = " ".join(p.answer_text + p.question_text for p in letter.passages)
    assert "Aanhangsel 2" not in text and "ah-tk-" not in text and "wetten.nl" not in text
    assert letter.document.aanhangsel == "ah-tk-20242025-578"


def test_unreadable_pdf_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "kapot.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(CorpusError, match=r"^kapot\.pdf: is not a readable PDF"):
        read_pages(bad)
    shown = run_cli("parse", str(bad))
    assert shown.returncode == 2
    assert shown.stderr.startswith("error: kapot.pdf: is not a readable PDF")


def test_pdf_without_text_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(empty), pagesize=A4)
    pdf.rect(50, 50, 100, 100)  # a drawing, no text layer
    pdf.showPage()
    pdf.save()
    with pytest.raises(ParseError, match=r"^scan\.pdf: no text"):
        parse_file(empty)


def test_cli_parse_reads_docx(tmp_path: Path) -> None:
    path = write_docx([("Vragen van het lid Jansen (CDA) aan de minister van Financiën over "
                        "de belasting op fietsen.", None), ("", None),
                       ("Klopt het dat fietsen duurder worden?", "List Number"),
                       ("Waarom?", "List Number")], tmp_path / "vragen.docx")  # fmt: skip
    payload = json.loads(run_cli("parse", "--json", str(path)).stdout)
    assert payload["document"]["kind"] == "questions"
    assert payload["questions_numbered"] == [1, 2]
    assert payload["document"]["questioner"] == "Jansen"
    assert payload["document"]["title"] == "Kamervragen over de belasting op fietsen"
