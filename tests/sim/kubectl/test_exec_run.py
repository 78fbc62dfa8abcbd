"""exec, run -i, logs and attach as the verb side does them: argument forms, container
choice, banners, the session's end, removal, exit codes. The container side is a stand-in."""

from __future__ import annotations

import sys
import types

import pytest

from tests.sim.kubectl.conftest import run_sim


class FakeRuntime:
    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.code = 0
        self.finish: str | None = None   # phase the pod reaches when a session ends

    def run(self, cluster, pod, container, argv, io, stdin=False, tty=False):
        self.calls.append(("exec", pod["metadata"]["name"], container, list(argv), stdin, tty))
        io.write_out("ran " + " ".join(argv) + "\n")
        return self.code

    def attach(self, cluster, pod, container, io, stdin=False, tty=False):
        self.calls.append(("attach", pod["metadata"]["name"], container, stdin, tty))
        io.write_out("$ exit\n")
        if self.finish:
            live = cluster.store.get("pods", pod["metadata"]["namespace"], pod["metadata"]["name"])
            live = dict(live, status={"phase": self.finish, "containerStatuses": [
                {"state": {"terminated": {"exitCode": 3 if self.finish == "Failed" else 0,
                                          "reason": "Error"}}}]})
            cluster.store.write(live)
        return 0

    def logs(self, cluster, pod, container):
        return f"log of {pod['metadata']['name']}/{container}\n"


@pytest.fixture
def runtime(monkeypatch):
    fake = FakeRuntime()
    exec_mod = types.ModuleType("sim.workloads.exec")
    exec_mod.run = fake.run
    exec_mod.attach = fake.attach
    runtime_mod = types.ModuleType("sim.workloads.runtime")
    runtime_mod.logs = fake.logs
    import sim.workloads as pkg
    monkeypatch.setitem(sys.modules, "sim.workloads.exec", exec_mod)
    monkeypatch.setitem(sys.modules, "sim.workloads.runtime", runtime_mod)
    monkeypatch.setattr(pkg, "exec", exec_mod, raising=False)
    monkeypatch.setattr(pkg, "runtime", runtime_mod, raising=False)
    return fake


def pod(name, containers=("app",), labels=None, phase="Running", created="2026-01-01T09:00:00Z"):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": labels or {},
                         "creationTimestamp": created},
            "spec": {"nodeName": "n1", "containers": [{"name": c, "image": "nginx"}
                                                      for c in containers]},
            "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True"}],
                       "containerStatuses": [
                           {"name": c, "state": {"running": {}} if phase == "Running" else
                            {"waiting": {"reason": "ContainerCreating"}}} for c in containers]}}


def test_exec_runs_the_command_after_dash(cluster, runtime):
    cluster.add(pod("p"))
    out = run_sim(cluster, ["exec", "p", "--", "printenv"], "/")
    assert (out.code, out.stdout, out.stderr) == (0, "ran printenv\n", "")
    assert runtime.calls == [("exec", "p", "app", ["printenv"], False, False)]


def test_exec_old_form_is_refused_as_v1_35_does(cluster, runtime):
    cluster.add(pod("p"))
    out = run_sim(cluster, ["exec", "-it", "p", "printenv"], "/")
    assert out.code == 1 and runtime.calls == []
    assert out.stderr == ("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] "
                          "-- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n")


def test_exec_defaulted_container_note_and_exit_code(cluster, runtime):
    cluster.add(pod("p", containers=("web", "side")))
    runtime.code = 2
    out = run_sim(cluster, ["exec", "p", "--", "false"], "/")
    assert out.code == 2
    assert out.stderr == ('Defaulted container "web" out of: web, side\n'
                          "command terminated with exit code 2\n")
    out = run_sim(cluster, ["exec", "p", "-c", "side", "--", "true"], "/")
    assert runtime.calls[-1][2] == "side" and "Defaulted" not in out.stderr


def test_exec_tty_without_terminal_and_with_one(cluster, runtime):
    cluster.add(pod("p"))
    out = run_sim(cluster, ["exec", "-it", "p", "--", "sh"], "/")
    assert out.stderr == "Unable to use a TTY - input is not a terminal or the right kind of file\n"
    assert runtime.calls[-1][-2:] == (True, False)
    out = run_sim(cluster, ["exec", "-it", "p", "--", "sh"], "/", stdin_is_tty=True)
    assert out.stderr == "" and runtime.calls[-1][-2:] == (True, True)


def test_exec_into_deployment_picks_a_running_pod(cluster, runtime):
    cluster.add({"apiVersion": "apps/v1", "kind": "Deployment",
                 "metadata": {"name": "web", "namespace": "default"},
                 "spec": {"selector": {"matchLabels": {"app": "web"}},
                          "template": {"metadata": {"labels": {"app": "web"}},
                                       "spec": {"containers": [{"name": "app", "image": "x"}]}}}})
    cluster.add(pod("web-b", labels={"app": "web"}, phase="Pending"))
    cluster.add(pod("web-a", labels={"app": "web"}))
    run_sim(cluster, ["exec", "deploy/web", "--", "hostname"], "/")
    assert runtime.calls[-1][1] == "web-a"


def test_exec_errors(cluster, runtime):
    cluster.add(pod("done", phase="Succeeded"))
    assert run_sim(cluster, ["exec", "done", "--", "ls"], "/").stderr == (
        "error: cannot exec into a container in a completed pod; current phase is Succeeded\n")
    assert run_sim(cluster, ["exec", "nope", "--", "ls"], "/").stderr == (
        'Error from server (NotFound): pods "nope" not found\n')
    assert run_sim(cluster, ["exec", "done"], "/").stderr == (
        "error: you must specify at least one command for the container\n")
    assert run_sim(cluster, ["exec"], "/").stderr == (
        "error: pod, type/name or --filename must be specified\n")


def _start_pods(cluster, phase="Running"):
    """What the kubelet would do: every pod without a phase gets ``phase``."""
    def wait_until(predicate, timeout=60.0, step=0.5):
        for p in cluster.store.list("pods"):
            if not (p.get("status") or {}).get("phase"):
                cluster.store.write(dict(p, status={"phase": phase, "conditions": [
                    {"type": "Ready", "status": "True"}], "containerStatuses": [
                    {"name": c["name"], "state": {"running": {}}}
                    for c in p["spec"]["containers"]]}))
        return predicate()
    cluster.wait_until = wait_until


def test_run_creates_a_pod(cluster, runtime):
    out = run_sim(cluster, ["run", "web", "--image=nginx", "--port=80"], "/")
    assert out.stdout == "pod/web created\n"
    created = cluster.store.get("pods", "default", "web")
    assert created["metadata"]["labels"] == {"run": "web"}
    assert created["spec"]["containers"][0]["ports"] == [{"containerPort": 80}]


def test_run_interactive_shell_banners_and_session_end(cluster, runtime):
    _start_pods(cluster)
    out = run_sim(cluster, ["run", "curl", "--image=radial/busyboxplus:curl", "-i", "--tty"], "/",
                  stdin_is_tty=True)
    assert out.code == 0
    assert out.stderr == (
        "All commands and output from this session will be recorded in container logs, "
        "including credentials and sensitive information passed through the command prompt.\n"
        "If you don't see a command prompt, try pressing enter.\n")
    assert out.stdout == ("$ exit\nSession ended, resume using 'kubectl attach curl -c curl -i -t'"
                          " command when the pod is running\n")
    spec = cluster.store.get("pods", "default", "curl")["spec"]["containers"][0]
    assert (spec["stdin"], spec["stdinOnce"], spec["tty"]) == (True, True, True)


def test_run_rm_of_a_finished_pod_streams_logs_then_deletes(cluster, runtime):
    _start_pods(cluster, phase="Succeeded")
    out = run_sim(cluster, ["run", "--image=centos:6", "--restart=Never", "--rm", "-i", "testpod",
                            "--", "curl", "-s", "http://10.0.0.1"], "/")
    assert (out.code, out.stderr) == (0, "")
    assert out.stdout == ("log of testpod/testpod\n"
                          'pod "testpod" deleted from default namespace\n')
    assert cluster.store.find("pods", "default", "testpod") is None
    assert runtime.calls == []


def test_run_never_returns_the_container_exit_code(cluster, runtime):
    _start_pods(cluster)
    runtime.finish = "Failed"
    out = run_sim(cluster, ["run", "t", "--image=busybox", "--restart=Never", "-i", "--rm",
                            "--", "false"], "/")
    assert out.code == 3
    assert out.stdout.endswith('pod "t" deleted from default namespace\n')
    assert out.stderr.endswith("pod default/t terminated (Error)\n")


def test_logs_of_pod_and_deployment(cluster, runtime):
    cluster.add(pod("p", containers=("a", "b")))
    out = run_sim(cluster, ["logs", "p", "-c", "b"], "/")
    assert (out.stdout, out.stderr) == ("log of p/b\n", "")
    out = run_sim(cluster, ["logs", "p"], "/")
    assert out.stderr == 'Defaulted container "a" out of: a, b\n'
    assert run_sim(cluster, ["logs", "p", "--tail=0"], "/").stdout == ""


def test_proxy_announces_then_serves_until_closed(cluster, monkeypatch):
    served = []
    import sim.kubectl.workloads as seam
    monkeypatch.setattr(seam, "serve_proxy", lambda c, port, io: served.append(port))
    out = run_sim(cluster, ["proxy", "--port=0"], "/")
    assert served and served[0] > 0
    assert out.stdout == f"Starting to serve on 127.0.0.1:{served[0]}\n"


def test_proxy_port_in_use(cluster):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = run_sim(cluster, ["proxy", "-p", str(port)], "/")
    assert (out.code, out.stdout) == (1, "")
    assert out.stderr == f"error: listen tcp 127.0.0.1:{port}: bind: address already in use\n"


def test_attach_to_a_running_pod(cluster, runtime):
    cluster.add(pod("p"))
    out = run_sim(cluster, ["attach", "p", "-i"], "/")
    assert runtime.calls == [("attach", "p", "app", True, False)]
    assert out.stderr.endswith("If you don't see a command prompt, try pressing enter.\n")
    done = pod("d", phase="Succeeded")
    cluster.add(done)
    out = run_sim(cluster, ["attach", "d"], "/")
    assert out.stderr == ("error: cannot attach a container in a completed pod; current phase "
                          "is Succeeded\n")


def test_logs_of_a_deployment_names_the_pod_it_used(cluster, runtime):
    cluster.add({"apiVersion": "apps/v1", "kind": "Deployment",
                 "metadata": {"name": "web", "namespace": "default"},
                 "spec": {"selector": {"matchLabels": {"app": "web"}},
                          "template": {"metadata": {"labels": {"app": "web"}},
                                       "spec": {"containers": [{"name": "app", "image": "x"}]}}}})
    cluster.add(pod("web-a", labels={"app": "web"}))
    cluster.add(pod("web-b", labels={"app": "web"}, created="2026-01-01T09:00:05Z"))
    out = run_sim(cluster, ["logs", "deploy/web"], "/")
    assert (out.stdout, out.stderr) == ("log of web-a/app\n", "Found 2 pods, using pod/web-a\n")


def test_exec_and_logs_on_a_container_that_is_not_running(cluster, runtime):
    waiting = pod("w", phase="Pending")
    waiting["status"]["containerStatuses"][0]["state"] = {
        "waiting": {"reason": "ImagePullBackOff"}}
    cluster.add(waiting)
    out = run_sim(cluster, ["exec", "w", "--", "ls"], "/")
    assert out.stderr == 'error: unable to upgrade connection: container not found ("app")\n'
    out = run_sim(cluster, ["logs", "w"], "/")
    assert out.stderr == ('Error from server (BadRequest): container "app" in pod "w" is waiting '
                          "to start: trying and failing to pull image\n")
    assert runtime.calls == []


def test_logs_by_selector_tail_ten_lines_each(cluster, runtime, monkeypatch):
    cluster.add(pod("a", labels={"app": "x"}))
    cluster.add(pod("b", labels={"app": "x"}))
    many = "".join(f"line {i}\n" for i in range(15))
    import sim.workloads.runtime as rt_mod
    monkeypatch.setattr(rt_mod, "logs", lambda c, p, name: many)
    out = run_sim(cluster, ["logs", "-l", "app=x"], "/")
    expected = "".join(f"line {i}\n" for i in range(5, 15))
    assert out.stdout == expected * 2
    out = run_sim(cluster, ["logs", "-l", "app=x", "--tail=1", "--prefix"], "/")
    assert out.stdout == "[pod/a/app] line 14\n[pod/b/app] line 14\n"
    assert run_sim(cluster, ["logs", "-l", "app=none"], "/").stderr == \
        "No resources found in default namespace.\n"
