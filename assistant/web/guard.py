"""Who may talk to the web server: this machine's browser pages, through the app's controls.

Gradio's CORS handling only decides which responses a browser may read; the request itself
still runs. A page on another site could post files to the upload route, and a site whose
name resolves to 127.0.0.1 (DNS rebinding) could read the API. `SameOriginGuard` refuses:
- requests whose `Host` is not exactly a name of this machine, with or without a port
  (when serving on 127.0.0.1): no userinfo ("localhost:7860@evil.example"), no lists
  ("127.0.0.1:7860, evil.example"), one Host header,
- writes (POST, PUT, …) and websockets whose `Origin` is another site, or "null",
- uploads when the app has no upload control (Gradio's route accepts them regardless).
Gradio's own `max_file_size` caps what an allowed upload may be.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ..ingest.limits import MAX_FILE_BYTES

LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})  # loopback: this machine only
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The largest letter file ingest accepts (.pdf/.docx): larger uploads are refused at once.
MAX_UPLOAD_BYTES = max(MAX_FILE_BYTES.values())
UPLOAD_COMPONENTS = ("file", "uploadbutton", "image", "audio", "video", "model3d",
                     "multimodaltextbox", "dataframe", "gallery")  # fmt: skip


# A Host header is an authority without userinfo: a name or IPv4 address, or an IPv6
# address in brackets, then an optional port (RFC 9110 7.2). Anything else — "a@b",
# "a, b", a space, a trailing dot, a bare IPv6 address — names no host of this machine.
AUTHORITY = re.compile(r"(?:\[(?P<ip6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?))"
                       r"(?::(?P<port>[0-9]{1,5}))?")


def host_name(host: str) -> str | None:
    """The host a Host header names: "127.0.0.1:7860" → "127.0.0.1", "[::1]:7860" → "::1",
    in lower case; None when the header is not exactly host[:port] ("localhost:7860@evil",
    "127.0.0.1:7860, evil", "localhost.", "::1", a port above 65535)."""
    match = AUTHORITY.fullmatch(host.lower())
    if not match or (match["port"] and int(match["port"]) > 65535):
        return None
    return match["ip6"] or match["name"]


class SameOriginGuard:
    """ASGI middleware: refuse foreign hosts, cross-site writes and unexpected uploads."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str] | None = LOCAL_NAMES,
                 uploads: bool = False) -> None:  # fmt: skip
        self.app = app
        self.hosts = hosts  # None: any Host (the user chose to serve on another address)
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            refusal = self.refusal(scope)
            if refusal:
                if scope["type"] == "websocket":  # close before accepting: HTTP 403
                    await send({"type": "websocket.close", "code": 1008, "reason": refusal})
                    return
                await PlainTextResponse(refusal, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> str | None:
        """Why this request is refused, or None."""
        headers = Headers(scope=scope)
        hosts = headers.getlist("host")
        host = hosts[0] if len(hosts) == 1 else ", ".join(hosts)  # two Host headers: a list
        if self.hosts is not None and host_name(host) not in self.hosts:
            return (f"refused: unknown host name {host[:100]!r}; this server answers "
                    f"{', '.join(sorted(self.hosts))} only")
        writes = scope["type"] == "websocket" or scope["method"] not in SAFE_METHODS
        if not writes:
            return None
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            return f"refused: a request from another site ({origin}) may not change anything"
        if headers.get("sec-fetch-site") == "cross-site":
            return "refused: a request from another site may not change anything"
        if not self.uploads and scope["path"].rstrip("/").endswith("/upload"):
            return "refused: this app takes no file uploads"
        return None


def is_loopback(host: str) -> bool:
    """Is host an address only this machine reaches ("localhost", "127.0.0.2", "::1")?"""
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def has_upload_control(config: dict[str, Any]) -> bool:
    """Does the app's page have a component that uploads files?"""
    return any(c.get("type") in UPLOAD_COMPONENTS for c in config.get("components", []))


def server_options(host: str, config: dict[str, Any],
                   max_bytes: int = MAX_UPLOAD_BYTES) -> dict[str, Any]:  # fmt: skip
    """Keyword arguments for `Blocks.launch`: the guard and the upload size limit.

    Serving on a loopback address answers only this machine's names (and that address);
    serving on another address was the user's choice, so any Host is answered there.
    """
    hosts = LOCAL_NAMES | {host.lower()} if is_loopback(host) else None
    guard = Middleware(SameOriginGuard, hosts=hosts, uploads=has_upload_control(config))
    return {"app_kwargs": {"middleware": [guard]}, "max_file_size": max_bytes}
