"""Static renderings (student without answers, key with them) and the widget."""

import json
import re

import pytest

from tmvlearn.quiz import Quiz, key, load_bank, progress, show
from tmvlearn.quiz.bank import bank_paths
from tmvlearn.quiz.markup import markdown_to_html
from tmvlearn.quiz.render import display_options

BANKS = [load_bank(p) for p in bank_paths()]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


pytestmark = pytest.mark.usefixtures("learner_ada")  # a fresh progress folder, learner "ada"


@pytest.mark.parametrize("bank", BANKS, ids=lambda b: b.lesson)
@pytest.mark.parametrize("shuffle", [False, True])
def test_student_rendering_contains_no_answer(bank, shuffle):
    bundle = show(bank.lesson, shuffle=shuffle, seed=7, interactive=False)._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/markdown", "text/plain"}
    for mime, text in bundle.items():
        for q in bank:
            for secret in q.secret_texts():  # explanations, feedback, notes: nowhere
                if len(secret) > 40:
                    assert secret.strip() not in text, (mime, q.id, secret)
            assert q.source_text not in text
        assert "Answer key" not in text and "Explanation" not in text
    for q in bank:  # short answers (accepted text, numbers, the right order): not in their own question
        own = show([q], shuffle=shuffle, seed=7, interactive=False)._repr_mimebundle_()
        for text in own.values():
            for secret in q.secret_texts():
                assert not _contains(text, secret.strip()), (q.id, secret)


def _contains(text: str, secret: str) -> bool:
    """Whether ``secret`` stands in ``text``; a short one only as a whole token ("2" is not in "62")."""
    if len(secret) >= 8:
        return secret in text
    return re.search(rf"(?<![\w.]){re.escape(secret)}(?![\w.])", text) is not None


@pytest.mark.parametrize("bank", BANKS, ids=lambda b: b.lesson)
def test_instructor_key_contains_every_answer_explanation_and_source(bank):
    bundle = key(bank.lesson)._repr_mimebundle_()
    for q in bank:
        q = q.worked()  # fresh numbers: the key prints the worked variant
        for mime in ("text/plain", "text/markdown"):
            text = bundle[mime]
            answer = q.key_text(q.display_options(True, 0))  # as the sheet printed with SEED 0 shows it
            assert answer in text and q.explanation.strip() in text and q.source_text in text
        assert q.source_text.replace("&", "&amp;") in bundle["text/html"]
        assert f'id="tmv-q-{q.id}"' in bundle["text/html"]
    for objective in bank.objectives.values():
        assert objective in bundle["text/plain"]


def test_orderings_and_matchings_never_show_their_answer_order():
    for bank in BANKS:
        for q in bank:
            if q.type == "ordering":
                assert display_options(q) != q.items and sorted(display_options(q)) == sorted(q.items)
            if q.type == "matching":
                assert display_options(q)[: len(q.pairs)] != [p["right"] for p in q.pairs]


def test_static_rendering_is_deterministic_and_keeps_math():
    first = show("01_biogenesis", shuffle=True, seed=1)._repr_mimebundle_()
    second = show("01_biogenesis", shuffle=True, seed=1)._repr_mimebundle_()
    assert ({k: v for k, v in first.items() if k != WIDGET_MIME}
            == {k: v for k, v in second.items() if k != WIDGET_MIME})
    assert "0x" not in first["text/html"]
    html = markdown_to_html("Ca$^{2+}$ and $k_1 \\cdot k_2$ are *not* <b>raw</b>")
    assert "$^{2+}$" in html and "$k_1 \\cdot k_2$" in html and "<em>not</em>" in html and "&lt;b&gt;" in html


def test_interactive_bundle_carries_widget_and_static_fallback():
    bundle = show("01_biogenesis")._repr_mimebundle_()
    assert WIDGET_MIME in bundle and "tmv-quiz-static" in bundle["text/html"]
    assert "VBox" not in bundle["text/plain"]


def widget_state(quiz: Quiz) -> str:
    """Every widget value and description in the quiz: what a saved notebook could store."""
    import ipywidgets as w

    seen, out, stack = set(), [], [quiz.widget]
    while stack:
        widget = stack.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        state = widget.get_state()
        # children are references ("IPY_MODEL_" + a random hex id, which may hold "1970" by chance):
        # they are walked, not dumped
        out.append(json.dumps({k: v for k, v in state.items() if k not in ("layout", "style", "children")},
                              default=str))
        if isinstance(widget, w.Box):
            stack.extend(widget.children)
    return "\n".join(out)


def test_widget_holds_no_answer_until_checked_and_classes_come_from_ids():
    bank = load_bank("01_biogenesis")
    quiz = show("01_biogenesis")
    state = widget_state(quiz)
    for q in bank:
        for secret in q.secret_texts():
            assert secret.strip() not in state, (q.id, secret)
        assert f"tmv-q-{q.id}" in state and f"tmv-check-{q.id}" in state and f"tmv-feedback-{q.id}" in state
    assert state.count('"description": "Check"') == len(bank)


def panel(quiz, qid):
    return next(p for p in quiz._panels if p.q.id == qid)


def test_practice_mode_checks_records_scores_and_retries():
    quiz = show("01_biogenesis")
    _ = quiz.widget  # build the widget
    p = panel(quiz, "bio-ca-inner-lipids")
    for box in p.inputs:
        box.value = box.description in ("Phosphatidylserine", "Phosphatidylcholine")
    p.check_button.click()
    assert "✘" in p.feedback.value and p.retry_button.disabled is False and p.inputs[0].disabled
    assert "Score: 0 / 12" in quiz.score_label.value and "1 of 12 checked" in quiz.score_label.value
    p.retry_button.click()  # the picks stay to be changed; the score keeps the last check until the next
    assert p.feedback.value == "" and not p.check_button.disabled and not p.inputs[0].disabled
    assert {b.description for b in p.inputs if b.value} == {"Phosphatidylserine", "Phosphatidylcholine"}
    assert "1 of 12 checked" in quiz.score_label.value
    for box in p.inputs:
        box.value = box.description in ("Phosphatidylserine", "Phosphatidylethanolamine")
    p.check_button.click()
    assert "✔" in p.feedback.value and p.q.explanation.split()[0] in p.feedback.value
    assert "Score: 1 / 12" in quiz.score_label.value
    # an empty answer is not graded or recorded: the learner is told what to do
    q = panel(quiz, "bio-history-decade")
    q.check_button.click()
    assert "⚠" in q.feedback.value and not q.check_button.disabled
    summary = progress()
    assert summary["attempts"].tolist() == [2] and summary["questions_correct"].tolist() == [1]


def test_numeric_matching_and_ordering_inputs_grade_through_the_widget():
    quiz = show("01_biogenesis")
    _ = quiz.widget  # build the widget
    n = panel(quiz, "bio-history-decade")
    n.inputs[0].value = "1970"
    assert n.check().correct
    m = panel(quiz, "bio-rhoa-route")
    for box, pair in zip(m.inputs, m.q.pairs, strict=True):
        assert box.description == pair["left"]
        box.value = pair["right"]
    assert m.check().correct
    o = panel(quiz, "bio-ca-steps")
    for box, item in zip(o.inputs, o.q.items, strict=True):
        box.value = item
    assert o.check().correct


def test_test_mode_gives_feedback_only_at_the_end():
    quiz = show("01_biogenesis", mode="test")
    _ = quiz.widget  # build the widget
    assert not any(hasattr(p, "check_button") for p in quiz._panels)
    t = panel(quiz, "bio-ca-scramblase")
    t.inputs[0].value = "False"
    assert t.feedback.value == ""
    quiz.finish_button.click()  # 11 unanswered: asks first
    assert t.feedback.value == "" and quiz.finish_button.description == "Finish anyway"
    quiz.finish_button.click()
    assert "✔" in t.feedback.value and "Score: 1 / 12" in quiz.score_label.value
    assert "Why:" not in panel(quiz, "bio-rhoa-route").feedback.value  # unanswered: not explained
    assert t.inputs[0].disabled and not quiz.restart_button.disabled
    quiz.restart_button.click()
    assert t.inputs[0].value is None and t.feedback.value == "" and not t.inputs[0].disabled


def test_shuffle_is_seeded_and_bad_arguments_are_explained():
    a = show("01_biogenesis", shuffle=True, seed=1)
    b = show("01_biogenesis", shuffle=True, seed=2)
    q = load_bank("01_biogenesis")["bio-gtpases-named"]
    assert display_options(q, True, 1) == display_options(q, True, 1)
    assert {tuple(display_options(q, True, s)) for s in range(5)} != {tuple(q.options)}
    assert a.static_bundle() != b.static_bundle()
    with pytest.raises(ValueError, match="mode must be"):
        show("01_biogenesis", mode="exam")
    with pytest.raises(ValueError, match="unknown question id"):
        show(["bio-ca-scramblase", "no-such-question"])
    subset = show(["bio-ca-scramblase", "bio-rhoa-route"], interactive=False)
    assert [q.id for q in subset.questions] == ["bio-ca-scramblase", "bio-rhoa-route"]


def test_objectives_display_from_the_bank():
    from tmvlearn.quiz import objectives

    bundle = objectives("01_biogenesis")._repr_mimebundle_()
    bank = load_bank("01_biogenesis")
    assert bundle["text/markdown"].splitlines()[0] == f"1. {bank.objectives['O1']}"
    assert bundle["text/html"].count("<li>") == len(bank.objectives)


def test_widget_says_when_progress_cannot_be_saved(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("TMVLEARN_HOME", str(blocker / "home"))
    quiz = show(["bio-ca-scramblase"])
    _ = quiz.widget  # build the widget
    p = quiz._panels[0]
    p.inputs[0].value = "False"
    p.check_button.click()
    assert "✔" in p.feedback.value and "will be added the next time" in p.feedback.value


def sent_focus(quiz, monkeypatch) -> list[str]:
    """The selectors the quiz asks the browser to focus (through its KeyboardShield)."""
    asked: list[str] = []
    monkeypatch.setattr(quiz.shield, "send",
                        lambda content, *a, **k: "focus" in content and asked.append(content["focus"]))
    return asked


def test_try_again_sends_the_focus_to_the_questions_first_answer_control(monkeypatch):
    from tmvlearn.shield import KeyboardShield

    quiz = show("01_biogenesis")
    _ = quiz.widget
    asked = sent_focus(quiz, monkeypatch)
    p = panel(quiz, "bio-history-decade")
    p.inputs[0].value = "1900"
    p.check_button.click()  # it has the focus and is disabled now: the feedback takes it
    assert asked == [".tmv-feedback-bio-history-decade"]
    p.retry_button.click()  # likewise: the answer box takes it, with the answer still in it
    assert asked[-1] == ".tmv-input-bio-history-decade-0" and p.inputs[0].value == "1900"
    assert "tmv-input-bio-history-decade-0" in p.inputs[0]._dom_classes
    assert not p.inputs[0].disabled
    assert "msg.focus" in KeyboardShield._esm and "tmv-check-" in KeyboardShield._esm, \
        "the front end focuses on request, and Enter in an answer box presses Check"


def test_start_again_sends_the_focus_to_question_1(monkeypatch):
    quiz = show("01_biogenesis", mode="test", shuffle=False)
    _ = quiz.widget
    asked = sent_focus(quiz, monkeypatch)
    panel(quiz, "bio-history-decade").inputs[0].value = "1970"
    quiz.finish_button.click()  # some unanswered: asks to confirm
    quiz.finish_button.click()
    assert asked == [".tmv-status"], "the score next to Finish takes the focus"
    assert "Score:" in quiz.status.value, "the score is shown next to Finish"
    quiz.restart_button.click()
    assert asked[-1] == f".tmv-input-{quiz._panels[0].q.id}-0"
    assert all(p.q.check(p.response()).details.get("invalid") for p in quiz._panels), "a retake is blank"


def test_try_again_on_a_right_answer_keeps_the_pick_and_the_score():
    quiz = show("01_biogenesis")
    _ = quiz.widget
    p = panel(quiz, "bio-history-decade")
    p.inputs[0].value = "1970"
    p.check_button.click()
    before = quiz.score_label.value
    assert "Score: 1 / 12" in before
    p.retry_button.click()
    assert p.inputs[0].value == "1970" and quiz.score_label.value == before
    p.check_button.click()
    assert quiz.score_label.value == before, "re-checking the same right answer changes nothing"


def test_a_checked_answer_box_reads_clearly_not_as_a_grey_placeholder():
    from tmvlearn.quiz.display import _QUIZ_CSS

    rule = re.search(r"\.tmv-quiz \.jupyter-widget-text input:disabled[^{]*\{([^}]*)\}", _QUIZ_CSS)
    assert rule, "locked text boxes are styled"
    assert "opacity: 1" in rule[1] and "color: var(--jp-ui-font-color0" in rule[1]
    quiz = show(["bio-history-decade"])
    assert _QUIZ_CSS in quiz.widget.children[1].value


def test_the_widget_says_what_is_kept_from_before_and_the_printed_copy_does_not():
    from tmvlearn.progress import record_attempt
    from tmvlearn.quiz.bank import all_questions

    fresh = show("01_biogenesis")
    assert fresh.widget is not None and fresh.kept_label.value == "", "nothing kept: no line"
    printed = fresh.static_bundle()
    known = all_questions()
    record_attempt(known["bio-history-decade"], "1970")  # right first time
    record_attempt(known["bio-ca-scramblase"], "True")  # wrong first, then right
    record_attempt(known["bio-ca-scramblase"], "False")
    quiz = show("01_biogenesis")  # as after a kernel restart: this session has no results
    children = list(quiz.widget.children)
    assert children.index(quiz.kept_label) == children.index(quiz.score_label) + 1, "under the score"
    text = quiz.kept_label.value
    assert "Score: 2 / 12" in quiz.score_label.value, "the latest answers count (tests/test_quiz_rerun.py)"
    assert "Kept from before: 2 of 12 answered, 1 right first time" in text and "quiz.progress()" in text
    assert quiz.static_bundle() == printed, "the static rendering never shows the learner's state"
    assert "Kept" not in json.dumps(quiz._repr_mimebundle_().get("text/html", ""))


def test_a_damaged_progress_file_gives_a_short_note_and_the_quiz_still_works(tmp_path):
    from tmvlearn.progress import FILENAME

    db = tmp_path / "home" / FILENAME
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    quiz = show(["bio-history-decade"], record=False)
    assert quiz.widget is not None and "could not be read" in quiz.kept_label.value
    p = quiz._panels[0]
    p.inputs[0].value = "1970"
    assert p.check().correct


def _press(quiz, content: dict) -> None:
    """What the browser's shield sends when Check or Finish is pressed."""
    quiz.shield._answer(quiz.shield, {"ping": "t", **content}, [])


def test_check_grades_what_the_browser_showed_with_the_click_not_a_stale_value(monkeypatch):
    quiz = show("01_biogenesis")
    _ = quiz.widget
    sent_focus(quiz, monkeypatch)
    assert quiz.shield.acts, "the front end sends Check and Finish with the values on screen"
    p = panel(quiz, "bio-history-decade")
    p.inputs[0].value = "1900"  # the last value synced; the learner has typed 1970 since
    _press(quiz, {"action": "check", "question": p.q.id, "values": {p.q.id: [{"text": "1970"}]}})
    assert "✔" in p.feedback.value and p.inputs[0].value == "1970" and p.inputs[0].disabled
    p.check_button.click()  # the button's own click, had it come, changes nothing
    assert "✔" in p.feedback.value


def test_every_control_kind_is_read_from_what_was_shown(monkeypatch):
    quiz = show("01_biogenesis", shuffle=False)
    _ = quiz.widget
    sent_focus(quiz, monkeypatch)
    by_type = {}
    for p in quiz._panels:
        by_type.setdefault(p.q.type, p)
    single = by_type["single_choice"]
    right = single.options.index(single.q.answer)
    _press(quiz, {"action": "check", "question": single.q.id, "values": {single.q.id: [{"index": right}]}})
    assert "✔" in single.feedback.value
    multi = by_type["multiple_select"]
    ticks = [{"checked": o in multi.q.answer} for o in multi.options]
    _press(quiz, {"action": "check", "question": multi.q.id, "values": {multi.q.id: ticks}})
    assert "✔" in multi.feedback.value
    order = by_type["ordering"]
    picks = [{"index": order.inputs[i].options.index((item, item))} for i, item in enumerate(order.q.items)]
    _press(quiz, {"action": "check", "question": order.q.id, "values": {order.q.id: picks}})
    assert "✔" in order.feedback.value


@pytest.mark.parametrize("values", [None, "x", {"nope": []}, {"bio-history-decade": [{"index": 99}]},
                                    {"bio-history-decade": [{"text": 5}]}, {"bio-history-decade": [1, 2]},
                                    {"bio-history-decade": [{"checked": "yes"}]}])
def test_odd_values_from_the_browser_change_nothing_and_never_raise(monkeypatch, values):
    quiz = show("01_biogenesis")
    _ = quiz.widget
    sent_focus(quiz, monkeypatch)
    p = panel(quiz, "bio-history-decade")
    p.inputs[0].value = "1970"
    _press(quiz, {"action": "check", "question": "bio-history-decade", "values": values})
    assert "✔" in p.feedback.value, "graded on the control's own value"


def test_finish_hands_in_what_the_browser_showed(monkeypatch):
    quiz = show("01_biogenesis", mode="test")
    _ = quiz.widget
    sent_focus(quiz, monkeypatch)
    values = {"bio-history-decade": [{"text": "1970"}]}
    _press(quiz, {"action": "finish", "values": values})  # some unanswered: asks to confirm
    assert not quiz._finished and "not answered yet" in quiz.status.value
    _press(quiz, {"action": "finish", "values": values})
    assert quiz._finished and quiz.results["bio-history-decade"].correct
