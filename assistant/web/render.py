"""HTML for the web app's answers: citation cards, chat replies, the lookup list.

Every piece of document or user text goes through `html.escape`; the markup we add is
fixed. Output never contains a blank line: inside the chat it is read as one HTML block,
so no Markdown is applied to document text. The chat sanitizes messages and drops `data-*`
and `aria-*` attributes, so what the page's script needs (which passage a link opens, which
line a button copies) is carried by `href` and by the card's own elements.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

from ..cite import citation, references
from ..documents import Document, Hit
from ..ingest.references import document_url
from ..search.rank import Result
from .excerpt import window
from .labels import LABELS, label, questions_heading, show_date

__all__ = ["LABELS", "label", "card", "reply", "lookup_list", "message", "user_text",
           "official_url", "official_link", "esc", "no_blank_lines"]

MAX_ANSWER_CHARS = 900  # longer answers show whole sentences around the highlighted ones
MAX_LOOKUP_CHARS = 480  # the lookup list is denser
MAX_SHOWN_QUESTION = 400  # a very long user question is shown cut in the chat
OPEN_PREFIX = "#open="  # href of an "open in letter" link: OPEN_PREFIX + quoted passage id


def esc(text: Any) -> str:
    """Escaped text with line breaks as <br> (never a raw newline in our HTML)."""
    return html.escape(str(text or "")).replace("\r", "").replace("\n", "<br>")


def official_url(doc: Document) -> str | None:
    """The letter's page on officielebekendmakingen.nl, when it has a full Aanhangsel id."""
    return document_url(doc)


def official_link(doc: Document, lang: str) -> str:
    """A link to the official publication (new tab), or "" when there is none."""
    url = official_url(doc)
    if not url:
        return ""
    return (f'<a class="kv-official" href="{esc(url)}" target="_blank" rel="noopener">'
            f'{label(lang, "official")} ↗<span class="kv-sr"> {label(lang, "new_tab")}</span></a>')


def actions(hit: Hit, lang: str) -> str:
    """Copy the citation, open the answer in its letter, the official publication."""
    href = OPEN_PREFIX + quote(hit.passage.passage_id, safe="")
    return ('<div class="kv-actions">'
            f'<button type="button" class="kv-copy"><span class="kv-copy-idle">'
            f'{label(lang, "copy")}</span><span class="kv-copy-done">{label(lang, "copied")} ✓'
            "</span></button>"
            f'<a class="kv-open" href="{esc(href)}">{label(lang, "open")}</a>'
            f"{official_link(hit.document, lang)}</div>")  # fmt: skip


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
    """The part of a long answer to show: whole sentences holding the highlighted ones.

    An exact reference ("5236577 vraag 13") asked for the whole answer: it starts at the
    beginning. Otherwise the window starts near the first highlight or the matched piece.
    """
    focus = 0 if hit.how == "lookup" else None
    if focus is None and not hit.highlights and hit.piece:
        focus = hit.piece[0]
    return window(hit.passage.answer_text, hit.highlights, limit, focus)


def excerpt(hit: Hit, lang: str, spans: list[tuple[int, int]], limit: int) -> str:
    """The answer as shown: a window of whole sentences, highlights in bold."""
    text = hit.passage.answer_text
    start, end = answer_window(hit, limit)
    out = ("…" if start else "") + marked(text, spans, start, end)
    if end < len(text):
        out += " " + esc(label(lang, "shortened"))
    return out


def refs(doc: Document, lang: str) -> list[str]:
    return references(doc, label(lang, "kenmerk"), label(lang, "uw_kenmerk"))


def exact_badge(hit: Hit, lang: str) -> str:
    return f'<span class="kv-exact">{label(lang, "exact")}</span>' if hit.how == "lookup" else ""


def card(hit: Hit, lang: str, related: bool = False) -> str:
    """One citation card: subject, date, kenmerk, the question as asked, the answer."""
    p, doc = hit.passage, hit.document
    meta = [show_date(doc.date, lang), *refs(doc, lang)]
    if p.page:
        meta.append(f"{label(lang, 'page')} {p.page}")
    # a passage that does not answer has no "words that matter": no bold there
    answer = excerpt(hit, lang, [] if related else hit.highlights, MAX_ANSWER_CHARS)
    classes = "kv-card kv-related" if related else "kv-card"
    return (
        f'<div class="{classes}" data-passage="{esc(p.passage_id)}">'
        f'<div class="kv-head"><span class="kv-rank">{hit.rank}</span>'
        f'<span class="kv-title">{esc(doc.title)}</span></div>'
        f'<div class="kv-meta">{" · ".join(esc(m) for m in meta)}{exact_badge(hit, lang)}</div>'
        f'<div class="kv-q"><span class="kv-label">{esc(questions_heading(p.questions, lang))}'
        f"</span> {esc(p.question_text)}</div>"
        f'<div class="kv-a"><span class="kv-label">{label(lang, "answer")}</span> {answer}</div>'
        f"{see_also(hit, lang)}"
        f'<div class="kv-cite"><span class="kv-label">{label(lang, "cite")}</span> '
        f'<code class="kv-cite-line">{esc(citation(hit))}</code></div>'
        f"{actions(hit, lang)}</div>"
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


def reply(result: Result, lang: str, searched_as: str | None = None,
          missing: str | None = None) -> str:  # fmt: skip
    """The assistant's chat reply: cards, or "not found" and possibly related passages.

    missing: what a reference names that the index lacks ("letter 5236577 … has no
    question 99"), said instead of the general "not found"."""
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
        key = "not_found_filters" if result.outside else "not_found"
        said = esc(missing) if missing else label(lang, key)
        parts.append(f'<p class="kv-notfound">{said}</p>')
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


def lookup_list(result: Result, lang: str, missing: str | None = None) -> str:
    """Quick lookup: the ranked list, compact, with the citation line first.

    A lookup that matches nothing (no hits, or hits the ranker judged not to answer)
    says "not found" instead of listing the nearest passages as if they were results;
    `missing` says what an indexed letter lacks ("… has no question 99").
    """
    if not result.hits or not result.answerable:
        key = "lookup_not_found" if result.hits else "no_passages"
        said = esc(missing) if missing else label(lang, key)
        return (f'<div class="kv-lookup-none">{notes_html(result, lang)}'
                f'<p class="kv-notfound">{said}</p>'
                f'<p class="kv-hint">{label(lang, "lookup_not_found_hint")}</p></div>')
    parts = [notes_html(result, lang), '<ol class="kv-lookup">']
    for hit in result.hits:
        p = hit.passage
        parts.append(
            f'<li class="kv-lookup-item" data-passage="{esc(p.passage_id)}">'
            f'<code class="kv-cite-line">{esc(citation(hit))}</code>{exact_badge(hit, lang)}'
            f'<div class="kv-q"><span class="kv-label">'
            f"{esc(questions_heading(p.questions, lang))}</span> {esc(p.question_text)}</div>"
            f'<div class="kv-a">{excerpt(hit, lang, hit.highlights, MAX_LOOKUP_CHARS)}</div>'
            f"{actions(hit, lang)}</li>"
        )
    parts.append("</ol>")
    return "".join(parts)


def no_blank_lines(markup: str) -> bool:
    """True when markup has no blank line (so Markdown leaves it alone)."""
    return re.search(r"\n\s*\n", markup) is None
