"""The record over time as files: JSON (the object `ask --all --json` prints), CSV (one
row per letter), Markdown (full citations and official links) and RIS (one record per
letter, for Zotero and EndNote). The type follows the file name's extension."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from .cite import citation, document_dict, hit_dict, references
from .documents import Document
from .ingest.references import document_url
from .ingest.text import dutch_date, printable
from .search.record import Record, ministry_label

FORMATS = ("csv", "json", "md", "ris")
CSV_COLUMNS = ("doc_id", "date", "title", "ons_kenmerk", "uw_kenmerk", "aanhangsel",
               "questioner", "party", "minister", "ministry", "url", "questions", "score",
               "citation", "answer", "passages", "repeated_in")  # fmt: skip


class ExportError(ValueError):
    """The export cannot be written (unknown type, unwritable file); the message says why."""


def letter_document(doc: Document) -> dict[str, Any]:
    """A letter as `ask --json` shows it, with its doc id, party and ministry."""
    return dict(document_dict(doc), doc_id=doc.doc_id, party=doc.party, ministry=doc.ministry)


def record_dict(record: Record, searched_as: str | None = None) -> dict[str, Any]:
    """The object of `ask --all --json`; a ministry known by several names is one key
    naming them all ("Justitie en Veiligheid / Veiligheid en Justitie")."""
    facets = {facet: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
              for facet, counts in record.facets.items()}  # fmt: skip
    facets["year"] = dict(sorted(record.facets.get("year", {}).items(), reverse=True))
    facets["ministry"] = {ministry_label(k, record.names): n
                          for k, n in facets.get("ministry", {}).items()}  # fmt: skip
    return {
        "question": record.question,
        "searched_as": searched_as or record.question,
        "letters": [{"document": letter_document(x.document),
                     "hits": [hit_dict(h) for h in x.hits],
                     "repeated_in": [d.doc_id for d in x.repeated_in]}
                    for x in record.letters],  # fmt: skip
        "facets": facets,
    }


def to_json(record: Record, searched_as: str | None = None) -> str:
    return json.dumps(record_dict(record, searched_as), ensure_ascii=False, allow_nan=False)


def to_csv(record: Record) -> str:
    """A header row, then one row per letter (its best passage; how many matched)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for letter in record.letters:
        d, best = letter.document, letter.hits[0]
        writer.writerow([d.doc_id, d.date or "", d.title, d.ons_kenmerk or "",
                         d.uw_kenmerk or "", d.aanhangsel or "", d.questioner or "",
                         d.party or "", d.minister or "", d.ministry or "",
                         document_url(d) or "", " ".join(map(str, best.passage.questions)),
                         f"{best.score:.4f}", citation(best), best.passage.answer_text,
                         len(letter.hits), " ".join(r.doc_id for r in letter.repeated_in)])
    return out.getvalue()


def _cite_letter(doc: Document) -> str:
    refs = "; ".join(references(doc))
    return f"{doc.title}, {dutch_date(doc.date)}" + (f" ({refs})" if refs else "")


def _md(text: str) -> str:
    """One line of letter text, safe in Markdown (no HTML, no stray markup)."""
    flat = " ".join(printable(text).split())
    for char in "\\`*_[]<>#|":
        flat = flat.replace(char, "\\" + char)
    return flat


def to_markdown(record: Record, searched_as: str | None = None) -> str:
    lines = [f"# All answers: {_md(record.question)}", ""]
    if searched_as and searched_as != record.question:
        lines += [f"Searched as: {_md(searched_as)}", ""]
    lines += [f"{len(record.letters)} letters listed; {record.total} answer within the filters.",
              ""]  # fmt: skip
    for n, letter in enumerate(record.letters, 1):
        d = letter.document
        url = document_url(d)
        lines.append(f"## {n}. {_md(d.title)} ({dutch_date(d.date)})")
        lines.append("")
        who = ", ".join(x for x in (d.minister, d.ministry) if x)
        asked = ", ".join(x for x in (d.questioner, d.party) if x)
        if who:
            lines.append(f"- Answered by: {_md(who)}")
        if asked:
            lines.append(f"- Asked by: {_md(asked)}")
        if url:
            lines.append(f"- Official publication: <{url}>")
        lines.append("")
        for hit in letter.hits:
            lines.append(f"**{_md(citation(hit))}** (relevance {hit.score:.3f})")
            lines.append("")
            lines.append(f"> {_md(hit.passage.answer_text)}")
            lines.append("")
        if letter.repeated_in:
            lines.append(f"Repeated in {len(letter.repeated_in)} later letters:")
            lines.append("")
            for doc in letter.repeated_in:
                link = document_url(doc)
                lines.append(f"- {_md(_cite_letter(doc))}" + (f" <{link}>" if link else ""))
            lines.append("")
    return "\n".join(lines)


def _ris_value(text: str) -> str:
    return " ".join(printable(text).split())


def to_ris(record: Record) -> str:
    """One RIS record per letter (TY GOVDOC … ER), lines "XX  - value"."""
    out = []
    for letter in record.letters:
        d, best = letter.document, letter.hits[0]
        fields: list[tuple[str, str | None]] = [
            ("TY", "GOVDOC"), ("TI", d.title), ("AU", d.minister),
            ("PY", d.date[:4] if d.date else None),
            ("DA", d.date.replace("-", "/") if d.date else None),
            ("PB", f"Ministerie van {d.ministry}" if d.ministry else None),
            ("M1", d.ons_kenmerk), ("M2", d.uw_kenmerk), ("M3", d.aanhangsel),
            ("UR", document_url(d)), ("N1", citation(best)), ("AB", best.passage.answer_text),
            ("KW", d.party), ("ID", d.doc_id)]  # fmt: skip
        out += [f"{tag}  - {_ris_value(value)}" for tag, value in fields if value]
        out += [f"N1  - Repeated in: {_ris_value(_cite_letter(doc))}"
                for doc in letter.repeated_in]  # fmt: skip
        out.append("ER  - ")
        out.append("")
    return "\r\n".join(out)


def render(record: Record, kind: str, searched_as: str | None = None) -> str:
    """The export of one type: csv, json, md or ris."""
    if kind == "csv":
        return to_csv(record)
    if kind == "json":
        return to_json(record, searched_as)
    if kind == "md":
        return to_markdown(record, searched_as)
    if kind == "ris":
        return to_ris(record)
    raise ExportError(f"unknown export type {kind!r}; use one of: {', '.join(FORMATS)}")


def kind_of(path: Path) -> str:
    """The export type a file name asks for; ExportError for any other extension."""
    kind = path.suffix.lower().lstrip(".")
    kind = "md" if kind == "markdown" else kind
    if kind not in FORMATS:
        raise ExportError(f"{path}: cannot tell the export type from its extension; name the "
                          f"file .csv, .json, .md or .ris")  # fmt: skip
    return kind


def write(record: Record, path: Path, searched_as: str | None = None) -> str:
    """Write the export the extension names; returns its type."""
    kind = kind_of(path)
    text = render(record, kind, searched_as)
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return kind
