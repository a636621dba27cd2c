"""The live poll's model: one question, the spread of each learner's latest answer since a start time.

For peer instruction (ask, look at the spread, let neighbours discuss, ask again): a :class:`Poll`
follows one quiz question of the shipped banks in a class's progress files through a
:class:`~tmvlearn.results.live.LiveReader` (read-only, incremental, untrusted files). Each learner
counts once, with their **latest** graded answer (``kind = "answer"``, not a revealed solution; in
practice or test mode) to that question at or after ``since``. Answers are normalised as the item
analysis lists them (:func:`tmvlearn.results.analysis.normalised_answer`: a number as read, a text
with its spaces collapsed, the options chosen...). The snapshot is anonymous: counts only, never a
name.

Snapshot (``tmvlearn results PATH --poll QUESTION_ID --json FILE`` writes it)::

    {"question_id": "start-run-keys", "since": "2026-12-07T14:00:00+00:00", "learners": 3,
     "answers": [{"answer": "Enter", "count": 1, "correct": false},
                 {"answer": "Shift+Enter", "count": 2, "correct": true}, ...],
     "lesson": "00_start_here", "type": "single_choice", "generated": "...", "notes": []}

Order: a single-choice or true/false question lists every option in the bank's order (options nobody
chose with count 0); other questions list the answers given, most common first (ties by text).
``correct``: for choice questions, whether the answer is the key; for others, whether every learner
who gave it got full marks.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from tmvlearn.errors import UsageError
from tmvlearn.lessons import QUIZ_MODES
from tmvlearn.results.live import REFRESH_SECONDS, LiveReader, LiveRow

__all__ = ["Poll", "parse_since", "find_question", "question_choices", "format_poll", "SNAPSHOT_KEYS"]

SNAPSHOT_KEYS = ("question_id", "since", "learners", "answers")


def parse_since(text: str | datetime | None, name: str = "--since") -> datetime | None:
    """``text`` (ISO 8601) as an aware time (no zone: UTC); None stays None. A clear error otherwise."""
    if text is None or isinstance(text, datetime):
        return _aware(text) if text is not None else None
    try:
        value = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{name} {text!r} is not an ISO 8601 time; give e.g. {name} 2026-12-07T14:05:00 (UTC) or "
            f"{name} 2026-12-07T15:05:00+01:00"
        ) from None
    return _aware(value)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _row_time(text: str) -> datetime | None:
    try:
        return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None


def find_question(question_id: str):
    """The shipped question ``question_id`` (any lesson's quiz); a clear error with close matches."""
    from tmvlearn.quiz.bank import all_questions

    questions = all_questions()
    found = questions.get(str(question_id).strip())
    if found is not None:
        return found
    close = difflib.get_close_matches(str(question_id), list(questions), n=5, cutoff=0.5)
    hint = f"close matches: {', '.join(close)}" if close else (
        "question ids look like start-run-keys; `tmvlearn quiz key LESSON` lists a lesson's")
    raise UsageError(f"no question {question_id!r} in the lessons' quizzes; {hint}")


def question_choices(width: int = 70) -> list[tuple[str, str]]:
    """(label, question id) of every lesson's quiz question, for a picker: the id and its prompt
    shortened to ``width`` characters."""
    from tmvlearn.quiz.bank import lesson_ids, load_bank

    out = []
    for lesson in lesson_ids():
        try:
            bank = load_bank(lesson)
        except Exception:  # noqa: BLE001 - a bank with problems: its questions cannot be polled
            continue
        for q in bank.questions:
            prompt = " ".join(str(q.prompt).split())
            text = f"{lesson[:2]} {q.id}: {prompt}"
            out.append((text if len(text) <= width else text[: width - 1] + "…", q.id))
    return out


@dataclass
class _Latest:
    time: datetime
    response: str
    score: float


class Poll:
    """The spread of the latest answers to ``question_id`` since ``since``, read from ``paths``.

    ``since``: a time (ISO text or datetime; None: every answer ever); ``complete``: each refresh reads
    every changed file (else within :data:`~tmvlearn.results.live.REFRESH_SECONDS`, the rest at the next
    refresh). :meth:`snapshot` refreshes
    and returns the snapshot dict; :meth:`restart` starts a new round (a new ``since``) without
    reading the files again from the start. ``reader``: a :class:`LiveReader` to share.
    """

    def __init__(self, paths, question_id: str, since: str | datetime | None = None,
                 reader: LiveReader | None = None, *, complete: bool = False) -> None:
        self.question = find_question(question_id)
        self.question_id = self.question.id
        self.lesson = self.question.lesson
        self.since = parse_since(since, "since")
        self.until: datetime | None = None  # a round that ended (round 2 started): answers before it
        # complete: every refresh reads every changed file (one snapshot); else within a time budget
        self.reader = reader or LiveReader(paths, budget=None if complete else REFRESH_SECONDS)
        self._own_reader = reader is None
        self._answers: dict[str, list[tuple[datetime, str, float]]] = {}  # learner -> answers (all times)
        self._seen: set[tuple] = set()
        self.notes: list[str] = []
        self._names: dict[str, str] = {}  # normalised answer per response text (cache)

    def close(self) -> None:
        if self._own_reader:
            self.reader.close()

    def __enter__(self) -> Poll:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def restart(self, since: str | datetime | None = None) -> None:
        """A new round from ``since`` (default: now); answers already read are kept (a learner's
        answer given after ``since`` counts)."""
        self.since = parse_since(since, "since") if since is not None else datetime.now(timezone.utc)
        self.until = None

    def update(self) -> int:
        """Read what is new; the number of new answers to this question."""
        done = self.reader.refresh()
        self.notes = done.notes
        return self.add(done.rows)

    def add(self, rows: list[LiveRow]) -> int:
        new = 0
        for item in rows:
            row = item.row
            # learner, lesson, question_id, response, score, correct, time, mode, kind, take
            if (row[2] != self.question_id or row[1] != self.lesson or row[8] != "answer"
                    or row[7] not in QUIZ_MODES):
                continue
            key = (item.learner_key, row[6], row[3])
            if key in self._seen:
                continue  # the same attempt again (from the journal, then the database)
            when = _row_time(row[6])
            if when is None:
                continue
            self._seen.add(key)
            self._answers.setdefault(item.learner_key, []).append((when, row[3], float(row[4])))
            new += 1
        return new

    def latest(self) -> dict[str, _Latest]:
        """Each learner's latest answer at or after ``since`` (by learner key; not shown anywhere)."""
        out = {}
        for learner, answers in self._answers.items():
            valid = [a for a in answers if (self.since is None or a[0] >= self.since)
                     and (self.until is None or a[0] < self.until)]
            if valid:
                when, response, score = max(valid, key=lambda a: a[0])
                out[learner] = _Latest(when, response, score)
        return out

    def _name(self, response: str) -> str:
        name = self._names.get(response)
        if name is None:
            from tmvlearn.results.analysis import normalised_answer

            try:
                name = normalised_answer(self.question, response)
            except Exception:  # noqa: BLE001 - an odd response is shown as stored, not dropped
                name = response
            self._names[response] = name[:200]
        return self._names[response]

    def spread(self) -> list[dict[str, Any]]:
        """The answers as ``{"answer", "count", "correct"}``, in the poll's order."""
        groups: dict[str, list[float]] = {}
        for latest in self.latest().values():
            groups.setdefault(self._name(latest.response), []).append(latest.score)
        kind = self.question.type
        if kind in ("single_choice", "true_false"):
            options = ["True", "False"] if kind == "true_false" else list(self.question.options)
            key = str(self.question.answer) if kind == "true_false" else self.question.answer
            out = [{"answer": o, "count": len(groups.pop(o, [])), "correct": o == key} for o in options]
            out += [{"answer": a, "count": len(s), "correct": False}
                    for a, s in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
            return out
        ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        return [{"answer": a, "count": len(s), "correct": all(x >= 1 - 1e-9 for x in s)} for a, s in ranked]

    def snapshot(self, refresh: bool = True) -> dict[str, Any]:
        """Refresh (unless ``refresh`` is false) and return the snapshot dict (anonymous)."""
        if refresh:
            self.update()
        answers = self.spread()
        return {
            "question_id": self.question_id,
            "since": self.since.isoformat(timespec="seconds") if self.since is not None else None,
            "learners": sum(a["count"] for a in answers),
            "answers": answers,
            "lesson": self.lesson,
            "type": self.question.type,
            "prompt": " ".join(str(self.question.prompt).split()),
            "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "notes": list(self.notes),
        }


def _bar(count: int, most: int, width: int) -> str:
    return "█" * (round(width * count / most) if most else 0)


def format_poll(snapshot: dict[str, Any], width: int = 80, show_answer: bool = True,
                title: str | None = None) -> str:
    """The snapshot as plain text: one line per answer with a bar, the count and the share; the
    correct answer marked ``(correct)`` when ``show_answer``. Text, not colour, carries everything."""
    from tmvlearn.results.safe_output import shown

    answers = snapshot["answers"]
    n = snapshot["learners"]
    most = max([a["count"] for a in answers] + [1])
    labels = [shown(a["answer"], lines=False) for a in answers]
    label_width = min(max([len(x) for x in labels] + [6]), max(12, width // 3))
    bar_width = max(10, width - label_width - 24)
    since = snapshot.get("since") or "the start"
    head = title or f"{snapshot['question_id']}: {n} learner{'s' if n != 1 else ''} answered since {since}"
    lines = [shown(head, lines=False), ""]
    for label, a in zip(labels, answers, strict=True):
        text = label if len(label) <= label_width else label[: label_width - 1] + "…"
        share = f"{a['count'] / n:.0%}" if n else "-"
        mark = "  (correct)" if show_answer and a["correct"] else ""
        lines.append(f"{text:<{label_width}}  {_bar(a['count'], most, bar_width):<{bar_width}} "
                     f"{a['count']:>3} {share:>4}{mark}")
    for note in snapshot.get("notes") or []:
        lines.append(shown(f"note: {note}", lines=False))
    return "\n".join(lines)


# --- the command line: tmvlearn results PATH --poll / --live ---------------------------------------

LIVE_KEYS = "Enter: start a new round (from now); a then Enter: show or hide the answer; Ctrl+C: stop"


def run_cli(args) -> int:
    """``tmvlearn results PATH --poll QUESTION_ID [--since T] [--json FILE]`` and ``--live``."""
    import json
    from pathlib import Path

    ids = {x for x in (args.poll, args.live) if isinstance(x, str)}
    if len(ids) > 1:
        raise UsageError(f"--poll {args.poll} and --live {args.live} name two questions; give one")
    if not ids:
        raise UsageError("--live needs a question: --live QUESTION_ID (or --live with --poll QUESTION_ID)")
    if args.sample:
        raise UsageError("--poll and --live read real learners' files: give PATH (the course folder), "
                         "not --sample")
    if not args.paths:
        raise UsageError("--poll and --live need the PATH of the learners' progress files, e.g. "
                         "tmvlearn results /srv/tmvlearn-course --poll start-run-keys")
    combined = ("items", "csv", "html", "items_csv", "into", "objectives")
    other = [f"--{name.replace('_', '-')}" for name in combined if getattr(args, name, None)]
    if other:
        raise UsageError(f"--poll and --live show one question live and write no gradebook; run "
                         f"{' '.join(other)} without them")
    if args.json and args.live:
        raise UsageError("--json writes one snapshot with --poll; --live shows the poll in the terminal")
    if args.json:
        target = Path(args.json)
        if target.exists() and not args.force:
            raise UsageError(f"--json {args.json} already exists and was left as it is; to replace it, "
                             "use --force")
        if not target.absolute().parent.is_dir():
            raise UsageError(f"--json {args.json}: the folder {target.absolute().parent} does not exist")
    since = parse_since(args.since)
    question_id = ids.pop()
    if args.live:
        if not 0 < args.every <= 2:
            raise UsageError(f"--every must be more than 0 and at most 2 seconds, not {args.every:g}")
        return _watch(args.paths, question_id, since or datetime.now(timezone.utc), args.every)
    from tmvlearn.results.safe_output import output_mode

    mode, gid = output_mode(args.group)
    with Poll(args.paths, question_id, since, complete=True) as poll:
        snap = poll.snapshot()
    print(format_poll(snap))
    if args.json:
        from tmvlearn._files import write_atomically

        text = json.dumps(snap, indent=2, ensure_ascii=False) + "\n"
        written = write_atomically(args.json, text, force=args.force, error=UsageError, mode=mode, gid=gid)
        print(f"wrote {written}")
    return 0


def _watch(paths, question_id: str, since: datetime, every: float) -> int:
    """The terminal view: refreshed every ``every`` seconds until Ctrl+C; Enter starts a new round."""
    import select
    import shutil
    import sys
    import time

    interactive = sys.stdin.isatty()
    clear = "\x1b[H\x1b[2J" if sys.stdout.isatty() else ""
    show, round_no, shown_before = False, 1, ""
    with Poll(paths, question_id, since) as poll:
        try:
            while True:
                started = time.monotonic()
                snap = poll.snapshot()
                width = min(shutil.get_terminal_size((100, 30)).columns, 160)
                title = (f"Round {round_no}: {snap['question_id']} ({snap['lesson']}): {snap['learners']} "
                         f"learner{'s' if snap['learners'] != 1 else ''} answered since {snap['since']}")
                text = format_poll(snap, width=width, show_answer=show, title=title)
                prompt = " ".join(snap["prompt"].split())
                if clear or text != shown_before:  # into a file or pipe: only when the spread changed
                    print(f"{clear}{prompt[: width * 2]}\n\n{text}\n", flush=True)
                    print(LIVE_KEYS if interactive else "Ctrl+C: stop", flush=True)
                shown_before = text
                wait = max(0.0, every - (time.monotonic() - started))
                if interactive:
                    ready, _, _ = select.select([sys.stdin], [], [], wait)
                    if ready:
                        line = sys.stdin.readline().strip().lower()
                        if line.startswith("a"):
                            show = not show
                        else:
                            round_no, show = round_no + 1, False
                            poll.restart()
                else:
                    time.sleep(wait)
        except KeyboardInterrupt:
            print()
            return 0
