"""`assistant import` end to end: the replay server of real recorded API responses → the
index → `assistant ask` with official links; a second run fetches nothing new.

The replay serves a slice of the captured records (all their kinds) so the round trip
embeds a handful of letters, not all 73 answers (see the closing note for a full run).
"""

from __future__ import annotations

import json
from pathlib import Path

from opendata_replay import ReplayData, ReplayServer

from assistant.ingest.references import official_url
from assistant.store import open_store
from tests.conftest import run_cli

KINDS = {"Antwoord schriftelijke vragen": 6, "Antwoord schriftelijke vragen (nader)": 1,
         "Schriftelijke vragen": 2, "Mededeling (uitstel antwoord)": 2}  # fmt: skip


def sliced() -> ReplayData:
    """The captured records of the importer's kinds, a few of each, plus everything else
    (other kinds and deleted records are listed but never imported)."""
    data = ReplayData()
    seen: dict[str, int] = {}
    kept = []
    for record in data.documents:
        soort = record.get("Soort")
        if soort in KINDS:
            seen[soort] = seen.get(soort, 0) + 1
            if seen[soort] > KINDS[soort]:
                continue
        kept.append(record)
    data.documents = kept
    return data


def test_import_ask_and_sync_again(tmp_path: Path) -> None:
    index = tmp_path / "index"
    with ReplayServer(sliced()) as server:
        args = ("import", "--since", "2017-01-01", "--tk-url", server.tk_url, "--index",
                str(index), "--rate", "50")  # fmt: skip
        first = run_cli(*args)
        assert first.returncode == 0, first.stderr
        summary = first.stdout.splitlines()[0]
        assert summary.startswith(f"found {sum(KINDS.values())}, new {sum(KINDS.values())}")
        store = open_store(index)
        rows = store.documents()
        answers = [r for r in rows if r.document.kind == "answers"]
        assert len(answers) == 7 and all(r.origin == "imported" for r in rows)
        assert {r.document.kind for r in rows} == {"answers", "questions", "postponement"}
        assert all(r.passages == 0 for r in rows if r.document.kind != "answers")
        letter = answers[0].document
        first_passage = store.letter(letter.doc_id)[0]
        store.close()
        assert letter.aanhangsel and letter.aanhangsel.startswith("ah-tk-")

        asked = run_cli("ask", first_passage.question_text[:200], "--index", str(index),
                        "--json", "-k", "3")  # fmt: skip
        assert asked.returncode == 0, asked.stderr
        hits = json.loads(asked.stdout)["hits"]
        hit = next(h for h in hits if h["passage_id"] == first_passage.passage_id)
        assert hit["document"]["url"] == official_url(letter.aanhangsel)
        assert hit["document"]["url"].startswith("https://zoek.officielebekendmakingen.nl/")
        text = run_cli("ask", first_passage.question_text[:200], "--index", str(index))
        assert official_url(letter.aanhangsel) in text.stdout  # the link in the text output

        downloads = len(server.requests("resource"))
        again = run_cli(*args)
        assert again.returncode == 0, again.stderr
        assert " new 0, updated 0, removed 0" in again.stdout.splitlines()[0]
        assert len(server.requests("resource")) == downloads
