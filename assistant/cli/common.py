"""What every `assistant` command shares: the command group, its error handling (one
`error:` line, exit status 2, never a traceback), terminal output stripped of control
characters, progress bars, and opening an index."""

from __future__ import annotations

import difflib
import functools
import itertools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..ingest.corpus import CorpusError
from ..ingest.text import printable
from ..store.embed import DEFAULT_MODEL, ModelError

DEFAULT_CORPUS = Path(os.environ.get("ASSISTANT_CORPUS", "corpus"))
DEFAULT_STORE = os.environ.get("ASSISTANT_STORE") or os.environ.get("ASSISTANT_INDEX") \
    or "embeddings"  # fmt: skip


# Line breaks a message may carry in what the user typed ("--index $'a\nb'"): shown
# escaped, so an error stays one line.
_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


def _fail(message: str) -> None:
    click.echo(f"error: {printable(message.translate(_BREAKS))}", err=True)
    sys.exit(2)


def echo(text: str = "", err: bool = False) -> None:
    """Print text from letters or users: no escape sequences reach the terminal."""
    click.echo(printable(text), err=err)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the assistant's own errors into one clear line and exit status 2."""
    from ..evaluate import EvalError
    from ..export import ExportError
    from ..ingest.parse import ParseError
    from ..search import QuestionError
    from ..store.base import StoreError

    expected = (CorpusError, StoreError, ModelError, ParseError, QuestionError, EvalError,
                ExportError)

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
    """A tqdm bar on a terminal; lines with the rate and time left otherwise (a log, `./start`
    in a pipe), so a long first build never looks stuck."""
    if not sys.stderr.isatty():
        return _progress_lines(unit, desc)
    from tqdm import tqdm

    bar = tqdm(total=0, unit=unit, desc=desc, file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar.close


Update = Callable[[int, int], None]


def _progress_lines(unit: str, desc: str,
                    every: float = 2.0) -> tuple[Update, Callable[[], None]]:  # fmt: skip
    """Progress as plain lines on standard error: at most one every `every` seconds (a
    letter at a time would be thousands of lines on the archive), and the last state when
    the work ends, if the run took that long."""
    import time

    started = time.monotonic()
    state = {"done": 0, "total": 0, "said": 0.0, "shown": -1}

    def line() -> None:
        now = time.monotonic() - started
        done, total = state["done"], state["total"]
        text = f"{desc}: {done}/{total} {unit}s"
        if done and now > 0.5:
            rate = done / now
            text += f" ({rate:.1f}/s"
            if done < total:
                text += f", about {_duration((total - done) / rate)} left"
            text += ")"
        click.echo(text, err=True)
        state["said"], state["shown"] = now, done

    def update(done: int, total: int) -> None:
        state["done"], state["total"] = done, total
        if time.monotonic() - started - state["said"] >= every:
            line()

    def close() -> None:
        if state["said"] and state["shown"] != state["done"]:
            line()

    return update, close


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _report_lines(report: Any) -> None:
    for line in report.skipped:
        echo(f"skipped: {line}", err=True)
    for line in report.not_answers:
        echo(f"not indexed as answers: {line}", err=True)
    for line in report.kept:
        echo(f"kept: {line}", err=True)
    for line in report.warnings:
        echo(f"warning: {line}", err=True)


def warn_store(store: Any) -> None:
    """What the store could not do beside the data (a vector snapshot on a full disk)."""
    for line in store.take_warnings():
        echo(f"warning: {line}", err=True)


def open_index(location: str) -> Any:
    """The store at location; a folder that does not exist is one line naming the indexes
    that do (a mistyped --index), or how to build one there."""
    from ..store import is_url, open_store
    from ..store.base import StoreError

    if not is_url(location) and not Path(location).exists():
        raise StoreError(missing_index(location))
    return open_store(location)


def missing_index(location: str) -> str:
    """What to say for an --index folder that does not exist: an index folder of a similar
    name beside it, else the default index, else how to build one there."""
    from ..store import is_url
    from ..store.local import is_local_index

    folder = Path(location)
    parent = folder.parent
    try:
        near = [p.name for p in itertools.islice(parent.iterdir(), 1000)
                if p.name != folder.name and is_local_index(p)]  # fmt: skip
    except OSError:
        near = []
    close = difflib.get_close_matches(folder.name, near, n=1, cutoff=0.75)
    default = Path(DEFAULT_STORE)
    if close:
        hint = f"did you mean --index {parent / close[0]}?"
    elif location != DEFAULT_STORE and not is_url(DEFAULT_STORE) and is_local_index(default):
        hint = f"the default index is {DEFAULT_STORE} (leave out --index to use it)"
    elif location == DEFAULT_STORE:
        hint = f"build one with: assistant index (letters from {DEFAULT_CORPUS}/, or --corpus)"
    else:
        hint = f"build one there with: assistant index --index {location}"
    return f"no index in {location} (no such folder); {hint}"


def open_for_reading(location: str, model: str | None = None) -> Any:
    """The store at location. Only the default index is built on first use (from ./corpus,
    saying so); any other missing index is an error, never silently created."""
    from ..store.base import StoreError
    from ..store.build import check_model, sync

    try:
        store = open_index(location)
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
    from ..search import Searcher
    from ..store.embed import Embedder

    return Searcher(store, Embedder(store.config.model))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Find what Dutch ministers answered to parliamentary questions, with exact citations."""


store_option = click.option(
    "--store", "--index", "location", default=DEFAULT_STORE, show_default=True,
    help="The index: a folder (embedded) or a postgresql:// URL (shared). "
         "Also ASSISTANT_STORE.")  # fmt: skip


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
