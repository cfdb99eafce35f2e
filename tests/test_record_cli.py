"""`assistant ask Q --all` as a user runs it: the --json object, every --out type parsed,
facet filters, and mistakes as one `error:` line with exit status 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_browser_record import parse_ris

QUESTION = "Kan Telegram in Nederland verboden worden?"


@pytest.mark.timeout(600)
def test_json_object_as_the_issue_gives_it(seed_index_dir: Path) -> None:
    proc = run_cli("ask", QUESTION, "--all", "--json", "--index", str(seed_index_dir))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"question", "searched_as", "letters", "facets"}
    assert data["question"] == data["searched_as"] == QUESTION
    assert set(data["facets"]) == {"year", "ministry", "minister", "party", "questioner"}
    assert data["facets"]["year"] == {"2024": 2}
    assert data["facets"]["party"] == {"CDA": 1, "GroenLinks-PvdA": 1}
    kenmerken = [x["document"]["ons_kenmerk"] for x in data["letters"]]
    assert sorted(kenmerken) == ["5209583", "5236577"]
    for letter in data["letters"]:
        assert set(letter) == {"document", "hits", "repeated_in"} and letter["hits"]
        assert "url" in letter["document"] and letter["repeated_in"] == []
        hit = letter["hits"][0]
        assert {"score", "passage_id", "answer_text", "citation", "highlights"} <= set(hit)
    best = {x["document"]["ons_kenmerk"]: x["hits"][0]["questions"] for x in data["letters"]}
    assert best["5236577"] == [13] and best["5209583"] == [16]  # the ban answers
    party = run_cli("ask", QUESTION, "--all", "--json", "--party", "CDA", "--index",
                    str(seed_index_dir))  # fmt: skip
    only = json.loads(party.stdout)
    assert [x["document"]["ons_kenmerk"] for x in only["letters"]] == ["5209583"]


@pytest.mark.timeout(600)
def test_every_export_type_parses(seed_index_dir: Path, tmp_path: Path) -> None:
    for kind in ("csv", "json", "md", "ris"):
        out = tmp_path / f"all.{kind}"
        proc = run_cli("ask", QUESTION, "--all", "--out", str(out), "--index",
                       str(seed_index_dir))  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert f"wrote 2 letters to {out} ({kind})" in proc.stderr
    with open(tmp_path / "all.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 and {r["ons_kenmerk"] for r in rows} == {"5209583", "5236577"}
    assert all(r["citation"] and r["answer"] and r["date"] == "2024-03-18" for r in rows)
    assert len(json.loads((tmp_path / "all.json").read_text())["letters"]) == 2
    markdown = (tmp_path / "all.md").read_text()
    assert markdown.count("\n## ") == 2 and "antwoord op vraag 13" in markdown
    records = parse_ris((tmp_path / "all.ris").read_bytes().decode("utf-8"))
    assert sorted(r["M1"][0] for r in records) == ["5209583", "5236577"]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("args, says", [
    (["--party", "SP"], "--party needs --all"),
    (["--all", "--out", "list.txt"], "cannot tell the export type"),
    (["--all", "--year", "24"], "is no year"),
    (["--all", "--from", "2024-13-01"], "is no date"),
    (["--all", "--letter", "9999999"], "no indexed letter"),
])  # fmt: skip
def test_mistakes_are_one_line(seed_index_dir: Path, args: list[str], says: str) -> None:
    proc = run_cli("ask", QUESTION, *args, "--index", str(seed_index_dir))
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], lines
