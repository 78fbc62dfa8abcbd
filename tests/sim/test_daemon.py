"""The cluster process and its client, end to end through real subprocesses."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.environment import SimEnvironment

HERE = Path(__file__).resolve().parent


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie child of ours counts as gone
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _wait_gone(pid: int, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def session(tmp_path):
    state, work = tmp_path / "state", tmp_path / "work"
    state.mkdir()
    work.mkdir()
    env_spec = SimEnvironment().prepare(work, state, "default")
    # the shims of the extra test tool: the same file under another name
    (state / "bin" / "simtest").write_text((state / "bin" / "kubectl").read_text())
    (state / "bin" / "simtest").chmod(0o755)
    env = dict(os.environ)
    env.update(env_spec.env)
    env["PATH"] = env_spec.env["PATH"] + os.pathsep + os.environ.get("PATH", "")
    env["SIM_TOOLS_EXTRA"] = "simtest=test_daemon_tools:echo"
    env["PYTHONPATH"] = str(HERE)
    started = subprocess.run(env_spec.start, cwd=work, env=env, capture_output=True, text=True,
                             timeout=60)
    assert started.returncode == 0, started.stderr
    assert started.stdout == "" and started.stderr == ""
    sock = Path(env_spec.env["SIM_SOCKET"])
    pid = int(Path(str(sock) + ".pid").read_text())

    def run(*argv, stdin=None, extra=None, timeout=30):
        call_env = dict(env, **(extra or {}))
        return subprocess.run(list(argv), cwd=work, env=call_env, input=stdin,
                              capture_output=True, timeout=timeout)

    yield {"run": run, "pid": pid, "sock": sock, "env": env, "spec": env_spec, "work": work}
    subprocess.run(env_spec.stop, env=env, timeout=30)
    assert _wait_gone(pid)


def test_tool_call_relays_streams_and_exit_code(session):
    run = session["run"]
    out = run("simtest", "exit", "3")
    assert out.returncode == 3
    assert out.stderr == b"leaving\n"
    out = run("simtest", "stdin", stdin=b"hello\nworld\n")
    assert out.stdout == b"got:hello\nworld\n" and out.returncode == 0
    out = run("simtest", "lines", stdin=b"a\nb\nc")
    assert out.stdout == b"1:a\n2:b\n3:c" and out.stderr == b"3 lines\n"
    out = run("simtest", "count")
    assert out.stdout.decode() == f"5 namespaces cwd={session['work']} tty=False\n"


def test_kubectl_reaches_the_cluster_and_state_lasts(session):
    run = session["run"]
    made = run("kubectl", "create", "configmap", "probe", "--from-literal=a=b")
    assert made.returncode == 0, made.stderr
    got = run("kubectl", "get", "configmap", "probe", "-o", "name")
    assert got.stdout == b"configmap/probe\n"
    missing = run("kubectl", "get", "svc", "nothing-here")
    assert missing.returncode == 1
    assert missing.stderr == b'Error from server (NotFound): services "nothing-here" not found\n'


def test_edit_and_exec_local_happen_on_the_callers_side(session):
    run = session["run"]
    out = run("simtest", "edit", "alpha", extra={"KUBE_EDITOR": "sed -i s/alpha/beta/"})
    assert out.stdout == b"edited:beta"
    out = run("simtest", "exec", "printf", "%s-%s", "x", "y")
    assert out.stdout == b"x-y" and out.returncode == 0
    out = run("simtest", "exec", "no-such-program-here")
    assert out.returncode == 127


def test_interrupt_ends_the_call(session):
    proc = subprocess.Popen(["simtest", "block"], cwd=session["work"], env=session["env"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"waiting\n"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) in (130, -signal.SIGINT)
    # the cluster still answers afterwards
    assert session["run"]("simtest", "hi").stdout == b"simtest hi\n"


def test_a_watch_interrupted_exits_1_as_kubectl_does(session):
    """`kubectl get -w` catches Ctrl-C (kubectl's interrupt handler) and exits 1, where a
    program that does not (the test tool above) dies of the signal."""
    proc = subprocess.Popen(["kubectl", "get", "namespaces", "-w"], cwd=session["work"],
                            env=session["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().split() == [b"NAME", b"STATUS", b"AGE"]
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 1


def test_no_cluster_is_a_refused_connection(tmp_path, session):
    out = session["run"]("kubectl", "get", "pods",
                         extra={"SIM_SOCKET": str(tmp_path / "absent.sock")})
    assert out.returncode == 1
    assert out.stderr == (b"The connection to the server localhost:8080 was refused - "
                          b"did you specify the right host or port?\n")


def test_daemon_leaves_when_its_socket_goes(session):
    session["sock"].unlink()
    assert _wait_gone(session["pid"])


def test_daemon_leaves_when_the_watched_process_ends(tmp_path):
    sock = tmp_path / "c.sock"
    watched = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    env = dict(os.environ, SIM_WATCH_PID=str(watched.pid))
    started = subprocess.run([sys.executable, "-m", "sim.daemon", "--socket", str(sock),
                              "--profile", "default", "--detach"], env=env, timeout=60)
    assert started.returncode == 0
    pid = int(Path(str(sock) + ".pid").read_text())
    assert _alive(pid)
    watched.kill()
    watched.wait()
    assert _wait_gone(pid)
    assert not sock.exists()


def test_bad_profile_is_a_clear_error(tmp_path):
    out = subprocess.run([sys.executable, "-m", "sim.daemon", "--socket", str(tmp_path / "s"),
                          "--profile", "nope", "--detach"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode != 0
    assert "unknown cluster profile 'nope'" in out.stderr and "default" in out.stderr
    assert not (tmp_path / "s").exists()


def test_environment_prepare(tmp_path):
    env = SimEnvironment()
    assert env.version() == env.version() and env.version().startswith("sim-")
    spec = env.prepare(tmp_path, tmp_path, None)
    assert spec.input_prompts == {"node $ ": ["sim-node", "sh", "-c"]}
    assert os.access(tmp_path / "bin" / "kubectl", os.X_OK)
    assert spec.env["SIM_SOCKET"].startswith(str(tmp_path))
    with pytest.raises(ValueError, match="unknown cluster profile"):
        env.prepare(tmp_path, tmp_path, "missing-profile")


def test_a_session_leaves_the_sources_compiled(tmp_path, monkeypatch):
    """The daemon imports sim from a read-only view of the project: preparing a session
    writes the bytecode it will read (outside the sandbox), so a tree never compiled
    does not compile every module from source at each start."""
    import importlib.util

    import sim.environment as environment

    compiled = [Path(importlib.util.cache_from_source(str(environment.SIM_DIR / name)))
                for name in ("clock.py", "daemon.py")]
    compiled.append(Path(importlib.util.cache_from_source(
        str(environment.PROJECT_DIR / "tutorial_runner" / "environment.py"))))
    for path in compiled:
        path.unlink(missing_ok=True)
    monkeypatch.setattr(environment, "_compiled", False)
    SimEnvironment().prepare(tmp_path, tmp_path, None)
    assert [p.is_file() for p in compiled] == [True, True, True]


def test_raw_terminal_on_the_callers_side(session):
    import pexpect

    child = pexpect.spawn("simtest", ["raw"], cwd=str(session["work"]), env=session["env"],
                          dimensions=(24, 100), timeout=20)
    child.expect_exact("raw tty=True size=100x24\r\n")
    child.send("q")  # no newline: only a raw terminal hands a single key over
    child.expect_exact("key=b'q'")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_killed_cluster_is_kubectl_s_refused_server(session):
    server = session["run"]("kubectl", "config", "view", "--minify", "-o",
                            "jsonpath={.clusters[0].cluster.server}").stdout.decode()
    assert server.startswith("https://")
    os.kill(session["pid"], signal.SIGKILL)
    assert _wait_gone(session["pid"])
    out = session["run"]("kubectl", "get", "svc")
    assert out.returncode == 1 and out.stdout == b""
    lines = out.stderr.decode().splitlines()
    address = server.removeprefix("https://")
    assert len(lines) == 6
    for line in lines[:5]:
        assert re.fullmatch(
            r'E\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ memcache\.go:265\] "Unhandled Error" '
            r'err="couldn\'t get current server API group list: Get '
            + re.escape(f'\\"{server}/api?timeout=32s\\": dial tcp {address}: connect: '
                        'connection refused"'), line), line
    assert lines[5] == (f"The connection to the server {address} was refused - did you "
                        "specify the right host or port?")


def test_stop_signals_only_the_process_that_wrote_the_pid_file(tmp_path):
    sock = tmp_path / "c.sock"
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        Path(str(sock) + ".pid").write_text(str(bystander.pid))
        # the pid as another namespace (or an earlier process with that pid) saw it
        Path(str(sock) + ".id").write_text("pid:[1] 12345\n")
        assert subprocess.run([sys.executable, "-m", "sim.daemon", "--socket", str(sock),
                               "--stop"], timeout=30).returncode == 0
        assert bystander.poll() is None
        assert not Path(str(sock) + ".pid").exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_the_session_cluster_ends_with_the_runner_named_in_its_environment(tmp_path):
    spec = SimEnvironment().prepare(tmp_path, tmp_path, None)
    runner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    env = dict(os.environ, **spec.env, TUTORIAL_RUNNER_PID=str(runner.pid))
    env.pop("SIM_WATCH_PID", None)
    env["PATH"] = os.environ["PATH"]
    assert subprocess.run(spec.start, env=env, timeout=60).returncode == 0
    pid = int(Path(spec.env["SIM_SOCKET"] + ".pid").read_text())
    try:
        assert _alive(pid)
        runner.kill()
        runner.wait()
        assert _wait_gone(pid)
    finally:
        subprocess.run(spec.stop, env=env, timeout=30)


def test_a_background_job_takes_no_pause_of_its_own(session):
    """Virtual time must not depend on whether the host runs `cmd &` before or after the
    next command: only foreground commands advance the clock."""
    import pexpect

    shell = pexpect.spawn("bash", ["--norc", "--noprofile", "-i"], env=session["env"],
                          cwd=str(session["work"]), encoding="utf-8", timeout=30)
    try:
        shell.sendline("PS1='> '; set +m; set -m")
        shell.expect_exact("> ")
        shell.sendline("simtest now > a; (simtest now > b &); simtest now > b2 & wait; "
                       "simtest now > c; echo done-$((1+1))")
        shell.expect_exact("done-2")
    finally:
        shell.close(force=True)
    work = session["work"]
    a, b, b2, c = ((work / n).read_text().strip() for n in ("a", "b", "b2", "c"))
    assert b2 == a
    assert c > a
