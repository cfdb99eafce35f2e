"""The `assistant` command line: index, ask, parse, eval, add, remove, list, serve.

Every expected failure (missing corpus, damaged index, empty question, …) prints one
line starting with "error:" and exits with status 2; no traceback.
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
from .store.embed import DEFAULT_MODEL, ModelError

DEFAULT_CORPUS = Path(os.environ.get("ASSISTANT_CORPUS", "corpus"))
DEFAULT_INDEX = Path(os.environ.get("ASSISTANT_INDEX", "embeddings"))


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the assistant's own errors into one clear line and exit status 2."""
    from .evaluate import EvalError
    from .ingest.parse import ParseError
    from .search.rank import QuestionError
    from .store.index import IndexFolderError

    expected = (CorpusError, IndexFolderError, ModelError, ParseError, QuestionError, EvalError)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except expected as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted; the saved index was left as it was")

    return wrapper


def _progress() -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A tqdm bar on a terminal; nothing when output is piped."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="passage", desc="embedding", file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar.close


def _report_lines(report: Any) -> None:
    for line in report.skipped:
        click.echo(f"skipped: {line}", err=True)
    for line in report.not_answers:
        click.echo(f"not indexed as answers: {line}", err=True)


def open_index(index_dir: Path, corpus: Path | None = None, model: str | None = None) -> Any:
    """Load the index, building or updating it from the corpus when needed."""
    from .store import build
    from .store.index import Index, IndexFolderError

    if (index_dir / "manifest.json").exists():
        index = Index.load(index_dir)  # raises on damage: that is reported, never hidden
        if model and model != index.manifest.model:
            raise IndexFolderError(
                f"the index in {index_dir} was built with model {index.manifest.model!r}; "
                f"rebuild it with: assistant index --model {model}")  # fmt: skip
        source = corpus or (Path(index.manifest.corpus) if index.manifest.corpus else None)
        if source is None or not source.is_dir():
            return index
        model = index.manifest.model
    else:
        source = corpus or DEFAULT_CORPUS
    update, close = _progress()
    try:
        index, report = build.sync(source, index_dir, model or DEFAULT_MODEL, progress=update)
    finally:
        close()
    if not report.reused:
        _report_lines(report)
    return index


def make_searcher(index: Any) -> Any:
    from .search.rank import Searcher
    from .store.embed import Embedder

    return Searcher(index, Embedder(index.manifest.model))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Find what Dutch ministers answered to parliamentary questions, with exact citations."""


index_option = click.option("--index", "index_dir", type=click.Path(path_type=Path),
                            default=DEFAULT_INDEX, show_default=True,
                            help="Folder of the search index.")  # fmt: skip


@main.command("index")
@click.option("--corpus", type=click.Path(path_type=Path), default=DEFAULT_CORPUS,
              show_default=True, help="Folder with the letters (.txt, .pdf, .docx).")
@index_option
@click.option("--model", default=DEFAULT_MODEL, show_default=True,
              help="Embedding model: the default, or a sentence-transformers name or path.")
@click.option("--force", is_flag=True, help="Re-embed everything.")
@handle_errors
def index_cmd(corpus: Path, index_dir: Path, model: str, force: bool) -> None:
    """Parse the corpus and build (or update) the search index."""
    from .store import build

    update, close = _progress()
    try:
        index, report = build.sync(corpus, index_dir, model, force=force, progress=update)
    finally:
        close()
    _report_lines(report)
    state = "unchanged, reused" if report.reused else f"embedded {report.embedded_documents} new"
    click.echo(f"indexed {report.documents} documents, {report.passages} passages "
               f"in {report.seconds:.1f} s ({state}; model {index.manifest.model}) → {index_dir}")


@main.command()
@click.argument("question", nargs=-1)
@index_option
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 50),
              help="Number of passages.")
@click.option("--model", default=None, help="Check the index was built with this model.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@handle_errors
def ask(question: tuple[str, ...], index_dir: Path, k: int, model: str | None,
        as_json: bool) -> None:  # fmt: skip
    """Answer QUESTION with cited passages."""
    from .cite import result_dict, result_text
    from .search.rank import clean_question

    clean_question(" ".join(question))  # fail fast, before loading anything
    searcher = make_searcher(open_index(index_dir, model=model))
    result = searcher.search(" ".join(question), k=k)
    if as_json:
        click.echo(json.dumps(result_dict(result), ensure_ascii=False))
    else:
        click.echo(result_text(result))


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
    click.echo(f"{doc.source}: {KIND_NAMES.get(doc.kind, doc.kind)}{note}")
    for name, value in document_dict(doc).items():
        click.echo(f"  {name}: {value}")
    click.echo(f"  party: {doc.party}\n  ministry: {doc.ministry}\n  aanhangsel: {doc.aanhangsel}")
    click.echo(f"  questions numbered: {len(letter.questions_numbered)}; "
               f"passages: {len(letter.passages)}")
    for p in letter.passages:
        first = p.answer_text.split("\n")[0]
        click.echo(f"  [{p.passage_id}] p.{p.page} vragen {p.questions}: {first[:90]}")


@main.command("eval")
@click.argument("file", type=click.Path(path_type=Path))
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@handle_errors
def eval_cmd(file: Path, index_dir: Path, as_json: bool) -> None:
    """Score retrieval on a JSONL question set (hit@1, hit@3, MRR@10)."""
    from .evaluate import evaluate, load_questions, report_text

    questions = load_questions(file)
    report = evaluate(make_searcher(open_index(index_dir)), questions)
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else report_text(report))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@index_option
@handle_errors
def add(files: tuple[Path, ...], index_dir: Path) -> None:
    """Add letters to the index without re-embedding the others."""
    from .store import build

    open_index(index_dir)
    index, report, added = build.add_files(list(files), index_dir)
    _report_lines(report)
    for doc_id in added:
        doc = index.document(doc_id)
        click.echo(f"added {doc.source} ({doc.kind}, {len(index.entries[doc_id].passages)} "
                   f"passages, id {doc_id})")  # fmt: skip
    if not added and not report.skipped:
        click.echo("nothing new: these letters are indexed already")
    if report.skipped and not added:
        sys.exit(2)


@main.command()
@click.argument("refs", nargs=-1, required=True)
@index_option
@handle_errors
def remove(refs: tuple[str, ...], index_dir: Path) -> None:
    """Remove documents (by id, kenmerk, zaak, aanhangsel or file name) from the index."""
    from .store.index import Index

    index = Index.load(index_dir)
    missing = [r for r in refs if not index.find_documents(r)]
    if missing:
        _fail(f"no indexed document matches {', '.join(missing)}; see: assistant list")
    removed = index.remove(d for r in refs for d in index.find_documents(r))
    index.save(index_dir)
    click.echo(f"removed {len(removed)} document(s)")


@main.command("list")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@handle_errors
def list_cmd(index_dir: Path, as_json: bool) -> None:
    """List indexed documents with kind, ids and passage count."""
    from .store.index import Index

    index = Index.load(index_dir)
    rows = [{"doc_id": e.document.doc_id, "kind": e.document.kind, "source": e.document.source,
             "title": e.document.title, "date": e.document.date,
             "ons_kenmerk": e.document.ons_kenmerk, "uw_kenmerk": e.document.uw_kenmerk,
             "aanhangsel": e.document.aanhangsel, "passages": len(e.passages),
             "origin": e.origin} for e in index.entries.values()]  # fmt: skip
    if as_json:
        click.echo(json.dumps({"documents": rows}, ensure_ascii=False))
        return
    for r in rows:
        ids = " ".join(x for x in (r["ons_kenmerk"], r["uw_kenmerk"], r["aanhangsel"]) if x)
        click.echo(f"{r['doc_id']}  {r['kind']:<12} {r['passages']:>3} passages  "
                   f"{r['date'] or '-':<10}  {ids:<30} {r['title'][:70]}")


@main.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; only this computer can connect unless you change it.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")
@handle_errors
def serve(index_dir: Path, host: str, port: int) -> None:
    """Start the chat web app (chat, quick lookup, sources; API endpoint /search)."""
    from .web.chat import Serialized

    searcher = Serialized(make_searcher(open_index(index_dir)))
    searcher.warm_up()  # loads the model while the web framework is imported
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: serving on {host}: other computers can reach this app", err=True)
    from .web.app import launch

    try:
        launch(searcher, host=host, port=port)
    except OSError as exc:  # port taken, address not available
        _fail(f"cannot serve on {host}:{port} ({exc}); try another --port")


if __name__ == "__main__":
    main()
