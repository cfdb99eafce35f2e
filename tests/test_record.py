"""The record over time (`ask --all`): every answering letter, grouped, repeats folded,
facets counted in SQL (embedded store and PostgreSQL), renamed ministries as one, filters.

The letters are the two real seed letters plus copies of them as the archive holds such
copies: the same answers re-sent in a later letter (a minister repeating an answer), and
the same letter filed years earlier under the ministry's old name "Veiligheid en
Justitie". The copies keep the real texts and vectors (nothing is embedded again); only
their ids, dates and metadata differ.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable

import pytest

from assistant.documents import Passage
from assistant.ingest.references import document_keys
from assistant.search import Searcher
from assistant.search.record import all_answers, ministry_label
from assistant.search.repeats import similarity
from assistant.store import Store
from assistant.store.base import IMPORTED, Filters, LetterRecord
from assistant.store.copy import copy_store
from assistant.store.embed import Embedder
from assistant.store.sql import canonical_ministry
from tests.conftest import needs_shared

QUESTION = "Kan Telegram in Nederland verboden worden?"
OLD_NAME = "Veiligheid en Justitie"


def copy_letter(rec: LetterRecord, n: int, **changes: str | None) -> LetterRecord:
    """A copy of a letter under new ids (as a different letter), with changed metadata."""
    doc_id = f"copy{n:08d}"
    doc = dataclasses.replace(rec.document, doc_id=doc_id, source=f"copy-{n}.txt",
                              ons_kenmerk=f"C{n:06d}", uw_kenmerk=None, aanhangsel=None,
                              **changes)  # type: ignore[arg-type]
    passages = [dataclasses.replace(p, passage=Passage(**{
        **p.passage.to_dict(), "passage_id": f"C{n:06d}-{i}", "doc_id": doc_id}))
        for i, p in enumerate(rec.passages)]  # fmt: skip
    return LetterRecord(doc, passages, IMPORTED, rec.questions_numbered, document_keys(doc),
                        external_id=f"copy:{n}", version="1")  # fmt: skip


@pytest.fixture
def record_store(new_store: Callable[[], Store], seed_store: Store) -> Store:
    """Seeds + a later repeat of each + an old copy of seed A under the ministry's old name."""
    store = new_store()
    seeds = [seed_store.export(row.document.doc_id) for row in seed_store.documents()]
    letters = [rec for rec in seeds if rec is not None]
    a, b = sorted(letters, key=lambda r: r.document.ons_kenmerk or "")[1], \
        sorted(letters, key=lambda r: r.document.ons_kenmerk or "")[0]  # fmt: skip
    assert a.document.ons_kenmerk == "5236577" and b.document.ons_kenmerk == "5209583"
    copies = [
        copy_letter(a, 1, date="2016-05-10", ministry=OLD_NAME,
                    minister="minister van Veiligheid en Justitie", party="SP",
                    questioner="Van Nispen"),
        copy_letter(b, 2, date="2025-01-15"),
    ]  # fmt: skip
    store.write([*letters, *copies])
    return store


def hand_count(docs: list) -> dict[str, Counter]:
    """Letters per facet value, counted here in Python the way the facets define values."""
    counts: dict[str, Counter] = {f: Counter() for f in ("year", "ministry", "minister",
                                                         "party", "questioner")}  # fmt: skip
    for d in docs:
        if d.date:
            counts["year"][d.date[:4]] += 1
        if d.ministry:
            counts["ministry"].update({canonical_ministry(m) for m in d.ministry.split("; ")})
        if d.party:
            counts["party"].update(set(d.party.split(", ")))
        if d.questioner:
            counts["questioner"].update(set(d.questioner.replace(" en ", ", ").split(", ")))
        if d.minister:  # "minister X en staatssecretaris Y": both answered
            both = d.minister.replace(" en minister ", "|minister ")
            counts["minister"].update(set(both.replace(" en staatssecretaris ",
                                                        "|staatssecretaris ").split("|")))
    return counts


@pytest.mark.timeout(600)
def test_letters_grouped_repeats_folded_facets_counted(record_store: Store,
                                                       embedder: Embedder) -> None:
    record = all_answers(Searcher(record_store, embedder), QUESTION)
    listed = [x.document.doc_id for x in record.letters]
    folded = [d.doc_id for x in record.letters for d in x.repeated_in]
    # every answering letter once: listed, or folded under the letter it repeats
    assert len(set(listed + folded)) == len(listed + folded) == record.total == 4
    # the old copy (2016) gave the answer first: seed A (2024) repeats it; seed B's later
    # copy (2025) repeats seed B
    by_key = {x.document.ons_kenmerk: x for x in record.letters}
    assert set(by_key) == {"C000001", "5209583"}
    assert [d.ons_kenmerk for d in by_key["C000001"].repeated_in] == ["5236577"]
    assert [d.ons_kenmerk for d in by_key["5209583"].repeated_in] == ["C000002"]
    # grouped by letter, the best passage first; newest first
    for letter in record.letters:
        assert {h.document.doc_id for h in letter.hits} == {letter.document.doc_id}
        scores = [h.score for h in letter.hits]
        assert scores == sorted(scores, reverse=True)
    dates = [x.document.date for x in record.letters]
    assert dates == sorted(dates, reverse=True)
    # the Telegram ban answer (vraag 13 of 5236577, as repeated in the 2016 copy) is there
    assert 13 in by_key["C000001"].hits[0].passage.questions or any(
        13 in h.passage.questions for h in by_key["C000001"].hits)
    # facets equal a count by hand over the same letters
    docs = [x.document for x in record.letters] + [d for x in record.letters
                                                   for d in x.repeated_in]  # fmt: skip
    expected = hand_count(docs)
    for facet, counts in expected.items():
        assert record.facets[facet] == dict(counts), facet
    # the renamed ministry: one count, both names
    assert record.facets["ministry"] == {"Justitie en Veiligheid": 4}
    assert ministry_label("Justitie en Veiligheid", record.names) == \
        "Justitie en Veiligheid / Veiligheid en Justitie"  # fmt: skip


@pytest.mark.timeout(600)
def test_facet_filters(record_store: Store, embedder: Embedder) -> None:
    searcher = Searcher(record_store, embedder)
    by_old_name = all_answers(searcher, QUESTION, wanted={"ministry": [OLD_NAME]})
    assert by_old_name.total == 4  # either name finds the ministry under both
    sp = all_answers(searcher, QUESTION, wanted={"party": ["sp"]})  # any case
    assert sp.total == 1 and sp.letters[0].document.ons_kenmerk == "C000001"
    assert sp.facets["party"] == {"SP": 1}
    year = all_answers(searcher, QUESTION, wanted={"year": ["2024"]})
    assert year.total == 2 and {x.document.date[:4] for x in year.letters} == {"2024"}
    both = all_answers(searcher, QUESTION, wanted={"year": ["2024", "2025"]})
    assert both.total == 3
    none = all_answers(searcher, QUESTION, wanted={"questioner": ["Nobody"]})
    assert none.total == 0 and none.letters == []
    by_relevance = all_answers(searcher, QUESTION, sort="relevance")
    scores = [x.score for x in by_relevance.letters]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.timeout(300)
def test_off_topic_question_has_no_letters(searcher: Searcher) -> None:
    record = all_answers(searcher, "Hoe bak ik een appeltaart?")
    assert record.letters == [] and record.total == 0


def test_near_identical_measure() -> None:
    text = ("Ik zie een verbod op de app Telegram in Nederland niet als een manier om "
            "exposegroepen aan te pakken; het is immers niet het enige platform.")
    assert similarity(text, text.replace(";", ",").upper()) == 1.0
    assert similarity(text, text + " (zie vraag 3)") >= 0.8
    assert similarity(text, "Het kabinet zet in op betere handhaving van de DSA.") < 0.1


@needs_shared
@pytest.mark.timeout(3000)
def test_facets_of_the_real_letters_equal_a_hand_count(new_store: Callable[[], Store],
                                                      full_store: Store,
                                                      embedder: Embedder) -> None:  # fmt: skip
    """Seeds + ../shared/corpus-real (several questioners and parties per letter, two
    answerers, ministries of 2024): every letter's facets, and those of a broad question."""
    store = new_store()
    copy_store(full_store, store)
    keys = [k for row in store.documents() for k in store.doc_passages([row.document.doc_id],
                                                                      Filters())]  # fmt: skip
    counted = store.letter_facets(keys, {}).counts
    expected = hand_count([row.document for row in store.documents() if row.passages])
    assert {f: counted[f] for f in expected} == {f: dict(c) for f, c in expected.items()}
    assert counted["party"]["SP"] >= 2  # letters of several parties count under each
    record = all_answers(Searcher(store, embedder), "Hoe worden asielzoekers opgevangen?")
    assert record.total >= 2
    docs = [x.document for x in record.letters] + [d for x in record.letters
                                                   for d in x.repeated_in]  # fmt: skip
    assert {f: record.facets[f] for f in expected} == \
        {f: dict(c) for f, c in hand_count(docs).items()}  # fmt: skip
