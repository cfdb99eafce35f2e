"""Turning hits into citations: the JSON the CLI and API return, and readable text."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from .documents import Document, Hit
from .ingest.references import document_url
from .ingest.text import dutch_date, printable
from .search.rank import Result

BOLD, PLAIN = "\033[1m", "\033[0m"


def document_dict(doc: Document) -> dict[str, Any]:
    return {
        "title": doc.title,
        "date": doc.date,
        "ons_kenmerk": doc.ons_kenmerk,
        "uw_kenmerk": doc.uw_kenmerk,
        "aanhangsel": doc.aanhangsel,
        "questioner": doc.questioner,
        "minister": doc.minister,
        "source": doc.source,
        "url": document_url(doc),  # the official publication, for a full Aanhangsel id
    }


def questions_label(numbers: list[int]) -> str:
    """"vraag 13" or "vragen 12 en 13" (Dutch, as letters write it)."""
    if len(numbers) == 1:
        return f"vraag {numbers[0]}"
    return "vragen " + ", ".join(str(n) for n in numbers[:-1]) + f" en {numbers[-1]}"


def aanhangsel_label(ref: str) -> str:
    """"ah-tk-20242025-594" → "Aanhangsel Handelingen II 2024/25, nr. 594" (as cited)."""
    match = re.fullmatch(r"ah-tk-(\d{4})(\d{2})(\d{2})-(\d+)", ref)
    if match:
        return f"Aanhangsel Handelingen II {match[1]}/{match[3]}, nr. {match[4]}"
    number = re.fullmatch(r"AH\s*(\d+)", ref)
    return f"Aanhangsel Handelingen, nr. {number[1]}" if number else ref


def references(doc: Document, kenmerk: str = "kenmerk", uw_kenmerk: str = "uw kenmerk"
               ) -> list[str]:  # fmt: skip
    """A letter's references as cited ("kenmerk 5236577", …); labels for other languages."""
    refs = []
    if doc.ons_kenmerk:
        refs.append(f"{kenmerk} {doc.ons_kenmerk}")
    if doc.uw_kenmerk:
        refs.append(f"{uw_kenmerk} {doc.uw_kenmerk}")
    if doc.aanhangsel:
        refs.append(aanhangsel_label(doc.aanhangsel))
    return refs


def citation(hit: Hit) -> str:
    """A citation a journalist can paste: letter, date, kenmerk, question."""
    doc = hit.document
    refs = references(doc)
    ref = f" ({'; '.join(refs)})" if refs else ""
    page = f", p. {hit.passage.page}" if hit.passage.page else ""
    answer = f"antwoord op {questions_label(hit.passage.questions)}"
    return f"{doc.title}, {dutch_date(doc.date)}{ref}, {answer}{page}"


def hit_dict(hit: Hit) -> dict[str, Any]:
    p = hit.passage
    return {
        "rank": hit.rank,
        "score": round(float(hit.score), 4),
        "passage_id": p.passage_id,
        "questions": list(p.questions),
        "question_text": p.question_text,
        "answer_text": p.answer_text,
        "page": p.page,
        "highlights": [list(span) for span in hit.highlights],
        "piece": list(hit.piece) if hit.piece else [0, len(p.answer_text)],
        "footnotes": list(p.footnotes),
        "refers_to": list(p.refers_to),
        "see_also": [{"passage_id": r.passage_id, "questions": list(r.questions),
                      "answer_text": r.answer_text} for r in hit.see_also],  # fmt: skip
        "match": hit.how,
        "document": document_dict(hit.document),
        "citation": citation(hit),
    }


def result_dict(result: Result) -> dict[str, Any]:
    """The object `assistant ask --json` prints and the `search` API returns."""
    return {
        "question": result.question,
        "answerable": result.answerable,
        "hits": [hit_dict(h) for h in result.hits],
    }


def result_text(result: Result, width: int = 88, bold: bool = False) -> str:
    """Readable cited answers for a terminal, control characters removed from every text.

    bold: mark the highlighted sentences with the terminal's bold (no markers otherwise).
    """
    lines = [f"Question: {printable(result.question)}"]
    lines += [f"({note})" for note in result.notes]
    if result.missing:
        lines.append(f"Not found: {result.missing}.")
    if not result.hits:
        return "\n".join(lines + ["No passages found."])
    if not result.answerable and result.outside:
        lines.append("Not found within these filters: letters outside them answer this "
                     "question. Possibly related within the filters:")  # fmt: skip
    elif not result.answerable:
        lines.append("Not answered in these documents. Possibly related:")
    elif any(h.how == "lookup" for h in result.hits) and any(h.how != "lookup"
                                                             for h in result.hits):  # fmt: skip
        lines.append("Passages your reference names come first (exact reference), then the "
                     "others by relevance.")  # fmt: skip
    indent: dict[str, Any] = {"initial_indent": "    ", "subsequent_indent": "    "}
    for hit in result.hits:
        p = hit.passage
        lines.append("")
        # relevance: the score the passages are ranked by, so it falls with rank
        how = "exact reference" if hit.how == "lookup" else f"relevance {hit.score:.3f}"
        related = "possibly related: " if not result.answerable else ""
        lines.append(f"[{hit.rank}] {related}{printable(citation(hit))}  ({how})")
        url = document_url(hit.document)
        if url:
            lines.append(f"    {url}")
        lines.append(textwrap.fill("Vraag: " + _flat(p.question_text), width, **indent))
        answer = _mark(p.answer_text, hit.highlights if bold and result.answerable else [])
        lines.append(textwrap.fill("Antwoord: " + answer, width, **indent))
        for ref in hit.see_also:
            lines.append(textwrap.fill(
                f"(verwijst naar antwoord op {questions_label(ref.questions)}: "
                f"{_flat(ref.answer_text)})", width, **indent))  # fmt: skip
    return "\n".join(lines)


def _flat(text: str) -> str:
    return printable(text).replace("\n", " ").replace("\t", " ")


def _mark(text: str, spans: list[tuple[int, int]]) -> str:
    """The text on one line, highlighted spans in bold (cleaned before the codes go in)."""
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out += [_flat(text[pos:start]), BOLD, _flat(text[start:end]), PLAIN]
        pos = end
    out.append(_flat(text[pos:]))
    return "".join(out)
