"""Resource limits for reading and parsing one letter, in one place (the README cites them).

A real answer letter is small: the 45 real and seed letters are 5–30 KB of text and at most
about 15 pages. Every limit below is far above that (60× or more), so it only stops files
that are not one letter (an archive of many, a zip bomb, a scan of a book) before they cost
minutes of CPU or gigabytes of memory. Each check happens before the costly step it
guards: file sizes before reading, a .docx's zip directory before unzipping, page counts
before extracting, and the time budget between pages and while parsing.
"""

from __future__ import annotations

import time

MB = 1_000_000

# Largest file accepted, by type. PDFs and Word files may carry images and fonts, so they
# get more room than plain text; a 2 MB .txt is about 600 pages of a letter.
MAX_FILE_BYTES = {".txt": 2 * MB, ".pdf": 50 * MB, ".docx": 50 * MB}

# A .docx is a zip: the sizes its directory declares are checked before anything is
# unzipped (Python's zipfile never inflates more than the declared size). Word's XML
# for a 100-page letter is about 2 MB; images and fonts count towards the total.
MAX_DOCX_UNCOMPRESSED = 200 * MB  # all entries together
MAX_DOCX_XML = 25 * MB  # all .xml/.rels entries together: they are parsed into memory
MAX_DOCX_ENTRIES = 5_000  # a letter has about 20

# PDFs: pages are counted before text is extracted; a 500-page PDF is no single letter.
# (pypdf itself caps each decompressed stream at 75 MB.)
MAX_PDF_PAGES = 500

# Text of one letter after extraction, any format: 2 million characters is about 600
# pages. Checked as pages are extracted, so a huge PDF stops early. Parsing takes about
# 5 s per million characters on a laptop core, so this much text parses well within the
# time budget below.
MAX_TEXT_CHARS = 2_000_000

# Wall-clock budget for reading one file, and again for parsing it. A real letter takes
# 0.01–2 s on a laptop CPU; parsing is linear in the text size (the largest text allowed
# above takes about 10 s), so only pathological files come near this.
PARSE_SECONDS = 30.0

# Texts embedded for one letter ("units", see store/units.py: about 4-5 per passage; the
# largest of the 45 real letters has 137). 3,000 is over 20 times that and about 3 minutes
# of embedding on a 2-core laptop; a letter with more is no single answer letter (a 2 MB
# text of one answer makes about 8,000), and would hold the index's writer for many
# minutes. It also keeps every unit id in range (store/base.py: 16,384 per passage).
MAX_UNITS_PER_LETTER = 3_000

# Text the model reads for one letter: its passages' subject + question + answer, in
# characters (counted before anything is tokenized or embedded). The largest of the 45
# real letters has 30,000; 500,000 (about 125,000 tokens, a few minutes of embedding on a
# 2-core laptop) is 17 times that. It stops letters with few but enormous answers, which
# the unit count above lets through: a 2 MB .txt whose one answer is one long sentence
# makes only 2 units but 500,000 tokens (many minutes).
MAX_CHARS_PER_LETTER = 500_000

# An evaluation file (JSONL questions): 20 MB is about 100,000 questions.
MAX_EVAL_BYTES = 20 * MB


def size_text(n: int) -> str:
    """Bytes for people: "700 MB", "4.2 MB", "12 KB"."""
    if n >= 10 * MB:
        return f"{n / MB:.0f} MB"
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{max(1, round(n / 1000))} KB"


class OverBudgetError(Exception):
    """The time budget of one file ran out; callers name the file in their own error."""


class Deadline:
    """A wall-clock budget checked between steps (pages, lines, passages).

    A single library call (one PDF page) cannot be interrupted, so a file may overrun by
    the time of one such step; the steps are small by the limits above.
    """

    def __init__(self, seconds: float = PARSE_SECONDS) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise OverBudgetError(f"took longer than the {self.seconds:g} s allowed for one file")


class FileProblemError(Exception):
    """What is wrong with a file (too large, damaged, unsafe), said without its name:
    `corpus.read_pages` puts the name in front and raises CorpusError."""
