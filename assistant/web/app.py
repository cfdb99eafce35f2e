"""The web app (`assistant serve`): chat with citation cards, quick lookup, sources.

`build_app(searcher)` makes the Gradio Blocks; `start(...)` launches it on 127.0.0.1 by
default. The same search is the API endpoint `/search`, returning what
`assistant ask --json` prints. The page's style and script are `app.css` and `app.js`.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import Any

_TMP = Path(__file__).resolve().parents[2] / ".tmp" / "gradio"
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GRADIO_TEMP_DIR", str(_TMP))

import gradio as gr  # noqa: E402  (the environment above must be set first)

from ..cite import result_dict  # noqa: E402
from ..documents import Document, Passage  # noqa: E402
from ..ingest.text import typed_text  # noqa: E402
from ..search.rank import QuestionError  # noqa: E402
from . import sources  # noqa: E402
from .api import ArgumentError, check_k, check_question  # noqa: E402
from .chat import Conversation, Searcher, Serialized, answer, lookup  # noqa: E402
from .guard import server_options  # noqa: E402
from .match_tab import build_tab as match_tab  # noqa: E402
from .record import record_tab  # noqa: E402
from .upload import UPLOAD_MAX_AGE, Uploads  # noqa: E402

TITLE = "Kamervragen assistant"
HERE = Path(__file__).resolve().parent
CSS = "\n".join((HERE / name).read_text(encoding="utf-8")
                for name in ("app.css", "match.css", "record.css"))
JS = (HERE / "app.js").read_text(encoding="utf-8")
PAGE_HEAD = f'<style>{(HERE / "page.css").read_text(encoding="utf-8")}</style>'
MAX_SOURCE_CHARS = 300_000  # the original text shown under a letter, at most
MAX_MESSAGES = 40  # older chat messages are dropped (each request carries the history)
EXAMPLES = [
    "Can Telegram be banned in the Netherlands?",
    "Kan Telegram in Nederland verboden worden?",
    "Since when is doxing a criminal offence?",
    "Wie houdt toezicht op de Digital Services Act?",
]
HEADER = (f"<h1>{TITLE}</h1><p>Ask about Dutch ministers' answers to parliamentary questions "
          "· Vraag naar antwoorden op Kamervragen — every answer is cited.</p>")
ASK_PLACEHOLDER = "Can Telegram be banned in the Netherlands? · Kan Telegram …"
LOOKUP_PLACEHOLDER = "5236577 vraag 13 · Telegram verbod"
PLACEHOLDER = ("**Ask a question in English or Dutch** · *Stel een vraag in het Nederlands "
               "of Engels*\n\nEvery reply cites the letter, the question and the answer. "
               "Try an example below.")
# Shown once there is an answer to follow up on: in an empty chat they would lean on nothing.
FOLLOW_UP_EXAMPLES = ["And in Belgium?", "Wat zei de minister daarover?"]

SCROLL_TO_REPLY = """() => { setTimeout(() => {
  const msgs = document.querySelectorAll(
    '#kv-chat [data-testid="user"], #kv-chat [data-testid="bot"]');
  let i = msgs.length - 1;
  if (i > 0 && msgs[i - 1].dataset.testid === 'user') i -= 1;
  if (i >= 0) msgs[i].scrollIntoView({block: 'start', behavior: 'instant'}); }, 150); }"""
SCROLL_TO_CITED = """() => { setTimeout(() => {
  const el = document.getElementById('kv-cited');
  if (el) el.scrollIntoView({block: 'start'}); }, 300); }"""
SCROLL_TO_LETTER = """() => { setTimeout(() => {
  const el = document.getElementById('kv-doc-select');
  if (el && el.getBoundingClientRect().top < 0) el.scrollIntoView({block: 'start'}); }, 300); }"""
# The passage id an "open in letter" link put there (see app.js), as the event's input;
# the letter a row of the Sources list names, likewise.
OPEN_PASSAGE = "(value) => [window.kvOpenPassage || value || '']"
OPEN_LETTER = "(value) => [window.kvOpenLetter || value || '']"
# Gradio 6.31 announces "common.complete" (a translation key its English strings lack) in
# its screen-reader status region after every event that shows progress: say it in words.
# Events that only refresh lists in the background show no progress, so announce nothing.
ANNOUNCE = gr.I18n(en={"common.complete": "Done"}, nl={"common.complete": "Klaar"})
QUIET: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}

log = logging.getLogger(__name__)


# -- what the web app reads from the index: these functions only -------------------------
MAX_LISTED = 1000  # letters offered in the pickers and the list (newest first)


def all_documents(searcher: Searcher) -> list[Document]:
    """The newest indexed letters (for the filter, the letter picker and the list)."""
    return [row.document for row in searcher.store.documents(limit=MAX_LISTED)]


def passage_counts(searcher: Searcher) -> dict[str, int]:
    """Number of passages per doc_id, for the list of letters."""
    return {row.document.doc_id: row.passages
            for row in searcher.store.documents(limit=MAX_LISTED)}  # fmt: skip


def letter_of(searcher: Searcher, doc_id: str) -> tuple[Document, list[Passage]] | None:
    """A letter and its passages in order, or None when doc_id is not indexed."""
    row = searcher.store.document(doc_id)
    return (row.document, searcher.store.letter(doc_id)) if row else None


def doc_id_of(searcher: Searcher, passage_id: str) -> str | None:
    """The letter a passage belongs to, or None when the passage is not indexed."""
    found = searcher.store.passage_by_id(passage_id)
    return found[1].doc_id if found else None


def source_text(searcher: Searcher, doc: Document) -> str | None:
    """The letter's original text when it is a text file: kept with the index (added
    letters) or in the corpus folder it was indexed from."""
    original = searcher.store.original(doc.doc_id)
    if original:
        name, data = original
        if Path(name).suffix.lower() in {".txt", ".md"}:
            return data.decode("utf-8", errors="replace")[:MAX_SOURCE_CHARS]
        return None
    row = searcher.store.document(doc.doc_id)
    corpus = searcher.store.get_meta("corpus")
    if not corpus or not row or not row.path:
        return None
    path = Path(corpus) / row.path
    if path.suffix.lower() in {".txt", ".md"} and path.is_file():
        return path.read_text(encoding="utf-8", errors="replace")[:MAX_SOURCE_CHARS]
    return None
# ------------------------------------------------------------------------------------------


def theme() -> Any:
    """The default theme, darker where its greys and blues fall under 4.5:1 contrast."""
    # 6.31 ships a stub SemiBold font: use the regular and bold weights only.
    font: list[Any] = [gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif",
            "system-ui", "sans-serif"]  # fmt: skip
    return gr.themes.Default(font=font, primary_hue="blue").set(
        body_text_color_subdued="#4b5563", input_placeholder_color="#6b7280",
        block_label_text_color="#374151", block_title_text_color="#374151",
        button_primary_background_fill="#1d4ed8", button_primary_background_fill_hover="#1e40af",
        button_primary_text_color="#ffffff", link_text_color="#1d4ed8",
        link_text_color_visited="#6d28d9", link_text_color_hover="#1e3a8a")  # fmt: skip


def letters_html(searcher: Searcher) -> str:
    """The list of indexed letters as the index is now (each row opens its letter)."""
    searcher.store.refresh()
    return sources.document_list(all_documents(searcher), passage_counts(searcher))


def shown_letter(searcher: Searcher, doc_id: str | None,
                 cited: str | None = None) -> tuple[str, str] | None:  # fmt: skip
    """The doc_id and full letter of doc_id (or of the cited passage), the cited answer
    marked; None when there is no such letter."""
    # what the page's hidden box sent, or any caller: cleaned like a question
    doc_id = typed_text(doc_id) if isinstance(doc_id, str) and doc_id else None
    cited = typed_text(cited) if isinstance(cited, str) and cited else None
    if cited and not doc_id:
        doc_id = doc_id_of(searcher, cited)
    found = letter_of(searcher, doc_id) if doc_id else None
    if found is None:
        return None
    doc, passages = found
    return doc.doc_id, sources.letter(doc, passages, cited, source_text(searcher, doc))


def letter_html(searcher: Searcher, doc_id: str | None, cited: str | None = None) -> str:
    """The letter as `shown_letter` makes it, or the list of letters when there is none."""
    shown = shown_letter(searcher, doc_id, cited)
    return shown[1] if shown else letters_html(searcher)


def search_endpoint(searcher: Searcher) -> Any:
    """The `/search` API function: every mistake in the call comes back as a message."""

    def search(question: str, k: int = 5) -> dict[str, Any]:
        """Search the letters: the same object `assistant ask --json` prints."""
        try:
            result = searcher.search(check_question(question), k=check_k(k))
        except (ArgumentError, QuestionError) as exc:
            raise gr.Error(str(exc)) from exc
        except Exception as exc:  # never a silent {"error": null}: say it and log the rest
            log.exception("search failed for %r", question)
            raise gr.Error(f"the search failed on the server ({type(exc).__name__}); "
                           "the server log has the details") from exc  # fmt: skip
        return result_dict(result)

    return search


def build_app(searcher: Searcher, upload_max_age: int = UPLOAD_MAX_AGE) -> gr.Blocks:
    """The Gradio app over one searcher. An upload nobody adds is deleted after
    upload_max_age seconds, and every upload when the server stops (see upload.py)."""
    if not isinstance(searcher, Serialized):
        searcher = Serialized(searcher)
    docs = sources.document_choices(all_documents(searcher))
    uploads = Uploads(searcher.store, Path(os.environ["GRADIO_TEMP_DIR"]), upload_max_age)
    uploads.sweep()  # what a server that was killed left behind

    def pickers() -> tuple[Any, ...]:
        """The letter pickers as the index is now (their chosen values stay)."""
        searcher.store.refresh()
        choices = sources.document_choices(all_documents(searcher))
        return (gr.Dropdown(choices=choices, label=f"Letters · brieven ({len(choices)})"),
                gr.Dropdown(choices=choices))

    def refreshed() -> tuple[Any, ...]:
        """The pickers, and the list of letters in the Sources tab, as the index is now."""
        return (*pickers(), letters_html(searcher))

    def view(doc_id: str | None, cited: str | None = None) -> tuple[Any, ...]:
        """The Sources tab showing one letter (the cited answer marked), or, when there is
        no such letter, the list of letters: the picker, the letter, the list, "back"."""
        shown = shown_letter(searcher, doc_id, cited)
        if shown is None:
            return (gr.Dropdown(value=None), gr.HTML("", visible=False),
                    gr.HTML(letters_html(searcher), visible=True), gr.Button(visible=False))
        return (gr.Dropdown(value=shown[0]), gr.HTML(shown[1], visible=True),
                gr.HTML(visible=False), gr.Button(visible=True))  # fmt: skip

    def respond(message: str, history: list[dict[str, Any]], conversation: Conversation,
                doc_ids: list[str], date_from: str, date_to: str) -> tuple[Any, ...]:  # fmt: skip
        turn = answer(searcher, message, conversation or Conversation(), doc_ids,
                      date_from, date_to)  # fmt: skip
        history = list(history or [])[-MAX_MESSAGES:]
        if turn.user_html:
            history.append({"role": "user", "content": turn.user_html})
        history.append({"role": "assistant", "content": turn.bot_html})
        # a friendly message (empty question, bad date) leaves the follow-up examples be
        follow = gr.Button(visible=True) if turn.result is not None else gr.Button()
        return ("", history, turn.conversation) + (follow,) * len(FOLLOW_UP_EXAMPLES)

    def new_conversation() -> tuple[Any, ...]:
        return ("", [], Conversation()) + forget()

    def forget() -> tuple[Any, ...]:
        return (gr.Button(visible=False),) * len(FOLLOW_UP_EXAMPLES)

    def quick(text: str, doc_ids: list[str], date_from: str, date_to: str) -> str:
        return lookup(searcher, text, doc_ids, date_from, date_to)[0]

    def open_cited(passage_id: str | None) -> tuple[Any, ...]:
        return (gr.Tabs(selected="sources"), *view(None, passage_id or None))

    # Gradio deletes the uploads this server received: those older than the age, checked
    # every `often` seconds, and all of them when it stops.
    often = max(1, min(60, upload_max_age // 2))
    with gr.Blocks(title=TITLE, delete_cache=(often, upload_max_age)) as app:
        gr.HTML(HEADER, elem_id="kv-header")
        filters, doc_filter, date_from, date_to = _filters(docs)
        # on a phone the four tabs wrap onto two lines (not hidden behind a "…" menu)
        with gr.Tabs(elem_id="kv-tabs", overflow_behavior="wrap") as tabs:
            with gr.Tab("Chat", id="chat", elem_id="kv-tab-chat"):
                conversation = gr.State(Conversation())
                chatbot = gr.Chatbot(
                    elem_id="kv-chat", show_label=False, height=540, latex_delimiters=[],
                    buttons=[], autoscroll=False, layout="panel", group_consecutive_messages=False,
                    placeholder=PLACEHOLDER, feedback_options=None)
                question, send = _ask_row("kv-question", "Your question · uw vraag",
                                          ASK_PLACEHOLDER, "Ask · Vraag", "kv-send")
                with gr.Row(elem_id="kv-examples"):
                    examples = {gr.Button(q, size="sm", variant="secondary", min_width=120): q
                                for q in EXAMPLES}  # fmt: skip
                    follow_ups = {gr.Button(f"↳ {q}", size="sm", variant="secondary",
                                            min_width=120, visible=False): q
                                  for q in FOLLOW_UP_EXAMPLES}  # fmt: skip
                new_chat = gr.Button("New conversation · nieuw gesprek", size="sm",
                                     elem_id="kv-new")
            with gr.Tab("Lookup · zoeken", id="lookup", elem_id="kv-tab-lookup"):
                lookup_box, lookup_btn = _ask_row("kv-lookup-box", "Reference or keywords",
                                                  LOOKUP_PLACEHOLDER, "Search · zoek",
                                                  "kv-lookup-send")
                lookup_out = gr.HTML(elem_id="kv-lookup-results")
            with gr.Tab("Sources · bronnen", id="sources",
                        elem_id="kv-tab-sources") as sources_tab:  # fmt: skip
                with gr.Accordion("Add letters · brieven toevoegen", open=False,
                                  elem_id="kv-add-letters"):
                    upload = gr.File(label="Letters (.pdf, .docx, .txt)", file_count="multiple",
                                     file_types=[".pdf", ".docx", ".txt"], elem_id="kv-upload")
                    replace = gr.Checkbox(label="Replace a letter that is indexed already · "
                                          "vervang een brief die er al is", value=False,
                                          elem_id="kv-replace")  # fmt: skip
                    add_btn = gr.Button("Add to the index · toevoegen", variant="primary",
                                        elem_id="kv-add")
                    upload_report = gr.HTML(elem_id="kv-upload-report")
                doc_select = gr.Dropdown(docs, label=f"Letters · brieven ({len(docs)})",
                                         value=None, elem_id="kv-doc-select")
                back = gr.Button("← All letters · alle brieven", size="sm", visible=False,
                                 elem_id="kv-all-letters")
                letter = gr.HTML("", visible=False, elem_id="kv-letter")
                # refreshed when the page loads and when this tab opens (see below)
                letters = gr.HTML(letters_html(searcher), elem_id="kv-letters")
            match_tab(searcher, Path(os.environ["GRADIO_TEMP_DIR"]) / "reports")
            record_tab(searcher, date_from, date_to, Path(os.environ["GRADIO_TEMP_DIR"]))
        # "Open in letter" links in the cards press this (app.js): in the page, not shown
        open_id = gr.Textbox(visible="hidden", elem_id="kv-open-id", label="passage")
        open_btn = gr.Button("open", visible="hidden", elem_id="kv-open-btn")
        open_letter = gr.Button("open letter", visible="hidden", elem_id="kv-open-letter-btn")

        private: dict[str, Any] = {"api_visibility": "private"}
        chat_in = [question, chatbot, conversation, doc_filter, date_from, date_to]
        chat_out = [question, chatbot, conversation, *follow_ups]
        for trigger in (question.submit, send.click):
            trigger(respond, chat_in, chat_out, **private).then(None, js=SCROLL_TO_REPLY)
        for button, text in {**examples, **follow_ups}.items():
            button.click(lambda q=text: q, None, question, **private).then(
                respond, chat_in, chat_out, **private).then(None, js=SCROLL_TO_REPLY)
        new_chat.click(new_conversation, None, chat_out, **private)
        # the chat's own bin icon clears the messages; the thread must go with them
        chatbot.clear(lambda: (Conversation(), *forget()), None, [conversation, *follow_ups],
                      **private)  # fmt: skip
        for trigger in (lookup_box.submit, lookup_btn.click):
            trigger(quick, [lookup_box, doc_filter, date_from, date_to], lookup_out, **private)
        shown = [doc_select, letter, letters, back]
        open_btn.click(open_cited, open_id, [tabs, *shown], js=OPEN_PASSAGE,
                       **private).then(None, js=SCROLL_TO_CITED)  # fmt: skip
        open_letter.click(view, open_id, shown, js=OPEN_LETTER, **private).then(
            None, js=SCROLL_TO_LETTER)  # fmt: skip
        doc_select.input(view, doc_select, shown, **private)
        back.click(lambda: view(None), None, shown, **private)
        listing = [doc_select, doc_filter, letters]
        add_btn.click(lambda files, again: (uploads.add(files, again)[0], None, *refreshed()),
                      [upload, replace], [upload_report, upload, *listing],
                      show_progress_on=upload_report, **private)  # fmt: skip
        # Letters another process added or removed: the lists follow the index when the
        # page loads, when Sources opens and when the filters open (the letter shown stays:
        # "Open in letter" opens this tab too). Quietly: nothing changed that one asked for.
        app.load(refreshed, None, listing, **QUIET)
        sources_tab.select(refreshed, None, listing, **QUIET)
        filters.expand(lambda: pickers()[1], None, doc_filter, **QUIET)
        doc_filter.focus(lambda: pickers()[1], None, doc_filter, **QUIET)
        gr.api(search_endpoint(searcher), api_name="search")
    return app


def _filters(docs: list[tuple[str, str]]) -> tuple[Any, Any, Any, Any]:
    """The filter panel: documents and a date range, applied to chat and lookup."""
    with gr.Accordion("Filters: letters and dates · brieven en datums", open=False,
                      elem_id="kv-filters") as panel, gr.Row():
        doc_filter = gr.Dropdown(docs, multiselect=True, value=[], scale=3,
                                 label="Only these letters · alleen deze brieven (empty = all)",
                                 elem_id="kv-doc-filter")
        with gr.Column(scale=1, min_width=180):
            date_from = gr.Textbox(label="From date · vanaf", placeholder="2024-01-01",
                                   elem_id="kv-date-from")
            date_to = gr.Textbox(label="To date · tot en met", placeholder="2024-12-31",
                                 elem_id="kv-date-to")
    return panel, doc_filter, date_from, date_to


def _ask_row(box_id: str, box_label: str, placeholder: str, button: str,
             button_id: str) -> tuple[Any, Any]:
    with gr.Row(equal_height=True):
        box = gr.Textbox(label=box_label, show_label=False, elem_id=box_id, scale=5,
                         placeholder=placeholder, max_lines=4)
        send = gr.Button(button, variant="primary", scale=1, min_width=90, elem_id=button_id)
    return box, send


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def start(searcher: Searcher, host: str = "127.0.0.1", port: int = 7860,
          block: bool = False, upload_max_age: int = UPLOAD_MAX_AGE) -> tuple[gr.Blocks, str]:
    """Launch the app; returns it and its local URL. block=True serves until stopped.

    port=0 takes a free port. On 127.0.0.1 (the default) the server answers only requests
    addressed to this machine's names; see guard.py. upload_max_age: see build_app.
    """
    _TMP.mkdir(parents=True, exist_ok=True)
    port = port or free_port(host)
    app = build_app(searcher, upload_max_age)
    app.queue(default_concurrency_limit=2)
    # show_error: an API caller reads why a call failed (e.g. Gradio's own "didn't receive
    # enough input values") instead of {"error": null}; the message, never a traceback.
    _, url, _ = app.launch(server_name=host, server_port=port, prevent_thread_lock=True,
                           theme=theme(), css=CSS, js=JS, head=PAGE_HEAD, footer_links=["api"],
                           ssr_mode=False, quiet=True, show_error=True, i18n=ANNOUNCE,
                           **server_options(host, dict(app.config)))  # fmt: skip
    if block:
        print(f"serving on {url} (Ctrl+C stops)", flush=True)
        try:
            app.block_thread()
        finally:
            app.close()
    return app, url


def launch(searcher: Searcher, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve until interrupted (used by `assistant serve`)."""
    start(searcher, host=host, port=port, block=True)
