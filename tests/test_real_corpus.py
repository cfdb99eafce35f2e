"""The parser on every real document in ../shared/corpus-real (skipped when it is absent).

Expected question numbers are read from the raw text with a plain regex here, apart from
the parser: "Vraag N" lines, or "N. " lines in drafts that number questions that way.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from assistant.documents import ANSWERS, POSTPONEMENT, QUESTIONS
from assistant.ingest.parse import ParsedLetter, parse_file
from assistant.store.build import Report, parse_files, sync
from assistant.store.embed import Embedder
from tests.conftest import CORPUS, CORPUS_REAL, SEED_A, SEED_B, needs_shared, real_files, run_cli

pytestmark = needs_shared

ANSWER_FILES = [p for p in real_files() if p.name.startswith("Antwoord_op")]
POSTPONEMENTS = [p for p in real_files() if p.name.startswith("Uitstel_beantwoording")]
QUESTION_FILES = [p for p in real_files() if p not in ANSWER_FILES and p not in POSTPONEMENTS]

# Combined answers as the letters print them ("Antwoord 6 en 7", "Antwoord vraag 4-7:").
COMBINED = {
    "Antwoord_op_vragen_van_de_leden_Beckerma.pdf.txt": [[6, 7], [14, 15], [19, 20, 21]],
    "Antwoord_op_vragen_van_het_lid_Boswijk_o.docx.txt": [[1, 2, 3, 4, 5]],
    "Antwoord_op_vragen_van_het_lid_Joseph_ov.docx.txt": [[4, 5, 6, 7], [9, 10, 11, 12, 13, 14]],
    "Antwoord_op_vragen_van_het_lid_Koekkoek.pdf.txt": [[13, 14]],
    "Antwoord_op_vragen_van_het_lid_Martens_A.pdf.txt": [[2, 3], [5, 6]],
    "Antwoord_op_vragen_van_het_lid_Mutluer_o.docx.txt": [[3, 4]],
    "Antwoord_op_vragen_van_het_lid_Van_Nispe.pdf.txt": [[3, 4], [5, 6]],
}
NOISE = re.compile(r"ah-tk-\d|kv-tk-|ISSN|vergaderjaar \d{4}.\d{4}, (?:Aanhangsel|Vragen)|\x00")


def numbered_in_text(path: Path) -> set[int]:
    """Question numbers a reader sees in the raw text."""
    text = path.read_text(encoding="utf-8")
    found: set[int] = set()
    for match in re.finditer(r"^Vraag (\d+)(?:\s*(?:,|en|t/m)\s*(\d+))*", text, re.M):
        found.update(int(n) for n in re.findall(r"\d+", match.group(0)))
    if not found:  # drafts: "1. <question>", numbered in sequence
        for match in re.finditer(r"^(\d{1,2})\. [A-Z]", text, re.M):
            if int(match.group(1)) == len(found) + 1:
                found.add(int(match.group(1)))
    return found


def ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


@pytest.fixture(scope="module")
def parsed() -> dict[str, ParsedLetter]:
    return {p.name: parse_file(p) for p in real_files()}


def test_corpus_real_holds_every_kind() -> None:
    assert len(real_files()) == 43
    assert len(ANSWER_FILES) == 22 and len(POSTPONEMENTS) == 2 and len(QUESTION_FILES) == 19


@pytest.mark.parametrize("path", ANSWER_FILES, ids=ids(ANSWER_FILES))
def test_answer_letter_covers_all_its_numbered_questions(
        path: Path, parsed: dict[str, ParsedLetter]) -> None:  # fmt: skip
    letter = parsed[path.name]
    expected = numbered_in_text(path)
    assert expected, "the test's own regex found no numbered question"
    assert letter.document.kind == ANSWERS
    covered = [n for p in letter.passages for n in p.questions]
    assert sorted(covered) == sorted(expected), "each question answered exactly once"
    assert set(letter.questions_numbered) == expected
    for passage in letter.passages:
        assert passage.answer_text.strip(), passage.passage_id
        assert passage.question_text.strip(), passage.passage_id
        assert not NOISE.search(passage.answer_text + passage.question_text), passage.passage_id


@pytest.mark.parametrize("path", ANSWER_FILES, ids=ids(ANSWER_FILES))
def test_combined_answers_are_one_passage(path: Path, parsed: dict[str, ParsedLetter]) -> None:
    groups = [p.questions for p in parsed[path.name].passages if len(p.questions) > 1]
    assert groups == COMBINED.get(path.name, [])


@pytest.mark.parametrize("path", QUESTION_FILES, ids=ids(QUESTION_FILES))
def test_question_only_documents_are_recognised(
        path: Path, parsed: dict[str, ParsedLetter]) -> None:  # fmt: skip
    letter = parsed[path.name]
    assert letter.document.kind == QUESTIONS
    assert letter.passages == []
    assert letter.document.date is None, "a question letter has no answer date"
    assert letter.document.questioner and letter.document.uw_kenmerk


@pytest.mark.parametrize("path", POSTPONEMENTS, ids=ids(POSTPONEMENTS))
def test_postponements_are_recognised(path: Path, parsed: dict[str, ParsedLetter]) -> None:
    letter = parsed[path.name]
    assert letter.document.kind == POSTPONEMENT
    assert letter.passages == []
    assert letter.document.aanhangsel and letter.document.aanhangsel.startswith("AH ")


def test_question_counts_of_question_only_letters(parsed: dict[str, ParsedLetter]) -> None:
    # "Vraag N" prints, "1." drafts and drafts whose list numbers were lost.
    counts = {name: len(letter.questions_numbered) for name, letter in parsed.items()}
    assert counts["Het_niet_naleven_van_de_Wet_politiegegev.pdf.txt"] == 73
    assert counts["De_situatie_van_Oeigoeren_in_Thailand.docx.txt"] == 7
    assert counts["Het_bericht_Een_derde_van_de_schoolbest.docx.txt"] == 9
    assert counts["De_brandbrief_van_enkele_fracties_inzake.docx.txt"] == 2


def test_aanhangsel_print_metadata(parsed: dict[str, ParsedLetter]) -> None:
    doc = parsed["Antwoord_op_vragen_van_de_leden_Beckerma.pdf.txt"].document
    assert doc.aanhangsel == "ah-tk-20242025-564"
    assert doc.date == "2024-11-18"
    assert doc.questioner == "Beckerman, Bushoff, Kröger, Bamenga en Teunissen"
    assert doc.party == "SP, GroenLinks-PvdA, D66, PvdD"
    assert doc.minister == "staatssecretaris Van Marum en minister Hermans"
    assert doc.ministry == "Binnenlandse Zaken en Koninkrijksrelaties; Klimaat en Groene Groei"
    assert doc.title.startswith("Antwoorden Kamervragen over een werkbezoek van Tweede")
    assert doc.ons_kenmerk is None and doc.uw_kenmerk is None  # the print carries neither


def test_docx_draft_metadata_leaves_missing_fields_empty(parsed: dict[str, ParsedLetter]) -> None:
    doc = parsed["Antwoord_op_vragen_van_het_lid_Mutluer_o.docx.txt"].document
    assert (doc.aanhangsel, doc.uw_kenmerk, doc.date) == ("AH 604", "2024Z18294", "2024-11-20")
    assert doc.minister == "minister Van Weel" and doc.ministry == "Justitie en Veiligheid"
    # The draft names no questioner (only the file name does): not guessed.
    assert doc.questioner is None and doc.party is None and doc.ons_kenmerk is None


def test_every_answer_letter_has_date_minister_and_an_id(parsed: dict[str, ParsedLetter]) -> None:
    for path in ANSWER_FILES:
        doc = parsed[path.name].document
        assert doc.date and doc.date.startswith("2024-11"), path.name
        assert doc.minister and doc.ministry, path.name
        assert doc.aanhangsel or doc.uw_kenmerk, path.name


def test_postponement_metadata(parsed: dict[str, ParsedLetter]) -> None:
    doc = parsed["Uitstel_beantwoording_vragen_van_de_lede.docx.txt"].document
    assert (doc.aanhangsel, doc.uw_kenmerk, doc.date) == ("AH 615", "2024Z17538", "2024-11-20")
    assert doc.questioner == "Gabriëls en Bromet" and doc.party == "GroenLinks-PvdA"
    assert doc.minister == "staatssecretaris Rummenie"


def test_footnotes_leave_the_text_and_join_their_passage(parsed: dict[str, ParsedLetter]) -> None:
    westerveld = {p.passage_id: p for p in
                  parsed["Antwoord_op_vragen_van_het_lid_Westervel.pdf.txt"].passages}  # fmt: skip
    q1 = westerveld["ah-tk-20242025-578-q1"]
    # The reference "…onder vuur»?1 Herkent u" wrapped to a line start in extraction.
    assert "? Herkent u" in q1.question_text and " 1 Herkent" not in q1.question_text
    assert any(note.startswith("AD (2024)") for note in q1.footnotes)
    q2 = westerveld["ah-tk-20242025-578-q2"]
    assert "wetten.nl" not in q2.question_text + q2.answer_text
    assert any("Subsidieregeling ADL-assistentie" in note for note in q2.footnotes)
    # Notes glued to a year ("22023 Annual report") and notes below a page's last answer.
    koekkoek = parsed["Antwoord_op_vragen_van_de_leden_Koekkoek.pdf.txt"].passages
    text = " ".join(p.answer_text for p in koekkoek)
    assert "Annual report" not in text and "Kamerstuk 21 501-20, nr. 2018" not in text


def test_endnotes_of_drafts_leave_the_last_answer(parsed: dict[str, ParsedLetter]) -> None:
    last = parsed["Antwoord_op_vragen_van_het_lid_Grinwis_o.docx.txt"].passages[-1]
    assert last.answer_text == "Zie mijn antwoord op vraag 4."
    assert last.refers_to == [4]
    first = parsed["Antwoord_op_vragen_van_het_lid_Grinwis_o.docx.txt"].passages[0]
    assert any("Vereniging Eigen Huis" in note for note in first.footnotes)
    assert "1)" not in first.question_text


def test_referring_answers_are_kept_and_linked(parsed: dict[str, ParsedLetter]) -> None:
    letter = parsed["Antwoord_op_vragen_van_de_leden_Beckerma.pdf.txt"]
    q9 = next(p for p in letter.passages if p.questions == [9])
    assert q9.answer_text == "Zie het antwoord op de vragen 6 en 7."
    assert q9.refers_to == [6, 7]
    beckerman = parsed["Antwoord_op_vragen_van_het_lid_Beckerman.pdf.txt"]
    q7 = next(p for p in beckerman.passages if p.questions == [7])
    assert q7.answer_text.startswith("Nee, zie antwoord 6") and q7.refers_to == [6]


def test_words_glued_or_broken_at_line_ends_are_mended(parsed: dict[str, ParsedLetter]) -> None:
    # The extracted letters print "ophet", "tekunnen", "hetkabinet" and "plaatsvin den".
    texts = " ".join(p.question_text + " " + p.answer_text
                     for letter in parsed.values() for p in letter.passages)  # fmt: skip
    words = set(re.findall(r"[\w-]+", texts))
    assert not words & {"ophet", "inhet", "tekunnen", "hetkabinet", "deNAVO", "plaatsvin"}
    assert {"kabinet", "plaatsvinden", "NAVO"} <= words


def test_pdf_artefacts_are_mended_in_quoted_answers(parsed: dict[str, ParsedLetter]) -> None:
    """Issue #17: answers quoted "individu-eel", "dagpro-gramma" (a line-end hyphen kept),
    "hebbenzoals" (a lost space) and "OM ende politie" (two words joined)."""
    ellian = parsed["Antwoord_op_vragen_van_het_lid_Ellian_ov.pdf.txt"]
    q4 = next(p for p in ellian.passages if p.questions == [4])
    assert "mogen dus geen contact met anderen hebben zoals verzocht" in q4.question_text
    assert "in een individueel programma wordt geplaatst" in q4.answer_text
    assert "De EBI kent bovendien een sober dagprogramma." in q4.answer_text
    assert "het OM en de politie, besluiten" in q4.answer_text
    assert "die op 19 november plaatsvindt." in q4.answer_text
    q2 = next(p for p in ellian.passages if p.questions == [2])
    assert "In het algemeen geldt dat" in q2.answer_text
    assert "kenmerken en achtergronden van het delict" in q2.answer_text
    assert "De directeur is bevoegd EBI-gedetineerden" in q2.answer_text  # hyphen kept


def test_no_artefact_class_is_left_in_any_real_letter(parsed: dict[str, ParsedLetter]) -> None:
    """The same three classes over every real letter, each with words that must stay."""
    texts = " ".join(p.question_text + " " + p.answer_text
                     for letter in parsed.values() for p in letter.passages)  # fmt: skip
    words = set(re.findall(r"[\w’'-]+", texts))
    # Kept hyphens of words broken at line ends, from several letters and layouts.
    assert not words & {"individu-eel", "dagpro-gramma", "achtergron-den", "schadeaf-handeling",
                        "verschil-lende", "zorgaanbie-ders", "medewer-kers", "regelge-ving",
                        "organisa-tie", "internatio-nale", "econo-misch", "momen-teel",
                        "mijnbouwactivitei-ten", "veiligheidsre-gio’s", "ondersteu-nen"}
    assert {"individueel", "schadeafhandeling", "verschillende", "zorgaanbieders",
            "organisatie", "veiligheidsregio’s"} <= words
    # Spaces lost at line joins.
    assert not words & {"hebbenzoals", "algemeengeldt", "contactmag", "wordtde", "heeftde",
                        "waarinde", "zeerbelangrijk", "erdaarna", "weetwelke", "ganiet",
                        "financiëlebijdrage", "groeisamen", "kabinetis", "opleidingof",
                        "plannenom"}
    # Two words never joined into a rarer one: the letters print "in de" hundreds of times
    # and "inde", "ende", "inte", "opeen" were made of them (a letter may print them
    # glued itself: "inde omgeving" once; no more than that).
    for path in real_files():
        letter, raw = parsed[path.name], path.read_text(encoding="utf-8")
        text = " ".join(p.question_text + " " + p.answer_text for p in letter.passages)
        for joined in ("inde", "ende", "inte", "opeen", "opde", "vande"):
            made = len(re.findall(rf"\b{joined}\b", text))
            assert made <= len(re.findall(rf"\b{joined}\b", raw)), (path.name, joined)
    # Real hyphenated words survive: after a whole word, an abbreviation or a prefix,
    # between vowels that would read as one, and in names.
    assert {"EBI-gedetineerden", "minister-president", "cv-ketel",
            "Noord-Afrika", "back-ups", "micro-ondernemingen",
            "energie-efficiëntieverbetering", "pre-industriële", "Nutri-Score",
            "oorzaak-gevolg", "zij-instroom", "ICT-leveranciers",
            "mbo-instellingen", "Martens-America"} <= words


def test_letters_without_a_subject_get_a_title_to_cite(parsed: dict[str, ParsedLetter]) -> None:
    """Issue #17: drafts without an "Onderwerp" line were titled by their cut-off file name
    ("Antwoord op vragen van het lid Boswijk o"); their first question names the subject."""
    titles = {name: letter.document.title for name, letter in parsed.items()}
    for path in real_files():
        stem = path.name.split(".")[0].replace("_", " ")
        assert titles[path.name] != stem, f"{path.name} is titled by its file name"
    assert titles["Antwoord_op_vragen_van_het_lid_Joseph_ov.docx.txt"] == (
        "Antwoorden Kamervragen over het bericht ‘Paniek over veiligheid pensioenen APG: "
        "kritisch rapport legt problemen bloot’")
    assert titles["Antwoord_op_vragen_van_het_lid_Slagt_Tic.docx.txt"] == (
        "Antwoorden Kamervragen over de aflevering van Kassa ‘De zin en onzin van de "
        "Nutri-Score’")
    assert titles["Antwoord_op_vragen_van_de_leden_Hirsch_e.docx.txt"] == (
        "Antwoorden Kamervragen over de toenemende druk op het maatschappelijk middenveld")
    # A first question that names no article or report: the question, shortened.
    boswijk = titles["Antwoord_op_vragen_van_het_lid_Boswijk_o.docx.txt"]
    assert boswijk.startswith("Antwoorden Kamervragen: Kunt u uw uitspraak bevestigen dat er ")
    assert boswijk.endswith(" …") and len(boswijk) <= len("Antwoorden Kamervragen: ") + 130


def test_cli_parse_reports_kinds() -> None:
    question = CORPUS_REAL / "De_situatie_van_Oeigoeren_in_Thailand.docx.txt"
    shown = run_cli("parse", str(question))
    assert shown.returncode == 0, shown.stderr
    assert "questions" in shown.stdout.splitlines()[0]
    assert "not indexed as answers" in shown.stdout.splitlines()[0]
    notice = CORPUS_REAL / "Uitstel_beantwoording_vragen_van_het_lid.docx.txt"
    payload = json.loads(run_cli("parse", "--json", str(notice)).stdout)
    assert payload["document"]["kind"] == "postponement" and payload["passages"] == []
    answers = CORPUS_REAL / "Antwoord_op_vragen_van_het_lid_Joseph_ov.docx.txt"
    payload = json.loads(run_cli("parse", "--json", str(answers)).stdout)
    assert payload["document"]["kind"] == "answers"
    assert payload["questions_numbered"] == list(range(1, 16))


def test_cli_parse_names_a_file_that_is_no_letter(tmp_path: Path) -> None:
    shutil.copy(CORPUS_REAL / "README.md", tmp_path / "readme-notes.txt")
    shown = run_cli("parse", str(tmp_path / "readme-notes.txt"))
    assert shown.returncode == 2
    assert shown.stderr.startswith("error: readme-notes.txt: not an answer letter")
    assert "Traceback" not in shown.stderr


def test_bad_files_are_reported_by_name_and_the_rest_indexed(
        tmp_path: Path, seed_index_dir: Path, embedder: Embedder) -> None:  # fmt: skip
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in (SEED_A, SEED_B, *QUESTION_FILES[:2], POSTPONEMENTS[0]):
        shutil.copy(path, corpus / path.name)
    (corpus / "kapot.pdf").write_bytes(b"%PDF-1.4 this is not a real pdf")
    (corpus / "boodschappen.txt").write_text("melk\nbrood\nkaas\n", encoding="utf-8")
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)  # the seeds' vectors are reused, not re-embedded
    store, report = sync(corpus, folder, embedder=embedder)
    assert sorted(line.split(":")[0] for line in report.skipped) == ["boodschappen.txt",
                                                                      "kapot.pdf"]  # fmt: skip
    assert any("kapot.pdf: is not a readable PDF" in line for line in report.skipped)
    assert len(report.not_answers) == 3
    kinds = sorted(row.document.kind for row in store.documents())
    assert kinds == [ANSWERS, ANSWERS, POSTPONEMENT, QUESTIONS, QUESTIONS]
    assert store.counts()[1] == 37 and report.embedded_documents == 0  # notices have no passages
    passages = [p for row in store.documents() for p in store.letter(row.document.doc_id)]
    assert {p.questions[0] for p in passages} >= set(range(1, 18))
    store.close()


def test_parse_files_reports_not_answers_by_kind() -> None:
    report = Report()
    letters = parse_files([POSTPONEMENTS[0], QUESTION_FILES[0], CORPUS / SEED_A.name], report)
    assert [letter.document.kind for _, letter in letters] == [POSTPONEMENT, QUESTIONS, ANSWERS]
    assert report.not_answers[0].startswith(f"{POSTPONEMENTS[0].name}: postponement")
    assert report.not_answers[1].startswith(f"{QUESTION_FILES[0].name}: questions")
