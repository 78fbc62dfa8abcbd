"""Whatever is typed at a container's shell, the shell answers with a status: no input
makes the simulation itself fail."""

from hypothesis import given, settings
from hypothesis import strategies as st

from simkit import create, get, new_cluster, pod

CLUSTER = new_cluster()
create(CLUSTER, pod("box", "busybox", container={"command": ["sleep", "3600"]}), settle=5)
PIECES = st.sampled_from(["echo", "cat", "ls", "x", "$X", "${X:-y}", "$(echo a)", "`echo b`", "'q'",
                          '"d $HOME"', "|", "||", "&&", ";", ">", ">>", "2>&1", "<", "(", ")", "{", "}",
                          "if", "then", "fi", "while", "do", "done", "for", "in", "true", "false",
                          "/tmp/f", "grep", "-c", "*", "\\", "'", '"', "$((1+", "))", "exit", "\n", "#"])


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=12))
def test_any_input_gives_a_status(pieces):
    from sim.workloads import exec as wexec
    from sim.workloads.proc import BufferSink
    from sim.workloads.shell import Shell, ShellExit

    box = get(CLUSTER, "pods", "box")
    state = __import__("sim.workloads.runtime", fromlist=["container"]).container(CLUSTER, box, "box")
    sink = BufferSink()
    proc = wexec._proc(CLUSTER, box, state, sink, sink, lambda: b"", False)
    try:
        status = Shell("busybox").run_text(" ".join(pieces), proc)
    except ShellExit as exc:
        status = exc.code
    assert isinstance(status, int)


CURL_PIECES = st.sampled_from(["-s", "-S", "-L", "-I", "-k", "-v", "-f", "-sSL", "-H", "Host: x", "-o",
                               "/tmp/o", "-w", "%{http_code}", "--cacert", "/etc/hostname", "-m", "1",
                               "http://", "https://", "web", "http://web:99999", "ftp://x", "http://[::1]/",
                               "http://example.com/a?b=c", "10.0.0.1", "--resolve", "a:80:1.2.3.4",
                               "--bogus", "-X", "POST", "-d", "a=b", ":", "http://:80/"])


@settings(max_examples=150, deadline=None)
@given(st.lists(CURL_PIECES, max_size=8))
def test_any_curl_command_line_gives_an_exit_code(pieces):
    from sim.workloads.commands.curl import Host, run_curl
    from sim.net import client as net

    outputs = []
    host = Host(net.node_client(CLUSTER, None), "7.64.0", lambda p: b"", lambda p, d: None,
                outputs.append, outputs.append, False, CLUSTER.clock.now)
    with CLUSTER.lock:
        assert isinstance(run_curl(host, ["curl", *pieces]), int)
