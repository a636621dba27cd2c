"""Quiz engine speed: loading the banks, building and displaying a quiz widget, recording attempts.

Prints the median time a fresh interpreter takes to import the quiz engine and load (validate)
every shipped bank, next to the time it takes only to read the same YAML files; the median time
to build a 10-question quiz widget and compute its
mimebundle (the widget view plus the static HTML/Markdown/text rendering) and how many widget models
it opens, next to the same with a layout and a style model of its own for every widget (as before
tmvlearn.quiz.widget_kit: the baseline, measured in the same run), the
time to grade a response to each of those questions, and the time to record
1,000 attempts, one transaction each, into a throwaway TMVLEARN_HOME.

    python benchmarks/quiz_bench.py [--repeat 7] [--attempts 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

LOAD_BANKS = "from tmvlearn.quiz.bank import bank_paths, load_bank\nfor p in bank_paths(): load_bank(p)"
READ_YAML = ("import yaml\nfrom tmvlearn._resources import data_dir\n"
             "for p in sorted((data_dir() / 'quizzes').glob('*.yaml')): "
             "yaml.load(p.read_text(), yaml.CSafeLoader)")


def fresh_interpreter_ms(code: str, repeat: int) -> float:
    """Median wall time of ``python -c code`` in a new interpreter, start-up included."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def count_models(root) -> int:
    """The widget models a view shows: its widgets and their layout and style models, each once."""
    seen, stack = {}, [root]
    while stack:
        widget = stack.pop()
        if id(widget) in seen:
            continue
        seen[id(widget)] = widget
        stack += [m for m in (getattr(widget, "layout", None), getattr(widget, "style", None)) if m]
        stack += list(getattr(widget, "children", ()))
    return len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--attempts", type=int, default=1000)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="tmvlearn-bench-")
    os.environ["TMVLEARN_HOME"] = home  # never the learner's real database

    banks = fresh_interpreter_ms(LOAD_BANKS, args.repeat)
    yaml_only = fresh_interpreter_ms(READ_YAML, args.repeat)
    print(f"fresh interpreter, import + load and validate all banks: median {banks:.0f} ms "
          f"(only reading their YAML: {yaml_only:.0f} ms; {args.repeat} runs each)")

    from tmvlearn import quiz
    from tmvlearn.progress import ProgressStore

    questions = list(quiz.load_bank("01_biogenesis"))[:10]
    assert len(questions) == 10, "the biogenesis bank has at least 10 questions"
    import ipywidgets

    from tmvlearn.quiz import widget_kit

    quiz.show(questions)._repr_mimebundle_()  # warm caches (Markdown parser)
    shared_kit = widget_kit.WidgetKit
    for label, kit in (("models shared (WidgetKit)", shared_kit),
                       ("baseline, a layout and style per widget", lambda: ipywidgets)):
        widget_kit.WidgetKit = kit
        builds = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            shown = quiz.show(questions)
            bundle = shown._repr_mimebundle_()
            builds.append(time.perf_counter() - t)
        models = count_models(shown.widget)
        assert "application/vnd.jupyter.widget-view+json" in bundle
        print(f"build + display a 10-question quiz widget, {label}: median "
              f"{statistics.median(builds) * 1000:.1f} ms (min {min(builds) * 1000:.1f}, "
              f"max {max(builds) * 1000:.1f}; {args.repeat} runs), {models} widget models")
    widget_kit.WidgetKit = shared_kit

    t = time.perf_counter()
    for _ in range(100):
        for q in questions:
            q.check(q.key_response())
    print(f"grade one response: {(time.perf_counter() - t) / (100 * len(questions)) * 1e6:.1f} µs on average")

    store = ProgressStore(os.path.join(home, "progress.sqlite3"))
    t = time.perf_counter()
    for i in range(args.attempts):
        q = questions[i % len(questions)]
        store.record(lesson=q.lesson, question_id=q.id, response=q.key_response(), score=1.0, correct=True,
                     learner="bench")
    elapsed = time.perf_counter() - t
    assert len(store.attempts("bench")) == args.attempts
    print(f"record {args.attempts} attempts (one transaction each, WAL): {elapsed:.2f} s "
          f"({elapsed / args.attempts * 1000:.2f} ms per attempt)")
    store.close()


if __name__ == "__main__":
    main()
