"""The `assistant` command line: index, ask, parse, eval, add, remove, list, serve, import.

Every expected failure (missing corpus, damaged index, empty question, …) prints one
line starting with "error:" and exits with status 2; no traceback. Text from letters is
stripped of control characters before it reaches the terminal.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .ingest.corpus import CorpusError
from .ingest.text import printable
from .store.embed import DEFAULT_MODEL, ModelError

DEFAULT_CORPUS = Path(os.environ.get("ASSISTANT_CORPUS", "corpus"))
DEFAULT_STORE = os.environ.get("ASSISTANT_STORE") or os.environ.get("ASSISTANT_INDEX") \
    or "embeddings"  # fmt: skip


def _fail(message: str) -> None:
    click.echo(f"error: {printable(message)}", err=True)
    sys.exit(2)


def echo(text: str = "", err: bool = False) -> None:
    """Print text from letters or users: no escape sequences reach the terminal."""
    click.echo(printable(text), err=err)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the assistant's own errors into one clear line and exit status 2."""
    from .evaluate import EvalError
    from .ingest.parse import ParseError
    from .search import QuestionError
    from .store.base import StoreError

    expected = (CorpusError, StoreError, ModelError, ParseError, QuestionError, EvalError)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except expected as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted; the index keeps every change that was complete")
        except MemoryError:
            _fail("out of memory; nothing more was changed in the index")

    return wrapper


def _progress(unit: str = "passage",
              desc: str = "embedding") -> tuple[Callable[[int, int], None] | None,
                                                Callable[[], None]]:  # fmt: skip
    """A tqdm bar on a terminal; nothing when output is piped."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=0, unit=unit, desc=desc, file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar.close


def _report_lines(report: Any) -> None:
    for line in report.skipped:
        echo(f"skipped: {line}", err=True)
    for line in report.not_answers:
        echo(f"not indexed as answers: {line}", err=True)
    for line in report.kept:
        echo(f"kept: {line}", err=True)
    for line in report.warnings:
        echo(f"warning: {line}", err=True)


def open_for_reading(location: str, model: str | None = None) -> Any:
    """The store at location. Only the default index is built on first use (from ./corpus,
    saying so); any other missing index is an error, never silently created."""
    from .store import open_store
    from .store.base import StoreError
    from .store.build import check_model, sync

    try:
        store = open_store(location)
    except StoreError:
        folder = Path(location)
        if location != DEFAULT_STORE or folder.exists() or not DEFAULT_CORPUS.is_dir():
            raise
        echo(f"building the index in {location} from {DEFAULT_CORPUS}/ (first use)…", err=True)
        update, close = _progress()
        try:
            store, report = sync(DEFAULT_CORPUS, location, model or DEFAULT_MODEL,
                                 progress=update)  # fmt: skip
        finally:
            close()
        _report_lines(report)
    check_model(store, model)
    return store


def make_searcher(store: Any) -> Any:
    from .search import Searcher
    from .store.embed import Embedder

    return Searcher(store, Embedder(store.config.model))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Find what Dutch ministers answered to parliamentary questions, with exact citations."""


store_option = click.option(
    "--store", "--index", "location", default=DEFAULT_STORE, show_default=True,
    help="The index: a folder (embedded) or a postgresql:// URL (shared). "
         "Also ASSISTANT_STORE.")  # fmt: skip


@main.command("index")
@click.option("--corpus", type=click.Path(path_type=Path), default=DEFAULT_CORPUS,
              show_default=True, help="Folder with the letters (.txt, .pdf, .docx).")
@store_option
@click.option("--model", default=DEFAULT_MODEL, show_default=True,
              help="Embedding model: the default, or a sentence-transformers name or path.")
@click.option("--force", is_flag=True, help="Embed every corpus letter again.")
@click.option("--device", default=None,
              help="sentence-transformers models: cpu, cuda, cuda:1, mps (default: CUDA when "
                   "available).")  # fmt: skip
@click.option("--batch-size", default=16, show_default=True, type=click.IntRange(1, 4096),
              help="Texts embedded per batch (larger on a GPU).")
@handle_errors
def index_cmd(corpus: Path, location: str, model: str, force: bool, device: str | None,
              batch_size: int) -> None:  # fmt: skip
    """Parse the corpus folder and bring the index in step with it (only what changed)."""
    from .store.build import sync
    from .store.embed import Embedder

    update, close = _progress()
    try:
        embedder = Embedder(model, batch_size=batch_size, device=device) \
            if device or batch_size != 16 else None  # fmt: skip
        store, report = sync(corpus, location, model, embedder=embedder, force=force,
                             progress=update)  # fmt: skip
    finally:
        close()
    _report_lines(report)
    if report.reused:
        state = "unchanged"
    else:
        state = f"embedded {report.embedded_documents} letters, removed {report.removed}"
    echo(f"indexed {report.documents} documents, {report.passages} passages in "
         f"{report.seconds:.1f} s ({state}; model {store.config.model}) → {location}")
    store.close()


@main.command()
@click.argument("question", nargs=-1)
@store_option
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 50),
              help="Number of passages.")
@click.option("--after", "previous", multiple=True,
              help="An earlier question of the conversation (repeat, oldest first): QUESTION "
                   "is read as a follow-up to them, exactly as the chat does.")  # fmt: skip
@click.option("--model", default=None, help="Check the index was built with this model.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@handle_errors
def ask(question: tuple[str, ...], location: str, k: int, previous: tuple[str, ...],
        model: str | None, as_json: bool) -> None:  # fmt: skip
    """Answer QUESTION with cited passages, best first.

    Passages that an exact reference names (a kenmerk and question number, an article)
    come first; the others follow by relevance score.
    """
    from .cite import result_dict, result_text
    from .search import clean_question
    from .search.followup import search_turn

    # bytes that are not UTF-8 arrive as surrogates: shown as "�", never a crash
    joined = " ".join(question).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text, _ = clean_question(joined)  # fail fast, before loading anything
    store = open_for_reading(location, model)
    searched, result = search_turn(make_searcher(store), text, list(previous), k=k)
    if as_json:
        data = result_dict(result)
        data["question"], data["searched_as"] = text, searched.text
        click.echo(json.dumps(data, ensure_ascii=False, allow_nan=False))
    else:
        if searched.merged:
            echo(f"(follow-up, searched as: {searched.text})")
        click.echo(result_text(result, bold=sys.stdout.isatty()))  # cleaned by result_text
    store.close()


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@handle_errors
def parse(file: Path, as_json: bool) -> None:
    """Show what the parser makes of one letter."""
    from .cite import document_dict
    from .ingest.parse import parse_file

    if not file.is_file():
        raise CorpusError(f"{file}: no such file")
    letter = parse_file(file)
    doc = letter.document
    if as_json:
        payload = {
            "document": dict(document_dict(doc), kind=doc.kind, aanhangsel=doc.aanhangsel,
                             party=doc.party, ministry=doc.ministry),
            "questions_numbered": letter.questions_numbered,
            "passages": [{"passage_id": p.passage_id, "questions": p.questions,
                          "question_text": p.question_text, "answer_text": p.answer_text,
                          "page": p.page, "footnotes": p.footnotes, "refers_to": p.refers_to}
                         for p in letter.passages],
        }  # fmt: skip
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    from .store.build import KIND_NAMES

    note = "" if doc.kind == "answers" else "; not indexed as answers"
    echo(f"{doc.source}: {KIND_NAMES.get(doc.kind, doc.kind)}{note}")
    for name, value in document_dict(doc).items():
        echo(f"  {name}: {value}")
    echo(f"  party: {doc.party}\n  ministry: {doc.ministry}\n  aanhangsel: {doc.aanhangsel}")
    echo(f"  questions numbered: {len(letter.questions_numbered)}; "
         f"passages: {len(letter.passages)}")
    for p in letter.passages:
        first = p.answer_text.split("\n")[0]
        echo(f"  [{p.passage_id}] p.{p.page} vragen {p.questions}: {first[:90]}")


@main.command("eval")
@click.argument("file", type=click.Path(path_type=Path))
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@handle_errors
def eval_cmd(file: Path, location: str, as_json: bool) -> None:
    """Score retrieval on a question set: hit@1, hit@3, MRR@10, overall and per language.

    FILE is JSON Lines, one question a line:
    {"id": "d01", "lang": "en", "q": "Can Telegram be banned?", "rel": [["5236577", 13]]}
    where each rel pair is a letter's kenmerk (ons/uw kenmerk or Aanhangsel id) and a
    question number it answers; "id" and "lang" are optional.
    """
    from .evaluate import evaluate, load_questions, report_text

    questions = load_questions(file)
    store = open_for_reading(location)
    report = evaluate(make_searcher(store), questions)
    click.echo(json.dumps(report, ensure_ascii=False, allow_nan=False) if as_json
               else report_text(report))  # fmt: skip
    store.close()


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@click.option("--replace", is_flag=True,
              help="Replace an indexed letter that these files are a version of.")
@handle_errors
def add(files: tuple[Path, ...], location: str, replace: bool) -> None:
    """Add letters (.txt, .pdf, .docx) to the index, each embedded once and kept with it.

    A file that is the same letter as an indexed one (same kenmerk, zaak or Aanhangsel) is
    refused unless --replace is given; then the indexed version is removed.
    """
    from .store.build import add_files

    store = open_for_reading(location)
    outcomes = add_files(list(files), store, replace=replace)
    store.close()
    failed = False
    for outcome in outcomes:
        if outcome.status in ("conflict", "unreadable", "not-a-letter"):
            failed = True
            echo(f"error: {outcome.message}", err=True)
        elif outcome.status == "not-answers":
            echo(f"{outcome.message}; not indexed as answers")
        else:
            echo(outcome.message)
    if failed:
        sys.exit(2)


@main.command()
@click.argument("refs", nargs=-1, required=True)
@store_option
@handle_errors
def remove(refs: tuple[str, ...], location: str) -> None:
    """Remove documents, each named exactly: doc id (or its first 6+ characters), kenmerk,
    zaak, Aanhangsel id or file name. Prints every document it removes."""
    from .store import open_store
    from .store.build import resolve_refs

    store = open_store(location)
    found = resolve_refs(store, list(refs))
    ambiguous = {ref: rows for ref, rows in found.items() if len(rows) > 1 and
                 not any(ref == r.document.doc_id for r in rows)}  # fmt: skip
    if ambiguous:
        ref, rows = next(iter(ambiguous.items()))
        names = "; ".join(f"{r.document.doc_id} {r.document.source}" for r in rows)
        _fail(f"{ref!r} names {len(rows)} documents ({names}); nothing was removed; name one "
              "by its doc id")
    targets = {r.document.doc_id: r for rows in found.values() for r in rows}
    written = store.write(remove=list(targets))
    store.close()
    for doc_id in written.removed:
        row = targets[doc_id]
        echo(f"removed {doc_id} {row.document.source} ({row.document.key}, "
             f"{row.passages} passages)")


@main.command("list")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--limit", default=None, type=click.IntRange(1), help="Newest N documents only.")
@handle_errors
def list_cmd(location: str, as_json: bool, limit: int | None) -> None:
    """List indexed documents, newest first: id, kind, passages, date, references, subject."""
    from .store import open_store

    store = open_store(location)
    rows = [{"doc_id": r.document.doc_id, "kind": r.document.kind, "source": r.document.source,
             "title": r.document.title, "date": r.document.date,
             "ons_kenmerk": r.document.ons_kenmerk, "uw_kenmerk": r.document.uw_kenmerk,
             "aanhangsel": r.document.aanhangsel, "passages": r.passages, "origin": r.origin}
            for r in store.documents(limit=limit)]  # fmt: skip
    store.close()
    if as_json:
        click.echo(json.dumps({"documents": rows}, ensure_ascii=False))
        return
    echo(f"{'doc id':<12}  {'kind':<12} {'passages':>8}  {'date':<10}  {'origin':<8}  "
         f"{'references':<30} subject")
    for r in rows:
        ids = " ".join(x for x in (r["ons_kenmerk"], r["uw_kenmerk"], r["aanhangsel"]) if x)
        echo(f"{r['doc_id']:<12}  {r['kind']:<12} {r['passages']:>8}  {r['date'] or '-':<10}  "
             f"{r['origin']:<8}  {ids:<30} {r['title'][:70]}")
    echo(f"{len(rows)} documents")


@main.command("import")
@store_option
@click.option("--source", type=click.Choice(["tk", "officielebekendmakingen"]), default="tk",
              show_default=True, help="Tweede Kamer open data API (2008 →) or "
              "officielebekendmakingen (1995 →).")  # fmt: skip
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Letters dated on or after this day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Letters dated on or before this day (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1), default=None,
              help="Download at most this many new or changed documents.")
@click.option("--dry-run", is_flag=True, help="List what would be imported; change nothing.")
@click.option("--tk-url", default=None, help="Base URL of the Tweede Kamer OData service "
              "(or a mirror); also ASSISTANT_TK_URL.")  # fmt: skip
@click.option("--sru-url", default=None, help="Base URL of the SRU service (or a mirror); "
              "also ASSISTANT_SRU_URL.")  # fmt: skip
@click.option("--rate", type=click.FloatRange(0.1, 50), default=3.0, show_default=True,
              help="Requests per second at most.")
@click.option("--timeout", type=click.FloatRange(1, 600), default=30.0, show_default=True,
              help="Seconds to wait for a response.")
@handle_errors
def import_cmd(location: str, source: str, since: Any, until: Any, limit: int | None,
               dry_run: bool, tk_url: str | None, sru_url: str | None, rate: float,
               timeout: float) -> None:  # fmt: skip
    """Import answer letters from the official open data and keep the index in sync.

    A second run fetches only what is new or changed since the last one (a checkpoint kept
    with the index); documents withdrawn by the source are removed; an interrupted import
    resumes where it stopped.
    """
    from .ingest.opendata import ImportOptions, OptionError, run_import
    from .store.imported import StoreSink

    options = ImportOptions(source=source, since=since.date() if since else None,
                            until=until.date() if until else None, limit=limit,
                            dry_run=dry_run, tk_url=tk_url, sru_url=sru_url, rate=rate,
                            timeout=timeout)  # fmt: skip
    try:
        options.check()
    except OptionError as exc:
        _fail(str(exc))
    store, _ = _store_for_import(location)
    update, close = _progress(unit="document", desc="importing")
    try:
        report = run_import(options, StoreSink(store), progress=(
            (lambda p: update(p.done, p.total or p.done)) if update else None))  # fmt: skip
    finally:
        close()
        store.close()
    for line in report.lines():
        echo(line)
    if report.error or report.interrupted:
        sys.exit(2)


def _store_for_import(location: str) -> Any:
    """The index to import into, created (for the default model) when there is none."""
    from .store.build import open_or_create

    return open_or_create(location, DEFAULT_MODEL)


@main.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; only this computer can connect unless you change it.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")
@handle_errors
def serve(location: str, host: str, port: int) -> None:
    """Start the chat web app (chat, quick lookup, sources, upload; API endpoint /search).

    It answers from letters other processes add or remove while it runs.
    """
    from .web.chat import Serialized

    searcher = Serialized(make_searcher(open_for_reading(location)))
    searcher.warm_up()  # loads the model while the web framework is imported
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo(f"warning: serving on {host}: other computers can reach this app", err=True)
    from .web.app import launch

    try:
        launch(searcher, host=host, port=port)
    except OSError as exc:  # port taken, address not available
        _fail(f"cannot serve on {host}:{port} ({exc}); try another --port")


def run(argv: list[str] | None = None) -> None:
    """The `assistant` command: a usage mistake is one `error:` line too (exit 2)."""
    try:
        main.main(args=argv, standalone_mode=False, prog_name="assistant")
    except click.exceptions.Exit as exc:  # --help and friends
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        command = exc.ctx.command_path if getattr(exc, "ctx", None) else "assistant"  # type: ignore[attr-defined]
        _fail(f"{exc.format_message().rstrip('.')}; see: {command} --help")
    except click.Abort:
        _fail("interrupted; the index keeps every change that was complete")


if __name__ == "__main__":
    run()
