"""How waiting passes in a session: at once on the virtual clock, or in real time.

The runner tells every session how it is followed (``TUTORIAL_RUNNER_TIME`` in the
session's environment, which the cluster process inherits): ``virtual`` when nobody
watches (``check``, ``update``, the tests, the site's build), ``real`` when a person does
(``play``, ``shell``). A wait a transcript asks for (``sleep N`` in the session's shell or
in a container) then moves the cluster's clock N seconds at once, controllers running as
the time passes, or takes N real seconds with the clock moving in step.

Programs are real processes all the same: when the session has background jobs (a
``kubectl proxy … &`` that a ``sleep 1`` waits for), a virtual ``sleep N`` also gives them
up to ``BACKGROUND_GRACE`` real seconds (never more than N).

``sleep N &`` (a background job) moves nothing by itself: it ends once the clock has
passed its end (the commands typed meanwhile move it), or after N real seconds when
nothing does. The command that carries the clock past its end waits until the job's
process has ended, so that bash reports it (``[1]+ Done``) at the same prompt every run.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

VARIABLE = "TUTORIAL_RUNNER_TIME"
_KEY = "pace"                   # cluster.runtime[_KEY]: "real" or "virtual" (a string)
_SLEEPERS = "pace.sleepers"     # cluster.runtime[_SLEEPERS]: the background sleeps (a list)
REAL_STEP = 0.25                # real mode: the clock moves in steps of this many seconds
POLL = 0.02                     # a background sleep looks at the clock this often
SETTLE_SECONDS = 2.0            # the longest a command waits for a background sleep to end
BACKGROUND_GRACE = 1.0          # real seconds at most that a virtual sleep gives the
                                # session's background jobs (`kubectl proxy &`) to get going

_DURATION = re.compile(r"\s*\+?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|(?i:inf(?:inity)?))([smhd]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def configure(cluster: Any, environ: Any = None) -> None:
    """Read the session's choice (the cluster process's own environment by default)."""
    environ = os.environ if environ is None else environ
    cluster.runtime[_KEY] = "real" if environ.get(VARIABLE) == "real" else "virtual"


def is_real(cluster: Any) -> bool:
    return cluster.runtime.get(_KEY) == "real"


def parse_duration(args: list[str]) -> float | None:
    """The seconds ``sleep ARGS…`` waits (GNU and busybox alike: numbers with an optional
    ``s``/``m``/``h``/``d`` suffix, fractions, ``inf``/``infinity``, summed); None when
    an argument is not one (an option, a typo): the real program says what is wrong."""
    if not args:
        return None
    total = 0.0
    for arg in args:
        m = _DURATION.fullmatch(arg)
        if m is None:
            return None
        number = arg[: m.start(1)] if m.group(1) else arg
        try:
            total += float(number) * _UNITS[m.group(1)]
        except ValueError:
            return None
    return total


def let_pass(cluster: Any, seconds: float, closed: Any = None) -> bool:
    """``seconds`` of the cluster's time pass (controllers run as they do): at once, or in
    real time with the clock in step. False when ``closed()`` said the caller went away
    (Ctrl-C) first. The cluster's lock is free for others while a real wait lasts, even
    when the caller holds it."""
    if seconds <= 0:
        return True
    if not is_real(cluster):
        with cluster.lock:
            cluster.run_for(seconds)
        return True
    # a Condition on the cluster's RLock releases it whole while waiting, however deep
    condition = threading.Condition(cluster.lock)
    end = time.monotonic() + seconds
    with condition:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return True
            if closed is not None and closed():
                return False
            started = time.monotonic()
            condition.wait(min(left, REAL_STEP))
            cluster.run_for(time.monotonic() - started)


@dataclass
class _Sleeper:
    end: Any                    # the virtual moment it ends at
    pid: int | None             # the caller's process, as the cluster process numbers it
    gone: threading.Event = field(default_factory=threading.Event)


def _ended(pid: int | None) -> bool:
    """The process has exited (a zombie waiting for bash counts) or is not ours to see."""
    if not pid:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[-1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def _stat(pid: int | str) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command name (state, ppid, pgrp, session …)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[-1].split()
    except OSError:
        return None


def background_jobs(pid: int | None) -> bool:
    """Does the terminal session of process ``pid`` have processes running outside its
    foreground process group (background jobs)?"""
    own = _stat(pid) if pid else None
    if not own or len(own) < 6:
        return False
    session, foreground = own[3], own[5]
    if int(foreground) <= 0:
        return False            # no terminal: no jobs to tell apart
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat(entry)
        if fields and len(fields) > 5 and fields[3] == session and fields[2] != foreground \
                and fields[0] not in (b"Z", b"X", b"T", b"t"):
            return True
    return False


def _sleepers(cluster: Any) -> list[_Sleeper]:
    with cluster.lock:
        return cluster.runtime.setdefault(_SLEEPERS, [])


def sleep_in_background(cluster: Any, seconds: float, io: Any) -> int:
    """``sleep N &``: ends when the clock passes its end (or after N real seconds)."""
    if is_real(cluster):
        io.wait_closed(seconds)
        return 0
    with cluster.lock:
        sleeper = _Sleeper(cluster.clock.now() + timedelta(seconds=seconds),
                           getattr(io, "pid", None))
        _sleepers(cluster).append(sleeper)
    try:
        give_up = time.monotonic() + seconds
        while cluster.clock.now() < sleeper.end and time.monotonic() < give_up:
            if io.wait_closed(POLL):
                return 130
        # end the caller now and see it gone, so that the command that moved the clock
        # past the end returns only after it (bash then reports the job at its prompt)
        io.finish(0)
        limit = time.monotonic() + SETTLE_SECONDS
        while not _ended(sleeper.pid) and time.monotonic() < limit:
            time.sleep(0.005)
        return 0
    finally:
        sleeper.gone.set()
        with cluster.lock:
            listed = _sleepers(cluster)
            if sleeper in listed:
                listed.remove(sleeper)


def settle(cluster: Any) -> None:
    """Before a command returns: wait for the background sleeps whose end the clock has
    passed to have ended (bounded: a caller that does not end is not waited for long)."""
    with cluster.lock:
        now = cluster.clock.now()
        due = [s for s in cluster.runtime.get(_SLEEPERS, ()) if s.end <= now]
    limit = time.monotonic() + SETTLE_SECONDS
    for sleeper in due:
        sleeper.gone.wait(max(0.0, limit - time.monotonic()))


def sleep(cluster: Any, argv: list[str], io: Any) -> int:
    """The session's ``sleep``: the real program's syntax and messages, the cluster's time.

    Anything but finite durations (``--help``, a typo, ``infinity``) runs the real
    program, which prints what the real one prints or waits until interrupted."""
    seconds = parse_duration(argv[1:])
    if seconds is None or seconds == float("inf") or seconds != seconds:
        io.exec_local(["sleep", *argv[1:]])
    if getattr(io, "background", False):
        return sleep_in_background(cluster, seconds, io)
    if not is_real(cluster) and background_jobs(getattr(io, "pid", None)):
        if io.wait_closed(min(seconds, BACKGROUND_GRACE)):
            return 130
    return 0 if let_pass(cluster, seconds, io.closed) else 130
