"""Long answers: indexed in pieces that cite one passage; a hit marks the matching piece."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

from assistant.search import Filters, Searcher
from assistant.store import Store
from assistant.store.base import KINDS


def _units(store: Store, kind: str = "passage") -> dict[str, list[tuple[int, int]]]:
    """Spans of every passage's units of one kind, by passage id (read from the store)."""
    docs = [row.document.doc_id for row in store.documents()]
    keys = store.doc_passages(docs, Filters())
    rows = store.signal_rows(keys)
    names = {key: p.passage_id for key, (p, _) in store.hits(keys).items()}
    spans: dict[str, list[tuple[int, int]]] = {}
    for owner, k, start, end in zip(rows.owner, rows.kind, rows.start, rows.end):
        if KINDS[k] == kind:
            spans.setdefault(names[rows.keys[owner]], []).append((int(start), int(end)))
    return spans


def _split_passages(searcher: Searcher) -> dict[str, list[tuple[int, int]]]:
    pieces = _units(searcher.store)
    return {pid: spans for pid, spans in pieces.items() if len(spans) > 1}


def test_long_seed_answer_is_split_and_the_matching_piece_marked(searcher: Searcher) -> None:
    split = _split_passages(searcher)
    assert "5236577-q12" in split  # ~500 tokens with its context: more than e5 reads
    result = searcher.search("Wie heeft de ATKM opgericht voor kinderpornografisch materiaal?",
                             k=10)  # fmt: skip
    hit = next(h for h in result.hits if h.passage.passage_id == "5236577-q12")
    start, end = hit.piece
    assert (start, end) in split["5236577-q12"]
    assert "ATKM" in hit.passage.answer_text[start:end]
    assert start > 0  # the later piece, not the whole answer
    windows = _units(searcher.store, "window")["5236577-q12"]
    assert len(set(windows) | set(split["5236577-q12"])) > 2


def test_long_real_answer_pieces_all_cite_one_passage(full_searcher: Searcher) -> None:
    split = _split_passages(full_searcher)
    real = [pid for pid in split if not pid.startswith(("5236577", "5209583"))]
    assert real, "corpus-real should hold answers longer than the model's window"
    pid = max(real, key=lambda p: len(split[p]))
    found = full_searcher.store.passage_by_id(pid)
    assert found is not None
    passage = found[0]
    spans = sorted(split[pid])
    assert spans[0][0] == 0 and spans[-1][1] == len(passage.answer_text.rstrip())
    # each piece overlaps the next one: nothing of the answer is left out
    assert all(b[0] <= a[1] for a, b in zip(spans, spans[1:]))
    # the text only the last piece holds (pieces overlap by a sentence): it finds that piece
    tail = passage.answer_text[spans[-2][1]:spans[-1][1]]
    hits = full_searcher.search(tail[:300], k=5).hits
    hit = next(h for h in hits if h.passage.passage_id == pid)
    assert hit.piece == spans[-1]
    assert hit.passage.answer_text == passage.answer_text  # the whole answer is shown


def test_json_has_piece_and_highlights(seed_index_dir: Path) -> None:
    out = run_cli("ask", "--index", str(seed_index_dir), "--json", "-k", "3",
                  "Wie heeft de ATKM opgericht?")  # fmt: skip
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["answerable"] is True
    for hit in payload["hits"]:
        start, end = hit["piece"]
        assert 0 <= start < end <= len(hit["answer_text"])
        assert 1 <= len(hit["highlights"]) <= 3
        assert all(0 <= s < e <= len(hit["answer_text"]) for s, e in hit["highlights"])
