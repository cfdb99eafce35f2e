"""HTML for the web app: citation cards, replies, the full letter, the document list.

Every piece of document or user text goes through `html.escape`; the markup we add is
fixed. Output never contains a blank line: inside the chat it is read as one HTML block,
so no Markdown is applied to document text.
"""

from __future__ import annotations

import html
import re
from typing import Any

from ..cite import citation, references
from ..documents import Document, Hit, Passage
from ..ingest.text import dutch_date
from ..search.rank import MAX_QUESTION_CHARS, Result

MAX_ANSWER_CHARS = 900  # longer answers show a window around the matched part
MAX_SHOWN_QUESTION = 400  # a very long user question is shown cut in the chat
MAX_LETTER_PASSAGES = 400

ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "found": "These passages answer your question, best first:",
        "found_one": "This passage answers your question:",
        "not_found": "Not found: none of the indexed letters answers this question.",
        "no_passages": "Not found: no passage matches this question with the current filters.",
        "related": "Possibly related",
        "question": "Question",
        "questions": "Questions",
        "answer": "Answer",
        "page": "p.",
        "kenmerk": "ref.",
        "uw_kenmerk": "your ref.",
        "cite": "Cite",
        "see_also": "Refers to the answer to",
        "undated": "undated",
        "understood": "Follow-up, searched as:",
        "empty": "Please type a question first, for example: "
                 "“Can Telegram be banned in the Netherlands?”",
        "long": f"Your question is very long; I searched its first {MAX_QUESTION_CHARS} "
                "characters. A short question gives better results.",
        "shortened": "…(shortened; open the letter for the full answer)",
        "bad_date": "Dates in the filter must look like 2024-03-18.",
        "open_hint": "Open a cited letter below, or browse all letters under Sources.",
        "lookup_empty": "Type a reference (e.g. 5236577 vraag 13) or some keywords.",
        "from": "from",
        "to": "to",
    },
    "nl": {
        "found": "Deze passages beantwoorden uw vraag, de beste eerst:",
        "found_one": "Deze passage beantwoordt uw vraag:",
        "not_found": "Niet gevonden: geen van de geïndexeerde brieven beantwoordt deze vraag.",
        "no_passages": "Niet gevonden: met deze filters past geen passage bij de vraag.",
        "related": "Mogelijk verwant",
        "question": "Vraag",
        "questions": "Vragen",
        "answer": "Antwoord",
        "page": "p.",
        "kenmerk": "kenmerk",
        "uw_kenmerk": "uw kenmerk",
        "cite": "Citeer",
        "see_also": "Verwijst naar het antwoord op",
        "undated": "ongedateerd",
        "understood": "Vervolgvraag, gezocht als:",
        "empty": "Typ eerst een vraag, bijvoorbeeld: "
                 "“Kan Telegram in Nederland verboden worden?”",
        "long": f"Uw vraag is erg lang; ik heb gezocht op de eerste {MAX_QUESTION_CHARS} "
                "tekens. Een korte vraag geeft betere resultaten.",
        "shortened": "…(ingekort; open de brief voor het hele antwoord)",
        "bad_date": "Datums in het filter schrijft u als 2024-03-18.",
        "open_hint": "Open hieronder een geciteerde brief, of blader door alle brieven "
                     "onder Bronnen.",
        "lookup_empty": "Typ een kenmerk (bijv. 5236577 vraag 13) of een paar trefwoorden.",
        "from": "van",
        "to": "tot",
    },
}


def label(lang: str, key: str) -> str:
    return LABELS.get(lang, LABELS["en"])[key]


def esc(text: Any) -> str:
    """Escaped text with line breaks as <br> (never a raw newline in our HTML)."""
    return html.escape(str(text or "")).replace("\r", "").replace("\n", "<br>")


def show_date(iso: str | None, lang: str) -> str:
    if not iso:
        return label(lang, "undated")
    if lang == "nl":
        return dutch_date(iso)
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{day} {ENGLISH_MONTHS[month - 1]} {year}"


def questions_heading(numbers: list[int], lang: str) -> str:
    """"Vraag 13" / "Question 13" / "Vragen 12 en 13" / "Questions 12 and 13"."""
    if not numbers:
        return label(lang, "question")
    if len(numbers) == 1:
        return f"{label(lang, 'question')} {numbers[0]}"
    joiner = " en " if lang == "nl" else " and "
    listed = ", ".join(str(n) for n in numbers[:-1]) + joiner + str(numbers[-1])
    return f"{label(lang, 'questions')} {listed}"


def marked(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None,
           tag: str = "strong") -> str:  # fmt: skip
    """Escaped text[start:end] with the highlight spans wrapped in <tag>."""
    end = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for s, e in sorted((max(s, start), min(e, end)) for s, e in spans):
        if e <= pos:
            continue
        s = max(s, pos)
        out.append(esc(text[pos:s]))
        out.append(f"<{tag}>{esc(text[s:e])}</{tag}>")
        pos = e
    out.append(esc(text[pos:end]))
    return "".join(out)


def answer_window(hit: Hit, limit: int = MAX_ANSWER_CHARS) -> tuple[int, int]:
    """The part of a long answer to show: around the first highlight or matched piece."""
    text = hit.passage.answer_text
    if len(text) <= limit:
        return 0, len(text)
    focus = hit.highlights[0][0] if hit.highlights else (hit.piece[0] if hit.piece else 0)
    start = max(0, min(focus - limit // 5, len(text) - limit))
    if start:
        boundary = text.rfind(". ", 0, start + 1)  # start at a sentence when one is near
        start = boundary + 2 if boundary >= 0 and start - boundary < 200 else start
    end = min(len(text), start + limit)
    space = text.rfind(" ", start, end)
    if end < len(text) and space > start:
        end = space
    return start, end


def refs(doc: Document, lang: str) -> list[str]:
    return references(doc, label(lang, "kenmerk"), label(lang, "uw_kenmerk"))


def card(hit: Hit, lang: str, related: bool = False) -> str:
    """One citation card: subject, date, kenmerk, the question as asked, the answer."""
    p, doc = hit.passage, hit.document
    meta = [show_date(doc.date, lang), *refs(doc, lang)]
    if p.page:
        meta.append(f"{label(lang, 'page')} {p.page}")
    # a passage that does not answer has no "words that matter": no bold there
    spans = [] if related else hit.highlights
    start, end = answer_window(hit)
    answer = marked(p.answer_text, spans, start, end)
    if start:
        answer = "…" + answer
    if end < len(p.answer_text):
        answer += " " + esc(label(lang, "shortened"))
    classes = "kv-card kv-related" if related else "kv-card"
    return (
        f'<div class="{classes}" data-passage="{esc(p.passage_id)}">'
        f'<div class="kv-head"><span class="kv-rank">{hit.rank}</span>'
        f'<span class="kv-title">{esc(doc.title)}</span></div>'
        f'<div class="kv-meta">{" · ".join(esc(m) for m in meta)}</div>'
        f'<div class="kv-q"><span class="kv-label">{esc(questions_heading(p.questions, lang))}'
        f"</span> {esc(p.question_text)}</div>"
        f'<div class="kv-a"><span class="kv-label">{label(lang, "answer")}</span> {answer}</div>'
        f"{see_also(hit, lang)}"
        f'<div class="kv-cite"><span class="kv-label">{label(lang, "cite")}</span> '
        f'<code class="kv-cite-line">{esc(citation(hit))}</code></div>'
        "</div>"
    )


def see_also(hit: Hit, lang: str) -> str:
    """The answers a referring answer points to ("Zie het antwoord op vraag 7"), in full."""
    return "".join(
        f'<div class="kv-a kv-see-also"><span class="kv-label">{label(lang, "see_also")} '
        f"{esc(questions_heading(ref.questions, lang).lower())}</span> {esc(ref.answer_text)}"
        "</div>"
        for ref in hit.see_also
    )


def notes_html(result: Result, lang: str) -> str:
    out = []
    for note in result.notes:
        text = label(lang, "long") if "shortened" in note else note
        out.append(f'<div class="kv-note">{esc(text)}</div>')
    return "".join(out)


def reply(result: Result, lang: str, searched_as: str | None = None) -> str:
    """The assistant's chat reply: cards, or "not found" and possibly related passages."""
    parts = ['<div class="kv-reply">']
    if searched_as:
        parts.append(f'<div class="kv-note kv-followup">{label(lang, "understood")} '
                     f"<em>{esc(searched_as)}</em></div>")  # fmt: skip
    parts.append(notes_html(result, lang))
    if not result.hits:
        parts.append(f'<p class="kv-notfound">{label(lang, "no_passages")}</p>')
    elif result.answerable:
        intro = label(lang, "found_one" if len(result.hits) == 1 else "found")
        parts.append(f'<p class="kv-intro">{intro}</p>')
        parts.extend(card(h, lang) for h in result.hits)
    else:
        parts.append(f'<p class="kv-notfound">{label(lang, "not_found")}</p>')
        parts.append(f'<div class="kv-related-block"><p class="kv-related-title">'
                     f'{label(lang, "related")}</p>')  # fmt: skip
        parts.extend(card(h, lang, related=True) for h in result.hits)
        parts.append("</div>")
    if result.hits:
        parts.append(f'<p class="kv-hint">{label(lang, "open_hint")}</p>')
    parts.append("</div>")
    return "".join(parts)


def message(text: str, lang: str, kind: str = "friendly") -> str:
    """A short friendly message (empty question, bad filter) as a chat reply."""
    return f'<div class="kv-reply"><p class="kv-{kind}">{esc(text)}</p></div>'


def user_text(question: str) -> str:
    """The user's question as shown in the chat: literal text, cut when very long."""
    shown = question if len(question) <= MAX_SHOWN_QUESTION else (
        question[:MAX_SHOWN_QUESTION] + f"… (+{len(question) - MAX_SHOWN_QUESTION})")  # fmt: skip
    return f'<div class="kv-user">{esc(shown)}</div>'


def lookup_list(result: Result, lang: str) -> str:
    """Quick lookup: the ranked list, compact, with the citation line first."""
    if not result.hits:
        return f'<p class="kv-notfound">{label(lang, "no_passages")}</p>'
    parts = ['<ol class="kv-lookup">', notes_html(result, lang)]
    for hit in result.hits:
        p = hit.passage
        start, end = answer_window(hit, 360)
        answer = marked(p.answer_text, hit.highlights, start, end)
        more = "…" if end < len(p.answer_text) else ""
        parts.append(
            f'<li class="kv-lookup-item" data-passage="{esc(p.passage_id)}">'
            f'<code class="kv-cite-line">{esc(citation(hit))}</code>'
            f'<div class="kv-q"><span class="kv-label">'
            f"{esc(questions_heading(p.questions, lang))}</span> {esc(p.question_text)}</div>"
            f'<div class="kv-a">{"…" if start else ""}{answer}{more}</div>'
            f'<span class="kv-score">{hit.how} · {hit.score:.3f}</span></li>'
        )
    parts.append("</ol>")
    return "".join(parts)


def cited_choices(hits: list[Hit]) -> list[tuple[str, str]]:
    """(label, passage_id) pairs for the "open a cited letter" picker."""
    out = []
    for hit in hits:
        doc, p = hit.document, hit.passage
        page = f" · p. {p.page}" if p.page else ""
        out.append((f"[{hit.rank}] {doc.key} · {questions_heading(p.questions, 'nl').lower()}"
                    f"{page}", p.passage_id))  # fmt: skip
    return out


def document_choices(documents: list[Document]) -> list[tuple[str, str]]:
    """(label, doc_id) pairs: kenmerk, date and subject of every letter, newest first."""
    docs = sorted(documents, key=lambda d: (d.date or "", d.key), reverse=True)
    out = []
    for d in docs:
        title = d.title if len(d.title) <= 80 else d.title[:77] + "…"
        out.append((f"{d.key} · {d.date or '—'} · {title}", d.doc_id))
    return out


def document_list(documents: list[Document], passages: dict[str, int]) -> str:
    """All indexed letters, newest first: what the Sources tab shows before one is opened."""
    docs = sorted(documents, key=lambda d: (d.date or "", d.key), reverse=True)
    rows = "".join(
        f"<tr><td>{esc(d.key)}</td><td>{esc(d.date or '—')}</td><td>{esc(d.title)}</td>"
        f"<td>{passages.get(d.doc_id, 0)}</td></tr>" for d in docs)
    return ('<p class="kv-note">Choose a letter above to read it in full · '
            "Kies hierboven een brief om hem helemaal te lezen.</p>"
            '<table class="kv-docs"><thead><tr><th>Kenmerk</th><th>Datum</th>'
            f"<th>Onderwerp</th><th>Antwoorden</th></tr></thead><tbody>{rows}</tbody></table>")


def letter(doc: Document, passages: list[Passage], cited: str | None = None,
           source_text: str | None = None) -> str:  # fmt: skip
    """The full letter: metadata, then every question and answer in order.

    The cited passage is marked and carries id "kv-cited" so the page can scroll to it.
    """
    rows = [("Onderwerp", doc.title), ("Datum", show_date(doc.date, "nl")),
            ("Ons kenmerk", doc.ons_kenmerk), ("Uw kenmerk", doc.uw_kenmerk),
            ("Aanhangsel", doc.aanhangsel),
            ("Vragensteller", f"{doc.questioner} ({doc.party})" if doc.questioner and doc.party
             else doc.questioner),
            ("Beantwoord door", doc.minister), ("Bestand", doc.source)]  # fmt: skip
    parts = ['<article class="kv-letter">', f"<h2>{esc(doc.title)}</h2>", '<dl class="kv-dl">']
    for name, value in rows:
        if value:
            parts.append(f"<dt>{name}</dt><dd>{esc(value)}</dd>")
    parts.append("</dl>")
    for p in passages[:MAX_LETTER_PASSAGES]:
        is_cited = p.passage_id == cited
        attrs = ' id="kv-cited" class="kv-passage kv-cited"' if is_cited else ' class="kv-passage"'
        badge = '<span class="kv-badge">geciteerd · cited</span>' if is_cited else ""
        page = f'<span class="kv-page">p. {p.page}</span>' if p.page else ""
        parts.append(
            f'<section{attrs} data-passage="{esc(p.passage_id)}">'
            f"<h3>{esc(questions_heading(p.questions, 'nl'))} {badge}{page}</h3>"
            f'<div class="kv-q">{esc(p.question_text)}</div>'
            f'<div class="kv-a"><span class="kv-label">Antwoord</span> {esc(p.answer_text)}</div>'
            "</section>"
        )
    if source_text:
        parts.append(f'<details class="kv-raw"><summary>Originele tekst · original text'
                     f"</summary><pre>{html.escape(source_text)}</pre></details>")  # fmt: skip
    parts.append("</article>")
    return "".join(parts)


def no_blank_lines(markup: str) -> bool:
    """True when markup has no blank line (so Markdown leaves it alone)."""
    return re.search(r"\n\s*\n", markup) is None
