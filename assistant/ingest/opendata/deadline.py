"""A total deadline per HTTP request, which httpx does not have.

httpx's timeouts apply to each step on its own: connect, each read, each write. A server
that sends one byte every 2 s never trips a 30 s read timeout, so a listing that trickles
ran without end (issue #25). httpx has no total timeout (encode/httpx#1450), so this module
gives its connection pool a network backend whose every connect, read and write waits at
most what is left of the request's deadline; past it, the next step times out at once.
Headers, body and TLS handshake are all covered, however the server splits them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


class Deadline:
    """The moment the request in flight must be done by (None: no request in flight)."""

    def __init__(self) -> None:
        self.until: float | None = None

    def start(self, seconds: float) -> None:
        self.until = time.monotonic() + seconds

    def stop(self) -> None:
        self.until = None

    @property
    def passed(self) -> bool:
        return self.until is not None and time.monotonic() >= self.until

    def clamp(self, timeout: float | None, error: type[Exception]) -> float | None:
        """`timeout`, cut to what is left; raises `error` when nothing is left."""
        if self.until is None:
            return timeout
        left = self.until - time.monotonic()
        if left <= 0:
            raise error("the request's deadline has passed")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:  # fmt: skip
        wait = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, wait),
                       self._deadline)  # fmt: skip

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend, deadline: Deadline) -> None:
        self._backend, self._deadline = backend, deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_tcp(host, port, wait, local_address,
                                                 socket_options), self._deadline)  # fmt: skip

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None,
                            ) -> httpcore.NetworkStream:  # fmt: skip
        wait = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_unix_socket(path, wait, socket_options),
                       self._deadline)  # fmt: skip

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def install(client: httpx.Client, deadline: Deadline) -> None:
    """Put every transport of `client` (the default one, and those of proxies from the
    environment) on the deadline backend.

    httpx offers no public way to choose the pool's network backend, so this reaches into
    `HTTPTransport._pool` (httpx 0.27–0.29) and httpcore's `ConnectionPool._network_backend`
    (httpcore 1.x). Were they ever renamed this raises, rather than silently dropping the
    deadline: tests/test_import_hostile.py would fail too.
    """
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        if transport is None:
            continue
        pool = getattr(transport, "_pool", None)
        if not isinstance(pool, httpcore.ConnectionPool) or not isinstance(
            getattr(pool, "_network_backend", None), httpcore.NetworkBackend
        ):
            raise RuntimeError(
                "this httpx/httpcore version keeps its connection pool "
                "elsewhere: the request deadline cannot be installed"
            )
        if not isinstance(pool._network_backend, _Backend):
            pool._network_backend = _Backend(pool._network_backend, deadline)
