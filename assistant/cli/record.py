"""`assistant ask QUESTION --all`: every letter that answers a question, with facets,
filters and exports (see assistant/search/record.py for what "answers" means)."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..ingest.text import printable
from ..search.record import MAX_LETTERS, SORTS
from ..store.base import Filters
from .common import echo

FACET_OPTIONS = ("year", "ministry", "minister", "party", "questioner")
_LABELS = {"year": "Years", "ministry": "Ministries", "minister": "Ministers",
           "party": "Parties", "questioner": "Questioners"}  # fmt: skip


def record_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options of `ask --all` (each also checked when --all is missing)."""
    options = [
        click.option("--all", "every", is_flag=True,
                     help=f"Every letter that answers (up to {MAX_LETTERS}, the most relevant), "
                          "grouped by letter, with counts by year, ministry, minister, party "
                          "and questioner."),
        click.option("--sort", type=click.Choice(SORTS), default="date", show_default=True,
                     help="With --all: newest first (date) or most relevant first."),
        click.option("--limit", type=click.IntRange(1, MAX_LETTERS), default=MAX_LETTERS,
                     show_default=True, help="With --all: list at most this many letters."),
        click.option("--year", multiple=True, help="With --all: only letters of this year "
                     "(repeat for several)."),
        click.option("--ministry", multiple=True, help="With --all: only letters of this "
                     "ministry (either name of a renamed one; repeat for several)."),
        click.option("--minister", multiple=True, help="With --all: only letters answered "
                     "by this minister or state secretary, as the facet names them."),
        click.option("--party", multiple=True, help="With --all: only letters with a "
                     "questioner of this party."),
        click.option("--questioner", multiple=True, help="With --all: only letters asked by "
                     "this member (surname as the letters write it)."),
        click.option("--out", type=click.Path(path_type=Path), default=None,
                     help="With --all: write the list to FILE; .csv, .json, .md or .ris."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def check_record_options(record: dict[str, Any]) -> None:
    """Options of --all given without it are a usage error, never silently ignored."""
    from ..export import kind_of

    if record["every"]:
        if record["out"] is not None:
            kind_of(record["out"])  # a wrong extension fails before the model loads
        for year in record["year"]:
            if not (year.isdigit() and len(year) == 4):
                raise click.BadParameter(f"{year!r} is no year; give four digits, e.g. 2024",
                                         param_hint="--year")  # fmt: skip
        return
    given = [f"--{name}" for name in (*FACET_OPTIONS, "out") if record[name]]
    given += ["--sort"] if record["sort"] != "date" else []
    given += ["--limit"] if record["limit"] != MAX_LETTERS else []
    if given:
        raise click.UsageError(f"{', '.join(given)} {'needs' if len(given) == 1 else 'need'} --all")


def parse_filters(date_from: str | None, date_to: str | None) -> Filters:
    for name, value in (("--from", date_from), ("--to", date_to)):
        if value is not None:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise click.BadParameter(f"{value!r} is no date; write YYYY-MM-DD, e.g. "
                                         "2024-01-31", param_hint=name) from None  # fmt: skip
    if date_from and date_to and date_from > date_to:
        raise click.BadParameter(f"--from {date_from} is after --to {date_to}")
    return Filters(None, date_from, date_to)


def with_letters(store: Any, filters: Filters, refs: tuple[str, ...]) -> Filters:
    """The filters restricted to the letters the references name (each must name one)."""
    if not refs:
        return filters
    ids: list[str] = []
    for ref in refs:
        found = store.find_documents(ref.strip())
        if not found:
            raise click.BadParameter(f"no indexed letter is {ref!r}; see: assistant list",
                                     param_hint="--letter")  # fmt: skip
        ids += [row.document.doc_id for row in found]
    return Filters(list(dict.fromkeys(ids)), filters.date_from, filters.date_to)


def run_all(searcher: Any, text: str, previous: list[str], filters: Filters,
            record: dict[str, Any], as_json: bool) -> None:  # fmt: skip
    from .. import export
    from ..search.followup import resolve, standing
    from ..search.record import all_answers

    searched = resolve(text, previous, standing(searcher)) if previous else None
    asked = searched.text if searched else text
    wanted = {name: list(record[name]) for name in FACET_OPTIONS if record[name]}
    result = all_answers(searcher, asked, filters, wanted, record["sort"], record["limit"])
    result.question = text
    if record["out"] is not None:
        kind = export.write(result, record["out"], asked)
        echo(f"wrote {len(result.letters)} letters to {record['out']} ({kind})", err=True)
    if as_json:
        click.echo(json.dumps(export.record_dict(result, asked), ensure_ascii=False,
                              allow_nan=False))  # fmt: skip
    elif record["out"] is None:
        click.echo(record_text(result, asked))


def record_text(result: Any, searched_as: str) -> str:
    """The letters and facets for a terminal (control characters removed)."""
    from ..cite import citation, questions_label
    from ..export import record_dict
    from ..ingest.references import document_url

    lines = [f"Question: {printable(result.question)}"]
    if searched_as != result.question:
        lines.append(f"(follow-up, searched as: {printable(searched_as)})")
    lines += [f"({note})" for note in result.notes]
    if not result.letters:
        return "\n".join(lines + ["No letter answers this question (within these filters)."])
    lines.append(f"{result.total} letters answer; {len(result.letters)} listed (near-identical "
                 "answers folded into the first letter that gave them).")  # fmt: skip
    facets = record_dict(result, searched_as)["facets"]
    for name in FACET_OPTIONS:
        counts = list(facets[name].items())
        if counts:
            shown = ", ".join(f"{printable(k)} ({n})" for k, n in counts[:12])
            more = f", … {len(counts) - 12} more" if len(counts) > 12 else ""
            lines.append(textwrap.fill(f"{_LABELS[name]}: {shown}{more}", 88,
                                       subsequent_indent="    "))  # fmt: skip
    for n, letter in enumerate(result.letters, 1):
        best = letter.hits[0]
        lines += ["", f"[{n}] {printable(citation(best))}  (relevance {best.score:.3f})"]
        url = document_url(letter.document)
        if url:
            lines.append(f"    {url}")
        answer = " ".join(printable(best.passage.answer_text).split())
        lines.append(textwrap.fill("Antwoord: " + textwrap.shorten(answer, 400), 88,
                                   initial_indent="    ", subsequent_indent="    "))
        others = [f"{questions_label(h.passage.questions)} ({h.score:.3f})"
                  for h in letter.hits[1:]]  # fmt: skip
        if others:
            lines.append(textwrap.fill("Also: " + ", ".join(others), 88,
                                       initial_indent="    ", subsequent_indent="    "))
        if letter.repeated_in:
            later = ", ".join(f"{d.date or 'undated'} {d.key}" for d in letter.repeated_in)
            lines.append(textwrap.fill(f"Repeated in {len(letter.repeated_in)} later letters: "
                                       f"{printable(later)}", 88, initial_indent="    ",
                                       subsequent_indent="    "))  # fmt: skip
    return "\n".join(lines)
