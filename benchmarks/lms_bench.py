"""LMS export speed: every shipped bank to GIFT, Moodle XML and a Canvas QTI zip, and the GIFT import.

Prints the median time to export all banks to each format (the HTML rendering cache cleared before
each run, so every run renders every text), next to baselines measured in the same run: loading and
validating the banks once, ``json.dumps`` of the same questions, the existing jupyterquiz export
of the same banks (no HTML), and rendering their texts to HTML once each (the floor of an HTML
export). Then the time to read the GIFT export back into a bank (without writing it).

    python benchmarks/lms_bench.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import warnings
from pathlib import Path


def median_ms(fn, repeat: int, before=None) -> float:
    times = []
    for _ in range(repeat):
        if before:
            before()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def _texts(q) -> list[str]:
    """The texts of a question an export renders: prompt, explanation, options, feedback."""
    out = [q.prompt, q.explanation, *q.feedback.values(), *getattr(q, "options", [])]
    return [t for t in out if isinstance(t, str) and t]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from tmvlearn.quiz.bank import bank_paths, load_bank

    t = time.perf_counter()
    banks = [load_bank(p) for p in bank_paths()]
    load_ms = (time.perf_counter() - t) * 1000
    questions = [q for b in banks for q in b.questions]
    print(f"{len(banks)} banks, {len(questions)} questions; "
          f"loading and validating them once: {load_ms:.0f} ms")

    from tmvlearn.quiz.formats.text import block_html, line_html
    from tmvlearn.quiz.lms import export_text, import_gift, to_jupyterquiz

    def cold() -> None:
        block_html.cache_clear()
        line_html.cache_clear()

    dumps = median_ms(lambda: json.dumps([q.model_dump(mode="json") for q in questions]), args.repeat)

    def jupyterquiz() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            to_jupyterquiz(questions)

    jq = median_ms(jupyterquiz, args.repeat)
    from tmvlearn.quiz.markup import markdown_to_html

    texts = [t for q in questions for t in _texts(q)]
    render = median_ms(lambda: [markdown_to_html(t) for t in texts], args.repeat)
    print(f"baselines: json.dumps of the questions {dumps:.1f} ms; jupyterquiz export {jq:.1f} ms; "
          f"rendering their {len(texts)} texts to HTML once each (markup.py) {render:.0f} ms "
          f"(medians of {args.repeat})")
    sizes = {}
    for fmt in ("gift", "moodle-xml", "qti"):
        ms = median_ms(lambda fmt=fmt: sizes.__setitem__(fmt, len(export_text(banks, fmt).data)), args.repeat,
                       before=cold)
        print(f"export all banks to {fmt:<10}: median {ms:6.1f} ms  ({sizes[fmt] / 1000:.0f} kB; "
              f"{ms / dumps:.0f}x json.dumps, {ms / jq:.1f}x jupyterquiz)")
    with tempfile.TemporaryDirectory() as tmp:
        gift = Path(tmp) / "all.gift"
        gift.write_text(export_text(banks, "gift").data, encoding="utf-8")
        ms = median_ms(lambda: import_gift(gift, Path(tmp) / "90_all.yaml"), args.repeat)
        print("read the GIFT export back into a bank (parse, convert, check each question): "
              f"median {ms:.0f} ms")


if __name__ == "__main__":
    main()
