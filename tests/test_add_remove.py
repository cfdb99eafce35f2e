"""`assistant add / remove / list`: a live index takes new letters without re-embedding
the others, ignores a letter it has already, and replaces an older version of one."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from assistant.search import Searcher
from assistant.store.build import add_files
from assistant.store.embed import Embedder
from assistant.store.index import Index
from tests.conftest import needs_shared, run_cli

# A letter in the Aanhangsel layout that no index holds yet.
NEW_LETTER = """\
Vragen van het lid De Boer (CDA) aan de Minister van Infrastructuur en Waterstaat over
zwerfkatten op de veerboot naar Texel (ingezonden 4 november 2024).
Antwoord van Minister Madlener (Infrastructuur en Waterstaat) (ontvangen
{date}).
Vraag 1
Bent u bekend met het bericht dat zwerfkatten ongemerkt meereizen op de veerboot naar Texel?
Antwoord 1
Ja, ik ken het bericht over de katten op de veerboot van Den Helder naar Texel.
Vraag 2
Hoeveel zwerfkatten reizen jaarlijks mee en wie vangt ze op?
Antwoord 2
{answer2}
Vraag 3
Bent u bereid de rederij te vragen de katten te laten chippen?
Antwoord 3
Zie het antwoord op vraag 2.
ah-tk-20242025-999
"""
ANSWER_2 = ("Dat wordt niet bijgehouden. Het dierenasiel op Texel vangt de katten op; de "
            "rederij draagt bij aan de kosten van de opvang.")  # fmt: skip


class CountingEmbedder:
    """The real embedder, counting the passage texts it is asked to embed."""

    def __init__(self, real: Embedder) -> None:
        self.real = real
        self.name, self.dim = real.name, real.dim
        self.texts: list[str] = []

    def passages(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.real.passages(texts)

    def __getattr__(self, name: str) -> object:  # queries, token_count, max_tokens, …
        return getattr(self.real, name)


def write_letter(path: Path, date: str = "20 november 2024", answer2: str = ANSWER_2) -> Path:
    path.write_text(NEW_LETTER.format(date=date, answer2=answer2), encoding="utf-8")
    return path


@needs_shared
def test_adding_a_letter_to_the_full_index_embeds_only_that_letter(
        tmp_path: Path, full_index_dir: Path, embedder: Embedder) -> None:  # fmt: skip
    folder = tmp_path / "index"
    shutil.copytree(full_index_dir, folder)
    before = Index.load(folder)
    assert len(before.entries) == 45  # the 2 seeds and the 43 real documents
    counting = CountingEmbedder(embedder)
    letter = write_letter(tmp_path / "ah-999.txt")

    index, report, added = add_files([letter], folder, embedder=counting)  # type: ignore[arg-type]
    assert report.embedded_documents == 1 and len(added) == 1 and report.skipped == []
    new = index.entries[added[0]]
    assert [p.questions for p in new.passages] == [[1], [2], [3]]
    assert counting.texts == [unit.text for unit in new.units]  # nothing else was embedded
    reloaded = Index.load(folder)
    assert len(reloaded.entries) == 46 and reloaded.entries[added[0]].origin == "added"
    for doc_id, entry in before.entries.items():  # the others' vectors are kept as they were
        np.testing.assert_array_equal(reloaded.entries[doc_id].vectors, entry.vectors)

    result = Searcher(reloaded, embedder).search("Wie vangt de zwerfkatten van de veerboot "
                                                 "naar Texel op?", k=3)  # fmt: skip
    assert result.hits[0].passage.passage_id == "ah-tk-20242025-999-q2"
    q3 = reloaded.passage("ah-tk-20242025-999-q3")
    assert [p.passage_id for p in reloaded.referred(q3)] == ["ah-tk-20242025-999-q2"]

    counting.texts.clear()  # the same letter again: no duplicate, nothing embedded
    _, again, added_again = add_files([letter], folder, embedder=counting)  # type: ignore[arg-type]
    assert added_again == [] and again.embedded_documents == 0 and counting.texts == []
    assert len(Index.load(folder).entries) == 46


@needs_shared
def test_full_index_lists_every_kind_and_links_references(full_index_dir: Path) -> None:
    shown = run_cli("list", "--index", str(full_index_dir), "--json")
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)["documents"]
    assert Counter(r["kind"] for r in rows) == {"answers": 24, "questions": 19,
                                                "postponement": 2}  # fmt: skip
    assert all(r["passages"] == 0 for r in rows if r["kind"] != "answers")
    index = Index.load(full_index_dir)
    q9 = index.passage("ah-tk-20242025-564-q9")
    assert q9.refers_to == [6, 7]
    assert [p.passage_id for p in index.referred(q9)] == ["ah-tk-20242025-564-q6+7"]


def test_a_new_version_of_a_letter_replaces_the_old(
        tmp_path: Path, seed_index_dir: Path, embedder: Embedder) -> None:  # fmt: skip
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    counting = CountingEmbedder(embedder)
    _, _, first = add_files([write_letter(tmp_path / "ah-999.txt")], folder,
                            embedder=counting)  # type: ignore[arg-type]  # fmt: skip
    corrected = write_letter(tmp_path / "ah-999-herzien.txt", answer2=ANSWER_2 + " Er zijn "
                             "vorig jaar 41 katten opgevangen.")  # fmt: skip
    counting.texts.clear()
    index, report, second = add_files([corrected], folder,
                                      embedder=counting)  # type: ignore[arg-type]  # fmt: skip
    assert report.embedded_documents == 1 and second != first
    assert first[0] not in index.entries and len(index.entries) == 3
    assert "41 katten" in index.passage("ah-tk-20242025-999-q2").answer_text
    assert len(counting.texts) == len(index.entries[second[0]].units)


def test_cli_add_ask_list_remove(tmp_path: Path, seed_index_dir: Path) -> None:
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    letter = write_letter(tmp_path / "ah-999.txt")
    bad = tmp_path / "kapot.pdf"
    bad.write_bytes(b"not a pdf")

    added = run_cli("add", str(letter), str(bad), "--index", str(folder))
    assert added.returncode == 0, added.stderr
    assert "added ah-999.txt (answers, 3 passages" in added.stdout
    assert "skipped: kapot.pdf: cannot be read as .pdf" in added.stderr

    asked = run_cli("ask", "Wie vangt de zwerfkatten van de veerboot op?", "--index",
                    str(folder), "--json")  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    top = json.loads(asked.stdout)["hits"][0]
    assert top["passage_id"] == "ah-tk-20242025-999-q2"
    assert top["document"]["source"] == "ah-999.txt"

    listed = run_cli("list", "--index", str(folder))
    line = next(ln for ln in listed.stdout.splitlines() if "ah-tk-20242025-999" in ln)
    assert "answers" in line and "3 passages" in line and "2024-11-20" in line

    again = run_cli("add", str(letter), "--index", str(folder))
    assert again.returncode == 0 and "nothing new" in again.stdout

    removed = run_cli("remove", "ah-tk-20242025-999", "--index", str(folder))
    assert removed.returncode == 0 and "removed 1 document" in removed.stdout
    rows = json.loads(run_cli("list", "--index", str(folder), "--json").stdout)["documents"]
    assert sorted(r["ons_kenmerk"] for r in rows) == ["5209583", "5236577"]

    missing = run_cli("remove", "ah-tk-20242025-999", "--index", str(folder))
    assert missing.returncode == 2 and "no indexed document matches" in missing.stderr


@pytest.mark.parametrize("ref", ["5236577", "2024Z02257", "000_e7098fd791bfcf62.txt"])
def test_find_documents_by_any_id(seed_index: Index, ref: str) -> None:
    found = seed_index.find_documents(ref)
    assert len(found) == 1
    assert seed_index.document(found[0]).ons_kenmerk == "5236577"
