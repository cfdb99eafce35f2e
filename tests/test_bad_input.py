"""The bad-input and fault catalogue, CLI and index side (issue #13); the ingest side is
tests/test_bad_input_ingest.py, kill -9 and concurrent writers tests/test_store_processes.py.

Every case runs the real `assistant` command and asserts the exact outcome: one `error:`
line and exit 2 where it failed (never a traceback), valid JSON where it succeeded, and
the letters indexed before still there, unchanged.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from store_letters import letter_text

from assistant.store import open_store
from tests.conftest import CORPUS, ROOT, SEED_A, run_cli

SEEDS = {"000_e7098fd791bfcf62.txt": 17, "002_7ab916604d5dad4d.txt": 20}


def one_error(proc: subprocess.CompletedProcess[str], *words: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def indexed(folder: Path) -> dict[str, int]:
    """Passages per document source, read afresh."""
    store = open_store(folder)
    try:
        return {r.document.source: r.passages for r in store.documents()}
    finally:
        store.close()


def sql(folder: Path, statement: str, params: tuple = ()) -> None:
    db = sqlite3.connect(folder / "index.db")
    with db:
        db.execute(statement, params)
    db.close()


@pytest.fixture
def index(tmp_path: Path, seed_index_dir: Path) -> Path:
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    return folder


def letter_file(folder: Path, name: str = "katten.txt", **changes: str) -> Path:
    path = folder / name
    path.write_text(letter_text("katten", **changes), encoding="utf-8")
    return path


# -- destructive commands refuse empty, partial and ambiguous references ---------------------
@pytest.mark.parametrize("ref, words", [
    ("", ("empty reference", "nothing was removed")),
    ("   ", ("empty reference", "nothing was removed")),
    ("7", ("no indexed document matches '7'", "nothing was removed")),
    ("e13f6", ("no indexed document matches", "at least 6 characters")),  # too short
    ("1cf87", ("no indexed document matches '1cf87'", "doc id prefix needs at least 6 "
               "characters", "nothing was removed")),  # issue #17.10
    ("5236", ("no indexed document matches",)),  # the start of a kenmerk
])  # fmt: skip
def test_remove_refuses_what_names_no_letter_exactly(index: Path, ref: str,
                                                     words: tuple[str, ...]) -> None:  # fmt: skip
    one_error(run_cli("remove", ref, "--index", str(index)), *words)
    assert indexed(index) == SEEDS


def test_remove_refuses_a_reference_naming_two_letters(index: Path, tmp_path: Path) -> None:
    questions = tmp_path / "vragen.txt"  # the questions of seed A's zaak: same uw kenmerk
    questions.write_text("Vragen van het lid Michon-Derkzen (VVD) aan de minister van Justitie "
                         "en Veiligheid over doxing (ingezonden 1 februari 2024, 2024Z02257).\n\n"
                         "1\nBent u bekend met het bericht over doxing?\n", encoding="utf-8")
    assert run_cli("add", str(questions), "--index", str(index)).returncode == 0
    line = one_error(run_cli("remove", "2024Z02257", "--index", str(index)), "names 2 documents",
                     "nothing was removed", "doc id")  # fmt: skip
    assert "vragen.txt" in line and "000_e7098fd791bfcf62.txt" in line
    assert indexed(index) == {**SEEDS, "vragen.txt": 0}
    removed = run_cli("remove", "vragen.txt", "--index", str(index))
    assert removed.returncode == 0 and "removed " in removed.stdout
    assert "vragen.txt" in removed.stdout


# -- letters the user added are never lost or silently replaced -----------------------------
def test_rebuilding_a_damaged_index_keeps_added_letters(index: Path, tmp_path: Path) -> None:
    letter = letter_file(tmp_path)
    assert run_cli("add", str(letter), "--index", str(index)).returncode == 0
    (index / "index.db").write_bytes(b"this is no database" * 100)
    for name in ("index.db-wal", "index.db-shm"):
        (index / name).unlink(missing_ok=True)
    one_error(run_cli("ask", "doxing", "--index", str(index)), "damaged",
              "assistant index --force")  # fmt: skip
    rebuilt = run_cli("index", "--corpus", str(CORPUS), "--index", str(index), "--force")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "katten.txt: a letter you added, indexed again" in rebuilt.stderr
    assert indexed(index) == {**SEEDS, "katten.txt": 3}
    aside = [p for p in index.iterdir() if p.name.startswith("damaged-")]
    assert len(aside) == 1 and (aside[0] / "index.db").read_bytes().startswith(b"this is no")


def test_a_newer_version_added_by_the_user_survives_the_next_sync(
        index: Path, tmp_path: Path) -> None:  # fmt: skip
    text = SEED_A.read_text(encoding="utf-8")
    newer = tmp_path / "5236577-herzien.txt"
    assert "Vanzelfsprekend ben ik" in text
    newer.write_text(text.replace("Vanzelfsprekend ben ik", "Uiteraard ben ik"),
                     encoding="utf-8")  # fmt: skip
    refused = run_cli("add", str(newer), "--index", str(index))
    one_error(refused, "same letter as the indexed 000_e7098fd791bfcf62.txt", "--replace")
    assert run_cli("add", "--replace", str(newer), "--index", str(index)).returncode == 0
    synced = run_cli("index", "--corpus", str(CORPUS), "--index", str(index))
    assert synced.returncode == 0, synced.stderr
    assert "the index keeps 5236577-herzien.txt (added)" in synced.stderr
    assert indexed(index) == {"002_7ab916604d5dad4d.txt": 20, "5236577-herzien.txt": 17}


def test_a_re_encoded_copy_does_not_replace_the_original(index: Path, tmp_path: Path) -> None:
    latin = tmp_path / "kopie.txt"
    latin.write_bytes(SEED_A.read_text(encoding="utf-8").encode("cp1252", "replace"))
    line = one_error(run_cli("add", str(latin), "--index", str(index)), "same letter",
                     "nothing was changed")  # fmt: skip
    assert "not UTF-8" in line  # the user is told the file was read in another encoding
    assert indexed(index) == SEEDS


# -- tracebacks that were: each now one line -------------------------------------------------
def test_an_index_path_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    path.write_text("not a folder")
    one_error(run_cli("ask", "doxing", "--index", str(path)), "is a file")
    one_error(run_cli("add", str(SEED_A), "--index", str(path)), "is a file")
    one_error(run_cli("index", "--corpus", str(CORPUS), "--index", str(path)), "is a file")
    assert path.read_text() == "not a folder"


def test_an_unknown_command_or_option_is_one_line() -> None:
    one_error(run_cli("nosuch"), "No such command", "assistant --help")
    one_error(run_cli("ask", "x", "--nosuch"), "No such option", "assistant ask --help")


@pytest.mark.parametrize("k", ["0", "51", "-1", "abc", "1e9"])
def test_k_out_of_bounds(index: Path, k: str) -> None:
    one_error(run_cli("ask", "doxing", "-k", k, "--index", str(index)), "-k")


@pytest.mark.parametrize("question", ["Telegram \udcff\udcfe verbod", "\u202etelegram",
                                      "🙂" * 50, "' OR 1=1; DROP TABLE passages; --",
                                      "<script>alert(1)</script>", "NEAR(a b) AND \"x"])
def test_odd_questions_give_valid_json(index: Path, question: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "assistant", "ask", question, "--index",
                           str(index), "--json", "-k", "2"], cwd=ROOT, capture_output=True,
                          errors="replace")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # exactly one valid JSON object
    assert isinstance(data["hits"], list) and len(data["hits"]) == 2
    assert indexed(index) == SEEDS


def test_damaged_vectors_are_reported_never_printed_as_nan(index: Path) -> None:
    nan = np.full(384, np.nan, dtype=np.float16).tobytes()
    sql(index, "UPDATE units SET vector = ? WHERE id IN (SELECT id FROM units LIMIT 5)", (nan,))
    proc = run_cli("ask", "Kan Telegram verboden worden?", "--index", str(index), "--json")
    one_error(proc, "damaged", "assistant index --force")
    assert proc.stdout == ""


def test_units_filed_under_another_passage_are_reported(index: Path) -> None:
    sql(index, "UPDATE units SET passage = (SELECT MAX(id) FROM passages) WHERE id IN "
               "(SELECT id FROM units ORDER BY id LIMIT 3)")  # fmt: skip
    one_error(run_cli("ask", "Wat is doxing?", "--index", str(index), "-k", "50"), "damaged")


def test_a_malformed_date_in_the_index_is_shown_as_it_is(index: Path) -> None:
    sql(index, "UPDATE documents SET date = '2024-13-45' WHERE ons_kenmerk = '5236577'")
    proc = run_cli("ask", "vraag 13 van 5236577", "--index", str(index), "-k", "1")
    assert proc.returncode == 0, proc.stderr
    assert "2024-13-45" in proc.stdout
    assert run_cli("list", "--index", str(index)).returncode == 0


def test_missing_file_and_folder_to_add(index: Path, tmp_path: Path) -> None:
    one_error(run_cli("add", str(tmp_path / "nope.pdf"), "--index", str(index)), "no such file")
    one_error(run_cli("add", str(tmp_path), "--index", str(index)), f"{tmp_path} is a folder",
              "add takes letter files")  # fmt: skip
    assert indexed(index) == SEEDS


def test_a_port_in_use(index: Path, tmp_path: Path) -> None:
    """Issue #17.10: the port is checked first (before the index is opened or the model
    loaded), in one line of our own advice, not Gradio's (GRADIO_SERVER_PORT, launch())."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        proc = run_cli("serve", "--index", str(index), "--port", port, timeout=180)
        line = one_error(proc, f"cannot serve on 127.0.0.1:{port}", "in use", "another --port")
        assert "GRADIO" not in line and "launch()" not in line
        first = run_cli("serve", "--index", str(tmp_path / "nothing"), "--port", port)
        one_error(first, "the port is in use")  # said before the missing index is found


def test_a_mistyped_index_names_the_index_there_is(index: Path, tmp_path: Path) -> None:
    """Issue #17.10: `--index embedings` said "build one with: assistant index", which
    builds ./embeddings, not the folder named."""
    shutil.copytree(index, tmp_path / "embeddings")
    for command in (["ask", "Kan Telegram verboden worden?"], ["list"], ["remove", "x"]):
        typo = run_cli(*command, "--index", "embedings", cwd=tmp_path)
        one_error(typo, "no index in embedings (no such folder)", "did you mean --index embeddings")
    other = run_cli("ask", "Telegram", "--index", "elders", cwd=tmp_path)
    one_error(other, "no index in elders", "the default index is embeddings")
    far = run_cli("ask", "Telegram", "--index", str(tmp_path / "a" / "b"), cwd=index)
    one_error(far, f"build one there with: assistant index --index {tmp_path / 'a' / 'b'}")
    assert not (tmp_path / "embedings").exists() and not (tmp_path / "a").exists()


def test_parse_of_a_folder_says_it_is_one(tmp_path: Path) -> None:
    """Issue #17.10: `parse corpus` said "no such file"."""
    line = one_error(run_cli("parse", str(CORPUS)), f"{CORPUS} is a folder",
                     "parse reads one letter file", "assistant index --corpus")  # fmt: skip
    assert f"assistant parse {CORPUS / '000_e7098fd791bfcf62.txt'}" in line
    one_error(run_cli("parse", str(tmp_path)), "is a folder")  # an empty one: no example


# -- read-only and full disks ----------------------------------------------------------------
@pytest.fixture
def read_only(tmp_path: Path, seed_index_dir: Path) -> Iterator[Path]:
    """A copy of the seed index nobody can write: a read-only bind mount (root ignores file
    modes), or read-only file modes for an ordinary user."""
    source = tmp_path / "source"
    shutil.copytree(seed_index_dir, source)
    if os.geteuid() != 0:
        for path in [source, *source.rglob("*")]:
            os.chmod(path, 0o555 if path.is_dir() else 0o444)
        yield source
        for path in [source, *source.rglob("*")]:
            os.chmod(path, 0o755)
        return
    folder = tmp_path / "ro"
    folder.mkdir()
    subprocess.run(["mount", "--bind", str(source), str(folder)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_index_can_be_searched_not_changed(read_only: Path, tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in read_only.iterdir() if p.is_file()}
    asked = run_cli("ask", "Kan Telegram verboden worden?", "--index", str(read_only), "--json")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["hits"]
    letter = letter_file(tmp_path)
    for args in (("add", str(letter)), ("remove", "5236577"),
                 ("index", "--corpus", str(CORPUS), "--force")):  # fmt: skip
        one_error(run_cli(*args, "--index", str(read_only)), "cannot", "nothing was changed")
    after = {p.name: p.read_bytes() for p in read_only.iterdir() if p.is_file()}
    assert after == before


def file_size_limit(limit: int):  # type: ignore[no-untyped-def]
    """For subprocess: files may grow to `limit` bytes; beyond, writes fail (EFBIG) as on
    a full disk (SIGXFSZ ignored so the process sees the error instead of dying)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_changes_nothing(index: Path, tmp_path: Path) -> None:
    letters = [letter_file(tmp_path, f"katten-{i}.txt", ah=f"ah-tk-20242025-{900 + i}")
               for i in range(3)]  # fmt: skip
    proc = subprocess.run([sys.executable, "-m", "assistant", "add", *map(str, letters),
                           "--index", str(index)], cwd=ROOT, capture_output=True, text=True,
                          preexec_fn=file_size_limit(1024), timeout=600)  # fmt: skip
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "disk" in proc.stderr and "nothing was changed" in proc.stderr
    state = indexed(index)
    assert {k: v for k, v in state.items() if k in SEEDS} == SEEDS
    assert all(v == 3 for k, v in state.items() if k not in SEEDS)  # whole letters only
    ok = run_cli("add", *map(str, letters), "--index", str(index))  # room again: it works
    assert ok.returncode == 0, ok.stderr
    assert indexed(index) == {**SEEDS, **{p.name: 3 for p in letters}}


# -- what the index folder and the terminal look like ----------------------------------------
def test_the_index_folder_keeps_its_mode(index: Path, tmp_path: Path) -> None:
    os.chmod(index, 0o755)
    assert run_cli("add", str(letter_file(tmp_path)), "--index", str(index)).returncode == 0
    assert stat.S_IMODE(index.stat().st_mode) == 0o755


def test_no_escape_sequence_reaches_the_terminal(index: Path, tmp_path: Path) -> None:
    hostile = letter_file(tmp_path, "hostile.txt",
                          about="katten\x1b]0;pwned\x07 op de \x1b[31mveerboot")  # fmt: skip
    added = run_cli("add", str(hostile), "--index", str(index))
    assert added.returncode == 0, added.stderr
    for args in (("list",), ("ask", "zwerfkatten veerboot"), ("ask", "pwned", "--json")):
        out = run_cli(*args, "--index", str(index))
        assert out.returncode == 0, out.stderr
        assert "\x1b" not in out.stdout and "\x07" not in out.stdout
