"""A container's life as the kubelet runs it: liveness, readiness and startup probes
(Unhealthy events, thresholds, restarts), the crash-loop back-off, preStop hooks and the
termination grace period."""

from __future__ import annotations

from simkit import create, get, new_cluster, pod, sh


def _events(cluster, name):
    with cluster.lock:
        return [(e["type"], e["reason"], e["message"], e.get("count", 1))
                for e in cluster.store.list("events", "default")
                if e["involvedObject"]["name"] == name]


def _status(cluster, name):
    return get(cluster, "pods", name)["status"]["containerStatuses"][0]


def _wait(cluster, seconds):
    with cluster.lock:
        cluster.run_for(seconds)


def test_liveness_probe_failing_three_times_restarts_the_container_after_its_grace_period():
    cluster = new_cluster()
    probe = {"exec": {"command": ["cat", "/tmp/healthy"]}, "initialDelaySeconds": 5,
             "periodSeconds": 5}
    create(cluster, pod("liveness", "registry.k8s.io/busybox", terminationGracePeriodSeconds=10,
                        container={"args": ["/bin/sh", "-c", "touch /tmp/healthy; sleep 600"],
                                   "livenessProbe": probe}), settle=20)
    assert _status(cluster, "liveness")["restartCount"] == 0
    assert sh(cluster, get(cluster, "pods", "liveness"), "rm /tmp/healthy")[0] == 0
    _wait(cluster, 4)                  # at most one failed probe: nothing happens yet
    assert not any(e[1] == "Killing" for e in _events(cluster, "liveness"))
    _wait(cluster, 12)                 # the third failure (probes every 5 s): killed
    unhealthy = [e for e in _events(cluster, "liveness") if e[1] == "Unhealthy"]
    assert unhealthy == [("Warning", "Unhealthy", "Liveness probe failed: cat: can't open "
                          "'/tmp/healthy': No such file or directory", 3)]
    assert ("Normal", "Killing", "Container liveness failed liveness probe, will be restarted", 1) \
        in _events(cluster, "liveness")
    assert _status(cluster, "liveness")["restartCount"] == 0   # sh ignores SIGTERM
    _wait(cluster, 10)                 # the grace period is over: SIGKILL, restarted at once
    status = _status(cluster, "liveness")
    assert status["restartCount"] == 1 and "running" in status["state"]
    assert status["lastState"]["terminated"]["exitCode"] == 137
    assert status["lastState"]["terminated"]["reason"] == "Error"
    # the new container has its own file system again: the probe passes
    _wait(cluster, 30)
    assert _status(cluster, "liveness")["restartCount"] == 1


def test_readiness_needs_failure_threshold_failures_and_success_threshold_successes():
    cluster = new_cluster()
    probe = {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 2, "failureThreshold": 3,
             "successThreshold": 2}
    create(cluster, pod("web", "nginx", container={"readinessProbe": probe}), settle=10)
    assert _status(cluster, "web")["ready"] is True
    sh(cluster, get(cluster, "pods", "web"), "mv /usr/share/nginx/html/index.html /tmp/")
    _wait(cluster, 3)
    assert _status(cluster, "web")["ready"] is True      # one or two failures are not enough
    _wait(cluster, 4)
    assert _status(cluster, "web")["ready"] is False
    ready = next(c for c in get(cluster, "pods", "web")["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False" and ready["message"] == "containers with unready status: [web]"
    assert ("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 403") \
        in [e[:3] for e in _events(cluster, "web")]
    sh(cluster, get(cluster, "pods", "web"), "mv /tmp/index.html /usr/share/nginx/html/")
    _wait(cluster, 2.5)
    assert _status(cluster, "web")["ready"] is False     # one success of two
    _wait(cluster, 2)
    assert _status(cluster, "web")["ready"] is True
    assert _status(cluster, "web")["restartCount"] == 0  # readiness never restarts


def test_startup_probe_holds_the_other_probes_and_restarts_a_container_that_never_starts():
    cluster = new_cluster()
    create(cluster, pod("slow", "nginx", container={
        "startupProbe": {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 5,
                         "failureThreshold": 2},
        "livenessProbe": {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 1}}), settle=3)
    status = _status(cluster, "slow")
    assert status["started"] is False and status["ready"] is False
    _wait(cluster, 10)
    events = _events(cluster, "slow")
    assert not any("Liveness" in e[2] for e in events)
    assert any(e[2].startswith('Startup probe failed: Get "http://') and
               e[2].endswith(':8080/": dial tcp ' + get(cluster, "pods", "slow")["status"]["podIP"]
                             + ':8080: connect: connection refused') for e in events)
    assert ("Normal", "Killing", "Container slow failed startup probe, will be restarted") \
        in [e[:3] for e in events]
    _wait(cluster, 2)
    status = _status(cluster, "slow")
    assert status["restartCount"] == 1
    assert status["lastState"]["terminated"]["exitCode"] == 0     # nginx stops on SIGTERM


def test_crash_loop_back_off_doubles_from_ten_seconds():
    cluster = new_cluster()
    create(cluster, pod("crash", "busybox", container={"command": ["sh", "-c", "exit 3"]}), settle=2)
    restarts = []
    for _ in range(160):
        _wait(cluster, 1)
        restarts.append(_status(cluster, "crash")["restartCount"])
    # started again at once after the first exit, then after 10 s, 20 s, 40 s, 80 s
    changes = [i for i in range(1, len(restarts)) if restarts[i] != restarts[i - 1]]
    gaps = [b - a for a, b in zip(changes, changes[1:])]
    assert restarts[0] == 1 and len(gaps) == 3
    assert all(abs(gap - want) <= 1 for gap, want in zip(gaps, (20, 40, 80)))
    status = _status(cluster, "crash")
    assert status["lastState"]["terminated"]["exitCode"] == 3
    waiting = status["state"].get("waiting")
    if waiting:
        assert waiting["reason"] == "CrashLoopBackOff"
        assert waiting["message"].startswith("back-off ") and "restarting failed container=crash pod=crash_default(" in waiting["message"]


def test_pre_stop_hook_and_grace_period_keep_a_pod_terminating():
    cluster = new_cluster()
    hook = {"preStop": {"exec": {"command": ["sh", "-c", "sleep 15"]}}}
    create(cluster, pod("web", "nginx", terminationGracePeriodSeconds=60,
                        container={"lifecycle": hook}),
           pod("sleeper", "busybox", container={"command": ["sleep", "3600"]}),
           pod("quick", "nginx"),
           pod("broken", "nginx", container={"lifecycle": {"preStop": {"exec": {"command": [
               "sh", "-c", "echo bye; exit 1"]}}}}), settle=10)
    with cluster.lock:
        for name in ("web", "sleeper", "quick", "broken"):
            cluster.store.delete("pods", "default", name)
    _wait(cluster, 5)

    def present(name):
        with cluster.lock:
            return cluster.store.find("pods", "default", name) is not None
    assert not present("quick") and not present("broken")
    assert present("web") and present("sleeper")
    assert get(cluster, "pods", "web")["metadata"]["deletionTimestamp"]
    _wait(cluster, 12)
    assert not present("web")              # the hook's 15 s, then nginx stops at once
    assert present("sleeper")              # sleep ignores SIGTERM: the whole 30 s
    _wait(cluster, 15)
    assert not present("sleeper")
    failed = [e for e in _events(cluster, "broken") if e[1] == "FailedPreStopHook"]
    assert len(failed) == 1 and failed[0][0] == "Warning"
    assert failed[0][2].startswith('Exec lifecycle hook ([sh -c echo bye; exit 1]) for Container '
                                   '"broken" in Pod "broken_default(')
    assert failed[0][2].endswith(")\" failed - error: command 'sh -c echo bye; exit 1' exited "
                                 'with 1: , message: "bye\\n"')


def test_a_tutorial_of_probes_and_graceful_termination_verifies(tmp_path):
    from pathlib import Path

    from tutorial_runner.cli import main

    document = Path(__file__).parent.parent / "net" / "transcripts" / "lifecycle.md"
    assert main(["check", "--no-cache", "--cache-dir", str(tmp_path), str(document)]) == 0
