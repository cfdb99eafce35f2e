"""The `search` API endpoint's arguments, checked so that every mistake gets a message.

Callers (gradio_client, raw HTTP, other programs) send JSON: a number may come as a
string, a list or null. Each wrong value is refused with a sentence naming the argument,
what it must be and what came; a caller never gets a bare `{"error": null}`.
"""

from __future__ import annotations

import math
from typing import Any

from ..ingest.text import typed_text

MAX_K = 50
DEFAULT_K = 5


class ArgumentError(ValueError):
    """An argument of the API call is wrong; the message says which and why."""


def shown(value: Any) -> str:
    """A short description of what the caller sent."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def check_question(question: Any) -> str:
    """The question as text; None is an empty question (reported as such by the search)."""
    if question is None:
        return ""
    if not isinstance(question, str):
        raise ArgumentError(f"question must be text, got {type(question).__name__} "
                            f"{shown(question)}")  # fmt: skip
    return typed_text(question)  # JSON's "\udcff" is a lone surrogate: no encoder takes it


def check_k(k: Any) -> int:
    """k as a whole number from 1 to MAX_K; missing (None) means DEFAULT_K."""
    if k is None:
        return DEFAULT_K
    wrong = ArgumentError(f"k must be a whole number from 1 to {MAX_K}, got {shown(k)}")
    if isinstance(k, bool):
        raise wrong
    if isinstance(k, str):
        try:
            k = int(k.strip())
        except ValueError:
            raise wrong from None
    if isinstance(k, float):
        if not math.isfinite(k) or k != int(k):
            raise wrong
        k = int(k)
    if not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise wrong
    return k
