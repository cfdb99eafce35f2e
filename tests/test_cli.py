"""The `assistant` command as a user runs it: JSON shapes and every bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import DEV_EVAL, SEED_A, needs_shared, run_cli

DOC_KEYS = {"title", "date", "ons_kenmerk", "uw_kenmerk", "aanhangsel", "questioner", "minister",
            "source", "url"}
HIT_KEYS = {"rank", "score", "passage_id", "questions", "question_text", "answer_text", "page",
            "document", "citation"}  # fmt: skip


def assert_one_clear_error(proc, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for word in words:
        assert word in lines[0]


def test_ask_json_schema(seed_index_dir: Path) -> None:
    proc = run_cli("ask", "can Telegram be banned in NL?", "--index", str(seed_index_dir),
                   "-k", "3", "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # exactly one JSON object
    assert data["question"] == "can Telegram be banned in NL?"
    assert isinstance(data["answerable"], bool)
    assert len(data["hits"]) == 3
    for rank, hit in enumerate(data["hits"], 1):
        assert set(hit) >= HIT_KEYS
        assert hit["rank"] == rank and isinstance(hit["score"], float)
        assert all(isinstance(n, int) for n in hit["questions"])
        assert isinstance(hit["page"], int)
        assert set(hit["document"]) == DOC_KEYS
        assert hit["document"]["date"] == "2024-03-18"
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True) or data["hits"][0].get("match") == "lookup"
    top = data["hits"][0]
    assert (top["document"]["ons_kenmerk"], top["questions"]) == ("5236577", [13])
    assert top["citation"] == ("Antwoorden Kamervragen over exposegroepen en doxing op Telegram, "
                               "18 maart 2024 (kenmerk 5236577; uw kenmerk 2024Z02257), "
                               "antwoord op vraag 13, p. 7")  # fmt: skip


def test_ask_text_output_cites(seed_index_dir: Path) -> None:
    proc = run_cli("ask", "Wie", "houdt", "toezicht", "op", "de", "DSA?", "--index",
                   str(seed_index_dir))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "[1] Antwoorden Kamervragen over" in proc.stdout
    assert "kenmerk 52" in proc.stdout and "antwoord op vraag" in proc.stdout


def test_ask_builds_only_the_default_index_and_says_so(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_A, corpus)
    proc = run_cli("index", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))
    assert proc.returncode == 0, proc.stderr
    assert "indexed 1 documents, 17 passages" in proc.stdout
    typo = run_cli("ask", "Wat is exposing?", "--index", str(tmp_path / "typo"), cwd=tmp_path)
    assert_one_clear_error(typo, "no index in", "assistant index")
    assert not (tmp_path / "typo").exists()  # a mistyped folder is never created
    first = run_cli("ask", "Wat is exposing?", "--json", cwd=tmp_path)  # ./embeddings, ./corpus
    assert first.returncode == 0, first.stderr
    assert "building the index in embeddings from corpus/ (first use)" in first.stderr
    assert json.loads(first.stdout)["hits"][0]["document"]["ons_kenmerk"] == "5236577"
    assert (tmp_path / "embeddings" / "index.db").exists()


def test_ask_outside_the_project_folder_says_how_to_build(tmp_path: Path) -> None:
    proc = run_cli("ask", "Wat is exposing?", cwd=tmp_path)  # no ./embeddings, no ./corpus
    assert_one_clear_error(proc, "no index in embeddings", "assistant index")


def test_ask_text_output_explains_the_order_and_has_no_markup(seed_index_dir: Path) -> None:
    proc = run_cli("ask", "vraag 13 van 5236577", "--index", str(seed_index_dir), "-k", "3")
    assert proc.returncode == 0, proc.stderr
    assert "Passages your reference names come first" in proc.stdout
    assert "(exact reference)" in proc.stdout and "(relevance 0." in proc.stdout
    assert "**" not in proc.stdout and "\033" not in proc.stdout  # no raw markers when piped


def test_parse_text_names_each_field_once() -> None:
    proc = run_cli("parse", str(SEED_A))  # issue #17.12: "aanhangsel:" came twice
    assert proc.returncode == 0, proc.stderr
    names = [ln.split(":")[0].strip() for ln in proc.stdout.splitlines()
             if ln.startswith("  ") and not ln.startswith("  [")]  # fmt: skip
    assert names.count("aanhangsel") == 1 and len(names) == len(set(names)), names
    assert {"ons_kenmerk", "party", "ministry", "aanhangsel"} <= set(names)


def test_parse_json(tmp_path: Path) -> None:
    proc = run_cli("parse", str(SEED_A), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["document"]["kind"] == "answers"
    assert set(data["document"]) >= DOC_KEYS
    assert len(data["passages"]) == 17
    assert {"passage_id", "questions", "question_text", "answer_text", "page"} <= set(
        data["passages"][0])


@needs_shared
def test_eval_json(seed_index_dir: Path) -> None:
    proc = run_cli("eval", str(DEV_EVAL), "--index", str(seed_index_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["n"] == 20
    assert {"hit@1", "hit@3", "mrr@10", "by_lang", "per_question", "not_answerable"} <= set(data)
    assert set(data["by_lang"]) == {"en", "nl"}
    assert 0 <= data["hit@1"] <= data["hit@3"] <= 1
    assert {"id", "rank"} <= set(data["per_question"][0])


# -- bad input: one clear line, non-zero exit, nothing lost ----------------------------------
def test_missing_corpus(tmp_path: Path) -> None:
    proc = run_cli("index", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "i"))
    assert_one_clear_error(proc, "does not exist", "--corpus")


def test_corpus_that_is_a_file(tmp_path: Path) -> None:
    proc = run_cli("index", "--corpus", str(SEED_A), "--index", str(tmp_path / "i"))
    assert_one_clear_error(proc, "not a folder")


def test_empty_corpus(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = run_cli("index", "--corpus", str(tmp_path / "empty"), "--index", str(tmp_path / "i"))
    assert_one_clear_error(proc, "no .txt, .pdf or .docx letters")


def test_file_that_is_not_a_letter_is_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_A, corpus)
    (corpus / "shopping.txt").write_text("Melk, brood, kaas.\nEn nog wat appels.\n")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    proc = run_cli("index", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))
    assert proc.returncode == 0, proc.stderr
    assert "shopping.txt" in proc.stderr and "answer letter" in proc.stderr
    assert "broken.pdf" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "indexed 1 documents, 17 passages" in proc.stdout


def test_only_bad_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "shopping.txt").write_text("Melk, brood, kaas.\n")
    proc = run_cli("index", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))
    assert_one_clear_error(proc, "no answer letter", "shopping.txt")


def test_parse_of_a_non_letter(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Dit is gewoon een notitie zonder vragen.\n")
    assert_one_clear_error(run_cli("parse", str(path)), "notes.txt", "answer letter")
    assert_one_clear_error(run_cli("parse", str(tmp_path / "missing.txt")), "no such file")


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_empty_question(seed_index_dir: Path, question: str) -> None:
    proc = run_cli("ask", question, "--index", str(seed_index_dir))
    assert_one_clear_error(proc, "question is empty")


def test_huge_question_is_shortened_not_refused(seed_index_dir: Path) -> None:
    question = "Kan Telegram verboden worden? " * 400
    proc = run_cli("ask", question, "--index", str(seed_index_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["question"]) <= 2000


def test_damaged_index(seed_index_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ix"
    shutil.copytree(seed_index_dir, folder)
    data = bytearray((folder / "index.db").read_bytes())
    data[4096:8192] = b"\xff" * 4096  # a damaged page of the database
    (folder / "index.db").write_bytes(bytes(data))
    proc = run_cli("ask", "Wat is doxing?", "--index", str(folder))
    assert_one_clear_error(proc, "damaged", "assistant index")
    assert (folder / "index.db").read_bytes() == bytes(data)  # nothing silently replaced


def test_index_built_with_another_model(seed_index_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ix"
    shutil.copytree(seed_index_dir, folder)
    proc = run_cli("ask", "Wat is doxing?", "--index", str(folder), "--model", "other-model")
    assert_one_clear_error(proc, "built with model 'multilingual-e5-small'", "--model other-model")


def test_unloadable_model(tmp_path: Path) -> None:
    proc = run_cli("index", "--corpus", str(SEED_A.parent), "--index", str(tmp_path / "ix"),
                   "--model", str(tmp_path / "no-such-model"))  # fmt: skip
    assert_one_clear_error(proc, "cannot load model")
    assert not (tmp_path / "ix").exists()


def test_ask_after_returns_what_the_chat_returns(seed_index_dir: Path, searcher) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.chat import Conversation, answer

    first = "Can Telegram be banned in the Netherlands?"
    proc = run_cli("ask", "And in Belgium?", "--after", first, "--index", str(seed_index_dir),
                   "--json", "-k", "5")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    turn = answer(searcher, "And in Belgium?", Conversation(previous=[first]))
    assert turn.searched is not None and data["searched_as"] == turn.searched.text
    assert data["searched_as"] != "And in Belgium?" and data["question"] == "And in Belgium?"
    assert [h["passage_id"] for h in data["hits"]] == [h.passage.passage_id for h in turn.hits]
    alone = json.loads(run_cli("ask", "Wie houdt toezicht op de DSA?", "--after", first,
                               "--index", str(seed_index_dir), "--json").stdout)  # fmt: skip
    assert alone["searched_as"] == "Wie houdt toezicht op de DSA?"  # a new topic stands alone


def test_copy_an_index_into_postgresql_and_ask_there(seed_index_dir: Path,
                                                     pg_database) -> None:  # type: ignore[no-untyped-def]
    url = pg_database()
    copied = run_cli("copy", "--from", str(seed_index_dir), "--to", url)
    assert copied.returncode == 0, copied.stderr
    assert copied.stdout.startswith("copied 2 letters (0 there already)")
    asked = run_cli("ask", "vraag 13 van 5236577", "--store", url, "--json", "-k", "1")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["hits"][0]["passage_id"] == "5236577-q13"
    again = run_cli("copy", "--from", str(seed_index_dir), "--to", url)
    assert again.stdout.startswith("copied 0 letters (2 there already)")
    assert_one_clear_error(run_cli("copy", "--from", str(seed_index_dir / "nope"), "--to", url),
                           "no index in")


OFF_TOPIC = ["How long should I bake a sourdough bread?", "Wie won de Tour de France in 1995?",
             "What is the best way to train a puppy to sit?"]  # fmt: skip


def test_eval_counts_an_unanswerable_question_judged_so_as_correct(
        seed_index_dir: Path, tmp_path: Path) -> None:  # fmt: skip
    """Issue #17.9: a question with an empty "rel" is right when judged not answerable and
    stays out of hit@k, which is over the questions a letter answers only."""
    off = tmp_path / "off.jsonl"
    off.write_text("".join(json.dumps({"id": f"o{i}", "lang": "en", "q": q, "rel": []}) + "\n"
                           for i, q in enumerate(OFF_TOPIC, 1)), encoding="utf-8")  # fmt: skip
    proc = run_cli("eval", str(off), "--index", str(seed_index_dir))
    assert proc.returncode == 0, proc.stderr
    assert 'not answerable (empty "rel"): 3/3 correct' in proc.stdout
    assert "no question has a relevant letter" in proc.stdout
    assert "0.000" not in proc.stdout and "not at rank 1" not in proc.stdout

    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(json.dumps({"id": "a1", "q": "vraag 13 van 5236577",
                                 "rel": [["5236577", 13]]}) + "\n" + off.read_text())  # fmt: skip
    data = json.loads(run_cli("eval", str(mixed), "--index", str(seed_index_dir), "--json").stdout)
    assert (data["n"], data["n_ranked"], data["hit@1"]) == (4, 1, 1.0)
    assert data["unanswerable"] == {"n": 3, "correct": 3} and data["not_answerable"] == 3
    shown = run_cli("eval", str(mixed), "--index", str(seed_index_dir)).stdout
    assert "over the 1 questions with a relevant letter" in shown and "1.000" in shown
