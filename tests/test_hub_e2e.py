"""A class on a real JupyterHub, end to end: deploy/jupyterhub/jupyterhub_config.py as shipped.

The hub runs that file with configurable-http-proxy on free loopback ports; only the authenticator
is swapped on the command line for JupyterHub's shared-password one (the successor of the dummy
authenticator's password), so the test needs no system passwords. Three learners and one
instructor are real system accounts made for this run with ``useradd`` (and removed with
``userdel -r``); LocalProcessSpawner starts each learner's server as that learner, from the Python
environment this test runs in. With Playwright and Debian's Chromium each learner logs in, finds
lesson 00 in their own workspace, runs it and answers two quiz questions (one right, one wrong).
Then: learner A cannot read learner B's progress file (tried as A), and the instructor account runs
``tmvlearn results COURSE --items`` and sees exactly 3 learners and 6 attempts with the right
scores. Then a live poll (peer instruction): the instructor logs in, opens a notebook with the live
view (``tmvlearn.results.live_poll``) over the course volume and presses "Start round 1"; the three
learners, still in their lessons, answer one question (two right, one wrong) and the instructor's page
shows 3 answers with that spread within 5 s; in round 2 one learner changes their answer and the view
shows the shift beside round 1; the same as a ``--poll --json`` snapshot. The hub is stopped by its
process group; no process of the test's accounts, no proxy and no listening port is left, and every
socket of the hub, proxy, servers and kernels, and every request of the browser, stays on loopback.

It needs root (useradd, and the hub must be root to start servers as other users), Chromium
(apt-get install chromium), setfacl (apt-get install acl) and configurable-http-proxy, which
.ci/run installs from the npm registry into .ci/node (or one on PATH). Outside CI (CI unset) it is
skipped, with the reason, when one is missing; in CI it fails. Figures (login to ready lesson per
learner, peak memory, the time of ``tmvlearn results``) are printed and written to
``test-artifacts/hub/figures.json``.
"""

from __future__ import annotations

import contextlib
import grp
import ipaddress
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import browser_support as bs
import pytest

from tmvlearn.lessons import lesson_paths
from tmvlearn.workspace import DISABLED_PLUGINS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
ARTIFACTS = Path(os.environ.get("TMVLEARN_ARTIFACTS", ROOT / "test-artifacts")) / "hub"
BIN = Path(sys.prefix) / "bin"  # the test's environment: the hub and every server run from it
PROXY_LOCAL = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
PROXY = str(PROXY_LOCAL) if PROXY_LOCAL.exists() else shutil.which("configurable-http-proxy")
PREFIX = "tmvhub"  # every account and group this test makes is named tmvhub-<run>-...
MARK = "tmvlearn hub e2e test"  # ... and its accounts carry this comment, with the pid of the run
LEARNERS = ("ann", "ben", "cai")
LESSON = "00_start_here.ipynb"
RIGHT = ("start-run-keys", r"^Shift\+Enter$")  # (question id, label of the option chosen)
WRONG = ("start-static-switch", r"^False$")  # the statement is true
POLL = "start-pp-scope"  # the live poll's question: true/false, the answer is False
SHOWN_WITHIN_S = 5  # the live view shows the class's answers within this long
TIMEOUT_MS = 120_000  # a login, a spawn, a lesson run: generous on 2 shared cores, but bounded


def _missing() -> list[str]:
    needs = []
    if os.geteuid() != 0:
        needs.append("root (to create the test accounts and start servers as them)")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "runuser", "setfacl", "ss"):
        if not shutil.which(tool):
            package = "acl" if tool == "setfacl" else "passwd util-linux iproute2"
            needs.append(f"{tool} (apt-get install {package})")
    if not bs.CHROMIUM:
        needs.append("Chromium (apt-get install chromium)")
    if not PROXY:
        needs.append("configurable-http-proxy (npm install --prefix .ci/node configurable-http-proxy, "
                     "as .ci/run does)")
    for tool in ("jupyterhub", "jupyterhub-singleuser", "tmvlearn"):
        if not (BIN / tool).exists():
            needs.append(f"{tool} in {BIN} (pip install '.[test]')")
    return needs


if _missing():
    reason = "the JupyterHub end-to-end test needs: " + "; ".join(_missing())
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)
pytest.importorskip("playwright.sync_api")


# --- accounts ---------------------------------------------------------------------------------------

def _run(*command: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120, **kwargs)


def _pids_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _closed_folders() -> list[Path]:
    """The folders above this environment, its interpreter and the checkout that other accounts
    cannot pass through (a venv made by a pyenv Python under /root, mode 700, as here)."""
    bases = (Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent, ROOT)
    folders = {p for base in bases for p in (base, *base.parents)}
    return sorted(f for f in folders if not f.stat().st_mode & stat.S_IXOTH)


def _revoke(folder: Path, name: str) -> None:
    """Remove ``name``'s ACL entry; with no named entry left, the ACL is dropped (as it was)."""
    _run("setfacl", "-x", f"u:{name}", str(folder), check=False)
    entries = _run("getfacl", "-p", "--skip-base", "--omit-header", str(folder), check=False).stdout
    if not re.search(r"^(user|group):[^:]+:", entries, flags=re.M):
        _run("setfacl", "-b", str(folder), check=False)


def _remove_account(name: str) -> None:
    """Kill what is left of a test account's processes (by pid), then delete it and its home."""
    for folder in _closed_folders():
        _revoke(folder, name)
    uid = pwd.getpwnam(name).pw_uid
    for pid in _pids_of(uid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _pids_of(uid) and time.monotonic() < deadline:
        time.sleep(0.1)
    _run("userdel", "-r", name, check=False)  # "mail spool not found" is not a failure


def _remove_leftovers() -> list[str]:
    """Accounts, groups and temporary folders of earlier runs of this test that did not finish
    (the run's pid is gone)."""
    removed = []
    for entry in pwd.getpwall():
        if entry.pw_name.startswith(PREFIX + "-") and entry.pw_gecos.startswith(MARK):
            pid = int(entry.pw_gecos.rpartition("pid=")[2] or 0)
            if pid != os.getpid() and _alive(pid):
                continue  # another run, still going
            _remove_account(entry.pw_name)
            removed.append(entry.pw_name)
    runs_with_accounts = {e.pw_name.split("-")[1] for e in pwd.getpwall()
                          if e.pw_name.startswith(PREFIX + "-")}
    for group in grp.getgrall():
        parts = group.gr_name.split("-")
        if (len(parts) == 3 and parts[0] == PREFIX and parts[2] in ("learners", "instructors")
                and parts[1] not in runs_with_accounts):
            _run("groupdel", group.gr_name, check=False)
            removed.append(group.gr_name)
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}-*-*-*"):
        if folder.name.split("-")[1] not in runs_with_accounts:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    return removed


class Class:
    """The accounts of one run: three learners, one instructor, their two groups."""

    def __init__(self) -> None:
        self.run = secrets.token_hex(2)
        self.learners = [f"{PREFIX}-{self.run}-{who}" for who in LEARNERS]
        self.instructor = f"{PREFIX}-{self.run}-teach"
        self.groups = {"learners": f"{PREFIX}-{self.run}-learners",
                       "instructors": f"{PREFIX}-{self.run}-instructors"}

    @property
    def accounts(self) -> list[str]:
        return [*self.learners, self.instructor]

    def create(self) -> None:
        for group in self.groups.values():
            _run("groupadd", group)
        comment = f"{MARK} pid={os.getpid()}"
        for name in self.learners:
            _run("useradd", "-m", "-s", "/bin/sh", "-c", comment, "-G", self.groups["learners"], name)
        _run("useradd", "-m", "-s", "/bin/sh", "-c", comment, "-G", self.groups["instructors"],
             self.instructor)

    def grant_traversal(self) -> None:
        """Let the test accounts, and only them, pass through :func:`_closed_folders` (an ACL entry
        each, removed with the account), so the hub can start their servers from this environment."""
        for folder in _closed_folders():
            for name in self.accounts:
                _run("setfacl", "-m", f"u:{name}:x", str(folder))

    def remove(self) -> None:
        for name in self.accounts:
            with contextlib.suppress(KeyError):  # never made
                _remove_account(name)
        for group in self.groups.values():
            _run("groupdel", group, check=False)


def _as(user: str, *command: str, cwd: Path | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """``command`` run as ``user`` through runuser, with a plain environment (no TMVLEARN_HOME)."""
    home = pwd.getpwnam(user).pw_dir
    env = {"PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8"}
    if os.environ.get("PYTHONPATH"):  # the code under test, as the hub's servers get it (env_keep)
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run([shutil.which("runuser"), "-u", user, "--", *command], capture_output=True,
                          text=True, env=env, cwd=cwd or home, timeout=timeout)


# --- processes, memory, sockets -------------------------------------------------------------------

def _proc(pid: int) -> dict | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        pgid = os.getpgid(pid)
    except (OSError, ProcessLookupError):
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {"pid": pid, "ppid": int(fields["PPid"]), "uid": int(fields["Uid"].split()[0]), "pgid": pgid,
            "rss_kb": int(fields.get("VmRSS", "0 kB").split()[0]), "cmd": cmdline}


def _all_procs() -> list[dict]:
    return [p for p in (_proc(int(e.name)) for e in Path("/proc").iterdir() if e.name.isdigit()) if p]


class Hub:
    """The hub process and what it started: its proxy, the learners' servers and their kernels."""

    def __init__(self, process: subprocess.Popen, uids: set[int], ports: list[int], base: str) -> None:
        self.process, self.uids, self.ports, self.base = process, uids, ports, base
        self.pgids: set[int] = {process.pid}
        self.peak = {"hub_proxy_servers_kb": 0, "with_kernels_kb": 0}
        self.peak_parts = {"hub": 0, "proxy": 0, "servers": 0, "kernels": 0}  # each part's own peak, kB
        self.idle_kb = 0
        self._stop_sampling = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def parts(self) -> dict[str, list[dict]]:
        procs = _all_procs()
        children = {p["pid"]: p for p in procs}
        hub = children.get(self.process.pid)
        proxy = [p for p in procs if p["ppid"] == self.process.pid and "configurable-http-proxy" in p["cmd"]]
        own = os.getpgrp()  # runuser commands of this test run in its own group: not the hub's
        ours = [p for p in procs if p["uid"] in self.uids and p["pgid"] != own]
        servers = [p for p in ours if "jupyterhub-singleuser" in p["cmd"]]
        kernels = [p for p in ours if "ipykernel" in p["cmd"]]
        return {"hub": [hub] if hub else [], "proxy": proxy, "servers": servers, "kernels": kernels,
                "accounts": ours}

    def _sample(self) -> None:
        while not self._stop_sampling.wait(0.25):
            parts = self.parts()
            for group in parts.values():
                self.pgids.update(p["pgid"] for p in group)
            rss = {k: sum(p["rss_kb"] for p in v) for k, v in parts.items()}
            main = rss["hub"] + rss["proxy"] + rss["servers"]
            self.peak["hub_proxy_servers_kb"] = max(self.peak["hub_proxy_servers_kb"], main)
            self.peak["with_kernels_kb"] = max(self.peak["with_kernels_kb"], main + rss["kernels"])
            for part in self.peak_parts:
                self.peak_parts[part] = max(self.peak_parts[part], rss[part])

    def sockets(self) -> list[tuple[str, str, str]]:
        """(process, local address, peer address) of every TCP/UDP socket of the hub's processes."""
        pids = {p["pid"]: p["cmd"][:60] for group in self.parts().values() for p in group}
        found = []
        for line in _run("ss", "-tunapH").stdout.splitlines():
            fields = line.split()
            for pid in map(int, re.findall(r"pid=(\d+)", line)):
                if pid in pids:
                    found.append((pids[pid], fields[4], fields[5]))
        return found

    def stop(self) -> list[str]:
        """SIGTERM to the hub's process group (it stops the servers and the proxy); then any group
        it started that is still there is stopped too. Returns what had to be stopped that way."""
        self._stop_sampling.set()
        forced = []
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                forced.append(f"hub (pid {self.process.pid})")
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        groups = self.pgids - {self.process.pid, os.getpgrp()}
        deadline = time.monotonic() + 15  # a kernel whose server has gone exits within seconds
        while any(p["pgid"] in groups for p in _all_procs()) and time.monotonic() < deadline:
            time.sleep(0.25)
        for pgid in sorted(groups):
            left = [p for p in _all_procs() if p["pgid"] == pgid]
            if left:
                forced += [f"{p['cmd'][:80]} (pid {p['pid']})" for p in left]
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    try:
                        os.killpg(pgid, sig)
                    except ProcessLookupError:
                        break
                    time.sleep(2)
        return forced


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]").split("%")[0]
    if host in ("*", "0.0.0.0", "::"):
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- fixtures ---------------------------------------------------------------------------------------

@contextlib.contextmanager
def _course():
    """The accounts, a course volume and a state folder; all removed at the end, whatever happened."""
    leftovers = _remove_leftovers()
    people = Class()
    temp = f"{PREFIX}-{people.run}"
    volume = Path(tempfile.mkdtemp(prefix=f"{temp}-course-"))  # in /tmp: the accounts can reach it
    state = Path(tempfile.mkdtemp(prefix=f"{temp}-state-"))  # the hub's database and secret
    lab_config = Path(tempfile.mkdtemp(prefix=f"{temp}-jupyterconfig-"))
    lab_config.chmod(0o755)
    try:
        people.create()
        people.grant_traversal()
        probe = _as(people.learners[0], str(BIN / "python"), "-c", "import tmvlearn, jupyterhub.singleuser")
        if probe.returncode:
            pytest.fail(f"the test's environment {sys.prefix} (or the checkout {ROOT}) cannot be used by "
                        f"another account, so the hub could not start a learner's server from it: "
                        f"{probe.stderr.strip()[-400:]}. Install into a folder other accounts can read "
                        "(e.g. not under a home folder with mode 700).", pytrace=False)
        yield {"people": people, "volume": volume, "state": state, "lab_config": lab_config,
               "leftovers": leftovers}
    finally:
        people.remove()
        for folder in (volume, state, lab_config):
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _hub(course):
    """The hub, started with the shipped configuration; stopped at the end, whatever happened."""
    people, volume, state = course["people"], course["volume"], course["state"]
    port, hub_port, api_port = bs.free_ports(3)
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMVLEARN_")}
    env.update(TMVLEARN_HUB_URL=base, TMVLEARN_COURSE=str(volume),
               TMVLEARN_HUB_JUPYTER_CONFIG=str(course["lab_config"]),
               TMVLEARN_LEARNERS_GROUP=people.groups["learners"],
               TMVLEARN_INSTRUCTORS_GROUP=people.groups["instructors"],
               PATH=os.pathsep.join([str(Path(PROXY).parent), str(BIN), env.get("PATH", "/usr/bin:/bin")]))
    password, admin_password = secrets.token_urlsafe(12), secrets.token_urlsafe(32)
    command = [str(BIN / "jupyterhub"), "-f", str(CONFIG),
               "--JupyterHub.authenticator_class=shared-password",
               f"--SharedPasswordAuthenticator.user_password={password}",
               f"--SharedPasswordAuthenticator.admin_password={admin_password}",
               f"--JupyterHub.hub_bind_url=http://127.0.0.1:{hub_port}",
               f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{api_port}"]
    log_path = state / "hub.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    uids = {pwd.getpwnam(n).pw_uid for n in people.accounts}
    running = Hub(process, uids, [port, hub_port, api_port], base)
    running.log, running.password, running.admin_password = log_path, password, admin_password
    try:
        started, deadline = time.perf_counter(), time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/hub/api/", timeout=2):  # through the proxy
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the hub did not start:\n" + log_path.read_text()[-3000:], pytrace=False)
                time.sleep(0.2)
        running.start_s = time.perf_counter() - started
        time.sleep(1)
        running.idle_kb = running.peak["hub_proxy_servers_kb"]
        yield running
    finally:
        running.stop()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log_path, ARTIFACTS / "hub.log")


@pytest.fixture(scope="module")
def course():
    with _course() as course:
        yield course


@pytest.fixture(scope="module")
def hub(course):
    with _hub(course) as running:
        yield running


# --- a learner's visit ------------------------------------------------------------------------------

def _run_all(page) -> None:
    """Run every cell (as tests/test_browser.py does) and wait until each visible prompt has its number."""
    bs.run_all(page, timeout=TIMEOUT_MS, idle_timeout=TIMEOUT_MS)


def _answer(page, qid: str, label: str) -> str:
    """Choose the option ``label`` by mouse, press Check, and return the feedback shown."""
    question = page.locator(".jp-OutputArea .tmv-quiz").last.locator(f".tmv-q-{qid}")
    question.scroll_into_view_if_needed()
    question.locator("label", has_text=re.compile(label)).first.click()
    question.locator(f".tmv-check-{qid}").click()
    feedback = page.locator(f".tmv-feedback-{qid}")
    feedback.filter(has_text=re.compile(r"Correct|Not right")).wait_for(timeout=30_000)
    return feedback.inner_text()


def _visit(browser, hub, name: str, pages: contextlib.ExitStack) -> dict:
    """One learner: log in, land in lesson 00 of their own workspace, run it, answer two questions.
    The page stays open (in ``pages``) for the live poll."""
    page = pages.enter_context(bs.new_page(browser, hosts=("127.0.0.1",), schemes=("data", "blob"),
                                           timeout=TIMEOUT_MS))
    visit = _log_in_and_answer(page, hub, name)
    visit["page"] = page
    return visit


def _log_in_and_answer(page, hub, name: str) -> dict:
    outside, errors = page.outside_requests, page.console_errors
    try:
        page.goto(f"{hub.base}/hub/login")
        page.fill("#username_input", name)
        page.fill("#password_input", hub.password)
        started = time.perf_counter()
        page.click("#login_submit")
        page.wait_for_url(re.compile(f"/user/{re.escape(name)}/lab/tree/tmvlearn-workbook/{LESSON}"))
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        bs.wait_idle(page, TIMEOUT_MS)
        ready_s = time.perf_counter() - started
        page.locator(".jp-DirListing-item", has_text=LESSON).first.wait_for()  # the file browser lists it
        disabled = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent)"
                                 ".disabledExtensions")
        _run_all(page)
        right, wrong = _answer(page, *RIGHT), _answer(page, *WRONG)
        page.wait_for_timeout(500)
        bs.screenshot(page, "hub", f"{name.rsplit('-', 1)[1]}-lesson00")
        return {"ready_s": ready_s, "right": right, "wrong": wrong, "outside": outside, "errors": errors,
                "disabled": disabled}
    except Exception:
        bs.screenshot(page, "hub", f"FAILED-{name.rsplit('-', 1)[1]}")
        raise


# --- the test ---------------------------------------------------------------------------------------

def test_a_class_on_jupyterhub(course, hub, browser, capsys):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as pages:
        _a_class(course, hub, browser, capsys, pages)


def _a_class(course, hub, browser, capsys, pages: contextlib.ExitStack) -> None:
    people, volume = course["people"], course["volume"]
    visits = {}
    for name in people.learners:
        visits[name] = visit = _visit(browser, hub, name, pages)
        assert "Correct" in visit["right"], f"{name}: the right answer was marked: {visit['right']!r}"
        assert "Not right" in visit["wrong"], f"{name}: the wrong answer was marked: {visit['wrong']!r}"
        assert not visit["outside"], f"{name}: requests left the machine: {visit['outside'][:5]}"
        assert not visit["errors"], f"{name}: console errors: {visit['errors'][:5]}"
        assert set(DISABLED_PLUGINS) <= set(visit["disabled"]), f"{name}: announcements are off"
    log = hub.log.read_text()
    assert log.count("Extension Manager is 'readonly'") == 3, "each server runs tmvlearn's offline options"

    # Every learner has their own workspace (the student edition, owned by them) and progress file.
    for name in people.learners:
        account = pwd.getpwnam(name)
        workbook = Path(account.pw_dir) / "tmvlearn-workbook"
        assert sorted(p.name for p in workbook.glob("*.ipynb")) == [p.name for p in lesson_paths()]
        assert (workbook / LESSON).stat().st_uid == account.pw_uid
        assert json.loads((workbook / ".tmvlearn-manifest.json").read_text())["edition"] == "student"
        folder = volume / name
        assert stat.S_IMODE(folder.stat().st_mode) == 0o2750, f"{folder}: learner writes, instructors read"
        assert (folder / "progress.sqlite3").exists()
        for path in folder.iterdir():  # the store and its -wal/-shm files
            assert path.stat().st_uid == account.pw_uid, f"{path} belongs to {name}"
            assert path.stat().st_gid == grp.getgrnam(people.groups["instructors"]).gr_gid, path
            assert not path.stat().st_mode & stat.S_IRWXO, f"{path} is not readable by others"

    # Learner A cannot read learner B's progress, nor list the course; B and the instructor can read it.
    a, b = people.learners[:2]
    theirs = str(volume / b / "progress.sqlite3")
    denied = _as(a, "cat", theirs)
    assert denied.returncode != 0 and "Permission denied" in denied.stderr, denied
    assert _as(a, "ls", str(volume)).returncode != 0, f"{a} cannot list the course volume"
    assert _as(b, "cat", theirs).returncode == 0, f"{b} reads their own progress"
    assert _as(people.instructor, "cat", theirs).returncode == 0, "the instructor reads it"

    # Nothing of the hub, proxy, servers or kernels talks to anything but loopback.
    sockets = hub.sockets()
    assert sockets, "ss saw the hub's sockets"
    away = [s for s in sockets if not _loopback(s[1]) or not (_loopback(s[2]) or s[2].endswith(":*"))]
    assert not away, f"sockets beyond loopback: {away[:5]}"
    peak = dict(hub.peak)  # all three servers and kernels are running now
    parts = hub.parts()
    assert len(parts["servers"]) == 3 and len(parts["proxy"]) == 1, parts

    # Each learner's kernel encrypts its loopback channels (CurveZMQ): its keys are in a connection
    # file only that learner reads, so a classmate on the same machine cannot subscribe to its outputs.
    files = {pwd.getpwuid(k["uid"]).pw_name: re.search(r" -f (\S+\.json)", k["cmd"])[1]
             for k in parts["kernels"]}
    assert {a, b} <= set(files), files
    for name, file in files.items():
        connection = json.loads(Path(file).read_text())
        assert connection.get("curve_publickey") and connection.get("curve_secretkey"), (name, file)
    peek = _as(a, "cat", files[b])
    assert peek.returncode != 0 and "Permission denied" in peek.stderr, f"{a} read {b}'s kernel keys"

    # The instructor collects the class's results from the course volume, as the servers run.
    gradebook_csv = Path(pwd.getpwnam(people.instructor).pw_dir) / "gradebook.csv"
    started = time.perf_counter()
    results = _as(people.instructor, str(BIN / "tmvlearn"), "results", str(volume), "--items",
                  "--csv", str(gradebook_csv))
    results_s = time.perf_counter() - started
    (ARTIFACTS / "results.txt").write_text(results.stdout + results.stderr)
    assert results.returncode == 0, results.stdout + results.stderr
    _check_results(results.stdout, gradebook_csv, people)

    # A live poll in class: the instructor's view, two rounds, as the learners answer in their lessons.
    poll = _live_poll(browser, hub, people, volume, [visits[n]["page"] for n in people.learners], pages)

    # Stopped by process group: nothing of the test's accounts, no proxy, no port is left.
    forced = hub.stop()
    assert not forced, f"still running after the hub stopped (then killed): {forced}"
    left = [p for p in _all_procs() if p["uid"] in hub.uids or p["pgid"] in hub.pgids]
    assert not left, f"left running: {[p['cmd'][:80] for p in left]}"
    assert not [p for p in hub.ports if _listening(p)], "a port of the hub is still open"

    ready = [v["ready_s"] for v in visits.values()]
    figures = {
        "hub_start_s": round(hub.start_s, 2),
        "login_to_ready_lesson_s": [round(s, 2) for s in ready],
        "login_to_ready_lesson_median_s": round(statistics.median(ready), 2),
        # of which the hub's spawn (workspace prepared, server up), as the hub logs it
        "spawn_s": [float(t) for t in re.findall(r"took ([\d.]+) seconds to start", log)],
        "hub_and_proxy_idle_rss_mb": round(hub.idle_kb / 1024, 1),
        "peak_rss_hub_proxy_3_servers_mb": round(peak["hub_proxy_servers_kb"] / 1024, 1),
        "peak_rss_with_3_kernels_mb": round(peak["with_kernels_kb"] / 1024, 1),
        "peak_rss_mb_by_part": {k: round(v / 1024, 1) for k, v in hub.peak_parts.items()},
        "per_active_learner_mb": round((peak["with_kernels_kb"] - hub.idle_kb) / 3 / 1024, 1),
        "tmvlearn_results_s": round(results_s, 2),
        "live_poll": poll,
        "leftovers_removed_first": course["leftovers"],
    }
    (ARTIFACTS / "figures.json").write_text(json.dumps(figures, indent=1))
    with capsys.disabled():
        print("\nJupyterHub class figures:", json.dumps(figures, indent=1))


def _check_results(text: str, gradebook_csv: Path, people: Class) -> None:
    """3 learners and 6 attempts; each learner 1 of 2 right on lesson 00, first attempts: the right
    answer's difficulty is 1, the wrong one's 0 (the format: docs/class-results.md, "Output")."""
    import pandas as pd

    lines = text.splitlines()
    assert lines[0] == "Read 3 files (0 skipped, 0 partly read): 6 attempts, 6 new, 0 duplicates.", lines[0]
    counts = re.fullmatch(r"Gradebook (.+): (\d+) learners?, (\d+) attempts?, (\d+) lessons?\.", lines[1])
    assert counts and counts.groups()[1:] == ("3", "6", "1"), lines[1]
    rows = {line.split()[0]: line.split()[1:3] for line in lines if line.startswith(f"{PREFIX}-")}
    assert rows == {name: ["50%", "2/12"] for name in people.learners}, rows
    items = {line.split()[0]: line.split()[1:3] for line in lines if line.strip().startswith("start-")}
    n_right, p_right = items[RIGHT[0]]
    n_wrong, p_wrong = items[WRONG[0]]
    assert (n_right, float(p_right), n_wrong, float(p_wrong)) == ("3", 1.0, "3", 0.0), items
    book = pd.read_csv(gradebook_csv)  # one row per learner; "<lesson> <figure>" columns
    assert sorted(book["learner"]) == sorted(people.learners), "the instructor is not a learner"
    lesson = next(c.rsplit(" ", 1)[0] for c in book.columns if c.startswith("00_"))
    assert list(book[f"{lesson} answered"]) == [2, 2, 2], book
    assert list(book[f"{lesson} first_score"]) == [0.5, 0.5, 0.5], book


# --- the live poll ----------------------------------------------------------------------------------

def _live_notebook(people: Class, volume: Path) -> str:
    """A notebook in the instructor's home with the live view over the course volume."""
    account = pwd.getpwnam(people.instructor)
    source = (f"from tmvlearn.results import live_poll\n\n"
              f"poll = live_poll({str(volume)!r}, {POLL!r}, interval=0.5)\npoll")
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "id": "live", "metadata": {},
                           "outputs": [], "source": source}],
                "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                            "name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    path = Path(account.pw_dir) / "live-poll.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    os.chown(path, account.pw_uid, account.pw_gid)
    return path.name


def _answer_again(page, qid: str, label: str) -> str:
    """Press Try again, then answer ``label`` (a new attempt)."""
    page.locator(f".tmv-retry-{qid}").click()
    page.wait_for_selector(f".tmv-check-{qid}:not([disabled])")
    return _answer(page, qid, label)


def _round_counts(page, number: int) -> dict[str, str]:
    rows = page.locator(f".tmv-poll-round-{number} .tmv-poll-row")
    return {rows.nth(i).get_attribute("data-answer"): rows.nth(i).locator(".tmv-poll-count").inner_text()
            for i in range(rows.count())}


def _shown(page, number: int, text: str, since: float) -> float:
    """Seconds from ``since`` until round ``number`` of the view says ``text`` (at most SHOWN_WITHIN_S)."""
    page.locator(f".tmv-poll-round-{number} .tmv-poll-learners", has_text=text).wait_for(
        timeout=SHOWN_WITHIN_S * 1000)
    return time.perf_counter() - since


def _live_poll(browser, hub, people: Class, volume: Path, learner_pages, pages) -> dict:
    """The instructor opens the live view and runs two rounds; returns the figures."""
    started = time.perf_counter()
    name = _live_notebook(people, volume)
    page = pages.enter_context(bs.new_page(browser, hosts=("127.0.0.1",), schemes=("data", "blob"),
                                           timeout=TIMEOUT_MS, width=1600, height=1000))
    try:
        page.goto(f"{hub.base}/hub/login")
        page.fill("#username_input", people.instructor)
        page.fill("#password_input", hub.admin_password)  # instructors are hub admins
        page.click("#login_submit")
        page.wait_for_url(re.compile(f"/user/{re.escape(people.instructor)}/lab"))
        page.goto(f"{hub.base}/user/{people.instructor}/lab/tree/{name}?reset")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        bs.wait_idle(page, TIMEOUT_MS)
        _run_all(page)
        view = page.locator(".tmv-poll")
        view.wait_for()
        page.locator(".tmv-poll-start1").click()
        page.locator(".tmv-poll-status", has_text="Round 1 running").wait_for()
        # Round 1: two right, one wrong.
        for learner, label in zip(learner_pages, (r"^False$", r"^False$", r"^True$"), strict=True):
            _answer(learner, POLL, label)
        answered = time.perf_counter()
        round1_s = _shown(page, 1, "3 learners answered", answered)
        assert _round_counts(page, 1) == {"True": "1 (33%)", "False": "2 (67%)"}, _round_counts(page, 1)
        assert "correct answer" not in view.inner_text(), "the answer is marked only after Show answer"
        # Round 2, after the discussion: the learner who was wrong changes their answer.
        page.locator(".tmv-poll-start2").click()
        page.locator(".tmv-poll-round-2").wait_for()
        for learner in learner_pages:
            _answer_again(learner, POLL, r"^False$")
        answered = time.perf_counter()
        round2_s = _shown(page, 2, "3 learners answered", answered)
        assert _round_counts(page, 2) == {"True": "0 (0%)", "False": "3 (100%)"}, _round_counts(page, 2)
        assert _round_counts(page, 1) == {"True": "1 (33%)", "False": "2 (67%)"}, "round 1 stays beside it"
        page.locator(".tmv-poll-show").click()
        page.locator(".tmv-poll-round-2 .tmv-poll-correct").wait_for()
        correct = page.locator(".tmv-poll-row", has=page.locator(".tmv-poll-correct"))
        assert {correct.nth(i).get_attribute("data-answer") for i in range(correct.count())} == {"False"}
        bs.screenshot(page, "hub", "instructor-live-poll")
        bs.assert_clean(page, "the instructor's live view")
    except Exception:
        bs.screenshot(page, "hub", "FAILED-instructor-live-poll")
        raise
    # The same as a snapshot from the command line, as the instructor (read-only on the volume).
    snapshot = Path(pwd.getpwnam(people.instructor).pw_dir) / "poll.json"
    done = _as(people.instructor, str(BIN / "tmvlearn"), "results", str(volume), "--poll", POLL,
               "--json", str(snapshot))
    assert done.returncode == 0, done.stdout + done.stderr
    snap = json.loads(snapshot.read_text())
    assert snap["learners"] == 3 and {a["answer"]: a["count"] for a in snap["answers"]} == {
        "True": 0, "False": 3}, snap
    assert not any(n in snapshot.read_text() for n in people.learners), "the snapshot is anonymous"
    return {"round_1_shown_s": round(round1_s, 2), "round_2_shown_s": round(round2_s, 2),
            "instructor_login_to_two_rounds_s": round(time.perf_counter() - started, 1)}
