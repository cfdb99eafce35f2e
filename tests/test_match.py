"""`assistant match`: question documents (.txt, .pdf, .docx, pasted) read into numbered
questions, searched in the real seed index, verdicts, reports; bad input is one line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import docx
import pytest

from assistant.cite import hit_dict
from assistant.ingest.corpus import split_text_pages
from assistant.match import MAX_QUESTIONS, QuestionsError, match, read_questions, read_source
from assistant.match.report import csv_text, markdown, report_dict
from assistant.match.verdict import is_procedural_question
from assistant.search import Searcher
from assistant.store import open_store
from tests.conftest import ROOT, SEED_A, run_cli
from tests.test_filetypes import write_docx, write_pdf

DOXING = ROOT / "benchmarks" / "match" / "01_doxing_vraag.txt"
INTRO = ("Vragen van het lid Jansen (CDA) aan de Minister van Justitie en Veiligheid over "
         "Telegram (ingezonden 3 maart 2025)")  # fmt: skip
QUESTIONS = [
    "Bent u bekend met het bericht «Telegram blijft onbereikbaar» (NOS, 1 maart 2025)?",
    "Kan de app Telegram in Nederland verboden worden?",
    "Hoeveel gevallen van doxing zijn sinds de strafbaarstelling gemeld?",
    "Hoeveel garnalenkotters zijn er nog actief in de Waddenzee?",
    "Kunt u deze vragen afzonderlijk beantwoorden?",
]


def numbered(style: str, questions: list[str] = QUESTIONS) -> str:
    marks = {"vraag": "Vraag {n}\n", "dot": "{n}. ", "paren": "{n}) ", "bare": "{n}\n"}
    body = "\n\n".join(marks[style].format(n=n) + q for n, q in enumerate(questions, 1))
    return f"{INTRO}\n\n{body}\n"


def digest(folder: Path) -> str:
    """What the index holds (its change counter, counts and letters); its files may differ
    after a read (SQLite folds its write-ahead log in when a reader closes)."""
    with open_store(folder) as store:
        state = (store.generation(), store.counts(),
                 [(r.document.doc_id, r.passages) for r in store.documents()])
    return hashlib.sha256(repr(state).encode()).hexdigest()


# -- reading a question document ------------------------------------------------------------
@pytest.mark.timeout(60)
@pytest.mark.parametrize("style", ["vraag", "dot", "paren", "bare"])
def test_every_numbering_layout_gives_the_same_questions(style: str) -> None:
    read = read_questions(split_text_pages(numbered(style)), "vragen.txt")
    assert [q.number for q in read.questions] == [1, 2, 3, 4, 5]
    assert [q.text for q in read.questions] == QUESTIONS
    assert read.document.questioner == "Jansen" and read.document.party == "CDA"
    assert "Telegram" in read.document.title


@pytest.mark.timeout(60)
def test_questions_run_over_paragraphs_and_pages_and_endnotes_are_cut() -> None:
    text = (f"Preamble line that is no question.\n{INTRO}\n\nVraag 1\nEerste deel van de vraag, "
            "met een toelichting.\n\nTweede alinea: klopt het dat dit zo is? 1)\n\f"
            "Vraag 2\nWat vindt u daarvan?\n\n1) NOS, 1 maart 2025, https://nos.nl/x\n")
    read = read_questions(split_text_pages(text), "x.txt")
    assert len(read.questions) == 2
    first = read.questions[0].text
    assert "Eerste deel" in first and "Tweede alinea" in first and not first.endswith("1)")
    assert read.questions[1].text == "Wat vindt u daarvan?"
    assert read.questions[1].page == 2


@pytest.mark.timeout(60)
def test_questions_whose_list_numbers_were_lost_are_its_asking_paragraphs() -> None:
    text = INTRO + "\n\n" + "\n\n".join(QUESTIONS[1:4]) + "\n\n[1] NOS, 1 maart 2025\n"
    read = read_questions(split_text_pages(text), "word.docx")
    assert [q.text for q in read.questions] == QUESTIONS[1:4]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", [QUESTIONS[0], "Bent u op de hoogte van het rapport X?",
                                  "Heeft u kennisgenomen van de uitzending van Pointer?",
                                  QUESTIONS[4], "Wilt u deze vragen één voor één beantwoorden?"])
def test_openers_and_the_closing_question_are_procedural(text: str) -> None:
    assert is_procedural_question(text)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", [QUESTIONS[1], QUESTIONS[2],
                                  "Bent u bekend met het bericht X? Wat vindt u daarvan?"])
def test_substantive_questions_are_not_procedural(text: str) -> None:
    assert not is_procedural_question(text)


# -- matching in the real seed index --------------------------------------------------------
@pytest.mark.timeout(900)
def test_match_finds_the_earlier_answers_and_judges_each_question(searcher: Searcher) -> None:
    report = match(searcher, read_source(text=numbered("vraag")))
    verdicts = [m.verdict for m in report.questions]
    assert verdicts[0] == "procedural" and verdicts[4] == "procedural"
    assert verdicts[1] == verdicts[2] == "answered"
    assert verdicts[3] == "new"
    ban = report.questions[1].hits[0]
    assert ban.document.ons_kenmerk == "5236577" and ban.passage.questions == [13]
    assert report.questions[0].hits, "a procedural question still shows its best match"
    data = report_dict(report)
    assert set(data) == {"document", "questions"}
    assert data["document"]["questioner"] == "Jansen"
    first = data["questions"][1]
    assert set(first) == {"number", "text", "verdict", "hits"}
    assert first["hits"][0] == hit_dict(report.questions[1].hits[0])  # as `ask --json`
    asked = searcher.search(QUESTIONS[1], k=3)
    assert set(first["hits"][0]) == set(hit_dict(asked.hits[0]))


@pytest.mark.timeout(900)
def test_the_documents_own_answer_letter_is_left_out(searcher: Searcher) -> None:
    # The seed letter 5236577 answers zaak 2024Z02257: these are its questions, re-sent.
    text = ("2024Z02257\n\nVragen van het lid Kathmann (GroenLinks-PvdA) aan de minister van "
            "Justitie en Veiligheid over exposegroepen en doxing op Telegram (ingezonden 1 "
            "februari 2024)\n\n1. Behoort een verbod op het aanbieden van de app Telegram in "
            "Nederland tot de mogelijkheden?\n\n2. Wat is de wettelijke definitie van "
            "‘exposing’?\n")
    report = match(searcher, read_source(text=text))
    assert report.left_out, "the indexed answer letter was found by its zaak"
    for m in report.questions:
        assert m.hits and all(h.document.ons_kenmerk != "5236577" for h in m.hits)
    # the other seed letter does answer the ban (its vraag 16)
    assert report.questions[0].hits[0].document.ons_kenmerk == "5209583"


@pytest.mark.timeout(900)
def test_cli_on_txt_pdf_docx_and_paste_with_reports(seed_index_dir: Path,
                                                    tmp_path: Path) -> None:  # fmt: skip
    pdf = write_pdf(split_text_pages(numbered("vraag")), tmp_path / "vragen.pdf")
    word = write_docx([(INTRO, None)] + [(f"{n}. {q}", None)
                                         for n, q in enumerate(QUESTIONS, 1)],
                      tmp_path / "vragen.docx")  # fmt: skip
    index = str(seed_index_dir)
    before = digest(seed_index_dir)

    out = run_cli("match", str(DOXING), "--index", index, "--json",
                  "--out", str(tmp_path / "r.docx"))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["document"]["title"] == "Kamervragen over doxing en exposegroepen op sociale media"
    assert data["document"]["zaak"] == "2025Z04411"
    assert [q["number"] for q in data["questions"]] == list(range(1, 10))
    assert data["questions"][1]["verdict"] == "answered"
    assert [5] in [h["questions"] for h in data["questions"][1]["hits"]]
    report = docx.Document(str(tmp_path / "r.docx"))
    text = "\n".join(p.text for p in report.paragraphs)
    assert "Vraag 2 — answered" in text and "kenmerk 5236577" in text

    out = run_cli("match", str(pdf), "--index", index, "--out", str(tmp_path / "r.md"))
    assert out.returncode == 0, out.stderr
    assert "Vraag 2 [answered]" in out.stdout and "Vraag 4 [new]" in out.stdout
    assert "## Vraag 2 — answered" in (tmp_path / "r.md").read_text(encoding="utf-8")

    out = run_cli("match", str(word), "--index", index, "--out", str(tmp_path / "r.csv"))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["vraag", "tekst", "oordeel"]
    assert {r[2] for r in rows[1:]} >= {"procedural", "answered", "new"}

    pasted = subprocess.run([sys.executable, "-m", "assistant", "match", "-", "--index", index,
                             "--json"], input=numbered("dot"), capture_output=True, text=True,
                            cwd=ROOT, timeout=600)  # fmt: skip
    assert pasted.returncode == 0, pasted.stderr
    assert [q["verdict"] for q in json.loads(pasted.stdout)["questions"]][:2] == \
        ["procedural", "answered"]  # fmt: skip
    assert digest(seed_index_dir) == before


def _one_error_line(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    assert "Traceback" not in out.stderr and not out.stdout
    return lines[0]


@pytest.mark.timeout(900)
def test_bad_input_is_one_line_and_changes_nothing(seed_index_dir: Path,
                                                   tmp_path: Path) -> None:  # fmt: skip
    index = str(seed_index_dir)
    before = digest(seed_index_dir)
    report = tmp_path / "report.md"
    prose = tmp_path / "prose.txt"
    prose.write_text("Een brief zonder genummerde vragen. Het weer is mooi vandaag.\n")
    many = tmp_path / "many.txt"
    many.write_text(numbered("vraag", [f"Is dit vraag nummer {n}?" for n in range(1, 101)]))
    cases = {
        (str(SEED_A),): ("answer letter", "assistant ask"),
        (str(prose),): ("no numbered questions",),
        (str(many),): ("100 numbered questions", f"at most {MAX_QUESTIONS}"),
        (str(tmp_path / "nope.txt"),): ("no such file",),
        (str(tmp_path),): ("is a folder",),
        (str(DOXING), "--out", str(tmp_path / "r.pdf")): (".md, .csv or .docx",),
        (str(DOXING), "--out", str(tmp_path / "no" / "r.md")): ("no such folder",),
    }
    for args, wanted in cases.items():
        line = _one_error_line(run_cli("match", *args, "--index", index, "--out", str(report))
                               if "--out" not in args else
                               run_cli("match", *args, "--index", index))  # fmt: skip
        for text in wanted:
            assert text in line, line
    for paste in ("", "   \n\n"):
        out = subprocess.run([sys.executable, "-m", "assistant", "match", "-", "--index",
                              index], input=paste, capture_output=True, text=True, cwd=ROOT,
                             timeout=120)  # fmt: skip
        assert "nothing pasted" in _one_error_line(out)
    assert not report.exists() and not (tmp_path / "r.pdf").exists()
    assert digest(seed_index_dir) == before


@pytest.mark.timeout(60)
def test_read_source_refuses_what_is_no_question_document(tmp_path: Path) -> None:
    with pytest.raises(QuestionsError, match="answer letter"):
        read_source(SEED_A)
    with pytest.raises(QuestionsError, match="nothing pasted"):
        read_source(text=" \n")


@pytest.mark.timeout(900)
def test_reports_do_not_let_letter_text_become_markup_or_formulas(searcher: Searcher) -> None:
    text = numbered("dot", ["=HYPERLINK(\"http://x\") Kan Telegram verboden worden?",
                            "Is *dit* <b>vet</b> [link](http://x)?"])
    report = match(searcher, read_source(text=text))
    rows = list(csv.reader(io.StringIO(csv_text(report))))
    assert all(not r[1].startswith("=") for r in rows[1:])
    md = markdown(report)
    assert "<b>" not in md and "\\*dit\\*" in md and "\\[link\\]" in md


@pytest.mark.timeout(900)
def test_postgres_index_gives_the_same_verdicts_and_leaves_out_the_own_letter(
        pg_server: Any, seed_index_dir: Path, searcher: Searcher) -> None:  # fmt: skip
    from assistant.store.copy import copy_store

    url = pg_server.new_database("match")
    with open_store(seed_index_dir) as src, open_store(url, src.config) as dst:
        copy_store(src, dst)
    text = ("2024Z02257\n\nVragen van het lid Kathmann (GroenLinks-PvdA) aan de minister van "
            "Justitie en Veiligheid over doxing (ingezonden 1 februari 2024)\n\n"
            + numbered("dot").split("\n\n", 1)[1])  # fmt: skip
    read = read_source(text=text)
    with open_store(url) as store:
        on_pg = match(Searcher(store, searcher.embedder), read)
    on_sqlite = match(searcher, read)
    assert on_pg.left_out and on_pg.left_out == on_sqlite.left_out
    assert [m.verdict for m in on_pg.questions] == [m.verdict for m in on_sqlite.questions]
    assert [[h.passage.passage_id for h in m.hits] for m in on_pg.questions] == \
        [[h.passage.passage_id for h in m.hits] for m in on_sqlite.questions]  # fmt: skip
    assert all(h.document.ons_kenmerk != "5236577" for m in on_pg.questions for h in m.hits)
