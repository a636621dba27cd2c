"""`tmvlearn lab`: the workspace copy never loses a learner's edits; bad input is one clear line."""

from __future__ import annotations

import json
import socket

import pytest

from tmvlearn import lessons, workspace
from tmvlearn.cli import main


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """Two stand-in lessons in place of the installed ones."""
    folder = tmp_path / "shipped"
    folder.mkdir()
    (folder / "00_start_here.ipynb").write_text('{"v": 1}')
    (folder / "01_biogenesis.ipynb").write_text('{"v": 1}')
    (folder / "README.md").write_text("not a lesson")
    monkeypatch.setattr(lessons, "notebooks_dir", lambda: folder)  # lesson_paths() finds them there
    return folder


def test_first_run_copies_every_lesson(shipped, tmp_path):
    report = workspace.prepare_workspace(tmp_path / "ws")
    assert report.copied == ["00_start_here.ipynb", "01_biogenesis.ipynb"]
    assert (tmp_path / "ws" / "01_biogenesis.ipynb").read_text() == '{"v": 1}'
    assert not (tmp_path / "ws" / "README.md").exists()


def test_edited_lessons_are_never_overwritten_and_untouched_ones_update(shipped, tmp_path):
    ws = tmp_path / "ws"
    workspace.prepare_workspace(ws)
    (ws / "00_start_here.ipynb").write_text('{"my": "answers"}')
    for lesson in shipped.glob("*.ipynb"):
        lesson.write_text('{"v": 2}')

    plain = workspace.prepare_workspace(ws)  # without --update nothing changes
    assert plain.kept_edited == ["00_start_here.ipynb"] and plain.unchanged == ["01_biogenesis.ipynb"]
    assert (ws / "01_biogenesis.ipynb").read_text() == '{"v": 1}'

    report = workspace.prepare_workspace(ws, update=True)
    assert report.updated == ["01_biogenesis.ipynb"]
    assert report.kept_edited == ["00_start_here.ipynb"]
    assert (ws / "00_start_here.ipynb").read_text() == '{"my": "answers"}'
    assert (ws / "01_biogenesis.ipynb").read_text() == '{"v": 2}'
    assert "00_start_here.ipynb" in report.summary() and "edited" in report.summary()


def test_a_lost_manifest_keeps_every_existing_file(shipped, tmp_path):
    ws = tmp_path / "ws"
    workspace.prepare_workspace(ws)
    (ws / workspace.MANIFEST).write_text("{broken")
    (shipped / "00_start_here.ipynb").write_text('{"v": 2}')
    report = workspace.prepare_workspace(ws, update=True)
    assert set(report.kept_edited) == {"00_start_here.ipynb", "01_biogenesis.ipynb"}
    assert (ws / "00_start_here.ipynb").read_text() == '{"v": 1}'
    json.loads((ws / workspace.MANIFEST).read_text())  # rewritten, valid again


def test_an_unwritable_folder_is_one_clear_line_and_exit_2(shipped, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["lab", str(blocker / "ws"), "--prepare-only"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tmvlearn lab: error: cannot write to") and "\n" not in err
    assert blocker.read_text() == "x"


def test_a_port_in_use_is_refused_before_starting(shipped, tmp_path, capsys, monkeypatch):
    started = []
    monkeypatch.setattr(workspace.subprocess, "call", lambda *a, **k: started.append(a) or 0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["lab", str(tmp_path / "ws"), "--no-browser", "--port", str(port)]) == 2
    assert f"port {port} is already in use" in capsys.readouterr().err
    assert not started


def test_missing_jupyterlab_is_reported(shipped, tmp_path, capsys, monkeypatch):
    real = workspace.importlib.util.find_spec
    monkeypatch.setattr(workspace.importlib.util, "find_spec",
                        lambda name: None if name == "jupyterlab" else real(name))
    assert main(["lab", str(tmp_path / "ws")]) == 2
    assert "JupyterLab is not installed" in capsys.readouterr().err


def test_lab_passes_options_through_and_opens_the_first_lesson(shipped, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(workspace.subprocess, "call", lambda cmd, cwd: calls.append((cmd, cwd)) or 0)
    assert main(["lab", str(tmp_path / "ws"), "--no-browser", "--ServerApp.token=abc"]) == 0
    (cmd, cwd), = calls
    assert cmd[1:3] == ["-m", "jupyterlab"]
    assert "--no-browser" in cmd and "--ServerApp.token=abc" in cmd
    assert cmd[-1] == "00_start_here.ipynb" and cwd == (tmp_path / "ws").resolve()


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("tmvlearn ")
    for command in (["--help"], ["lab", "--help"], ["datasets", "--help"]):
        with pytest.raises(SystemExit) as done:
            main(command)
        assert done.value.code == 0
        assert "usage: tmvlearn" in capsys.readouterr().out
