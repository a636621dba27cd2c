"""Each explorer's median update time (set a control's value headless: model + redraw + PNG)
next to a bare matplotlib redraw (fig.canvas.draw()) of a figure of the same size. Times are CPU
time of this process (time.process_time): on a machine shared with other work, wall time follows
the load; CPU time much less.

Run: python benchmarks/explorer_bench.py [repeats]
"""

import os
import statistics
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402

from tmvlearn import explorers  # noqa: E402
from tmvlearn.plots import css_size, new_figure  # noqa: E402

CASES = {
    "biomarker_explorer": ("search", ["m", "mi", "mir", "mmp", "inv", "cd", ""]),
    "size_explorer": ("window_max_nm", [200.0, 400.0, 800.0, 2000.0, 4000.0, 160.0]),  # slider stops
    "centrifuge_explorer": ("time_min", [10, 20, 30, 60, 90, 120]),
    "biogenesis_explorer": ("inhibit", None),
    "immune_explorer": ("target_cell", None),
    "diagnostic_explorer": ("threshold", [1.0, 1.5, 2.0, 2.5, 3.0, 4.0]),
}


def median_ms(fn, values, repeats):
    times = []
    for _ in range(repeats):
        for v in values:
            start = time.process_time()
            fn(v)
            times.append(time.process_time() - start)
    return 1000 * statistics.median(times)


def bare_redraw_ms(repeats):
    fig, ax = new_figure()
    x = np.linspace(0, 10, 300)
    (line,) = ax.plot(x, np.sin(x))
    ax.set_title("bare redraw")
    ax.set_xlabel("x (unit)")
    ax.set_ylabel("y (unit)")

    def redraw(i):
        line.set_ydata(np.sin(x + i))
        fig.canvas.draw()
    return median_ms(redraw, range(6), repeats)


def main(repeats=5):
    print(f"{'explorer':<22}{'update (CPU ms)':>20}{'bare redraw (CPU ms)':>22}{'shown (CSS px)':>16}"
          f"{'PNG (px)':>13}{'PNG kB':>8}")
    bare = bare_redraw_ms(repeats)
    for name, (control, values) in CASES.items():
        exp = getattr(explorers, name)()
        shown = css_size(exp.figure)
        widget = exp.controls[control]
        if values is None:
            values = [o for o in widget.options][:8]

        def set_value(v, widget=widget):
            widget.value = v
        update = median_ms(set_value, values, repeats)
        width, height = exp.figure.canvas.get_width_height()
        print(f"{name:<22}{update:>20.1f}{bare:>22.1f}{f'{shown[0]} x {shown[1]}':>16}"
              f"{f'{width} x {height}':>13}{len(exp.png()) / 1024:>8.0f}")
    print(f"({repeats} rounds per control; update = model + in-place artist update + blit + PNG encode; "
          "bare redraw: the package's default figure, 800 x 450 CSS pixels)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
