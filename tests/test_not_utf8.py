"""Bytes that are not UTF-8 — in a file name, a command-line argument, a JSON string — reach
Python as lone surrogates, which no database, tokenizer or encoder takes (issue #25: found
by the property tests of test_fuzz_cli.py). Each is refused or cleaned in one line; the
other letters go on."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.ingest.corpus import list_files, name_problem
from assistant.ingest.text import typed_text
from assistant.search.rank import QuestionError, clean_question
from tests.conftest import SEED_A, run_cli

LATIN1 = os.fsdecode(b"caf\xe9.txt")  # "café.txt" as an old zip names it


def test_a_name_that_is_not_utf8_is_named_and_left_out(tmp_path: Path) -> None:
    shutil.copy(SEED_A, tmp_path / LATIN1)
    shutil.copy(SEED_A, tmp_path / "café.txt")  # the same name in UTF-8 is a letter
    skipped: list[str] = []
    assert list_files(tmp_path, skipped) == [tmp_path / "café.txt"]
    assert skipped == [r"caf\xe9.txt: the file name is not UTF-8; left out (rename the file "
                       "to index it)"]  # fmt: skip
    assert name_problem("café.txt") is None


@pytest.mark.timeout(900)
def test_index_add_and_remove_with_such_a_name_say_one_line(tmp_path: Path,
                                                            seed_index_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_A, corpus / LATIN1)
    done = run_cli("index", "--corpus", str(corpus), "--index", str(tmp_path / "new"),
                   timeout=300)  # fmt: skip
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert r"(caf\xe9.txt: the file name is not UTF-8; left out" in done.stderr
    index = tmp_path / "index"
    shutil.copytree(seed_index_dir, index)
    added = run_cli("add", str(corpus / LATIN1), "--index", str(index), timeout=300)
    assert added.returncode == 2 and "Traceback" not in added.stderr
    assert added.stderr.strip().splitlines()[-1].startswith("error: caf\\xe9.txt: the file "
                                                             "name is not UTF-8")  # fmt: skip
    removed = run_cli("remove", LATIN1, "--index", str(index), timeout=300)
    assert removed.returncode == 2, removed.stderr
    assert removed.stderr.startswith("error: no indexed document matches 'caf\ufffd.txt'")
    assert len(removed.stderr.strip().splitlines()) == 1


def test_typed_text_replaces_lone_surrogates_and_drops_controls() -> None:
    assert typed_text("Telegram\udcff\x00?\ud800\x1b[31m") == "Telegram\ufffd?\ufffd"
    assert typed_text("a\tb\nc") == "a\tb\nc"
    assert clean_question("Kan\udcff Telegram\x00 verboden worden?")[0] == (
        "Kan Telegram verboden worden?")  # fmt: skip
    with pytest.raises(QuestionError):
        clean_question("\udcff\x07\ufffd")
