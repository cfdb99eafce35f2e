"""Reading a new question document into its numbered questions.

A question document ("Vragen van het lid X over Y (ingezonden …)") numbers its questions
in one of the layouts the letter parser knows (`assistant.ingest.parse`): "Vraag 1",
"1." (or a line "1" above the question), and also "1)". Text before the first question is
the preamble (title, questioner, date); a question runs on until the next one, over
paragraphs and pages; endnotes after the last question ("1) NOS, 25 januari …", "[1] …")
and note references in the questions ("…? 1)") are left out.

An answer letter or a postponement notice is no new set of questions: `QuestionsError`
says so (and for an answer letter offers `assistant ask`).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import ANSWERS, POSTPONEMENT, Document
from ..ingest import metadata
from ..ingest.limits import Deadline
from ..ingest.noise import clean_pages
from ..ingest.parse import NUMBERED_RE, QUESTION_RE, ParseError, parse_pages
from ..ingest.repair import repair_split_words
from ..ingest.text import clean_text, join_lines
from ..search.rank import MAX_QUESTION_CHARS, QuestionError

# A document with more questions than this is refused: real sets have 2–40 questions (the
# largest of ../shared/corpus-real has 73), and each question costs one search.
MAX_QUESTIONS = 80
# "1) Question": the layout the letter parser leaves out (its drafts number footnotes so);
# here it is a question marker when the lines so numbered rise 1, 2, 3 …
PAREN_RE = re.compile(r"^(?P<nums>\d{1,2})\)\s*(?P<rest>[A-Z‘'\"«“(].*)?$")
# Endnotes after the last question: "1) NOS, …", "[1] https://…", "1 Hartvannederland.nl …"
_NOTE_START = re.compile(r"^\s*(?:\[1\]|1\)|1(?=\s+(?:https?:|www\.|[A-Z][\w.]*[,.])))\s*\S")
_NOTE_REF = re.compile(r"(?<=[?.!»”’'\"\w])\s?(?:\[\d{1,2}\]|\d{1,2}\))(?=\s|$|[.,;:])")
# Lines that close a question document: nothing after them is part of the last question.
_TRAILER = re.compile(r"^\s*(?:(?:Toelichting|Mededeling|Noten?|Voetnoten?|Bronnen?)\s*:?|"
                      r"[_\-–—=*]{5,})\s*$", re.I)  # fmt: skip


class QuestionsError(QuestionError):
    """The input is no question document the matcher can read; the message says why."""


@dataclass
class Question:
    number: int
    text: str
    page: int = 1


@dataclass
class QuestionDocument:
    """What was read: the document's metadata (None where it states none) and questions."""

    document: Document
    questions: list[Question] = field(default_factory=list)
    layout: str = ""  # "Vraag N", "N." or "N)"

    def summary(self) -> dict[str, object]:
        doc = self.document
        return {"title": doc.title, "questioner": doc.questioner, "party": doc.party,
                "date": doc.date, "zaak": doc.uw_kenmerk, "source": doc.source,
                "layout": self.layout, "questions": len(self.questions)}  # fmt: skip


def read_questions(pages: list[str], source: str,
                   deadline: Deadline | None = None) -> QuestionDocument:  # fmt: skip
    """The numbered questions of a question document; QuestionsError when there are none,
    too many, or the document is an answer letter or postponement notice."""
    deadline = deadline or Deadline()
    pages = [clean_text(page) for page in pages]
    raw = "\n".join(pages)
    if not raw.strip():
        raise QuestionsError(f"{source}: no text (empty, or a scanned PDF without a text "
                             "layer); paste the questions, or give a .txt, .pdf or .docx "
                             "with text")  # fmt: skip
    doc = _document(pages, raw, source, deadline)
    cleaned = clean_pages(pages, deadline)
    lines = [(page_no, line.strip()) for page_no, page in enumerate(cleaned.pages, 1)
             for line in page.splitlines()]  # fmt: skip
    layout, starts = _markers(lines)
    if not starts and metadata.is_question_letter(raw):
        questions = _paragraphs(cleaned.pages, _vocabulary(raw))
        if questions:
            _check_count(len(questions), source)
            return QuestionDocument(doc, questions, "paragraphs")
    if not starts:
        raise QuestionsError(
            f"{source}: no numbered questions found (expected 'Vraag 1', '1.' or '1)' before "
            "each question); for a single question use: assistant ask \"…\"")  # fmt: skip
    _check_count(len(starts), source)
    vocabulary = _vocabulary(raw)
    questions = []
    ends = [i for i, _, _ in starts[1:]] + [_last_end(lines, starts[-1][0])]
    for (at, number, rest), end in zip(starts, ends):
        body = [rest] + [line for _, line in lines[at + 1:end]]
        text = _tidy(join_lines(body), vocabulary)
        if text:
            questions.append(Question(number, text, lines[at][0]))
    if not questions:
        raise QuestionsError(f"{source}: the numbered questions have no text")
    return QuestionDocument(doc, questions, layout)


def _vocabulary(raw: str) -> set[str]:
    return set(re.findall(r"[a-zà-ÿ]{4,}", raw.lower()))


def _tidy(text: str, vocabulary: set[str]) -> str:
    """A question's text: split words mended, note references gone, bounded."""
    text = _NOTE_REF.sub("", repair_split_words(text, vocabulary)).strip()
    return re.sub(r"[ \t]+", " ", text)[:MAX_QUESTION_CHARS]


def _check_count(count: int, source: str) -> None:
    if count > MAX_QUESTIONS:
        raise QuestionsError(f"{source}: {count} numbered questions; at most {MAX_QUESTIONS} "
                             "per document (split it into parts)")  # fmt: skip


def _paragraphs(pages: list[str], vocabulary: set[str]) -> list[Question]:
    """Questions of a document whose list numbers were lost (Word's automatic numbering
    does not survive as text): the paragraphs after the introduction that ask something,
    numbered 1, 2, 3 … as the letter parser counts them."""
    text = "\n".join(pages)
    intro = re.search(r"Vragen\s+(?:gesteld\s+)?van\s+(?:het|de)\s+le(?:den|d)\b.*", text)
    body = text[intro.end():] if intro else text
    found: list[Question] = []
    for para in re.split(r"\n\s*\n", body):
        if "?" in para and not re.match(r"\s*(?:\d+\)|\[\d+\])", para):
            found.append(Question(len(found) + 1, _tidy(join_lines(para.splitlines()),
                                                         vocabulary)))  # fmt: skip
    return found


def _document(pages: list[str], raw: str, source: str, deadline: Deadline) -> Document:
    """The document's metadata; refuses answer letters and postponement notices."""
    try:
        letter = parse_pages(pages, source=source, deadline=deadline)
    except ParseError:
        letter = None  # pasted questions without an introduction: still readable
    if letter and letter.document.kind == ANSWERS:
        first = letter.passages[0].question_text.split("\n")[0] if letter.passages else ""
        if len(first) > 80:  # whole words, and quoted so the suggestion pastes into a shell
            first = first[:80].rsplit(" ", 1)[0]
        example = f" (e.g. assistant ask {shlex.quote(first)})" if first else ""
        raise QuestionsError(
            f"{source}: this is an answer letter ({len(letter.passages)} answered questions), "
            "not a new set of questions; add it to the index with: assistant add, or search "
            f"for one of its questions with: assistant ask{example}")  # fmt: skip
    if letter and letter.document.kind == POSTPONEMENT:
        raise QuestionsError(f"{source}: this is a postponement notice (Uitstel beantwoording),"
                             " not a set of questions; give the questions themselves")  # fmt: skip
    if letter:
        return letter.document
    doc = metadata.extract(raw, source=source, doc_id="")
    doc.kind = "questions"
    metadata.finish(doc, raw)
    return doc


Marker = tuple[int, int, str]  # line index, question number, text after the marker


def _markers(lines: list[tuple[int, str]]) -> tuple[str, list[Marker]]:
    """The layout and the marker of each question's start."""
    vraag = [(i, int(re.match(r"\d+", m.group("nums")).group()), m.group("rest") or "")  # type: ignore[union-attr]
             for i, (_, line) in enumerate(lines) if (m := QUESTION_RE.match(line))]  # fmt: skip
    if vraag:
        return "Vraag N", vraag
    found = {name: _rising(lines, pattern) for name, pattern in
             (("N.", NUMBERED_RE), ("N)", PAREN_RE))}  # fmt: skip
    if len(found["N)"]) < 2:  # one "1)" line is a note, no list of questions
        found["N)"] = []
    layout = max(found, key=lambda name: len(found[name]))
    return layout, found[layout]


def _rising(lines: list[tuple[int, str]], pattern: re.Pattern[str]) -> list[Marker]:
    """Lines numbered 1, 2, 3 … by pattern (a restart at 1 ends the run: endnotes)."""
    out: list[Marker] = []
    for i, (_, line) in enumerate(lines):
        match = pattern.match(line)
        if match and int(match.group("nums")) == len(out) + 1:
            out.append((i, len(out) + 1, match.group("rest") or ""))
        elif match and out and int(match.group("nums")) == 1:
            break
    return out


def _last_end(lines: list[tuple[int, str]], start: int) -> int:
    """Where the last question ends: at endnotes, a closing heading, or the text's end."""
    for i in range(start + 1, len(lines)):
        line = lines[i][1]
        if _NOTE_START.match(line) or _TRAILER.match(line):
            return i
    return len(lines)


def read_source(path: Path | None = None, text: str | None = None,
                name: str = "pasted text") -> QuestionDocument:  # fmt: skip
    """The questions of a file (.txt, .pdf, .docx) or of pasted text."""
    from ..ingest.corpus import CorpusError, read_pages, split_text_pages
    from ..ingest.limits import MAX_TEXT_CHARS

    if path is None:
        text = text or ""
        if not text.strip():
            raise QuestionsError("nothing pasted: paste the questions (numbered 'Vraag 1', "
                                 "'1.' or '1)') or give a .txt, .pdf or .docx file")  # fmt: skip
        if len(text) > MAX_TEXT_CHARS:
            raise QuestionsError(f"{name}: more than {MAX_TEXT_CHARS:,} characters; one "
                                 "question document at a time")  # fmt: skip
        return read_questions(split_text_pages(text), name)
    if path.is_dir():
        raise CorpusError(f"{path} is a folder; give one question document (.txt, .pdf, .docx)")
    if not path.is_file():
        raise CorpusError(f"{path}: no such file")
    deadline = Deadline()
    return read_questions(list(read_pages(path, deadline)), path.name, deadline)
