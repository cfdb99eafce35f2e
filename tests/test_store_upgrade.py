"""Indexes of the first format (JSON files + vectors.faiss) and older units: a clear
message, then `assistant index` converts them without losing a letter the user added."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from store_letters import letter_text

from assistant.ingest.parse import parse_pages
from assistant.store import open_store
from assistant.store.embed import Embedder
from assistant.store.units import UNITS_VERSION
from tests.conftest import SEED_A, run_cli


def old_index(folder: Path) -> str:
    """An index folder as the first format wrote it, with one letter the user had added."""
    letter = parse_pages([letter_text("katten")], "katten.txt")
    folder.mkdir()
    doc = dict(letter.document.to_dict(), origin="added", questions_numbered=[1, 2, 3])
    (folder / "documents.json").write_text(json.dumps([doc]), encoding="utf-8")
    (folder / "passages.json").write_text(json.dumps([p.to_dict() for p in letter.passages]),
                                          encoding="utf-8")  # fmt: skip
    (folder / "rows.json").write_text("[]")
    (folder / "vectors.faiss").write_bytes(b"")
    (folder / "manifest.json").write_text(json.dumps({"model": "multilingual-e5-small",
                                                      "dim": 384, "format_version": 1}))
    return letter.document.doc_id


def test_an_old_index_is_named_and_converted_keeping_added_letters(tmp_path: Path) -> None:
    folder = tmp_path / "embeddings"
    added = old_index(folder)
    asked = run_cli("ask", "Wie vangt de katten op?", "--index", str(folder))
    assert asked.returncode == 2 and "Traceback" not in asked.stderr
    assert "old format" in asked.stderr and "assistant index" in asked.stderr
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_A, corpus)
    done = run_cli("index", "--corpus", str(corpus), "--index", str(folder))
    assert done.returncode == 0, done.stderr
    assert "katten.txt: carried over from the old index format" in done.stderr
    store = open_store(folder)
    rows = {r.document.doc_id: r for r in store.documents()}
    assert rows[added].origin == "added" and rows[added].passages == 3
    assert len(rows) == 2 and store.config.units_version == UNITS_VERSION
    store.close()
    assert sorted(p.name for p in (folder / "old-format").iterdir()) == [
        "documents.json", "manifest.json", "passages.json", "rows.json", "vectors.faiss"]
    top = json.loads(run_cli("ask", "Wie vangt de zwerfkatten op de veerboot op?", "--index",
                             str(folder), "--json").stdout)["hits"][0]  # fmt: skip
    assert top["passage_id"] == "ah-tk-20242025-999-q2"


def test_letters_of_older_units_are_embedded_again(tmp_path: Path, seed_index_dir: Path,
                                                   embedder: Embedder) -> None:  # fmt: skip
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    letter = tmp_path / "katten.txt"
    letter.write_text(letter_text("katten"), encoding="utf-8")
    assert run_cli("add", str(letter), "--index", str(folder)).returncode == 0
    store = open_store(folder)
    store.write(meta={"units_version": "old"})  # as if written by an older assistant
    store.close()
    done = run_cli("index", "--corpus", str(SEED_A.parent), "--index", str(folder))
    assert done.returncode == 0, done.stderr
    assert "embedded 2 letters" in done.stdout  # both corpus letters, and the added one:
    store = open_store(folder)
    assert store.config.units_version == UNITS_VERSION and store.counts()[0] == 3
    added = [r for r in store.documents() if r.origin == "added"]
    assert len(added) == 1 and store.original(added[0].document.doc_id) is not None
    store.close()
