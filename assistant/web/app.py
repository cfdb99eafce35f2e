"""The web app (`assistant serve`): chat with citation cards, quick lookup, sources.

`build_app(searcher)` makes the Gradio Blocks; `start(...)` launches it on 127.0.0.1 by
default. The same search is the API endpoint `/search`, returning what
`assistant ask --json` prints.
"""

from __future__ import annotations

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
from ..search.rank import QuestionError  # noqa: E402
from . import render  # noqa: E402
from .chat import Conversation, Searcher, Serialized, answer, lookup  # noqa: E402

TITLE = "Kamervragen assistant"
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
FOLLOW_UP_EXAMPLES = ["And in Belgium?", "Wat zei de minister daarover?"]
EXAMPLE_BUTTONS = [(q, q) for q in EXAMPLES] + [(f"↳ {q}", q) for q in FOLLOW_UP_EXAMPLES]

CSS = """
.gradio-container { max-width: 1180px !important; margin: auto; }
#kv-header h1 { font-size: 1.5rem; margin: 0.2rem 0 0; }
#kv-header p { margin: 0.2rem 0 0.4rem; color: var(--body-text-color-subdued); }
.kv-reply { line-height: 1.45; }
.kv-intro, .kv-notfound { margin: 0 0 0.5rem; font-weight: 700; }
.kv-notfound { color: #9a3412; }
.kv-note { font-size: 0.9em; color: var(--body-text-color-subdued); margin-bottom: 0.4rem; }
.kv-friendly { margin: 0; padding: 0.4rem 0.7rem; border-left: 4px solid #d97706;
  background: #fffbeb; color: #78350f; border-radius: 4px; }
.kv-hint { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 0.4rem 0 0; }
.kv-card { border: 1px solid var(--border-color-primary); border-left: 4px solid #2563eb;
  border-radius: 8px; padding: 0.6rem 0.75rem; margin: 0 0 0.6rem;
  background: var(--background-fill-primary); }
.kv-related { border-left-color: #9ca3af; }
.kv-related-title { font-weight: 700; margin: 0.6rem 0 0.4rem; }
.kv-head { display: flex; gap: 0.5rem; align-items: baseline; }
.kv-rank { flex: none; background: #2563eb; color: #fff; border-radius: 999px;
  min-width: 1.4rem; text-align: center; font-size: 0.8rem; font-weight: 700; }
.kv-related .kv-rank { background: #9ca3af; }
.kv-title { font-weight: 700; }
.kv-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 0.15rem 0 0.4rem; }
.kv-q { font-style: italic; margin-bottom: 0.35rem; }
.kv-label { font-style: normal; font-weight: 700; font-size: 0.8em; text-transform: uppercase;
  letter-spacing: 0.03em; color: #1d4ed8; margin-right: 0.25rem; }
.kv-a strong { background: #fef9c3; color: inherit; font-weight: 700; }
.kv-see-also { border-left: 3px solid #cbd5e1; padding-left: 8px; color: #475569; }
.kv-cite { margin-top: 0.45rem; font-size: 0.85em; }
.kv-cite-line { user-select: all; white-space: normal; word-break: break-word;
  font-family: inherit !important; font-size: 0.95em; display: inline; }
.kv-user { white-space: pre-wrap; word-break: break-word; }
.kv-lookup { padding-left: 1.4rem; }
.kv-lookup-item { margin-bottom: 0.8rem; }
.kv-lookup-item .kv-cite-line { display: block; font-weight: 700; margin-bottom: 0.2rem; }
.kv-score { font-size: 0.8em; color: var(--body-text-color-subdued); }
.kv-letter h2 { font-size: 1.25rem; margin: 0 0 0.5rem; }
.kv-letter h3 { font-size: 1rem; margin: 0 0 0.3rem; }
.kv-dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 0.8rem;
  margin-bottom: 1rem; font-size: 0.9em; }
.kv-dl dt { font-weight: 700; }
.kv-dl dd { margin: 0; }
.kv-passage { padding: 0.5rem 0.7rem; margin-bottom: 0.6rem; border-radius: 6px;
  border: 1px solid var(--border-color-primary); scroll-margin-top: 80px; }
.kv-cited { background: #fefce8; border: 2px solid #ca8a04; }
.kv-badge { background: #ca8a04; color: #fff; border-radius: 4px; padding: 0 0.35rem;
  font-size: 0.75rem; margin-left: 0.4rem; }
.kv-page { font-weight: 400; font-size: 0.8rem; margin-left: 0.5rem;
  color: var(--body-text-color-subdued); }
.kv-docs { width: 100%; border-collapse: collapse; font-size: 0.9em; border: none !important; }
.kv-docs th, .kv-docs td { text-align: left; padding: 0.3rem 0.5rem; vertical-align: top;
  border: none !important; border-bottom: 1px solid var(--border-color-primary) !important; }
.kv-docs td:first-child { font-weight: 700; }
.kv-docs td:nth-child(2) { white-space: nowrap; }
.prose .kv-docs tr { border: none !important; }
.kv-raw pre { white-space: pre-wrap; font-size: 0.8em; }
#kv-examples button { font-size: 0.85rem; }
@media (max-width: 640px) { .gradio-container { padding: 0 6px !important; }
  .kv-card { padding: 0.45rem 0.5rem; }
  #kv-chat { height: 58vh !important; max-height: 58vh !important; }
  #kv-header p { font-size: 0.85rem; }
  #kv-tabs button[role="tab"] { padding-left: 0.5rem; padding-right: 0.5rem; }
  .kv-docs thead { display: none; }
  .kv-docs tr { display: block; padding: 0.4rem 0; border-bottom: 1px solid
    var(--border-color-primary); }
  .kv-docs td { display: inline; border: none !important; padding: 0 0.4rem 0 0 !important; }
  .kv-docs td:nth-child(3) { display: block; }
  .kv-docs td:nth-child(4)::after { content: " antwoorden"; } }
"""

SCROLL_TO_REPLY = """() => { setTimeout(() => {
  const msgs = document.querySelectorAll(
    '#kv-chat [data-testid="user"], #kv-chat [data-testid="bot"]');
  let i = msgs.length - 1;
  if (i > 0 && msgs[i - 1].dataset.testid === 'user') i -= 1;
  if (i >= 0) msgs[i].scrollIntoView({block: 'start', behavior: 'instant'}); }, 150); }"""
SCROLL_TO_CITED = """() => { setTimeout(() => {
  const el = document.getElementById('kv-cited');
  if (el) el.scrollIntoView({block: 'start'}); }, 300); }"""


def theme() -> Any:
    # 6.31 ships a stub SemiBold font: use the regular and bold weights only.
    font = [gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif",
            "system-ui", "sans-serif"]  # fmt: skip
    return gr.themes.Default(font=font, primary_hue="blue")


def _source_text(searcher: Searcher, doc_id: str) -> str | None:
    corpus = searcher.index.manifest.corpus
    if not corpus:
        return None
    path = Path(corpus) / searcher.index.document(doc_id).source
    if path.suffix.lower() in {".txt", ".md"} and path.is_file():
        return path.read_text(encoding="utf-8", errors="replace")[:MAX_SOURCE_CHARS]
    return None


def letter_html(searcher: Searcher, doc_id: str | None, cited: str | None = None) -> str:
    """The full letter of doc_id (or of the cited passage), the cited answer marked."""
    index = searcher.index
    if cited and not doc_id:
        try:
            doc_id = index.passage(cited).doc_id
        except KeyError:
            doc_id = None
    if not doc_id or doc_id not in index.entries:
        counts = {d: len(e.passages) for d, e in index.entries.items()}
        return render.document_list(index.documents, counts)
    entry = index.entries[doc_id]
    return render.letter(entry.document, entry.passages, cited, _source_text(searcher, doc_id))


def build_app(searcher: Searcher) -> gr.Blocks:
    """The Gradio app over one searcher."""
    if not isinstance(searcher, Serialized):
        searcher = Serialized(searcher)
    docs = render.document_choices(searcher.index.documents)

    def respond(message: str, history: list[dict[str, Any]], conversation: Conversation,
                doc_ids: list[str], date_from: str, date_to: str) -> tuple[Any, ...]:  # fmt: skip
        turn = answer(searcher, message, conversation or Conversation(), doc_ids,
                      date_from, date_to)  # fmt: skip
        history = list(history or [])[-MAX_MESSAGES:]
        if turn.user_html:
            history.append({"role": "user", "content": turn.user_html})
        history.append({"role": "assistant", "content": turn.bot_html})
        if turn.result is None:  # a friendly message only: keep the previous citations
            return "", history, turn.conversation, gr.Radio()
        cited = render.cited_choices(turn.hits)
        picker = gr.Radio(choices=cited, value=None, visible=bool(cited))
        return "", history, turn.conversation, picker

    def new_conversation() -> tuple[Any, ...]:
        return "", [], Conversation(), gr.Radio(choices=[], value=None, visible=False)

    def quick(text: str, doc_ids: list[str], date_from: str, date_to: str) -> tuple[Any, ...]:
        markup, hits = lookup(searcher, text, doc_ids, date_from, date_to)
        cited = render.cited_choices(hits)
        return markup, gr.Radio(choices=cited, value=None, visible=bool(cited))

    def open_cited(passage_id: str | None) -> tuple[Any, ...]:
        if not passage_id:
            return gr.Tabs(), gr.Dropdown(), letter_html(searcher, None)
        doc_id = searcher.index.passage(passage_id).doc_id
        return (gr.Tabs(selected="sources"), gr.Dropdown(value=doc_id),
                letter_html(searcher, doc_id, passage_id))  # fmt: skip

    def search_api(question: str, k: int = 5) -> dict[str, Any]:
        """Search the letters: the same object `assistant ask --json` prints."""
        try:
            result = searcher.search(question, k=max(1, min(int(k), 50)))
        except QuestionError as exc:
            raise gr.Error(str(exc)) from exc
        return result_dict(result)

    with gr.Blocks(title=TITLE) as app:
        gr.HTML(HEADER, elem_id="kv-header")
        doc_filter, date_from, date_to = _filters(docs)
        with gr.Tabs(elem_id="kv-tabs") as tabs:
            with gr.Tab("Chat", id="chat", elem_id="kv-tab-chat"):
                conversation = gr.State(Conversation())
                chatbot = gr.Chatbot(
                    elem_id="kv-chat", show_label=False, height=540, latex_delimiters=[],
                    buttons=[], autoscroll=False, layout="panel", group_consecutive_messages=False,
                    placeholder=PLACEHOLDER, feedback_options=None)
                question, send = _ask_row("kv-question", "Your question · uw vraag",
                                          ASK_PLACEHOLDER, "Ask · Vraag", "kv-send")
                with gr.Row(elem_id="kv-examples"):
                    examples = {gr.Button(label, size="sm", variant="secondary",
                                          min_width=120): text for label, text in EXAMPLE_BUTTONS}
                cited_picker = gr.Radio(choices=[], visible=False, elem_id="kv-open-cited",
                                        label="Open a cited letter · open een geciteerde brief")
                new_chat = gr.Button("New conversation · nieuw gesprek", size="sm",
                                     elem_id="kv-new")
            with gr.Tab("Lookup · zoeken", id="lookup", elem_id="kv-tab-lookup"):
                lookup_box, lookup_btn = _ask_row("kv-lookup-box", "Reference or keywords",
                                                  LOOKUP_PLACEHOLDER, "Search · zoek",
                                                  "kv-lookup-send")
                lookup_out = gr.HTML(elem_id="kv-lookup-results")
                lookup_picker = gr.Radio(choices=[], label="Open in letter · open in brief",
                                         visible=False, elem_id="kv-lookup-open")
            with gr.Tab("Sources · bronnen", id="sources", elem_id="kv-tab-sources"):
                doc_select = gr.Dropdown(docs, label=f"Letters · brieven ({len(docs)})",
                                         value=None, elem_id="kv-doc-select")
                letter = gr.HTML(letter_html(searcher, None), elem_id="kv-letter")

        private: dict[str, Any] = {"api_visibility": "private"}
        chat_in = [question, chatbot, conversation, doc_filter, date_from, date_to]
        chat_out = [question, chatbot, conversation, cited_picker]
        for trigger in (question.submit, send.click):
            trigger(respond, chat_in, chat_out, **private).then(None, js=SCROLL_TO_REPLY)
        for button, text in examples.items():
            button.click(lambda q=text: q, None, question, **private).then(
                respond, chat_in, chat_out, **private).then(None, js=SCROLL_TO_REPLY)
        new_chat.click(new_conversation, None, chat_out, **private)
        for trigger in (lookup_box.submit, lookup_btn.click):
            trigger(quick, [lookup_box, doc_filter, date_from, date_to],
                    [lookup_out, lookup_picker], **private)
        for picker in (cited_picker, lookup_picker):
            picker.input(open_cited, picker, [tabs, doc_select, letter], **private).then(
                None, js=SCROLL_TO_CITED)
        doc_select.input(lambda d: letter_html(searcher, d), doc_select, letter, **private)
        gr.api(search_api, api_name="search")
    return app


def _filters(docs: list[tuple[str, str]]) -> tuple[Any, Any, Any]:
    """The filter panel: documents and a date range, applied to chat and lookup."""
    with gr.Accordion("Filters: letters and dates · brieven en datums", open=False,
                      elem_id="kv-filters"), gr.Row():
        doc_filter = gr.Dropdown(docs, multiselect=True, value=[], scale=3,
                                 label="Only these letters · alleen deze brieven (empty = all)",
                                 elem_id="kv-doc-filter")
        with gr.Column(scale=1, min_width=180):
            date_from = gr.Textbox(label="From date · vanaf", placeholder="2024-01-01",
                                   elem_id="kv-date-from")
            date_to = gr.Textbox(label="To date · tot en met", placeholder="2024-12-31",
                                 elem_id="kv-date-to")
    return doc_filter, date_from, date_to


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
          block: bool = False) -> tuple[gr.Blocks, str]:  # fmt: skip
    """Launch the app; returns it and its local URL. block=True serves until stopped.

    port=0 takes a free port.
    """
    _TMP.mkdir(parents=True, exist_ok=True)
    port = port or free_port(host)
    app = build_app(searcher)
    app.queue(default_concurrency_limit=2)
    _, url, _ = app.launch(server_name=host, server_port=port, prevent_thread_lock=True,
                           theme=theme(), css=CSS, footer_links=["api"], ssr_mode=False,
                           quiet=True, show_error=False)  # fmt: skip
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
