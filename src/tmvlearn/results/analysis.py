"""The gradebook and the item analysis of a class's attempts (Moodle's quiz statistics as reference).

Which attempts count
    Only graded answers (``kind == "answer"``; a revealed solution is not an answer) to the
    questions of a lesson's quiz (its bank's ``questions``; exercises and ``mode == "exercise"``
    are left out). Flashcard self-ratings (``mode == "flashcard"``, items ``card:<term>``, lesson
    ``"glossary"`` or a lesson id) are not quiz answers: every function here leaves them out
    (:func:`flashcard_activity` counts them per learner). A learner's **first attempt** at a
    question is the earliest such answer in practice mode or in the first take of a test
    (``mode == "test"`` and ``take == 1``); retakes (take 2, 3...) are never first attempts.
    The item analysis uses first attempts only.

Per question (item) *i* of a lesson, over the *n* learners with a first attempt at *i*:

- ``difficulty`` p = mean first-attempt score (the proportion correct for 0/1 items; the mean
  score for partial-credit types such as matching and ordering).
- ``discrimination``: the corrected item-total correlation, Pearson's r between the item score and
  the learner's *rest score*, the mean first-attempt score over the *other* questions of the lesson's
  quiz that the learner answered (for a learner who answered all of them this ranks exactly as
  their sum; a question not answered is left out, not counted as 0). Learners who answered no
  other question are left out; r is ``None`` when fewer than 3 learners remain or either side has
  no variance.
- ``upper_lower``: the learners are ranked by rest score (ties by lower-cased name); with
  k = max(1, round(0.27 n)), D = mean item score of the top k - mean item score of the bottom k.
- choice questions (single choice, multiple select, true/false): ``options`` = share of the n
  learners whose first response chose each option; ``option_discrimination`` = Pearson's r between
  choosing the option (0/1) and the rest score (the key should be positive, distractors negative);
  responses that name no option in the bank are counted in ``unlisted_responses``.
- ``alpha_if_deleted``: the lesson's alpha computed without this question.
- every question: ``answers`` = the :data:`TOP_ANSWERS` most common first responses, each as
  ``{"answer", "share", "right"}``: the response normalised per type (a number as read, ``%.6g``;
  a text with its spaces collapsed, in lower case unless the question asks for exact case; a
  pairing ``item → choice; ...``; an order ``step → step ...``; the options chosen), the share of the
  n learners who gave it, and ``right`` = ``"right"``, ``"partly"`` or ``"wrong"`` from the scores
  those learners got (so a common wrong number or spelling shows); ``other_answers`` = the share
  left.

Per lesson: ``alpha`` = Cronbach's alpha = k/(k-1) (1 - sum of item variances / variance of the
total), over the learners who answered every question of the quiz that anyone answered (complete
cases; variances with ddof=1); it is KR-20 when every item is scored 0/1 (``alpha_kind``). ``None``
with fewer than 2 items or 3 complete learners.

Flags (only when n >= :data:`MIN_LEARNERS`; below it the figures are shown and the one flag is
"too few learners"): see :data:`THRESHOLDS`. "low discrimination" and "negative discrimination:
check the key" exclude each other. Figures are rounded to 3 decimals and the flags are decided on
the rounded figures, so a shown p of 0.200 is never flagged "too hard".
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "THRESHOLDS",
    "MIN_LEARNERS",
    "FIRST_ATTEMPT",
    "first_attempts",
    "flashcard_activity",
    "gradebook",
    "gradebook_wide",
    "item_analysis",
    "items_table",
    "answers_line",
    "normalised_answer",
    "TOP_ANSWERS",
    "behind",
    "question_banks",
    "roster",
]

MIN_LEARNERS = 20
#: Every flag and its rule, as the report and the command print them.
THRESHOLDS = {
    "too easy": "difficulty p > 0.9",
    "too hard": "difficulty p < 0.2",
    "low discrimination": "0 <= discrimination r < 0.2",
    "negative discrimination: check the key": "discrimination r < 0",
    "non-functioning distractor: X": "a wrong option X chosen by < 5% of the learners",
    "too few learners": f"n < {MIN_LEARNERS}: figures shown, other flags withheld",
}
EASY, HARD, LOW_DISC, RARE = 0.9, 0.2, 0.2, 0.05
UPPER_LOWER = 0.27
FIRST_ATTEMPT = (
    "first attempt = a learner's earliest graded answer (kind 'answer', not a reveal) to a "
    "quiz question, in practice mode or in test take 1"
)
CHOICE_TYPES = ("single_choice", "multiple_select", "true_false")
FLASHCARD = "flashcard"


def _scored(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without flashcard self-ratings (the learner categories are kept)."""
    cards = (frame["mode"] == FLASHCARD).to_numpy()
    return frame[~cards] if cards.any() else frame


def flashcard_activity(frame: pd.DataFrame) -> pd.Series:
    """Flashcard self-ratings per learner (every learner of :func:`roster`, 0 for none)."""
    cards = frame[(frame["mode"] == FLASHCARD).to_numpy()]
    counts = pd.Series(np.asarray(_cat(cards, "learner").codes), dtype="int64").value_counts()
    names = list(map(str, _cat(frame, "learner").categories))
    out = pd.Series([int(counts.get(j, 0)) for j in range(len(names))], index=names, dtype="int64")
    return out.reindex(roster(frame)).rename("flashcards")


def question_banks(lessons) -> dict[str, Any]:
    """The loadable bank of each lesson (a lesson whose bank cannot be loaded is left out)."""
    from tmvlearn.quiz.bank import load_bank

    out = {}
    for lesson in lessons:
        try:
            out[lesson] = load_bank(lesson)
        except Exception:  # an unknown lesson or a bank with problems: the data alone are used
            continue
    return out


def _cat(frame: pd.DataFrame, col: str) -> pd.Categorical:
    values = frame[col]
    return values.array if isinstance(values.dtype, pd.CategoricalDtype) else pd.Categorical(values)


def _quiz_ids(frame: pd.DataFrame, banks: dict[str, Any]) -> dict[str, list[str]]:
    """Each lesson's quiz question ids: the bank's, else those seen in the data (not exercises)."""
    out = {}
    lessons = _cat(frame, "lesson")
    candidate = (frame["kind"] == "answer").to_numpy()
    candidate = candidate & ~frame["mode"].isin(("exercise", FLASHCARD)).to_numpy()
    used = np.unique(lessons.codes[candidate])
    for lesson in sorted(str(lessons.categories[c]) for c in used if c >= 0):
        if lesson in banks:
            out[lesson] = [q.id for q in banks[lesson].questions]
        else:
            rows = (lessons.codes == list(lessons.categories).index(lesson)) & candidate
            qcat = _cat(frame, "question_id")
            out[lesson] = sorted(str(qcat.categories[c]) for c in np.unique(qcat.codes[rows]))
    return out


def _quiz_answers(frame: pd.DataFrame, ids: dict[str, list[str]]) -> pd.DataFrame:
    """Graded answers to quiz questions (not exercises, not reveals), each in its own lesson's quiz."""
    return frame[_quiz_mask(frame, ids)]


def _quiz_mask(frame: pd.DataFrame, ids: dict[str, list[str]]) -> np.ndarray:
    """Which rows of ``frame`` :func:`_quiz_answers` keeps."""
    lessons, questions = _cat(frame, "lesson"), _cat(frame, "question_id")
    lesson_code = {str(name): j for j, name in enumerate(lessons.categories)}
    home = np.full(len(questions.categories) + 1, -2)  # per question category: the code of its lesson
    position = {str(name): j for j, name in enumerate(questions.categories)}
    for lesson, qids in ids.items():
        for qid in qids:
            if qid in position:
                home[position[qid]] = lesson_code[lesson]
    return (
        (home[questions.codes] == lessons.codes)
        & (frame["kind"] == "answer").to_numpy()
        & ~frame["mode"].isin(("exercise", FLASHCARD)).to_numpy()
    )


def first_attempts(frame: pd.DataFrame, banks: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per learner and quiz question: the first attempt (see the module docstring)."""
    frame = _scored(frame)
    if banks is None:
        banks = question_banks(map(str, _cat(frame, "lesson").categories))
    mask = _quiz_mask(frame, _quiz_ids(frame, banks))
    mask &= (frame["mode"] != "test").to_numpy() | (frame["take"] == 1).to_numpy()
    rows = np.flatnonzero(mask)  # work on codes; the frame is copied once, at the end
    learner = _cat(frame, "learner").codes[rows].astype("int64")
    question = _cat(frame, "question_id").codes[rows].astype("int64")
    pair = learner * (int(question.max(initial=0)) + 1) + question
    when = frame["time"].to_numpy(dtype="datetime64[ns]").view("int64")[rows]
    if len(when) < 2 or bool((when[1:] >= when[:-1]).all()):  # oldest first already (as collected)
        order = np.argsort(pair, kind="stable")
    else:
        order = np.lexsort((np.arange(len(rows)), when, pair))
    pair = pair[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = pair[1:] != pair[:-1]
    return frame.iloc[rows[order[new]]].reset_index(drop=True)


def roster(frame: pd.DataFrame) -> list[str]:
    """Every learner known: the categories of ``frame["learner"]`` (also learners with no attempt)."""
    return sorted(map(str, _cat(frame, "learner").categories), key=lambda n: (n.casefold(), n))


# --- the gradebook --------------------------------------------------------------------------------


def gradebook(
    frame: pd.DataFrame,
    banks: dict[str, Any] | None = None,
    learners=None,
    *,
    first: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Learners x lessons, one row each (long form): ``answered`` of ``total`` quiz questions,
    ``first_score`` (mean first-attempt score over the answered questions), ``best_score`` (mean of
    each answered question's best score), ``attempts`` (graded quiz answers), ``last_activity`` (the
    latest attempt of any kind in the lesson); and, apart from the scores, the code exercises
    (:mod:`tmvlearn.results.exercise_book`): ``exercises_checked``, ``exercises_passed`` of
    ``exercises_total`` and
    ``solutions_revealed``. A lesson is listed once someone answered its quiz or checked one of its
    exercises.

    ``learners``: more learners to list besides :func:`roster` (the learner categories, so also
    those with no attempt); a learner with no attempt in a lesson gets a row with 0 answered.
    ``first``: :func:`first_attempts` of ``frame`` when already computed.
    """
    frame = _scored(frame)
    if banks is None:
        banks = question_banks(map(str, _cat(frame, "lesson").categories))
    from tmvlearn.results.exercise_book import exercise_completion, exercise_lessons

    ids = _quiz_ids(frame, banks)
    for lesson in exercise_lessons(frame, banks):  # exercises checked, quiz not started
        ids.setdefault(lesson, [q.id for q in banks[lesson].questions])
    ids = dict(sorted(ids.items()))
    lessons = list(ids)
    quiz = np.flatnonzero(_quiz_mask(frame, ids))
    if first is None:
        first = first_attempts(frame, banks)
    names = roster(frame)
    extra = sorted(set(learners or []) - set(names), key=lambda n: (n.casefold(), n))
    names = sorted(names + extra, key=lambda n: (n.casefold(), n))
    rows_index, lessons_index = pd.Index(names), pd.Index(lessons)
    n_l, n_s = len(names), len(lessons)
    maps: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def cells(part: pd.DataFrame) -> np.ndarray:
        """Each row's cell (learner x lesson) in the output, -1 outside it."""
        learner, lesson = _cat(part, "learner"), _cat(part, "lesson")
        key = (id(learner.categories), id(lesson.categories))
        if key not in maps:  # parts of one frame share its categories: map them once
            maps[key] = (
                np.append(rows_index.get_indexer(learner.categories.astype(str)), -1),
                np.append(lessons_index.get_indexer(lesson.categories.astype(str)), -1),
            )
        l_map, s_map = maps[key]
        li, si = l_map[learner.codes], s_map[lesson.codes]
        return np.where((li >= 0) & (si >= 0), li * n_s + si, -1)

    size = n_l * n_s

    def total(cell: np.ndarray, weights=None) -> np.ndarray:
        keep = cell >= 0
        return np.bincount(cell[keep], weights=None if weights is None else weights[keep], minlength=size)

    cell = cells(first)
    answered = total(cell).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        first_score = total(cell, first["score"].to_numpy(float)) / answered
    # best score per learner and question, then its mean per learner and lesson
    all_cell = cells(frame)
    score = frame["score"].to_numpy(float)
    q = _cat(frame, "question_id").codes[quiz].astype("int64")
    a_cell, a_score = all_cell[quiz], score[quiz]
    pair = a_cell.astype("int64") * (int(q.max(initial=0)) + 1) + q
    order = np.lexsort((-a_score, pair))
    best_rows = order[np.r_[True, pair[order][1:] != pair[order][:-1]]] if len(order) else order
    best_sum = total(a_cell[best_rows], a_score[best_rows])
    best_n = total(a_cell[best_rows])
    with np.errstate(invalid="ignore", divide="ignore"):
        best_score = best_sum / best_n
    graded = (frame["kind"] == "answer").to_numpy() & (frame["mode"] != "exercise").to_numpy()
    attempts = total(all_cell[graded]).astype("int64")
    when = frame["time"].to_numpy(dtype="datetime64[ns]").view("int64")
    last = np.full(size, np.iinfo("int64").min)
    keep = all_cell >= 0
    np.maximum.at(last, all_cell[keep], when[keep])
    last_activity = pd.to_datetime(
        np.where(last == np.iinfo("int64").min, np.iinfo("int64").min, last), utc=True
    )
    last_activity = last_activity.where(last != np.iinfo("int64").min)
    exercises = exercise_completion(frame, banks, names, lessons)
    return pd.DataFrame(
        {
            "learner": np.repeat(np.array(names, dtype=object), n_s),
            "lesson": np.tile(np.array(lessons, dtype=object), n_l),
            "answered": answered,
            "total": np.tile(np.array([len(ids[s]) for s in lessons], dtype="int64"), n_l),
            "first_score": np.round(first_score, 4),
            "best_score": np.round(best_score, 4),
            "attempts": attempts,
            "last_activity": last_activity,
            "exercises_checked": exercises["exercises_checked"].to_numpy(),
            "exercises_passed": exercises["exercises_passed"].to_numpy(),
            "exercises_total": exercises["exercises_total"].to_numpy(),
            "solutions_revealed": exercises["solutions_revealed"].to_numpy(),
        }
    )


def gradebook_wide(book: pd.DataFrame) -> pd.DataFrame:
    """The gradebook with one row per learner and, per lesson, answered, total, first, best, last
    activity, then (apart from the scores) exercises passed, of, and solutions revealed."""
    order = ["answered", "total", "first_score", "best_score", "last_activity"]
    order += [c for c in ("exercises_checked", "exercises_passed", "exercises_total", "solutions_revealed")
              if c in book]
    wide = book.pivot(index="learner", columns="lesson", values=order)
    wide = wide.reorder_levels([1, 0], axis=1).sort_index(axis=1, level=0, sort_remaining=False)
    lessons = list(dict.fromkeys(book["lesson"]))
    wide = wide[[(lesson, col) for lesson in lessons for col in order]]
    wide.columns = [f"{lesson} {col}" for lesson, col in wide.columns]
    wide = wide.reindex(sorted(wide.index, key=lambda n: (n.casefold(), n)))
    return wide.reset_index()


def behind(book: pd.DataFrame, share: float = 0.5) -> pd.DataFrame:
    """Learners who have not started (no quiz question answered) or are behind: fewer questions
    answered, over all lessons, than ``share`` x the class median.

    Columns learner, answered, total, status."""
    per = book.groupby("learner", sort=False)[["answered", "total"]].sum()
    median = float(per.loc[per["answered"] > 0, "answered"].median()) if (per["answered"] > 0).any() else 0.0
    status = np.where(
        per["answered"] == 0, "not started", np.where(per["answered"] < share * median, "behind", "")
    )
    per = per.assign(status=status)
    out = per[per["status"] != ""].reset_index()
    out = out.sort_values(["status", "learner"], key=lambda col: col.str.casefold(), ascending=[False, True],
                          kind="stable").reset_index(drop=True)  # "not started" first
    out.attrs["rule"] = (
        f"not started: no quiz question answered; behind: fewer questions answered than {share:g} x the "
        f"class median ({median:g}, over all lessons)"
    )
    return out


# --- item analysis --------------------------------------------------------------------------------


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 3:
        return None
    x = x - x.mean()
    y = y - y.mean()
    den = math.sqrt(float(x @ x) * float(y @ y))
    return None if den <= 1e-12 else float(x @ y) / den


def _alpha(matrix: np.ndarray) -> float | None:
    """Cronbach's alpha of complete rows (learners) x columns (items); KR-20 for 0/1 items."""
    n, k = matrix.shape
    if k < 2 or n < 3:
        return None
    total_var = matrix.sum(axis=1).var(ddof=1)
    if total_var <= 1e-12:
        return None
    return float(k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / total_var))


def _alphas(matrix: np.ndarray) -> tuple[float | None, list[float | None]]:
    """Alpha of the complete ``matrix`` and, for each column, alpha without it; from one covariance
    matrix C (ddof=1): var(total) = sum(C); without item i it is sum(C) - 2 sum(C[i]) + C[i, i]."""
    n, k = matrix.shape
    if n < 3 or k < 1:
        return None, [None] * k
    cov = np.atleast_2d(np.cov(matrix, rowvar=False, ddof=1))
    items = np.diag(cov)
    total = cov.sum()
    alpha = None if k < 2 or total <= 1e-12 else float(k / (k - 1) * (1 - items.sum() / total))
    if k < 3:
        return alpha, [None] * k
    rest = total - 2 * cov.sum(axis=1) + items
    with np.errstate(invalid="ignore", divide="ignore"):
        without = (k - 1) / (k - 2) * (1 - (items.sum() - items) / rest)
    return alpha, [None if r <= 1e-12 else float(w) for w, r in zip(without, rest, strict=True)]


def _options(question) -> list[str] | None:
    kind = getattr(question, "type", None)
    if kind == "true_false":
        return ["True", "False"]
    if kind in ("single_choice", "multiple_select"):
        return list(question.options)
    return None


def _keyed(question) -> list[str]:
    kind = question.type
    if kind == "true_false":
        return ["True" if question.answer else "False"]
    return [question.answer] if kind == "single_choice" else list(question.answer)


def _chosen(question, text: str) -> tuple[list[str], list[str]]:
    """(options chosen, texts that name no option) in one stored response (JSON text)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        value = text
    options = _options(question) or []
    if question.type == "true_false":
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            value = value.strip().lower() == "true"
        return ([str(value)], []) if isinstance(value, bool) else ([], [str(value)])
    values = value if isinstance(value, list) else [value]
    picked, unknown = [], []
    for item in values:
        text_item = item.strip() if isinstance(item, str) else item
        (picked if text_item in options else unknown).append(
            text_item if isinstance(text_item, str) else json.dumps(text_item)
        )
    return picked, unknown


TOP_ANSWERS = 5  # the most common answers listed per question


def normalised_answer(question, text: str) -> str:
    """One stored response (JSON text) as the class report lists it: a number as read, a text with
    its spaces collapsed (lower case unless exact case counts), a pairing, an order, the options."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        value = text
    kind = getattr(question, "type", None)
    if kind == "numeric" and not isinstance(value, (dict, list)):
        number = question.parse(value)
        if isinstance(number, float | int):
            return f"{number:.6g}"
    if kind == "short_text" and isinstance(value, str):
        spaced = " ".join(value.split())
        return spaced if question.match_case else spaced.lower()
    if kind == "matching" and isinstance(value, dict):
        lefts = [p["left"] for p in question.pairs]
        shown = [k for k in lefts if k in value] + [k for k in value if k not in lefts]
        return "; ".join(f"{k} → {value[k] if value[k] is not None else '(none)'}" for k in shown)
    if kind == "ordering" and isinstance(value, list):
        return " → ".join(str(step) for step in value)
    if kind in ("single_choice", "multiple_select", "true_false"):
        chosen, unknown = _chosen(question, text)
        return "; ".join(chosen + unknown) or "(nothing)"
    return value.strip() if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _answers(question, codes: np.ndarray, texts_by_code, xs: np.ndarray) -> tuple[list[dict], float]:
    """The most common normalised first responses, their shares and how they scored; the share left."""
    n = len(codes)
    uniques, inverse = np.unique(codes, return_inverse=True)
    names = [normalised_answer(question, str(texts_by_code[code])) for code in uniques]
    groups: dict[str, list[int]] = {}
    for i, u in enumerate(inverse):
        groups.setdefault(names[u], []).append(i)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    out = []
    for name, rows in ranked[:TOP_ANSWERS]:
        score = float(xs[rows].mean())
        right = "right" if score >= 1 - 1e-9 else "wrong" if score <= 1e-9 else "partly"
        out.append({"answer": name, "share": _round(len(rows) / n), "right": right})
    other = sum(len(rows) for _, rows in ranked[TOP_ANSWERS:]) / n
    return out, _round(other)


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def item_analysis(
    frame: pd.DataFrame,
    banks: dict[str, Any] | None = None,
    *,
    min_learners: int = MIN_LEARNERS,
    first: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The item analysis of ``frame``'s first attempts, as the JSON structure ``--json`` writes:

    ``{"lessons": {LESSON: {"n_learners", "alpha", "alpha_kind", "items": [{"question_id", "type", "n",
    "difficulty", "discrimination", "upper_lower", "alpha_if_deleted", "options": {OPTION: share},
    "option_discrimination": {OPTION: r}, "key": [OPTION], "unlisted_responses": {TEXT: share},
    "flags": [str]}]}}, "thresholds": {...}, "first_attempt": str}``. Formulas: the module docstring.
    ``n_complete`` learners answered all ``n_items_answered`` questions that anyone answered;
    ``alpha_note`` says why ``alpha`` is ``None`` (else ``None``).
    """
    frame = _scored(frame)
    if banks is None:
        banks = question_banks(map(str, _cat(frame, "lesson").categories))
    ids = _quiz_ids(frame, banks)
    if first is None:
        first = first_attempts(frame, banks)
    out: dict[str, Any] = {
        "lessons": {},
        "thresholds": dict(THRESHOLDS),
        "first_attempt": FIRST_ATTEMPT,
        "min_learners": min_learners,
    }
    lessons = _cat(first, "lesson")
    lesson_codes = {str(name): j for j, name in enumerate(lessons.categories)}
    learner_cat, question_cat, response_cat = (_cat(first, c) for c in ("learner", "question_id", "response"))
    learner_names = np.asarray(learner_cat.categories.astype(str), dtype=object)
    q_position = {str(name): j for j, name in enumerate(question_cat.categories)}
    score_all = first["score"].to_numpy(dtype=float)
    for lesson, qids in ids.items():
        rows = lessons.codes == lesson_codes.get(lesson, -9)
        used, l_codes = np.unique(learner_cat.codes[rows], return_inverse=True)
        learners = learner_names[used]
        q_map = np.full(len(question_cat.categories), -1)
        for j, q in enumerate(qids):
            if q in q_position:
                q_map[q_position[q]] = j
        q_codes = q_map[question_cat.codes[rows]]
        scores = np.full((len(learners), len(qids)), np.nan)
        scores[l_codes, q_codes] = score_all[rows]
        responses = np.full((len(learners), len(qids)), -1, dtype=np.int64)
        responses[l_codes, q_codes] = response_cat.codes[rows]
        seen = ~np.isnan(scores)
        total = np.nansum(scores, axis=1)
        count = seen.sum(axis=1)
        answered_items = [j for j in range(len(qids)) if seen[:, j].any()]
        complete = seen[:, answered_items].all(axis=1) if answered_items else np.zeros(len(learners), bool)
        block = scores[np.ix_(complete, answered_items)]
        alpha, deleted = _alphas(block)
        binary = bool(np.isin(block, (0.0, 1.0)).all()) if block.size else True
        bank = banks.get(lesson)
        items = []
        for j, qid in enumerate(qids):
            question = bank[qid] if bank is not None else None
            items.append(
                _item(
                    qid,
                    question,
                    scores[:, j],
                    responses[:, j],
                    response_cat.categories,
                    total,
                    count,
                    learners,
                    min_learners,
                    alpha_del=deleted[answered_items.index(j)] if j in answered_items else None,
                )
            )
        n_complete, k = int(complete.sum()), len(answered_items)
        which = f"all {k} questions" + (" anyone answered" if k < len(qids) else "")
        if k < 2:
            note = f"alpha needs 2 or more questions answered; {k} {'was' if k == 1 else 'were'}"
        elif n_complete < 3:
            note = f"alpha needs 3 or more learners who answered {which}; {n_complete} did"
        else:
            note = f"the totals of the {n_complete} learners who answered {which} do not vary"
        out["lessons"][lesson] = {
            "n_learners": int(seen.any(axis=1).sum()),
            "n_complete": n_complete,
            "n_items_answered": k,
            "alpha": _round(alpha),
            "alpha_note": note if _round(alpha) is None else None,
            "alpha_kind": "KR-20" if binary else "Cronbach's alpha",
            "items": items,
        }
    return out


def _item(
    qid, question, x, responses, texts_by_code, total, count, learners, min_learners, alpha_del
) -> dict[str, Any]:
    has = ~np.isnan(x)
    n = int(has.sum())
    item: dict[str, Any] = {
        "question_id": qid,
        "type": getattr(question, "type", None),
        "n": n,
        "difficulty": None,
        "discrimination": None,
        "upper_lower": None,
        "alpha_if_deleted": _round(alpha_del),
        "options": {},
        "answers": [],
        "other_answers": None,
        "flags": [],
    }
    options = _options(question) if question is not None else None
    if options is not None:
        item.update(key=_keyed(question), option_discrimination={}, unlisted_responses={})
    if n == 0:
        return item
    xs = x[has]
    rest_n = count[has] - 1
    rest = np.where(rest_n > 0, (total[has] - xs) / np.maximum(rest_n, 1), np.nan)
    usable = ~np.isnan(rest)
    p = float(xs.mean())
    r = _pearson(xs[usable], rest[usable])
    item["difficulty"] = _round(p)
    item["discrimination"] = _round(r)
    if question is not None:
        item["answers"], item["other_answers"] = _answers(question, responses[has], texts_by_code, xs)
    if usable.sum() >= 2:
        position = np.flatnonzero(has)[usable]  # learners are in order of their lower-cased names
        order = np.lexsort((position, rest[usable]))  # ascending rest score, ties by lower-cased name
        k = max(1, round(UPPER_LOWER * int(usable.sum())))
        ranked = xs[usable][order]
        item["upper_lower"] = _round(float(ranked[-k:].mean() - ranked[:k].mean()))
    flags: list[str] = []
    if options is not None:
        unlisted: dict[str, int] = {}
        uniques, inverse = np.unique(responses[has], return_inverse=True)
        index = {o: j for j, o in enumerate(options)}
        chose = np.zeros((len(uniques), len(options)))  # distinct response x option chosen
        tally = np.bincount(inverse, minlength=len(uniques))
        for u, code in enumerate(uniques):  # each distinct response once, not each learner
            chosen, unknown = _chosen(question, str(texts_by_code[code]))
            for option in chosen:
                chose[u, index[option]] = 1
            for other in unknown:
                unlisted[other] = unlisted.get(other, 0) + int(tally[u])
        picks = chose[inverse].T
        item["options"] = {o: _round(float(picks[j].mean())) for j, o in enumerate(options)}
        item["option_discrimination"] = {
            o: _round(_pearson(picks[j][usable], rest[usable])) for j, o in enumerate(options)
        }
        item["unlisted_responses"] = {t: _round(c / n) for t, c in sorted(unlisted.items())}
    if n < min_learners:
        item["flags"] = ["too few learners"]
        return item
    p, r = item["difficulty"], item["discrimination"]  # flags follow the figures as shown (3 decimals)
    if p > EASY:
        flags.append("too easy")
    elif p < HARD:
        flags.append("too hard")
    if r is not None and r < 0:
        flags.append("negative discrimination: check the key")
    elif r is not None and r < LOW_DISC:
        flags.append("low discrimination")
    if options is not None:
        keyed = set(item["key"])
        flags += [
            f"non-functioning distractor: {o}"
            for o in options
            if o not in keyed and item["options"][o] < RARE
        ]
    item["flags"] = flags
    return item


def items_table(analysis: dict[str, Any]) -> pd.DataFrame:
    """The item analysis as one table: lesson, question_id, type, n, difficulty, discrimination,
    upper_lower, alpha_if_deleted, flags (joined with "; ")."""
    rows = []
    for lesson, info in analysis["lessons"].items():
        for item in info["items"]:
            rows.append(
                {
                    "lesson": lesson,
                    "question_id": item["question_id"],
                    "type": item["type"],
                    "n": item["n"],
                    "difficulty": item["difficulty"],
                    "discrimination": item["discrimination"],
                    "upper_lower": item["upper_lower"],
                    "alpha_if_deleted": item["alpha_if_deleted"],
                    "top_answers": answers_line(item),
                    "flags": "; ".join(item["flags"]),
                }
            )
    columns = [
        "lesson",
        "question_id",
        "type",
        "n",
        "difficulty",
        "discrimination",
        "upper_lower",
        "alpha_if_deleted",
        "top_answers",
        "flags",
    ]
    return pd.DataFrame(rows, columns=columns)


def answers_line(item: dict[str, Any], limit: int = 60) -> str:
    """An item's most common answers on one line: ``16 (45%, right); 19 (30%, wrong)``."""
    def short(text: str) -> str:
        return text if len(text) <= limit else text[: limit - 1] + "…"

    answers = item.get("answers") or []
    return "; ".join(f"{short(a['answer'])} ({a['share']:.0%}, {a['right']})" for a in answers)
