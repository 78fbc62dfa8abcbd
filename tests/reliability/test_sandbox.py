"""The sandbox: on by default, and what it contains (processes, a fork bomb)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.reliability.harness import (
    CORPUS, REPO, needs_bwrap, processes_matching, record_shells, run_document)
from tutorial_runner import sandbox as sandbox_module
from tutorial_runner.cli import _parser
from tutorial_runner.document import parse_text
from tutorial_runner.engine import run_session
from tutorial_runner.environment import PlainEnvironment
from tutorial_runner.session import ShellSession

# A session may hold this many processes at most for a fork bomb to count as contained.
PROCESS_CAP = 4096


@needs_bwrap
def test_sandbox_is_on_by_default(monkeypatch, tmp_path):
    assert _parser().parse_args(["check", "x.md"]).sandbox == "auto"
    record = record_shells(monkeypatch)
    document = parse_text("```{transcript}\n$ ls /sys/class/net\nlo\n```\n", tmp_path / "d.md")
    (session,) = document.sessions
    result = run_session(session, PlainEnvironment())   # no sandbox argument: the default
    assert result.ok, result.blocks[0].steps
    assert [shell.sandbox.kind for shell in record.shells] == ["bwrap"]


def test_without_bubblewrap_isolation_tests_skip_with_a_reason(tmp_path):
    """On a machine without bubblewrap (here: a PATH without bwrap and unshare) the tests
    that need the sandbox are skipped, each saying why."""
    import shutil
    import subprocess
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "sh", "python3", "env", "cat", "ls"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "tests/reliability/test_sandbox.py::test_sandbox_is_on_by_default",
         "tests/reliability/test_hostile.py::test_hostile_command[network.md]"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={"PATH": str(bin_dir), "HOME": str(tmp_path), "LANG": "C.UTF-8"})
    assert "2 skipped" in done.stdout, done.stdout + done.stderr
    # A PATH without apt-get: make test could not install it, so the reason says so.
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skips) == 2 and all("unavailable: bubblewrap (make test installs it only as "
                                   "root with apt-get" in line for line in skips), done.stdout


def _session_limits(shell: ShellSession) -> tuple[int, str]:
    out = shell.run("cat /proc/sys/kernel/pid_max; ulimit -u", timeout=5)
    pid_max, nproc = out.lines
    return int(pid_max), nproc


def _effective_cap(pid_max: int, nproc: str) -> int:
    cap = pid_max
    # RLIMIT_NPROC does not bind processes of the host's root (kernel: INIT_USER is exempt).
    if nproc != "unlimited" and os.geteuid() != 0:
        cap = min(cap, int(nproc))
    return cap


BOUNDED_FORKS = """\
/usr/bin/python3 -c '
import errno, os, sys, time
limit, kids, why = int(sys.argv[1]), [], "none"
try:
    for _ in range(limit + 200):
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        kids.append(pid)
except OSError as error:
    why = errno.errorcode[error.errno]
for pid in kids:
    os.kill(pid, 9)
for pid in kids:
    os.waitpid(pid, 0)
print(len(kids) < limit, why)' {limit}"""


def _bounded_containment(shell: ShellSession, cap: int) -> None:
    """Proof before any fork bomb: a bounded number of forks stops at the cap."""
    out = shell.run(BOUNDED_FORKS.format(limit=cap), timeout=60)
    assert out.state == "prompt", out
    assert out.lines[-1] == "True EAGAIN", out.text


def _fork_bomb_leaves_nothing(monkeypatch) -> None:
    record = record_shells(monkeypatch)
    started = time.monotonic()
    run_document(CORPUS / "hostile" / "fork-bomb.md", record, environment="plain")
    assert time.monotonic() - started < 60
    after = record.blocks[1]
    # Either the shell came back (its job notices may follow) or the session ended cleanly.
    assert after.status == "error" or "still here" in after.steps[-1].live, after
    assert record.leftovers(wait=10.0) == []


@needs_bwrap
def test_fork_bomb_is_contained(monkeypatch):
    with ShellSession() as shell:
        shell.start()
        pid_max, nproc = _session_limits(shell)
        cap = _effective_cap(pid_max, nproc)
        # Fails here, before any bomb, while nothing caps the session.
        assert cap <= PROCESS_CAP, (
            f"no process cap in the session: pid_max {pid_max}, ulimit -u {nproc}, "
            f"host uid {os.geteuid()}")
        _bounded_containment(shell, cap)
    _fork_bomb_leaves_nothing(monkeypatch)


def test_leftover_check_sees_a_process_that_escaped(monkeypatch, tmp_path):
    """Without a sandbox a process that drops the marker and leaves the terminal's session
    outlives the run: the check used by every case above does see it."""
    document = tmp_path / "escape.md"
    document.write_text("```{transcript}\n$ (env -i setsid sleep 876543 </dev/null "
                        ">/dev/null 2>&1 &); sleep 0.5\n```\n")
    record = record_shells(monkeypatch)
    try:
        run_document(document, record, sandbox="off", environment="plain")
        assert record.statuses == ["verified"]
        found = record.leftovers(["sleep 876543"], wait=0.5)
        assert found and all("sleep 876543" in cmd for _, cmd in found)
    finally:
        for pid, _ in processes_matching([b"sleep 876543"]):
            os.kill(pid, signal.SIGKILL)


@needs_bwrap
def test_host_unix_sockets_are_out_of_reach():
    import socket
    import tempfile
    import threading
    from pathlib import Path

    base = Path("/var/tmp")
    if not base.is_dir() or not os.access(base, os.W_OK):
        pytest.skip("unavailable: no writable /var/tmp to place a host socket outside /tmp")
    directory = Path(tempfile.mkdtemp(prefix="trrel-", dir=base))
    path = directory / "host.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)
    server.settimeout(5)
    received: list[bytes] = []

    def serve():
        try:
            conn, _ = server.accept()
            received.append(conn.recv(100))
            conn.close()
        except OSError:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with ShellSession() as shell:
            shell.start()
            out = shell.run(
                "python3 -c 'import socket, sys\n"
                "s = socket.socket(socket.AF_UNIX)\n"
                "try: s.connect(sys.argv[1]); s.sendall(b\"from the session\"); print(\"connected\")\n"
                f"except OSError as e: print(type(e).__name__)' {path}", timeout=10)
        assert "connected" not in out.text, out.text
        assert received == []
    finally:
        server.close()
        thread.join(timeout=6)
        path.unlink(missing_ok=True)
        directory.rmdir()
