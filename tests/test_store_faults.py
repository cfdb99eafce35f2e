"""Faults beside the data (issue #25, defects 7 and 11), with real processes.

7. A disk that fills while the FAISS vector snapshot is written: the snapshot is derived
   from the database, so the command finishes, says so in one warning line, and the index
   keeps working (before: a traceback from FAISS). A full disk cannot be caused at will:
   the fault is raised where the file is written (`ASSISTANT_FAIL_AT=snapshot:write`, see
   assistant/store/failpoints.py), and in-process FAISS itself is made to fail.
11. Two `index --force` at once on a damaged index: the second refuses in one line naming
   the first (before: FileExistsError), or, once the first has rebuilt it, uses the new
   index; and `index` on a folder of other files does not recommend itself.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import faiss
import pytest
from store_letters import letter_text
from test_bad_input import one_error
from test_store_processes import cli, wait_stopped

from assistant.store import open_store
from assistant.store.build import sync
from assistant.store.embed import Embedder
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.timeout(420)
QUESTION = "Wie vangt de zwerfkatten van de veerboot op?"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Path, Path]:
    """A corpus of one small letter and its index (copy it before changing it)."""
    root = tmp_path_factory.mktemp("faults")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "fietsen.txt").write_text(letter_text("fietsen"), encoding="utf-8")
    sync(corpus, root / "index", embedder=embedder)[0].close()
    return corpus, root / "index"


@pytest.fixture
def index(tmp_path: Path, small: tuple[Path, Path]) -> Path:
    folder = tmp_path / "index"
    shutil.copytree(small[1], folder)
    return folder


def katten(folder: Path) -> Path:
    path = folder / "katten.txt"
    path.write_text(letter_text("katten"), encoding="utf-8")
    return path


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=400)  # fmt: skip


def snapshots(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".faiss" in p.name)


# -- 7: a full disk while the vector snapshot is written -------------------------------------
def test_a_full_disk_during_the_snapshot_is_one_warning_and_the_index_works(
        index: Path, tmp_path: Path) -> None:  # fmt: skip
    added = run("add", str(katten(tmp_path)), "--index", str(index),
                ASSISTANT_FAIL_AT="snapshot:write", ASSISTANT_SNAPSHOT_BACKLOG="1")
    assert added.returncode == 0, added.stderr
    assert "added katten.txt" in added.stdout
    lines = added.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: could not write the vector "
                                                   "snapshot"), added.stderr  # fmt: skip
    assert "the disk is full" in lines[0] and "the index works without it" in lines[0]
    assert snapshots(index) == []  # the partial file is gone, none is recorded
    asked = run_cli("ask", QUESTION, "--index", str(index), "--json", "-k", "1")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["hits"][0]["document"]["source"] == "katten.txt"
    removed = run("remove", "katten.txt", "--index", str(index), ASSISTANT_SNAPSHOT_BACKLOG="1")
    assert removed.returncode == 0 and removed.stderr == "", removed.stderr
    assert len(snapshots(index)) == 1  # room again: the next command writes it


def test_a_full_disk_during_the_snapshot_of_index_force(
        index: Path, small: tuple[Path, Path]) -> None:  # fmt: skip
    forced = run("index", "--corpus", str(small[0]), "--index", str(index), "--force",
                 ASSISTANT_FAIL_AT="snapshot:write")  # fmt: skip
    assert forced.returncode == 0, forced.stderr
    assert "Traceback" not in forced.stderr
    warnings = [ln for ln in forced.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(warnings) == 1 and "vector snapshot" in warnings[0], forced.stderr
    assert "indexed 1 documents" in forced.stdout
    assert snapshots(index) == []
    asked = run_cli("ask", "fietsdiefstal bij stations", "--index", str(index), "--json")
    assert asked.returncode == 0 and json.loads(asked.stdout)["hits"], asked.stderr


@pytest.mark.timeout(120)
def test_faiss_failing_to_write_the_snapshot_keeps_the_store_working(
        index: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """FAISS's own error for a full disk (a RuntimeError from its fwrite) once escaped."""

    def full(_index: object, path: str) -> None:
        Path(path).write_bytes(b"\0" * 100)  # a partial file, as a full disk leaves it
        raise RuntimeError("Error in faiss::FileIOWriter::operator() ... fwrite: No space "
                           "left on device")  # fmt: skip

    monkeypatch.setattr(faiss, "write_index", full)
    store = open_store(index)
    try:
        store.compact(force=True)
        (warning,) = store.take_warnings()
        assert "could not write the vector snapshot" in warning and "disk is full" in warning
        assert snapshots(index) == []
        assert store.get_meta("snapshot_file") in (None, "")
        assert store.counts()[0] == 1 and store.check() == []
    finally:
        store.close()


# -- 11: two rebuilds at once, and a folder that holds no index ---------------------------
def test_a_second_index_force_during_a_rebuild_refuses_naming_the_first(
        index: Path, small: tuple[Path, Path]) -> None:  # fmt: skip
    (index / "config.json").write_text("{damaged", encoding="utf-8")
    args = ("index", "--corpus", str(small[0]), "--index", str(index), "--force")
    first = cli(*args, stop_at="rebuild:moved")  # holds the rebuild lock, stopped
    try:
        wait_stopped(first)
        second = run_cli(*args)
        one_error(second, "another assistant process", f"pid {first.pid}", "is rebuilding the "
                  f"index in {index}", "nothing was changed")  # fmt: skip
    finally:
        first.send_signal(signal.SIGCONT)
    out, err = first.communicate(timeout=400)
    assert first.returncode == 0, err
    aside = [p for p in index.iterdir() if p.name.startswith("damaged-")]
    assert len(aside) == 1 and (aside[0] / "config.json").read_text() == "{damaged"
    again = run_cli(*args)  # the lock is free again; the index is sound: nothing moved
    assert again.returncode == 0 and "moved" not in again.stderr, again.stderr
    assert len([p for p in index.iterdir() if p.name.startswith("damaged-")]) == 1


def test_two_index_force_at_once_on_a_damaged_index(index: Path,
                                                    small: tuple[Path, Path]) -> None:  # fmt: skip
    """Both at once, as a user double-clicking a script would: never a traceback; each ends
    working or refusing in one line; one folder of damaged files; a working index."""
    (index / "index.db").write_bytes(b"no database " * 400)
    args = ("index", "--corpus", str(small[0]), "--index", str(index), "--force")
    procs = [cli(*args), cli(*args)]
    results = [(p, *p.communicate(timeout=400)) for p in procs]
    for proc, _out, err in results:
        assert "Traceback" not in err and "FileExistsError" not in err, err
        if proc.returncode != 0:
            lines = err.strip().splitlines()
            assert proc.returncode == 2 and len(lines) == 1, err
            assert "another assistant process" in lines[0], err
    assert any(p.returncode == 0 for p, _, _ in results)
    assert len([p for p in index.iterdir() if p.name.startswith("damaged-")]) == 1
    store = open_store(index)
    try:
        assert store.check() == [] and [r.document.source for r in store.documents()] == \
            ["fietsen.txt"]  # fmt: skip
    finally:
        store.close()


def test_index_on_a_folder_of_other_files_does_not_recommend_itself(
        tmp_path: Path, small: tuple[Path, Path]) -> None:  # fmt: skip
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    for args in (("index", "--corpus", str(small[0])), ("index", "--corpus", str(small[0]),
                                                         "--force"), ("list",)):  # fmt: skip
        line = one_error(run_cli(*args, "--index", str(folder)), f"{folder} holds other "
                         "files and no index", "choose another --index folder")  # fmt: skip
        assert "assistant index" not in line
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_an_index_that_lost_its_config_is_damaged_not_other_files(
        index: Path, small: tuple[Path, Path]) -> None:  # fmt: skip
    (index / "config.json").unlink()
    one_error(run_cli("list", "--index", str(index)), "is damaged (config.json is missing)",
              "assistant index --force")  # fmt: skip
    mended = run_cli("index", "--corpus", str(small[0]), "--index", str(index), "--force")
    assert mended.returncode == 0 and "moved to" in mended.stderr, mended.stderr
    assert run_cli("list", "--index", str(index)).returncode == 0


def test_an_empty_folder_names_the_command_for_that_folder(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    one_error(run_cli("list", "--index", str(folder)), f"no index in {folder}",
              f"assistant index --index {folder}")  # fmt: skip
