"""A replay of the Tweede Kamer OData API and the officielebekendmakingen SRU service.

A real HTTP server on 127.0.0.1 (free port, in a thread) that serves the data built from
the real captures (opendata_fixtures.py) and can be told to misbehave: 500, 429 with
Retry-After, answers slower than the client's timeout, truncated JSON, a dropped
connection, a broken file, an answer trickled one byte at a time, a redirect elsewhere; a
test may also answer a route itself (`answers`), to serve pages a real server would not.
Derived behaviour, where the captures show no example:
- pages: `value` lists of `page_size` records (the captures have 250) with an
  `@odata.nextLink` to the next `$skip`, as OData v4 servers page; `@odata.context` as in
  the captured 3-record response;
- `$filter`/`$orderby`: the subset of OData the importer sends (opendata_odata.py);
- SRU: the envelope of the captured SRU 1.2 response (its namespace; version 2.0) around
  records shaped like the captured SRU 2.0 gzd record (namespace prefixes stripped, as in
  that capture); a query without the Kamervragen terms gets the captured diagnostic shape.
"""

from __future__ import annotations

import collections
import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape

import opendata_fixtures as fx
from opendata_odata import evaluate, order, parse_filter

TK_PATH = "/OData/v4/2.0/"
SRU_PATH = "/sru"
XML_PATH = "/frbr/officielepublicaties/"


@dataclass
class Fault:
    """What to do instead of (or before) answering one request."""

    kind: str  # "status", "retry_after", "sleep", "truncate", "cut", "drop", "trickle", …
    status: int = 500
    seconds: float = 0.0
    location: str = ""
    reached: threading.Event = field(default_factory=threading.Event)


def status(code: int) -> Fault:
    return Fault("status", status=code)


def retry_after(seconds: int, code: int = 429) -> Fault:
    return Fault("retry_after", status=code, seconds=seconds)


def sleep(seconds: float) -> Fault:
    """Answer only after `seconds` (longer than the client's timeout: a timeout)."""
    return Fault("sleep", seconds=seconds)


def truncate(honest: bool = False) -> Fault:
    """Half the body. By default the connection closes mid-body (Content-Length promised
    the whole); `honest` sends a complete HTTP answer whose body is just the first half."""
    return Fault("truncate" if honest else "cut")


def trickle(seconds: float, headers: bool = False) -> Fault:
    """The real answer, one byte every `seconds` (each gap shorter than a read timeout):
    the body, or with `headers` the whole response from its status line on."""
    return Fault("trickle_all" if headers else "trickle", seconds=seconds)


def redirect(location: str, code: int = 302) -> Fault:
    """A redirect to `location` (another host, in the tests that use it)."""
    return Fault("redirect", status=code, location=location)


def drop() -> Fault:
    """Close the connection without answering (network loss)."""
    return Fault("drop")


class ReplayData:
    """The records, files and letters the server serves; tests may change them."""

    def __init__(self) -> None:
        self.documents = fx.documents()
        self.resources: dict[str, tuple[bytes, str]] = {}  # Id → (bytes, content type)
        self.broken: set[str] = set()  # Ids whose file is served broken
        self.missing: set[str] = set()  # Ids whose file is not found (404)
        self.ah_letters = [fx.fragment_letter(), *fx.derived_letters()]
        self.lock = threading.Lock()
        self._tick = 0

    def by_number(self, nummer: str) -> dict:
        return next(r for r in self.documents if r.get("DocumentNummer") == nummer)

    def _now(self) -> str:
        """A fresh ApiGewijzigdOp after every captured one (2025-10-02 is the newest)."""
        self._tick += 1
        return f"2025-10-03T12:00:{self._tick // 10:02d}.{self._tick % 10}000001Z"

    def new_version(self, nummer: str, letter_name: str | None = None) -> dict:
        """The document changes: newer GewijzigdOp/ApiGewijzigdOp, and maybe another file."""
        with self.lock:
            record = self.by_number(nummer)
            record["ApiGewijzigdOp"] = self._now()
            record["GewijzigdOp"] = record["ApiGewijzigdOp"].replace("Z", "+00:00")
            if letter_name:
                path = fx.CORPUS_REAL / letter_name
                data = fx.render(path, record["ContentType"], f"{nummer} (gewijzigd)")
                self.resources[record["Id"]] = (data, record["ContentType"])
            return record

    def touch(self, nummer: str) -> dict:
        """Only the API's own timestamp changes (the document does not)."""
        with self.lock:
            record = self.by_number(nummer)
            record["ApiGewijzigdOp"] = self._now()
            return record

    def delete(self, nummer: str) -> dict:
        """The document is withdrawn: it becomes a tombstone shaped like the captured ones."""
        with self.lock:
            record = self.by_number(nummer)
            keep = {"Id", "GewijzigdOp", "ApiGewijzigdOp", "Verwijderd"}
            for key in list(record):
                if key not in keep:
                    record[key] = None
            record["Verwijderd"] = True
            record["ApiGewijzigdOp"] = self._now()
            return record

    def resource(self, doc_id: str) -> tuple[bytes, str] | None:
        record = next((r for r in self.documents if r.get("Id") == doc_id), None)
        if record is None or record.get("Verwijderd") or not record.get("Soort") \
                or doc_id in self.missing:  # fmt: skip
            return None
        content_type = record.get("ContentType") or "application/pdf"
        if doc_id in self.broken:
            return fx.broken_pdf(), content_type
        if doc_id not in self.resources:
            letter = fx.letter_for(record, self.documents)
            self.resources[doc_id] = (fx.render(letter, content_type, record["DocumentNummer"]),
                                      content_type)  # fmt: skip
        return self.resources[doc_id]


class ReplayServer:
    """Start with `ReplayServer().start()`; `tk_url`/`sru_url` are what the client needs."""

    def __init__(self, data: ReplayData | None = None, page_size: int = 250,
                 sru_page_max: int = 100) -> None:  # fmt: skip
        self.data = data or ReplayData()
        self.page_size = page_size
        self.sru_page_max = sru_page_max
        self.faults: dict[str, collections.deque[Fault | None]] = collections.defaultdict(
            collections.deque)  # route → faults for its next requests (None: answer normally)
        self.log: list[tuple[str, str, str]] = []  # (route, path?query, User-Agent)
        # Answers of a test's own for a route: (path?query) → (status, body, content type).
        self.answers: dict[str, Callable[[str], tuple[int, bytes, str]]] = {}
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def tk_url(self) -> str:
        return self.url + TK_PATH

    @property
    def sru_url(self) -> str:
        return self.url + SRU_PATH

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests(self, route: str) -> list[str]:
        return [path for r, path, _ in list(self.log) if r == route]

    def odata_page(self, query: dict[str, str] | None = None) -> dict[str, Any]:
        """The listing page the server answers to `query` (for a test to alter)."""
        return json.loads(_odata_page(self, query or {}))

    def next_fault(self, route: str) -> Fault | None:
        queue = self.faults[route]
        return queue.popleft() if queue else None


def _handler(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            # The client may have given up (its timeout): then there is nobody to answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._serve()

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            route = _route(parts.path)
            server.log.append((route, self.path, self.headers.get("User-Agent", "")))
            fault = server.next_fault(route)
            if fault is not None:
                fault.reached.set()
                if fault.kind == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault.kind == "status":
                    return self._send(fault.status, b'{"error": "replayed fault"}',
                                      "application/json")  # fmt: skip
                if fault.kind == "redirect":
                    return self._send(fault.status, b"", "text/plain",
                                      {"Location": fault.location})  # fmt: skip
                if fault.kind == "retry_after":
                    return self._send(fault.status, b"", "text/plain",
                                      {"Retry-After": str(int(fault.seconds))})  # fmt: skip
                if fault.kind == "sleep":
                    time.sleep(fault.seconds)
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            try:
                if route in server.answers:
                    code, body, content_type = server.answers[route](self.path)
                else:
                    code, body, content_type = _answer(server, route, parts.path, query)
            except Exception as exc:  # a bug here shows as the 500 a real server would send
                code, body, content_type = 500, repr(exc).encode(), "text/plain"
            if fault is not None and fault.kind.startswith("trickle"):
                return self._trickle(code, body, content_type, fault)
            if fault is not None and fault.kind == "truncate":
                body = body[: len(body) // 2]
            if fault is not None and fault.kind == "cut":
                self._send(code, body, content_type, cut=True)
                return
            self._send(code, body, content_type)

        def _trickle(self, code: int, body: bytes, content_type: str, fault: Fault) -> None:
            head = (f"HTTP/1.1 {code} OK\r\nContent-Type: {content_type}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()  # fmt: skip
            slow = head + body if fault.kind == "trickle_all" else body
            if fault.kind == "trickle":
                self.wfile.write(head)
            for i in range(len(slow)):  # until the client hangs up (BrokenPipe ends it)
                self.wfile.write(slow[i : i + 1])
                self.wfile.flush()
                time.sleep(fault.seconds)
            self.close_connection = True

        def _send(self, code: int, body: bytes, content_type: str,
                  headers: dict[str, str] | None = None, cut: bool = False) -> None:  # fmt: skip
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if cut else body)
            if cut:  # the connection breaks mid-body
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

    return Handler


def _route(path: str) -> str:
    if path.startswith(TK_PATH):
        return "resource" if path.endswith("/resource") else "list"
    if path.startswith(SRU_PATH):
        return "sru"
    if path.startswith(XML_PATH):
        return "xml"
    return "other"


def _answer(server: ReplayServer, route: str, path: str,
            query: dict[str, str]) -> tuple[int, bytes, str]:  # fmt: skip
    if route == "list" and path.rstrip("/").endswith("/Document"):
        try:
            return 200, _odata_page(server, query), "application/json; odata.metadata=minimal"
        except ValueError as exc:
            return 400, json.dumps({"error": {"message": str(exc)}}).encode(), "application/json"
    if route == "resource":
        match = re.search(r"/Document\(([0-9a-f-]+)\)/resource$", path)
        found = server.data.resource(match.group(1)) if match else None
        if found is None:
            return 404, b"", "text/plain"
        return 200, found[0], found[1]
    if route == "sru":
        return 200, _sru_page(server, query), "text/xml"
    if route == "xml":
        name = path.rsplit("/", 1)[-1].removesuffix(".xml")
        letter = next((a for a in server.data.ah_letters if a.identifier == name), None)
        return (200, letter.xml, "application/xml") if letter else (404, b"", "text/plain")
    return 404, b"", "text/plain"


# --- OData ------------------------------------------------------------------------------


def _odata_page(server: ReplayServer, query: dict[str, str]) -> bytes:
    with server.data.lock:
        rows = [r for r in server.data.documents
                if not query.get("$filter") or evaluate(parse_filter(query["$filter"]), r)]
        rows = order(rows, query.get("$orderby", ""))
        skip = int(query.get("$skip", "0"))
        top = int(query["$top"]) if "$top" in query else None
        window = rows[skip:] if top is None else rows[skip:skip + top]
        page = [json.loads(json.dumps(r)) for r in window[: server.page_size]]
    expand = [name.split("(", 1)[0].strip() for name in
              re.split(r",(?![^()]*\))", query.get("$expand", "")) if name.strip()]  # fmt: skip
    for row in page:
        if "Zaak" in expand:
            zaak = None if row.get("Verwijderd") else fx.zaak_for(row)
            row["Zaak"] = [dict(zaak)] if zaak else []
        if "DocumentActor" in expand:
            row["DocumentActor"] = []  # no captured row shows its values
    body: dict[str, Any] = {"@odata.context": f"{server.tk_url}$metadata#Document",
                            "value": page}  # fmt: skip
    if len(window) > len(page):
        following = dict(query, **{"$skip": str(skip + len(page))})
        if top is not None:
            following["$top"] = str(top - len(page))
        body["@odata.nextLink"] = f"{server.tk_url}Document?{urlencode(following)}"
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


# --- SRU --------------------------------------------------------------------------------

_SRU_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><searchRetrieveResponse '
             'xmlns="http://www.loc.gov/zing/srw/" xmlns:dcterms="http://purl.org/dc/terms/" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">')  # fmt: skip


def _sru_page(server: ReplayServer, query: dict[str, str]) -> bytes:
    cql = query.get("query", "")
    if 'c.product-area==officielepublicaties' not in cql or \
            'w.publicatienaam=="Kamervragen (Aanhangsel)"' not in cql:  # fmt: skip
        return (b'<?xml version="1.0" encoding="UTF-8"?><diagnostics><diagnostic '
                b'xmlns="http://www.loc.gov/zing/srw/diagnostic/"><uri>info:srw/diagnostic/1/10'
                b'</uri><details>Query syntax error</details><message>Invalid parameter'
                b'</message></diagnostic></diagnostics>')  # fmt: skip
    low = re.search(r"dt\.date>=(\d{4}-\d\d-\d\d)", cql)
    high = re.search(r"dt\.date<=(\d{4}-\d\d-\d\d)", cql)
    letters = [a for a in server.data.ah_letters
               if (not low or a.date >= low.group(1)) and (not high or a.date <= high.group(1))]
    letters.sort(key=lambda a: (a.date, a.identifier),
                 reverse="sort.descending" in cql)  # fmt: skip
    start = max(1, int(query.get("startRecord", "1")))
    count = min(int(query.get("maximumRecords", "10")), server.sru_page_max)
    window = letters[start - 1:start - 1 + count]
    records = "".join(_sru_record(server, a, start + i) for i, a in enumerate(window))
    nxt = start + len(window)
    tail = f"<nextRecordPosition>{nxt}</nextRecordPosition>" if nxt <= len(letters) else ""
    return (f"{_SRU_HEAD}<version>2.0</version><numberOfRecords>{len(letters)}"
            f"</numberOfRecords><records>{records}</records>{tail}"
            "</searchRetrieveResponse>").encode()  # fmt: skip


def _sru_record(server: ReplayServer, letter: fx.AhLetter, position: int) -> str:
    ident = letter.identifier
    years = ident.split("-")[2]
    xml_url = f"{server.url}{XML_PATH}ah-tk/{years}/{ident}/1/xml/{ident}.xml"
    title = f"<title>{escape(letter.title)}</title>" if letter.title else ""
    tp = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in (
        ("product-area", "officielepublicaties"), ("publicatienaam", "Kamervragen (Aanhangsel)"),
        ("vergaderjaar", letter.vergaderjaar), ("indiener", letter.indiener or ""),
        ("ontvanger", letter.ontvanger or ""), ("aanhangselnummer", ident.rsplit("-", 1)[1]),
    ) if v)  # fmt: skip
    return (
        "<record><recordSchema>http://standaarden.overheid.nl/sru/</recordSchema>"
        "<recordPacking>xml</recordPacking><recordData><gzd><originalData><meta><owmskern>"
        f"<identifier>{ident}</identifier>{title}<language>nl</language>"
        '<type scheme="OVERHEIDop.AanhangselTypen">Antwoord</type>'
        '<creator scheme="OVERHEID.StatenGeneraal">Tweede Kamer der Staten-Generaal</creator>'
        f"<modified>{letter.date}</modified></owmskern><owmsmantel>"
        f"<available>{letter.date}</available><date>{letter.date}</date></owmsmantel>"
        f"<tpmeta>{tp}</tpmeta></meta></originalData><enrichedData><url>{xml_url}</url>"
        f"<preferredUrl>https://zoek.officielebekendmakingen.nl/{ident}.html</preferredUrl>"
        f'<itemUrl manifestation="xml">{xml_url}</itemUrl>'
        f"<timestamp>{letter.date}T10:00:00.000000+01:00</timestamp></enrichedData></gzd>"
        f"</recordData><recordPosition>{position}</recordPosition></record>"
    )
