"""Talking to a real launched app as any HTTP client can: raw requests with exactly the
headers given, uploads, and the page's own (private) events through Gradio's queue."""

from __future__ import annotations

import http.client
import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def request(url: str, method: str, path: str, headers: dict[str, str],
            body: bytes = b"") -> tuple[int, str]:  # fmt: skip
    """A raw HTTP request with exactly these headers (Host included): status and text."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def own_headers(url: str) -> dict[str, str]:
    """The headers the app's own page sends (same host, same origin)."""
    host = urlsplit(url).netloc
    return {"Host": host, "Origin": f"http://{host}"}


def multipart(name: str, data: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"'
            f"\r\nContent-Type: application/octet-stream\r\n\r\n").encode() + data + (
            f"\r\n--{boundary}--\r\n").encode()  # fmt: skip
    return f"multipart/form-data; boundary={boundary}", body


def upload(url: str, name: str, data: bytes) -> str:
    """POST a file to Gradio's upload route as the page does; the server's path of it."""
    kind, body = multipart(name, data)
    status, text = request(url, "POST", "/gradio_api/upload",
                           {**own_headers(url), "Content-Type": kind}, body)  # fmt: skip
    assert status == 200, text
    return str(json.loads(text)[0])


def fetch_file(url: str, path: str) -> int:
    """The status of fetching a server path through each of Gradio's file routes (the
    worst: 200 if either serves it)."""
    statuses = [request(url, "GET", route + path, {"Host": urlsplit(url).netloc})[0]
                for route in ("/gradio_api/file=", "/file=")]  # fmt: skip
    return 200 if 200 in statuses else max(statuses)


def event_index(url: str, elem_id: str) -> tuple[int, int]:
    """(fn_index, trigger id) of the click event of the button with this elem_id."""
    status, text = request(url, "GET", "/config", {"Host": urlsplit(url).netloc})
    assert status == 200, text
    config = json.loads(text)
    button = next(c["id"] for c in config["components"]
                  if c.get("props", {}).get("elem_id") == elem_id)  # fmt: skip
    dep = next(d for d in config["dependencies"] if [button, "click"] in d["targets"])
    return int(dep["id"]), button


def press(url: str, elem_id: str, data: list[Any], timeout: float = 300) -> list[Any]:
    """Run the click event of a button of the page, as the page does; its output data."""
    success, output = run_event(url, elem_id, data, timeout)
    assert success, output
    return list(output["data"])


def run_event(url: str, elem_id: str, data: list[Any],
              timeout: float = 300) -> tuple[bool, dict[str, Any]]:  # fmt: skip
    """Run the click event of a button of the page: (success, Gradio's output message)."""
    fn_index, trigger = event_index(url, elem_id)
    session = uuid.uuid4().hex
    payload = {"data": data, "fn_index": fn_index, "trigger_id": trigger,
               "session_hash": session, "event_data": None}  # fmt: skip
    status, text = request(url, "POST", "/gradio_api/queue/join",
                           {**own_headers(url), "Content-Type": "application/json"},
                           json.dumps(payload).encode())  # fmt: skip
    assert status == 200, text
    with urllib.request.urlopen(f"{url}gradio_api/queue/data?session_hash={session}",
                                timeout=timeout) as stream:  # fmt: skip
        for line in stream:
            text = line.decode().strip()
            if text.startswith("data:"):
                message = json.loads(text[5:])
                if message.get("msg") == "process_completed":
                    return bool(message.get("success")), message.get("output") or {}
    raise AssertionError("the event never completed")


def file_data(path: str) -> dict[str, Any]:
    """An uploaded file as the page names it in an event's data."""
    return {"path": path, "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}
