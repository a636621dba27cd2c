"""The fast tier, ``pytest -m "not slow"``, with and without ``tests/lean_processes.py``.

    python benchmarks/tests_bench.py [--repeat 2]

Runs as a developer's loop runs where ``PYTHONDONTWRITEBYTECODE`` is set (many Docker images, this
project's sandbox): each round clears the byte-code caches, runs the tier without the plugin
(``-p no:lean_processes``: the baseline, which writes no caches), then with it twice: the first run
writes the caches, the second is the loop's usual run. Wall time from start to exit (what a developer
waits for) and the CPU time of pytest and everything it started (user + system). The machine's
two-core speed drifts by 10-25 % over minutes, so the variants alternate and every run is printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "pytest", "-m", "not slow", "-q", "-p", "no:cacheprovider"]


def clear_caches() -> None:
    caches = [ROOT / "__pycache__", *(cache for folder in ("src", "tests", "benchmarks")
                                     for cache in (ROOT / folder).rglob("__pycache__"))]
    for cache in caches:
        shutil.rmtree(cache, ignore_errors=True)


def run(*extra: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of the fast tier, which must pass."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*COMMAND, *extra], cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"the fast tier failed ({' '.join(extra) or 'with the plugin'}):\n{done.stdout[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    repeat = parser.parse_args().repeat
    runs: dict[str, list[tuple[float, float]]] = {"baseline": [], "first": [], "loop": []}
    for _ in range(repeat):
        clear_caches()
        runs["baseline"].append(run("-p", "no:lean_processes"))
        runs["first"].append(run())
        runs["loop"].append(run())
    labels = {"baseline": "without lean_processes (baseline)", "first": "with it, first run (writes caches)",
              "loop": "with it, the loop's usual run"}
    head = "fast tier, PYTHONDONTWRITEBYTECODE=1"
    print(f"{head:40} {'wall (s), each run':>24} {'median':>7} {'CPU (s)':>8}")
    for key, label in labels.items():
        walls = [w for w, _ in runs[key]]
        print(f"{label:40} {', '.join(f'{w:.1f}' for w in walls):>24} {statistics.median(walls):7.1f} "
              f"{statistics.median(c for _, c in runs[key]):8.1f}")
    base, loop = (statistics.median(w for w, _ in runs[k]) for k in ("baseline", "loop"))
    print(f"the loop's run takes {loop / base:.2f} x the baseline's wall time (target: under 30 s)")


if __name__ == "__main__":
    main()
