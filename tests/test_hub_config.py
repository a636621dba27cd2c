"""The two class configurations agree: deploy/jupyterhub/jupyterhub_config.py (one server, run end to
end by tests/test_hub_e2e.py) and the Zero to JupyterHub values.yaml beside it (Kubernetes).

Each setting both make is compared: JupyterLab's offline options (and that they are the ones
``tmvlearn lab`` uses), the page opened after login, the command that prepares the workspace, the
page config that turns the announcements prompt off, and where progress is kept. The local file's
hook that makes the course volume is run too (as root), and its modes checked.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from tmvlearn.workspace import DISABLED_PLUGINS, OFFLINE_OPTIONS, lab_config_dir

DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "jupyterhub"
traitlets_config = pytest.importorskip("traitlets.config")


def _local(monkeypatch, **env) -> tuple[object, dict]:
    """The local configuration as JupyterHub loads it: (its config object, the file's names)."""
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    config = traitlets_config.Config()
    namespace = {"get_config": lambda: config, "__file__": str(DEPLOY / "jupyterhub_config.py")}
    exec(compile((DEPLOY / "jupyterhub_config.py").read_text(), "jupyterhub_config.py", "exec"), namespace)
    return config, namespace


@pytest.fixture
def values() -> dict:
    return yaml.safe_load((DEPLOY / "values.yaml").read_text())


def test_offline_options_are_tmvlearn_labs_in_both(monkeypatch, values):
    c, _ = _local(monkeypatch)
    assert list(c.Spawner.args) == list(OFFLINE_OPTIONS)
    assert values["hub"]["config"]["KubeSpawner"]["args"] == list(OFFLINE_OPTIONS)


def test_same_first_page_and_workspace_preparation(monkeypatch, values):
    c, names = _local(monkeypatch)
    single = values["singleuser"]
    assert c.Spawner.default_url == single["defaultUrl"] == "/lab/tree/tmvlearn-workbook/00_start_here.ipynb"
    assert names["PREPARE"] == "tmvlearn lab --prepare-only --update ~/tmvlearn-workbook"
    shell, flag, script, *_ = c.Spawner.cmd
    assert (shell, flag) == ("sh", "-c") and f"&& {names['PREPARE']} && exec jupyterhub-singleuser" in script
    assert single["lifecycleHooks"]["postStart"]["exec"]["command"] == ["sh", "-c", names["PREPARE"]]


def test_same_page_config_turns_the_announcements_off(monkeypatch, values, tmp_path):
    c, names = _local(monkeypatch)
    single = values["singleuser"]
    assert single["extraEnv"]["JUPYTER_CONFIG_PATH"] == "/etc/tmvlearn/jupyter"
    assert c.Spawner.environment["JUPYTER_CONFIG_PATH"] == str(names["LAB_CONFIG"]) == "/etc/tmvlearn/jupyter"
    page = single["extraFiles"]["tmvlearn-page-config"]
    assert page["mountPath"] == "/etc/tmvlearn/jupyter/labconfig/page_config.json"
    written = json.loads((lab_config_dir(tmp_path) / "labconfig" / "page_config.json").read_text())
    assert page["data"] == written == {"disabledExtensions": {p: True for p in DISABLED_PLUGINS}}


def test_progress_goes_to_the_learners_own_folder_of_the_course_volume(monkeypatch, values):
    c, _ = _local(monkeypatch, TMVLEARN_COURSE="/srv/course")
    learner = SimpleNamespace(user=SimpleNamespace(name="ann"))
    assert c.Spawner.environment["TMVLEARN_HOME"](learner) == "/srv/course/ann"
    single = values["singleuser"]
    assert set(single["extraEnv"]) <= set(c.Spawner.environment), "no setting only Kubernetes makes"
    home = single["extraEnv"]["TMVLEARN_HOME"]
    (volume,) = single["storage"]["extraVolumes"]
    mounts = [m for m in single["storage"]["extraVolumeMounts"] if m["name"] == volume["name"]]
    assert mounts == [{"name": volume["name"], "mountPath": home, "subPath": "{username}"}], \
        "each pod mounts only its learner's folder, at TMVLEARN_HOME"
    (init,) = single["initContainers"]
    (init_mount,) = init["volumeMounts"]
    assert (init_mount["name"], init_mount["subPath"]) == (volume["name"], "{username}")
    assert init_mount["mountPath"] in init["command"][-1], "the init container prepares that folder"


def test_the_roster_is_the_two_groups(monkeypatch):
    import grp

    group = grp.getgrgid(os.getgid()).gr_name
    c, _ = _local(monkeypatch, TMVLEARN_LEARNERS_GROUP=group, TMVLEARN_INSTRUCTORS_GROUP="no-such-group-tmv")
    assert c.Authenticator.allowed_users == set(grp.getgrnam(group).gr_mem)
    assert c.Authenticator.admin_users == set()
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000", "loopback unless told otherwise"
    assert c.Spawner.ip == "127.0.0.1"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="the hook chowns, as the hub (root) does")
def test_the_spawn_hook_makes_a_folder_only_its_learner_and_the_instructors_read(monkeypatch, tmp_path):
    import pwd

    me = pwd.getpwuid(os.getuid()).pw_name
    course, lab = tmp_path / "course", tmp_path / "lab"
    c, _ = _local(monkeypatch, TMVLEARN_COURSE=course, TMVLEARN_HUB_JUPYTER_CONFIG=lab)
    c.Spawner.pre_spawn_hook(SimpleNamespace(user=SimpleNamespace(name=me)))
    c.Spawner.pre_spawn_hook(SimpleNamespace(user=SimpleNamespace(name=me)))  # again: repairs, no error
    assert stat.S_IMODE(course.stat().st_mode) == 0o751
    assert stat.S_IMODE((course / me).stat().st_mode) == 0o2750
    page = lab / "labconfig" / "page_config.json"
    assert stat.S_IMODE(page.stat().st_mode) == 0o644
    assert set(json.loads(page.read_text())["disabledExtensions"]) == set(DISABLED_PLUGINS)
    assert sorted(p.name for p in course.iterdir()) == [me], "nothing but progress folders on the volume"
