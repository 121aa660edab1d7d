"""How long a cold `imrsearch query --json` takes on the samples index, beside `python -c pass`.

    python benchmarks/startup.py [--runs 25]

The same measurement as the start-up table of `run.py` (bytecode compiled first, as an
installed package has it), on its own: a fresh samples index in a temporary folder, then
`--runs` cold commands and as many bare interpreters. Prints the medians, the minimum and the
ratio of the medians (the machine is shared: compare ratios).
"""

from __future__ import annotations

import argparse
import shlex
import tempfile
from pathlib import Path

import commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25, help="cold commands (and bare pythons)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        index = commands.samples_index(Path(workdir))
        found = commands.startup(index, args.runs)
    words = shlex.split(found["command"].replace(str(index), "SAMPLES_INDEX"))
    words[0] = Path(words[0]).name  # the script beside the interpreter, without this machine's path
    print(f"command: {shlex.join(words)}")
    print(
        f"imrsearch query: median {found['query_ms']:.1f} ms, min {found['query_min_ms']:.1f} ms;"
        f" python -c pass: median {found['python_ms']:.1f} ms;"
        f" ratio {found['query_ms'] / found['python_ms']:.2f} ({found['runs']} runs each)"
    )


if __name__ == "__main__":
    main()
