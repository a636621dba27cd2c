"""``tmvlearn results``: collect a class's attempts into a gradebook; item analysis; a report.

The stdout format is relied on by scripts and by tests/test_hub_e2e.py (``docs/class-results.md``,
"Output", describes it): keep the first two lines as they are.
"""

from __future__ import annotations

import argparse

EPILOG = """examples:
  tmvlearn results /srv/tmvlearn-course      collect the course volume (one folder per learner)
  tmvlearn results hand-ins/ --items        also the item analysis, with its flags
  tmvlearn results --csv grades.csv --html report.html   from the gradebook collected before
  tmvlearn results --sample --items --html sample.html  a simulated class, to see the flags
  tmvlearn results --objectives --html report.html   mastery per objective, in the report too
exit codes: 0 every file was read; 2 some file was skipped or read in part, or some row set aside
(listed), or the command line cannot be carried out (error on stderr).
The gradebook, --csv, --json and --html files are readable by you only (0600), or by the group
given with --group or $TMVLEARN_RESULTS_GROUP as well (0640), whatever the umask."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from tmvlearn.results import DEFAULT_GRADEBOOK

    parser = subparsers.add_parser(
        "results",
        help="collect a class's quiz attempts: gradebook, item analysis, report",
        description="Read learners' progress databases, pending journals and progress exports (files, "
        "or folders searched recursively) into one class gradebook (a SQLite file), then print it. "
        "Learners' files are only read. Collecting the same files again changes nothing.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="progress databases, .pending journals, .csv/.json exports, or folders",
    )
    parser.add_argument(
        "--into", metavar="FILE", help=f"the gradebook to add to and analyse (default: ./{DEFAULT_GRADEBOOK})"
    )
    parser.add_argument("--items", action="store_true", help="print the item analysis (first attempts)")
    parser.add_argument("--objectives", action="store_true",
                        help="mastery per learning objective: print how many learners are not started, "
                        "learning or secure on each; add it to --json (key \"objectives\") and to the "
                        "--html report (a learner-by-objective table)")
    parser.add_argument("--csv", metavar="FILE", help="write the gradebook (one row per learner) as CSV")
    parser.add_argument("--json", metavar="FILE", help="write the item analysis as JSON")
    parser.add_argument("--items-csv", metavar="FILE", dest="items_csv",
                        help="write the item analysis as CSV (a row per question, its most common answers)")
    parser.add_argument("--html", metavar="FILE", help="write a self-contained report page")
    parser.add_argument(
        "--sample",
        action="store_true",
        help="use a simulated class (seeded; not real learners) instead of collected files",
    )
    parser.add_argument("--seed", type=int, default=14, help="the simulated class's seed (default 14)")
    parser.add_argument(
        "--limit",
        type=int,
        default=40,
        metavar="N",
        help="print at most N learners of the gradebook (default 40; 0: all)",
    )
    parser.add_argument("--notebook", metavar="DIR",
                        help="copy the instructor notebook class_results.ipynb into DIR, and do nothing else")
    parser.add_argument("--force", action="store_true",
                        help="replace --csv/--json/--html/--items-csv files that exist")
    parser.add_argument(
        "--group",
        metavar="GROUP",
        help="let this group (the instructors', e.g. tmvlearn-instructors) read the gradebook and the "
        "files written (mode 0640); default $TMVLEARN_RESULTS_GROUP, else you only (0600)",
    )
    live = parser.add_argument_group("live poll (peer instruction; docs/teaching.md)")
    live.add_argument("--poll", metavar="QUESTION_ID",
                      help="one question's spread of answers in PATH (each learner's latest since --since); "
                      "with --json FILE, write one snapshot; nothing is collected into the gradebook")
    live.add_argument("--since", metavar="ISO-TIME",
                      help="count answers given at or after this time (e.g. 2026-12-07T14:05:00, UTC "
                      "unless it names a zone); default: every answer for --poll, now for --live")
    live.add_argument("--live", metavar="QUESTION_ID", nargs="?", const=True,
                      help="show the spread in the terminal, refreshed every --every seconds, until Ctrl+C")
    live.add_argument("--every", metavar="SECONDS", type=float, default=1.0,
                      help="seconds between refreshes of --live (default 1, at most 2)")
    parser.set_defaults(func=run)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _pct(value) -> str:
    import math

    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0%}"


def _num(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value + 0.0 if abs(value) >= 0.5 * 10**-digits else 0.0:.{digits}f}"


def _lessons(frame) -> int:
    """Lessons with attempts (flashcard self-ratings, e.g. the "glossary" deck, are not a lesson)."""
    return frame.loc[(frame["mode"] != "flashcard").to_numpy(), "lesson"].nunique()


def _some(names: list[str], count: int, shown: int = 3) -> str:
    """The first ``shown`` of ``names``, and how many more of ``count``."""
    text = ", ".join(names[:shown])
    return text + (f" and {count - shown} more" if count > shown else "")


def format_gradebook(book, limit: int = 40, flashcards=None) -> str:
    """Learners x lessons: first-attempt score and answered/total per lesson, and the last activity;
    then, for each lesson whose exercises anyone checked (or whose solutions anyone revealed), an
    ``NN ex`` column: code exercises passed/of (``*``: a worked solution was shown), apart from the scores.

    ``flashcards``: flashcard self-ratings per learner (:func:`tmvlearn.results.analysis.flashcard_activity`),
    shown as a ``flashcards`` column when anyone has one."""
    import pandas as pd

    from tmvlearn.results.safe_output import shown as _shown

    lessons = list(dict.fromkeys(book["lesson"]))
    table = {}
    for lesson in lessons:
        part = book[book["lesson"] == lesson].set_index("learner")
        table[lesson[:2] if lesson[:2].isdigit() else lesson] = [
            "-" if a == 0 else f"{_pct(s)} {a}/{t}"
            for a, t, s in zip(part["answered"], part["total"], part["first_score"], strict=True)
        ]
        learners = list(part.index)
    for lesson in lessons:  # code exercises: completion, never a score
        part = book[book["lesson"] == lesson].set_index("learner")
        if "exercises_checked" not in part:
            break
        checked, shown = part["exercises_checked"], part["solutions_revealed"]
        passed, of = part["exercises_passed"], part["exercises_total"]
        if not (checked + shown).any():
            continue
        table[f"{lesson[:2] if lesson[:2].isdigit() else lesson} ex"] = [
            "-" if c == 0 and r == 0 else f"{p}/{t}" + ("*" if r else "")
            for c, p, t, r in zip(checked, passed, of, shown, strict=True)
        ]
    exercise_columns = any(name.endswith(" ex") for name in table)
    frame = pd.DataFrame(table, index=pd.Index(learners if lessons else [], name="learner"))
    frame.index = frame.index.map(lambda name: _shown(name, lines=False)).rename("learner")
    if flashcards is not None and flashcards.any():
        frame["flashcards"] = flashcards.reindex(frame.index, fill_value=0).to_numpy()
    last = book.groupby("learner", sort=False)["last_activity"].max()
    frame["last activity"] = [
        ("-" if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M")) for t in last.reindex(frame.index)
    ]
    shown = frame if not limit or len(frame) <= limit else frame.iloc[:limit]
    with pd.option_context("display.width", 200, "display.max_columns", 50, "display.max_colwidth", 40):
        text = shown.reset_index().to_string(index=False)
    if len(shown) < len(frame):
        text += f"\n... and {len(frame) - len(shown)} more learners (all of them: --csv FILE, or --limit 0)"
    legend = ", ".join(f"{lesson[:2]} = {lesson}" for lesson in lessons if lesson[:2].isdigit())
    text += f"\nlessons: {legend}" if legend else ""
    if exercise_columns:
        text += ("\nNN ex: code exercises passed/of in lesson NN (* a worked solution was shown); "
                 "not part of any score")
    if "flashcards" in frame:
        text += "\nflashcards: flashcard self-ratings (not scored, not in the lesson columns)"
    return text


def format_items(analysis) -> str:
    """Per lesson: alpha, then one line per question with its figures and flags."""
    import pandas as pd

    from tmvlearn.results.analysis import FIRST_ATTEMPT, THRESHOLDS, answers_line

    lines = [
        f"Item analysis on first attempts ({FIRST_ATTEMPT}).",
        "p = difficulty (mean score); r = discrimination (corrected item-total correlation);",
        "D = upper-lower 27% index; alpha-del = the lesson's alpha without the question.",
        "Figures to 3 decimals; the flags are decided on the figures as shown.",
        "Flags: " + "; ".join(f'"{name}" ({rule})' for name, rule in THRESHOLDS.items()) + ".",
        "Alpha, roughly: 0.7 or more is usual for a graded test, 0.5 to 0.7 acceptable for a short quiz;",
        "it grows with the number of questions and swings a lot with few learners.",
    ]
    for lesson, info in analysis["lessons"].items():
        lines.append("")
        k, of = info.get("n_items_answered", len(info["items"])), len(info["items"])
        if info["alpha"] is None:
            about = f"not computed: {info.get('alpha_note') or 'too few learners or questions'}"
        else:
            about = f"over the {info['n_complete']} who answered all {k} questions" + (
                f" anyone answered, of {of}" if k < of else ""
            )
        alpha = "-" if info["alpha"] is None else f"{info['alpha']:.2f}"
        lines.append(f"{lesson}: {_n(info['n_learners'], 'learner')}, {info['alpha_kind']} = {alpha} "
                     f"({about})")
        rows = [
            {
                "question": item["question_id"],
                "n": item["n"],
                "p": _num(item["difficulty"]),
                "r": _num(item["discrimination"]),
                "D": _num(item["upper_lower"]),
                "alpha-del": _num(item["alpha_if_deleted"]),
                "flags": "; ".join(item["flags"]),
            }
            for item in info["items"]
        ]
        with pd.option_context("display.width", 250, "display.max_colwidth", 120):
            lines.append(pd.DataFrame(rows).to_string(index=False) if rows else "(no questions)")
        for item in info["items"]:
            if item.get("answers") and item["type"] not in ("single_choice", "multiple_select", "true_false"):
                lines.append(f"  {item['question_id']}: most common answers: {answers_line(item, 40)}")
            unlisted = item.get("unlisted_responses") or {}
            if unlisted:
                shown = ", ".join(f"{text[:40]!r} {share:.0%}" for text, share in list(unlisted.items())[:5])
                lines.append(f"  {item['question_id']}: responses that are not options in the bank: {shown}")
    return "\n".join(lines)


def copy_notebook(folder: str, force: bool = False) -> int:
    """Copy the shipped instructor notebook into ``folder`` (created if needed)."""
    from pathlib import Path

    from tmvlearn._files import write_atomically
    from tmvlearn._resources import notebooks_dir
    from tmvlearn.errors import UsageError

    source = notebooks_dir() / "instructor" / "class_results.ipynb"
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise UsageError(f"--notebook {folder}: it is a file; give a folder to copy class_results.ipynb into")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--notebook {folder}: cannot create the folder ({exc.strerror})") from None
    written = write_atomically(target / source.name, source.read_bytes(), force=force, error=UsageError)
    print(f"wrote {written} (open it in JupyterLab; it starts on a simulated class)")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.notebook:  # a file copy: before loading the analysis (pandas)
        return copy_notebook(args.notebook, force=args.force)
    if args.poll or args.live:  # the live poll reads learners' files only: no gradebook
        from tmvlearn.results.poll import run_cli

        return run_cli(args)

    from pathlib import Path

    from tmvlearn.errors import UsageError
    from tmvlearn.results import DEFAULT_GRADEBOOK, analysis
    from tmvlearn.results.collection import collect_into, open_gradebook, read_gradebook
    from tmvlearn.results.safe_output import csv_safe, output_mode, shown

    def say(text: str = "", lines: bool = False) -> None:
        """Print one line (``lines``: a block) with control and bidi characters escaped."""
        print(shown(text, lines=lines))

    if args.sample and args.paths:
        raise UsageError("give PATH... to collect real attempts, or --sample for a simulated class, not both")
    if args.limit < 0:
        raise UsageError(f"--limit must be 0 (all) or more, not {args.limit}")
    for option in ("csv", "json", "html", "items_csv"):
        target = getattr(args, option)
        flag = option.replace("_", "-")
        if target and Path(target).exists() and not args.force:
            raise UsageError(
                f"--{flag} {target} already exists and was left as it is; to replace it, use --force"
            )
        if target and not Path(target).absolute().parent.is_dir():
            raise UsageError(
                f"--{flag} {target}: the folder {Path(target).absolute().parent} does not exist"
            )
    mode, gid = output_mode(args.group)  # an unknown group stops here, before anything is written
    code = 0
    if args.sample:
        from tmvlearn.results.sample import sample_class

        frame = sample_class(seed=args.seed)
        learners = len(frame["learner"].cat.categories)
        say(
            f"SIMULATED class (seed {args.seed}; not real learners): {_n(learners, 'learner')}, "
            f"{_n(len(frame), 'attempt')}."
        )
        say(
            f"Gradebook (simulated, in memory): {_n(learners, 'learner')}, {_n(len(frame), 'attempt')}, "
            f"{_n(_lessons(frame), 'lesson')}."
        )
    else:
        into = Path(args.into or DEFAULT_GRADEBOOK)
        if not args.paths and not into.exists():
            raise UsageError(
                f"no gradebook at {into} yet: give the PATH... of learners' files or folders to "
                "collect (or --into FILE for another gradebook, or --sample to try it out)"
            )
        conn = open_gradebook(into, mode=mode, gid=gid)
        try:
            done = collect_into(args.paths, into, conn=conn) if args.paths else None
            frame = read_gradebook(conn)
            learners = conn.execute("SELECT count(*) FROM learners").fetchone()[0]
        finally:
            conn.close()
        if done is not None:
            skipped = sum(p.status == "skipped" for p in done.problems)
            partly = len(done.problems) - skipped
            say(
                f"Read {_n(done.files_read, 'file')} ({skipped} skipped, {partly} partly read): "
                f"{_n(done.attempts_read, 'attempt')}, {done.attempts_new} new, {done.duplicates} duplicates."
            )
        say(
            f"Gradebook {into.resolve()}: {_n(learners, 'learner')}, {_n(len(frame), 'attempt')}, "
            f"{_n(_lessons(frame), 'lesson')}."
        )
        if done is not None:
            if done.problems:
                code = 2
                aside = f"; {_n(done.set_aside, 'row')} set aside" if done.set_aside else ""
                say(f"Not read whole ({len(done.problems)}{aside}):")
                for problem in done.problems:
                    say(f"  {problem}")
            for note in done.notes:
                say(f"note: {note}")
            if done.ignored:
                say(f"note: {_n(done.ignored, 'other file')} in the folders (not progress files or "
                      f"exports) left alone: {_some(done.ignored_files, done.ignored)}.")
    banks = analysis.question_banks(map(str, frame["lesson"].unique()))
    book = analysis.gradebook(frame, banks)
    say()
    say("First-attempt score and questions answered, per lesson:" if len(book) else "No attempts yet.")
    if len(book):
        say(format_gradebook(book, args.limit, analysis.flashcard_activity(frame)), lines=True)
    late = analysis.behind(book) if len(book) else None
    if late is not None and len(late):
        names = ", ".join(f"{r.learner} ({r.status})" for r in late.head(20).itertuples())
        more = f" and {len(late) - 20} more" if len(late) > 20 else ""
        say(f"Not started or behind ({late.attrs['rule']}): {names}{more}")
    items = None
    if args.items or args.json or args.html or args.items_csv:
        items = analysis.item_analysis(frame, banks)
        items["simulated"] = bool(args.sample)
    if args.items:
        say()
        say(format_items(items), lines=True)
    objectives = None
    if args.objectives:
        from tmvlearn.results.objectives import class_mastery, format_counts, sample_now

        # the simulated class answered in January 2026: its "now" is just after its last attempt
        objectives = class_mastery(frame, now=sample_now(frame) if args.sample and len(frame) else None)
        if items is not None:
            items["objectives"] = objectives
        say()
        say(format_counts(objectives), lines=True)
    if args.csv:
        from tmvlearn._files import write_atomically

        text = csv_safe(analysis.gradebook_wide(book)).to_csv(index=False)
        written = write_atomically(args.csv, text, force=args.force, error=UsageError, mode=mode, gid=gid)
        say(f"wrote {written}")
    if args.json:
        import json

        from tmvlearn._files import write_atomically

        text = json.dumps(items, indent=2, ensure_ascii=False) + "\n"
        written = write_atomically(args.json, text, force=args.force, error=UsageError, mode=mode, gid=gid)
        say(f"wrote {written}")
    if args.items_csv:
        from tmvlearn._files import write_atomically

        text = csv_safe(analysis.items_table(items)).to_csv(index=False)
        written = write_atomically(args.items_csv, text, force=args.force, error=UsageError, mode=mode,
                                   gid=gid)
        say(f"wrote {written}")
    if args.html:
        from tmvlearn._files import write_atomically
        from tmvlearn.results.report import html_report

        page = html_report(frame, book=book, items=items, banks=banks, simulated=bool(args.sample),
                           objectives=objectives)
        written = write_atomically(args.html, page, force=args.force, error=UsageError, mode=mode, gid=gid)
        say(f"wrote {written}")
    return code
