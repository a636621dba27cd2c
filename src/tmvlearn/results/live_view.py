"""The live poll in the instructor notebook: one question's spread of answers, for a projector.

>>> from tmvlearn.results import live_poll
>>> live_poll("/srv/tmvlearn-course", "start-run-keys")      # doctest: +SKIP

A peer-instruction round (docs/teaching.md): pick the question, press **Start round 1**, let the class
answer in their lesson, look at the spread, let neighbours discuss, press **Start round 2** (round 1
stays beside it, frozen at the moment round 2 started), then **Show answer**. The view refreshes
every ``interval`` seconds (at most 2) from a background thread of the kernel while a round runs; the
thread stops when a new round starts, when the view is closed (:meth:`LiveView.close`), when another
live view is made, or after :data:`MAX_MINUTES`. Nothing starts before a button is pressed, so a
headless run (nbval, papermill) shows the same static text every time.

What it shows is anonymous (counts and shares, never names), in type of :data:`FONT_PX` pixels,
with every fact in text (the correct answer is written "correct answer", not only coloured); the
counts line is an ``aria-live`` region. The files are read as :class:`~tmvlearn.results.live.LiveReader`
reads them: read-only, incrementally, as untrusted input.
"""

from __future__ import annotations

import html
import threading
import time
import weakref
from datetime import datetime, timezone
from typing import Any

from tmvlearn.errors import UsageError
from tmvlearn.results.live import LiveReader
from tmvlearn.results.poll import Poll, find_question, question_choices

__all__ = ["LiveView", "live_poll", "FONT_PX", "MAX_MINUTES"]

#: Type size of the answers, counts and headings (projector-sized).
FONT_PX = 30
#: A round stops refreshing on its own after this long (a forgotten view does not poll for ever).
MAX_MINUTES = 60
#: Okabe-Ito colours (colour-blind safe): answers, and the correct answer once shown.
BAR, BAR_RIGHT = "#0072B2", "#009E73"

_VIEWS: weakref.WeakSet[LiveView] = weakref.WeakSet()


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def round_html(number: int, snap: dict[str, Any] | None, show_answer: bool, running: bool) -> str:
    """One round's panel: a heading, the number answering (aria-live), one bar per answer with its
    count and share in text; the correct answer marked in words only when ``show_answer``."""
    px = FONT_PX
    head = f"Round {number}" + (" (running)" if running else "")
    if snap is None:
        return (f'<div class="tmv-poll-round tmv-poll-round-{number}" style="font-size:{px}px">'
                f"<b>{head}</b><p>Not started.</p></div>")
    n = snap["learners"]
    most = max([a["count"] for a in snap["answers"]] + [1])
    rows = []
    for a in snap["answers"]:
        share = a["count"] / n if n else 0.0
        right = show_answer and a["correct"]
        mark = (' <span class="tmv-poll-correct" style="font-weight:bold">&#10003; correct answer</span>'
                if right else "")
        width = 100 * a["count"] / most
        colour = BAR_RIGHT if right else BAR
        rows.append(
            f'<div class="tmv-poll-row" data-answer="{_esc(a["answer"])}" style="margin:0 0 14px 0">'
            f'<div style="font-size:{px}px;line-height:1.25">{_esc(a["answer"])}{mark}</div>'
            f'<div style="display:flex;align-items:center;gap:14px">'
            f'<div aria-hidden="true" style="flex:1 1 auto;max-width:70%;background:#f0f0f0;'
            f'border:1px solid #767676">'
            f'<div style="width:{width:.1f}%;height:{px + 6}px;background:{colour}"></div>'
            f"</div>"
            f'<span class="tmv-poll-count" style="font-size:{px}px;font-weight:bold;white-space:nowrap">'
            f'{a["count"]} ({share:.0%})</span></div></div>'
        )
    since = (snap["since"] or "")[11:19]
    counted = f"{n} learner{'s' if n != 1 else ''} answered" + (f" since {since} UTC" if since else "")
    return (f'<div class="tmv-poll-round tmv-poll-round-{number}" role="group" aria-label="Round {number}" '
            f'style="font-size:{px}px;padding:0 24px 0 0">'
            f"<div><b>{head}</b></div>"
            f'<div class="tmv-poll-learners" aria-live="polite" style="margin:6px 0 16px 0">{counted}</div>'
            + "".join(rows) + "</div>")


class LiveView:
    """The live poll's widget (see the module's description). ``paths``: the course folder (or
    learners' folders); ``question_id``: the question to start with (the picker changes it)."""

    def __init__(self, paths, question_id: str | None = None, *, interval: float = 1.0) -> None:
        import ipywidgets as w

        if not 0 < interval <= 2:
            raise UsageError(f"interval must be more than 0 and at most 2 seconds, not {interval:g}")
        self.paths = [paths] if isinstance(paths, str) or hasattr(paths, "__fspath__") else list(paths or [])
        self.interval = interval
        choices = question_choices()
        ids = [qid for _, qid in choices]
        self.question = find_question(question_id or ids[0])
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reader: LiveReader | None = None
        self.rounds: list[Poll] = []
        self.show_answer = False
        self.refreshed = 0  # refreshes done (tests and the status line)
        self.error: str | None = None

        self.picker = w.Dropdown(options=choices, value=self.question.id, description="Question",
                                 layout=w.Layout(width="46em"), style={"description_width": "initial"})
        self.picker.add_class("tmv-poll-picker")
        self.start1 = w.Button(description="Start round 1", tooltip="Count answers given from now on",
                               layout=w.Layout(width="12em", height="3em"))
        self.start2 = w.Button(description="Start round 2", disabled=True,
                               tooltip="After the discussion: a new round beside round 1",
                               layout=w.Layout(width="12em", height="3em"))
        self.reveal = w.Button(description="Show answer", disabled=True, tooltip="Mark the correct answer",
                               layout=w.Layout(width="12em", height="3em"))
        for button, name in ((self.start1, "start1"), (self.start2, "start2"), (self.reveal, "show")):
            button.add_class(f"tmv-poll-{name}")
            button.style.font_size = "18px"
            button.style.font_weight = "bold"
        self.prompt = w.HTML()
        self.status = w.HTML()
        self.status.add_class("tmv-poll-status")
        # round 1 and round 2 side by side (one under the other only in a window too narrow for both)
        self.panels = w.HBox(layout=w.Layout(flex_flow="row wrap", align_items="flex-start", width="100%"))
        self.box = w.VBox([self.picker, self.prompt, w.HBox([self.start1, self.start2, self.reveal]),
                           self.status, self.panels])
        self.box.add_class("tmv-poll")
        self.picker.observe(self._picked, names="value")
        self.start1.on_click(lambda _: self.start_round(1))
        self.start2.on_click(lambda _: self.start_round(2))
        self.reveal.on_click(lambda _: self.toggle_answer())
        for other in list(_VIEWS):  # one live poll at a time: an older view stops polling
            other.stop()
        _VIEWS.add(self)
        self._render()

    # -- what it shows ---------------------------------------------------------------------------
    def _status_text(self) -> str:
        if not self.paths:
            return ("No class folder given: set PATHS to the course folder (e.g. /srv/tmvlearn-course) "
                    "to run a live poll.")
        if not self.rounds:
            return "Press “Start round 1”, then ask the class to answer this question in their lesson."
        latest = self.rounds[-1].snapshot(refresh=False)
        n = latest["learners"]
        state = "running" if self.running else "stopped"
        text = f"Round {len(self.rounds)} {state}: {n} learner{'s' if n != 1 else ''} answered."
        notes = self.error or "; ".join(self.rounds[-1].notes)
        return text + (f" Note: {notes}" if notes else "")

    def _render(self) -> None:
        with self._lock:
            q = self.question
            prompt = " ".join(str(q.prompt).split())
            self.prompt.value = (f'<div style="font-size:{FONT_PX}px;line-height:1.3;max-width:60em">'
                                 f"<b>{_esc(q.id)}</b> ({_esc(q.lesson)}): {_esc(prompt)}</div>")
            self.status.value = (f'<div aria-live="polite" style="font-size:20px">'
                                 f"{_esc(self._status_text())}</div>")
            import ipywidgets as w

            panels = []
            for number, poll in enumerate(self.rounds, start=1):
                running = self.running and number == len(self.rounds)
                panels.append(w.HTML(round_html(number, poll.snapshot(refresh=False), self.show_answer,
                                                running),
                                     layout=w.Layout(flex="1 1 0", min_width="420px", max_width="50%")))
            if len(self.panels.children) == len(panels):  # same rounds: change the values only
                for old, new in zip(self.panels.children, panels, strict=True):
                    old.value = new.value
            else:
                self.panels.children = panels
            self.start2.disabled = not self.rounds or len(self.rounds) >= 2
            self.reveal.disabled = not self.rounds
            self.reveal.description = "Hide answer" if self.show_answer else "Show answer"
            self.picker.disabled = bool(self.rounds) and self.running

    # -- rounds and refreshing ---------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def _picked(self, change) -> None:
        self.stop()
        with self._lock:
            self.question = find_question(change["new"])
            self.rounds, self.show_answer = [], False
            self._close_reader()
        self._render()

    def start_round(self, number: int | None = None, since: datetime | None = None) -> None:
        """Start round ``number`` (1: a new poll, forgetting earlier rounds; 2: beside round 1) from
        ``since`` (default now), and refresh every ``interval`` seconds from a background thread."""
        if not self.paths:
            self._render()
            return
        self.stop()
        now = since or datetime.now(timezone.utc)
        with self._lock:
            number = number or len(self.rounds) + 1
            if number == 1 or not self.rounds:
                self.rounds = []
                self._close_reader()
                self._reader = LiveReader(self.paths)
            else:
                self.rounds = self.rounds[:1]
                self.rounds[0].until = now  # round 1 is what was answered before round 2 started
            self.show_answer = False
            self.rounds.append(Poll(self.paths, self.question.id, since=now, reader=self._reader))
            self.error = None
        self.refresh()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(self._stop,), daemon=True,
                                        name="tmvlearn-live-poll")
        self._thread.start()
        self._render()

    def toggle_answer(self) -> None:
        self.show_answer = not self.show_answer
        self._render()

    def refresh(self) -> None:
        """Read what is new (every round gets it) and redraw. A failure is shown, never raised."""
        with self._lock:
            if self._reader is None or not self.rounds:
                return
            try:
                done = self._reader.refresh()
                for poll in self.rounds:
                    poll.add(done.rows)
                    poll.notes = done.notes
                self.error = None
            except Exception as exc:  # noqa: BLE001 - the view keeps going; the status line says why
                self.error = f"the last refresh failed ({type(exc).__name__}: {exc}); trying again"
            self.refreshed += 1
        self._render()

    def _loop(self, stop: threading.Event) -> None:
        ends = time.monotonic() + MAX_MINUTES * 60
        while not stop.wait(self.interval):
            if time.monotonic() > ends:
                stop.set()
                break
            self.refresh()
        self._render()

    def stop(self) -> None:
        """Stop refreshing (the rounds stay shown)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._thread = None

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def close(self) -> None:
        """Stop refreshing, remove the private copies and close the widgets."""
        self.stop()
        self._close_reader()
        self.box.close_all() if hasattr(self.box, "close_all") else self.box.close()

    # -- display -------------------------------------------------------------------------------------
    def snapshot(self, round_number: int = -1) -> dict[str, Any] | None:
        """The snapshot of a round (default: the latest), as ``--poll --json`` writes it."""
        return self.rounds[round_number].snapshot(refresh=False) if self.rounds else None

    def _static(self) -> dict[str, str]:
        q = self.question
        text = (f"Live poll of {q.id} ({q.lesson}). {self._status_text()} The spread of answers appears "
                f"here, refreshed every {self.interval:g} s (in JupyterLab, with the kernel running).")
        return {"text/plain": text, "text/html": f"<p>{_esc(text)}</p>"}

    def _repr_mimebundle_(self, **kwargs) -> dict[str, Any]:
        from tmvlearn.quiz.render import with_widget_view

        return with_widget_view(self._static(), lambda: self.box)


def live_poll(paths, question_id: str | None = None, *, interval: float = 1.0) -> LiveView:
    """A live poll of ``question_id`` over the learners' files under ``paths`` (the course folder):
    display it in a notebook and press "Start round 1" (see :class:`LiveView`)."""
    return LiveView(paths, question_id, interval=interval)
