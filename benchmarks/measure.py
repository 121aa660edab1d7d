"""Measuring tools the benchmark shares: a subprocess with its memory, timings, the machine."""

from __future__ import annotations

import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_POLL_SECONDS = 0.1


@dataclass
class Measured:
    """One finished subprocess: wall time, exit code, output and peak memory (bytes)."""

    wall: float
    returncode: int
    stdout: str
    stderr: str
    largest_rss: int  # wait4 ru_maxrss: the largest single process of the tree (workers too)
    tree_rss: int  # the process tree's RSS summed, sampled every 100 ms (shared pages counted
    # in every process)
    tree_pss: int  # the same with PSS (shared pages split between their users)
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for
    # (its workers): steadier than wall time on a machine shared with other work


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _tree(root: int) -> list[int]:
    children = _children()
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    return pids


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes; zeros if it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Run `cmd` to the end, sampling the memory of its whole process tree meanwhile."""
    peaks = [0, 0]
    done = threading.Event()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)

        def sample() -> None:
            while not done.wait(_POLL_SECONDS):
                rss = pss = 0
                for pid in _tree(proc.pid):
                    r, p = _memory(pid)
                    rss, pss = rss + r, pss + p
                peaks[0], peaks[1] = max(peaks[0], rss), max(peaks[1], pss)

        poller = threading.Thread(target=sample, daemon=True)
        poller.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            wall=wall,
            returncode=proc.returncode,
            stdout=out.read(),
            stderr=err.read(),
            largest_rss=usage.ru_maxrss * 1024,
            tree_rss=peaks[0],
            tree_pss=peaks[1],
            cpu=usage.ru_utime + usage.ru_stime,
        )


def wall_times(
    cmd: list[str],
    runs: int,
    env: dict[str, str] | None = None,
    budget: float = math.inf,
    least: int = 3,
) -> list[float]:
    """Wall times of up to `runs` runs of `cmd` after one unmeasured warm-up run; runs stop
    early once they have used `budget` seconds and at least `least` ran."""
    subprocess.run(cmd, capture_output=True, env=env, check=False)
    times: list[float] = []
    while len(times) < runs and (len(times) < least or sum(times) < budget):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - started)
    return times


# Runs the `imrsearch` command in this interpreter and, at exit, prints its own peak RSS.
_PEAK_MARK = "imrsearch-benchmark-peak-kib"
_PEAK_WRAPPER = f"""
import atexit, sys
def _peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write("\\n{_PEAK_MARK} " + line.split()[1] + "\\n")
atexit.register(_peak)
sys.argv[0] = "imrsearch"
from imrsearch.cli import main
main()
"""


def peak_rss(args: list[str], env: dict[str, str] | None = None) -> int:
    """Peak RSS in bytes of one `imrsearch ARGS` process, as the process itself reads it
    (VmHWM) at exit. wait4's ru_maxrss is no use here: a child started with vfork is charged
    the high-water mark of the driver it was started from."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_WRAPPER, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    for line in reversed(done.stderr.splitlines()):
        if line.startswith(_PEAK_MARK):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"imrsearch {' '.join(args)} printed no peak RSS: {done.stderr[-500:]}")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * share)) - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def tree_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def imrsearch_command() -> list[str]:
    """The `imrsearch` script installed beside this interpreter (not a version manager's shim
    on PATH, which adds its own start-up), else the one on PATH, else the module."""
    beside = Path(sys.executable).parent / "imrsearch"
    script = str(beside) if beside.is_file() else shutil.which("imrsearch")
    return [script] if script else [sys.executable, "-m", "imrsearch"]


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = ""
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        total_kib = int(handle.readline().split()[1])
    from importlib.metadata import version

    import imrsearch

    rg = shutil.which("rg")
    rg_version = (
        subprocess.run([rg, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        if rg
        else "not installed"
    )
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(total_kib / 2**20, 1),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "imrsearch": version("imrsearch"),
        "imrsearch_code": str(Path(imrsearch.__file__).parent),
        "whoosh": version("whoosh-reloaded"),
        "ripgrep": rg_version,
    }
