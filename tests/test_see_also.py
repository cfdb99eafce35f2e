"""An answer that only refers to another ("Zie het antwoord op vraag 6 en 7") is shown
together with the answer it refers to: in the hit, the JSON, the terminal and the UI."""

from __future__ import annotations

from assistant.cite import aanhangsel_label, result_dict, result_text
from assistant.search import Searcher
from assistant.web.render import card
from tests.conftest import needs_shared


@needs_shared
def test_referring_answer_carries_the_answer_it_refers_to(full_searcher: Searcher) -> None:
    store = full_searcher.store
    name = "Antwoord_op_vragen_van_de_leden_Beckerma"
    doc = next(r.document for r in store.documents() if r.document.source.startswith(name))
    q9 = next(p for p in store.letter(doc.doc_id) if p.questions == [9])
    assert q9.refers_to == [6, 7]
    result = full_searcher.search(f"vraag 9 van {doc.aanhangsel}")
    top = result.hits[0]
    assert top.passage.passage_id == q9.passage_id
    assert [p.questions for p in top.see_also] == [[6, 7]]
    referred = top.see_also[0].answer_text
    assert len(referred) > 100 and referred != q9.answer_text
    data = result_dict(result)["hits"][0]
    assert data["see_also"] == [{"passage_id": top.see_also[0].passage_id,
                                 "questions": [6, 7], "answer_text": referred}]  # fmt: skip
    assert "verwijst naar antwoord op vragen 6 en 7" in result_text(result)
    html = card(top, "en")
    assert "Refers to the answer to questions 6 and 7" in html
    assert referred[:40].replace("'", "&#x27;").replace('"', "&quot;") in html
    others = [h for h in result.hits if not h.passage.refers_to]
    assert all(h.see_also == [] for h in others)


def test_aanhangsel_citations_read_as_published() -> None:
    assert aanhangsel_label("ah-tk-20242025-594") == "Aanhangsel Handelingen II 2024/25, nr. 594"
    assert aanhangsel_label("AH 605") == "Aanhangsel Handelingen, nr. 605"
    assert aanhangsel_label("something else") == "something else"
