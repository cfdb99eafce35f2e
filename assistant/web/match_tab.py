"""The "Asked before? · Eerder gevraagd?" tab: a question document (upload or pasted
text) matched against every answer in the index, shown as a per-question table whose
earlier answers open in their letters, with the report to download (.docx, .md, .csv).

The table is templates/match.html (Jinja2, autoescaped), its style match.css.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import gradio as gr

from ..cite import citation
from ..ingest.corpus import CorpusError
from ..ingest.references import document_url
from ..match import match, read_source
from ..match.engine import MatchReport
from ..match.report import LABELS, highlighted, shown_hits, summary_line, write_report
from ..search.rank import QuestionError
from .render import OPEN_PREFIX, esc
from .sources import TEMPLATES

log = logging.getLogger(__name__)

TAB = "Asked before? · Eerder gevraagd?"
INTRO = ("<p>Give a new set of parliamentary questions (upload the document or paste its "
         "text): every numbered question is looked up among the answers already given · "
         "Geef nieuwe Kamervragen (upload of plak de tekst): per vraag ziet u of die eerder "
         "is beantwoord, en waar.</p>")
PASTE_PLACEHOLDER = "Vraag 1\nBent u bekend met het bericht …?\n\nVraag 2\n…"
REPORT_NAME = "eerder-gevraagd"
KEEP_REPORTS = 3600  # seconds a report stays downloadable


def table_html(report: MatchReport) -> str:
    doc = report.read.document
    who = ", ".join(x for x in (doc.questioner and doc.questioner + (
        f" ({doc.party})" if doc.party else ""), doc.uw_kenmerk, doc.date) if x)
    rows = [{"number": m.question.number, "text": m.question.text, "verdict": m.verdict,
             "label": LABELS[m.verdict],
             "hits": [{"href": OPEN_PREFIX + quote(h.passage.passage_id, safe=""),
                       "citation": citation(h), "url": document_url(h.document),
                       "quote": highlighted(h)} for h in shown_hits(m)]}
            for m in report.questions]  # fmt: skip
    return TEMPLATES.get_template("match.html").render(
        doc=doc, who=who, summary=summary_line(report), rows=rows, left_out=report.left_out)


def message_html(text: str) -> str:
    return f'<p class="kv-match-error" role="alert">{esc(text)}</p>'


def write_reports(report: MatchReport, folder: Path) -> list[str]:
    """The report in every format, in a new folder under `folder` (old ones are removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("match-*"):
        try:
            if time.time() - old.stat().st_mtime > KEEP_REPORTS:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    here = Path(tempfile.mkdtemp(prefix="match-", dir=folder))
    paths = [here / f"{REPORT_NAME}{suffix}" for suffix in (".docx", ".md", ".csv")]
    for path in paths:
        write_report(report, path)
    return [str(p) for p in paths]


def check(searcher: Any, upload: Any, pasted: str, folder: Path) -> tuple[str, Any]:
    """The table (or one message saying what is wrong) and the reports to download."""
    path = Path(upload) if isinstance(upload, str) else \
        Path(upload.name) if upload is not None else None  # fmt: skip
    try:
        read = read_source(path) if path is not None else read_source(text=pasted or "")
        report = searcher.run(lambda s: match(s, read))
    except (QuestionError, CorpusError) as exc:
        return message_html(str(exc)), gr.File(value=None, visible=False)
    except Exception as exc:  # say it in the page; the log has the rest
        log.exception("matching failed")
        return (message_html(f"matching failed on the server ({type(exc).__name__}); the "
                             "server log has the details"),
                gr.File(value=None, visible=False))  # fmt: skip
    finally:
        if path is not None:
            _forget(path)
    return table_html(report), gr.File(value=write_reports(report, folder), visible=True)


def _forget(path: Path) -> None:
    """Delete the server's temporary copy of an upload (and its folder when empty)."""
    try:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    except OSError:
        pass


def build_tab(searcher: Any, folder: Path) -> None:
    """The tab, inside the app's gr.Tabs."""
    with gr.Tab(TAB, id="match", elem_id="kv-tab-match"):
        gr.HTML(INTRO, elem_id="kv-match-intro")
        with gr.Row(equal_height=False):  # side by side; stacked on a phone (min_width)
            upload = gr.File(label="Question document · vragen (.pdf, .docx, .txt)",
                             file_types=[".pdf", ".docx", ".txt"], file_count="single",
                             min_width=320, elem_id="kv-match-file")  # fmt: skip
            pasted = gr.Textbox(label="Or paste the questions · of plak de vragen", lines=6,
                                max_lines=20, placeholder=PASTE_PLACEHOLDER,
                                min_width=320, elem_id="kv-match-paste")  # fmt: skip
        go = gr.Button("Look up · zoek op", variant="primary", elem_id="kv-match-go")
        results = gr.HTML(elem_id="kv-match-results")
        reports = gr.File(label="Report · rapport (.docx, .md, .csv)", file_count="multiple",
                          interactive=False, visible=False, elem_id="kv-match-report")
        go.click(lambda u, p: check(searcher, u, p, folder), [upload, pasted],
                 [results, reports], api_visibility="private",
                 show_progress_on=results)  # fmt: skip
