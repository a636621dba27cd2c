"""Faults met as an ordinary user: nothing the learner did is lost, and the learner is told what happened.

Every fault here is real, made by the operating system in a separate process that records quiz
attempts the way a notebook does (``record_attempt``, each check's warnings captured as the quiz
widget shows them):

- root bypasses file permissions, so the learner's process runs as user ``nobody``
  (``setpriv --reuid=65534 --regid=65534 --clear-groups``); as an ordinary user the tests run as
  that user, with the folders made read-only by ``chmod``;
- a full disk is a small tmpfs mounted inside ``unshare -m`` (root), or a file-size limit
  (``RLIMIT_FSIZE``, any user);
- descriptor exhaustion is ``RLIMIT_NOFILE`` and a process that opens files until it cannot;
- a machine without a loopback interface is ``unshare -n``.

Tests that need root tools skip, saying which. Each prints one ``FAULT`` line (fault, attempts
before, attempts after, what the learner saw) for the closing note: ``pytest -s -k faults``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from functools import cache
from pathlib import Path

import pytest

from tmvlearn.progress import FILENAME
from tmvlearn.quiz import ProgressStore, load_bank

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOBODY = 65534
IDS = [q.id for q in load_bank("01_biogenesis").questions]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX faults (permissions, rlimits, namespaces)")


@cache
def _works(*command: str) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def can_switch_user() -> bool:
    return bool(shutil.which("setpriv")) and _works("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                                                      "--clear-groups", "true")


def can_mount_tmpfs() -> bool:
    return ROOT and bool(shutil.which("unshare")) and _works(
        "unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt && umount /mnt")


as_a_user = pytest.mark.skipif(ROOT and not can_switch_user(),
                               reason="as root, permission faults need setpriv (util-linux) to run as nobody")
tmpfs = pytest.mark.skipif(not can_mount_tmpfs(),
                           reason="a full disk needs a small tmpfs: root, unshare -m and mount")


def report(fault: str, before: int, after: int, saw: str) -> None:
    print(f"\nFAULT | {fault} | {before} | {after} | {saw}")


@pytest.fixture
def area():
    """A folder every user can enter: ``home`` (the database), and ``state``, ``tmp``, ``out``, which
    belong to the learner (nobody, when the tests run as root).

    Not under pytest's own temporary folder: pytest keeps that private to its user (0700), and other
    pytest sessions running at the same time put that back whenever they start.
    """
    root = Path(tempfile.mkdtemp(prefix="tmvlearn-faults-"))
    root.chmod(0o755)
    for name in ("home", "state", "tmp", "out"):
        (root / name).mkdir()
        (root / name).chmod(0o755)
        if ROOT and name != "home":
            os.chown(root / name, NOBODY, NOBODY)
    yield root
    for path in [root, *root.rglob("*")]:  # make everything removable again
        with contextlib.suppress(OSError):
            path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(root, ignore_errors=True)


def learner_env(area: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, TMVLEARN_HOME=str(area / "home"), TMVLEARN_LEARNER="ada",
               XDG_STATE_HOME=str(area / "state"), TMPDIR=str(area / "tmp"), PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def as_learner(command: list[str]) -> list[str]:
    if ROOT:
        return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    return command


def give_to_learner(*paths: Path) -> None:
    for path in paths:
        if ROOT:
            os.chown(path, NOBODY, NOBODY)
        else:
            path.chmod(path.stat().st_mode | 0o200)


def make_read_only(*paths: Path) -> None:
    """As root: owned by root, 0755/0644, so nobody cannot write. Otherwise: the write bits removed."""
    for path in paths:
        if ROOT:
            os.chown(path, 0, 0)
            path.chmod(0o755 if path.is_dir() else 0o644)
        else:
            path.chmod(path.stat().st_mode & ~0o222)


def history(db: Path, n: int = 300) -> None:
    """``n`` attempts of learner ada at the lesson's real questions, written by the test (the past)."""
    store = ProgressStore(db)
    for i in range(n):
        store.record(lesson="01_biogenesis", question_id=IDS[i % len(IDS)], response=i, score=i % 2,
                     correct=bool(i % 2), learner="ada")
    store.close()
    for suffix in ("", "-wal", "-shm"):
        extra = db.with_name(db.name + suffix)
        if extra.exists():
            extra.chmod(0o644)


def count(db: Path) -> int:
    """The attempts in the file, counted on a copy: the test (root) must not leave its own lock files."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / db.name
        for suffix in ("", "-wal"):
            if db.with_name(db.name + suffix).exists():
                shutil.copyfile(db.with_name(db.name + suffix), copy.with_name(copy.name + suffix))
        conn = sqlite3.connect(copy)
        try:
            return conn.execute("SELECT count(*) FROM attempts").fetchone()[0]
        finally:
            conn.close()


CHECKS = textwrap.dedent("""
    import json, os, sys, warnings
    from tmvlearn.quiz import load_bank, record_attempt

    q = load_bank("01_biogenesis")["bio-ca-scramblase"]

    def check():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            record_attempt(q, False)
        return [str(w.message) for w in caught]
""")


def run(code: str, env: dict[str, str], *args: str, user: bool = False, wrap: list[str] | None = None,
        timeout: float = 180) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", code, *args]
    if user:
        command = as_learner(command)
    if wrap:
        command = [*wrap, *command]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    return done


def said(done: subprocess.CompletedProcess) -> list[list[str]]:
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- too many open files --------------------------------------------------------------------------

EXHAUST = CHECKS + textwrap.dedent("""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 256), hard))
    hog = []
    try:
        while True:
            hog.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    out = [check() for _ in range(int(sys.argv[1]))]
    if sys.argv[2] == "recover":
        for fd in hog:
            os.close(fd)
        out.append(check())
    print(json.dumps(out))
""")


@pytest.mark.slow
def test_too_many_open_files_keeps_the_file_and_every_attempt(area):
    db = area / "home" / FILENAME
    history(db)
    inode = db.stat().st_ino
    out = said(run(EXHAUST, learner_env(area), "5", "recover"))
    for message in out[:5]:
        assert len(message) == 1 and "Too many open files" in message[0]
        assert f"kept in {db}.pending" in message[0]
    assert "5 earlier attempts that could not be saved at the time were added" in out[5][0]
    assert count(db) == 306 and db.stat().st_ino == inode, "the same file, nothing moved aside"
    assert not list(db.parent.glob("*.corrupt-*")) and not (db.parent / (FILENAME + ".pending")).exists()
    report("too many open files at open (RLIMIT_NOFILE), then eased", 300, count(db),
           f"each of 5 checks: '{out[0][0][10:150]}...'; then '{out[5][0][10:]}'")


@pytest.mark.slow
def test_too_many_open_files_until_the_kernel_stops_loses_nothing(area):
    db = area / "home" / FILENAME
    history(db)
    out = said(run(EXHAUST, learner_env(area), "3", "stay"))
    assert all("(1 attempt waiting)" in out[0][0] or "waiting" in m[0] for m in out)
    assert count(db) == 300 and (db.parent / (FILENAME + ".pending")).exists(), "the journal holds them"
    later = said(run(CHECKS + "print(json.dumps([check()]))", learner_env(area)))
    assert "3 earlier attempts" in later[0][0]
    assert count(db) == 304
    report("too many open files until the kernel stops; a later kernel", 300, count(db),
           "each check: 'kept in progress.sqlite3.pending (k attempts waiting)'; the next kernel's first "
           f"check: '{later[0][0][10:]}'")


# --- read-only file and folder (as another user) ----------------------------------------------------

PROGRESS = "import sys; from tmvlearn.cli import main; sys.exit(main(sys.argv[1:]))"


@as_a_user
@pytest.mark.slow
def test_a_read_only_file_is_read_exported_and_its_new_attempts_wait_beside_it(area):
    db = area / "home" / FILENAME
    history(db)
    give_to_learner(area / "home")  # the folder is the learner's; the file is not writable
    make_read_only(db)
    env = learner_env(area)
    shown = run(PROGRESS, env, "progress", "--csv", str(area / "out" / "all.csv"), user=True)
    assert shown.returncode == 0, shown.stderr
    first = shown.stdout.splitlines()[0]
    assert first == f"Quiz progress for learner 'ada' (read from {db} (read-only)):"
    assert " 300 " in shown.stdout and "No quiz attempts" not in shown.stdout
    assert (area / "out" / "all.csv").read_text().count("\n") == 301, "the export holds all 300"
    out = said(run(CHECKS + "print(json.dumps([check() for _ in range(3)]))", env, user=True))
    for n, message in enumerate(out, 1):
        assert "read-only" in message[0] and f"({n} attempt" in message[0] and ".pending" in message[0]
    assert count(db) == 300
    give_to_learner(db)  # the administrator fixes it
    final = run(CHECKS + "print(json.dumps([check()]))", env, user=True)
    later = said(final)
    assert "3 earlier attempts" in later[0][0] and count(db) == 304, final.stderr
    report("read-only file (another owner), folder writable", 300, count(db),
           f"`tmvlearn progress`: '{first}' and 300 attempts; CSV export: 300 rows; each of 3 checks: "
           f"'{out[0][0][10:160]}...'; once fixed: '{later[0][0][10:]}'")


@as_a_user
@pytest.mark.slow
def test_a_read_only_folder_is_read_and_its_new_attempts_wait_in_the_state_folder(area):
    db = area / "home" / FILENAME
    history(db)
    make_read_only(db, area / "home")
    env = learner_env(area)
    shown = run(PROGRESS, env, "progress", "--json", str(area / "out" / "all.json"), user=True)
    assert shown.returncode == 0, shown.stderr
    first = shown.stdout.splitlines()[0]
    assert first.startswith(f"Quiz progress for learner 'ada' (read from {db} (read-only")
    assert len(json.loads((area / "out" / "all.json").read_text())["attempts"]) == 300
    out = said(run(CHECKS + "print(json.dumps([check() for _ in range(3)]))", env, user=True))
    for n, message in enumerate(out, 1):
        assert f"kept in {area / 'state'}" in message[0] and f"({n} attempt" in message[0]
    again = run(PROGRESS, env, "progress", user=True)
    assert " 303 " in again.stdout and "note: 3 attempts are waiting in" in again.stdout
    assert count(db) == 300 and sorted(p.name for p in (area / "home").iterdir()) == [FILENAME]
    give_to_learner(area / "home", db)
    later = said(run(CHECKS + "print(json.dumps([check()]))", env, user=True))
    assert "3 earlier attempts" in later[0][0] and count(db) == 304
    report("read-only folder and file (another owner)", 300, count(db),
           f"`tmvlearn progress`: '{first}', 300 attempts, then 303 with 'note: 3 attempts are waiting in "
           f"...'; JSON export: 300; each check: '{out[0][0][10:170]}...'; once fixed: "
           f"'{later[0][0][10:]}'")


@as_a_user
def test_a_file_the_learner_cannot_read_is_an_error_not_no_attempts(area):
    db = area / "home" / FILENAME
    history(db, 20)
    db.chmod(0o600 if ROOT else 0o000)  # root's own, or no permission at all
    done = run(PROGRESS, learner_env(area), "progress", user=True)
    assert done.returncode == 1 and "No quiz attempts" not in done.stdout
    assert done.stderr.startswith(f"tmvlearn progress: error: {db} cannot be read: ")
    assert "unable to open database file" in done.stderr or "Permission denied" in done.stderr
    assert done.stderr.count("\n") == 1
    report("a file the learner cannot read", 20, 20, done.stderr.strip())


# --- a full disk ----------------------------------------------------------------------------------

FILL = textwrap.dedent("""
    def fill(folder):
        fd = os.open(os.path.join(folder, "filler"), os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\\0" * 65536)
        except OSError:
            pass
        try:
            while True:
                os.write(fd, b"\\0" * 512)
        except OSError:
            pass
        os.close(fd)

    def free(folder):
        os.unlink(os.path.join(folder, "filler"))
""")


def in_small_tmpfs(area: Path, script: str, size: str = "8m") -> subprocess.CompletedProcess:
    """Run ``script`` (Python) with ``area/home`` a ``size`` tmpfs, in its own mount namespace."""
    path = area / "script.py"
    path.write_text(script)
    command = ["unshare", "-m", "sh", "-c",
               f"mount -t tmpfs -o size={size} tmpfs {area / 'home'} && exec {sys.executable} {path}"]
    return subprocess.run(command, capture_output=True, text=True, env=learner_env(area), timeout=300)


@tmpfs
@pytest.mark.slow
def test_a_full_disk_at_open_moves_nothing_and_keeps_every_attempt(area):
    script = CHECKS + FILL + textwrap.dedent(f"""
        import subprocess
        from tmvlearn.quiz import ProgressStore
        home = os.environ["TMVLEARN_HOME"]
        db = os.path.join(home, "{FILENAME}")
        store = ProgressStore(db)
        for i in range(300):
            store.record(lesson="01_biogenesis", question_id="q", response=i, score=1, correct=True,
                         learner="ada")
        store.close()
        fill(home)
        runs = [subprocess.run([sys.executable, "-c", {CHECKS!r} + "print(json.dumps(check()))"],
                               capture_output=True, text=True) for _ in range(3)]
        told = [json.loads(r.stdout.strip().splitlines()[-1]) for r in runs]
        listing = sorted(os.listdir(home))
        free(home)
        after = check()
        import sqlite3
        n = sqlite3.connect(db).execute("SELECT count(*) FROM attempts").fetchone()[0]
        print(json.dumps({{"told": told, "listing": listing, "after": after, "n": n}}))
    """)
    done = in_small_tmpfs(area, script)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert not [name for name in result["listing"] if "corrupt" in name], "nothing moved aside"
    for n, message in enumerate(result["told"], 1):
        assert "the disk is full" in message[0] and f"kept in {area / 'state'}" in message[0]
        assert f"({n} attempt" in message[0]
    assert "3 earlier attempts" in result["after"][0] and result["n"] == 304
    report("disk full at open (8 MB tmpfs), 3 kernels, then space freed", 300, result["n"],
           f"each kernel's check: '{result['told'][0][0][10:170]}...'; after freeing: "
           f"'{result['after'][0][10:]}'")


@tmpfs
@pytest.mark.slow
def test_a_full_disk_at_write_says_so_at_every_check_and_loses_nothing(area):
    script = CHECKS + FILL + textwrap.dedent(f"""
        from tmvlearn.quiz import ProgressStore
        home = os.environ["TMVLEARN_HOME"]
        db = os.path.join(home, "{FILENAME}")
        store = ProgressStore(db)
        for i in range(300):
            store.record(lesson="01_biogenesis", question_id="q", response=i, score=1, correct=True,
                         learner="ada")
        store.close()
        first = check()  # the kernel has the file open
        fill(home)
        told = [check() for _ in range(20)]
        free(home)
        after = check()
        import sqlite3
        n = sqlite3.connect(db).execute("SELECT count(*) FROM attempts").fetchone()[0]
        print(json.dumps({{"first": first, "told": told, "after": after, "n": n}}))
    """)
    done = in_small_tmpfs(area, script)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["first"] == []
    assert len(result["told"]) == 20 and all(len(m) == 1 for m in result["told"]), "every check says so"
    for n, message in enumerate(result["told"], 1):
        assert "disk is full" in message[0] and f"({n} attempt" in message[0]
        assert "cannot rollback" not in message[0]
    assert "20 earlier attempts" in result["after"][0] and result["n"] == 322
    report("disk full at write (8 MB tmpfs), 20 checks, then space freed", 301, result["n"],
           f"each of 20 checks: '{result['told'][0][0][10:150]}...'; after freeing: "
           f"'{result['after'][0][10:]}'")


@pytest.mark.slow
def test_a_file_size_limit_at_write_keeps_the_attempts_beside_the_file(area):
    db = area / "home" / FILENAME
    history(db)
    script = CHECKS + textwrap.dedent("""
        import resource
        first = check()  # opens the database; its log now exists
        home = os.environ["TMVLEARN_HOME"]
        limit = os.path.getsize(os.path.join(home, "progress.sqlite3-wal"))  # the log cannot grow
        hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
        told = [check() for _ in range(5)]
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
        after = check()
        print(json.dumps({"first": first, "told": told, "after": after}))
    """)
    done = run(script, learner_env(area))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["first"] == []
    for n, message in enumerate(result["told"], 1):
        assert "file-size limit" in message[0], message
        assert f"({n} attempt" in message[0]
    assert "5 earlier attempts" in result["after"][0] and count(db) == 307
    report("file-size limit at write (RLIMIT_FSIZE)", 301, count(db),
           f"each of 5 checks: '{result['told'][0][0][10:150]}...'; after: '{result['after'][0][10:]}'")


@tmpfs
@pytest.mark.slow
def test_an_export_to_a_full_disk_says_so_and_keeps_the_old_file(area):
    source = area / "state" / "db"
    source.mkdir()
    history(source / FILENAME, 50)
    script = FILL + textwrap.dedent(f"""
        import os, sys, json
        from tmvlearn.cli import main
        home = os.environ["TMVLEARN_HOME"]
        target = os.path.join(home, "results.csv")
        with open(target, "w") as fh:
            fh.write("last week's results\\n")
        fill(home)
        os.environ["TMVLEARN_HOME"] = {str(source)!r}
        code = main(["progress", "--csv", target, "--force"])
        kept = open(target).read()
        listing = sorted(os.listdir(home))
        print(json.dumps({{"code": code, "kept": kept, "listing": listing}}))
    """)
    done = in_small_tmpfs(area, script, size="1m")
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    error = [line for line in done.stderr.splitlines() if line.startswith("tmvlearn progress: error:")]
    assert result["code"] == 2 and len(error) == 1
    assert "No space left on device; the existing file is unchanged" in error[0]
    assert result["kept"] == "last week's results\n" and result["listing"] == ["filler", "results.csv"]
    report("export to a full disk (--force over an old file)", 50, 50, error[0])


# --- many writers and a reader ---------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys, warnings
    from tmvlearn.quiz import ProgressStore
    warnings.simplefilter("error")  # any storage trouble fails the test
    store = ProgressStore(sys.argv[1])
    for i in range(500):
        store.record(lesson="01_biogenesis", question_id="bio-ca-scramblase", response=i, score=1.0,
                     correct=True, learner=sys.argv[2])
""")

READER = textwrap.dedent("""
    import json, os, sys, time, warnings
    from tmvlearn.quiz import ProgressStore
    warnings.simplefilter("error")
    seen = []
    while not os.path.exists(sys.argv[2]):
        frame = ProgressStore(sys.argv[1], read_only=True).read(all_learners=True).attempts
        seen.append(len(frame))
    print(json.dumps(seen))
""")


@pytest.mark.slow
def test_four_processes_writing_500_attempts_each_with_a_reader_looping_lose_none(tmp_path):
    db = tmp_path / FILENAME
    done_flag = tmp_path / "done"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(done_flag)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), f"p{n}"], stderr=subprocess.PIPE,
                                text=True) for n in range(4)]
    codes = [w.wait(timeout=300) for w in writers]
    done_flag.touch()
    out, err = reader.communicate(timeout=120)
    assert codes == [0, 0, 0, 0], [w.stderr.read() for w in writers]
    assert reader.returncode == 0, err
    seen = json.loads(out)
    assert len(seen) > 5 and seen == sorted(seen), "the reader only ever saw the history grow"
    frame = ProgressStore(db).attempts(all_learners=True)
    assert len(frame) == 2000
    for n in range(4):
        got = sorted(int(r) for r in frame.loc[frame["learner"] == f"p{n}", "response"])
        assert got == list(range(500))
    assert not list(tmp_path.glob("*.pending")) and not list(tmp_path.glob("*.corrupt-*"))
    report("4 processes x 500 attempts, a reader looping", 0, len(frame),
           f"nothing (no warning); the reader read {len(seen)} times, counts only growing")


# --- the kernel cannot start; the handouts folder cannot be written -----------------------------------

@pytest.mark.slow
@pytest.mark.skipif(not (ROOT and _works("unshare", "-n", "true")), reason="needs root and unshare -n")
def test_without_a_loopback_interface_handouts_say_the_kernel_cannot_start(tmp_path):
    start = time.monotonic()
    done = subprocess.run(["unshare", "-n", sys.executable, "-m", "tmvlearn.cli", "handouts", "00",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("tmvlearn handouts: error: the Jupyter kernel cannot start: this machine "
                                  "has no working loopback network interface")
    assert time.monotonic() - start < 30, "said at once, not after a 60 s kernel time-out"


@as_a_user
def test_an_out_folder_the_user_cannot_write_is_refused_before_any_lesson_runs(area):
    out = area / "home"  # not the learner's
    make_read_only(out)
    start = time.monotonic()
    done = run(PROGRESS, learner_env(area), "handouts", "--out", str(out), user=True)
    assert done.returncode == 1, done.stderr
    assert done.stderr == (f"tmvlearn handouts: error: cannot write in the output folder {out}: Permission "
                           "denied; choose another with --out, or fix its permissions\n")
    assert time.monotonic() - start < 30 and not list(out.iterdir())
