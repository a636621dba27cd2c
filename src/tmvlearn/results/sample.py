"""A simulated class (seeded) to learn the item analysis on: SIMULATED data, not real learners.

Model (two-parameter logistic item response theory, 2PL): learner ability theta ~ N(0, 1); each
quiz question of the shipped banks gets a discrimination a ~ U(0.7, 2.2) and a difficulty
b = -0.6, 0.2 or 0.9 for bank difficulty 1, 2, 3, plus N(0, 0.35) noise. A learner answers right
with probability 1 / (1 + exp(-a (theta - b))). A wrong answer picks a distractor with weights
drawn once per question (Dirichlet(25), so near equal); for questions that are not choices, a wrong
answer is one of the question's own wrong responses (``distractor_responses``), graded by the question itself,
so partial-credit types get partial scores.

Built in so the flags can be seen: one single-choice question is simulated as **miskeyed** (the
learners who know the subject pick another option than the bank's key, so it gets negative
discrimination; the bank's key itself is right) and
one single-choice question has a **distractor nobody picks**. Not every learner is at the same
place: 4 have not started, 10 stopped after the first two lessons. After a wrong first answer,
practice retries follow (60% of learners retry, and then mostly get it right), and 10% reveal the
explanation instead (``kind = "reveal"``).

Code exercises (``mode = "exercise"``, drawn from their own generator so the quiz rows stay the same
for a seed): a learner checks each exercise of a lesson they reached with probability 0.85, passing
with probability 1 / (1 + exp(-(theta + 0.5))); after a failed check 70% check again (passing with
probability 0.8) and 15% reveal the worked solution (``kind = "reveal"``).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd

from tmvlearn.progress import COLUMNS

__all__ = ["sample_class", "MISKEYED", "UNPICKED", "SEED"]

SEED = 14
#: (lesson, question id) of the deliberately miskeyed question, and of the one with an unpicked distractor
MISKEYED = ("03_cargo_biomarkers", 2)  # the 3rd single-choice question of the lesson
UNPICKED = ("04_tumor_microenvironment", 0)
START = datetime(2026, 1, 12, 9, 0, tzinfo=timezone.utc)
B_BY_DIFFICULTY = {1: -0.6, 2: 0.2, 3: 0.9}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def sample_class(seed: int = SEED, n_learners: int = 120, lessons: list[str] | None = None) -> pd.DataFrame:
    """The attempts of a simulated class, shaped as :func:`tmvlearn.results.collect` returns them.

    ``lessons``: default, the shipped lessons (notebooks) that have a bank, in order.

    ``learner`` is categorical with every simulated learner as a category (also those who have not
    started). ``.attrs``: ``simulated`` (True), ``seed``, ``n_learners``, ``miskeyed``
    ``{"lesson", "question_id", "bank_key", "simulated_key"}`` and
    ``unpicked`` ``{"lesson", "question_id", "option"}``.
    """
    from tmvlearn.lessons import lesson_paths
    from tmvlearn.quiz.bank import lesson_ids, load_bank

    rng = np.random.default_rng(seed)
    banked = set(lesson_ids())
    lessons = list(lessons or [p.stem for p in lesson_paths() if p.stem in banked])  # the student sequence
    banks = {lesson: load_bank(lesson) for lesson in lessons}
    names = [f"sim-{i + 1:03d}" for i in range(n_learners)]
    theta = rng.normal(0.0, 1.0, n_learners)
    reach = np.full(n_learners, len(lessons))  # how many lessons each learner has worked through
    order = rng.permutation(n_learners)
    reach[order[:4]] = 0
    reach[order[4:14]] = min(2, len(lessons))
    columns: dict[str, list] = {c: [] for c in COLUMNS}
    attrs: dict[str, Any] = {"simulated": True, "seed": seed, "n_learners": n_learners}

    def add(
        rows: np.ndarray,
        lesson: str,
        qid: str,
        responses: list[str],
        scores: np.ndarray,
        times: np.ndarray,
        kind: str = "answer",
        mode: str = "practice",
    ) -> None:
        for row, response, score, when in zip(rows, responses, scores, times, strict=True):
            columns["learner"].append(names[row])
            columns["lesson"].append(lesson)
            columns["question_id"].append(qid)
            columns["response"].append(response)
            columns["score"].append(float(score))
            columns["correct"].append(bool(score >= 1.0))
            columns["time"].append(when)
            columns["mode"].append(mode)
            columns["kind"].append(kind)
            columns["take"].append(1)

    for li, lesson in enumerate(lessons):
        learners = np.flatnonzero(reach > li)
        choice_seen = -1
        for qi, question in enumerate(banks[lesson].questions):
            kind = question.type
            choice_seen += kind == "single_choice"
            a = rng.uniform(0.7, 2.2)
            b = B_BY_DIFFICULTY.get(int(question.difficulty), 0.0) + rng.normal(0.0, 0.35)
            p = 1.0 / (1.0 + np.exp(-a * (theta[learners] - b)))
            right = rng.random(len(learners)) < p
            when = [
                START + timedelta(days=2 * li, minutes=int(7 * r % 600), seconds=40 * qi) for r in learners
            ]
            if kind in ("single_choice", "true_false", "multiple_select"):
                key = question.key_response()
                if kind == "true_false":
                    wrong_pool: list[Any] = [not question.answer]
                elif kind == "single_choice":
                    wrong_pool = [o for o in question.options if o != question.answer]
                else:
                    wrong_pool = [r for r in question.distractor_responses() if question.check(r).score < 1]
                weights = rng.dirichlet(np.full(len(wrong_pool), 25.0))
                known = key
                if kind == "single_choice" and (lesson, choice_seen) == (MISKEYED[0], MISKEYED[1]):
                    known = wrong_pool[0]  # what the learners who know it pick: not the bank's key
                    wrong_pool = [question.answer] + wrong_pool[1:]
                    weights = rng.dirichlet(np.full(len(wrong_pool), 25.0))
                    attrs["miskeyed"] = {
                        "lesson": lesson,
                        "question_id": question.id,
                        "bank_key": question.answer,
                        "simulated_key": known,
                    }
                if kind == "single_choice" and (lesson, choice_seen) == (UNPICKED[0], UNPICKED[1]):
                    weights[-1] = 0.0
                    weights = weights / weights.sum()
                    attrs["unpicked"] = {
                        "lesson": lesson,
                        "question_id": question.id,
                        "option": wrong_pool[-1],
                    }
            else:
                known = question.key_response()
                wrong_pool = [r for r in question.distractor_responses() if question.check(r).score < 1]
                weights = np.full(len(wrong_pool), 1.0 / max(1, len(wrong_pool)))
            if not wrong_pool:
                wrong_pool, weights = [known], np.array([1.0])
            picks = rng.choice(len(wrong_pool), size=len(learners), p=weights)
            values = [known if ok else wrong_pool[k] for ok, k in zip(right, picks, strict=True)]
            texts = [_json(v) for v in values]
            graded = {t: question.check(json.loads(t)).score for t in set(texts)}
            scores = np.array([graded[t] for t in texts])
            add(learners, lesson, question.id, texts, scores, np.array(when, dtype=object))
            # after a wrong first answer: a retry (mostly right now) or a reveal of the explanation
            missed = scores < 1.0
            follow = rng.random(len(learners))
            retry = missed & (follow < 0.6)
            reveal = missed & (follow >= 0.6) & (follow < 0.7)
            later = np.array([w + timedelta(seconds=20) for w in when], dtype=object)
            key_text = _json(question.key_response())
            retry_right = rng.random(len(learners)) < 0.8
            retry_texts = [
                key_text if ok else t
                for ok, t in zip(retry_right[retry], np.array(texts)[retry], strict=True)
            ]
            add(
                learners[retry],
                lesson,
                question.id,
                retry_texts,
                np.array([question.check(json.loads(t)).score for t in retry_texts]),
                later[retry],
            )
            add(
                learners[reveal],
                lesson,
                question.id,
                ["null"] * int(reveal.sum()),
                np.zeros(int(reveal.sum())),
                later[reveal],
                kind="reveal",
            )
    exercises = np.random.default_rng([seed, 1])  # its own stream: the quiz rows above stay the same
    for li, lesson in enumerate(lessons):
        for ei, exercise in enumerate(banks[lesson].exercises):
            learners = np.flatnonzero((reach > li) & (exercises.random(n_learners) < 0.85))
            when = np.array([START + timedelta(days=2 * li, minutes=int(7 * r % 600) - 30 + 5 * ei)
                             for r in learners], dtype=object)
            passed = exercises.random(len(learners)) < 1.0 / (1.0 + np.exp(-(theta[learners] + 0.5)))
            follow = exercises.random(len(learners))
            again = ~passed & (follow < 0.7)
            reveal = ~passed & (follow >= 0.7) & (follow < 0.85)
            second = exercises.random(len(learners)) < 0.8
            key, wrong = _json(exercise.key_response()), _json(None)
            for rows, texts, scores, at, kind in (
                (learners, [key if ok else wrong for ok in passed], passed.astype(float), when, "answer"),
                (learners[again], [key if ok else wrong for ok in second[again]],
                 second[again].astype(float), when[again] + timedelta(minutes=2), "answer"),
                (learners[reveal], ["null"] * int(reveal.sum()), np.zeros(int(reveal.sum())),
                 when[reveal] + timedelta(minutes=3), "reveal"),
            ):
                add(rows, lesson, exercise.id, texts, scores, at, kind=kind, mode="exercise")
    frame = pd.DataFrame(columns)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    frame = frame.sort_values(["time", "learner"], kind="stable").reset_index(drop=True)
    frame["learner"] = pd.Categorical(frame["learner"], categories=names)
    for col in ("lesson", "question_id", "response", "mode", "kind"):
        frame[col] = frame[col].astype("category")
    frame["take"] = frame["take"].astype("int32")
    frame["source"] = pd.Categorical(["simulated"] * len(frame))
    frame["learner_key"] = frame["learner"]
    frame.attrs.update(attrs)
    return frame
