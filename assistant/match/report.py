"""What `assistant match` and the web tab hand out: JSON, terminal text, and a report a
policy officer can forward (.md, .csv, .docx): per question the verdict and the earlier
answers, quoted with their full citation and official link."""

from __future__ import annotations

import csv
import io
import re
import textwrap
from pathlib import Path
from typing import Any

from ..cite import citation, hit_dict
from ..documents import Hit
from ..ingest.references import document_url
from ..ingest.text import printable
from .engine import Matched, MatchReport

FORMATS = (".md", ".csv", ".docx")
LABELS = {"answered": "answered · eerder beantwoord", "related": "related · verwant",
          "new": "new · nieuw", "procedural": "procedural · procedureel"}  # fmt: skip


def report_dict(report: MatchReport) -> dict[str, Any]:
    """The object `assistant match --json` prints: what was read, then per question its
    verdict and hits exactly as `assistant ask --json` gives them."""
    return {
        "document": report.read.summary() | {"left_out": report.left_out},
        "questions": [{"number": m.question.number, "text": m.question.text,
                       "verdict": m.verdict, "hits": [hit_dict(h) for h in m.hits]}
                      for m in report.questions],  # fmt: skip
    }


def counts(report: MatchReport) -> dict[str, int]:
    found = {v: 0 for v in LABELS}
    for m in report.questions:
        found[m.verdict] += 1
    return found


def summary_line(report: MatchReport) -> str:
    c = counts(report)
    return (f"{len(report.questions)} questions: {c['answered']} answered before, "
            f"{c['related']} related, {c['new']} new, {c['procedural']} procedural")


def highlighted(hit: Hit, limit: int = 400) -> str:
    """The sentences that matter of a hit's answer (its highlights), else its start."""
    text = hit.passage.answer_text
    parts = [text[a:b].strip() for a, b in sorted(hit.highlights)]
    quote = " … ".join(p for p in parts if p) or text
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"


QUOTE_CHARS = 3000  # of an earlier answer quoted in a report (the sentences that matter in bold)


def segments(hit: Hit, limit: int = QUOTE_CHARS) -> list[tuple[str, bool]]:
    """The answer as (text, highlighted) pieces, cut after `limit` characters."""
    text = hit.passage.answer_text[:limit]
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted(hit.highlights):
        if start < pos or start >= len(text):
            continue
        out += [(text[pos:start], False), (text[start:min(end, len(text))], True)]
        pos = min(end, len(text))
    out.append((text[pos:], False))
    if len(hit.passage.answer_text) > limit:
        out.append(("…", False))
    return [(re.sub(r"\s+", " ", t), bold) for t, bold in out if t]


def shown_hits(m: Matched) -> list[Hit]:
    """The earlier answers a question shows: for a new or procedural question only the
    best match, as a lead."""
    return m.hits[:1] if m.verdict in ("new", "procedural") else m.hits


def report_text(report: MatchReport, width: int = 88) -> str:
    doc = report.read.document
    lines = [f"Document: {printable(doc.title)}"]
    who = ", ".join(x for x in (doc.questioner, doc.party, doc.uw_kenmerk, doc.date) if x)
    if who:
        lines.append(f"  ({printable(who)})")
    if report.left_out:
        lines.append(f"  (its own answer letter is indexed and left out: "
                     f"{', '.join(report.left_out)})")
    lines.append(summary_line(report))
    indent: dict[str, Any] = {"initial_indent": "    ", "subsequent_indent": "    "}
    for m in report.questions:
        lines.append("")
        lines.append(textwrap.fill(f"Vraag {m.question.number} [{m.verdict}]: "
                                   f"{_flat(m.question.text)}", width,
                                   subsequent_indent="    "))  # fmt: skip
        hits = shown_hits(m)
        if not hits:
            lines.append("    no earlier answers found")
        for hit in hits:
            label = "possibly related: " if m.verdict in ("new", "related") else ""
            lines.append(f"  [{hit.rank}] {label}{_flat(citation(hit))} "
                         f"(relevance {hit.score:.3f})")
            url = document_url(hit.document)
            if url:
                lines.append(f"    {url}")
            lines.append(textwrap.fill("Antwoord: " + _flat(highlighted(hit)), width, **indent))
    return "\n".join(lines)


def _flat(text: str) -> str:
    return " ".join(printable(text).split())


def write_report(report: MatchReport, path: Path) -> None:
    """Write the report as path's suffix says (.md, .csv or .docx)."""
    suffix = path.suffix.lower()
    if suffix == ".md":
        path.write_text(markdown(report), encoding="utf-8")
    elif suffix == ".csv":
        path.write_text(csv_text(report), encoding="utf-8-sig", newline="")
    else:
        path.write_bytes(docx_bytes(report))


def markdown(report: MatchReport) -> str:
    doc = report.read.document
    out = ["# Eerder gevraagd? · Asked before?\n", f"**{_md(doc.title)}**  "]
    meta = [("Vragensteller", doc.questioner and f"{doc.questioner}"
             + (f" ({doc.party})" if doc.party else "")), ("Zaak", doc.uw_kenmerk),
            ("Datum", doc.date)]  # fmt: skip
    out += [f"{k}: {_md(v)}  " for k, v in meta if v]
    out += ["", summary_line(report), ""]
    for m in report.questions:
        out.append(f"## Vraag {m.question.number} — {LABELS[m.verdict]}\n")
        out.append(f"> {_md(m.question.text)}\n")
        hits = shown_hits(m)
        if not hits:
            out.append("Geen eerdere antwoorden gevonden.\n")
        for hit in hits:
            url = document_url(hit.document)
            cite = _md(citation(hit))
            out.append(f"{hit.rank}. {f'[{cite}]({url})' if url else cite}  ")
            out.append(f"   *Vraag:* {_md(' '.join(hit.passage.question_text.split()))}  ")
            quote = "".join(_md_piece(t, bold) for t, bold in segments(hit))
            out.append(f"   *Antwoord:* {quote}\n")
    return "\n".join(out) + "\n"


def _md_piece(text: str, bold: bool) -> str:
    """A piece of a quoted answer: spaces at its ends kept, bold when highlighted."""
    if not text.strip():
        return " "
    lead, tail = " " if text[0] == " " else "", " " if text[-1] == " " else ""
    return f"{lead}**{_md(text)}**{tail}" if bold else f"{lead}{_md(text)}{tail}"


def _md(text: str) -> str:
    """Text from letters in Markdown: flat, its markup characters escaped."""
    flat = " ".join(printable(text).split())
    for ch in "\\`*_[]<>#|":
        flat = flat.replace(ch, "\\" + ch)
    return flat


def csv_text(report: MatchReport) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["vraag", "tekst", "oordeel", "rang", "citaat", "link", "score",
                     "eerdere vraag", "antwoord (kern)"])  # fmt: skip
    for m in report.questions:
        hits: list[Hit | None] = [*shown_hits(m)] or [None]
        for hit in hits:
            row = [m.question.number, _cell(m.question.text), m.verdict]
            if hit is None:
                row += ["", "", "", "", "", ""]
            else:
                row += [hit.rank, _cell(citation(hit)), document_url(hit.document) or "",
                        f"{hit.score:.3f}", _cell(hit.passage.question_text),
                        _cell(highlighted(hit, 2000))]  # fmt: skip
            writer.writerow(row)
    return buf.getvalue()


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text: never a formula (=, +, -, @ at its start)."""
    flat = " ".join(printable(text).split())
    return "'" + flat if flat[:1] in ("=", "+", "-", "@") else flat


def docx_bytes(report: MatchReport) -> bytes:
    from docx import Document as Docx

    doc = report.read.document
    out = Docx()
    out.add_heading("Eerder gevraagd? · Asked before?", level=1)
    out.add_paragraph().add_run(_plain(doc.title)).bold = True
    for label, value in (("Vragensteller", doc.questioner), ("Partij", doc.party),
                         ("Zaak", doc.uw_kenmerk), ("Datum", doc.date)):  # fmt: skip
        if value:
            out.add_paragraph(f"{label}: {_plain(value)}")
    out.add_paragraph(summary_line(report))
    for m in report.questions:
        out.add_heading(f"Vraag {m.question.number} — {LABELS[m.verdict]}", level=2)
        out.add_paragraph(_plain(m.question.text), style="Intense Quote")
        hits = shown_hits(m)
        if not hits:
            out.add_paragraph("Geen eerdere antwoorden gevonden.")
        for hit in hits:
            para = out.add_paragraph(style="List Number")
            para.add_run(_plain(citation(hit))).bold = True
            url = document_url(hit.document)
            if url:
                para.add_run(f"\n{url}")
            para.add_run("\nVraag: ").italic = True
            para.add_run(_plain(hit.passage.question_text))
            para.add_run("\nAntwoord: ").italic = True
            for text, bold in segments(hit):
                para.add_run(_plain_piece(text)).bold = bold
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _plain_piece(text: str) -> str:
    """_plain, keeping the spaces at the ends (pieces of one answer)."""
    lead, tail = " " if text[:1] == " " else "", " " if text[-1:] == " " else ""
    return f"{lead}{_plain(text)}{tail}" if text.strip() else " "


def _plain(text: str) -> str:
    """Text Word accepts: XML forbids control characters."""
    return " ".join(printable(text).split())
