"""The verdict per question: answered, related, new or procedural.

  procedural  an opener that only asks whether the minister knows a report ("Bent u
              bekend met het bericht …?", "Kent u …?") or the closing "Kunt u deze vragen
              … beantwoorden?"; the best match is still shown.
  answered    an earlier passage answers it: the best passage stands out from everyday
              background text by at least ANSWERED (the `margin` of search/answerable.py,
              a cosine difference) and its shown score is at least ANSWERED_SCORE.
  related     only near-topic passages: margin at least RELATED.
  new         nothing relevant.

The thresholds were calibrated on benchmarks/match/ (question documents re-asking seed
and corpus-real letters, genuinely new questions and openers; benchmarks/bench_match.py):
a wrong `answered` costs more than a missed one. There every re-asked question had a
margin of at least 0.065 and a best score of at least 0.969; of the questions no earlier
letter answers, four had a margin of 0.055–0.072 (Natura 2000, stikstof and a prison: the
index holds other ministers' answers on nearby policy), and the one above 0.06 scored
0.914. Margin ≥ 0.06 and score ≥ 0.95 call all 28 re-asked questions answered and none of
the 19 others; RELATED = 0.03 keeps every near-topic question "related" (their margins:
0.038–0.049) while the most remote new ones fall to "new".
"""

from __future__ import annotations

import re

from ..documents import Passage
from ..store.records import is_procedural as _closing

ANSWERED = 0.06  # margin (best cosine − best background cosine) from which: answered,
ANSWERED_SCORE = 0.95  # when the best hit's shown score (0–1) is at least this too
RELATED = 0.03  # margin from which: related

VERDICTS = ("answered", "related", "new", "procedural")

_OPENER = re.compile(
    r"^\W*(?:Bent\s+u\s+(?:bekend|op\s+de\s+hoogte|het\s+eens)\s+(?:met|van)|Kent\s+u|"
    r"Heeft\s+u\s+kennis\s*genomen\s+van|Hebt\s+u\s+kennis\s*genomen\s+van|"
    r"Is\s+het\s+u\s+bekend|Heeft\s+u\s+(?:het|de)\b.{0,80}?\b(?:gelezen|gezien|gehoord)|"
    r"Are\s+you\s+(?:aware|familiar)\s+(?:of|with)|Have\s+you\s+(?:seen|read))\b",
    re.I | re.S,
)


def is_procedural_question(text: str) -> bool:
    """An opener that only asks whether the report is known, or the closing question."""
    text = text.strip()
    if _closing(Passage("", "", [], text, "")):
        return True
    if not _OPENER.match(text):
        return False
    # "Bent u bekend met X? Wat vindt u daarvan?" asks more than the opener: not procedural
    first = text.find("?")
    return first < 0 or not re.search(r"\w", text[first + 1:])


def verdict(text: str, margin: float | None, score: float | None) -> str:
    """The verdict for a question, from its best hit's margin and shown score."""
    if is_procedural_question(text):
        return "procedural"
    if margin is None or score is None:
        return "new"
    if margin >= ANSWERED and score >= ANSWERED_SCORE:
        return "answered"
    return "related" if margin >= RELATED else "new"
