"""`sleep` moves the cluster's clock: at once when nobody watches (check), in real time
with the clock in step when a reader follows (play); in the session's shell and in pods."""

from __future__ import annotations

import textwrap
import time
from datetime import timedelta

import pytest

from sim import pace
from sim.cluster import Cluster
from sim.daemon import ExecLocal
from tests.sim.conftest import deployment
from tutorial_runner.document import parse_text
from tutorial_runner.engine import run_session
from tutorial_runner.environment import load_environment


@pytest.mark.parametrize("args,seconds", [
    (["5"], 5), (["0.5"], 0.5), ([".5s"], 0.5), (["1m"], 60), (["2h"], 7200), (["1d"], 86400),
    (["1m", "30"], 90), (["+1"], 1), (["1e1"], 10), (["3"] * 3, 9),
    (["inf"], float("inf")), (["infinity"], float("inf")),
])
def test_durations_as_gnu_and_busybox_sleep_read_them(args, seconds):
    assert pace.parse_duration(args) == seconds


@pytest.mark.parametrize("args", [[], ["x"], ["1x"], ["-5"], [""], ["1 "], ["nan"], ["1mm"],
                                  ["--help"], ["5", "y"]])
def test_anything_else_is_left_to_the_real_program(args):
    assert pace.parse_duration(args) is None


class IO:
    """What the sleep tool sees of its caller."""

    def __init__(self, background=False, pid=None):
        self.background, self.pid = background, pid
        self.finished: list[int] = []
        self.is_closed = False

    def closed(self):
        return self.is_closed

    def wait_closed(self, timeout=None):
        if timeout:
            time.sleep(min(timeout, 0.05))
        return self.is_closed

    def finish(self, code):
        self.finished.append(code)

    def exec_local(self, argv):
        raise ExecLocal(argv)


def _cluster(mode: str) -> Cluster:
    cluster = Cluster("default")
    pace.configure(cluster, {pace.VARIABLE: mode})
    return cluster


def test_a_virtual_sleep_moves_the_clock_at_once_and_controllers_run_meanwhile():
    cluster = _cluster("virtual")
    cluster.store.create(deployment("web", replicas=2))
    cluster.reconcile()
    before = cluster.clock.now()
    started = time.monotonic()
    assert pace.sleep(cluster, ["sleep", "1m", "30"], IO()) == 0
    assert time.monotonic() - started < 90      # the wait was not taken for real
    assert cluster.clock.now() - before == timedelta(seconds=90)
    pods = cluster.store.list("pods", "default")
    assert len(pods) == 2 and all(p["status"]["phase"] == "Running" for p in pods)


def test_a_real_sleep_takes_its_time_with_the_clock_in_step():
    cluster = _cluster("real")
    before = cluster.clock.now()
    started = time.monotonic()
    assert pace.sleep(cluster, ["sleep", "0.6"], IO()) == 0
    took = time.monotonic() - started
    moved = (cluster.clock.now() - before).total_seconds()
    assert 0.6 <= took < 3
    assert moved == pytest.approx(took, abs=0.3)


def test_a_real_sleep_ends_when_the_caller_goes_away():
    cluster = _cluster("real")
    io = IO()
    io.is_closed = True
    assert pace.sleep(cluster, ["sleep", "30"], io) == 130


def test_a_real_wait_leaves_the_cluster_lock_to_others():
    import threading

    cluster = _cluster("real")
    got = []

    def other():
        if cluster.lock.acquire(timeout=2):
            got.append(True)
            cluster.lock.release()

    with cluster.lock:
        with cluster.lock:     # however deep the caller holds it
            thread = threading.Thread(target=other)
            thread.start()
            pace.let_pass(cluster, 0.3)
            thread.join()
    assert got == [True]


@pytest.mark.parametrize("argv", [["sleep", "infinity"], ["sleep", "x"], ["sleep", "--help"],
                                  ["sleep"]])
def test_infinity_and_mistakes_run_the_real_program(argv):
    with pytest.raises(ExecLocal) as raised:
        pace.sleep(_cluster("virtual"), argv, IO())
    assert raised.value.argv == ["sleep", *argv[1:]]


def test_a_background_sleep_ends_when_the_clock_passes_its_end():
    import threading

    cluster = _cluster("virtual")
    io = IO(background=True)
    result = []
    thread = threading.Thread(target=lambda: result.append(pace.sleep(cluster, ["sleep", "1h"], io)))
    thread.start()
    time.sleep(0.2)
    assert thread.is_alive() and io.finished == []        # the clock has not moved
    cluster.run_for(3601)
    pace.settle(cluster)                                   # waits for it to be done
    assert io.finished == [0]                              # not an hour later
    thread.join()
    assert result == [0]


def _run(text: str):
    document = parse_text(textwrap.dedent(text), "doc.md")
    [session] = document.sessions
    return run_session(session, load_environment("sim"), cache=None)


def test_sleep_in_a_transcript_ages_what_the_cluster_shows_without_waiting():
    started = time.monotonic()
    result = _run('''
        ```{transcript}
        $ kubectl create deployment web --image=nginx
        deployment.apps/web created
        $ sleep 600
        $ kubectl get deployment web
        NAME   READY   UP-TO-DATE   AVAILABLE   AGE
        web    1/1     1            1           10m
        $ kubectl exec deploy/web -- sleep 1h
        $ kubectl get deployment web
        NAME   READY   UP-TO-DATE   AVAILABLE   AGE
        web    1/1     1            1           70m
        $ sleep 1m 30s &
        ...
        $ sleep 2m
        [1]+  Done                    sleep 1m 30s
        $ echo back
        back
        ```
        ''')
    assert result.ok, [(s.command, s.live, s.note) for b in result.blocks for s in b.steps]
    assert time.monotonic() - started < 600     # the first sleep was not taken for real


def test_in_play_a_sleep_takes_real_time():
    document = parse_text(textwrap.dedent('''
        ```{transcript}
        $ sleep 1.5
        $ echo done
        done
        ```
        '''), "doc.md")
    [session] = document.sessions
    result = run_session(session, load_environment("sim"), cache=None, clock="real")
    assert result.ok
    assert result.blocks[0].steps[0].state == "prompt"
    # the first step's own elapsed time is not kept: the whole run says it
    assert result.elapsed >= 1.5


def test_a_prompt_nobody_answers_fails_at_once_and_slow_commands_still_finish():
    """The shim waits on the keyboard only when the cluster asks for input: a waiting
    kubectl is told from a working one (:timeout: 120 is never reached by either)."""
    result = _run('''
        ```{transcript}
        :timeout: 120
        $ kubectl apply -f -
        $ kubectl create deployment web --image=nginx
        deployment.apps/web created
        $ kubectl rollout status deployment/web
        ...
        deployment "web" successfully rolled out
        $ kubectl wait --for=condition=Available deployment/web
        deployment.apps/web condition met
        $ kubectl exec -it deploy/web -- sh
        $ echo back
        back
        ```
        ''')
    steps = result.blocks[0].steps
    states = [(s.command, s.state, s.ok) for s in steps]
    assert states == [
        ("kubectl apply -f -", "waiting", False),
        ("kubectl create deployment web --image=nginx", "prompt", True),
        ("kubectl rollout status deployment/web", "prompt", True),
        ("kubectl wait --for=condition=Available deployment/web", "prompt", True),
        ("kubectl exec -it deploy/web -- sh", "waiting", False),
        ("echo back", "prompt", True)], [(s.command, s.note, s.live) for s in steps]
    assert "waiting for input that the transcript does not give: kubectl" in steps[0].note
    # the container's shell prompt is on the screen, and in the note
    assert steps[4].live[-1].strip() == "#" and "at '#'" in steps[4].note


def test_a_virtual_sleep_still_gives_background_jobs_real_time_to_start():
    result = _run('''
        ```{transcript}
        $ kubectl proxy --port=18765 >proxy.log 2>&1 &
        ...
        $ sleep 1; cat proxy.log
        Starting to serve on 127.0.0.1:18765
        ```
        ''')
    assert result.ok, [(s.command, s.live, s.note) for b in result.blocks for s in b.steps]

