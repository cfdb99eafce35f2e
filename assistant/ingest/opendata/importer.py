"""Import answer letters from the official open data into a store, and keep them in sync.

`run_import` lists the documents of one source in a stable order, downloads what is new or
changed, and hands each letter to a `Sink` (the store). The checkpoint — the listing
position up to which everything has been handled — is stored through the sink after each
document, never before the documents listed ahead of it are put, so an import stopped by
network loss, Ctrl-C or kill -9 resumes where it stopped; a document listed twice is
recognised by its version and not stored twice.

Nothing the server sends is trusted to be well formed: a record of the wrong shape is
skipped with one line (the rest of the listing goes on), a listing that makes no progress
stops with one line, and a stored checkpoint that cannot be read is not used (see
`_Run.start`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from ...documents import ParsedLetter
from .files import DocumentError
from .http import FetchError, HttpPolicy, PoliteClient, UnreachableError, origin_of
from .sources import Entry, Source, SruSource, TkSource
from .sru import DEFAULT_SRU_URL
from .tk import DEFAULT_TK_URL

SOURCES = ("tk", "officielebekendmakingen")
# Documents in a row that fail to download (after retries) before the run gives up.
MAX_FAILURES_IN_A_ROW = 3


class Sink(Protocol):
    def imported_version(self, external_id: str) -> str | None: ...  # version stored, if any

    # "new" | "updated"; replaces an older version in one transaction; raises DocumentError
    # for a letter it cannot keep (the import skips it with that line and goes on)
    def put(self, external_id: str, version: str, letter: ParsedLetter) -> str: ...

    def delete(self, external_id: str) -> bool: ...  # True when something was removed

    def get_checkpoint(self, source: str) -> str | None: ...

    def set_checkpoint(self, source: str, value: str) -> None: ...


class OptionError(ValueError):
    """Options that cannot work; the message is one line saying what to change."""


@dataclass
class ImportOptions:
    source: str = "tk"  # "tk" | "officielebekendmakingen"
    since: date | None = None
    until: date | None = None
    limit: int | None = None  # documents to download at most (new or changed)
    dry_run: bool = False  # list what would be imported; download and store nothing
    tk_url: str | None = None  # None: $ASSISTANT_TK_URL, else the official service
    sru_url: str | None = None  # None: $ASSISTANT_SRU_URL, else the official service
    rate: float = 3.0  # requests per second at most
    timeout: float = 30.0  # seconds for each step: connect, each read
    deadline: float = 120.0  # seconds for one whole request, download included
    retries: int = 4
    backoff: float = 1.0
    max_wait: float = 120.0

    def policy(self) -> HttpPolicy:
        return HttpPolicy(timeout=self.timeout, deadline=self.deadline, retries=self.retries,
                          backoff=self.backoff, max_wait=self.max_wait,
                          rate=self.rate)  # fmt: skip

    def urls(self) -> tuple[str, str]:
        """The TK and SRU base URLs: option, else environment, else the official service."""
        tk = self.tk_url or os.environ.get("ASSISTANT_TK_URL") or DEFAULT_TK_URL
        sru = self.sru_url or os.environ.get("ASSISTANT_SRU_URL") or DEFAULT_SRU_URL
        return tk, sru

    def service_url(self) -> str:
        """The base URL of the chosen source: the one host this run talks to."""
        tk, sru = self.urls()
        return tk if self.source == "tk" else sru

    def url_option(self) -> str:
        return "--tk-url" if self.source == "tk" else "--sru-url"

    def check(self) -> None:
        """Raise OptionError (one line) for options that cannot work."""
        if self.source not in SOURCES:
            raise OptionError(f"unknown source {self.source!r}: use {' or '.join(SOURCES)}")
        if self.since and self.until and self.since > self.until:
            raise OptionError(f"--since {self.since} is after --until {self.until}")
        if self.limit is not None and self.limit < 1:
            raise OptionError("--limit must be 1 or more")
        if self.rate < 0 or self.timeout <= 0 or self.deadline <= 0 or self.retries < 0:
            raise OptionError("--rate must be 0 or more, timeouts above 0, retries 0 or more")
        for name, url in zip(("--tk-url", "--sru-url"), self.urls()):
            if not url.startswith(("http://", "https://")):
                raise OptionError(f"{name} must be an http(s) URL, got {url!r}")
            try:
                origin_of(url)
            except ValueError as exc:
                raise OptionError(f"{name} {url!r} is not a valid URL ({exc}); give the "
                                  "service's base URL, e.g. "
                                  f"{DEFAULT_TK_URL if name == '--tk-url' else DEFAULT_SRU_URL}"
                                  ) from None  # fmt: skip


@dataclass
class Skipped:
    label: str
    reason: str

    def line(self) -> str:
        return self.reason if self.reason.startswith(self.label) else \
            f"{self.label}: {self.reason}"  # fmt: skip


@dataclass
class Planned:
    """What a dry run would do with one document."""

    action: str  # "new" | "update" | "remove"
    label: str
    title: str


@dataclass
class Progress:
    done: int  # documents handled so far
    total: int | None  # when the source says how many match
    action: str  # "new" | "updated" | "removed" | "unchanged" | "skipped" | "planned"
    label: str


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    found: int = 0  # matching documents listed in this run
    new: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)
    checkpoint: str | None = None  # the position stored at the end
    error: str | None = None  # why the run stopped early, if it did (one line, with advice)
    interrupted: bool = False  # Ctrl-C
    warnings: list[str] = field(default_factory=list)  # one line each

    @property
    def did_anything(self) -> bool:
        """Whether the run listed or changed anything: else its summary says nothing."""
        return bool(self.found or self.removed or self.planned or self.skipped)

    def summary(self) -> str:
        if self.dry_run:
            counts = {a: sum(p.action == a for p in self.planned)
                      for a in ("new", "update", "remove")}  # fmt: skip
            return (f"dry run: found {self.found}, would import {counts['new']} new, update "
                    f"{counts['update']}, remove {counts['remove']}; {self.unchanged} unchanged")
        return (f"found {self.found}, new {self.new}, updated {self.updated}, removed "
                f"{self.removed}, unchanged {self.unchanged}, skipped {len(self.skipped)}")

    def lines(self) -> list[str]:
        """The summary and one line per planned or skipped document; the summary is left
        out when the run stopped before it listed anything (it would read like success).
        `warnings` and `error` are for the caller to show as such."""
        out = [self.summary()] if self.did_anything or not self.error else []
        out += [f"  {p.action:<6} {p.label}  {p.title}".rstrip() for p in self.planned]
        out += [f"  skipped {s.line()}" for s in self.skipped]
        return out


def checkpoint_key(options: ImportOptions) -> str:
    """Checkpoints are kept per source and date range: another range is another listing."""
    since = options.since.isoformat() if options.since else ""
    until = options.until.isoformat() if options.until else ""
    return f"{options.source}|since={since}|until={until}"


def run_import(options: ImportOptions, sink: Sink,
               progress: Callable[[Progress], None] | None = None, *,
               client: PoliteClient | None = None) -> ImportReport:  # fmt: skip
    """Import (or with `dry_run`, list) one source into `sink`. Raises OptionError for bad
    options; every other problem ends up in the report, one line each."""
    options.check()
    own = client is None
    client = client or PoliteClient(options.policy(), origin=options.service_url())
    run = _Run(options, sink, progress, client)
    try:
        run.go()
    finally:
        if own:
            client.close()
    return run.report


class _Run:
    """One import run: the loop over the listing and its counters."""

    def __init__(self, options: ImportOptions, sink: Sink,
                 progress: Callable[[Progress], None] | None, client: PoliteClient) -> None:
        self.options, self.sink, self.progress = options, sink, progress
        self.report = ImportReport(source=options.source, dry_run=options.dry_run)
        self.key = checkpoint_key(options)
        self.total: int | None = None
        self.done = 0
        self.attempts = 0  # documents we tried to download (counts toward --limit)
        self.failures_in_a_row = 0
        self.pinned = False  # a document failed for a passing reason: keep the checkpoint
        tk_url, sru_url = options.urls()
        self.source: Source
        if options.source == "tk":
            self.source = TkSource(client, tk_url, options.since, options.until)
        else:
            self.source = SruSource(client, sru_url, options.since, options.until,
                                    on_total=self._set_total)  # fmt: skip

    def _set_total(self, total: int | None) -> None:
        self.total = total

    def start(self) -> tuple[str | None, bool]:
        """Where the listing starts: the stored checkpoint, and whether to list in full.

        A stored checkpoint this source cannot read (damaged, or written by something else)
        says nothing about what was handled. The safe reading is "nothing": list everything
        from --since again, withdrawn documents included, so neither a new document nor a
        withdrawal since the lost position is missed; unchanged documents are recognised
        by their version and not downloaded again. Refusing instead would leave the user no
        way on: no option resets a checkpoint.
        """
        stored = self.sink.get_checkpoint(self.key)
        self.report.checkpoint = stored
        if stored is None or self.source.valid_checkpoint(stored):
            return stored, False
        since = " from --since" if self.options.since else ""
        self.report.warnings.append(
            f"the stored checkpoint of this import ({stored[:40]!r}) is damaged; listing "
            f"everything{since} again, withdrawn documents included (unchanged documents "
            "are not downloaded again)")  # fmt: skip
        return None, True

    def go(self) -> None:
        report = self.report
        try:
            after, full = self.start()
            for entry in self.source.entries(after, full=full):
                if entry.problem is not None:
                    report.skipped.append(Skipped(entry.label, entry.problem))
                    self._tell("skipped", entry)
                    continue
                if not entry.deleted and self._limit_reached(entry):
                    break
                action = self._handle(entry)
                self._advance(entry)
                if action is None:
                    continue
                self._tell(action, entry)
                if self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                    report.error = (f"stopped: {self.failures_in_a_row} documents in a row could "
                                    f"not be downloaded; {self._again()}")
                    break
        except UnreachableError as exc:
            report.error = (f"{exc}; check the network connection and "
                            f"{self.options.url_option()}, then run the same command again")
        except FetchError as exc:
            report.error = f"listing stopped: {exc}" + (f"; {self._again()}" if exc.transient
                                                        else "")  # fmt: skip
        except KeyboardInterrupt:
            report.interrupted = True
            report.error = "interrupted" + ("" if self.options.dry_run else
                                            f"; {self._again(later=False)}")  # fmt: skip

    def _again(self, later: bool = True) -> str:
        """What to do after a stop that may pass: a dry run has nothing to resume."""
        if self.options.dry_run:
            return "try again later"
        return f"run the same command again{' later' if later else ''} to resume"

    def _tell(self, action: str, entry: Entry) -> None:
        self.done += 1
        if self.progress:
            self.progress(Progress(self.done, self.total, action, entry.label))

    def _limit_reached(self, entry: Entry) -> bool:
        limit = self.options.limit
        if limit is None or self.attempts < limit:
            return False
        # Unchanged documents cost nothing; only the next download is beyond the limit.
        return self.sink.imported_version(entry.external_id) != entry.version

    def _advance(self, entry: Entry) -> None:
        if self.options.dry_run or self.pinned or not entry.cursor:
            return
        if entry.cursor != self.report.checkpoint:
            self.sink.set_checkpoint(self.key, entry.cursor)
            self.report.checkpoint = entry.cursor

    def _handle(self, entry: Entry) -> str | None:
        """Do what the entry needs; the action taken, or None for a tombstone not ours."""
        report, sink = self.report, self.sink
        have = sink.imported_version(entry.external_id)
        if entry.deleted:
            if have is None:
                return None
            if self.options.dry_run:
                report.planned.append(Planned("remove", entry.label, entry.title))
                return "planned"
            if sink.delete(entry.external_id):
                report.removed += 1
                return "removed"
            return None
        report.found += 1
        if have == entry.version:
            report.unchanged += 1
            return "unchanged"
        self.attempts += 1
        if self.options.dry_run:
            report.planned.append(Planned("new" if have is None else "update", entry.label,
                                          entry.title))  # fmt: skip
            return "planned"
        letter = self._fetch(entry)
        if letter is None:
            return "skipped"
        try:
            status = sink.put(entry.external_id, entry.version, letter)
        except DocumentError as exc:  # this letter cannot be kept (too large): the rest go on
            self.report.skipped.append(Skipped(entry.label, str(exc)))
            return "skipped"
        if status == "updated":
            report.updated += 1
        else:
            report.new += 1
        return status

    def _fetch(self, entry: Entry) -> ParsedLetter | None:
        """The letter, or None after recording one line on why it was skipped."""
        try:
            letter = self.source.fetch(entry)
        except FetchError as exc:
            self.report.skipped.append(Skipped(entry.label, str(exc)))
            if exc.transient:  # may pass: keep the checkpoint before it so a rerun retries
                self.pinned = True
                self.failures_in_a_row += 1
            return None
        except DocumentError as exc:
            self.report.skipped.append(Skipped(entry.label, str(exc)))
            self.failures_in_a_row = 0
            return None
        except Exception as exc:  # one odd file must not stop the import
            self.report.skipped.append(Skipped(
                entry.label, f"could not be parsed ({type(exc).__name__}: {exc})"))
            self.failures_in_a_row = 0
            return None
        self.failures_in_a_row = 0
        return letter
