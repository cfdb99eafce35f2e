"""The web app's rendering and chat logic, on the real seed index (no server)."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.documents import Document, Hit, Passage
from assistant.search import Result, Searcher
from assistant.web import render, sources
from assistant.web.app import all_documents, doc_id_of, letter_html, letter_of
from assistant.web.chat import (
    Conversation,
    Serialized,
    answer,
    contextualize,
    is_follow_up,
    lookup,
)
from assistant.web.excerpt import window
from assistant.web.upload import Uploads

EN_QUESTION = "Can Telegram be banned in the Netherlands?"
NL_QUESTION = "Kan Telegram in Nederland verboden worden?"
HOSTILE = "<img src=x onerror=alert(1)>"


def hostile_hit(highlights: list[tuple[int, int]] | None = None,
                aanhangsel: str | None = None) -> Hit:  # fmt: skip
    doc = Document(doc_id="d1", title="<script>alert('t')</script> Telegram",
                   source="x.txt", date="2024-03-18", ons_kenmerk="123<b>",
                   aanhangsel=aanhangsel)  # fmt: skip
    passage = Passage(passage_id="123-q1", doc_id="d1", questions=[1],
                      question_text=f"Vraag {HOSTILE}?", answer_text="Nee. Dat kan niet & zo.",
                      page=2)  # fmt: skip
    return Hit(passage, doc, 0.9, rank=1, highlights=highlights or [])


def cited_keys(hits: list[Hit]) -> set[tuple[str | None, tuple[int, ...]]]:
    return {(h.document.ons_kenmerk, tuple(h.passage.questions)) for h in hits}


def test_card_escapes_document_text_and_bolds_highlights() -> None:
    html_out = render.card(hostile_hit([(0, 4)]), "nl")
    assert "<script>" not in html_out and "<img" not in html_out and "<b>" not in html_out
    assert "&lt;script&gt;" in html_out and "&lt;img src=x onerror=alert(1)&gt;" in html_out
    assert "<strong>Nee.</strong>" in html_out
    assert "&amp; zo." in html_out
    assert "Vraag 1" in html_out and "18 maart 2024" in html_out and "p. 2" in html_out
    assert render.no_blank_lines(html_out)


def test_sources_templates_escape_document_text() -> None:
    hit = hostile_hit(aanhangsel="ah-tk-20232024-1234")
    doc, passage = hit.document, hit.passage
    doc.doc_id, doc.source = 'd"1<', f"{HOSTILE}.txt"
    listing = sources.document_list([doc], {doc.doc_id: 1})
    letter = sources.letter(doc, [passage], passage.passage_id, f"ruwe {HOSTILE}\ntekst")
    for out in (listing, letter):
        assert "<script>" not in out and "<img" not in out and "<b>" not in out
        assert "&lt;script&gt;" in out
    assert '<tr data-doc="d&#34;1&lt;">' in listing and 'href="#letter=d%221%3C"' in listing
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in letter  # the file name
    assert '<pre>ruwe &lt;img src=x onerror=alert(1)&gt;\ntekst</pre>' in letter
    assert letter.count('id="kv-cited"') == 1 and 'class="kv-official"' in letter


def test_english_card_uses_english_labels() -> None:
    html_out = render.card(hostile_hit(), "en")
    assert "Question 1" in html_out and "Answer" in html_out and "18 March 2024" in html_out


def test_card_has_copy_button_open_link_and_official_link() -> None:
    plain = render.card(hostile_hit(), "en")
    assert '<button type="button" class="kv-copy">' in plain and "Copy citation" in plain
    assert '<a class="kv-open" href="#open=123-q1">Open in letter</a>' in plain
    assert "kv-official" not in plain  # no Aanhangsel id, no link
    linked = render.card(hostile_hit(aanhangsel="ah-tk-20232024-1234"), "nl")
    assert ('href="https://zoek.officielebekendmakingen.nl/ah-tk-20232024-1234.html" '
            'target="_blank" rel="noopener"') in linked  # fmt: skip
    assert "Officiële publicatie" in linked and "Kopieer citaat" in linked
    assert render.no_blank_lines(linked)


def test_official_url_only_for_full_aanhangsel_ids() -> None:
    def url(ref: str | None) -> str | None:
        return render.official_url(Document(doc_id="d", title="t", source="s", aanhangsel=ref))

    assert url("ah-tk-20242025-594") == (
        "https://zoek.officielebekendmakingen.nl/ah-tk-20242025-594.html")  # fmt: skip
    assert url(" AH-TK-20242025-594 ") == (
        "https://zoek.officielebekendmakingen.nl/ah-tk-20242025-594.html")  # fmt: skip
    for ref in (None, "", "AH 594", "ah-tk-2024-594", "ah-tk-20242025-594/../x",
                'ah-tk-20242025-5"><script>'):
        assert url(ref) is None


def test_long_answer_shows_window_around_highlight() -> None:
    hit = hostile_hit()
    hit.passage.answer_text = "Begin. " + "woord " * 600 + "Dit is de kern. " + "meer " * 300
    start = hit.passage.answer_text.index("Dit is de kern.")
    hit.highlights = [(start, start + len("Dit is de kern."))]
    html_out = render.card(hit, "nl")
    assert "<strong>Dit is de kern.</strong>" in html_out
    assert html_out.count("woord") < 300 and "ingekort" in html_out


SENTENCES = [f"Zin nummer {i} gaat over het onderwerp en is precies lang genoeg om te tellen."
             for i in range(1, 31)]  # fmt: skip


def test_excerpt_starts_at_a_sentence_and_keeps_highlighted_sentences_whole() -> None:
    text = " ".join(SENTENCES)
    spans = [(text.index(s), text.index(s) + len(s)) for s in SENTENCES]
    for marks in ([spans[12]], [spans[12], spans[14]], [spans[3], spans[4]], [spans[29]]):
        start, end = window(text, marks, 400)
        assert start in {s for s, _ in spans} | {0}  # a sentence starts there
        assert end in {e for _, e in spans}  # and one ends there
        assert start <= marks[0][0] and marks[-1][1] <= end  # every highlight whole
        assert end - start <= 800
    # one sentence of context before the first highlight when it fits
    start, _ = window(text, [spans[12]], 400)
    assert start == spans[11][0]
    # highlights near the start: the answer from its beginning
    assert window(text, [spans[2]], 400)[0] == 0
    # an exact reference asks for the answer itself: from its beginning
    assert window(text, [spans[20]], 400, focus=0)[0] == 0


def test_excerpt_of_one_endless_sentence_is_cut_at_a_space() -> None:
    text = "Dit " + "woord " * 2000 + "einde."
    start, end = window(text, [], 300)
    assert start == 0 and end <= 600 and text[end] == " "


def test_user_text_is_literal_and_long_text_is_cut() -> None:
    assert render.user_text(HOSTILE) == ('<div class="kv-user">'
                                         "&lt;img src=x onerror=alert(1)&gt;</div>")  # fmt: skip
    shown = render.user_text("x" * 5000)
    assert len(shown) < 600 and "(+4600)" in shown


def test_follow_up_detection() -> None:
    assert is_follow_up("and in Belgium?")
    assert is_follow_up("wat zei de minister daarover?")
    assert is_follow_up("En in België?")
    assert not is_follow_up(EN_QUESTION)
    assert not is_follow_up("5236577 vraag 13") and not is_follow_up("2024Z02257")
    assert not is_follow_up("Hoeveel verdachten van doxing zijn geïdentificeerd door de politie?")
    conversation = Conversation(previous=[EN_QUESTION])
    assert contextualize("and in Belgium?", conversation) == (f"{EN_QUESTION} and in Belgium?",
                                                               True)  # fmt: skip
    assert contextualize("and in Belgium?", Conversation()) == ("and in Belgium?", False)


def test_english_answer_cites_question_13(searcher: Searcher) -> None:
    turn = answer(searcher, EN_QUESTION, Conversation())
    assert ("5236577", (13,)) in cited_keys(turn.hits[:3])
    assert "Question 13" in turn.bot_html and "kenmerk 5236577" in turn.bot_html
    assert "antwoord op vraag 13" in turn.bot_html  # the citation line
    assert turn.conversation.base == EN_QUESTION and turn.conversation.lang == "en"
    assert render.no_blank_lines(turn.bot_html)


def test_dutch_answer_has_dutch_labels(searcher: Searcher) -> None:
    turn = answer(searcher, NL_QUESTION, Conversation())
    assert ("5236577", (13,)) in cited_keys(turn.hits[:3])
    assert "Vraag 13" in turn.bot_html and "Antwoord" in turn.bot_html
    assert "Question" not in turn.bot_html
    assert turn.conversation.lang == "nl"


def test_follow_up_keeps_the_thread(searcher: Searcher) -> None:
    first = answer(searcher, EN_QUESTION, Conversation())
    second = answer(searcher, "and in Belgium?", first.conversation)
    assert "Follow-up, searched as:" in second.bot_html
    assert second.result is not None
    assert second.result.question == f"{EN_QUESTION} and in Belgium?"
    assert second.conversation.base == EN_QUESTION and second.conversation.turns == 2
    assert any("België" in h.passage.answer_text for h in second.hits)
    nl = answer(searcher, "wat zei de minister daarover?", first.conversation)
    assert "Vervolgvraag" in nl.bot_html


def test_empty_long_and_bad_date_get_friendly_messages(searcher: Searcher) -> None:
    empty = answer(searcher, "   ", Conversation(lang="nl"))
    assert empty.user_html == "" and "Typ eerst een vraag" in empty.bot_html and not empty.hits
    long = answer(searcher, "Can Telegram be banned? " * 400, Conversation())
    assert "very long" in long.bot_html and long.hits
    bad = answer(searcher, EN_QUESTION, Conversation(), date_from="18-03-2024")
    assert "2024-03-18" in bad.bot_html and not bad.hits


def test_filters_restrict_documents_and_dates(searcher: Searcher) -> None:
    doc_5209583 = next(d.doc_id for d in all_documents(searcher) if d.ons_kenmerk == "5209583")
    turn = answer(searcher, EN_QUESTION, Conversation(), doc_ids=[doc_5209583])
    assert turn.hits and {h.document.ons_kenmerk for h in turn.hits} == {"5209583"}
    none = answer(searcher, EN_QUESTION, Conversation(), date_from="2025-01-01")
    assert not none.hits and "Not found" in none.bot_html


def test_not_answerable_shows_possibly_related_separately(searcher: Searcher) -> None:
    hits = searcher.search("apple pie recipe", k=2).hits
    for hit in hits:
        hit.highlights = [(0, 3)]
    out = render.reply(Result("apple pie recipe", hits, answerable=False), "en")
    assert out.index("Not found") < out.index("Possibly related") < out.index("kv-card kv-related")
    assert out.count('class="kv-card kv-related"') == 2
    assert "<strong>" not in out  # nothing is "the answer" in a related passage


def test_lookup_lists_ranked_citations(searcher: Searcher) -> None:
    markup, hits = lookup(searcher, "Telegram verbod 5236577")
    assert hits and markup.count('class="kv-lookup-item"') == len(hits)
    assert re.search(r"antwoord op vra(ag|gen) \d+", markup)
    assert markup.count('class="kv-copy"') == len(hits) and "#open=" in markup
    empty, none = lookup(searcher, "")
    assert not none and "kenmerk" in empty


def test_lookup_speaks_no_jargon_and_marks_exact_references(searcher: Searcher) -> None:
    markup, hits = lookup(searcher, "5236577 vraag 13")
    assert hits[0].how == "lookup" and hits[0].passage.questions == [13]
    assert "semantic" not in markup and "lookup ·" not in markup
    assert not re.search(r"\b0\.\d{3}\b", markup)  # no raw scores
    first = markup.split('<li class="kv-lookup-item"')[1]
    assert "Precies de gevraagde verwijzing" in first
    assert markup.count("kv-exact") == sum(h.how == "lookup" for h in hits)


def test_lookup_excerpt_of_question_13_holds_the_answering_sentence(searcher: Searcher) -> None:
    markup, hits = lookup(searcher, "5236577 vraag 13")
    first = markup.split('<li class="kv-lookup-item"')[1]
    answer = first.split('<div class="kv-a">')[1].split("</div>")[0]
    plain = re.sub(r"<[^>]+>", "", answer)
    assert plain.startswith("Ik zie een verbod op de app Telegram in Nederland niet als")
    for bold in re.findall(r"<strong>(.*?)</strong>", answer):  # highlighted sentences whole
        assert bold.rstrip().endswith((".", "?", "!", ";")), bold


def test_lookup_says_not_found_instead_of_a_list(searcher: Searcher) -> None:
    for text in ("vraag 99 van 5236577", "Ziggo"):
        markup, hits = lookup(searcher, text)
        assert "Niet gevonden" in markup or "Not found" in markup, text
        assert "kv-lookup-item" not in markup
    hits = searcher.search("Telegram", k=3).hits
    shown = render.lookup_list(Result("x", hits, answerable=False), "en")
    assert "Not found: no indexed letter matches" in shown and "<ol" not in shown
    none = render.lookup_list(Result("x", [], answerable=True), "en")
    assert "Not found" in none and "<ol" not in none


def test_letter_marks_the_cited_passage(searcher: Searcher) -> None:
    passage_id = answer(searcher, EN_QUESTION, Conversation()).hits[0].passage.passage_id
    doc_id = doc_id_of(searcher, passage_id)
    assert doc_id is not None and doc_id_of(searcher, "no-such-passage") is None
    found = letter_of(searcher, doc_id)
    assert found is not None and letter_of(searcher, "no-such-letter") is None
    out = letter_html(searcher, doc_id, passage_id)
    assert out.count('id="kv-cited"') == 1
    assert out.count('class="kv-passage') == len(found[1])
    assert "Ons kenmerk" in out and "Originele tekst" in out  # raw letter from the corpus
    assert letter_html(searcher, None, passage_id) == out  # the cited passage names its letter
    listing = letter_html(searcher, None)
    docs = all_documents(searcher)
    assert "Klik op een brief" in listing and listing.count("<tr data-doc=") == len(docs)
    for doc in docs:  # each row opens its letter: the row and its subject link name it
        assert f'<tr data-doc="{doc.doc_id}">' in listing
        assert f'href="#letter={doc.doc_id}"' in listing
    assert "5236577" in listing and "5209583" in listing


def test_serialized_searcher_answers_concurrent_requests(searcher: Searcher) -> None:
    from concurrent.futures import ThreadPoolExecutor

    shared = Serialized(searcher)
    questions = [EN_QUESTION, NL_QUESTION] * 3
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda q: shared.search(q, k=3), questions))
    ids = [[h.passage.passage_id for h in r.hits] for r in results]
    assert ids[0::2] == [ids[0]] * 3 and ids[1::2] == [ids[1]] * 3
    assert shared.warm_up().join(timeout=60) is None


def test_a_question_the_letter_lacks_is_named_not_the_letter(searcher: Searcher) -> None:
    """Issue #17.10: "vraag 99 van 5236577" said no indexed letter matches, though the
    letter is there; it says the letter has no question 99, and how many it has."""
    markup, hits = lookup(searcher, "vraag 99 van 5236577")
    assert "kv-lookup-item" not in markup
    assert ("Niet gevonden: brief 5236577 is geïndexeerd, maar heeft geen vraag 99; de brief "
            "heeft 17 vragen (1–17).") in markup  # fmt: skip
    assert "geen geïndexeerde brief past" not in markup
    english, _ = lookup(searcher, "question 99 of 5236577")
    assert "letter 5236577 is indexed but has no question 99; it has 17 questions" in english
    chat = answer(searcher, "What was answered to question 99 of 5236577?", Conversation())
    assert "has no question 99" in chat.bot_html and "none of the indexed" not in chat.bot_html
    found, _ = lookup(searcher, "vraag 13 van 5236577")  # a question it has: listed as before
    assert "kv-lookup-item" in found and "Niet gevonden" not in found
    other, _ = lookup(searcher, "vraag 99 van 1234567")  # no such letter: the general line
    assert "geen geïndexeerde brief past" in other or "met deze filters" in other


def test_a_reversed_date_range_is_said_to_be_reversed(searcher: Searcher) -> None:
    """Issue #17.10: "from" after "to" said "no passage matches"."""
    turn = answer(searcher, EN_QUESTION, Conversation(), date_from="2024-12-01",
                  date_to="2024-01-01")  # fmt: skip
    assert not turn.hits and "The date range is reversed" in turn.bot_html
    assert "2024-12-01" in turn.bot_html and "no passage matches" not in turn.bot_html
    markup, hits = lookup(searcher, "Telegram", date_from="2024-12-01", date_to="2024-01-01")
    assert not hits and "Het datumbereik is omgedraaid" in markup
    same_day, _ = lookup(searcher, "Telegram", date_from="2024-03-18", date_to="2024-03-18")
    assert "kv-lookup-item" in same_day  # one day, from == to, is a range


def test_uploads_delete_only_the_servers_temporary_copies(tmp_path: Path) -> None:
    cache = tmp_path / "gradio"
    upload = cache / "3f2a" / "katten.txt"  # Gradio: one folder per upload in its cache
    stray = cache / "tmpfile"  # Gradio's own, not an upload
    mine = tmp_path / "elsewhere" / "fietsen.txt"  # a file of the user's: never touched
    for path in (upload, stray, mine):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    Uploads(None, cache).forget([upload, stray, mine])
    assert not upload.exists() and not upload.parent.exists()
    assert stray.exists() and mine.exists() and cache.is_dir()
    Uploads(None).forget([mine])  # no upload folder: nothing is deleted
    assert mine.exists()
