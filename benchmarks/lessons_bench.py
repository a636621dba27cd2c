"""Every lesson run headless: wall time and peak kernel memory, next to the floor.

The floor is a one-cell notebook that imports the same stack (tmvlearn, its explorers and quiz,
pandas, matplotlib, ipywidgets) and draws one figure: what any lesson costs before it teaches.
Targets (issue 5): the whole sequence under 1.5 x (number of lessons x floor time), and no
lesson over 300 MB peak kernel memory (resident set high-water mark, Linux /proc).

    python benchmarks/lessons_bench.py [--repeat 3]

Beside them, the size of the lesson as saved after the run (outputs included, widget state not):
what a learner's folder and git hold, mostly the figures' PNGs.

The package is measured as installed: byte-compiled, as ``pip install`` leaves it. An editable install
run where ``PYTHONDONTWRITEBYTECODE`` is set (as in some sandboxes) would otherwise compile every
tmvlearn module in every kernel, about 0.35 s a kernel, which a learner never pays; so the bench
compiles the package first (``compileall``: into ``__pycache__``, which git ignores).

Each figure is the median of --repeat runs (a fresh kernel each), to steady a 2-core machine; the floor
is also run once before each lesson, and its figure is the median of all its runs.
Beside the wall time, the kernel's own CPU time (user + system, Linux /proc): on a machine shared
with other work the wall time follows the load, the CPU time much less, so compare ratios of both.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbclient import NotebookClient

import tmvlearn
from tmvlearn.lessons import KERNEL, lesson_paths

FLOOR_SOURCE = """\
import matplotlib.pyplot as plt
import pandas as pd
import ipywidgets
import tmvlearn
from tmvlearn import explorers, quiz
from tmvlearn.plots import new_figure, show_figure
fig, ax = new_figure()
ax.plot(pd.Series([1, 2, 3]))
ax.set(title="floor", xlabel="x (1)", ylabel="y (1)")
show_figure(fig, "A three-point line: the benchmark floor.")
"""


class Run(NamedTuple):
    """One notebook's run (or the median of several)."""

    seconds: float  # from kernel start to the last output
    peak_mb: float  # the kernel's peak resident memory
    cpu_s: float  # the kernel's own CPU time, user + system
    saved_kb: float  # the notebook as saved after the run


def run(notebook, folder: Path) -> Run:
    """Run one notebook in a fresh kernel and measure it."""
    client = NotebookClient(notebook, timeout=600, kernel_name=KERNEL, record_timing=False,
                            store_widget_state=False, resources={"metadata": {"path": str(folder)}})
    start = time.perf_counter()
    with client.setup_kernel(stderr=subprocess.DEVNULL):  # start-up chatter, as `tmvlearn lessons run`
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        elapsed = time.perf_counter() - start
        pid = client.km.provisioner.process.pid
        status = Path(f"/proc/{pid}/status").read_text()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    saved_kb = len(nbformat.writes(notebook).encode()) / 1024
    return Run(elapsed, peak_kb / 1024, cpu, saved_kb)


def median_run(runs: list[Run]) -> Run:
    """The median of each figure, and the highest peak."""
    median = statistics.median
    return Run(median(r.seconds for r in runs), max(r.peak_mb for r in runs), median(r.cpu_s for r in runs),
               median(r.saved_kb for r in runs))


def floor_notebook():
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    compileall.compile_dir(Path(tmvlearn.__file__).parent, quiet=1)  # as installed: see the docstring
    # the floor is run `repeat` times first, then once more before each lesson, so that a machine
    # whose speed drifts during the run (a shared 2-core VM) moves the floor with the lessons
    floors = [run(floor_notebook(), Path.cwd()) for _ in range(repeat)]
    rows = []
    lessons = lesson_paths()
    for path in lessons:
        floors.append(run(floor_notebook(), Path.cwd()))
        rows.append((path.stem, median_run([run(nbformat.read(path, as_version=4), path.parent)
                                            for _ in range(repeat)])))
    floor = median_run(floors)
    print(f"{'notebook':32} {'time (s)':>9} {'peak MB':>8} {'kernel CPU (s)':>15} {'saved kB':>9}")
    for stem, r in [("floor (imports + one figure)", floor), *rows]:
        print(f"{stem:32} {r.seconds:9.2f} {r.peak_mb:8.0f} {r.cpu_s:15.2f} {r.saved_kb:9.0f}"
              + (f"   (median of {len(floors)} runs, interleaved)" if r is floor else ""))
    runs = [r for _, r in rows]
    total, total_cpu = sum(r.seconds for r in runs), sum(r.cpu_s for r in runs)
    worst, total_kb = max(r.peak_mb for r in runs), sum(r.saved_kb for r in runs)
    budget = 1.5 * len(lessons) * floor.seconds
    print(f"whole sequence {total:.1f} s; target < 1.5 x {len(lessons)} x floor = {budget:.1f} s "
          f"({total / (len(lessons) * floor.seconds):.2f} x the floor per lesson); worst peak {worst:.0f} MB "
          f"(target < 300 MB); kernel CPU {total_cpu:.1f} s "
          f"({total_cpu / (len(lessons) * floor.cpu_s):.2f} x the floor's per lesson); "
          f"saved lessons {total_kb:.0f} kB")


if __name__ == "__main__":
    main()
