"""Sinks for the importer tests, and a driver that imports in a process of its own.

`MemorySink` keeps everything in dicts. `JsonSink` persists to one JSON file, replaced
atomically (write, fsync, rename) on every change, so a process killed with SIGKILL leaves
either the old or the new state — what the real store's transactions promise. Both log
every put, so a test can see that no document was stored twice.

Run as a script (`python tests/opendata_sink.py STATE.json --tk-url URL …`) it imports
into a JsonSink and prints the report: the subprocess the kill -9 test kills.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from assistant.documents import Document, ParsedLetter, Passage
from assistant.ingest.opendata import ImportOptions, run_import


class MemorySink:
    def __init__(self) -> None:
        self.letters: dict[str, tuple[str, ParsedLetter]] = {}
        self.checkpoints: dict[str, str] = {}
        self.puts: list[tuple[str, str]] = []  # (external_id, version), in order
        self.deletes: list[str] = []

    def imported_version(self, external_id: str) -> str | None:
        found = self.letters.get(external_id)
        return found[0] if found else None

    def put(self, external_id: str, version: str, letter: ParsedLetter) -> str:
        status = "updated" if external_id in self.letters else "new"
        self.letters[external_id] = (version, letter)
        self.puts.append((external_id, version))
        return status

    def delete(self, external_id: str) -> bool:
        self.deletes.append(external_id)
        return self.letters.pop(external_id, None) is not None

    def get_checkpoint(self, source: str) -> str | None:
        return self.checkpoints.get(source)

    def set_checkpoint(self, source: str, value: str) -> None:
        self.checkpoints[source] = value

    def letter(self, external_id: str) -> ParsedLetter:
        return self.letters[external_id][1]

    def by_source(self, source: str) -> ParsedLetter:
        """The letter whose Document.source is `source` (e.g. a DocumentNummer)."""
        return next(letter for _, letter in self.letters.values()
                    if letter.document.source == source)  # fmt: skip


class JsonSink(MemorySink):
    """A MemorySink saved to `path` after every change (atomically)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        if path.exists():
            state = json.loads(path.read_text(encoding="utf-8"))
            self.checkpoints = state["checkpoints"]
            self.puts = [tuple(p) for p in state["puts"]]
            self.deletes = state["deletes"]
            self.letters = {k: (v["version"], _letter(v["letter"]))
                            for k, v in state["letters"].items()}  # fmt: skip

    def put(self, external_id: str, version: str, letter: ParsedLetter) -> str:
        status = super().put(external_id, version, letter)
        self._save()
        return status

    def delete(self, external_id: str) -> bool:
        removed = super().delete(external_id)
        self._save()
        return removed

    def set_checkpoint(self, source: str, value: str) -> None:
        super().set_checkpoint(source, value)
        self._save()

    def _save(self) -> None:
        state = {
            "checkpoints": self.checkpoints, "puts": self.puts, "deletes": self.deletes,
            "letters": {k: {"version": v, "letter": {
                "document": letter.document.to_dict(),
                "passages": [p.to_dict() for p in letter.passages],
                "questions_numbered": letter.questions_numbered}}
                for k, (v, letter) in self.letters.items()},
        }  # fmt: skip
        temp = self.path.with_suffix(".tmp")
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.path)


def _letter(data: dict) -> ParsedLetter:
    return ParsedLetter(Document.from_dict(data["document"]),
                        [Passage.from_dict(p) for p in data["passages"]],
                        data.get("questions_numbered", []))  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("state", type=Path)
    parser.add_argument("--tk-url", required=True)
    parser.add_argument("--since", type=date.fromisoformat)
    parser.add_argument("--until", type=date.fromisoformat)
    args = parser.parse_args(argv)
    options = ImportOptions(since=args.since, until=args.until, tk_url=args.tk_url,
                            rate=0, timeout=5, retries=1, backoff=0.01)  # fmt: skip
    report = run_import(options, JsonSink(args.state),
                        progress=lambda p: print(f"{p.done} {p.action} {p.label}", flush=True))
    print("\n".join(report.lines()), flush=True)
    if report.error:
        print(f"error: {report.error}", flush=True)
    return 1 if report.error else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
