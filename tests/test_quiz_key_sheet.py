"""The instructor's key marks the printed student sheet: the same SEED gives the same order, and the
key names answers by the sheet's letters (issue 23, item 7)."""

import re

import pytest

from tmvlearn.quiz import load_bank
from tmvlearn.quiz.bank import bank_paths
from tmvlearn.quiz.display import key
from tmvlearn.quiz.render import render_student


def _sections(markdown: str) -> list[str]:
    return re.split(r"\n(?=\*\*\d+\.\*\* )", markdown)[1:]


@pytest.mark.parametrize("seed", [0, 7])
def test_key_letters_are_the_printed_sheets(seed):
    for path in bank_paths():
        bank = load_bank(path)
        questions = bank.questions + bank.exercises
        sheet = _sections(render_student(bank.title, questions, shuffle=True, seed=seed)["text/markdown"])
        answers = _sections(key(bank, seed=seed).to_markdown())
        assert len(sheet) == len(answers) == len(questions)
        for q, printed, keyed in zip(questions, sheet, answers, strict=True):
            q = q.worked()
            answer = re.search(r"> \*\*Answer:\*\* (.*)", keyed).group(1)
            lettered = dict(re.findall(r"^- \(([a-z])\) (.*)$", printed, re.M))
            if q.type in ("single_choice", "multiple_select"):
                mark = "( )" if q.type == "single_choice" else "[ ]"
                shown = re.findall(rf"^- {re.escape(mark)} (.*)$", printed, re.M)  # top to bottom
                right = [q.answer] if q.type == "single_choice" else list(q.answer)
                for text in right:
                    letter = "abcdefghijklmnop"[shown.index(text)]
                    assert f"({letter}) {text}" in answer, (q.id, answer, shown)
            elif q.type == "matching":
                for pair in q.pairs:
                    letter = next(c for c, text in lettered.items() if text == pair["right"])
                    assert f"{pair['left']} → ({letter}) {pair['right']}" in answer, (q.id, answer)
            elif q.type == "ordering":
                letters = [next(c for c, text in lettered.items() if text == item) for item in q.items]
                assert answer.startswith(", ".join(letters) + ": "), (q.id, answer, lettered)


def test_the_cli_key_takes_the_seed(capsys):
    from tmvlearn.cli import main

    assert main(["quiz", "key", "01_biogenesis", "--seed", "7"]) == 0
    seven = capsys.readouterr().out
    assert "printed with SEED 7" in seven
    assert main(["quiz", "key", "01_biogenesis", "--bank-order"]) == 0
    assert "bank's order" in capsys.readouterr().out
