"""`assistant match`: which questions of a new question document were answered before."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..ingest.corpus import CorpusError
from .common import echo, handle_errors, main, make_searcher, open_for_reading, store_option


@main.command("match")
@click.argument("file")
@store_option
@click.option("-k", "k", default=3, show_default=True, type=click.IntRange(1, 10),
              help="Earlier answers per question.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--out", "out", default=None, type=click.Path(path_type=Path),
              help="Also write a report to forward: report.md, report.csv or report.docx.")
@handle_errors
def match_cmd(file: str, location: str, k: int, as_json: bool, out: Path | None) -> None:
    """Find, per question of a question document, whether it was answered before.

    FILE is a question document ("Vragen van het lid … (ingezonden …)") as .txt, .pdf or
    .docx, or - to read pasted text from standard input. Its numbered questions ("Vraag
    1", "1.", "1)") are each searched (at most 80 questions); the document's own answer
    letter, if indexed (same zaak, Aanhangsel or kenmerk), is left out. Per question a
    verdict: answered (an earlier passage answers it), related (only near-topic
    passages), new (nothing relevant) or procedural ("Bent u bekend met het bericht …?",
    "Kunt u deze vragen … beantwoorden?"), with the best earlier answers.
    """
    from ..match import match, read_source
    from ..match.report import FORMATS, report_dict, report_text, write_report

    if out is not None:  # checked before anything is read or searched
        if out.suffix.lower() not in FORMATS:
            raise CorpusError(f"--out {out}: the report is .md, .csv or .docx")
        if not out.parent.is_dir():
            raise CorpusError(f"--out {out}: no such folder {out.parent}")
        if out.is_dir():
            raise CorpusError(f"--out {out} is a folder; name a file, e.g. {out / 'report.md'}")
    if file == "-":
        data = sys.stdin.buffer.read(4_000_001).decode("utf-8", "replace")
        read = read_source(text=data)
    else:
        read = read_source(Path(file))
    store = open_for_reading(location)
    report = match(make_searcher(store), read, k=k)
    store.close()
    if out is not None:
        try:
            write_report(report, out)
        except OSError as exc:
            raise CorpusError(f"--out {out}: cannot write it ({exc.strerror or exc})") from exc
    if as_json:
        click.echo(json.dumps(report_dict(report), ensure_ascii=False, allow_nan=False))
    else:
        echo(report_text(report))
        if out is not None:
            echo(f"report written to {out}", err=True)
