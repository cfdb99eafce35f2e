"""A polite HTTP client for the open-data services: timeouts, retries, a rate limit.

Retries (with exponential backoff) cover what passes: 429 and 5xx answers, network
errors, timeouts, and bodies cut off mid-way. A `Retry-After` header is honoured. Every
request waits its turn under the rate limit, retries included, and names the project in
its User-Agent so the services' operators know who is calling.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from importlib import metadata
from typing import Any, TypeVar

import httpx

from ... import __version__

T = TypeVar("T")

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


def _user_agent() -> str:
    """"kamervragen-assistant/<version> (+<url>)", the url from the package's Project-URL."""
    try:
        urls = metadata.metadata("kamervragen-assistant").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:  # running from a source tree without install
        urls = []
    url = next((u.split(",", 1)[-1].strip() for u in urls), None)
    return f"kamervragen-assistant/{__version__}" + (f" (+{url})" if url else "")


USER_AGENT = _user_agent()


class FetchError(Exception):
    """A request that failed for good (after retries); the message is one line for the user."""

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient  # False: asking again will not help (404, bad shape …)


@dataclass
class HttpPolicy:
    """How hard and how fast to ask. Tests shrink the times; users may lower the rate."""

    timeout: float = 30.0  # seconds for connect, each read, and write
    retries: int = 4  # extra attempts after the first
    backoff: float = 1.0  # first wait in seconds; doubles on every retry
    max_wait: float = 120.0  # longest single wait; a longer Retry-After ends the request
    rate: float = 3.0  # requests per second at most (0: no limit)
    user_agent: str = field(default=USER_AGENT)


class _PassingError(Exception):
    """One attempt failed in a way that may pass; `wait` is what the server asked, if any."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


class PoliteClient:
    """GET with the policy above. Use as a context manager, or call `close()`."""

    def __init__(self, policy: HttpPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.policy = policy or HttpPolicy()
        self._sleep = sleep
        self._last_start = float("-inf")
        self.requests = 0  # attempts made, retries included
        self._http = httpx.Client(
            timeout=httpx.Timeout(self.policy.timeout),
            headers={"User-Agent": self.policy.user_agent},
            follow_redirects=True,
        )

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, url: str, params: dict[str, Any] | None = None) -> httpx.Response:
        """The response (status 2xx, body read). Raises FetchError with one clear line."""
        return self._with_retries(url, params, lambda response: response)

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A JSON object; a body cut off mid-way is retried like a network error."""

        def decode(response: httpx.Response) -> dict[str, Any]:
            try:
                data = response.json()
            except ValueError as exc:
                raise _PassingError(f"invalid JSON ({exc})") from exc
            if not isinstance(data, dict):
                raise FetchError(f"{_short(response.url)}: expected a JSON object, got "
                                 f"{type(data).__name__}", transient=False)  # fmt: skip
            return data

        return self._with_retries(url, params, decode)

    def get_parsed(self, url: str, params: dict[str, Any] | None,
                   parse: Callable[[bytes], T]) -> T:  # fmt: skip
        """The body run through `parse`; a ValueError from it is retried (cut-off body)."""

        def decode(response: httpx.Response) -> T:
            try:
                return parse(response.content)
            except ValueError as exc:
                raise _PassingError(f"unreadable body ({exc})") from exc

        return self._with_retries(url, params, decode)

    def _with_retries(self, url: str, params: dict[str, Any] | None,
                      decode: Callable[[httpx.Response], T]) -> T:  # fmt: skip
        policy = self.policy
        attempts = policy.retries + 1
        for attempt in range(attempts):
            try:
                return decode(self._attempt(url, params))
            except _PassingError as exc:
                if attempt == attempts - 1:
                    raise FetchError(f"{_short(url)}: {exc} (gave up after {attempts} "
                                     "tries; run again later to resume)") from None  # fmt: skip
                wait = policy.backoff * (2**attempt)
                if exc.wait is not None:
                    if exc.wait > policy.max_wait:
                        raise FetchError(f"{_short(url)}: the server asks to wait "
                                         f"{exc.wait:.0f} s; run again later") from None
                    wait = max(wait, exc.wait)
                self._sleep(min(wait, policy.max_wait))
        raise AssertionError("unreachable")

    def _attempt(self, url: str, params: dict[str, Any] | None) -> httpx.Response:
        self._pace()
        self.requests += 1
        try:
            response = self._http.get(url, params=params)
        except httpx.TimeoutException as exc:
            raise _PassingError(f"no answer within {self.policy.timeout:g} s") from exc
        except httpx.TransportError as exc:  # refused, reset, cut off mid-body …
            raise _PassingError(f"network error ({type(exc).__name__}: {exc})") from exc
        if response.status_code in RETRY_STATUS:
            raise _PassingError(f"HTTP {response.status_code}", _retry_after(response))
        if response.status_code >= 400:
            raise FetchError(f"{_short(url)}: HTTP {response.status_code} "
                             f"{response.reason_phrase}".rstrip(), transient=False)  # fmt: skip
        return response

    def _pace(self) -> None:
        """Sleep until the rate limit allows the next request."""
        if self.policy.rate <= 0:
            return
        gap = 1.0 / self.policy.rate - (time.monotonic() - self._last_start)
        if gap > 0:
            self._sleep(gap)
        self._last_start = time.monotonic()


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date), if there is one."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _short(url: object) -> str:
    """A URL without its query, for messages that fit one line."""
    return str(url).split("?", 1)[0]
