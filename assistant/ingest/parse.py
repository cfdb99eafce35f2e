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

from ..documents import ANSWERS, POSTPONEMENT, QUESTIONS, Document, ParsedLetter, Passage
from . import metadata
from .limits import Deadline, OverBudgetError
from .noise import clean_pages
from .repair import repair_split_words
from .text import clean_text, join_lines, parse_numbers
from .titles import question_title

# Raised whenever the parser's output for the same file changes, so a store that keeps
# parsed passages knows to parse its letters again (2: headings are no page footers,
# titles are repaired, text is cleaned of control characters; 3: line-end hyphens, small
# words no longer joined, more glued words split, titles from the first question, dates
# out of range dropped).
PARSER_VERSION = 3


class ParseError(Exception):
    """The file is not a letter the assistant can index; the message says why."""


_NUMS = r"(?P<nums>\d+(?:\s*(?:,|en|t/m|tot en met|-|–|&)\s*\d+)*)"
# Markers start with a capital: "antwoord op vraag 7." inside a sentence is no marker.
QUESTION_RE = re.compile(r"^(?:Vraag|VRAAG|Vragen)\s+" + _NUMS + r"\s*[.:)]?\s*(?P<rest>.*)$")
ANSWER_RE = re.compile(
    r"^(?:Antwoord|ANTWOORD)(?:en)?(?:\s+op)?(?:\s+(?:de\s+)?vra(?:ag|gen))?\s*" + _NUMS
    + r"?\s*[.:)]?\s*(?P<rest>.*)$"
)
# DOCX drafts number questions as "1. <question>" or a line "1" above the question.
# ("1) …" is how those drafts number their footnotes, so it is no question marker.)
NUMBERED_RE = re.compile(r"^(?P<nums>\d{1,2})(?:\.|(?=\s)|$)\s*(?P<rest>[A-Z‘'\"«“(].*)?$")
# An answer that only points elsewhere: "Zie het antwoord op vraag 7", "Nee, zie antwoord 6",
# "Hiervoor verwijs ik naar mijn antwoord op de vragen 2 en 3".
REFERS_RE = re.compile(
    r"^\(?\s*(?:(?:ja|nee)[,.]?\s+)?(?:zie|(?:hiervoor\s+)?verwijs\s+ik(?:\s+u)?\s+naar|"
    r"ik\s+verwijs(?:\s+u)?\s+naar)\s+(?:ook\s+|verder\s+)?(?:het\s+|mijn\s+)?(?:gegeven\s+)?"
    r"antwoord(?:en)?\s+(?:(?:op|bij|van|onder)\s+)?(?:de\s+)?(?:vra(?:ag|gen)\s+)?" + _NUMS,
    re.IGNORECASE,
)


@dataclass
class _Block:
    kind: str  # "q" or "a"
    numbers: list[int]
    page: int
    lines: list[str] = field(default_factory=list)


def parse_pages(pages: list[str], source: str, sha: str | None = None,
                deadline: Deadline | None = None) -> ParsedLetter:  # fmt: skip
    """Parse the page texts of one file. Raises ParseError if it is no known letter kind,
    or when parsing takes longer than `deadline` (default: limits.PARSE_SECONDS)."""
    deadline = deadline or Deadline()
    try:
        return _parse(pages, source, sha, deadline)
    except ParseError:
        raise
    except OverBudgetError as exc:
        raise ParseError(f"{source}: parsing it {exc}; is it one letter?") from exc
    except Exception as exc:  # a parser bug on one odd file: one line, not a traceback
        raise ParseError(f"{source}: could not be parsed ({type(exc).__name__}: {exc}); "
                         "please report this file") from exc  # fmt: skip


def _parse(pages: list[str], source: str, sha: str | None, deadline: Deadline) -> ParsedLetter:
    sha = sha or hashlib.sha256("\n".join(pages).encode()).hexdigest()
    pages = [clean_text(page) for page in pages]
    raw = "\n".join(pages)
    if not raw.strip():
        raise ParseError(f"{source}: no text in this file (empty, or a scanned PDF without a "
                         "text layer)")  # fmt: skip
    cleaned = clean_pages(pages, deadline)
    lines = [(page_no, line) for page_no, page in enumerate(cleaned.pages, 1)
             for line in page.splitlines()]  # fmt: skip
    lines, endnotes = _endnotes(lines)
    footnotes = {**endnotes, **cleaned.footnotes}
    deadline.check()
    warnings: list[str] = []
    doc = metadata.extract(raw, source=source, doc_id=sha[:12], warnings=warnings)
    doc.pages = len(pages)
    vocabulary = set(re.findall(r"[a-zà-ÿ]{4,}", raw.lower()))
    doc.title = repair_split_words(doc.title, vocabulary)

    blocks = _blocks(lines, deadline)
    numbered = sorted({n for b in blocks if b.kind == "q" for n in b.numbers})
    passages: list[Passage] = []
    if any(b.kind == "a" for b in blocks):
        passages = _passages(blocks, doc, footnotes, vocabulary, deadline)
        if passages and not any(p.answer_text for p in passages):
            raise ParseError(f"{source}: has {len(passages)} answer heading(s) but no answer "
                             "text under them; is the file's text complete?")  # fmt: skip
        passages = [p for p in passages if p.answer_text]  # a heading with nothing under it
    if passages:
        doc.kind = ANSWERS
    elif metadata.is_postponement(raw):
        doc.kind = POSTPONEMENT
    elif numbered or metadata.is_question_letter(raw):
        doc.kind = QUESTIONS
        numbered = numbered or list(range(1, _unnumbered_questions(cleaned.pages) + 1))
    else:
        raise ParseError(f"{source}: not an answer letter, question letter or postponement "
                         "notice (no 'Vraag N' / 'Antwoord' markers, no 'Vragen van het lid' "
                         "introduction)")  # fmt: skip
    untitled = doc.title == metadata.stem_title(source)  # the letter states no subject
    if untitled and doc.kind != POSTPONEMENT:
        first = next((b for b in blocks if b.kind == "q"), None)
        asked = _strip_markers(_clean(join_lines(first.lines), vocabulary), footnotes) \
            if first else ""  # fmt: skip
        doc.title = question_title(asked, doc.questioner) or doc.title
    metadata.finish(doc, raw)
    return ParsedLetter(doc, passages, numbered, warnings, derived_title=untitled)


def parse_file(path: Path, seconds: float | None = None) -> ParsedLetter:
    """Read and parse one file within one time budget (default: limits.PARSE_SECONDS).
    Raises CorpusError (cannot be read) or ParseError (no letter)."""
    from .corpus import read_pages

    deadline = Deadline(seconds) if seconds is not None else Deadline()
    pages = read_pages(path, deadline)
    return parse_pages(list(pages), source=path.name, sha=pages.sha, deadline=deadline)


def _blocks(lines: list[tuple[int, str]], deadline: Deadline) -> list[_Block]:
    """Cut the letter into question and answer blocks at their markers."""
    # Numbered lines are question markers only in letters without "Vraag N" markers, and
    # only in sequence (1, 2, 3 …), so numbered lists inside answers stay answer text.
    numbered_style = not any(QUESTION_RE.match(line.strip()) for _, line in lines)
    blocks: list[_Block] = []
    last_q = 0
    for count, (page, raw) in enumerate(lines):
        if count % 2000 == 0:
            deadline.check()
        line = raw.strip()
        q = QUESTION_RE.match(line)
        n = NUMBERED_RE.match(line) if numbered_style and not q else None
        if n and int(n.group("nums")) != last_q + 1:
            n = None
        a = None if q or n else ANSWER_RE.match(line)
        if a and not a.group("nums") and a.group("rest") and not line.endswith(":"):
            a = None  # "Antwoord van minister …" is a header, not an answer marker
        if q or n:
            match = q or n
            assert match is not None
            nums = parse_numbers(match.group("nums"))
            last_q = max(nums + [last_q])
            blocks.append(_Block("q", nums, page, [match.group("rest") or ""]))
        elif a:
            nums = parse_numbers(a.group("nums") or "")
            blocks.append(_Block("a", nums, page, [a.group("rest")]))
        elif blocks:
            blocks[-1].lines.append(line)
    return blocks


ENDNOTE_BASE = 1000
_ENDNOTE = re.compile(r"^\s*(?:\[(?P<a>\d{1,2})\]|(?P<b>\d{1,2})\))\s*(?P<text>.*)$")


def _endnotes(lines: list[tuple[int, str]]
              ) -> tuple[list[tuple[int, str]], dict[int, str]]:  # fmt: skip
    """Cut the question letter's endnotes ("1) NOS, 25 januari …", "[1] …") off the end.

    They trail the last answer; the text refers to them as "…? 1)" or "…[1]", and those
    references become footnote markers so the notes go with the passages that cite them.
    """
    # Notes follow the last question or answer marker: find it once (linear time).
    last_marker = max((i for i, (_, x) in enumerate(lines)
                       if QUESTION_RE.match(x.strip()) or ANSWER_RE.match(x.strip())),
                      default=-1)  # fmt: skip
    start = None
    for i in range(last_marker + 1, len(lines)):
        match = _ENDNOTE.match(lines[i][1])
        if match and (match.group("a") or match.group("b")) == "1" and \
                re.match(r"[A-Z\[(“‘'\"«]|https?:|www\.", match.group("text")):  # fmt: skip
            start = i
            break
    if start is None:
        return lines, {}
    notes: dict[int, list[str]] = {}
    current = 0
    for _, line in lines[start:]:
        match = _ENDNOTE.match(line)
        number = int(match.group("a") or match.group("b")) if match else 0
        if match and number == current + 1:
            current = number
            line = match.group("text")
        if current:
            notes.setdefault(current, []).append(line.strip())
    # Keyed apart from page footnotes, which a letter may number from 1 as well.
    endnotes = {ENDNOTE_BASE + n: _one_note(v) for n, v in notes.items()}

    body = [(page, _mark_endnotes(line, endnotes)) for page, line in lines[:start]]
    return body, endnotes


_ENDNOTE_REF = re.compile(r"(?<=[\w?.!»’'”\"\x00)]) ?(?:\[(\d{1,2})\]|(\d{1,2})\))"
                          r"(?=\s|$|[.,;:])")  # fmt: skip


def _mark_endnotes(line: str, endnotes: dict[int, str]) -> str:
    """Replace note references in a line by markers, except inside parentheses ("(lid 1)").
    One pass, tracking the last "(" and ")" seen, so a long line stays linear."""
    parts: list[str] = []
    done = 0
    last_open = last_close = -1
    for match in _ENDNOTE_REF.finditer(line):
        between = line[done:match.start()]
        if "(" in between:
            last_open = done + between.rfind("(")
        if ")" in between:
            last_close = done + between.rfind(")")
        number = ENDNOTE_BASE + int(match.group(1) or match.group(2))
        parts.append(between)
        if number in endnotes and last_open <= last_close:
            parts.append(f"\x00fn{number}\x00")
        else:
            parts.append(match.group(0))
        done = match.end()
        if match.group(2):  # "1)" ends in a ")" that later references see, as before
            last_close = done - 1
    parts.append(line[done:])
    return "".join(parts)


def _one_note(lines: list[str]) -> str:
    text = re.sub(r"\s+", " ", " ".join(lines)).strip()
    return re.sub(r"(https?://\S*-) (?=\S)", r"\1", text)  # a URL broken after a hyphen


def _unnumbered_questions(pages: list[str]) -> int:
    """Questions of a letter whose list numbers were lost: paragraphs asking something."""
    text = "\n".join(pages)
    intro = re.search(r"Vragen\s+(?:gesteld\s+)?van\s+(?:het|de)\s+le(?:den|d)\b.*", text)
    body = text[intro.end():] if intro else text
    return sum(1 for para in re.split(r"\n\s*\n", body)
               if "?" in para and not re.match(r"\s*(?:\d+\)|\[\d+\])", para))


def _passages(blocks: list[_Block], doc: Document, footnotes: dict[int, str],
              vocabulary: set[str], deadline: Deadline) -> list[Passage]:  # fmt: skip
    questions: dict[int, str] = {}
    pending: dict[int, None] = {}  # questions asked since the last answer (an ordered set)
    passages: list[Passage] = []
    for block in blocks:
        deadline.check()
        text = _clean(join_lines(block.lines), vocabulary)
        if block.kind == "q":
            for number in block.numbers:  # "Vraag 5 en 6": one text asks both
                questions[number] = text
                pending[number] = None
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
        for number in numbers:
            pending.pop(number, None)
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
    text = re.sub(r" +([.,;:])", r"\1", _FN_MARK.sub("", text))
    # Note references whose notes the file lacks: "…Nutri-Score’ (Kassa, 2024)? 1)"
    return re.sub(r"(?<=[?.!])(?:\s+\d{1,2}\))+(?=\s*$|\n)", "", text, flags=re.M).strip()


def _clean(text: str, vocabulary: set[str]) -> str:
    return repair_split_words(text, vocabulary).strip()


def _dedupe_ids(passages: list[Passage]) -> list[Passage]:
    seen: dict[str, int] = {}
    for passage in passages:
        count = seen.get(passage.passage_id, 0)
        seen[passage.passage_id] = count + 1
        if count:
            passage.passage_id += f"-{count + 1}"
    return passages
