"""Faults: the simulated cluster dying under a session, and runs side by side."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.reliability.harness import HERE, needs_bwrap, processes_matching, record_shells
from tutorial_runner.document import parse_text
from tutorial_runner.engine import Hooks, run_session
from tutorial_runner.environment import load_environment

ROOT = HERE / "roots" / "parallel"
BIN = Path(sys.executable).parent

TWO_SESSIONS = """\
# Two sessions

```{transcript}
:session: first
$ kubectl create deployment one --image=nginx
deployment.apps/one created
$ kubectl get deployments -o name
deployment.apps/one
```

```{transcript}
:session: first
$ echo the shell is still here
the shell is still here
```

```{transcript}
:session: second
$ kubectl create deployment one --image=nginx
deployment.apps/one created
$ kubectl get deployments -o name
deployment.apps/one
```
"""


class KillClusterBefore(Hooks):
    """Kills the session's cluster process from outside just before a given command.

    Its pid file holds its pid inside the sandbox's pid namespace, which means another
    process out here: the host pid is found by the socket path on its command line."""

    def __init__(self, command: str):
        self.command = command
        self.killed: list[int] = []

    def before_input(self, block, documented, typed, shell):
        if documented == self.command and block.options.session == "first":
            socket_path = str(shell.statedir / "cluster.sock")
            for pid, cmdline in processes_matching([socket_path.encode()]):
                if "sim.daemon" in cmdline and "--stop" not in cmdline:
                    os.kill(pid, signal.SIGKILL)
                    self.killed.append(pid)


@needs_bwrap
def test_cluster_dying_mid_session_is_a_clear_failure_and_the_run_goes_on(tmp_path, monkeypatch):
    document = parse_text(TWO_SESSIONS, tmp_path / "two.md")
    environment = load_environment("sim")
    record = record_shells(monkeypatch)
    hooks = KillClusterBefore("kubectl get deployments -o name")
    first, second = [run_session(s, environment, hooks=hooks) for s in document.sessions]

    assert len(hooks.killed) == 1, first.blocks
    broken = first.blocks[0].steps[1]
    assert first.blocks[0].status == "failed"
    assert broken.exit_status == 1
    assert broken.live[-1].startswith("The connection to the server ")
    assert broken.live[-1].endswith(" was refused - did you specify the right host or port?")
    assert first.blocks[1].status == "verified"     # the shell itself goes on
    assert [b.status for b in second.blocks] == ["verified"]
    assert record.leftovers() == []


def _copy_root(into: Path) -> Path:
    target = into / "parallel"
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns("_cache", "_build"))
    return target


@needs_bwrap
def test_check_with_two_jobs_twice_at_once(tmp_path):
    """Two `check --jobs 2` runs at the same time, each with three sessions, one of which
    kills every cluster process it can see: none of them reaches another session's."""
    roots = [_copy_root(tmp_path / name) for name in ("a", "b")]
    env = dict(os.environ, TUTORIAL_RUNNER_CACHE=str(tmp_path / "cache"))
    runs = [subprocess.Popen([str(BIN / "tutorial-runner"), "check", "--jobs", "2",
                              "--no-cache", str(root)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for root in roots]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, out + err
        assert "3 verified (3 sessions" in out
    for root in roots:
        assert sorted(p.name for p in root.iterdir()) == sorted(p.name for p in ROOT.iterdir()
                                                                if p.name != "_cache")


@needs_bwrap
def test_two_sphinx_builds_with_two_jobs_at_once_share_a_cache(tmp_path):
    roots = [_copy_root(tmp_path / name) for name in ("a", "b")]
    cache = tmp_path / "shared-cache"
    runs = [subprocess.Popen([str(BIN / "sphinx-build"), "-q", "-j", "2", "-b", "tutorial",
                              "-D", f"tutorial_runner_cache_dir={cache}",
                              str(root), str(root / "_build")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for root in roots]
    outputs = [run.communicate(timeout=150) for run in runs]
    for root, run, (out, err) in zip(roots, runs, outputs):
        report = (root / "_build" / "report.txt").read_text(encoding="utf-8")
        assert run.returncode == 0, out + err + report
        assert report.startswith("3 verified"), report
        assert (root / "_build" / "junit.xml").is_file()
    # Both builds stored the same three sessions' results, each file whole.
    stored = sorted(cache.rglob("*.json"))
    assert len(stored) == 3
    for path in stored:
        assert path.read_text(encoding="utf-8").strip().endswith("}")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_broken_sandbox_request_is_refused_cleanly(jobs, tmp_path, capsys, monkeypatch):
    """`--sandbox require` where no sandbox works: exit 2 with a reason, nothing run."""
    from tutorial_runner import sandbox
    from tutorial_runner.cli import main

    monkeypatch.setattr(sandbox, "detect", lambda: sandbox.Sandbox("none"))
    code = main(["check", "--jobs", jobs, "--sandbox", "require", "--no-cache", str(ROOT)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "no sandbox works on this machine" in err
    assert "verified" not in out


def test_doctest_fails_on_a_page_with_a_broken_transcript(tmp_path):
    root = tmp_path / "broken"
    shutil.copytree(HERE / "roots" / "broken", root)
    done = subprocess.run([str(BIN / "sphinx-build"), "-q", "-b", "tutorial", str(root),
                           str(root / "_build")], capture_output=True, text=True, timeout=120)
    assert "bad.md:3: ERROR: transcript: :timeout: must be a positive number" in done.stderr
    report = (root / "_build" / "report.txt").read_text(encoding="utf-8")
    assert "bad.md:3" in report
    assert done.returncode != 0, report
    junit = (root / "_build" / "junit.xml").read_text(encoding="utf-8")
    assert 'line="3"' in junit and "<error" in junit


SLOW = """\
# Slow

```{transcript}
$ kubectl get pods
No resources found in default namespace.
$ /bin/sleep 4.321
```
"""


def _stop_check_midway(tmp_path: Path, sandbox: str, signum: int):
    """`check` on a slow document, sent ``signum`` while its session runs; returns the
    session directories it left and the processes still running from them.

    The run's sessions are made in a temporary directory of its own (TMPDIR, short enough
    for the cluster's unix socket path), so that only they are looked at and cleaned up."""
    document = tmp_path / "slow.md"
    document.write_text(SLOW)
    private = Path(tempfile.mkdtemp(prefix="trrel-", dir="/tmp"))
    try:
        return _stop(document, private, tmp_path, sandbox, signum)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _stop(document: Path, private: Path, tmp_path: Path, sandbox: str, signum: int):
    child = subprocess.Popen([str(BIN / "tutorial-runner"), "check", "--no-cache",
                              "--sandbox", sandbox, str(document)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=dict(os.environ, TUTORIAL_RUNNER_CACHE=str(tmp_path / "c"),
                                      TMPDIR=str(private)))
    give_up = time.monotonic() + 30
    while not processes_matching([b"sleep 4.321"]) and time.monotonic() < give_up:
        time.sleep(0.05)
    child.send_signal(signum)
    child.wait(timeout=30)
    time.sleep(1.0)
    left_dirs = sorted(private.glob("tutorial-session-*"))
    left = processes_matching([str(private).encode(), b"sleep 4.321"])
    _kill(left)
    return child.returncode, left_dirs, left


def _kill(left):
    for pid, _ in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@needs_bwrap
def test_ctrl_c_during_check_leaves_nothing(tmp_path):
    code, left_dirs, left = _stop_check_midway(tmp_path, "auto", signal.SIGINT)
    assert code == 130
    assert (left_dirs, left) == ([], [])


@needs_bwrap
def test_sigterm_during_check_leaves_nothing(tmp_path):
    code, left_dirs, left = _stop_check_midway(tmp_path, "auto", signal.SIGTERM)
    assert left == []          # bubblewrap's pid namespace ends with the run
    assert left_dirs == []


def test_sigterm_during_an_unsandboxed_check_leaves_no_cluster_running(tmp_path):
    code, left_dirs, left = _stop_check_midway(tmp_path, "off", signal.SIGTERM)
    assert left == []
