"""A reader's own terminal on a page's session, and the command boundaries in its bytes.

The shell is the one ``check`` runs (:class:`tutorial_runner.session.ShellSession`: the
same sandbox, environment and working directory), switched to what a person at a terminal
expects: echo, line editing and history, ``TERM=xterm-256color``.  Its prompts still carry
salted markers, framed by \\x1e and \\x1f and hidden from readline's width count:

- ``PS0`` (shown once a command is read, before it runs) ``S`` + the command's history
  entry in base64: a command starts, and this is its text;
- ``PS1`` ``P`` + ``$?``: the command ended with that status, bash waits again;
- ``PS2`` ``C``: bash wants more lines of the same command.

:class:`MarkerStream` takes those out of the byte stream (the reader sees ``$ `` and
``> ``) and says where commands start and end.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import resource
from dataclasses import dataclass, replace

from tutorial_runner.engine import _safe_parts, write_inside
from tutorial_runner.environment import Environment
from tutorial_runner.model import Block
from tutorial_runner.sandbox import Sandbox, choose
from tutorial_runner.session import ShellSession, normalize

MARKER_LIMIT = 1 << 20      # the longest command text a start marker may carry


@dataclass(frozen=True)
class Limits:
    """What one reader's session may use."""

    memory: int = 2 << 30           # bytes of address space per process (RLIMIT_AS)
    processes: int = 512            # processes at once: the pid namespace's pid_max (>= 301)
    cpu_seconds: int = 900          # CPU time per process (RLIMIT_CPU)
    file_size: int = 256 << 20      # bytes per file written (RLIMIT_FSIZE)
    wall_seconds: float = 3600.0    # a session's whole life
    idle_seconds: float = 600.0     # without a key from the reader
    output_kept: int = 1_000_000    # bytes of one command's output kept for matching

    def rlimits(self) -> dict[int, int]:
        return {resource.RLIMIT_AS: self.memory, resource.RLIMIT_CPU: self.cpu_seconds,
                resource.RLIMIT_FSIZE: self.file_size, resource.RLIMIT_CORE: 0}


@dataclass(frozen=True)
class Output:
    data: bytes


@dataclass(frozen=True)
class Started:
    history: int         # bash's history number of the command
    command: str


@dataclass(frozen=True)
class Prompt:
    status: int


@dataclass(frozen=True)
class More:
    pass


Event = Output | Started | Prompt | More


class MarkerStream:
    """Splits a terminal byte stream into what the reader sees and the markers."""

    def __init__(self, salt: str):
        tag = re.escape(salt.encode())
        self._marker = re.compile(rb"\x1e" + tag + rb"(?:S([A-Za-z0-9+/=]*)|P(\d+)|(C))\x1f")
        self._start = b"\x1e" + salt.encode()
        self._buffer = b""

    def feed(self, data: bytes) -> list[Event]:
        buf = self._buffer + data
        events: list[Event] = []
        position = 0
        while True:
            match = self._marker.search(buf, position)
            if match is None:
                break
            if match.start() > position:
                events.append(Output(buf[position:match.start()]))
            if match.group(1) is not None:
                started = _started(match.group(1))
                if started is not None:
                    events.append(started)
            elif match.group(2) is not None:
                events.append(Prompt(int(match.group(2))))
            else:
                events.append(More())
            position = match.end()
        rest = buf[position:]
        keep = _partial_marker(rest, self._start)
        if keep < len(rest):
            events.append(Output(rest[:keep] if keep >= 0 else rest))
        self._buffer = rest[keep:] if keep >= 0 else b""
        return [event for event in events if not isinstance(event, Output) or event.data]


def _partial_marker(rest: bytes, start: bytes) -> int:
    """Where an unfinished marker begins in ``rest`` (-1: none), so that it waits for more."""
    at = rest.rfind(b"\x1e")
    if at < 0 or b"\x1f" in rest[at:] or len(rest) - at > MARKER_LIMIT:
        return -1
    head = rest[at:at + len(start)]
    return at if start.startswith(head) else -1


def _started(encoded: bytes) -> Started | None:
    try:
        entry = base64.b64decode(encoded, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None
    match = re.match(r"\s*(\d+)\*?\s\s", entry)
    if match is None:
        return None
    command = entry[match.end():]
    return Started(int(match.group(1)), command[:-1] if command.endswith("\n") else command)


class LiveShell:
    """One reader's shell: a page session's environment in the sandbox, with limits."""

    def __init__(self, environment: Environment, profile: str | None, *,
                 sandbox: str | Sandbox = "auto", kubectl: str | None = None,
                 limits: Limits = Limits(), size: tuple[int, int] = (24, 80)):
        chosen = sandbox if isinstance(sandbox, Sandbox) else choose(sandbox)
        chosen = replace(chosen, process_cap=limits.processes)
        self.limits = limits
        # a person follows the session: waits take their real time, as in play and shell
        self.shell = ShellSession(sandbox=chosen, rlimits=limits.rlimits(), clock="real",
                                  rows=size[0], columns=size[1])
        self.environment = environment
        self.profile = profile
        self.kubectl = kubectl
        self.stream = MarkerStream(self.shell.salt)
        self.first: bytes = b""

    @property
    def fd(self) -> int:
        assert self.shell.child is not None
        return self.shell.child.child_fd

    @property
    def salt(self) -> str:
        return self.shell.salt

    def start(self) -> None:
        """The environment and bash (blocking: seconds at most); then the reader's settings."""
        chosen = {"kubectl": self.kubectl} if self.kubectl else {}
        prepared = self.environment.prepare(self.shell.workdir, self.shell.statedir,
                                            self.profile, **chosen)
        self.input_prompts = dict(prepared.input_prompts)
        self.shell.start(prepared)
        ready = self.shell.run(self._reader_settings(), timeout=15)
        if ready.state != "prompt":
            raise RuntimeError(f"the shell did not take the reader's settings: {ready.text!r}")
        self.first = self.shell.take_pending()

    def _reader_settings(self) -> str:
        salt = self.salt
        ps1 = "$'\\\\[\\x1e" + salt + "P'" + "'${?}'" + "$'\\x1f\\\\]$ '"
        ps2 = "$'\\\\[\\x1e" + salt + "C\\x1f\\\\]> '"
        ps0 = ("$'\\x1e" + salt + "S'"
               + "'$(HISTTIMEFORMAT= builtin history 1 | base64 -w0)'" + "$'\\x1f'")
        return ("stty echo; export TERM=xterm-256color; set -o emacs -o history; "
                "HISTCONTROL= HISTSIZE=1000; shopt -s lithist cmdhist checkwinsize; "
                f"_tutorial_ps1={ps1} _tutorial_ps2={ps2} PS0={ps0}")

    def write_files(self, blocks: list[Block]) -> list[str]:
        """``tutorial-file`` blocks into the working directory, as ``check`` writes them;
        the names of those that could not be written."""
        refused = []
        for block in blocks:
            parts = _safe_parts(block.filename or "")
            try:
                if parts is None:
                    raise OSError("unsafe name")
                write_inside(self.shell.workdir, parts, (block.text + "\n").encode("utf-8"))
            except OSError:
                refused.append(block.filename or "")
        return refused

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def resize(self, rows: int, columns: int) -> None:
        if self.shell.child is not None:
            self.shell.child.setwinsize(max(2, min(rows, 500)), max(10, min(columns, 1000)))

    def alive(self) -> bool:
        return self.shell.child is not None and self.shell.child.isalive()

    def pids(self) -> list[int]:
        from tutorial_runner.session import session_processes

        leader = self.shell.child.pid if self.shell.child is not None else None
        return session_processes(self.salt, leader)

    def close(self) -> None:
        self.shell.close()


def output_lines(raw: bytes) -> list[str]:
    """A command's terminal output as the lines ``check`` would compare."""
    text, _ = normalize(raw)
    if not text:
        return []
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")

