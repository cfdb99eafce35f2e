"""Web app benchmark: time from `assistant serve` to a usable page, RSS after 100 questions.

    .venv/bin/python benchmarks/bench_ui.py [--index DIR] [--questions 100]

Starts `python -m assistant serve` as a user would (index built from corpus/ into
.tmp/bench-index when --index is not given), times until Debian's chromium shows the
question box, then asks N questions through the `/search` API with gradio_client and
reads the server's resident memory from /proc. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 '--host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"']  # fmt: skip
QUESTIONS = [
    "Can Telegram be banned in the Netherlands?",
    "Kan Telegram in Nederland verboden worden?",
    "Since when is doxing a criminal offence?",
    "Wie houdt toezicht op de Digital Services Act?",
    "Hoeveel verdachten van doxing zijn geïdentificeerd?",
    "What is a good recipe for apple pie?",
    "5236577 vraag 13",
]
ENV = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
       "HF_HUB_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "1"}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of pid in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)  # fmt: skip
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def questions(n: int) -> list[str]:
    dev = ROOT.parent / "shared" / "eval" / "dev.jsonl"
    pool = list(QUESTIONS)
    if dev.is_file():
        pool += [json.loads(line)["q"] for line in dev.read_text().splitlines() if line.strip()]
    return list(itertools.islice(itertools.cycle(pool), n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--questions", type=int, default=100)
    args = parser.parse_args()
    os.environ.update(ENV)
    python = sys.executable
    index = args.index
    if index is None:
        index = ROOT / ".tmp" / "bench-index"
        subprocess.run([python, "-m", "assistant", "index", "--corpus", "corpus", "--index",
                        str(index)], cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    from gradio_client import Client
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        started = time.perf_counter()
        server = subprocess.Popen([python, "-m", "assistant", "serve", "--index", str(index),
                                   "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"assistant serve exited with status {server.returncode}")
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:  # not listening yet
                    time.sleep(0.05)
            listening = time.perf_counter() - started
            page.goto(url)
            page.locator("#kv-question textarea").wait_for(timeout=30_000)
            usable = time.perf_counter() - started
            box = page.locator("#kv-question textarea")
            box.fill(QUESTIONS[0])
            box.press("Enter")
            page.locator('[data-testid="bot"] .kv-reply').first.wait_for(timeout=30_000)
            first_answer = time.perf_counter() - started
            browser.close()
            idle = rss_mb(server.pid)[0]
            client = Client(url, verbose=False)
            latencies = []
            for q in questions(args.questions):
                t = time.perf_counter()
                client.predict(q, api_name="/search")
                latencies.append(time.perf_counter() - t)
            rss, peak = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps({
        "index": str(index),
        "serve_to_listening_s": round(listening, 2),
        "serve_to_usable_page_s": round(usable, 2),
        "serve_to_first_answer_s": round(first_answer, 2),
        "rss_after_first_question_mb": round(idle, 1),
        "questions": len(latencies),
        "rss_after_questions_mb": round(rss, 1),
        "peak_rss_mb": round(peak, 1),
        "api_latency_median_s": round(statistics.median(latencies), 3),
        "api_latency_max_s": round(max(latencies), 3),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
