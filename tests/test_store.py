"""The storage interface, one suite for every backend (as Django tests its database
backends): whole letters written and removed in place, conflicts, references, filters
inside each signal, candidates, and the change counter live readers watch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from store_letters import records

from assistant.search import Filters, Searcher
from assistant.store import Store
from assistant.store.base import ConflictError, LetterRecord
from assistant.store.embed import Embedder
from assistant.store.lexical import query_terms

pytestmark = pytest.mark.usefixtures("embedder")


@pytest.fixture(scope="module")
def letters(embedder: Embedder) -> dict[str, LetterRecord]:
    return records(embedder)


def keys_of(store: Store, doc_id: str) -> list[int]:
    return store.doc_passages([doc_id], Filters())


def test_a_new_store_is_empty(new_store: Callable[[], Store]) -> None:
    store = new_store()
    assert store.counts() == (0, 0, 0)
    assert store.documents() == [] and store.generation() == 0
    assert store.vector_candidates(np.ones(384, dtype=np.float32), 10, Filters()) == []


def test_letters_are_written_and_removed_whole(
        new_store: Callable[[], Store], letters: dict[str, LetterRecord]) -> None:  # fmt: skip
    store = new_store()
    written = store.write([letters["katten"], letters["fietsen"]])
    cats, bikes = (letters[t].document.doc_id for t in ("katten", "fietsen"))
    assert written.added == [cats, bikes] and store.generation() == 1
    units = sum(len(p.kinds) for t in ("katten", "fietsen") for p in letters[t].passages)
    assert store.counts() == (2, 6, units)
    assert [p.questions for p in store.letter(cats)] == [[1], [2], [3]]
    assert store.document(cats).origin == "added"  # type: ignore[union-attr]
    rows = store.signal_rows(keys_of(store, cats))
    assert len(rows.vectors) == sum(len(p.kinds) for p in letters["katten"].passages)
    np.testing.assert_allclose(rows.vectors, np.vstack(
        [p.vectors for p in letters["katten"].passages]).astype(np.float32))  # fmt: skip

    removed = store.write(remove=[cats])
    assert removed.removed == [cats] and store.generation() == 2
    assert store.document(cats) is None and store.letter(cats) == []
    assert store.counts()[:2] == (1, 3)
    stats = store.lexical_stats(query_terms("zwerfkatten veerboot"))
    assert stats.df == {} and stats.passages == 3
    assert store.lexical_candidates(query_terms("zwerfkatten"), 10, Filters()) == []
    found = store.vector_candidates(letters["katten"].passages[1].vectors[0].astype(np.float32),
                                    50, Filters())  # fmt: skip
    assert {k for k, _ in found} <= set(keys_of(store, bikes))  # no unit of the removed letter


def test_the_same_content_is_unchanged_and_the_same_letter_refused_or_replaced(
        new_store: Callable[[], Store], letters: dict[str, LetterRecord],
        embedder: Embedder) -> None:  # fmt: skip
    from store_letters import letter_text

    from assistant.ingest.parse import parse_pages
    from assistant.store.records import letter_record

    store = new_store()
    store.write([letters["katten"]])
    assert store.write([letters["katten"]]).unchanged == [letters["katten"].document.doc_id]
    newer = letter_record(parse_pages([letter_text("katten", a1="Ja, en ook het vervolg.")],
                                      "katten-2.txt"), embedder, "added", conflict="refuse")
    with pytest.raises(ConflictError, match="same letter as the indexed katten.txt"):
        store.write([newer])
    assert store.counts()[0] == 1 and store.generation() == 1  # nothing was written
    newer.conflict = "replace"
    written = store.write([newer])
    assert written.replaced == [(letters["katten"].document.doc_id, newer.document.doc_id)]
    assert [d.document.source for d in store.documents()] == ["katten-2.txt"]


def test_references_and_articles(new_store: Callable[[], Store],
                                 letters: dict[str, LetterRecord]) -> None:  # fmt: skip
    store = new_store()
    store.write(list(letters.values()))
    cats = letters["katten"].document.doc_id
    assert store.reference_docs(["ahtk20242025999", "ah999", "nothing"]) == {
        "ahtk20242025999": [cats], "ah999": [cats]}
    assert [r.document.doc_id for r in store.find_documents("ah-tk-20242025-999")] == [cats]
    assert [r.document.doc_id for r in store.find_documents("katten.txt")] == [cats]
    assert [r.document.doc_id for r in store.find_documents(cats[:6])] == [cats]
    assert store.find_documents(cats[:3]) == [] and store.find_documents("") == []
    q3 = store.letter(cats)[2]
    key = keys_of(store, cats)[2]
    assert [p.questions for p in store.referred(key, q3)] == [[2]]


# Characters that SQL LIKE, globs or regular expressions would read as patterns.
PATTERN_NAMES = ["a%b", "a_b", "axb", "a\\b", "a*b", "a?b", "a[b]"]


def test_references_are_literal(new_store: Callable[[], Store],
                                letters: dict[str, LetterRecord]) -> None:  # fmt: skip
    """`%`, `_`, `\\`, `*`, `?` and `[` in a reference are those characters: each file
    name, kenmerk and doc id finds its own letter and nothing else (a pattern would let
    `remove 'a_b'` remove a letter named axb)."""
    import dataclasses

    from assistant.ingest.references import norm_id

    store = new_store()
    base = letters["katten"]
    ids = {}
    for i, name in enumerate(PATTERN_NAMES):
        doc = dataclasses.replace(base.document, doc_id=f"{i:02x}" + base.document.doc_id[2:],
                                  source=f"{name}.txt", ons_kenmerk=f"K{name}",
                                  uw_kenmerk=None, aanhangsel=None)  # fmt: skip
        store.write([dataclasses.replace(base, document=doc, keys={norm_id(f"k{name}")})])
        ids[name] = doc.doc_id
    assert store.counts()[0] == len(PATTERN_NAMES)
    for name, doc_id in ids.items():
        for ref in (name, f"{name}.txt", f"k{name}"):
            assert [r.document.doc_id for r in store.find_documents(ref)] == [doc_id], ref
    some = ids["a%b"]
    for ref in ("%", "_", "a%", "%b", "a_", "*", "?", "[", "\\", some[:5] + "%",
                some[:6] + "%", some[:6] + "_", "a%b%", "%.txt", "a[b"):
        assert store.find_documents(ref) == [], ref
    assert [r.document.doc_id for r in store.find_documents(some[:6])] == [some]


@pytest.mark.parametrize("date", ["3024-01-01", "9999-12-31", "2258-11-12"])
def test_a_date_past_the_id_range_is_stored_and_filtered(
        new_store: Callable[[], Store], letters: dict[str, LetterRecord], embedder: Embedder,
        date: str) -> None:  # fmt: skip
    """The unit id holds days until 2258-11-11; a later date (no real letter's, but a typo
    can make one) once overflowed the id and stopped `index` for the whole corpus."""
    import dataclasses

    store = new_store()
    late = letters["katten"]
    store.write([dataclasses.replace(late, document=dataclasses.replace(late.document,
                                                                        date=date)),
                 letters["fietsen"]])  # fmt: skip
    assert store.counts()[0] == 2
    searcher = Searcher(store, embedder)
    hits = searcher.search("zwerfkatten", k=3, filters=Filters(date_from="2300-01-01")).hits
    assert hits and {h.document.date for h in hits} == {date}
    early = searcher.search("fietsen", k=3, filters=Filters(date_to="2300-01-01")).hits
    assert {h.document.date for h in early} >= {"2023-05-10"}
    assert store.find_documents("katten.txt")[0].document.date == date


def test_filters_apply_inside_each_signal(new_store: Callable[[], Store],
                                          letters: dict[str, LetterRecord],
                                          embedder: Embedder) -> None:  # fmt: skip
    store = new_store()
    store.write(list(letters.values()))
    searcher = Searcher(store, embedder)
    mills = letters["molens"].document.doc_id
    # A question about cats, restricted to the windmill letter: still k hits, all from it.
    hits = searcher.search("Wie vangt de zwerfkatten op?", k=3, filters=Filters([mills])).hits
    assert [h.document.doc_id for h in hits] == [mills] * 3
    dated = searcher.search("fietsen", k=3, filters=Filters(date_from="2023-01-01",
                                                            date_to="2023-12-31")).hits
    assert len(dated) == 3 and {h.document.date for h in dated} == {"2023-05-10"}
    assert searcher.search("fietsen", filters=Filters(date_from="2030-01-01")).hits == []
    lex = store.lexical_candidates(query_terms("fietsen katten"), 10,
                                   Filters(date_to="2022-12-31"))  # fmt: skip
    assert lex == []  # both letters are of 2023 and 2024
    vec = store.vector_candidates(embedder.queries(["katten"])[0], 20,
                                  Filters(date_from="2024-01-01"))  # fmt: skip
    assert {k for k, _ in vec} == set(keys_of(store, letters["katten"].document.doc_id))


def test_the_change_counter_lets_a_second_reader_catch_up(
        new_store: Callable[[], Store], reopen: Callable[[Store], Store],
        letters: dict[str, LetterRecord], embedder: Embedder) -> None:  # fmt: skip
    writer = new_store()
    writer.write([letters["fietsen"]])
    reader = reopen(writer)
    searcher = Searcher(reader, embedder)
    assert searcher.search("zwerfkatten op de veerboot", k=1).hits[0].document.source == \
        "fietsen.txt"  # fmt: skip
    writer.write([letters["katten"]])
    top = searcher.search("Wie vangt de zwerfkatten op de veerboot op?", k=1).hits[0]
    assert top.passage.passage_id == "ah-tk-20242025-999-q2"  # seen without reopening
    writer.write(remove=[letters["katten"].document.doc_id])
    top = searcher.search("Wie vangt de zwerfkatten op de veerboot op?", k=1).hits[0]
    assert top.document.source == "fietsen.txt"
    assert reader.generation() == writer.generation() == 3


def test_sample_is_fixed_and_covers_a_small_index(
        new_store: Callable[[], Store], letters: dict[str, LetterRecord]) -> None:  # fmt: skip
    store = new_store()
    store.write(list(letters.values()))
    every = {k for row in store.documents() for k in keys_of(store, row.document.doc_id)}
    assert set(store.sample(100)) == every
    assert store.sample(4) == store.sample(4) and len(store.sample(4)) == 4
