"""Question → ranked, cited hits: fusion of vector, lexical and reference signals."""

from .rank import Filters, QuestionError, Result, Searcher, Weights, clean_question, is_procedural

__all__ = ["Filters", "QuestionError", "Result", "Searcher", "Weights", "clean_question",
           "is_procedural"]
