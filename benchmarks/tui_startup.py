"""How long `imrsearch tui QUERY` takes to show its first results, on the samples index.

    python benchmarks/tui_startup.py [--runs 10]

Each run is a fresh process (imports included) that starts the app headless, with a query,
and stops when the results list first shows hits. Prints the median and the range.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = """
import sys, time
started = time.perf_counter()
from pathlib import Path
from imrsearch.tui.app import make_app

async def main():
    app = make_app(index=Path(sys.argv[1]), query="drug:valium")
    async with app.run_test(size=(100, 30)) as pilot:
        while not app.query("ResultList").first().option_count:
            await pilot.pause(0.005)
    print(time.perf_counter() - started)

import asyncio
asyncio.run(main())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    from imrsearch import api

    with tempfile.TemporaryDirectory() as folder:
        api.build(api.samples_dir(), folder, workers=1)
        walls, insides = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", CHILD, folder],
                capture_output=True,
                text=True,
                env={**os.environ, "XDG_STATE_HOME": folder},  # not the user's query history
            )
            walls.append(time.perf_counter() - started)
            if out.returncode:
                raise SystemExit(out.stderr)
            insides.append(float(out.stdout.strip()))
    for name, values in (("process start to first results", walls), ("in process", insides)):
        ms = sorted(v * 1000 for v in values)
        print(f"{name}: median {statistics.median(ms):.0f} ms (min {ms[0]:.0f}, max {ms[-1]:.0f})")


if __name__ == "__main__":
    main()
