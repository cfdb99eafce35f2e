"""Parse one letter's page texts into a Document and its Passages.

The parser works on lines: it removes page noise and footnotes page by page, finds the
question markers ("Vraag 3") and answer markers ("Antwoord op vragen 12 en 13"), and
pairs every answer with the questions it answers. Metadata comes from the sender block
and the "Vragen van het lid …" introduction; what a letter does not say stays None.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import metadata
from .documents import ANSWERS, POSTPONEMENT, QUESTIONS, Document, ParsedLetter, Passage
from .noise import clean_pages
from .text import join_lines, parse_numbers, repair_split_words

PARSER_VERSION = "1"


class ParseError(Exception):
    """The file is not a letter the assistant can index; the message says why."""


_NUMS = r"(?P<nums>\d+(?:\s*(?:,|en|t/m|tot en met|-|–|&)\s*\d+)*)"
# Markers start with a capital: "antwoord op vraag 7." inside a sentence is no marker.
QUESTION_RE = re.compile(r"^(?:Vraag|VRAAG|Vragen)\s+" + _NUMS + r"\s*[.:)]?\s*(?P<rest>.*)$")
ANSWER_RE = re.compile(
    r"^(?:Antwoord|ANTWOORD)(?:en)?(?:\s+op)?(?:\s+(?:de\s+)?vra(?:ag|gen))?\s*" + _NUMS
    + r"?\s*[.:)]?\s*(?P<rest>.*)$"
)
REFERS_RE = re.compile(
    r"^\(?\s*(?:zie|ik verwijs naar)\s+(?:het\s+|mijn\s+)?antwoord(?:en)?\s+op\s+"
    r"(?:de\s+)?vra(?:ag|gen)\s+" + _NUMS,
    re.IGNORECASE,
)


@dataclass
class _Block:
    kind: str  # "q" or "a"
    numbers: list[int]
    page: int
    lines: list[str] = field(default_factory=list)


def parse_pages(pages: list[str], source: str, sha: str | None = None) -> ParsedLetter:
    """Parse the page texts of one file. Raises ParseError if it is no known letter kind."""
    raw = "\n".join(pages)
    sha = sha or hashlib.sha256(raw.encode()).hexdigest()
    cleaned = clean_pages(pages)
    lines = [(page_no, line) for page_no, page in enumerate(cleaned.pages, 1)
             for line in page.splitlines()]  # fmt: skip
    doc = metadata.extract(raw, source=source, doc_id=sha[:12])
    doc.pages = len(pages)

    blocks = _blocks(lines)
    numbered = sorted({n for b in blocks if b.kind == "q" for n in b.numbers})
    has_answers = any(b.kind == "a" for b in blocks)
    if metadata.is_postponement(raw):
        doc.kind = POSTPONEMENT
        return ParsedLetter(doc, [], numbered)
    if not has_answers:
        if numbered:
            doc.kind = QUESTIONS
            return ParsedLetter(doc, [], numbered)
        raise ParseError(f"{source}: no 'Vraag N' / 'Antwoord' markers found; "
                         "this does not look like an answer letter")  # fmt: skip
    doc.kind = ANSWERS
    vocabulary = set(re.findall(r"[a-zà-ÿ]{4,}", raw.lower()))
    passages = _passages(blocks, doc, cleaned.footnotes, vocabulary)
    if not passages:
        raise ParseError(f"{source}: answer markers found but no answer text")
    return ParsedLetter(doc, passages, numbered)


def parse_file(path: Path) -> ParsedLetter:
    from .corpus import file_hash, read_pages

    return parse_pages(read_pages(path), source=path.name, sha=file_hash(path))


def _blocks(lines: list[tuple[int, str]]) -> list[_Block]:
    """Cut the letter into question and answer blocks at their markers."""
    blocks: list[_Block] = []
    for page, raw in lines:
        line = raw.strip()
        q = QUESTION_RE.match(line)
        a = None if q else ANSWER_RE.match(line)
        if a and not a.group("nums") and a.group("rest") and not line.endswith(":"):
            a = None  # "Antwoord van minister …" is a header, not an answer marker
        if q:
            blocks.append(_Block("q", parse_numbers(q.group("nums")), page, [q.group("rest")]))
        elif a:
            nums = parse_numbers(a.group("nums") or "")
            blocks.append(_Block("a", nums, page, [a.group("rest")]))
        elif blocks:
            blocks[-1].lines.append(line)
    return blocks


def _passages(blocks: list[_Block], doc: Document, footnotes: dict[int, str],
              vocabulary: set[str]) -> list[Passage]:  # fmt: skip
    questions: dict[int, str] = {}
    pending: list[int] = []  # questions asked since the last answer
    passages: list[Passage] = []
    for block in blocks:
        text = _clean(join_lines(block.lines), vocabulary)
        if block.kind == "q":
            for number in block.numbers:  # "Vraag 5 en 6": one text asks both
                questions[number] = text
                pending.append(number)
            continue
        numbers = block.numbers or list(pending)
        if not numbers:
            continue
        answer, refs = _take_footnotes(text, footnotes)
        question_text = _question_text(numbers, questions)
        _, q_refs = _take_footnotes(question_text, footnotes)
        pid = f"{doc.key}-q{'+'.join(str(n) for n in numbers)}"
        refers = REFERS_RE.match(answer)
        passages.append(Passage(
            passage_id=pid, doc_id=doc.doc_id, questions=numbers,
            question_text=_strip_markers(question_text, footnotes), answer_text=answer,
            page=block.page,
            footnotes=[repair_split_words(footnotes[n], vocabulary)
                       for n in sorted(set(refs + q_refs))],
            refers_to=parse_numbers(refers.group("nums")) if refers else [],
        ))  # fmt: skip
        pending = [n for n in pending if n not in numbers]
    return _dedupe_ids(passages)


def _question_text(numbers: list[int], questions: dict[int, str]) -> str:
    known = [n for n in numbers if n in questions]
    texts = list(dict.fromkeys(questions[n] for n in known))
    if len(texts) == 1:
        return texts[0]
    return "\n".join(f"Vraag {n}: {questions[n]}" for n in known)


_FN_MARK = re.compile(r"\x00fn(\d+)\x00")


def _take_footnotes(text: str, footnotes: dict[int, str]) -> tuple[str, list[int]]:
    refs = [int(n) for n in _FN_MARK.findall(text) if int(n) in footnotes]
    return _strip_markers(text, footnotes), refs


def _strip_markers(text: str, footnotes: dict[int, str]) -> str:
    return re.sub(r" +([.,;:])", r"\1", _FN_MARK.sub("", text)).strip()


def _clean(text: str, vocabulary: set[str]) -> str:
    text = repair_split_words(text, vocabulary)
    # Endnotes of the question letter ("[1] RTV Oost, …") trail the last answer.
    text = re.split(r"\n\[\d+\]\s", "\n" + text, maxsplit=1)[0].strip()
    return text


def _dedupe_ids(passages: list[Passage]) -> list[Passage]:
    seen: dict[str, int] = {}
    for passage in passages:
        count = seen.get(passage.passage_id, 0)
        seen[passage.passage_id] = count + 1
        if count:
            passage.passage_id += f"-{count + 1}"
    return passages
