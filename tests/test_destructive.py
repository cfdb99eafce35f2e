"""Destructive commands check their arguments before they touch anything (issue #25, item
2): a mistyped model, corpus, file, reference or target leaves the index exactly as it was,
in one `error:` line; what a command does move, it names.

Before: `index --force --model /typo/e5` moved the whole index into previous-model-<time>/
and only then failed to load the model; every later command said "no index".
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_bad_input import indexed, one_error

from tests.conftest import CORPUS, run_cli


@pytest.fixture
def index(tmp_path: Path, seed_index_dir: Path) -> Path:
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    return folder


def tree(folder: Path) -> dict[str, int]:
    """Every file under folder with its size (the SQLite side files may come and go)."""
    return {p.relative_to(folder).as_posix(): p.stat().st_size for p in folder.rglob("*")
            if p.is_file() and not p.name.endswith(("-wal", "-shm"))}  # fmt: skip


def test_index_force_with_a_mistyped_model_moves_nothing(index: Path) -> None:
    before, docs = tree(index), indexed(index)
    proc = run_cli("index", "--corpus", str(CORPUS), "--index", str(index), "--force",
                   "--model", "/typo/e5")  # fmt: skip
    one_error(proc, "cannot load model '/typo/e5'")
    assert tree(index) == before and indexed(index) == docs
    assert not [p for p in index.iterdir() if p.name.startswith("previous-model")]
    asked = run_cli("ask", "Kan Telegram verboden worden?", "--index", str(index), "--json")
    assert asked.returncode == 0 and json.loads(asked.stdout)["hits"], asked.stderr


def test_index_force_on_a_damaged_index_with_a_mistyped_model_moves_nothing(
        index: Path) -> None:  # fmt: skip
    (index / "config.json").write_text("{not json", encoding="utf-8")
    before = tree(index)
    proc = run_cli("index", "--corpus", str(CORPUS), "--index", str(index), "--force",
                   "--model", "/typo/e5")  # fmt: skip
    one_error(proc, "cannot load model")
    assert tree(index) == before
    assert not [p for p in index.iterdir() if p.name.startswith("damaged-")]
    fixed = run_cli("index", "--corpus", str(CORPUS), "--index", str(index), "--force")
    assert fixed.returncode == 0, fixed.stderr
    aside = [p for p in index.iterdir() if p.name.startswith("damaged-")]
    assert len(aside) == 1 and f"moved to {aside[0]}" in fixed.stderr  # says where
    assert indexed(index) == {"000_e7098fd791bfcf62.txt": 17, "002_7ab916604d5dad4d.txt": 20}


def test_index_force_with_a_missing_corpus_moves_nothing(index: Path, tmp_path: Path) -> None:
    before = tree(index)
    proc = run_cli("index", "--corpus", str(tmp_path / "nope"), "--index", str(index), "--force")
    one_error(proc, "nope")
    assert tree(index) == before


def test_remove_with_one_unknown_reference_removes_none(index: Path) -> None:
    docs = indexed(index)
    one_error(run_cli("remove", "5236577", "no-such-letter", "--index", str(index)),
              "no-such-letter", "nothing was removed")  # fmt: skip
    assert indexed(index) == docs


def test_add_replace_with_a_missing_file_changes_nothing(index: Path, tmp_path: Path) -> None:
    before = tree(index)
    one_error(run_cli("add", "--replace", str(tmp_path / "herzien.pdf"), "--index", str(index)),
              "no such file")  # fmt: skip
    assert tree(index) == before


def test_copy_to_a_place_that_cannot_hold_an_index_changes_nothing(
        index: Path, tmp_path: Path) -> None:  # fmt: skip
    before = tree(index)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    one_error(run_cli("copy", "--from", str(index), "--to", str(blocker / "index")), "cannot")
    assert tree(index) == before and blocker.read_text(encoding="utf-8") == "not a folder"
