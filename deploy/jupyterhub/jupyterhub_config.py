"""JupyterHub for a tmvlearn course on one server: real system accounts, progress on a course volume.

Run it as root (LocalProcessSpawner starts each learner's server as that learner), from a folder
that keeps the hub's own state (its database and cookie secret), with the Python environment that
has tmvlearn and jupyterhub installed and configurable-http-proxy on PATH:

    cd /srv/jupyterhub && /opt/tmvlearn/bin/jupyterhub -f /path/to/jupyterhub_config.py

What it gives a class (each setting is explained where it is made):

- learners log in with their system password (PAM) or an authenticator of your choice;
- who may log in is two system groups: learners and instructors (instructors are hub admins);
- at every start of a learner's server, ``tmvlearn lab --prepare-only --update`` copies the lessons
  (student edition) into ``~/tmvlearn-workbook``, refreshing untouched ones, never edited ones;
- JupyterLab opens lesson 00 with the offline settings ``tmvlearn lab`` uses (read-only extension
  manager, no news, no update check, no announcements prompt);
- quiz progress goes to ``$TMVLEARN_HOME`` = ``COURSE/<user>``, a folder that only that learner
  and the instructors group can read, so an instructor runs ``tmvlearn results COURSE`` over it.

The course is set by environment variables of the hub process (defaults in brackets):
``TMVLEARN_HUB_URL`` [http://127.0.0.1:8000] where learners connect; ``TMVLEARN_COURSE``
[/srv/tmvlearn-course] the course volume; ``TMVLEARN_LEARNERS_GROUP`` [tmvlearn-learners] and
``TMVLEARN_INSTRUCTORS_GROUP`` [tmvlearn-instructors] the two groups; ``TMVLEARN_HUB_JUPYTER_CONFIG``
[/etc/tmvlearn/jupyter] where the hub writes tmvlearn's JupyterLab page config for the servers.
Any JupyterHub option can still be given on the command line, which wins over this file (the
end-to-end test, tests/test_hub_e2e.py, starts the hub with this file that way: free loopback
ports and a shared test password). docs/classroom.md walks through a set-up;
deploy/jupyterhub/values.yaml is the same course on Kubernetes, kept consistent with this file by
tests/test_hub_config.py.
"""

import grp
import os
import pwd
import sys
from pathlib import Path

from tmvlearn.workspace import OFFLINE_OPTIONS, lab_config_dir

c = get_config()  # noqa: F821 - JupyterHub defines get_config() for the config file it loads

# --- the course ------------------------------------------------------------------------------------
HUB_URL = os.environ.get("TMVLEARN_HUB_URL", "http://127.0.0.1:8000")
COURSE = Path(os.environ.get("TMVLEARN_COURSE", "/srv/tmvlearn-course"))
LEARNERS = os.environ.get("TMVLEARN_LEARNERS_GROUP", "tmvlearn-learners")
INSTRUCTORS = os.environ.get("TMVLEARN_INSTRUCTORS_GROUP", "tmvlearn-instructors")
WORKBOOK = "tmvlearn-workbook"  # each learner's copy of the lessons, in their home folder
#: Run as the learner before their server starts (values.yaml runs the same as its postStart hook).
PREPARE = f"tmvlearn lab --prepare-only --update ~/{WORKBOOK}"
#: tmvlearn's JupyterLab page config, readable by all (kept off the course volume, which holds only
#: progress, so that `tmvlearn results COURSE` reads every file it finds there).
LAB_CONFIG = Path(os.environ.get("TMVLEARN_HUB_JUPYTER_CONFIG", "/etc/tmvlearn/jupyter"))


def _members(group: str) -> set[str]:
    """The user names in a system group (its supplementary members), or none if it does not exist."""
    try:
        return set(grp.getgrnam(group).gr_mem)
    except KeyError:
        print(f"tmvlearn hub: there is no group {group!r}; create it (groupadd {group}) and add "
              f"users to it (usermod -aG {group} NAME), then restart the hub", file=sys.stderr)
        return set()


def _gid(group: str) -> int:
    """The group's id, or -1 (os.chown: leave the group as it is) if it does not exist."""
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        return -1


# --- where the hub listens -------------------------------------------------------------------------
# The public address (configurable-http-proxy): loopback by default; e.g. http://0.0.0.0:8000 behind
# a TLS-terminating web server, or https://... with c.JupyterHub.ssl_cert / ssl_key.
c.JupyterHub.bind_url = HUB_URL
# The hub's own API and the proxy's API stay on loopback (the default ports, named here).
c.JupyterHub.hub_bind_url = "http://127.0.0.1:8081"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:8001"
# Stopping the hub stops every learner's server and the proxy it started (JupyterHub's default).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- who can log in --------------------------------------------------------------------------------
# System passwords through PAM (the hub runs as root, so PAM can check them). For single sign-on,
# install an OAuthenticator and set it here; its user names must be the system account names.
c.JupyterHub.authenticator_class = "pam"
# The roster is the two groups, read when the hub starts (restart it after adding a learner).
_instructors = _members(INSTRUCTORS)
c.Authenticator.allowed_users = _members(LEARNERS) | _instructors
# Instructors are hub admins: they see every server on the admin page.
c.Authenticator.admin_users = _instructors

# --- each learner's server -------------------------------------------------------------------------
# A process of the learner's own system account (it must exist: useradd -m NAME). For containers,
# values.yaml has the same course for KubeSpawner; a container spawner has no system accounts, so
# the course-volume hook below would not apply there (not tried with DockerSpawner).
c.JupyterHub.spawner_class = "localprocess"
# Listen on loopback only: the proxy is the one way in.
c.Spawner.ip = "127.0.0.1"
# Before the server starts: files the learner creates are readable by their group, never by others
# (umask 027: the course folder's group is the instructors, so they can read the progress file);
# the lessons are copied or refreshed; then the server replaces the shell (same process, so the hub
# stops it directly).
c.Spawner.cmd = ["sh", "-c", f'umask 027 && {PREPARE} && exec jupyterhub-singleuser "$@"', "tmvlearn"]
# JupyterLab offline, with the options `tmvlearn lab` passes (tmvlearn.workspace.OFFLINE_OPTIONS).
c.Spawner.args = list(OFFLINE_OPTIONS)
# Open lesson 00 after login.
c.Spawner.default_url = f"/lab/tree/{WORKBOOK}/00_start_here.ipynb"
c.Spawner.environment = {
    # Progress (the progress store, tmvlearn.progress) in the learner's folder on the course volume.
    "TMVLEARN_HOME": lambda spawner: str(COURSE / spawner.user.name),
    # The announcements prompt is off, through tmvlearn's page config (written by the hook below).
    "JUPYTER_CONFIG_PATH": str(LAB_CONFIG),
    # The servers run the Python environment this hub runs in: tmvlearn and jupyterhub-singleuser.
    "PATH": os.pathsep.join([str(Path(sys.prefix) / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
}
# Generous on a small server: the first start copies the lessons and imports JupyterLab.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90


# --- the course volume -----------------------------------------------------------------------------
# COURSE (root:instructors, mode 0751): instructors list it; learners can only pass through to
# their own folder. COURSE/<user> (user:instructors, mode 2750): the learner writes, instructors
# read, nobody else enters; the setgid bit gives every file in it the instructors group.
def _course_folder(spawner) -> None:
    """Before each server starts: make (or repair) the course volume and the learner's folder in it."""
    instructors = _gid(INSTRUCTORS)
    COURSE.mkdir(parents=True, exist_ok=True)
    os.chown(COURSE, 0, instructors)
    COURSE.chmod(0o751)
    lab_config_dir(LAB_CONFIG)  # labconfig/page_config.json: tmvlearn.workspace.DISABLED_PLUGINS off
    for path in (LAB_CONFIG, *LAB_CONFIG.rglob("*")):  # root's, readable by every learner
        path.chmod(0o755 if path.is_dir() else 0o644)
    folder = COURSE / spawner.user.name
    folder.mkdir(mode=0o750, exist_ok=True)
    os.chown(folder, pwd.getpwnam(spawner.user.name).pw_uid, instructors)
    folder.chmod(0o2750)


c.Spawner.pre_spawn_hook = _course_folder
