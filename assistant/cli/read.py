"""The commands that read an index: ask, eval, list, parse, serve."""

from __future__ import annotations

import errno
import json
import socket
import sys
from pathlib import Path
from typing import Any

import click

from .common import (
    CorpusError,
    _fail,
    echo,
    handle_errors,
    main,
    make_searcher,
    open_for_reading,
    open_index,
    store_option,
)
from .record import (
    check_record_options,
    parse_filters,
    record_options,
    run_all,
    with_letters,
)


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
@click.option("--from", "date_from", default=None, metavar="YYYY-MM-DD",
              help="Only letters dated on or after this day.")
@click.option("--to", "date_to", default=None, metavar="YYYY-MM-DD",
              help="Only letters dated on or before this day.")
@click.option("--letter", "letters", multiple=True, metavar="REF",
              help="Only this letter (doc id, kenmerk, Aanhangsel id or file name; repeat).")
@record_options
@handle_errors
def ask(question: tuple[str, ...], location: str, k: int, previous: tuple[str, ...],
        model: str | None, as_json: bool, date_from: str | None, date_to: str | None,
        letters: tuple[str, ...], **record: Any) -> None:  # fmt: skip
    """Answer QUESTION with cited passages, best first.

    Passages that an exact reference names (a kenmerk and question number, an article)
    come first; the others follow by relevance score.

    With --all: every letter that answers QUESTION (the record over time), grouped by
    letter, newest first, with counts by year, ministry, minister, party and questioner;
    see `assistant ask --help` for its filters and --out for CSV, JSON, Markdown or RIS.
    """
    from ..cite import result_dict, result_text
    from ..ingest.text import typed_text
    from ..search import clean_question
    from ..search.followup import search_turn

    # bytes that are not UTF-8 arrive as surrogates, control characters as typed: both
    # cleaned (typed_text), never a crash
    text, _ = clean_question(" ".join(question))  # fail fast, before loading anything
    earlier = [typed_text(p) for p in previous]
    check_record_options(record)
    filters = parse_filters(date_from, date_to)
    store = open_for_reading(location, model)
    filters = with_letters(store, filters, letters)
    if record["every"]:
        run_all(make_searcher(store), text, earlier, filters, record, as_json)
        store.close()
        return
    searched, result = search_turn(make_searcher(store), text, earlier, k=k,
                                   filters=filters)  # fmt: skip
    if as_json:
        data = result_dict(result)
        data["question"], data["searched_as"] = text, searched.text
        click.echo(json.dumps(data, ensure_ascii=False, allow_nan=False))
    else:
        if searched.merged:
            echo(f"(follow-up, searched as: {searched.text})")
        click.echo(result_text(result, bold=sys.stdout.isatty()))  # cleaned by result_text
    store.close()


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
    question number it answers; "id" and "lang" are optional. A question no letter
    answers has "rel": []: it counts as correct when judged not answerable, and hit@k and
    MRR are computed over the other questions only.
    """
    from ..evaluate import evaluate, load_questions, report_text

    questions = load_questions(file)
    store = open_for_reading(location)
    report = evaluate(make_searcher(store), questions)
    click.echo(json.dumps(report, ensure_ascii=False, allow_nan=False) if as_json
               else report_text(report))  # fmt: skip
    store.close()


@main.command("list")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--limit", default=None, type=click.IntRange(1), help="Newest N documents only.")
@handle_errors
def list_cmd(location: str, as_json: bool, limit: int | None) -> None:
    """List indexed documents, newest first: id, kind, passages, date, references, subject."""
    store = open_index(location)
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


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@handle_errors
def parse(file: Path, as_json: bool) -> None:
    """Show what the parser makes of one letter."""
    from ..cite import document_dict
    from ..ingest.parse import parse_file

    if file.is_dir():
        raise CorpusError(folder_given(file))
    if not file.is_file():
        raise CorpusError(f"{file}: no such file")
    letter = parse_file(file)
    doc = letter.document
    for line in letter.warnings:
        echo(f"warning: {line}", err=True)
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
    from ..store.build import KIND_NAMES

    note = "" if doc.kind == "answers" else "; not indexed as answers"
    echo(f"{doc.source}: {KIND_NAMES.get(doc.kind, doc.kind)}{note}")
    for name, value in document_dict(doc).items():
        echo(f"  {name}: {value}")
    echo(f"  party: {doc.party}\n  ministry: {doc.ministry}")  # aanhangsel: in document_dict
    echo(f"  questions numbered: {len(letter.questions_numbered)}; "
         f"passages: {len(letter.passages)}")
    for p in letter.passages:
        first = p.answer_text.split("\n")[0]
        echo(f"  [{p.passage_id}] p.{p.page} vragen {p.questions}: {first[:90]}")


def folder_given(folder: Path) -> str:
    """The error for `parse FOLDER`: parse reads one letter; name one, and how to index all."""
    from ..ingest.corpus import SUPPORTED

    letters = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUPPORTED and p.is_file())
    example = f"e.g. assistant parse {letters[0]}; " if letters else ""
    return (f"{folder} is a folder; parse reads one letter file ({example}to index every "
            f"letter in it: assistant index --corpus {folder})")  # fmt: skip


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
    from ..web.chat import Serialized

    check_port(host, port)  # before the index and the model (seconds) are loaded
    searcher = Serialized(make_searcher(open_for_reading(location)))
    searcher.warm_up()  # loads the model while the web framework is imported
    from ..web.guard import is_loopback

    if not is_loopback(host):
        echo(f"warning: serving on {host}: other computers can reach this app", err=True)
    from ..web.app import launch

    try:
        launch(searcher, host=host, port=port)
    except OSError as exc:  # taken since it was checked; Gradio's text advises its own API
        reason = "the port is in use" if "port" in str(exc).lower() else str(exc)
        _fail(f"cannot serve on {host}:{port} ({reason}); try another --port")


def check_port(host: str, port: int) -> None:
    """Fail at once, in one line, when the app could not listen on host:port: in use,
    reserved for root, or an address this computer does not have (checked for --port 0,
    any free port, too: a name that does not resolve is no place to serve)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        _fail(f"cannot serve on {host}:{port} (unknown address: {reason}); pass --host with an "
              "address of this computer, e.g. --host 127.0.0.1")  # fmt: skip
        return
    family, kind, proto, _, address = found[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                _fail(f"cannot serve on {host}:{port}: the port is in use (another program, or "
                      f"another assistant serve); try another --port, e.g. --port {port + 1}, or "
                      "--port 0 for any free port")  # fmt: skip
            elif exc.errno == errno.EACCES:
                _fail(f"cannot serve on {host}:{port}: ports below 1024 need root; try another "
                      "--port, e.g. --port 7860")  # fmt: skip
            elif exc.errno == errno.EADDRNOTAVAIL:
                _fail(f"cannot serve on {host}:{port}: {host} is no address of this computer; "
                      "pass --host with one of its addresses, e.g. --host 127.0.0.1")  # fmt: skip
            else:
                _fail(f"cannot serve on {host}:{port} ({exc.strerror or exc}); try another "
                      "--host or --port")  # fmt: skip

