"""HTML of the Sources tab: the list of indexed letters and one letter in full.

Every piece of document text goes through `html.escape`; the markup we add is fixed.
"""

from __future__ import annotations

import html

from ..documents import Document, Passage
from .labels import questions_heading, show_date
from .render import esc, official_link

MAX_LETTER_PASSAGES = 400


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
            '<table class="kv-docs"><thead><tr><th scope="col">Kenmerk</th>'
            '<th scope="col">Datum</th><th scope="col">Onderwerp</th>'
            f'<th scope="col">Antwoorden</th></tr></thead><tbody>{rows}</tbody></table>')


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
    link = official_link(doc, "nl")
    if link:
        parts.append(f"<dt>Publicatie</dt><dd>{link}</dd>")
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
