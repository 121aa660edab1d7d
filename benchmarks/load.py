"""Load on `imrsearch serve` over loopback: concurrent clients run the benchmark's fixed query
set (`queries.py`) through the JSON API, bounded in requests and in time; throughput, p50/p95
latency, and errors (a non-200 answer, or a total that differs from the same query's answer
before the load began).

    python benchmarks/load.py --index /tmp/sv-idx --clients 8 --requests 2000 --workers 2
"""

from __future__ import annotations

import argparse
import itertools
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from queries import Query, query_set


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(index: Path, workers: int, searchers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    root = Path(__file__).parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "imrsearch", "serve", "--index", str(index), "--port", str(port),
         "--workers", str(workers), "--searchers", str(searchers), "--time-limit", "30"],
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/api/fields", timeout=1)
            return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def params(query: Query) -> dict[str, object]:
    out: dict[str, object] = {"q": query.text, "limit": 20, "sort": query.sort}
    if query.facets:
        out["facet"] = ",".join(query.facets)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000, help="at most this many")
    parser.add_argument("--seconds", type=float, default=120, help="at most this long")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--searchers", type=int, default=2, help="searches per process")
    args = parser.parse_args()

    proc, base = start(args.index, args.workers, args.searchers)
    try:
        with httpx.Client(base_url=base, timeout=60) as c:
            some = c.get("/api/search", params={"q": "outcome:upheld", "limit": 50}).json()
            queries = query_set(
                next((h["case_number"] for h in some["hits"] if h["case_number"]), None)
            )
            expected = {q.text: c.get("/api/search", params=params(q)).json() for q in queries}
        missing = [q for q, body in expected.items() if "total" not in body]
        if missing:
            raise SystemExit(f"queries refused before the load: {missing}")
        latencies: list[float] = []
        errors: list[str] = []
        counter = itertools.count()
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def client(offset: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as c:
                while time.monotonic() < stop_at and (n := next(counter)) < args.requests:
                    query = queries[(n + offset) % len(queries)]
                    began = time.perf_counter()
                    answer = c.get("/api/search", params=params(query))
                    took = time.perf_counter() - began
                    wrong = answer.status_code != 200 or (
                        answer.json()["total"] != expected[query.text]["total"]
                    )
                    with lock:
                        latencies.append(took)
                        if wrong:
                            errors.append(f"{answer.status_code} {query.text}")

        began = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    cuts = statistics.quantiles(latencies, n=100)
    print(
        "| clients | workers | requests | seconds | requests/s | p50 ms | p95 ms | max ms |", end=""
    )
    print(" errors |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.clients} | {args.workers} | {len(latencies)} | {wall:.1f} |"
        f" {len(latencies) / wall:.1f} | {cuts[49] * 1000:.0f} | {cuts[94] * 1000:.0f} |"
        f" {max(latencies) * 1000:.0f} | {len(errors)} |"
    )
    for error in errors[:10]:
        print("error:", error)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
