"""Every value read from disk is untrusted: how a store turns a value that does not parse
into one "damaged" line, for both backends.

A store's read methods are wrapped (`guard_reads`): a ValueError, TypeError, KeyError,
IndexError or OverflowError raised while reading rows (a counter 'abc', a passage column
that is not JSON, a number where text belongs) makes the store run its integrity check
(`Store.check`) and raise one DamagedError naming the first problem found, and how to
mend it: `assistant index --force`, which moves the damaged data aside and builds the
index anew (see rebuild.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from .base import DamagedError, StoreError

# Errors a value read from disk can raise while it is turned into documents, passages,
# counters and vectors (json.JSONDecodeError and UnicodeDecodeError are ValueErrors).
UNTRUSTED = (ValueError, TypeError, KeyError, IndexError, OverflowError)
MAX_REASON = 240  # characters of the reason shown
# The Store methods that read rows (both backends wrap them with guard_reads).
READS = ("generation", "get_meta", "refresh", "vectors", "counts", "documents", "document",
         "find_documents", "same_letters", "letter", "passage_by_id", "export",
         "vector_candidates", "nearest_units", "lexical_stats", "lexical_candidates", "sample",
         "signal_rows", "reference_docs", "doc_passages", "article_passages", "hits",
         "referred")  # fmt: skip

C = TypeVar("C", bound=type)


def damaged_message(where: str, reason: str, fix: str = "assistant index --force") -> str:
    reason = " ".join(str(reason).split())
    if len(reason) > MAX_REASON:
        reason = reason[:MAX_REASON - 1] + "…"
    return f"the index in {where} is damaged ({reason}); rebuild it with: {fix}"


def reason_of(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, KeyError):
        return f"a value is missing: {text}"
    return text or type(exc).__name__


def guard_reads(*names: str) -> Callable[[C], C]:
    """Class decorator: the named methods report untrusted values as one DamagedError,
    built by the store's `damaged(exc)` (which runs the integrity check)."""

    def decorate(cls: C) -> C:
        for name in names:
            if hasattr(cls, name):
                setattr(cls, name, _guarded(getattr(cls, name)))
        return cls

    return decorate


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except UNTRUSTED as exc:
            raise self.damaged(exc) from exc

    return run


def first_problem(problems: list[str], exc: BaseException | None) -> str:
    """What to name in the damaged line: the check's first finding, else the error."""
    if problems:
        more = f"; and {len(problems) - 1} more problem(s)" if len(problems) > 1 else ""
        return problems[0] + more
    return reason_of(exc) if exc is not None else "unknown"


def raise_damaged(where: str, problems: list[str], fix: str = "assistant index --force"
                  ) -> None:  # fmt: skip
    if problems:
        raise DamagedError(damaged_message(where, first_problem(problems, None), fix))
