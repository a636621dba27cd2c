"""Bank validation: every problem found, each named by file, question id and field."""

import textwrap

import pytest
import yaml

from tmvlearn.cli import main
from tmvlearn.lessons import lesson_paths
from tmvlearn.quiz import BankError, load_bank, validate_files
from tmvlearn.quiz.bank import bank_paths, bank_schema_text

GOOD = textwrap.dedent(
    """\
    lesson: 90_demo
    title: Demo
    objectives:
      O1: Know things.
    questions:
      - id: demo-one
        type: single_choice
        prompt: Pick B.
        options: [A, B]
        answer: B
        explanation: B it is.
        source: {document: zhu2021, section: Introduction, refs: [1]}
        objective: O1
        difficulty: 1
      - id: demo-two
        type: numeric
        prompt: How many?
        answer: 4
        tolerance: 0.5
        explanation: Four.
        source: {document: zhu2021, section: Introduction, refs: [2]}
        objective: O1
        difficulty: easy
    """
)


def write(tmp_path, text, name="90_demo.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_banks_are_valid_and_named_after_lessons():
    assert [p.stem for p in bank_paths()] == [p.stem for p in lesson_paths()], "one bank per lesson"
    assert validate_files(bank_paths()) == []
    for path in bank_paths():
        bank = load_bank(path.stem)
        assert bank.lesson == path.stem
        assessed = {q.objective for q in bank}
        assert assessed == set(bank.objectives), "every objective is assessed"
        for q in bank:
            assert q.explanation and q.source_text and q.difficulty in (1, 2, 3)


def test_biogenesis_bank_covers_the_brief():
    bank = load_bank("01_biogenesis")
    assert 10 <= len(bank) <= 12
    assert 4 <= len(bank.objectives) <= 5
    assert all(q.source["document"] == "zhu2021" and q.source["refs"] for q in bank)
    # The review's MLC contradiction is flagged, and its key does not pick a side.
    flagged = bank["bio-mlc-phosphorylation"]
    assert flagged.note and "contradiction" in flagged.note.lower()
    assert "opposite" in flagged.answer_text()


def test_a_good_bank_loads(tmp_path):
    bank = load_bank(write(tmp_path, GOOD))
    assert [q.id for q in bank] == ["demo-one", "demo-two"]
    assert bank["demo-two"].difficulty == 1 and bank["demo-two"].check("4.3").correct


BROKEN = [
    # (what, edit of GOOD, expected question id, expected field, expected words)
    ("unknown type", ("type: numeric", "type: essay"), "demo-two", "type", "unknown type 'essay'"),
    ("missing answer", ("    answer: 4\n", ""), "demo-two", "answer", "missing"),
    ("answer not an option", ("answer: B", "answer: C"), "demo-one", "answer", "not among the options"),
    ("negative tolerance", ("tolerance: 0.5", "tolerance: -0.5"), "demo-two", "tolerance", "below zero"),
    ("undefined objective", ("objective: O1\n    difficulty: easy", "objective: O9\n    difficulty: easy"),
     "demo-two", "objective", "not among the objectives"),
    ("typo in a field", ("explanation: Four.", "explaination: Four."), "demo-two", "explaination", "typo"),
    ("unquoted yes as option", ("options: [A, B]", "options: [A, yes]"), "demo-one", "options[1]", "quotes"),
]


@pytest.mark.parametrize("what, edit, qid, field, words", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_malformed_bank_is_reported_by_file_id_and_field(tmp_path, what, edit, qid, field, words):
    old, new = edit
    text = GOOD.replace(old, new)
    assert text != GOOD
    path = write(tmp_path, text)
    problems = validate_files([path])
    matching = [p for p in problems if p.question == qid and p.field == field and words in p.message]
    assert matching, problems
    assert matching[0].file == str(path)
    assert str(matching[0]).startswith(f"{path}: question {qid}: {field}: ")
    with pytest.raises(BankError, match=field.replace("[", r"\[")):
        load_bank(path)


def test_every_problem_is_listed_at_once(tmp_path):
    text = (GOOD.replace("answer: B", "answer: C").replace("tolerance: 0.5", "tolerance: -1")
            .replace("objective: O1\n", "objective: O7\n", 1))
    problems = validate_files([write(tmp_path, text)])
    fields = {(p.question, p.field) for p in problems}
    assert ("demo-two", "tolerance") in fields
    # schema problems come first; once fixed, the semantic ones are reported together
    text = GOOD.replace("answer: B", "answer: C").replace("objective: O1\n", "objective: O7\n")
    fields = {(p.question, p.field) for p in validate_files([write(tmp_path, text)])}
    assert {("demo-one", "answer"), ("demo-one", "objective"), ("demo-two", "objective"),
            ("-", "objectives.O1")} <= fields


def test_bad_yaml_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, GOOD.replace("prompt: Pick B.", "prompt: Pick: B."))
    (problem,) = validate_files([path])
    assert problem.field == "yaml" and problem.line == 8 and "line 8" in str(problem)


def test_duplicate_ids_across_banks_and_duplicate_keys(tmp_path):
    first = write(tmp_path, GOOD)
    second = write(tmp_path, GOOD.replace("90_demo", "91_other").replace("demo-two", "other-two"),
                   "91_other.yaml")
    problems = validate_files([first, second])
    assert [(p.file, p.question, p.field) for p in problems] == [(str(second), "demo-one", "id")]
    assert str(first) in problems[0].message
    dup_key = write(tmp_path, GOOD.replace("answer: B\n", "answer: B\n    answer: A\n"), "92_dup.yaml")
    problems = validate_files([dup_key])
    assert any(p.field == "answer" and "twice" in p.message for p in problems)


def test_lesson_must_match_file_name_and_missing_lessons_explain(tmp_path):
    path = write(tmp_path, GOOD, "93_wrong.yaml")
    (problem,) = validate_files([path])
    assert problem.field == "lesson" and "93_wrong" in problem.message
    with pytest.raises(BankError, match="no question bank for lesson '99_nothing'"):
        load_bank("99_nothing")


def test_cli_check_lists_every_problem_and_exits_1(tmp_path, capsys):
    bad = write(tmp_path, GOOD.replace("answer: B", "answer: C").replace("tolerance: 0.5", "tolerance: -1"))
    assert main(["quiz", "check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: question demo-two: tolerance: " in out
    assert main(["quiz", "check", str(write(tmp_path, GOOD))]) == 0
    assert main(["quiz", "check"]) == 0  # the shipped banks
    assert main(["quiz", "check", str(tmp_path / "absent.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_key_prints_answers(capsys):
    assert main(["quiz", "key", "01_biogenesis"]) == 0
    out = capsys.readouterr().out
    for q in load_bank("01_biogenesis"):
        assert q.key_text(q.worked().display_options(True, 0)) in out  # the SEED 0 sheet's letters
    assert main(["quiz", "key", "42_nope"]) == 2
    assert "no question bank" in capsys.readouterr().err


def test_committed_schema_is_the_generated_one_and_valid_json_schema(tmp_path):
    """Editors read data/quizzes/bank.schema.json; it is generated from the question types.

    Regenerate it with `tmvlearn quiz schema --out data/quizzes/bank.schema.json`.
    """
    import json

    import jsonschema

    from tmvlearn._resources import data_dir

    committed = (data_dir() / "quizzes" / "bank.schema.json").read_text(encoding="utf-8")
    assert committed == bank_schema_text(), "the committed schema is stale: regenerate it"
    out = tmp_path / "schema.json"
    assert main(["quiz", "schema", "--out", str(out)]) == 0 and out.read_text(encoding="utf-8") == committed
    schema = json.loads(committed)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in bank_paths():
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text()))), path
    # The schema refuses what the loader refuses: an unknown type, a typo, a missing required field.
    good = yaml.safe_load(GOOD)
    assert validator.is_valid(good)
    for edit in (("type", "essay"), ("explaination", "x")):
        bad = yaml.safe_load(GOOD)
        bad["questions"][1][edit[0]] = edit[1]
        assert not validator.is_valid(bad), edit
    bad = yaml.safe_load(GOOD)
    del bad["questions"][0]["explanation"]
    assert not validator.is_valid(bad)


# --- exercises: answers to a lesson's code exercises live in its bank -----------------------

EXERCISE_BANK = """
lesson: 09_demo
title: Demo
objectives: {O1: Count things.}
questions:
  - id: demo-q
    type: true_false
    prompt: Is one less than two?
    answer: true
    explanation: It is.
    source: {document: zhu2021, section: Table 1, refs: [25]}
    objective: O1
    difficulty: 1
exercises:
  - id: demo-count
    type: numeric
    prompt: How many rows does Table 1 have?
    answer: 43
    tolerance: 0
    explanation: Table 1 has 43 printed rows.
    source: {document: zhu2021, section: Table 1, refs: [25]}
    objective: O1
    difficulty: 1
"""


def test_exercises_are_checked_but_kept_out_of_the_quiz(tmp_path):
    from tmvlearn import quiz

    path = tmp_path / "09_demo.yaml"
    path.write_text(EXERCISE_BANK, encoding="utf-8")
    bank = quiz.load_bank(path)
    assert [q.id for q in bank.questions] == ["demo-q"]
    assert bank.exercise("demo-count").check(43).correct
    with pytest.raises(quiz.BankError, match="no exercise 'nope'; its exercises: demo-count"):
        bank.exercise("nope")
    assert "43" in str(quiz.key(bank)), "the instructor key includes exercise answers"


def test_an_exercise_with_a_wrong_key_is_reported(tmp_path):
    from tmvlearn import quiz

    path = tmp_path / "09_demo.yaml"
    path.write_text(EXERCISE_BANK.replace("tolerance: 0", "tolerance: -1"), encoding="utf-8")
    problems = quiz.validate_files([path])
    assert any(p.question == "demo-count" and "tolerance" in p.field for p in problems), problems


def test_check_exercise_feedback(monkeypatch, tmp_path):
    from tmvlearn import quiz
    from tmvlearn.quiz import exercises

    path = tmp_path / "09_demo.yaml"
    path.write_text(EXERCISE_BANK, encoding="utf-8")
    monkeypatch.setattr(exercises, "load_bank", lambda lesson: quiz.load_bank(path))
    assert repr(quiz.check_exercise("09_demo", "demo-count", None)).startswith("… Not answered yet")
    right = quiz.check_exercise("09_demo", "demo-count", 43)
    assert right.correct and repr(right).startswith("✓ Correct. Table 1 has 43")
    wrong = quiz.check_exercise("09_demo", "demo-count", "forty")
    assert not wrong.correct and repr(wrong).startswith("✗ Not yet.")


def test_every_problem_of_a_bank_is_listed_once_and_nothing_else(tmp_path):
    from tmvlearn import quiz

    path = tmp_path / "09_bad.yaml"
    path.write_text("""
lesson: 09_bad
title: Bad
objectives: {O1: Test.}
questions:
  - {id: bad-one, type: single_choice, prompt: Pick., options: [A, B], answer: C, explanation: x,
     source: {document: zhu2021, section: Intro, refs: [1]}, objective: O1, difficulty: 1}
  - {id: bad-two, type: numeric, prompt: N?, answer: 3, tolerance: -1, explanation: x,
     source: {document: zhu2021, section: Intro, refs: [1]}, objective: O2, difficulty: 1}
  - {id: bad-three, type: essay, prompt: Write., explanation: x,
     source: {document: zhu2021, section: Intro, refs: [1]}, objective: O1, difficulty: 1}
""", encoding="utf-8")
    found = {(p.question, p.field, p.message.split(";")[0]) for p in quiz.validate_files([path])}
    assert found == {
        ("bad-one", "answer", "'C' is not among the options"),
        ("bad-two", "tolerance", "-1 is below zero"),
        ("bad-two", "objective", "'O2' is not among the objectives (O1)"),
        ("bad-three", "type", "unknown type 'essay'"),
    }
    assert len(quiz.validate_files([path])) == 4, "each problem once"


def test_a_distractor_that_grades_right_is_reported(tmp_path):
    text = GOOD + textwrap.indent(textwrap.dedent("""\
        - id: demo-three
          type: short_text
          prompt: Name the lipid.
          accepted: [phosphatidylserine]
          wrong_answers: [{answer: Phosphatidylserine, feedback: Think again.}]
          explanation: PS.
          source: {document: zhu2021, section: Introduction, refs: [3]}
          objective: O1
          difficulty: 1
        """), "  ")
    (problem,) = validate_files([write(tmp_path, text)])
    assert problem.question == "demo-three"
    assert "the wrong response 'Phosphatidylserine' grades correct" in problem.message


def test_malformed_entries_still_get_every_check_that_can_run(tmp_path):
    text = GOOD.replace("options: [A, B]", "options: [A, 'yes', 7]").replace("answer: B", "answer: C") + (
        "  - id: Bad_id\n    type: essay\n    prompt: Write.\n")
    found = {(p.question, p.field, p.message.split(" (")[0]) for p in validate_files([write(tmp_path, text)])}
    assert ("demo-one", "options[2]", "Input should be a valid string") in found
    assert ("demo-one", "answer", "'C' is not among the options") in found, "the type's own check still runs"
    assert ("Bad_id", "id", "String should match pattern '^[a-z0-9]+(-[a-z0-9]+)*$'") in found, \
        "common fields are checked even when the type is unknown"
    assert any(p[:2] == ("Bad_id", "type") and "unknown type 'essay'" in p[2] for p in found)
    assert len(found) == len(validate_files([write(tmp_path, text)])), "each problem once"


def test_a_lesson_number_names_its_bank_and_an_ambiguous_one_is_refused():
    assert load_bank("02").lesson == "02_ev_types_isolation"
    with pytest.raises(BankError, match=r"'0' starts \d+ lessons' names .*: give a two-digit number"):
        load_bank("0")
    with pytest.raises(BankError, match="no question bank for lesson '9'"):
        load_bank("9")
