"""The corruption harness (issue #25, item 4), in SQLite's tradition: every file and table of
the embedded store is damaged in turn — truncated, bytes flipped, a value of the wrong
type, a row or a file missing — and the real `assistant` commands are run on it.

Each case asserts what the user sees: damage to the data is exactly one line "error: the
index in X is damaged (…); rebuild it with: assistant index --force" and exit 2 from `ask`
and `list` (never a traceback); damage to what is derived (the FAISS vector snapshot) or
kept only for rebuilds (the files of added letters) leaves `ask` working. Then `assistant
index --force` always gives a working index: damaged files moved aside (the line says
where), the corpus and the letters kept with the index (added/) indexed again, and a line
for the imported letters it cannot bring back ("assistant import").

Before: a counter 'abc', `dim` 512 in config.json, a passage column that was not JSON or
a missing config.json were tracebacks or misleading lines, and `index --force` refused
with the same "damaged" line it was asked to mend. The PostgreSQL variant of the table
damages is tests/test_corruption_pg.py.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from store_letters import letter_text
from test_bad_input import one_error

from assistant.ingest.parse import parse_pages
from assistant.search import Searcher
from assistant.store import open_store
from assistant.store.base import IMPORTED
from assistant.store.build import add_files, sync
from assistant.store.embed import Embedder
from assistant.store.records import letter_record
from tests.conftest import run_cli

pytestmark = pytest.mark.timeout(420)

QUESTION = "Wie vangt de zwerfkatten van de veerboot op?"  # the added letter answers it
Damage = Callable[[Path], None]


@dataclass
class Base:
    corpus: Path
    index: Path


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Base:
    """One small index, built once: a corpus letter, a letter the user added (its file in
    added/), an imported letter, and a FAISS snapshot of all their vectors."""
    root = tmp_path_factory.mktemp("corruption")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "fietsen.txt").write_text(letter_text("fietsen"), encoding="utf-8")
    index = root / "index"
    store, _ = sync(corpus, index, embedder=embedder)
    katten = root / "katten.txt"
    katten.write_text(letter_text("katten"), encoding="utf-8")
    assert add_files([katten], store, embedder)[0].status == "added"
    molens = parse_pages([letter_text("molens")], "molens.txt")
    store.write([letter_record(molens, embedder, IMPORTED, external_id="ah-tk-molens")])
    store.compact(force=True)  # a snapshot file, so it can be damaged too
    store.close()
    assert len(list(index.glob("vectors-*.faiss"))) == 1
    return Base(corpus, index)


# -- ways to damage a file or a table -------------------------------------------------------
def _db(folder: Path) -> Path:
    return folder / "index.db"


def _snapshot(folder: Path) -> Path:
    return next(folder.glob("vectors-*.faiss"))


def truncate(pick: Callable[[Path], Path], keep: float) -> Damage:
    def damage(folder: Path) -> None:
        path = pick(folder)
        data = path.read_bytes()
        path.write_bytes(data[:int(len(data) * keep)])

    return damage


def flip(pick: Callable[[Path], Path], start: int, step: int, stop: int | None = None) -> Damage:
    """Invert every step-th byte from start (to stop) of the file pick gives."""

    def damage(folder: Path) -> None:
        path = pick(folder)
        data = bytearray(path.read_bytes())
        for i in range(start, min(stop or len(data), len(data)), step):
            data[i] ^= 0xFF
        path.write_bytes(bytes(data))

    return damage


def sql(statement: str, *params: object) -> Damage:
    def damage(folder: Path) -> None:
        db = sqlite3.connect(_db(folder))
        with db:
            db.execute(statement, params)
        db.close()

    return damage


def config(**changes: object) -> Damage:
    def damage(folder: Path) -> None:
        path = folder / "config.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, value in changes.items():
            if value is ...:
                del data[key]
            else:
                data[key] = value
        path.write_text(json.dumps(data), encoding="utf-8")

    return damage


def write(name: str, data: bytes) -> Damage:
    def damage(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return damage


def remove(name: str) -> Damage:
    def damage(folder: Path) -> None:
        path = folder / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return damage


def both(*damages: Damage) -> Damage:
    def damage(folder: Path) -> None:
        for each in damages:
            each(folder)

    return damage


def damage_added_file(folder: Path) -> None:
    path = next((folder / "added").iterdir())
    path.write_bytes(b"\x00\xff" * 10)


NAN = np.full(384, np.nan, dtype=np.float16).tobytes()
ONE_UNIT = "(SELECT id FROM units ORDER BY id LIMIT 1)"
ONE_PASSAGE = "(SELECT id FROM passages ORDER BY id LIMIT 1)"

# (id, damage, what `ask` and `list` do: "damaged" (one line, exit 2) or "works")
CASES: list[tuple[str, Damage, str, str]] = [
    # config.json: the folder's description
    ("config-empty", write("config.json", b""), "damaged", "damaged"),
    ("config-truncated", truncate(lambda f: f / "config.json", 0.5), "damaged", "damaged"),
    ("config-flipped", flip(lambda f: f / "config.json", 0, 7), "damaged", "damaged"),
    ("config-missing", remove("config.json"), "damaged", "damaged"),
    ("config-a-list", write("config.json", b"[1, 2]"), "damaged", "damaged"),
    ("config-dim-512", config(dim=512), "damaged", "damaged"),
    ("config-dim-text", config(dim="384"), "damaged", "damaged"),
    ("config-and-meta-dim-512", both(config(dim=512), sql("UPDATE meta SET value = '512' "
                                                          "WHERE key = 'dim'")),
     "damaged", "works"),
    ("config-dim-negative", config(dim=-384), "damaged", "damaged"),
    ("config-model-missing", config(model=...), "damaged", "damaged"),
    ("config-model-a-number", config(model=5), "damaged", "damaged"),
    ("config-other-model", config(model="intfloat/multilingual-e5-base"), "damaged",
     "damaged"),
    # index.db: the SQLite database
    ("db-truncated-half", truncate(_db, 0.5), "damaged", "damaged"),
    ("db-truncated-to-nothing", truncate(_db, 0.0), "damaged", "damaged"),
    ("db-header-flipped", flip(_db, 0, 1, 16), "damaged", "damaged"),
    ("db-pages-flipped", flip(_db, 4096, 997), "damaged", "damaged"),
    ("db-missing", remove("index.db"), "damaged", "damaged"),
    ("db-garbage-wal", write("index.db-wal", b"\xde\xad\xbe\xef" * 2048), "works", "works"),
    # the FAISS vector snapshot: derived from the database, rebuilt from it
    ("snapshot-truncated", truncate(_snapshot, 0.5), "works", "works"),
    ("snapshot-flipped", flip(_snapshot, 2048, 101), "works", "works"),
    ("snapshot-header-flipped", flip(_snapshot, 0, 1, 64), "works", "works"),
    ("snapshot-missing", lambda f: _snapshot(f).unlink(), "works", "works"),
    ("snapshot-name-outside", sql("UPDATE meta SET value = '../../etc/passwd' WHERE "
                                  "key = 'snapshot_file'"), "damaged", "damaged"),
    # added/: the files of letters the user added, kept for rebuilds
    ("added-file-garbage", damage_added_file, "works", "works"),
    ("added-folder-missing", remove("added"), "works", "works"),
    ("stale-rebuild-lock", write(".rebuild.lock", b"999999"), "works", "works"),
    # table meta
    ("meta-counter-text", sql("UPDATE meta SET value = 'abc' WHERE key = 'documents'"),
     "damaged", "damaged"),
    ("meta-generation-text", sql("UPDATE meta SET value = 'abc' WHERE key = 'generation'"),
     "damaged", "damaged"),
    ("meta-counter-blob", sql("UPDATE meta SET value = x'00ff' WHERE key = 'units'"),
     "damaged", "damaged"),
    ("meta-counter-negative", sql("UPDATE meta SET value = '-5' WHERE key = 'passages'"),
     "damaged", "damaged"),
    ("meta-row-missing", sql("DELETE FROM meta WHERE key = 'next_key'"), "damaged", "damaged"),
    ("meta-dim-512", sql("UPDATE meta SET value = '512' WHERE key = 'dim'"), "damaged",
     "damaged"),
    ("meta-units-version-missing", sql("DELETE FROM meta WHERE key = 'units_version'"),
     "damaged", "damaged"),
    # table documents
    ("documents-json", sql("UPDATE documents SET questions_numbered = '{x'"), "damaged",
     "damaged"),
    ("documents-json-type", sql("UPDATE documents SET questions_numbered = '\"1, 2\"'"),
     "damaged", "damaged"),
    ("documents-pages-text", sql("UPDATE documents SET pages = 'twee'"), "damaged", "damaged"),
    ("documents-title-blob", sql("UPDATE documents SET title = x'00ff'"), "damaged",
     "damaged"),
    ("documents-origin-blob", sql("UPDATE documents SET origin = x'41'"), "damaged",
     "damaged"),
    # table passages
    ("passages-questions-json", sql("UPDATE passages SET questions = '[x' WHERE id IN "
                                    "(SELECT passage FROM units)"), "damaged", "works"),
    ("passages-footnotes-type", sql("UPDATE passages SET footnotes = '{\"a\": 1}'"),
     "damaged", "works"),
    ("passages-answer-blob", sql("UPDATE passages SET answer_text = x'00ff'"), "damaged",
     "works"),
    ("passages-page-text", sql("UPDATE passages SET page = 'drie'"), "damaged", "works"),
    ("passages-row-missing", sql("DELETE FROM passages WHERE id IN (SELECT passage FROM "
                                 "units)"), "damaged", "works"),
    # table units
    ("units-vector-short", sql(f"UPDATE units SET vector = x'0000' WHERE id = {ONE_UNIT}"),
     "damaged", "works"),
    ("units-vector-nan", sql("UPDATE units SET vector = ? WHERE id IN (SELECT id FROM units "
                             "LIMIT 5)", NAN), "damaged", "works"),
    ("units-kind-text", sql("UPDATE units SET kind = 'x'"), "damaged", "works"),
    ("units-under-another-passage", sql(f"UPDATE units SET passage = {ONE_PASSAGE} WHERE id "
                                        f"IN (SELECT id FROM units ORDER BY id DESC LIMIT "
                                        f"3)"), "damaged", "works"),
    # the schema
    ("table-units-missing", sql("DROP TABLE units"), "damaged", "damaged"),
    ("table-meta-missing", sql("DROP TABLE meta"), "damaged", "damaged"),
]  # fmt: skip


@pytest.mark.parametrize("damage, ask, listing", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_damage_is_one_line_and_index_force_mends_it(
        base: Base, tmp_path: Path, embedder: Embedder, damage: Damage, ask: str,
        listing: str) -> None:  # fmt: skip
    folder = tmp_path / "index"
    shutil.copytree(base.index, folder)
    damage(folder)
    asked = run_cli("ask", QUESTION, "--index", str(folder), "--json", "-k", "3")
    if ask == "damaged":
        one_error(asked, f"the index in {folder} is damaged", "rebuild it with: assistant "
                  "index --force")  # fmt: skip
    else:
        assert asked.returncode == 0 and json.loads(asked.stdout)["hits"], asked.stderr
    listed = run_cli("list", "--index", str(folder))
    if listing == "damaged":
        one_error(listed, f"the index in {folder} is damaged", "assistant index --force")
    else:
        assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr

    mended = run_cli("index", "--corpus", str(base.corpus), "--index", str(folder), "--force")
    assert mended.returncode == 0, mended.stderr
    assert "Traceback" not in mended.stderr
    aside = [p for p in folder.iterdir() if p.name.startswith("damaged-")]
    if ask == "damaged" or listing == "damaged":  # moved aside, said where, said what is lost
        assert len(aside) == 1 and f"moved to {aside[0]}" in mended.stderr, mended.stderr
        assert "assistant import" in mended.stderr  # the imported letter cannot come back
        assert "katten.txt: a letter you added, indexed again" in mended.stderr
    else:
        assert not aside, mended.stderr
    store = open_store(folder)  # a working index: sound, and it answers
    try:
        assert store.check() == []
        hits = Searcher(store, embedder).search(QUESTION, k=3).hits
        assert hits and hits[0].document.source == "katten.txt"
        sources = {row.document.source for row in store.documents()}
        assert {"fietsen.txt", "katten.txt"} <= sources
    finally:
        store.close()
