"""Import and dataset-loading speed.

Prints the median wall time of `import tmvlearn` next to `import pandas` (each in a fresh
interpreter, so both pay the same start-up), and the time to load every dataset, cold (first load
in a process: descriptor, CSV parsing and checks) and warm (later calls return a fresh copy).

    python benchmarks/datasets_bench.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def fresh_process_seconds(statement: str, repeat: int, setup: str = "pass") -> float:
    """Median time of ``statement`` run once in each of ``repeat`` fresh interpreters (after ``setup``)."""
    code = f"import time; {setup}; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                 text=True).stdout) for _ in range(repeat)]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat

    base = fresh_process_seconds("import pandas", repeat)
    ours = fresh_process_seconds("import tmvlearn", repeat)
    print(f"import pandas          median {base * 1000:7.1f} ms  ({repeat} fresh interpreters)")
    print(f"import tmvlearn        median {ours * 1000:7.1f} ms  ({ours / base:.2f} x pandas)")

    cold = fresh_process_seconds(
        "[tmvlearn.load_dataset(n) for n in tmvlearn.list_datasets()]", repeat, setup="import tmvlearn"
    )
    import tmvlearn

    names = tmvlearn.list_datasets()
    for name in names:
        tmvlearn.load_dataset(name)
    warm = []
    for _ in range(repeat):
        start = time.perf_counter()
        for name in names:
            tmvlearn.load_dataset(name)
        warm.append(time.perf_counter() - start)
    rows = sum(len(tmvlearn.load_dataset(n)) for n in names)
    print(f"load all {len(names)} datasets  cold {cold * 1000:7.1f} ms  "
          f"warm median {statistics.median(warm) * 1000:6.1f} ms  ({rows} rows in all)")


if __name__ == "__main__":
    main()
