"""Parse time against file size: is parsing linear?

Usage: .venv/bin/python benchmarks/bench_parse_scale.py [LINES ...]   (default 10000 20000 40000)

Issue #13 item 8: a .txt with 40,000 lines like "1) Artikel in de krant" (0.9 MB) took
148 s. Each file here is that many such lines (they look like the first line of a letter's
endnotes) followed by a short letter with a question and an answer, so the parser must
look past all of them; "plain" is the lines alone. A normal letter (the seed 5236577) is
the reference. Linear parsing shows as a constant ms/1k lines column.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest.corpus import CorpusError  # noqa: E402
from assistant.ingest.parse import ParseError, parse_file  # noqa: E402

SEED = ROOT / "corpus" / "000_e7098fd791bfcf62.txt"
LETTER = "Vraag 1\nKlopt het bericht?\nAntwoord op vraag 1\nJa, het bericht klopt.\n"


def timed(path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        letter = parse_file(path)
        outcome = f"{letter.document.kind}, {len(letter.passages)} passages"
    except (ParseError, CorpusError) as exc:
        outcome = "refused: " + str(exc).split(": ", 1)[1][:50]
    return time.perf_counter() - started, outcome


def main(sizes: list[int]) -> int:
    print("| input | lines | MB | seconds | ms per 1k lines | outcome |")
    print("|---|---|---|---|---|---|")
    timed(SEED)  # load the word list once, so the row shows parsing alone
    seconds, outcome = timed(SEED)
    lines = len(SEED.read_text(encoding="utf-8").splitlines())
    print(f"| normal letter (seed 5236577) | {lines} | {SEED.stat().st_size / 1e6:.2f} | "
          f"{seconds:.3f} | {1000 * seconds / lines * 1000:.1f} | {outcome} |")
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("endnote lines + letter", "endnote lines only"):
            for n in sizes:
                text = "1) Artikel in de krant\n" * n
                if kind.endswith("letter"):
                    text += LETTER
                path = Path(folder) / f"{n}.txt"
                path.write_text(text, encoding="utf-8")
                seconds, outcome = timed(path)
                print(f"| {kind} | {n} | {path.stat().st_size / 1e6:.2f} | {seconds:.3f} | "
                      f"{1000 * seconds / n * 1000:.1f} | {outcome} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [10_000, 20_000, 40_000]))
