"""The officielebekendmakingen XML of an Aanhangsel letter → Document and Passages.

The XML marks what the PDF parser has to guess: each `<vraag>` and `<antwoord>` carries its
number in `<nr>` ("Vraag 3", "Antwoord 3"; older letters `<nummer>`), its paragraphs in
`<al>` (grouped in `<al-groep>`), and its footnotes inline as `<noot>` (`<noot.nr>`,
`<noot.al>`). The element names are those of the real fragment of ah-tk-20142015-1130
(fixtures/open-data/fragments) and of the parsers listed in its PROVENANCE.md; the
metadata is read from `<meta name=… content=…>` elements, as in the captured OP-XML and
metadata.xml files. Parsing goes through defusedxml (see `sru.parse_xml`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from ...documents import ANSWERS, POSTPONEMENT, QUESTIONS, Document, ParsedLetter, Passage
from .. import metadata
from ..parse import REFERS_RE, ParseError
from ..text import parse_numbers, sane_date
from .aanhangsel import OFFICIAL_ID_RE, citation_label
from .http import FetchError
from .sru import local, parse_xml

# Elements whose text is a paragraph of a question or answer; `nr`/`nummer` are labels.
_PARAGRAPHS = {"al", "tussenkop"}
_LABELS = {"nr", "nummer"}
_HEADER = {"kamervraagkop", "kamervraagnummer", "kamervraagomschrijving", "kamervraagonderwerp"}


@dataclass
class _Part:
    kind: str  # "vraag" or "antwoord"
    numbers: list[int]
    text: str
    notes: list[str] = field(default_factory=list)


def parse_answer_xml(data: bytes, source: str | None = None) -> ParsedLetter:
    """Parse one letter's XML. Raises ParseError (one line) when it holds no letter."""
    try:
        root = parse_xml(data)
    except (ValueError, FetchError) as exc:  # not well-formed, or unsafe (entities)
        raise ParseError(f"{source or 'XML'}: {exc}") from None
    meta = _meta(root)
    identifier = _first(meta, "dc.identifier") or source or ""
    label = source or identifier or "XML"
    notes_by_id = {n.get("id"): _note_text(n) for n in root.iter() if local(n.tag) == "noot"}
    parts, remark = _parts(root, notes_by_id)
    doc = _document(root, meta, identifier, label, hashlib.sha256(data).hexdigest()[:12])
    passages = _passages(parts, doc)
    numbered = sorted({n for p in parts if p.kind == "vraag" for n in p.numbers})
    kinds = " ".join(meta.get("dc.type", [])).lower()
    if passages:
        doc.kind = ANSWERS
    elif remark is not None or "mededeling" in kinds or metadata.is_postponement(remark or ""):
        doc.kind = POSTPONEMENT
    elif numbered:
        doc.kind = QUESTIONS
    else:
        raise ParseError(f"{label}: no <vraag>/<antwoord> and no <kamervraagopmerking> in this "
                         "XML (is it an Aanhangsel letter?)")  # fmt: skip
    return ParsedLetter(doc, passages, numbered)


def _meta(root: Element) -> dict[str, list[str]]:
    """`<meta name=… content=…>` (OP-XML) and `<metadata name=… content=…>` (metadata.xml)."""
    found: dict[str, list[str]] = {}
    for el in root.iter():
        name, content = el.get("name"), (el.get("content") or "").strip()
        if name and content and local(el.tag) in ("meta", "metadata"):
            found.setdefault(name.lower(), []).append(content)
    return found


def _first(meta: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        if meta.get(name):
            return meta[name][0]
    return None


def _document(root: Element, meta: dict[str, list[str]], identifier: str, label: str,
              doc_id: str) -> Document:  # fmt: skip
    title = _first(meta, "dc.title", "overheidop.documenttitel")
    # Without a title, the citation users recognise: "Aanhangsel Handelingen II 2014/15, nr. 1130"
    fallback = citation_label(identifier) or identifier or label
    doc = Document(doc_id=doc_id, title=_squash(title) if title else fallback, source=label)
    day = _first(meta, "overheidop.datumontvangst", "dcterms.issued", "dcterms.available")
    doc.date = sane_date(day[:10]) if day else None
    if OFFICIAL_ID_RE.match(identifier.lower()):
        doc.aanhangsel = identifier.lower()
    indiener = meta.get("overheidop.indiener", [])
    if indiener:
        doc.questioner, doc.party = metadata.members(" en ".join(indiener))
    ontvanger = meta.get("overheidop.ontvanger", [])
    doc.minister = " en ".join(ontvanger) or None
    header = "\n".join(_text(el) for el in root.iter() if local(el.tag) in _HEADER)
    zaak = metadata.ZAAK_RE.search(" ".join([*meta.get("overheidop.vraagnummer", []), header]))
    doc.uw_kenmerk = zaak.group(1) if zaak else None
    if header.strip():  # "Vragen van het lid X (Partij) aan de Minister van …"
        hint = metadata.extract(header, source=label, doc_id=doc_id)
        doc.questioner = doc.questioner or hint.questioner
        doc.party = doc.party or hint.party
        doc.minister = doc.minister or hint.minister
        doc.ministry = hint.ministry
    return doc


def _parts(root: Element, notes_by_id: dict[str | None, str]) -> tuple[list[_Part], str | None]:
    """Questions and answers in document order, and the text of a `kamervraagopmerking`."""
    parts: list[_Part] = []
    remark: str | None = None
    for el in root.iter():
        name = local(el.tag)
        if name == "kamervraagopmerking":
            remark = (remark or "") + _text(el)
        if name not in ("vraag", "antwoord"):
            continue
        label = next((c for c in el if local(c.tag) in _LABELS), None)
        numbers = parse_numbers(_text(label)) if label is not None else []
        notes: list[str] = []
        paragraphs = [_inline(p, notes, notes_by_id) for p in el.iter()
                      if local(p.tag) in _PARAGRAPHS]  # fmt: skip
        if not paragraphs:  # text straight in the element, without <al>
            paragraphs = [_inline(el, notes, notes_by_id, skip=_LABELS)]
        parts.append(_Part(name, numbers, _join(paragraphs), notes))
    return parts, remark


def _inline(el: Element, notes: list[str], notes_by_id: dict[str | None, str],
            skip: set[str] | frozenset[str] = frozenset()) -> str:  # fmt: skip
    """An element's text with footnotes taken out (into `notes`) and their tails kept."""
    out = [el.text or ""]
    for child in el:
        name = local(child.tag)
        if name == "noot":
            notes.append(_note_text(child))
        elif name == "nootref":
            note = notes_by_id.get(child.get("refid"))
            if note:
                notes.append(note)
        elif name not in skip:
            out.append(_inline(child, notes, notes_by_id, skip))
        out.append(child.tail or "")
    return _squash("".join(out))


def _note_text(note: Element) -> str:
    body = [c for c in note if local(c.tag) != "noot.nr"]
    return _squash(" ".join(_text(c) for c in body))


def _join(paragraphs: list[str]) -> str:
    """Paragraphs one per line; a paragraph that stops mid-sentence ("… uitspraken van")
    was cut at a page break in the print and continues on the same line."""
    out = ""
    for para in filter(None, paragraphs):
        if out and re.search(r"[a-zà-ÿ,]$", out):
            out += " " + para
        else:
            out += ("\n" if out else "") + para
    return out


def _passages(parts: list[_Part], doc: Document) -> list[Passage]:
    """Pair answers with the questions they answer (an unnumbered answer takes the open ones)."""
    questions: dict[int, _Part] = {}
    pending: list[int] = []
    passages: list[Passage] = []
    count = 0
    for part in parts:
        if part.kind == "vraag":
            count += 1
            for number in part.numbers or [count]:
                questions[number] = part
                pending.append(number)
            continue
        numbers = part.numbers or list(pending)
        if not numbers or not part.text:
            continue
        asked = list({id(questions[n]): questions[n] for n in numbers if n in questions}.values())
        if len(asked) == 1:
            question_text = asked[0].text
        else:
            question_text = "\n".join(f"Vraag {n}: {questions[n].text}" for n in numbers
                                      if n in questions)  # fmt: skip
        notes = [n for q in asked for n in q.notes] + part.notes
        refers = REFERS_RE.match(part.text)
        passages.append(Passage(
            passage_id=f"{doc.key}-q{'+'.join(str(n) for n in numbers)}", doc_id=doc.doc_id,
            questions=numbers, question_text=question_text, answer_text=part.text, page=None,
            footnotes=list(dict.fromkeys(notes)),
            refers_to=parse_numbers(refers.group("nums")) if refers else [],
        ))  # fmt: skip
        pending = [n for n in pending if n not in numbers]
    return passages


def _text(el: Element | None) -> str:
    return _squash("".join(el.itertext())) if el is not None else ""


def _squash(text: str) -> str:
    return re.sub(r"[\s\u00a0]+", " ", text).strip()
