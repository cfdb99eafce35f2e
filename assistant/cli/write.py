"""The commands that change an index: index, add, remove, import, copy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import (
    DEFAULT_CORPUS,
    DEFAULT_MODEL,
    _fail,
    _progress,
    _report_lines,
    echo,
    handle_errors,
    main,
    open_for_reading,
    open_index,
    store_option,
    warn_store,
)


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
    from ..store.build import sync
    from ..store.embed import Embedder

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
    from ..store.build import add_files

    store = open_for_reading(location)
    outcomes = add_files(list(files), store, replace=replace)
    warn_store(store)
    store.close()
    failed = False
    for outcome in outcomes:
        if outcome.status in ("conflict", "unreadable", "not-a-letter", "too-large"):
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
    from ..store.build import resolve_refs

    store = open_index(location)
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
    store.compact()
    warn_store(store)
    store.close()
    for doc_id in written.removed:
        row = targets[doc_id]
        echo(f"removed {doc_id} {row.document.source} ({row.document.key}, "
             f"{row.passages} passages)")


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
              help="Seconds to wait for the server at each step (connecting, each read).")
@click.option("--deadline", type=click.FloatRange(1, 3600), default=120.0, show_default=True,
              help="Seconds one request may take in all, download included.")
@handle_errors
def import_cmd(location: str, source: str, since: Any, until: Any, limit: int | None,
               dry_run: bool, tk_url: str | None, sru_url: str | None, rate: float,
               timeout: float, deadline: float) -> None:  # fmt: skip
    """Import answer letters from the official open data and keep the index in sync.

    A second run fetches only what is new or changed since the last one (a checkpoint kept
    with the index); documents withdrawn by the source are removed; an interrupted import
    resumes where it stopped.
    """
    from ..ingest.opendata import ImportOptions, OptionError, run_import
    from ..store.imported import StoreSink

    options = ImportOptions(source=source, since=since.date() if since else None,
                            until=until.date() if until else None, limit=limit,
                            dry_run=dry_run, tk_url=tk_url, sru_url=sru_url, rate=rate,
                            timeout=timeout, deadline=deadline)  # fmt: skip
    try:
        options.check()
    except OptionError as exc:
        _fail(str(exc))
    store, _ = _store_for_import(location)
    update, close = _progress(unit="document", desc="importing")
    try:
        report = run_import(options, StoreSink(store), progress=(
            (lambda p: update(p.done, p.total or p.done)) if update else None))  # fmt: skip
        store.compact()
        warn_store(store)
    finally:
        close()
        store.close()
    for line in report.warnings:
        echo(f"warning: {line}", err=True)
    for line in report.lines():
        echo(line)
    if report.error or report.interrupted:
        _fail(report.error or "interrupted")


def _store_for_import(location: str) -> Any:
    """The index to import into, created (for the default model) when there is none."""
    from ..store.build import open_or_create

    return open_or_create(location, DEFAULT_MODEL)

@main.command("copy")
@click.option("--from", "source", required=True,
              help="The index to copy: a folder or a postgresql:// URL.")
@click.option("--to", "target", required=True,
              help="Where to: a folder or a postgresql:// URL (created when there is none).")
@handle_errors
def copy_cmd(source: str, target: str) -> None:
    """Copy every letter of one index into another, vectors included (nothing is embedded
    again): e.g. an embedded index into PostgreSQL. Letters already there stay as they
    are; an interrupted copy resumes where it stopped."""
    from ..store import open_store
    from ..store.copy import copy_store

    src = open_store(source)
    try:
        dst = open_store(target, create=src.config)
    except BaseException:
        src.close()
        raise
    update, close = _progress(unit="letter", desc="copying")
    try:
        report = copy_store(src, dst, progress=update)
        dst.compact()
        warn_store(dst)
    finally:
        close()
        src.close()
        dst.close()
    for line in report.conflicts:
        echo(f"not copied: {line}", err=True)
    echo(f"copied {report.copied} letters ({report.unchanged} there already) in "
         f"{report.seconds:.1f} s → {dst.location}")
