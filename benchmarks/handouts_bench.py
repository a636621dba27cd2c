"""Handout build time per lesson, next to plain `jupyter nbconvert --to html` in the same run.

For each lesson: the static execution (INTERACTIVE = False), then the student HTML (filtering,
maths, the offline template) and the PDF (headless Chromium), against a plain
`jupyter nbconvert --to html` of the same executed notebook. The totals at the end are what
`tmvlearn handouts` (HTML) and `tmvlearn handouts --format pdf` cost for the whole sequence.

    python benchmarks/handouts_bench.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from tmvlearn import handouts
from tmvlearn.lessons import lesson_paths


def main() -> None:
    chromium = handouts.find_chromium()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for path in lesson_paths():
            start = time.perf_counter()
            executed = handouts._executed_statically(path, path.stat().st_mtime_ns)
            execute_s = time.perf_counter() - start

            start = time.perf_counter()
            html = handouts.to_html(handouts.prepare_lesson(path, "student"), "student")
            page = out / f"{path.stem}.html"
            page.write_text(html, encoding="utf-8")
            html_s = time.perf_counter() - start

            start = time.perf_counter()
            handouts.html_to_pdf(page, out / f"{path.stem}.pdf", chromium)
            pdf_s = time.perf_counter() - start

            plain_in = out / f"{path.stem}-executed.ipynb"
            nbformat.write(executed, plain_in)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--log-level=ERROR",
                            str(plain_in)], check=True)
            plain_s = time.perf_counter() - start
            rows.append((path.stem, execute_s, html_s, pdf_s, plain_s))

    print(f"{'lesson':28} {'execute':>8} {'our HTML':>9} {'our PDF':>8} {'plain nbconvert HTML':>21}")
    for name, *times in rows:
        print(f"{name:28} " + " ".join(f"{t:8.2f}s" for t in times[:3]) + f" {times[3]:20.2f}s")
    totals = [sum(r[i] for r in rows) for i in range(1, 5)]
    print(f"{'total':28} " + " ".join(f"{t:8.2f}s" for t in totals[:3]) + f" {totals[3]:20.2f}s")
    print(f"all lessons as HTML handouts: {totals[0] + totals[1]:.1f} s; as PDF: "
          f"{totals[0] + totals[1] + totals[2]:.1f} s; plain nbconvert of the executed notebooks: "
          f"{totals[3]:.1f} s "
          "(a separate process per lesson, as the command line runs it)")


if __name__ == "__main__":
    main()
