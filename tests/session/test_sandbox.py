import shutil
import sys
import textwrap

import pytest

from tests.deps import UNAVAILABLE, needs_bwrap

from tutorial_runner import sandbox as sandbox_module
from tutorial_runner.environment import SessionEnvironment
from tutorial_runner.sandbox import Sandbox, SandboxUnavailable, choose, detect
from tutorial_runner.session import SessionError, ShellSession, session_processes



@pytest.fixture
def boxed():
    with ShellSession(sandbox="require") as session:
        session.start()
        yield session


@needs_bwrap
def test_only_loopback_is_visible(boxed):
    links = boxed.run("ip -o link show | awk -F': ' '{print $2}'").lines
    assert links == ["lo"]
    if detect().own_sysfs:
        assert boxed.run("ls /sys/class/net").lines == ["lo"]


@needs_bwrap
def test_filesystem_is_read_only_outside_the_workdir(boxed, tmp_path):
    outside = tmp_path.parent / "outside-probe"
    assert boxed.run(f"echo x > {outside}").exit_status != 0
    assert not outside.exists()
    assert boxed.run("touch /usr/probe-file").exit_status != 0
    assert boxed.run("echo kept > here.txt").exit_status == 0
    assert (boxed.workdir / "here.txt").read_text() == "kept\n"


@needs_bwrap
def test_tmp_is_private(boxed, tmp_path):
    marker = tmp_path / "visible-outside"
    marker.write_text("x")
    assert boxed.run(f"test -e {marker}").exit_status == 1
    assert boxed.run("echo inside > /tmp/private-file").exit_status == 0
    assert boxed.run("cat /tmp/private-file").text == "inside\n"


@needs_bwrap
def test_processes_of_the_host_are_invisible(boxed):
    count = int(boxed.run("ls -d /proc/[0-9]* | wc -l").text)
    assert count < 10


SERVER = textwrap.dedent('''
    import http.server, os, sys
    state = sys.argv[1]
    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"hello from " + self.path.encode() + b"\\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    server = http.server.HTTPServer(("127.0.0.1", 0), Hello)
    with open(os.path.join(state, "pid"), "w") as f:
        f.write(str(os.getpid()))
    with open(os.path.join(state, "port.tmp"), "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(os.path.join(state, "port.tmp"), os.path.join(state, "port"))
    server.serve_forever()
''')


def fake_environment(tmp_path, statedir):
    """A background HTTP server started by `start`, and a `fetch` tool on PATH."""
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    (tools / "server.py").write_text(SERVER)
    start = tools / "start"
    start.write_text(textwrap.dedent(f'''\
        #!/bin/sh
        setsid {sys.executable} -S -I {tools}/server.py {statedir} </dev/null >/dev/null 2>&1 &
        for i in $(seq 100); do [ -e {statedir}/port ] && exit 0; sleep 0.05; done
        echo "server did not start"; exit 1
    '''))
    fetch = tools / "fetch"
    fetch.write_text(textwrap.dedent(f'''\
        #!{sys.executable} -I
        import sys, urllib.request
        port = open("{statedir}/port").read()
        print(urllib.request.urlopen(f"http://127.0.0.1:{{port}}/{{sys.argv[1]}}").read().decode(), end="")
    '''))
    for tool in (start, fetch):
        tool.chmod(0o755)
    return SessionEnvironment(env={"PATH": str(tools), "GREETING": "hi"}, start=[str(start)],
                              read_only_paths=[str(tools)])


@pytest.mark.parametrize("mode", ["off", pytest.param("require", marks=needs_bwrap)])
def test_environment_service_is_reachable_and_dies_with_the_session(tmp_path, mode):
    session = ShellSession(sandbox=mode)
    session.start(fake_environment(tmp_path, session.statedir))
    assert session.run('echo "$GREETING"; fetch abc').text == "hi\nhello from /abc\n"
    server_pid = int((session.statedir / "pid").read_text())
    salt = session.salt
    session.close()
    assert session_processes(salt) == []
    if mode == "off":  # inside a sandbox the pid is the namespace's own: nothing to look up
        assert _gone(server_pid)


def _gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.parametrize("mode", ["off", pytest.param("require", marks=needs_bwrap)])
def test_server_started_in_the_session_is_reachable(mode):
    with ShellSession(sandbox=mode) as session:
        session.start()
        out = session.run(
            f"{sys.executable} -u -S -I -m http.server --bind 127.0.0.1 0 >server.log 2>&1 & "
            "for i in $(seq 100); do grep -q port server.log && break; sleep 0.05; done; "
            "port=$(sed -n 's/.*port \\([0-9]*\\).*/\\1/p' server.log); "
            f"{sys.executable} -S -I -c \"import urllib.request,sys; "
            "print(urllib.request.urlopen('http://127.0.0.1:'+sys.argv[1]+'/').status)\" $port",
            timeout=10)
        assert out.lines[-1] == "200"


def test_failing_start_is_a_clear_error():
    session = ShellSession(sandbox="off")
    with pytest.raises(SessionError, match="environment did not start.*no cluster here"):
        session.start(SessionEnvironment(start=["sh", "-c", "echo no cluster here; exit 4"]))
    assert not session.root.exists()


def test_stop_runs_at_close(tmp_path):
    flag = tmp_path / "stopped"
    session = ShellSession(sandbox="off")
    session.start(SessionEnvironment(stop=["touch", str(flag)]))
    session.close()
    assert flag.exists()


def test_require_refuses_without_a_sandbox(monkeypatch):
    monkeypatch.setattr(sandbox_module, "detect", lambda: Sandbox("none"))
    with pytest.raises(SandboxUnavailable, match="no sandbox"):
        choose("require")
    assert choose("off").kind == "none"
    with pytest.raises(ValueError):
        choose("sometimes")


def test_auto_without_a_sandbox_warns_once(monkeypatch, capsys):
    monkeypatch.setattr(sandbox_module, "detect", lambda: Sandbox("none"))
    monkeypatch.setattr(sandbox_module, "_warned", False)
    assert choose("auto").kind == "none"
    assert choose("auto").kind == "none"
    assert capsys.readouterr().err.count("warning: no sandbox") == 1


@pytest.mark.skipif(not shutil.which("unshare") or not sandbox_module._works(
    Sandbox("unshare").wrap(["true"], __import__("pathlib").Path("/"), [])),
    reason=f"{UNAVAILABLE}unshare cannot create namespaces here")
def test_unshare_fallback_isolates_the_network():
    with ShellSession(sandbox=Sandbox("unshare")) as session:
        session.start()
        assert session.run("ip -o link show | awk -F': ' '{print $2}'").lines == ["lo"]
        assert session.run("echo $((1+1))").text == "2\n"
        assert session.run("kill -9 $$").state == "exited"


def test_close_inside_an_interactive_program_does_not_type_stop_into_it(tmp_path):
    import time
    from tests.session.conftest import PROMPT_PROGRAM
    flag = tmp_path / "stopped"
    session = ShellSession(sandbox="off")
    session.start(SessionEnvironment(stop=["touch", str(flag)]))
    (session.workdir / "prog.py").write_text(PROMPT_PROGRAM)
    out = session.run(f"{sys.executable} -I prog.py", interactive_prompt=lambda p: p.startswith("[ "))
    assert out.state == "interactive"
    salt = session.salt
    begin = time.monotonic()
    session.close()
    assert time.monotonic() - begin < 2
    assert not flag.exists()
    assert session_processes(salt) == []


@needs_bwrap
def test_the_process_cap_is_the_sessions_own():
    from pathlib import Path

    host = Path("/proc/sys/kernel/pid_max").read_text()
    with ShellSession(sandbox="require") as session:
        session.start()
        inside = session.run("cat /proc/sys/kernel/pid_max").lines
    if detect().own_sysfs:
        assert inside == [str(sandbox_module.PROCESS_CAP)]
    assert Path("/proc/sys/kernel/pid_max").read_text() == host


@needs_bwrap
def test_only_the_system_and_the_runner_are_shown(boxed):
    # /run is the sandbox's own (mount(8) keeps its table there): no socket of the host.
    assert boxed.run("ls -A /var/tmp; find /run /var/run/ -type s").lines == []
    assert boxed.run("test -e /home || test -e /farm || echo hidden").lines == ["hidden"]
    out = boxed.run("touch /x /var/x 2>&1; echo x > /etc/x 2>&1").text
    assert out.count("Read-only file system") == 3
