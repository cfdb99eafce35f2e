"""Replay data built from the real open-data captures in ../shared/fixtures/open-data.

What is real and what is derived (nothing here invents a field name or shape):
- `Document` records: the 750 records of the three captured 250-record pages, as captured
  (the collector dropped the `*_Id` keys; we serve them without). Pages of other sizes and
  the `@odata.nextLink` between them are derived by the server (opendata_replay.py).
- `Zaak` on a document (`$expand=Zaak`): the captured `Zaak` page's "Schriftelijke vragen"
  zaken, linked to a document when the document's `Onderwerp` ends with the zaak's
  `Onderwerp` (derived; 62 documents match). The list-of-records shape is the captured
  `Zaak` → `Document` expansion's.
- `DocumentActor`: the captures show its properties only in $metadata, never a row, so the
  server expands it to an empty list.
- Files at `Document(<Id>)/resource`: the 43 real letters of ../shared/corpus-real, rendered
  as PDF (reportlab) or DOCX (python-docx) per the record's `ContentType`, answers for
  answer records, question-only letters for `Schriftelijke vragen`, "uitstel" notices for
  `Mededeling (uitstel antwoord)`. A first line with the DocumentNummer keeps every file's
  bytes unique (two records never share one content hash).
- officielebekendmakingen XML: ah-tk-20142015-1130 holds the real `<vraag>`/`<antwoord>`
  elements of the captured fragment, unchanged, inside an assumed envelope
  (`officiele-publicatie` → `metadata` (`meta` elements, names as in the captured OP-XML and
  metadata.xml) + `kamervragen`); its metadata values are the fragment's (indiener,
  ontvanger, vergaderjaar, issued, available). The other ah-tk letters are derived from
  the Aanhangsel prints in corpus-real: their parsed questions and answers written as
  `<vraag>`/`<antwoord>` with `<nr>` and `<al>`.
"""

from __future__ import annotations

import ast
import copy
import functools
import io
import json
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from assistant.ingest.corpus import split_text_pages
from assistant.ingest.parse import parse_file

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
OPEN_DATA = SHARED / "fixtures" / "open-data"
TK = OPEN_DATA / "tk_odata"
CORPUS_REAL = SHARED / "corpus-real"
FRAGMENT = OPEN_DATA / "fragments" / (
    "FRAGMENT_ah-tk-20142015-1130_vraag_antwoord_xml_from_wetsuite_dataset_repr.txt")
PAGES = [TK / f"motiematcher_Document_value_page{n}_fullterm.json" for n in (10, 21, 168)]
ZAAK_PAGE = TK / "motiematcher_Zaak_value_page10_fullterm.json"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SOORTEN = ("Antwoord schriftelijke vragen", "Antwoord schriftelijke vragen (nader)",
           "Mededeling (uitstel antwoord)", "Schriftelijke vragen")  # fmt: skip
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def available() -> bool:
    return all(p.is_file() for p in [*PAGES, ZAAK_PAGE, FRAGMENT]) and CORPUS_REAL.is_dir()


@functools.lru_cache(maxsize=1)
def _captured_documents() -> tuple[dict, ...]:
    rows: list[dict] = []
    for page in PAGES:
        rows.extend(json.loads(page.read_text(encoding="utf-8")))
    return tuple(rows)


def documents() -> list[dict]:
    """The 750 captured Document records (fresh copies: tests may change them)."""
    return copy.deepcopy(list(_captured_documents()))


def relevant(records: list[dict]) -> list[dict]:
    """Live records of the four Soorten the importer asks for."""
    return [r for r in records if r.get("Soort") in SOORTEN and not r.get("Verwijderd")]


@functools.lru_cache(maxsize=1)
def questions_zaken() -> tuple[dict, ...]:
    rows = json.loads(ZAAK_PAGE.read_text(encoding="utf-8"))
    return tuple(r for r in rows if r.get("Soort") == "Schriftelijke vragen" and r.get("Onderwerp"))


def zaak_for(record: dict) -> dict | None:
    """The captured questions zaak whose Onderwerp ends this document's Onderwerp (derived)."""
    subject = (record.get("Onderwerp") or "").strip().lower()
    matches = [z for z in questions_zaken()
               if subject.endswith(z["Onderwerp"].strip().lower())]  # fmt: skip
    return max(matches, key=lambda z: len(z["Onderwerp"]), default=None)


@functools.lru_cache(maxsize=1)
def letters() -> dict[str, list[Path]]:
    """The real letters by kind (the file names say it; the parser agrees, see tests)."""
    files = sorted(p for p in CORPUS_REAL.glob("*.txt") if p.name != "README.md")
    kinds: dict[str, list[Path]] = {"answers": [], "questions": [], "postponement": []}
    for path in files:
        if path.name.startswith("Antwoord_op"):
            kinds["answers"].append(path)
        elif path.name.startswith("Uitstel_"):
            kinds["postponement"].append(path)
        else:
            kinds["questions"].append(path)
    return kinds


def letter_for(record: dict, records: list[dict]) -> Path:
    """A real letter of the record's kind and file type, spread over the records."""
    soort = record["Soort"]
    kind = "answers" if soort.startswith("Antwoord") else \
        "postponement" if soort.startswith("Mededeling") else "questions"  # fmt: skip
    same = sorted(r["DocumentNummer"] for r in relevant(records)
                  if r["Soort"] == soort or (kind == "answers" and r["Soort"].startswith("Antw")))
    # A letter written as DOCX is served as DOCX, a printed one as PDF, where the pool allows:
    # a DOCX draft rendered to PDF loses the blank lines that end its introduction.
    docx = record.get("ContentType") == DOCX_TYPE
    pool = [p for p in letters()[kind] if p.name.endswith(".docx.txt") == docx] or \
        letters()[kind]  # fmt: skip
    index = same.index(record["DocumentNummer"]) if record["DocumentNummer"] in same else 0
    return pool[index % len(pool)]


def render(letter: Path, content_type: str | None, first_line: str) -> bytes:
    """The letter as a PDF or DOCX file (by content type), opening with `first_line`."""
    text = letter.read_text(encoding="utf-8")
    if content_type == DOCX_TYPE:
        return _docx(first_line, text)
    return _pdf(first_line, text)


@functools.lru_cache(maxsize=512)
def _pdf(first_line: str, text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    if FONT.is_file():  # a Unicode font: the letters use ’ « » – and names like Yeşilgöz
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
        font = "DejaVuSans"
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    width, height = A4
    pages = split_text_pages(text)
    pages[0] = f"{first_line}\n{pages[0]}"
    for page in pages:
        y = height - 50
        pdf.setFont(font, 9)
        for line in page.splitlines():
            for piece in simpleSplit(line, font, 9, width - 100) or [""]:
                if y < 50:
                    pdf.showPage()
                    pdf.setFont(font, 9)
                    y = height - 50
                pdf.drawString(50, y, piece)
                y -= 11
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@functools.lru_cache(maxsize=512)
def _docx(first_line: str, text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in [first_line, *text.replace("\f", "\n").splitlines()]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def broken_pdf() -> bytes:
    """A file that claims to be a PDF and is not one (a download gone wrong)."""
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\n" + b"\x00\xff" * 200


# --- officielebekendmakingen -----------------------------------------------------------


@dataclass
class AhLetter:
    """One Aanhangsel letter as the SRU replay serves it."""

    identifier: str
    title: str | None
    date: str
    vergaderjaar: str
    indiener: str | None
    ontvanger: str | None
    xml: bytes


def fragment_letter() -> AhLetter:
    """ah-tk-20142015-1130: the real <vraag>/<antwoord> elements in an assumed envelope."""
    identifier, record = ast.literal_eval(FRAGMENT.read_text(encoding="utf-8"))
    data = record["vraagdata"]
    body = "".join(data[n]["vraag"][1] + data[n]["antwoord"][1] for n in sorted(data, key=int))
    meta = {
        "DC.identifier": identifier, "OVERHEIDop.indiener": record["indiener"][0],
        "OVERHEIDop.ontvanger": record["ontvanger"][0],
        "OVERHEIDop.vergaderjaar": record["vergaderjaar"], "DCTERMS.issued": record["issued"],
        "DCTERMS.available": record["available"],
        "OVERHEIDop.publicationName": "Kamervragen (Aanhangsel)",
    }  # fmt: skip
    return AhLetter(identifier, None, record["issued"], record["vergaderjaar"],
                    record["indiener"][0], record["ontvanger"][0], _envelope(meta, body))


@functools.lru_cache(maxsize=1)
def derived_letters() -> tuple[AhLetter, ...]:
    """The Aanhangsel prints of corpus-real, written as <vraag>/<antwoord> XML."""
    out: list[AhLetter] = []
    for path in letters()["answers"]:
        parsed = parse_file(path)
        doc = parsed.document
        if not doc.aanhangsel or not doc.aanhangsel.startswith("ah-tk-") or not doc.date:
            continue
        years = doc.aanhangsel.split("-")[2]
        body = []
        for p in parsed.passages:
            for n in p.questions:
                body.append(_part("vraag", f"Vraag {n}", p.question_text))
            nrs = " en ".join(str(n) for n in p.questions)
            body.append(_part("antwoord", f"Antwoord {nrs}", p.answer_text))
        meta = {"DC.identifier": doc.aanhangsel, "DC.title": doc.title,
                "DCTERMS.issued": doc.date, "OVERHEIDop.indiener": doc.questioner or "",
                "OVERHEIDop.ontvanger": doc.minister or "",
                "OVERHEIDop.vergaderjaar": f"{years[:4]}-{years[4:]}"}  # fmt: skip
        out.append(AhLetter(doc.aanhangsel, doc.title, doc.date, meta["OVERHEIDop.vergaderjaar"],
                            doc.questioner, doc.minister, _envelope(meta, "".join(body))))
    return tuple(out)


def _part(tag: str, label: str, text: str) -> str:
    paragraphs = "".join(f"<al>{escape(line)}</al>" for line in text.splitlines() if line.strip())
    return f'<{tag}><nr status="officieel">{escape(label)}</nr>{paragraphs}</{tag}>'


def _envelope(meta: dict[str, str], body: str) -> bytes:
    metas = "".join(f"<meta name={quoteattr(k)} content={quoteattr(v)}/>"
                    for k, v in meta.items() if v)  # fmt: skip
    xml = ('<?xml version="1.0" encoding="UTF-8"?><officiele-publicatie><metadata>'
           f"{metas}</metadata><kamervragen>{body}</kamervragen></officiele-publicatie>")
    return xml.encode("utf-8")
