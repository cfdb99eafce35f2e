"""A polite HTTP client for the open-data services: timeouts, retries, a rate limit, and a
short leash.

Retries (with exponential backoff) cover what passes: 429 and 5xx answers, network
errors, timeouts, and bodies cut off mid-way. A `Retry-After` header is honoured. Every
request waits its turn under the rate limit, retries included, and names the project in
its User-Agent so the services' operators know who is calling.

What retrying cannot fix within its seconds fails at once: a host that has not answered
yet in this run and cannot be connected to (its name does not resolve, the connection is
refused, no connection within the timeout) is a missing network, a wrong URL or a service
that is down. Five tries of a failing DNS lookup took 16.5 s to say the same as the first
(issue #17). Once a host has answered, the same errors are a network loss mid-run and are
retried like the rest.

The server is not trusted: each request has a total deadline besides the per-step timeout
(deadline.py), and with `origin` set, the client talks to that service only: a link or a
redirect to another scheme, host or port is refused before it is sent, so a query string
never leaves for an address the user did not name.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from importlib import metadata
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from ... import __version__
from .deadline import Deadline, install

T = TypeVar("T")

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_PORTS = {"http": 80, "https": 443}


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


class UnreachableError(FetchError):
    """The service could not be reached at all: no network, a wrong URL, a server down."""


@dataclass
class HttpPolicy:
    """How hard and how fast to ask. Tests shrink the times; users may lower the rate."""

    timeout: float = 30.0  # seconds for connect, each read, and each write
    deadline: float = 120.0  # seconds for one whole request: connect, headers and body
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


class _RefusedError(Exception):
    """A request to a host the client does not talk to (raised before it is sent)."""


Origin = tuple[str, str, int]


def origin_of(url: str | httpx.URL) -> Origin:
    """(scheme, host, port) with the default port filled in. Raises ValueError for a URL
    that has no http(s) scheme or no host."""
    try:
        if not isinstance(url, httpx.URL):
            _ = urlsplit(url).port  # the standard library names the fault best ("Invalid
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)  # IPv6 URL")
    except (ValueError, httpx.InvalidURL) as exc:
        raise ValueError(str(exc)) from None
    scheme = parsed.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parsed.host:
        raise ValueError("not an http(s) URL with a host")
    return scheme, parsed.host.lower(), parsed.port or DEFAULT_PORTS[scheme]


def show_origin(origin: Origin) -> str:
    scheme, host, port = origin
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + ("" if DEFAULT_PORTS[scheme] == port else f":{port}")


class PoliteClient:
    """GET with the policy above. Use as a context manager, or call `close()`.

    `origin`: a URL whose scheme, host and port are the only ones this client requests
    (None: any; for tests of the client itself)."""

    def __init__(self, policy: HttpPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 origin: str | None = None) -> None:  # fmt: skip
        self.policy = policy or HttpPolicy()
        self._sleep = sleep
        self._last_start = float("-inf")
        self.requests = 0  # attempts made, retries included
        self.origin = origin_of(origin) if origin else None
        self._answered: set[Origin] = set()  # hosts that answered in this run
        self._deadline = Deadline()
        self._http = httpx.Client(
            timeout=httpx.Timeout(self.policy.timeout),
            headers={"User-Agent": self.policy.user_agent},
            follow_redirects=True,
            event_hooks={"request": [self._check_origin]},
        )
        install(self._http, self._deadline)

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
                raise FetchError(f"{short_url(response.url)}: expected a JSON object, got "
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
                    raise FetchError(f"{short_url(url)}: {exc} (gave up after {attempts} "
                                     "tries)") from None  # fmt: skip
                wait = policy.backoff * (2**attempt)
                if exc.wait is not None:
                    if exc.wait > policy.max_wait:
                        raise FetchError(f"{short_url(url)}: the server asks to wait "
                                         f"{exc.wait:.0f} s") from None
                    wait = max(wait, exc.wait)
                self._sleep(min(wait, policy.max_wait))
        raise AssertionError("unreachable")

    def _attempt(self, url: str, params: dict[str, Any] | None) -> httpx.Response:
        try:
            target = origin_of(url)
        except ValueError as exc:
            raise FetchError(f"{short_url(url)!r} is not a usable URL ({exc})",
                             transient=False) from None  # fmt: skip
        self._pace()
        self.requests += 1
        self._deadline.start(self.policy.deadline)
        try:
            response = self._http.get(url, params=params)
        except _RefusedError as exc:
            raise FetchError(str(exc), transient=False) from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if target not in self._answered:
                raise UnreachableError(f"cannot reach {show_origin(target)}: "
                                       f"{self._why(exc)}") from None  # fmt: skip
            raise _PassingError(f"network error ({self._why(exc)})") from exc
        except httpx.TimeoutException as exc:
            if self._deadline.passed:
                raise _PassingError(f"no complete answer within {self.policy.deadline:g} s "
                                    "(the server sends too slowly)") from exc  # fmt: skip
            raise _PassingError(f"no answer within {self.policy.timeout:g} s") from exc
        except httpx.TransportError as exc:  # reset, cut off mid-body …
            raise _PassingError(f"network error ({type(exc).__name__}: {exc})") from exc
        except httpx.InvalidURL as exc:  # a redirect to something that is no URL
            raise FetchError(f"{short_url(url)}: the server sent an unusable URL ({exc})",
                             transient=False) from None  # fmt: skip
        except httpx.TooManyRedirects:
            raise FetchError(f"{short_url(url)}: the server redirects in circles",
                             transient=False) from None  # fmt: skip
        except httpx.RequestError as exc:  # e.g. a body that does not decode (gzip)
            raise _PassingError(f"unreadable answer ({type(exc).__name__}: {exc})") from exc
        finally:
            self._deadline.stop()
        self._answered.update({target, origin_of(response.url)})
        if response.status_code in RETRY_STATUS:
            raise _PassingError(f"HTTP {response.status_code}", _retry_after(response))
        if response.status_code >= 400:
            raise FetchError(f"{short_url(url)}: HTTP {response.status_code} "
                             f"{response.reason_phrase}".rstrip(), transient=False)  # fmt: skip
        return response

    def _check_origin(self, request: httpx.Request) -> None:
        """Every request, redirects included, goes to the configured service only."""
        if self.origin is None:
            return
        try:
            target = origin_of(request.url)
        except ValueError:
            target = None
        if target != self.origin:
            where = show_origin(target) if target else short_url(request.url)
            raise _RefusedError(f"refused to request {where}: the importer talks only to "
                                f"{show_origin(self.origin)}, the service it was given "
                                "(a link or redirect pointed elsewhere)")  # fmt: skip

    def _why(self, exc: httpx.TransportError) -> str:
        """What stopped the connection, in words: the OS error under httpx's exception."""
        if isinstance(exc, httpx.TimeoutException):
            return f"no connection within {self.policy.timeout:g} s"
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, OSError):
            cause = cause.__cause__ or cause.__context__
        if isinstance(cause, socket.gaierror):
            return "the name does not resolve (no network, or a mistyped host)"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (no service listens there)"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror[:1].lower() + cause.strerror[1:]
        return f"{type(exc).__name__}: {exc}"

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


def short_url(url: object) -> str:
    """A URL without its query, for messages that fit one line."""
    return str(url).split("?", 1)[0]
