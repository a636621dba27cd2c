"""`tmvlearn lab` for real: JupyterLab offline (in a network namespace with only loopback), and
stopped with its kernels by SIGTERM or SIGINT to `tmvlearn`."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TMVLEARN = shutil.which("tmvlearn", path=str(Path(sys.executable).parent))
if not TMVLEARN:
    pytest.skip("needs the tmvlearn command installed in this environment", allow_module_level=True)

# Started inside the namespace: runs `tmvlearn lab`, asks the endpoints that would reach the network,
# prints what they answered and the server's log, then stops it.
PROBE = textwrap.dedent('''
    import json, os, signal, socket, subprocess, sys, time, urllib.request
    tmvlearn, root = sys.argv[1], sys.argv[2]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    token = "t0k3n"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": root + "/config", "JUPYTER_RUNTIME_DIR": root + "/runtime",
           "JUPYTER_DATA_DIR": root + "/data", "JUPYTERLAB_SETTINGS_DIR": root + "/settings",
           "JUPYTERLAB_WORKSPACES_DIR": root + "/workspaces", "TMVLEARN_HOME": root + "/home"}
    log = open(root + "/server.log", "w")
    server = subprocess.Popen([tmvlearn, "lab", root + "/ws", "--no-browser", f"--port={port}",
                               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    def get(path):
        request = urllib.request.Request(base + path, headers={"Authorization": "token " + token})
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
    for _ in range(300):
        try:
            get("/api/status"); break
        except OSError:
            time.sleep(0.2)
    answers = {path: get(path) for path in ("/lab/api/extensions?refresh=1", "/lab/api/extensions",
                                             "/lab/api/news", "/lab/api/update", "/lab")}
    server.send_signal(signal.SIGTERM)
    code = server.wait(timeout=60)
    log.close()
    print(json.dumps({"answers": answers, "exit": code, "log": open(root + "/server.log").read()}))
''')
NETWORK_ERRORS = ("Name or service not known", "Temporary failure in name resolution",
                  "Network is unreachable", "nodename nor servname", "Failed to get announcements",
                  "Failed to check for updates", "pypi.org", "Traceback")


def _namespace_prefix() -> list[str]:
    """A command prefix that runs a program with no network but loopback, or a skip."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        pytest.skip("needs unshare and ip (util-linux, iproute2) to cut the network")
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, text=True)
    if probe.returncode:
        pytest.skip(f"cannot make a network namespace here ({probe.stderr.strip() or 'unshare failed'})")
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']


def test_lab_makes_no_outbound_request(tmp_path):
    prefix = _namespace_prefix()
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    done = subprocess.run([*prefix, sys.executable, str(script), TMVLEARN, str(tmp_path)],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    answers, log = result["answers"], result["log"]
    for path, (status, body) in answers.items():
        assert status == 200, f"{path} answered {status}: {body[:300]}"
    extensions = json.loads(answers["/lab/api/extensions?refresh=1"][1])
    assert isinstance(extensions, list)
    assert json.loads(answers["/lab/api/news"][1]) == {"news": []}
    assert json.loads(answers["/lab/api/update"][1]).get("notification") is None
    page = answers["/lab"][1]
    assert re.search(r'"news":\s*\{"disabled":\s*true\}', page), "the server's page config turns news off"
    assert "@jupyterlab/apputils-extension:announcements" in page, "the news prompt's plugin is off"
    for marker in NETWORK_ERRORS:
        assert marker not in log, f"the server tried the network ({marker!r}):\n{log[-3000:]}"
    assert result["exit"] == 128 + signal.SIGTERM  # stopped by the probe, as a signal stops it


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _kernel_pids(runtime: Path) -> set[int]:
    """Processes whose command line names a connection file in ``runtime`` (our kernels)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(runtime) in cmdline and "kernel" in cmdline:
                pids.add(int(entry.name))
    return pids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purpose
        return (Path(f"/proc/{pid}/stat").read_text().split()[2]) != "Z"
    except OSError:
        return False


def _until_answering(server: subprocess.Popen, base: str, auth: dict, log: Path, timeout: float = 60) -> None:
    """Wait until JupyterLab at ``base`` answers ``/api/status``. Its printed URL is no sign of that:
    jupyter_server logs the URL, then binds its port in the event loop's first callback
    (``ServerApp.init_httpserver``), so a request sent at once can be refused."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(f"{base}/api/status", headers=auth), timeout=2)
            return
        except OSError:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "JupyterLab did not start: " + log.read_text()[-2000:]
            time.sleep(0.2)


def _lab_with_a_kernel(tmp_path: Path) -> tuple[subprocess.Popen, int, str]:
    """`tmvlearn lab` with its Jupyter folders under ``tmp_path`` (its log in ``server.log``, its kernels'
    connection files in ``runtime/``), ready, and one kernel started as JupyterLab starts one (the REST
    API). Returns the `tmvlearn` process (the caller stops it), JupyterLab's port and the kernel's id."""
    runtime = tmp_path / "runtime"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(runtime),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"), "TMVLEARN_HOME": str(tmp_path / "home")}
    port, token = _free_port(), secrets.token_hex(8)
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"token {token}"}
    with open(tmp_path / "server.log", "w") as log:
        tmv = subprocess.Popen([TMVLEARN, "lab", str(tmp_path / "ws"), "--no-browser", f"--port={port}",
                                "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _until_answering(tmv, base, auth, tmp_path / "server.log")
        request = urllib.request.Request(f"{base}/api/kernels", data=b"{}", method="POST",
                                         headers={**auth, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as reply:
            return tmv, port, json.loads(reply.read())["id"]
    except BaseException:
        tmv.kill()
        raise


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find the kernels")
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_to_tmvlearn_stops_jupyterlab_and_its_kernels(tmp_path, signum, code):
    runtime = tmp_path / "runtime"
    tmv, port, _ = _lab_with_a_kernel(tmp_path)
    try:
        for _ in range(100):
            kernels = _kernel_pids(runtime)
            if kernels:
                break
            time.sleep(0.1)
        assert kernels, "a kernel started"
        server_pids = {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                       and f"{port}".encode() in _cmdline(p) and b"jupyterlab" in _cmdline(p)}
        assert server_pids, "JupyterLab is running"
        tmv.send_signal(signum)
        assert tmv.wait(timeout=60) == code
        time.sleep(0.5)
        assert not [p for p in server_pids if _alive(p)], "JupyterLab stopped"
        assert not [p for p in kernels if _alive(p)], "its kernels stopped"
    finally:
        if tmv.poll() is None:
            tmv.kill()
    log_text = (tmp_path / "server.log").read_text()
    assert "Shutting down" in log_text or "shutting down" in log_text.lower()


def _cmdline(entry: Path) -> bytes:
    try:
        return (entry / "cmdline").read_bytes()
    except OSError:
        return b""


def test_lab_as_a_learner_starts_it_url_state_saving_and_terminal(tmp_path):
    """As a learner on a fresh machine: `tmvlearn lab --no-browser` from a virtual environment that was
    never activated (PATH without it). The URL it prints opens lesson 00; the lab keeps its JupyterLab
    workspace state inside the workspace folder; a lesson is saved with its static views; a JupyterLab
    terminal finds `tmvlearn`."""
    import asyncio

    from tornado.websocket import websocket_connect

    env = {k: v for k, v in os.environ.items() if k != "JUPYTERLAB_WORKSPACES_DIR"}
    env.update({"JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
                "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
                "TMVLEARN_HOME": str(tmp_path / "home"),
                "PATH": "/usr/local/bin:/usr/bin:/bin", "SHELL": shutil.which("bash") or "/bin/sh",
                "HOME": str(tmp_path)})
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    ws = tmp_path / "ws"
    with open(tmp_path / "server.log", "w") as log:  # no token given: the learner copies the printed URL
        tmv = subprocess.Popen([TMVLEARN, "lab", str(ws), "--no-browser", f"--port={port}",
                                "--ServerApp.ip=127.0.0.1"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        pattern = re.compile(rf"http://127\.0\.0\.1:{port}(/\S*)\?token=(\w+)")
        while not (found := pattern.search((tmp_path / "server.log").read_text())):
            assert tmv.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "JupyterLab printed no URL"
            time.sleep(0.2)
        path, token = found.groups()
        assert path == "/lab/tree/00_start_here.ipynb", "the printed URL opens lesson 00, not the Launcher"
        auth = {"Authorization": f"token {token}", "Content-Type": "application/json"}
        _until_answering(tmv, base, auth, tmp_path / "server.log")  # (the URL comes before the port)
        opened = urllib.request.Request(f"{base}{path}", headers=auth)
        with urllib.request.urlopen(opened, timeout=30) as page:
            assert page.status == 200

        put = urllib.request.Request(f"{base}/lab/api/workspaces/mine", method="PUT", headers=auth,
                                     data=json.dumps({"data": {}, "metadata": {"id": "mine"}}).encode())
        urllib.request.urlopen(put, timeout=30).close()
        assert list((ws / ".tmvlearn-lab").glob("mine*.jupyterlab-workspace")), "state kept in the folder"

        # a lesson saved while its widgets are live is written with their static versions only
        view = {"model_id": "0123", "version_major": 2, "version_minor": 0}
        output = {"output_type": "display_data", "metadata": {},
                  "data": {"text/plain": "Quiz", "text/html": "<b>Quiz</b>",
                           "application/vnd.jupyter.widget-view+json": view}}
        notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "code", "id": "c1", "metadata": {}, "source": "quiz", "execution_count": 1,
             "outputs": [output]}]}
        save = urllib.request.Request(f"{base}/api/contents/saved.ipynb", method="PUT", headers=auth,
                                      data=json.dumps({"type": "notebook", "content": notebook}).encode())
        urllib.request.urlopen(save, timeout=30).close()
        saved = json.loads((ws / "saved.ipynb").read_text())["cells"][0]["outputs"][0]["data"]
        assert {k: "".join(v) for k, v in saved.items()} == {"text/plain": "Quiz", "text/html": "<b>Quiz</b>"}

        create = urllib.request.Request(f"{base}/api/terminals", data=b"{}", method="POST", headers=auth)
        with urllib.request.urlopen(create, timeout=30) as reply:
            name = json.loads(reply.read())["name"]

        async def ask(command: str) -> str:
            sock = await websocket_connect(f"ws://127.0.0.1:{port}/terminals/websocket/{name}?token={token}")
            sock.write_message(json.dumps(["stdin", f"{command}; echo END-$((6*7))\r"]))
            seen = ""
            while "END-42" not in seen:
                message = await asyncio.wait_for(sock.read_message(), 30)
                assert message is not None, seen
                kind, *rest = json.loads(message)
                if kind == "stdout":
                    seen += rest[0]
            sock.close()
            return seen

        answer = asyncio.run(ask("command -v tmvlearn"))
        assert str(Path(TMVLEARN).parent / "tmvlearn") in answer, answer
    finally:
        tmv.send_signal(signal.SIGTERM)
        try:
            tmv.wait(timeout=60)
        except subprocess.TimeoutExpired:
            tmv.kill()


def _eavesdrop(iopub_port: int, run, seconds: float = 4.0) -> list:
    """What a process of another user on this machine reads on a kernel's IOPub port (a plain
    subscriber, no keys) while ``run()`` makes the kernel print."""
    import zmq

    context = zmq.Context()
    spy = context.socket(zmq.SUB)
    spy.setsockopt(zmq.SUBSCRIBE, b"")
    spy.setsockopt(zmq.LINGER, 0)
    spy.connect(f"tcp://127.0.0.1:{iopub_port}")
    time.sleep(0.5)  # the subscription reaches the kernel first
    try:
        run()
        heard, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            if spy.poll(100):
                heard.append(b"".join(spy.recv_multipart()))
        return heard
    finally:
        spy.close()
        context.term()


def _print_through(connection: dict, text: str) -> None:
    """Run ``print(text)`` in the kernel of ``connection`` as JupyterLab would, and wait for it."""
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient()
    client.load_connection_info(connection)
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(f"print({text!r})", timeout=60)
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()


def test_a_learners_kernel_cannot_be_read_by_another_user_of_the_machine(tmp_path):
    """On a one-server class hub every learner's kernel listens on 127.0.0.1: any other user there can
    subscribe to its output port. `tmvlearn lab` asks for CurveZMQ encryption: the kernel gets a key
    pair in its private connection file, ipykernel's warning about plain TCP is gone, and an
    eavesdropper without the keys hears nothing, while the same eavesdropper hears a kernel started
    without encryption (the control)."""
    import zmq
    from jupyter_client import KernelManager

    from tmvlearn.workspace import kernel_encryption_available

    if not kernel_encryption_available():
        pytest.skip(f"no CurveZMQ here (libzmq curve: {zmq.has('curve')}) or a jupyter_client before 8.9")
    runtime = tmp_path / "runtime"
    tmv, _, kernel_id = _lab_with_a_kernel(tmp_path)
    control = KernelManager(kernel_name="python3")  # as a plain client would start one
    try:
        (file,) = runtime.glob(f"kernel-{kernel_id}.json")
        assert oct(file.stat().st_mode & 0o777) == "0o600", "the keys are the learner's alone"
        connection = json.loads(file.read_text())
        assert connection.get("curve_publickey") and connection.get("curve_secretkey"), connection.keys()

        heard = _eavesdrop(connection["iopub_port"], lambda: _print_through(connection, "answer: B"))
        assert heard == [], "an eavesdropper without the keys read the learner's kernel"

        control.start_kernel()
        plain = control.get_connection_info(session=False)
        heard = _eavesdrop(plain["iopub_port"], lambda: _print_through(plain, "answer: B"))
        assert any(b"answer: B" in message for message in heard), "the control: a plain kernel is readable"
    finally:
        if control.has_kernel:
            control.shutdown_kernel(now=True)
        tmv.send_signal(signal.SIGTERM)
        tmv.wait(timeout=60)
    log_text = (tmp_path / "server.log").read_text()
    assert "without encryption" not in log_text, "ipykernel warned that the kernel runs unencrypted"
