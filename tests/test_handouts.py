"""Handouts: both editions of every lesson in HTML, one lesson in PDF; offline, and no leaked answers."""

from __future__ import annotations

import html as htmllib
import re
import shutil

import nbformat
import pytest

from tmvlearn import handouts
from tmvlearn.cli import main
from tmvlearn.lessons import lesson_paths
from tmvlearn.quiz import load_bank

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

LESSONS = lesson_paths()
REMOTE = re.compile(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href)"
                    r"\s*=\s*[\"']?(?:https?:)?//", re.I)


def plain(text: str) -> str:
    """Text as a reader sees it: tags, markup characters and spacing removed."""
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\s+", " ", re.sub(r"[*_`$>]", "", text))
    return re.sub(r"\s+(?=[,.;:)])|(?<=\()\s+", "", text).strip().lower()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    files = {}
    for edition in handouts.EDITIONS:
        written = handouts.build_handouts(edition=edition, fmt="html", out=out / edition, report=None)
        files[edition] = {p.stem: p.read_text(encoding="utf-8") for p in written}
    return files


def test_every_lesson_and_a_cover_page_in_both_editions(built):
    for edition in handouts.EDITIONS:
        assert set(built[edition]) == {"index"} | {p.stem for p in LESSONS}
        cover = built[edition]["index"]
        for path in LESSONS:
            assert f'href="{path.stem}.html"' in cover
        assert "10.2147/IJN.S325448" in cover, "the cover cites the sources"


def test_student_files_carry_no_answer_and_instructor_files_every_answer(built):
    for path in LESSONS:
        bank = load_bank(path.stem)
        student = plain(built["student"][path.stem])
        instructor = plain(built["instructor"][path.stem])
        for question in bank.questions + bank.exercises:
            # A question whose numbers vary is printed as its worked variant.
            question = question.worked() if hasattr(question, "worked") else question
            # Explanations, feedback and notes give answers away. Bare answers ("3", a term the
            # lesson itself defines) are checked per question by the quiz rendering tests.
            for secret in [question.explanation, question.note or "", *question.feedback.values()]:
                if len(plain(secret)) >= 20:
                    assert plain(secret) not in student, \
                        f"{path.stem}: {question.id} leaks into the student file"
            answer = question.key_text(question.worked().display_options(True, 0))  # the sheet's letters
            assert plain(answer) in instructor, f"{path.stem}: {question.id} answer missing"
            assert plain(question.explanation) in instructor
        assert "answer key" in instructor and "answer key" not in student
        assert "# solution" not in student, "solution cells are dropped from the student edition"


def test_html_loads_nothing_from_the_network(built):
    for edition, files in built.items():
        for name, text in files.items():
            assert not REMOTE.findall(text), f"{edition}/{name} references a remote resource"
            assert "mathjax" not in text.lower() and "require.js" not in text.lower()


def test_maths_is_prerendered_and_figures_keep_alt_text(built):
    text = "\n".join(built["student"].values())
    assert "<math" in text, "lessons with $...$ maths get MathML"
    for img in re.findall(r"<img\b[^>]*>", text):
        alt = re.search(r'alt="([^"]*)"', img)
        assert alt and len(alt.group(1)) > 20 and "No description" not in alt.group(1)


def test_instructor_cells_only_in_the_instructor_edition():
    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        notes = [c for c in nb.cells if "instructor" in c.metadata.get("tags", [])]
        if notes:
            student = handouts.prepare_lesson(path, "student", execute=False)
            instructor = handouts.prepare_lesson(path, "instructor", execute=False)
            assert not [c for c in student.cells if "instructor" in c.metadata.get("tags", [])]
            kept = [c for c in instructor.cells if "instructor" in c.metadata.get("tags", [])]
            assert len(kept) == len(notes)
            return
    pytest.fail("no lesson has an instructor note")


@pytest.mark.skipif(not any(shutil.which(n) for n in handouts.CHROMIUM_NAMES), reason="needs Chromium")
def test_one_lesson_as_pdf_has_pages_and_its_headings(tmp_path, capsys):
    pypdf = pytest.importorskip("pypdf")
    lesson = LESSONS[1]
    assert main(["handouts", lesson.stem[:2], "--format", "pdf", "--out", str(tmp_path)]) == 0
    assert "[1/1]" in capsys.readouterr().out, "a progress line per lesson"
    reader = pypdf.PdfReader(tmp_path / f"{lesson.stem}.pdf")
    assert len(reader.pages) >= 2
    text = re.sub(r"\s+", "", " ".join(page.extract_text() for page in reader.pages)).lower()
    nb = nbformat.read(lesson, as_version=4)
    headings = [line.lstrip("#").strip() for cell in nb.cells if cell.cell_type == "markdown"
                and not {"instructor", "solution"} & set(cell.metadata.get("tags", []))
                for line in cell.source.splitlines() if re.match(r"#{1,2} ", line)]
    assert headings
    for heading in headings:
        assert re.sub(r"[\s*_`$]", "", heading).lower() in text, heading
    assert "page1of" in text, "pages are numbered"
    assert (tmp_path / "index.pdf").exists()


def test_a_failing_lesson_names_the_lesson_and_cell(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "notebooks"
    broken.mkdir()
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    params = nbformat.v4.new_code_cell("INTERACTIVE = True")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Lesson 0: Broken"), params,
                nbformat.v4.new_code_cell("x = 1\n1 / 0")]
    nbformat.write(nb, broken / "00_broken.ipynb")
    monkeypatch.setattr("tmvlearn.lessons.notebooks_dir", lambda: broken)
    assert main(["handouts", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "lesson 00_broken failed to execute at cell 3 ('x = 1'): ZeroDivisionError" in err


def test_pdf_without_chromium_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(handouts.shutil, "which", lambda name: None)
    monkeypatch.delenv("TMVLEARN_CHROMIUM", raising=False)
    assert main(["handouts", "00", "--format", "pdf", "--out", str(tmp_path)]) == 1
    assert "apt-get install chromium" in capsys.readouterr().err
    assert not list(tmp_path.iterdir()), "nothing is built before the check"


# --- a build tells the truth --------------------------------------------------------------------

HAS_CHROMIUM = any(shutil.which(n) for n in handouts.CHROMIUM_NAMES)


def _tiny_lessons(tmp_path, monkeypatch, *cells: str):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    params = nbformat.v4.new_code_cell("INTERACTIVE = True")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Lesson 0: Tiny"), params,
                *(nbformat.v4.new_code_cell(c) for c in cells)]
    nbformat.write(nb, folder / "00_tiny.ipynb")
    monkeypatch.setattr("tmvlearn.lessons.notebooks_dir", lambda: folder)
    return folder


def test_a_cell_that_never_ends_times_out_where_it_is(tmp_path, monkeypatch, capsys):
    _tiny_lessons(tmp_path, monkeypatch, "x = 1", "import time\nwhile True:\n    time.sleep(1)")
    assert main(["handouts", "--timeout", "5", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tmvlearn handouts: error: lesson 00_tiny timed out after 5 s at cell 4 ('import "
                          "time')"), err
    assert "KeyboardInterrupt" not in err and err.count("\n") == 1
    assert not [p for p in (tmp_path / "out").iterdir()], "nothing written for a lesson that did not finish"


def test_an_unusable_out_folder_is_found_before_any_lesson_runs(tmp_path, monkeypatch, capsys):
    def must_not_run(*args, **kwargs):
        raise AssertionError("a lesson ran before --out was checked")

    monkeypatch.setattr(handouts, "prepare_lesson", must_not_run)
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    assert main(["handouts", "00", "--out", str(blocker)]) == 1
    assert "cannot use" in capsys.readouterr().err and blocker.read_text() == "in the way"
    assert main(["handouts", "00", "--out", str(blocker / "inside")]) == 1
    assert "cannot create the output folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:  # argparse: usage and one error line
        main(["handouts", "00", "--timeout", "0", "--out", str(tmp_path / "x")])
    assert done.value.code == 2 and "positive number of seconds, not '0'" in capsys.readouterr().err


def _fake_chromium(tmp_path, body: str) -> str:
    script = tmp_path / "fake-chromium"
    script.write_text("#!/bin/sh\n" + body + "\nexit 0\n")
    script.chmod(0o755)
    return str(script)


def test_a_chromium_that_exits_0_without_a_pdf_is_an_error_and_the_old_file_stays(tmp_path, monkeypatch,
                                                                                    capsys):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / f"{LESSONS[0].stem}.pdf"
    stale.write_bytes(b"%PDF-1.4 stale instructor edition with the answers")
    monkeypatch.setenv("TMVLEARN_CHROMIUM", _fake_chromium(tmp_path, "echo 'cannot write' >&2"))
    assert main(["handouts", "00", "--format", "pdf", "--no-execute", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"Chromium could not print {stale.name} (exit code 0; cannot write); nothing was replaced" in err
    assert stale.read_bytes().startswith(b"%PDF-1.4 stale"), "the old file is untouched"
    # a "PDF" that pypdf cannot open is caught too
    monkeypatch.setenv("TMVLEARN_CHROMIUM", _fake_chromium(
        tmp_path, 'for a in "$@"; do case "$a" in --print-to-pdf=*) echo garbage > "${a#--print-to-pdf=}";; '
                  "esac; done"))
    assert main(["handouts", "00", "--format", "pdf", "--no-execute", "--out", str(out)]) == 1
    assert "is not a readable PDF" in capsys.readouterr().err
    assert stale.read_bytes().startswith(b"%PDF-1.4 stale")
    assert sorted(p.name for p in out.iterdir()) == [stale.name], "no temporary file left"


@pytest.mark.skipif(not HAS_CHROMIUM, reason="needs Chromium")
def test_a_stale_read_only_instructor_pdf_is_replaced_by_a_checked_student_edition(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "out"
    out.mkdir()
    page = tmp_path / "stale.html"
    page.write_text("<h1>Instructor edition</h1><h2>Answer key</h2><p>1. False</p>", encoding="utf-8")
    stale = out / f"{LESSONS[0].stem}.pdf"
    handouts.html_to_pdf(page, stale, edition="instructor")
    stale.chmod(0o444)  # a file that cannot be written in place (as Chromium would try)
    written = handouts.build_handouts(["00"], edition="student", fmt="pdf", out=out, execute=False,
                                      report=None)
    assert stale in written
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(stale).pages)
    assert "Student edition" in text and "Answer key" not in text
