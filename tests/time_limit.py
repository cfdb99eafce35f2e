"""A time limit for one call: for tests of code that used to hang (a trickling server, a
pager that links to itself), so that old code fails the test instead of stalling it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def within(seconds: float, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`call(*args, **kwargs)` run in a daemon thread; its result, or its exception raised
    here. Fails the test when it has not returned within `seconds` (the thread is left to
    the end of the process: nothing can stop a blocked call from outside)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call(*args, **kwargs)
        except BaseException as exc:  # handed to the test's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise AssertionError(f"{getattr(call, '__name__', call)} did not return within "
                             f"{seconds:g} s")  # fmt: skip
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
