"""Load benchmark: concurrent clients asking a real `assistant serve` through its API.

    .venv/bin/python benchmarks/bench_load.py --index embeddings [--clients 20] [--questions 50]

Starts the server on 127.0.0.1 (a free port), waits until it answers, then runs `clients`
threads, each with its own gradio_client and `questions` questions (dev, extra and
off-topic questions in turn), and prints errors, throughput, latency p50/p95/p99 and the
server's RSS before and after.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.web.app import free_port  # noqa: E402

SETS = [ROOT.parent / "shared" / "eval" / "dev.jsonl",
        ROOT / "benchmarks" / "questions" / "seeds_extra.jsonl",
        ROOT / "benchmarks" / "questions" / "off_topic.jsonl"]  # fmt: skip


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(ln for ln in status if ln.startswith("VmRSS")).split()[1]) / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def connect(url: str, server: subprocess.Popen, seconds: float = 300):  # type: ignore[no-untyped-def]
    from gradio_client import Client

    deadline = time.monotonic() + seconds
    while True:
        try:
            return Client(url, verbose=False)
        except Exception:  # not up yet
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start") from None
            time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", default="embeddings")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions", type=int, default=50)
    args = parser.parse_args()
    asked = [json.loads(line)["q"] for path in SETS if path.is_file()
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--index", args.index,
                               "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        connect(url, server).predict("Telegram", 5, api_name="/search")  # warm
        before = rss_mb(server.pid)
        times: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def client(n: int) -> None:
            c = connect(url, server)
            for i in range(args.questions):
                question = asked[(n * args.questions + i) % len(asked)]
                started = time.perf_counter()
                try:
                    result = c.predict(question, 5, api_name="/search")
                    ok = isinstance(result, dict) and "hits" in result
                    problem = None if ok else f"unexpected answer {str(result)[:80]}"
                except Exception as exc:  # every failure is counted and shown
                    problem = f"{type(exc).__name__}: {exc}"
                with lock:
                    times.append(time.perf_counter() - started)
                    if problem:
                        errors.append(problem)

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        after = rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    ms = [t * 1000 for t in times]
    rows = [("clients × questions", f"{args.clients} × {args.questions} = {len(times)}"),
            ("errors", str(len(errors))), ("throughput", f"{len(times) / wall:.1f} questions/s"),
            ("p50 / p95 / p99", f"{statistics.median(ms):.0f} / {percentile(ms, 0.95):.0f} / "
                                f"{percentile(ms, 0.99):.0f} ms"),
            ("server RSS before / after", f"{before:.0f} / {after:.0f} MB")]  # fmt: skip
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    for problem in sorted(set(errors))[:10]:
        print(f"error: {problem}")


if __name__ == "__main__":
    main()
