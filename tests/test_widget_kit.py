"""The quiz's widgets share their layout and style models (tmvlearn.quiz.widget_kit): far fewer models
for the kernel to open and the browser to build, and none of them ever changed in place, which would
change every widget that shares it."""

from __future__ import annotations

import json

import ipywidgets as w
import pytest

from tmvlearn.quiz import show
from tmvlearn.quiz.bank import lesson_ids
from tmvlearn.quiz.widget_kit import WidgetKit

pytestmark = pytest.mark.usefixtures("learner_ada")  # a fresh progress folder, learner "ada"


def test_one_model_per_distinct_setting_and_a_given_model_is_kept():
    kit = WidgetKit()
    a = kit.Dropdown(options=["x"], layout={"width": "auto"}, style={"description_width": "initial"})
    b = kit.Dropdown(options=["y"], layout=kit.Layout(width="auto"), style={"description_width": "initial"})
    assert a.layout is b.layout and a.style is b.style
    assert a.layout.width == "auto" and a.style.description_width == "initial"
    c = kit.Dropdown(options=["z"])
    assert c.layout is not a.layout and c.style is not a.style and c.layout.width is None
    assert kit.Button().style is kit.Button().style, "a widget given nothing shares the default"
    assert type(kit.Button().style) is w.ButtonStyle
    assert type(kit.HTMLMath().style).__name__ == "HTMLMathStyle"
    own = w.Layout(width="3em")
    assert kit.Text(layout=own).layout is own, "a model given is used as it is"
    assert kit.Widget is w.Widget and kit.jslink is w.jslink, "what is not a DOM widget is ipywidgets' own"
    assert isinstance(kit.VBox([a, b]), w.VBox)


def _models(quiz) -> tuple[set[int], list]:
    """(ids of the quiz's widgets, the layout and style models they use)."""
    widgets, shared, stack = set(), [], [quiz.widget]
    while stack:
        widget = stack.pop()
        if id(widget) in widgets:
            continue
        widgets.add(id(widget))
        shared += [m for m in (getattr(widget, "layout", None), getattr(widget, "style", None)) if m]
        stack.extend(getattr(widget, "children", ()))
    return widgets, shared


def _settings(model) -> str:
    return json.dumps(model.get_state(), sort_keys=True, default=str)


@pytest.mark.parametrize("mode", ["practice", "test"])
def test_a_lesson_quiz_opens_one_layout_and_style_per_look(mode):
    """Each distinct look is one model; before, every widget brought two of its own (400 models for
    lesson 02's quiz, 161 now)."""
    for lesson in lesson_ids():
        quiz = show(lesson, mode=mode, seed=0)
        widgets, shared = _models(quiz)
        models = {id(m): m for m in shared}
        looks = {(type(m), _settings(m)) for m in models.values()}
        assert len(models) == len(looks), f"{lesson}: a look made twice"
        assert len(models) < len(widgets) / 4, (lesson, len(models), len(widgets))


def test_taking_a_quiz_never_changes_a_shared_layout_or_style():
    """Check, Try again, Finish, Start again, answers restored from before: the controls change their
    own traits (value, disabled, description), never a model that other widgets share."""
    from traitlets import All

    changed = []
    for mode in ("practice", "test", "practice"):  # the second practice quiz restores the first's answers
        quiz = show("02_ev_types_isolation", mode=mode, seed=0)
        _, shared = _models(quiz)
        for model in {id(m): m for m in shared}.values():
            model.observe(lambda change: changed.append((change["owner"], change["name"])), names=All)
        for p in quiz._panels:
            if mode == "practice":
                p.check_button.click()  # unanswered: told what to do
                p.check_button.click()
                p.retry_button.click()
            for control in p.inputs:  # an answer, right or wrong
                if isinstance(control, (w.Dropdown, w.RadioButtons)):
                    control.index = len(control.options) - 1
                elif isinstance(control, w.Checkbox):
                    control.value = True
                else:
                    control.value = "1"
            if mode == "practice":
                p.check_button.click()
        if mode == "test":
            quiz.finish_button.click()
            quiz.finish_button.click()
            quiz.restart_button.click()
    assert changed == []
