"""`assistant add / remove / list`: an index takes new letters in place without touching
the others, ignores a letter it has already, refuses to replace a letter unless asked, and
removes only what a reference names exactly."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.search import Filters, Searcher
from assistant.store import Store, open_store
from assistant.store.build import add_files
from assistant.store.embed import Embedder
from assistant.store.units import Unit
from tests.conftest import SEED_A, needs_shared, run_cli

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

    def units(self, passages: list[list[Unit]]) -> list[np.ndarray]:
        self.texts.extend(u.text for units in passages for u in units)
        return self.real.units(passages)

    def __getattr__(self, name: str) -> object:  # queries, token_count, max_tokens, …
        return getattr(self.real, name)


def write_letter(path: Path, date: str = "20 november 2024", answer2: str = ANSWER_2) -> Path:
    path.write_text(NEW_LETTER.format(date=date, answer2=answer2), encoding="utf-8")
    return path


def unit_rows(store: Store) -> dict[str, np.ndarray]:
    """Every letter's unit vectors as stored, by doc id."""
    out = {}
    for row in store.documents():
        keys = store.doc_passages([row.document.doc_id], Filters())
        out[row.document.doc_id] = store.signal_rows(keys).vectors
    return out


@needs_shared
def test_adding_a_letter_to_the_full_index_embeds_only_that_letter(
        tmp_path: Path, full_index_dir: Path, embedder: Embedder) -> None:  # fmt: skip
    folder = tmp_path / "index"
    shutil.copytree(full_index_dir, folder)
    store = open_store(folder)
    assert store.counts()[0] == 45  # the 2 seeds and the 43 real documents
    before = unit_rows(store)
    counting = CountingEmbedder(embedder)
    letter = write_letter(tmp_path / "ah-999.txt")

    outcomes = add_files([letter], store, embedder=counting)  # type: ignore[arg-type]
    assert [o.status for o in outcomes] == ["added"]
    doc_id = outcomes[0].doc_id
    assert doc_id and [p.questions for p in store.letter(doc_id)] == [[1], [2], [3]]
    store.close()
    reloaded = open_store(folder)
    row = reloaded.document(doc_id)
    assert row is not None and row.origin == "added" and reloaded.counts()[0] == 46
    after = unit_rows(reloaded)
    assert len(counting.texts) == len(after[doc_id])  # nothing else was embedded
    for other, vectors in before.items():  # the others' vectors are kept as they were
        np.testing.assert_array_equal(after[other], vectors)
    assert reloaded.original(doc_id) == ("ah-999.txt", letter.read_bytes())  # kept with it

    result = Searcher(reloaded, embedder).search("Wie vangt de zwerfkatten van de veerboot "
                                                 "naar Texel op?", k=3)  # fmt: skip
    assert result.hits[0].passage.passage_id == "ah-tk-20242025-999-q2"
    q3 = next(h for h in Searcher(reloaded, embedder).search("chippen katten rederij", k=5).hits
              if h.passage.passage_id == "ah-tk-20242025-999-q3")
    assert [p.passage_id for p in q3.see_also] == ["ah-tk-20242025-999-q2"]

    counting.texts.clear()  # the same letter again: no duplicate, nothing embedded
    again = add_files([letter], reloaded, embedder=embedder)
    assert [o.status for o in again] == ["unchanged"]
    assert reloaded.counts()[0] == 46
    reloaded.close()


@needs_shared
def test_full_index_lists_every_kind_and_links_references(full_index_dir: Path,
                                                          full_store: Store) -> None:  # fmt: skip
    shown = run_cli("list", "--index", str(full_index_dir), "--json")
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)["documents"]
    assert Counter(r["kind"] for r in rows) == {"answers": 24, "questions": 19,
                                                "postponement": 2}  # fmt: skip
    assert all(r["passages"] == 0 for r in rows if r["kind"] != "answers")
    found = full_store.passage_by_id("ah-tk-20242025-564-q9")
    assert found is not None
    q9 = found[0]
    assert q9.refers_to == [6, 7]
    key = full_store.doc_passages([q9.doc_id], Filters())
    named = {p.passage_id: k for k, (p, _) in full_store.hits(key).items()}
    referred = full_store.referred(named["ah-tk-20242025-564-q9"], q9)
    assert [p.passage_id for p in referred] == ["ah-tk-20242025-564-q6+7"]


def test_a_new_version_replaces_the_old_only_when_asked(
        tmp_path: Path, seed_index_dir: Path, embedder: Embedder) -> None:  # fmt: skip
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    store = open_store(folder)
    first = add_files([write_letter(tmp_path / "ah-999.txt")], store, embedder=embedder)
    corrected = write_letter(tmp_path / "ah-999-herzien.txt", answer2=ANSWER_2 + " Er zijn "
                             "vorig jaar 41 katten opgevangen.")  # fmt: skip
    refused = add_files([corrected], store, embedder=embedder)
    assert refused[0].status == "conflict"
    assert "same letter as the indexed ah-999.txt" in refused[0].message
    assert "--replace" in refused[0].message and store.counts()[0] == 3
    assert "41 katten" not in store.letter(first[0].doc_id or "")[1].answer_text

    counting = CountingEmbedder(embedder)
    replaced = add_files([corrected], store, embedder=counting,  # type: ignore[arg-type]
                         replace=True)
    assert replaced[0].status == "replaced" and first[0].doc_id in replaced[0].message
    assert store.document(first[0].doc_id or "") is None and store.counts()[0] == 3
    found = store.passage_by_id("ah-tk-20242025-999-q2")
    assert found is not None and "41 katten" in found[0].answer_text
    assert store.original(first[0].doc_id or "") is None  # the old file went with it
    store.close()


def test_cli_add_ask_list_remove(tmp_path: Path, seed_index_dir: Path) -> None:
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    letter = write_letter(tmp_path / "ah-999.txt")
    bad = tmp_path / "kapot.pdf"
    bad.write_bytes(b"not a pdf")

    added = run_cli("add", str(letter), str(bad), "--index", str(folder))
    assert added.returncode == 2, added.stderr  # one file failed: said, and the exit shows it
    assert "added ah-999.txt (answers, 3 passages" in added.stdout
    assert "error: kapot.pdf: is not a readable PDF" in added.stderr
    assert "Traceback" not in added.stderr

    asked = run_cli("ask", "Wie vangt de zwerfkatten van de veerboot op?", "--index",
                    str(folder), "--json")  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    top = json.loads(asked.stdout)["hits"][0]
    assert top["passage_id"] == "ah-tk-20242025-999-q2"
    assert top["document"]["source"] == "ah-999.txt"

    listed = run_cli("list", "--index", str(folder))
    assert listed.stdout.splitlines()[0].split()[:3] == ["doc", "id", "kind"]  # headings
    line = next(ln for ln in listed.stdout.splitlines() if "ah-tk-20242025-999" in ln)
    assert "answers" in line and " 3 " in line and "2024-11-20" in line and "added" in line

    again = run_cli("add", str(letter), "--index", str(folder))
    assert again.returncode == 0 and "indexed already" in again.stdout

    removed = run_cli("remove", "ah-tk-20242025-999", "--index", str(folder))
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.startswith("removed ") and "ah-999.txt" in removed.stdout
    rows = json.loads(run_cli("list", "--index", str(folder), "--json").stdout)["documents"]
    assert sorted(r["ons_kenmerk"] for r in rows) == ["5209583", "5236577"]

    missing = run_cli("remove", "ah-tk-20242025-999", "--index", str(folder))
    assert missing.returncode == 2 and "no indexed document matches" in missing.stderr


@pytest.mark.parametrize("ref", ["5236577", "2024Z02257", "000_e7098fd791bfcf62.txt",
                                 "000_e7098fd791bfcf62", "e7098fd"])
def test_find_documents_by_any_id(seed_store: Store, ref: str) -> None:
    if ref == "e7098fd":  # a prefix of the doc id: the id is the file's content hash
        ref = next(r.document.doc_id for r in seed_store.documents()
                   if r.document.ons_kenmerk == "5236577")[:7]
    found = seed_store.find_documents(ref)
    assert [r.document.ons_kenmerk for r in found] == ["5236577"]


# patterns (SQL LIKE, globs) are partial references too: `000%` once removed a whole letter
@pytest.mark.parametrize("ref", ["", " ", "7", "52", "a", "000%", "0_0_e7098fd791bfcf62", "%",
                                 "_", "000_e7098fd791bfcf6_", "000*", "000?e7098fd791bfcf62"])
def test_remove_refuses_empty_and_partial_references(tmp_path: Path, seed_index_dir: Path,
                                                     ref: str) -> None:  # fmt: skip
    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    proc = run_cli("remove", ref, "--index", str(folder))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ") and "nothing was removed" in proc.stderr
    rows = json.loads(run_cli("list", "--index", str(folder), "--json").stdout)["documents"]
    assert len(rows) == 2


class WatchedEmbedder:
    """The real embedder, recording every use of the model (embedding or tokenising)."""

    def __init__(self, real: Embedder) -> None:
        self.real = real
        self.name, self.dim, self.max_tokens = real.name, real.dim, real.max_tokens
        self.calls: list[str] = []

    def passages(self, texts: list[str]) -> np.ndarray:
        self.calls.append("passages")
        return self.real.passages(texts)

    def queries(self, texts: list[str]) -> np.ndarray:
        self.calls.append("queries")
        return self.real.queries(texts)

    def token_count(self, text: str) -> int:
        self.calls.append("token_count")
        return self.real.token_count(text)

    def units(self, passages: list[list[Unit]]) -> list[np.ndarray]:
        self.calls.append("units")
        return self.real.units(passages)


def test_a_duplicate_is_refused_before_it_is_embedded(
        tmp_path: Path, new_store: Callable[[], Store], embedder: Embedder) -> None:  # fmt: skip
    """Issue #17.8: the same file, or another version of an indexed letter, is answered
    without touching the model; the outcome is what the write would have said."""
    store = new_store()
    letter = write_letter(tmp_path / "ah-999.txt")
    first = add_files([letter], store, embedder=embedder)
    assert [o.status for o in first] == ["added"]
    copy = tmp_path / "kopie.txt"  # the same content under another name
    copy.write_bytes(letter.read_bytes())
    corrected = write_letter(tmp_path / "ah-999-herzien.txt", answer2=ANSWER_2 + " Er zijn "
                             "vorig jaar 41 katten opgevangen.")  # fmt: skip

    watched = WatchedEmbedder(embedder)
    again = add_files([letter, copy, corrected], store, embedder=watched)  # type: ignore[arg-type]
    assert watched.calls == []  # nothing was embedded, not even tokenised
    assert [o.status for o in again] == ["unchanged", "unchanged", "conflict"]
    assert again[0].message == f"ah-999.txt: indexed already (id {first[0].doc_id})"
    assert again[1].message == f"kopie.txt: indexed already (id {first[0].doc_id})"
    assert again[2].message == (
        "ah-999-herzien.txt is the same letter as the indexed ah-999.txt "
        "(ah-tk-20242025-999); nothing was changed. To replace it, run: assistant add "
        f"--replace {corrected}")  # fmt: skip
    assert again[2].doc_id == first[0].doc_id and store.counts()[0] == 1

    loaded: list[bool] = []  # a function giving the model is not even called
    lazily = add_files([letter], store, embedder=lambda: loaded.append(True) or embedder)
    assert [o.status for o in lazily] == ["unchanged"] and loaded == []

    replaced = add_files([corrected], store, embedder=watched,  # type: ignore[arg-type]
                         replace=True)  # fmt: skip
    assert "units" in watched.calls and replaced[0].status == "replaced"
    assert replaced[0].message.startswith(f"replaced {first[0].doc_id} by ah-999-herzien.txt")
    assert store.document(first[0].doc_id or "") is None and store.counts()[0] == 1


def test_an_upload_of_an_indexed_letter_loads_no_model(tmp_path: Path, seed_index_dir: Path
                                                       ) -> None:  # fmt: skip
    """Issue #17.8, the web side: the upload's own model instance is loaded only when a
    letter is to be embedded."""
    from assistant.web.upload import Uploads

    folder = tmp_path / "index"
    shutil.copytree(seed_index_dir, folder)
    store = open_store(folder)
    uploads = Uploads(store)
    html, outcomes = uploads.add([str(SEED_A)], replace=False)
    assert [o.status for o in outcomes] == ["unchanged"] and "indexed already" in html
    assert uploads._embedder is None  # noqa: SLF001  (the observation: no model was loaded)
    store.close()
