"""The "All answers" tab: every letter that answers a question, as a list, facet counts
that filter, a chart of answers per year and downloads (CSV, JSON, Markdown, RIS).

The chart is Gradio's own gr.BarPlot: native to the app (no extra JavaScript library
to load, vet and keep in step with Gradio), stacked by a colour column, keyboard- and
theme-aware, and fed a small DataFrame of counts the database already made. The list is
HTML from the Jinja2 template `templates/record.html` (autoescaped); its style is
`record.css`.

A bar is chosen through the Year filter (its options carry the counts the bars show),
not by dragging across the chart: Gradio's plot selection draws Vega "brush" marks that
have no text alternative (axe: svg-img-alt, serious), and a brush is no keyboard control.
"""

from __future__ import annotations

import tempfile
import textwrap
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from .. import export
from ..cite import citation
from ..search.rank import QuestionError
from ..search.record import Record, ministry_label
from .chat import ReversedRangeError, parse_filters
from .render import official_url
from .sources import TEMPLATES

MAX_ANSWER_CHARS = 900  # an answer in the list is cut at a word, "[…]" marking the cut
TEMPLATES.filters["citation"] = citation
TEMPLATES.filters["shorten"] = lambda text: textwrap.shorten(
    " ".join(str(text).split()), MAX_ANSWER_CHARS, placeholder=" […]")
STACKS = {"Party · partij": "party", "Ministry · ministerie": "ministry"}
SORTS = {"Newest first · nieuwste eerst": "date", "Most relevant · meest relevant": "relevance"}
FACETS = {"year": "Year · jaar", "ministry": "Ministry · ministerie",
          "party": "Party · partij", "questioner": "Questioner · vragensteller",
          "minister": "Minister · bewindspersoon"}  # fmt: skip
OTHER = "other · overig"
MAX_STACKED = 8  # parties or ministries with their own colour; the rest are "other"
PLACEHOLDER = "Telegram verbod · Can Telegram be banned?"
BAD_DATES = "the dates in Filters must be YYYY-MM-DD, the first not after the second"
KINDS = {"csv": "CSV", "json": "JSON", "md": "Markdown", "ris": "RIS (Zotero, EndNote)"}


def chart_frame(record: Record, by: str) -> pd.DataFrame:
    """Letters per year stacked by party or ministry (the MAX_STACKED largest, the rest
    "other"); every listed letter and its repeats count once per year."""
    docs = [x.document for x in record.letters] + [d for x in record.letters
                                                   for d in x.repeated_in]  # fmt: skip
    top = [k for k, _ in sorted(record.facets.get(by, {}).items(),
                                key=lambda kv: (-kv[1], kv[0]))[:MAX_STACKED]]  # fmt: skip
    rows: Counter[tuple[str, str]] = Counter()
    for d in docs:
        if not d.date:
            continue
        value = getattr(d, by) or ""
        first = value.split("; " if by == "ministry" else ", ")[0].strip()
        if by == "ministry":
            from ..store.sql import canonical_ministry

            first = canonical_ministry(first) if first else first
        group = first if first in top else OTHER
        if by == "ministry" and group != OTHER:
            group = ministry_label(group, record.names)
        rows[(d.date[:4], group)] += 1
    data = [{"year": y, "letters": n, "group": g} for (y, g), n in sorted(rows.items())]
    return pd.DataFrame(data, columns=["year", "letters", "group"])


def facet_choices(record: Record, facet: str) -> list[tuple[str, str]]:
    counts = record.facets.get(facet, {})
    items = sorted(counts.items(), reverse=True) if facet == "year" else \
        sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))  # fmt: skip
    label = (lambda k: ministry_label(k, record.names)) if facet == "ministry" else str
    return [(f"{label(k)} ({n})", k) for k, n in items]


def list_html(record: Record | None, error: str | None = None) -> str:
    letters = []
    for x in record.letters if record else []:
        best = x.hits[0]
        letters.append({
            "doc": x.document, "url": official_url(x.document), "best": best,
            "others": x.hits[1:], "repeats": [(d, official_url(d)) for d in x.repeated_in]})
    return TEMPLATES.get_template("record.html").render(
        record=record, letters=letters, error=error)  # fmt: skip


def write_exports(record: Record, folder: Path) -> list[str]:
    """The four exports of a record as files in a fresh folder; their paths in KINDS order."""
    where = folder / uuid.uuid4().hex
    where.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in KINDS:
        path = where / f"all-answers.{kind}"
        export.write(record, path)
        paths.append(str(path))
    return paths


def record_tab(searcher: Any, date_from: Any, date_to: Any, folder: Path | None = None) -> None:
    """The tab's components and events (inside gr.Blocks and gr.Tabs); the app's date
    filters apply here too."""
    folder = folder or Path(tempfile.gettempdir()) / "kv-exports"
    with gr.Tab("All answers · alle antwoorden", id="record", elem_id="kv-tab-record"):
        with gr.Row(equal_height=True):
            question = gr.Textbox(label="Question · vraag", show_label=False, scale=5,
                                  placeholder=PLACEHOLDER, elem_id="kv-all-question",
                                  max_lines=3)  # fmt: skip
            send = gr.Button("All answers · alle antwoorden", variant="primary", scale=1,
                             min_width=120, elem_id="kv-all-send")  # fmt: skip
        with gr.Row(elem_id="kv-all-options"):
            sort = gr.Radio(list(SORTS), value=next(iter(SORTS)), label="Order · volgorde",
                            elem_id="kv-all-sort")
            stack = gr.Radio(list(STACKS), value=next(iter(STACKS)),
                             label="Chart stacked by · grafiek per", elem_id="kv-all-stack")
        with gr.Row(elem_id="kv-all-facets"):
            facets = {name: gr.Dropdown([], multiselect=True, value=[], label=title,
                                        elem_id=f"kv-facet-{name}", min_width=160)
                      for name, title in FACETS.items()}  # fmt: skip
        chart = gr.BarPlot(None, x="year", y="letters", color="group", x_title="Year · jaar",
                           y_title="Letters · brieven", color_title="Party or ministry",
                           label="Answers per year · antwoorden per jaar", height=300,
                           elem_id="kv-all-chart", sort="x")  # fmt: skip
        with gr.Row(elem_id="kv-all-downloads"):
            downloads = [gr.DownloadButton(f"Download {title}", visible=False, size="sm",
                                           elem_id=f"kv-download-{kind}")
                         for kind, title in KINDS.items()]  # fmt: skip
        listing = gr.HTML(list_html(None), elem_id="kv-all-list")
        state = gr.State(None)

    def run(text: str, order: str, by: str, date_from: str, date_to: str,
            *chosen: list[str]) -> tuple[Any, ...]:  # fmt: skip
        wanted = {name: list(values or []) for name, values in zip(FACETS, chosen)}
        try:
            filters = parse_filters(None, date_from, date_to)
            record = searcher.all_answers(text, filters, wanted, SORTS.get(order, "date"))
        except (QuestionError, ValueError, ReversedRangeError) as exc:
            message = str(exc) if isinstance(exc, QuestionError) else BAD_DATES
            return (list_html(None, message), gr.BarPlot(value=None), None,
                    *(gr.Dropdown() for _ in FACETS),
                    *(gr.DownloadButton(visible=False) for _ in KINDS))  # fmt: skip
        paths = write_exports(record, folder) if record.letters else [None] * len(KINDS)
        drops = [gr.Dropdown(choices=facet_choices(record, name) or
                             [(v, v) for v in values or []], value=values or [])
                 for name, values in zip(FACETS, chosen)]  # fmt: skip
        return (list_html(record), chart_frame(record, STACKS.get(by, "party")), record,
                *drops, *(gr.DownloadButton(value=p, visible=bool(p)) for p in paths))

    def restack(record: Record | None, by: str) -> Any:
        return chart_frame(record, STACKS.get(by, "party")) if record else gr.BarPlot()

    inputs = [question, sort, stack, date_from, date_to, *facets.values()]
    outputs = [listing, chart, state, *facets.values(), *downloads]
    private: dict[str, Any] = {"api_visibility": "private"}
    for trigger in (question.submit, send.click, sort.input,
                    *(f.input for f in facets.values())):  # fmt: skip
        trigger(run, inputs, outputs, **private)
    stack.input(restack, [state, stack], chart, **private)
