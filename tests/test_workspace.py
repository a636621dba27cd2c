"""`tmvlearn lab`: the student gets the student edition; the workspace copy never loses a learner's
edits, and only source changes count as edits; bad input is one clear line and exit 2."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tmvlearn import lessons, workspace
from tmvlearn.cli import main


def notebook(version: int, *, instructor_note: str = "Misconception to catch: ...") -> dict:
    """A small lesson: an instructor note, an exercise, a collapsed solution with stored output."""
    def cell(kind, source, tags=(), **extra):
        c = {"cell_type": kind, "id": hashlib.sha1(source.encode()).hexdigest()[:8], "metadata": {},
             "source": source}
        if tags:
            c["metadata"]["tags"] = list(tags)
        if kind == "code":
            c.update(execution_count=extra.pop("count", 1), outputs=extra.pop("outputs", []))
        c["metadata"].update(extra)
        return c

    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                        "language": "python"}},
            "cells": [cell("markdown", f"# Lesson (version {version})"),
                      cell("markdown", f"**Instructor note.** {instructor_note}", ["instructor"]),
                      cell("code", "answer = None  # replace None", count=1),
                      cell("code", "# Solution\nprint(42)", ["solution"], count=2,
                           jupyter={"source_hidden": True},
                           outputs=[{"output_type": "stream", "name": "stdout", "text": "42\n"}])]}


def write(path, nb) -> None:
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """Two stand-in lessons in place of the installed ones."""
    folder = tmp_path / "shipped"
    folder.mkdir()
    write(folder / "00_start_here.ipynb", notebook(1))
    write(folder / "01_biogenesis.ipynb", notebook(1))
    (folder / "README.md").write_text("not a lesson")
    monkeypatch.setattr(lessons, "notebooks_dir", lambda: folder)  # lesson_paths() finds them there
    return folder


def read(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def sources(nb) -> list[str]:
    return [c["source"] for c in nb["cells"]]


def test_first_run_copies_the_student_edition(shipped, tmp_path):
    report = workspace.prepare_workspace(tmp_path / "ws")
    assert report.copied == ["00_start_here.ipynb", "01_biogenesis.ipynb"] and report.edition == "student"
    copy = read(tmp_path / "ws" / "01_biogenesis.ipynb")
    assert not any("instructor" in c["metadata"].get("tags", []) for c in copy["cells"])
    assert "Misconception" not in json.dumps(copy), "no instructor notes"
    (solution,) = [c for c in copy["cells"] if "solution" in c["metadata"].get("tags", [])]
    assert solution["outputs"] == [] and solution["execution_count"] is None, "no stored solution output"
    assert solution["source"].startswith("# Solution") and solution["metadata"]["jupyter"]["source_hidden"]
    assert copy["metadata"] == read(shipped / "01_biogenesis.ipynb")["metadata"]
    original = read(shipped / "01_biogenesis.ipynb")["cells"]
    assert [c["id"] for c in copy["cells"]] == [c["id"] for c in original
                                                 if "instructor" not in c["metadata"].get("tags", [])]
    assert not (tmp_path / "ws" / "README.md").exists()


def test_instructor_flag_copies_the_full_lessons(shipped, tmp_path, capsys):
    assert main(["lab", str(tmp_path / "ws"), "--instructor", "--prepare-only"]) == 0
    assert "instructor edition" in capsys.readouterr().out
    for lesson in shipped.glob("*.ipynb"):
        assert (tmp_path / "ws" / lesson.name).read_bytes() == lesson.read_bytes()


def test_the_shipped_lessons_student_edition_drops_every_instructor_cell_and_solution_output():
    shipped = lessons.lesson_paths()
    for path in shipped:
        nb = read(path)
        student = workspace.edition_of(nb, "student")
        tags = [set(c["metadata"].get("tags", [])) for c in student["cells"]]
        assert not any("instructor" in t for t in tags), path.name
        assert all(c["outputs"] == [] for c, t in zip(student["cells"], tags, strict=True) if "solution" in t)
        assert "Instructor note" not in json.dumps(student), path.name
        assert len(student["cells"]) < len(nb["cells"]), path.name


def test_opening_running_and_autosaving_is_not_an_edit(shipped, tmp_path):
    ws = tmp_path / "ws"
    workspace.prepare_workspace(ws)
    lesson = ws / "00_start_here.ipynb"
    nb = read(lesson)
    # what JupyterLab does: another kernel display name, language info, outputs and counts, cell metadata
    nb["metadata"]["kernelspec"]["display_name"] = "Python 3"
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.2"}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
            cell["execution_count"] = 7
            cell["metadata"]["scrolled"] = True
    write(lesson, nb)
    write(shipped / "00_start_here.ipynb", notebook(2))
    report = workspace.prepare_workspace(ws, update=True)
    assert report.updated == ["00_start_here.ipynb"] and not report.kept_edited
    assert "version 2" in sources(read(lesson))[0]


def test_edited_lessons_are_never_overwritten_and_untouched_ones_update(shipped, tmp_path):
    ws = tmp_path / "ws"
    workspace.prepare_workspace(ws)
    edited = read(ws / "00_start_here.ipynb")
    edited["cells"][1]["source"] = "answer = 5  # my answer"
    write(ws / "00_start_here.ipynb", edited)
    for lesson in shipped.glob("*.ipynb"):
        write(lesson, notebook(2))

    plain = workspace.prepare_workspace(ws)  # without --update nothing changes, and it says so
    assert plain.kept_edited == ["00_start_here.ipynb"] and plain.newer_available == ["01_biogenesis.ipynb"]
    assert "version 1" in sources(read(ws / "01_biogenesis.ipynb"))[0]
    summary = plain.summary()
    assert "newer version" in summary and "tmvlearn lab --update" in summary
    assert "up to date" not in summary

    report = workspace.prepare_workspace(ws, update=True)
    assert report.updated == ["01_biogenesis.ipynb"] and report.kept_edited == ["00_start_here.ipynb"]
    assert "answer = 5  # my answer" in sources(read(ws / "00_start_here.ipynb"))
    assert "version 2" in sources(read(ws / "01_biogenesis.ipynb"))[0]
    assert "00_start_here.ipynb" in report.summary() and "edited" in report.summary()
    again = workspace.prepare_workspace(ws, update=True)  # the record keeps the edit known as an edit
    assert again.kept_edited == ["00_start_here.ipynb"] and again.unchanged == ["01_biogenesis.ipynb"]


@pytest.mark.parametrize("damage", ["{broken", "missing", '{"00_start_here.ipynb": "abc"}'])
def test_a_lost_manifest_is_rebuilt_from_content_without_blaming_the_learner(shipped, tmp_path, damage):
    ws = tmp_path / "ws"
    workspace.prepare_workspace(ws)
    record = ws / workspace.MANIFEST
    if damage == "missing":
        record.unlink()
    else:
        record.write_text(damage)  # damaged, or the old format (a digest of the file's bytes)
    report = workspace.prepare_workspace(ws)
    assert report.unchanged == ["00_start_here.ipynb", "01_biogenesis.ipynb"] and report.rebuilt_record
    assert not report.kept_edited and "edited by you" not in report.summary()
    assert "rebuilt" in report.summary()
    assert json.loads(record.read_text())["format"] == workspace.MANIFEST_FORMAT

    changed = read(ws / "01_biogenesis.ipynb")  # a change tmvlearn cannot attribute, once the record is lost
    changed["cells"][1]["source"] = "answer = 3"
    write(ws / "01_biogenesis.ipynb", changed)
    record.unlink()
    report = workspace.prepare_workspace(ws, update=True)
    assert report.unrecognised == ["01_biogenesis.ipynb"] and not report.kept_edited
    assert "answer = 3" in sources(read(ws / "01_biogenesis.ipynb"))
    assert "edited by you" not in report.summary() and "01_biogenesis.ipynb" in report.summary()


def test_switching_edition_is_offered_not_forced(shipped, tmp_path):
    ws = tmp_path / "ws"
    workspace.prepare_workspace(ws)
    report = workspace.prepare_workspace(ws, edition="instructor")
    assert report.other_edition == ["00_start_here.ipynb", "01_biogenesis.ipynb"]
    assert "--instructor --update" in report.summary()
    workspace.prepare_workspace(ws, edition="instructor", update=True)
    assert "Misconception" in (ws / "01_biogenesis.ipynb").read_text()


# --- bad input: one line, exit 2 ----------------------------------------------------------------

def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("tmvlearn lab: error: ") and "\n" not in err, err
    assert "Traceback" not in err
    return err


def test_an_unwritable_folder_is_one_clear_line_and_exit_2(shipped, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["lab", str(blocker / "ws"), "--prepare-only"]) == 2
    assert "cannot write to" in one_line_error(capsys)
    assert blocker.read_text() == "x"


def test_a_lesson_or_a_record_that_is_a_folder_is_one_line(shipped, tmp_path, capsys):
    ws = tmp_path / "ws"
    (ws / "01_biogenesis.ipynb").mkdir(parents=True)
    assert main(["lab", str(ws), "--prepare-only"]) == 2
    assert "01_biogenesis.ipynb is a folder" in one_line_error(capsys)
    shutil.rmtree(ws)
    (ws / workspace.MANIFEST).mkdir(parents=True)
    assert main(["lab", str(ws), "--prepare-only"]) == 2
    assert "workspace record" in one_line_error(capsys)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_an_unreadable_lesson_is_one_line(shipped):
    root = tempfile.mkdtemp(prefix="tmvlearn-perm-")  # outside pytest's private (0700) folders
    try:
        os.chmod(root, 0o755)
        here = shutil.copytree(shipped, os.path.join(root, "shipped"))
        ws = os.path.join(root, "ws")
        code = ("import sys; from pathlib import Path; from tmvlearn import lessons; "
                f"lessons.notebooks_dir = lambda: Path({here!r}); "
                "from tmvlearn.cli import main; sys.exit(main(sys.argv[1:]))")
        command = [sys.executable, "-c", code, "lab", ws, "--prepare-only"]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        assert main(["lab", ws, "--prepare-only"]) == 0  # in this process: only the read below needs another
        os.chmod(ws, 0o777)
        lesson = os.path.join(ws, "00_start_here.ipynb")
        os.chmod(lesson, 0)
        if os.geteuid() == 0:  # root reads anything: run as nobody
            if not shutil.which("setpriv"):
                pytest.skip("running as root without setpriv to drop privileges")
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 2, done.stderr
        err = done.stderr.strip()
        assert err.startswith("tmvlearn lab: error: cannot read") and "\n" not in err, err
        assert "00_start_here.ipynb" in err and "Permission denied" in err
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("port", ["99999", "0", "x", "-5"])
def test_a_bad_port_is_one_line_and_exit_2(shipped, tmp_path, capsys, monkeypatch, port):
    monkeypatch.setattr(workspace, "run_lab", lambda *a, **k: pytest.fail("JupyterLab was started"))
    assert main(["lab", str(tmp_path / "ws"), "--no-browser", f"--port={port}"]) == 2
    assert "--port" in one_line_error(capsys)
    assert not (tmp_path / "ws").exists(), "nothing is copied for a command that cannot run"


def test_a_bad_passed_through_port_is_one_line(shipped, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(workspace, "run_lab", lambda *a, **k: pytest.fail("JupyterLab was started"))
    assert main(["lab", str(tmp_path / "ws"), "--ServerApp.port=70000"]) == 2
    err = one_line_error(capsys)
    assert "65535" in err and "70000" in err


def test_a_port_in_use_is_refused_before_starting(shipped, tmp_path, capsys, monkeypatch):
    started = []
    monkeypatch.setattr(workspace, "run_lab", lambda *a, **k: started.append(a) or 0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["lab", str(tmp_path / "ws"), "--no-browser", "--port", str(port)]) == 2
    assert f"port {port} is already in use" in one_line_error(capsys)
    assert not started


def test_missing_jupyterlab_is_reported(shipped, tmp_path, capsys, monkeypatch):
    real = workspace.importlib.util.find_spec
    monkeypatch.setattr(workspace.importlib.util, "find_spec",
                        lambda name: None if name == "jupyterlab" else real(name))
    assert main(["lab", str(tmp_path / "ws")]) == 2
    assert "JupyterLab is not installed" in one_line_error(capsys)


def test_root_outside_a_container_is_told_what_to_add(shipped, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(workspace.os, "geteuid", lambda: 0)
    monkeypatch.setattr(workspace, "in_container", lambda: False)
    monkeypatch.setattr(workspace, "run_lab", lambda *a, **k: pytest.fail("JupyterLab was started"))
    assert main(["lab", str(tmp_path / "ws"), "--no-browser"]) == 2
    assert "--allow-root" in one_line_error(capsys)
    calls = []
    monkeypatch.setattr(workspace, "run_lab", lambda cmd, cwd, env=None: calls.append(cmd) or 0)
    assert main(["lab", str(tmp_path / "ws"), "--no-browser", "--allow-root"]) == 0
    assert "--allow-root" in calls[-1]


def test_root_inside_a_container_adds_allow_root_itself(shipped, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(workspace.os, "geteuid", lambda: 0)
    monkeypatch.setattr(workspace, "in_container", lambda: True)
    calls = []
    monkeypatch.setattr(workspace, "run_lab", lambda cmd, cwd, env=None: calls.append(cmd) or 0)
    assert main(["lab", str(tmp_path / "ws"), "--no-browser"]) == 0
    assert "--allow-root" in calls[0]
    assert "inside a container" in capsys.readouterr().out


def test_lab_is_offline_passes_options_through_and_opens_the_first_lesson(shipped, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(workspace, "run_lab", lambda cmd, cwd, env=None: calls.append((cmd, cwd, env)) or 0)
    assert main(["lab", str(tmp_path / "ws"), "--no-browser", "--ServerApp.token=abc"]) == 0
    (cmd, cwd, env), = calls
    assert cmd[1:3] == ["-m", "jupyterlab"]
    config = env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0]  # (removed once JupyterLab stops)
    assert config.startswith(os.path.join(tempfile.gettempdir(), "tmvlearn-lab-config-"))
    assert "--no-browser" in cmd and "--ServerApp.token=abc" in cmd
    for option in ("--LabApp.extension_manager=readonly", "--LabApp.news_url=None",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"):
        assert option in cmd, option
    assert cmd[-1] == "00_start_here.ipynb" and cwd == (tmp_path / "ws").resolve()


def test_the_lab_config_turns_off_the_announcements_plugin(tmp_path):
    folder = workspace.lab_config_dir(tmp_path)
    page = json.loads((folder / "labconfig" / "page_config.json").read_text())
    assert page == {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
    env = workspace.lab_environment(folder, {"JUPYTER_CONFIG_PATH": "/etc/mine", "PATH": "/bin"})
    assert env["JUPYTER_CONFIG_PATH"] == os.pathsep.join([str(folder), "/etc/mine"])
    # the tmvlearn that started the lab comes first, even from a virtual environment not activated
    assert env["PATH"] == os.pathsep.join([str(Path(sys.executable).parent), "/bin"])
    again = workspace.lab_environment(folder, env)
    assert again["PATH"] == env["PATH"], "added once only"


def test_lab_terminals_are_not_login_shells_so_path_survives(tmp_path, monkeypatch):
    """A login shell's /etc/profile resets PATH, and the terminal then cannot find `tmvlearn`."""
    monkeypatch.setenv("SHELL", "/bin/bash")
    folder = workspace.lab_config_dir(tmp_path)
    server = json.loads((folder / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["terminado_settings"]["shell_command"] == ["/bin/bash"]


def test_each_workspace_folder_keeps_its_own_jupyterlab_state(shipped, tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTERLAB_WORKSPACES_DIR", raising=False)
    calls = []
    monkeypatch.setattr(workspace, "run_lab", lambda cmd, cwd, env=None: calls.append(cmd) or 0)
    for name in ("one", "two"):
        assert main(["lab", str(tmp_path / name), "--no-browser"]) == 0
    dirs = [next(o for o in cmd if o.startswith("--LabApp.workspaces_dir=")).split("=", 1)[1]
            for cmd in calls]
    assert dirs == [str((tmp_path / n).resolve() / workspace.LAB_STATE_DIR) for n in ("one", "two")]
    assert workspace.LAB_STATE_DIR.startswith("."), "hidden from the learner's file browser"
    calls.clear()
    assert main(["lab", str(tmp_path / "one"), "--LabApp.workspaces_dir=/mine"]) == 0
    assert [o for o in calls[0] if "workspaces_dir" in o] == ["--LabApp.workspaces_dir=/mine"]


def test_the_start_page_is_the_lesson_so_no_browser_prints_its_url(shipped, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(workspace, "run_lab", lambda cmd, cwd, env=None: calls.append(cmd) or 0)
    assert main(["lab", str(tmp_path / "ws"), "--no-browser"]) == 0
    assert "--LabApp.default_url=/lab/tree/00_start_here.ipynb" in calls[-1]
    assert main(["lab", str(tmp_path / "ws"), "--no-browser", "01_biogenesis.ipynb"]) == 0
    assert "--LabApp.default_url=/lab/tree/01_biogenesis.ipynb" in calls[-1]


def test_a_port_left_in_time_wait_by_a_stopped_lab_is_accepted(shipped, tmp_path, monkeypatch):
    """JupyterLab binds with SO_REUSEADDR: a port whose only sockets are in TIME-WAIT is free to it."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado's bind_sockets does
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    served.close()  # the server side closes first: its end, on `port`, goes to TIME-WAIT
    client.close()
    listener.close()
    plain = socket.socket()
    try:
        plain.bind(("127.0.0.1", port))
        pytest.skip("this kernel left no TIME-WAIT socket on the port")
    except OSError:
        pass
    finally:
        plain.close()
    calls = []
    monkeypatch.setattr(workspace, "run_lab", lambda cmd, cwd, env=None: calls.append(cmd) or 0)
    assert main(["lab", str(tmp_path / "ws"), "--no-browser", "--port", str(port)]) == 0
    assert f"--port={port}" in calls[0]


def test_a_tmvlearn_error_in_a_notebook_shows_its_message_without_library_frames():
    """IPython shows an exception's `_render_traceback_` in place of the traceback."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    with capture_output() as shown:
        shell.run_cell("from tmvlearn.lessons import check_parameters\ncheck_parameters(-1, 'test', False)")
    text = shown.stdout + shown.stderr
    assert "ParameterError: lesson parameter SEED must be a whole number of 0 or more" in text
    assert "Traceback" not in text and "lessons.py" not in text and "raise" not in text


def test_a_lesson_to_open_that_is_not_there_is_one_line(shipped, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(workspace, "run_lab", lambda *a, **k: pytest.fail("JupyterLab was started"))
    assert main(["lab", str(tmp_path / "ws"), "--no-browser", "09_nothing.ipynb"]) == 2
    assert "there is no 09_nothing.ipynb" in one_line_error(capsys)


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("tmvlearn ")
    for command in (["--help"], ["lab", "--help"], ["datasets", "--help"]):
        with pytest.raises(SystemExit) as done:
            main(command)
        assert done.value.code == 0
        assert "usage: tmvlearn" in capsys.readouterr().out


def test_a_saved_lesson_keeps_static_views_not_live_widget_views():
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    rich = {"text/plain": "Quiz", "text/html": "<p>Quiz</p>", lessons.WIDGET_VIEW: view}
    plain = {"text/plain": "Button()", lessons.WIDGET_VIEW: view}
    model = {"type": "notebook", "content": {"cells": [
        {"cell_type": "code", "outputs": [{"output_type": "display_data", "data": dict(rich)},
                                          {"output_type": "display_data", "data": dict(plain)},
                                          {"output_type": "stream", "text": "hi"}]},
        {"cell_type": "markdown", "source": "x"}]}}
    lessons.keep_static_views(model, path="a.ipynb", contents_manager=None)
    outputs = model["content"]["cells"][0]["outputs"]
    assert outputs[0]["data"] == {"text/plain": "Quiz", "text/html": "<p>Quiz</p>"}
    assert outputs[1]["data"] == plain, "a widget with no static version is saved as it is"
    other = {"type": "file", "content": "text"}
    lessons.keep_static_views(other)
    assert other == {"type": "file", "content": "text"}


def test_the_lab_config_saves_lessons_with_static_views(tmp_path):
    folder = workspace.lab_config_dir(tmp_path)
    server = json.loads((folder / "jupyter_server_config.json").read_text())
    hook = server["ContentsManager"]["pre_save_hook"]
    module, name = hook.rsplit(".", 1)
    assert getattr(__import__(module, fromlist=[name]), name) is lessons.keep_static_views


def test_the_lab_config_asks_for_encrypted_kernel_channels_where_jupyter_can(tmp_path, monkeypatch):
    import zmq
    from jupyter_client.manager import KernelManager

    # the cheap check (installed version, libzmq) agrees with what this jupyter_client really offers
    assert workspace.kernel_encryption_available() == (
        bool(zmq.has("curve")) and "transport_encryption" in KernelManager.class_trait_names())
    for available in (True, False):
        monkeypatch.setattr(workspace, "kernel_encryption_available", lambda available=available: available)
        folder = workspace.lab_config_dir(tmp_path / str(available))
        server = json.loads((folder / "jupyter_server_config.json").read_text())
        expected = {"KernelManager": {"transport_encryption": "auto"}} if available else {}
        assert {k: v for k, v in server.items() if k == "KernelManager"} == expected
        assert server["ContentsManager"]["pre_save_hook"] == "tmvlearn.lessons.keep_static_views"
