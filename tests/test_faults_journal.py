"""Pending journals as a learner meets them (issue 24, items 4 and 5): the mode the class docs promise,
and nothing lost when every folder but the last temporary one is full.

As in ``test_faults.py``: the learner's processes run as user ``nobody`` when the tests run as root,
and a full disk is a small tmpfs mounted inside ``unshare -m``. Each test prints one ``FAULT`` line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_faults import (
    CHECKS,
    FILL,
    NOBODY,
    ROOT,
    area,  # noqa: F401  (the fixture)
    as_a_user,
    learner_env,
    report,
    run,
    tmpfs,
)

from tmvlearn.progress import FILENAME

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes, rlimits and namespaces")

# The database cannot grow (a file-size limit as large as its log): the attempt waits beside it.
BESIDE = CHECKS + textwrap.dedent("""
    import resource
    os.umask(int(sys.argv[1], 8))
    first = check()  # creates the database (under this umask) and its log
    home = os.environ["TMVLEARN_HOME"]
    limit = os.path.getsize(os.path.join(home, "progress.sqlite3-wal"))
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    told = check()
    modes = {name: oct(os.stat(os.path.join(home, name)).st_mode & 0o777) for name in os.listdir(home)}
    print(json.dumps({"first": first, "told": told, "modes": modes}))
""")


@as_a_user
@pytest.mark.parametrize("umask, mode", [("027", "0o640"), ("022", "0o644"), ("077", "0o600")])
def test_a_pending_journal_gets_the_databases_mode(area, umask, mode):  # noqa: F811
    if ROOT:
        os.chown(area / "home", NOBODY, NOBODY)
    done = run(BESIDE, learner_env(area), umask, user=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["first"] == [] and "kept in" in result["told"][0], result["told"]
    pending = FILENAME + ".pending"
    assert result["modes"][FILENAME] == mode and result["modes"][pending] == mode, result["modes"]
    report(f"pending journal under umask {umask}", 1, 2, f"database {result['modes'][FILENAME]}, "
           f"journal {result['modes'][pending]}")


# --- every folder full but one temporary folder ----------------------------------------------------

# One step of the story per process, as the learner (each a new session): ``script.py STEP FOLDER...``.
LAST = CHECKS + FILL + textwrap.dedent("""
    import sqlite3
    from tmvlearn.quiz import ProgressStore
    step, full = sys.argv[1], sys.argv[2:]
    db = os.path.join(os.environ["TMVLEARN_HOME"], "progress.sqlite3")
    if step == "history":
        store = ProgressStore(db)
        for i in range(20):
            store.record(lesson="01_biogenesis", question_id="q", response=i, score=1, correct=True,
                         learner="ada")
        store.close()
    elif step == "fill":
        for folder in full:
            fill(folder)
    elif step == "free":
        for folder in full:
            free(folder)
    elif step == "checks":
        print("checks", json.dumps([check() for _ in range(24)]))
    elif step == "after":
        print("after", json.dumps(check()))
        print("n", sqlite3.connect(db).execute("SELECT count(*) FROM attempts").fetchone()[0])
""")


def in_full_folders(root, full_system: bool) -> dict:
    """Run :data:`LAST` as the learner with home, state and ``$TMPDIR`` each a 1 MB tmpfs, and the
    system's ``/tmp`` and ``/var/tmp`` fresh tmpfs too (full as well when ``full_system``): 20
    attempts, the folders filled, a session of 24 checks, space freed, a next session's check."""
    script = root / "script.py"
    script.write_text(LAST)
    script.chmod(0o644)
    owner = f"uid={NOBODY},gid={NOBODY}," if ROOT else ""
    seen = Path("/mnt")  # the test's folder is under /tmp, which gets a tmpfs of its own: seen from here
    mounts = [f"mount --bind {root} {seen}"]
    # a Python environment under /tmp or /var/tmp (a checkout there) stays in view: bound aside before
    # those get their tmpfs, then back at its own path
    python = Path(sys.prefix)
    moved = any(python.is_relative_to(folder) for folder in ("/tmp", "/var/tmp"))
    if moved:
        (root / "python").mkdir()
        mounts.append(f"mount --bind {python} {seen / 'python'}")
    mounts += [f"mount -t tmpfs -o size=1m,mode=1777 tmpfs {folder}" for folder in ("/tmp", "/var/tmp")]
    if moved:
        mounts += [f"mkdir -p {python}", f"mount --bind {seen / 'python'} {python}"]
    mounts += [f"mount -t tmpfs -o size=1m,{owner}mode=0755 tmpfs {seen / name}"
               for name in ("home", "state", "tmp")]
    user = f"setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups " if ROOT else ""
    full = " ".join([*(str(seen / name) for name in ("home", "state", "tmp")),
                     *(["/tmp", "/var/tmp"] if full_system else [])])
    steps = [f"{user}{sys.executable} {seen / 'script.py'} {step} {full}"
             for step in ("history", "fill", "checks", "free", "after")]
    command = ["unshare", "-m", "sh", "-c", " && ".join(mounts + steps)]
    done = subprocess.run(command, capture_output=True, text=True, env=learner_env(seen), timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    said = dict(line.split(" ", 1) for line in done.stdout.splitlines()
                if line.startswith(("checks ", "after ", "n ")))
    return {"told": json.loads(said["checks"]), "after": json.loads(said["after"]), "n": int(said["n"])}


@tmpfs
@pytest.mark.slow
def test_a_journal_in_the_last_temporary_folder_is_found_by_the_next_session(area):  # noqa: F811
    result = in_full_folders(area, full_system=False)
    told = result["told"]
    assert isinstance(told, list) and len(told) == 24, told
    for n, message in enumerate(told, 1):
        assert len(message) == 1 and f"kept in /tmp/tmvlearn-{NOBODY if ROOT else os.getuid()}/" in message[0]
        assert f"({n} attempt" in message[0] and "temporary folder" in message[0]
    assert "24 earlier attempts" in result["after"][0], result["after"]
    assert result["n"] == 20 + 24 + 1, "every attempt is in the database"
    report("database, state folder and $TMPDIR full (1 MB tmpfs each), 24 checks, next session", 20,
           result["n"], f"each check: '{told[0][0][10:200]}...'; next session: '{result['after'][0][10:]}'")


@tmpfs
@pytest.mark.slow
def test_with_every_folder_full_the_learner_is_told_memory_only(area):  # noqa: F811
    result = in_full_folders(area, full_system=True)
    told = result["told"]
    assert isinstance(told, list) and len(told) == 24, told
    for message in told:
        assert "held in this session's memory only and will be lost" in message[0]
        assert "will be added" not in message[0]
    report("every folder full, /tmp and /var/tmp too: 24 checks", 20, result["n"],
           f"each check: '{told[-1][0][10:260]}...'")
