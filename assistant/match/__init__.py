""""Asked before?": match a new set of parliamentary questions against every answer given.

`split` reads a question document into its numbered questions, `engine` searches the index
for each (one embedding batch, the document's own answer letter left out), `verdict` says
answered / related / new / procedural, `report` writes JSON, text, .md, .csv and .docx.
"""

from .engine import HITS, Matched, MatchReport, match
from .split import MAX_QUESTIONS, QuestionDocument, QuestionsError, read_questions, read_source

__all__ = ["HITS", "MAX_QUESTIONS", "MatchReport", "Matched", "QuestionDocument",
           "QuestionsError", "match", "read_questions", "read_source"]
