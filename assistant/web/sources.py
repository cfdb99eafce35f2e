"""HTML of the Sources tab: the list of indexed letters and one letter in full.

Both come from Jinja2 templates (templates/letters.html, templates/letter.html) with
autoescaping on: every piece of document text is escaped; the markup is the templates'.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..documents import Document, Passage
from .labels import questions_heading, show_date
from .render import esc, official_link

MAX_LETTER_PASSAGES = 400

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)  # fmt: skip
# escaped text with line breaks kept as <br> (document fields may span lines)
TEMPLATES.filters["lines"] = lambda text: Markup(esc(text))


def document_choices(documents: list[Document]) -> list[tuple[str, str]]:
    """(label, doc_id) pairs: kenmerk, date and subject of every letter, newest first."""
    docs = sorted(documents, key=lambda d: (d.date or "", d.key), reverse=True)
    out = []
    for d in docs:
        title = d.title if len(d.title) <= 80 else d.title[:77] + "…"
        out.append((f"{d.key} · {d.date or '—'} · {title}", d.doc_id))
    return out


def document_list(documents: list[Document], passages: dict[str, int]) -> str:
    """All indexed letters, newest first, each row opening its letter."""
    docs = sorted(documents, key=lambda d: (d.date or "", d.key), reverse=True)
    return TEMPLATES.get_template("letters.html").render(documents=docs, passages=passages)


def letter(doc: Document, passages: list[Passage], cited: str | None = None,
           source_text: str | None = None) -> str:  # fmt: skip
    """The full letter: metadata, then every question and answer in order."""
    questioner = (f"{doc.questioner} ({doc.party})" if doc.questioner and doc.party
                  else doc.questioner)  # fmt: skip
    rows = [("Onderwerp", doc.title), ("Datum", show_date(doc.date, "nl")),
            ("Ons kenmerk", doc.ons_kenmerk), ("Uw kenmerk", doc.uw_kenmerk),
            ("Aanhangsel", doc.aanhangsel), ("Vragensteller", questioner),
            ("Beantwoord door", doc.minister), ("Bestand", doc.source)]  # fmt: skip
    return TEMPLATES.get_template("letter.html").render(
        doc=doc, rows=rows, link=Markup(official_link(doc, "nl")),
        passages=passages[:MAX_LETTER_PASSAGES], cited=cited, source_text=source_text,
        heading=questions_heading)  # fmt: skip
