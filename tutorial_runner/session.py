"""One real bash behind a pseudo-terminal, driven command by command.

bash's prompts are salted markers: PS1 carries the last exit status, PS2 says bash wants
more input.  Anything else that stops printing without a marker is either still busy or
an interactive program waiting at its own prompt; only the caller knows which to expect,
so it is asked through a predicate on the partial line.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import select
import shlex
import shutil
import signal
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

import pexpect

from tutorial_runner.environment import SessionEnvironment
from tutorial_runner.sandbox import Sandbox, choose
from tutorial_runner.waiting import terminal_device, waiting_for_input

State = Literal["prompt", "continuation", "interactive", "timeout", "exited", "overflow",
                "waiting"]

MARKER_VARIABLE = "TUTORIAL_RUNNER_SESSION"
# how the session is followed: "virtual" (nobody watches: an environment may let waits
# pass at once) or "real" (a person follows: waits take their real time)
TIME_VARIABLE = "TUTORIAL_RUNNER_TIME"
TIME_MODES = ("virtual", "real")
RUNNER_PID_VARIABLE = "TUTORIAL_RUNNER_PID"
BASE_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
DEFAULT_OUTPUT_LIMIT = 1_000_000
COLUMNS, ROWS = 200, 50
# a command whose output stopped this long, with everything in the terminal's foreground
# waiting for the keyboard for as long again, waits for input that will never come
WAITING_QUIET = 0.3
WAITING_CONFIRM = 0.3
_CANONICAL_LIMIT = 4000   # the line discipline keeps 4095 bytes of a line in canonical mode

_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"            # CSI: colours, cursor movement
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*\x1b\\"           # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]"                    # every other escape: ESC c (reset), ESC 7, ESC ( B …
    r"|\x1b"                               # a lone ESC at the end
)


class SessionError(RuntimeError):
    """The shell could not be started, or the environment failed to come up."""


@dataclass
class CommandOutput:
    text: str
    exit_status: int | None
    state: State
    prompt: str = ""          # "interactive": the program's prompt (the partial last line)
    binary: bool = False      # bytes that were not UTF-8 were replaced
    recovered: bool = True    # "timeout"/"overflow"/"waiting": the shell is back at its prompt
    elapsed: float = 0.0
    waiting: str = ""         # "waiting": who waits for the keyboard, e.g. "cat"

    @property
    def lines(self) -> list[str]:
        if not self.text:
            return []
        return self.text[:-1].split("\n") if self.text.endswith("\n") else self.text.split("\n")


def normalize(raw: bytes) -> tuple[str, bool]:
    """Terminal bytes as the text a reader sees, and whether any were not UTF-8."""
    try:
        text, binary = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        text, binary = raw.decode("utf-8", errors="replace"), True
    text = _ANSI.sub("", text).replace("\r\n", "\n")
    if "\r" in text:
        text = "\n".join(_overprint(line) for line in text.split("\n"))
    return text, binary


def _overprint(line: str) -> str:
    """A carriage return without a newline lets later text overwrite the line's start."""
    shown: list[str] = []
    for part in line.split("\r"):
        shown[: len(part)] = list(part)
    return "".join(shown)


@dataclass
class _Reader:
    """Bytes of the command being read: kept up to a limit, scanned for the markers."""

    limit: int
    kept: bytearray = field(default_factory=bytearray)
    total: int = 0
    tail: bytes = b""

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.limit - len(self.kept)
        if room > 0:
            self.kept += chunk[:room]


class ShellSession:
    """A bash in a private working directory (and a sandbox where the machine allows)."""

    def __init__(
        self,
        sandbox: str | Sandbox = "auto",
        output_limit: int = DEFAULT_OUTPUT_LIMIT,
        columns: int = COLUMNS,
        rows: int = ROWS,
        quiet: float = 0.15,
        clock: str = "virtual",
        rlimits: dict[int, int] | None = None,
    ):
        if clock not in TIME_MODES:
            raise ValueError(f"clock must be one of {TIME_MODES}, not {clock!r}")
        self.clock = clock
        self.sandbox = sandbox if isinstance(sandbox, Sandbox) else choose(sandbox)
        self.output_limit = output_limit
        self.size = (rows, columns)
        self.quiet = quiet
        # resource.RLIMIT_* -> limit, set in bash's process before the sandbox starts, so
        # that every process of the session inherits it
        self.rlimits = dict(rlimits or {})
        self.salt = secrets.token_hex(8)
        self.root = Path(tempfile.mkdtemp(prefix="tutorial-session-"))
        self.workdir = self.root / "work"
        self.statedir = self.root / "state"
        self.workdir.mkdir()
        self.statedir.mkdir()
        self.environment = SessionEnvironment()
        self.child: pexpect.spawn | None = None
        self.alive = False
        self.at_prompt = False
        self._pending = b""
        self._termios: list | None = None
        self._long_input = False
        self._device: int | None = None     # the terminal's device number
        tag = self.salt.encode()
        self._marker = re.compile(rb"\x1e" + tag + rb"(?:P(\d+)|(C))\x1f")
        self._marker_span = len(tag) + 8

    # -- life cycle -------------------------------------------------------------------

    def __enter__(self) -> "ShellSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # A session dropped without close() must still not leave its processes running.
        try:
            if self.child is not None:
                self.close()
        except Exception:
            pass

    def start(self, environment: SessionEnvironment | None = None, start_timeout: float = 60.0) -> None:
        """Start bash, then the environment's ``start`` command inside the same sandbox."""
        self.environment = environment or SessionEnvironment()
        env = self._shell_env()
        argv = ["bash", "--norc", "--noprofile", "--noediting"]
        readable = [Path(p) for p in self.environment.read_only_paths]
        argv = self.sandbox.wrap(argv, self.workdir, [self.workdir, self.statedir], readable)
        try:
            self.child = pexpect.spawn(argv[0], argv[1:], cwd=str(self.workdir), env=env,
                                       echo=False, dimensions=self.size, encoding=None,
                                       preexec_fn=self._set_limits if self.rlimits else None)
        except pexpect.ExceptionPexpect as error:
            raise SessionError(f"cannot start bash: {error}") from error
        self.child.delaybeforesend = None
        self.child.delayafterclose = 0.0
        self.child.delayafterterminate = 0.01
        self.child.ptyproc.delayafterclose = 0.0
        self.child.ptyproc.delayafterterminate = 0.01
        self.alive = True
        self._device = terminal_device(self.child.pid)
        first = self._read(deadline=time.monotonic() + 15)
        if first.state != "prompt":
            self.close()
            raise SessionError(f"bash did not start ({first.state}): {first.text.strip()}")
        # A transcript may set its own PS1 (guides shorten the prompt): PROMPT_COMMAND puts
        # the markers back before every prompt; its trace (`set -x`) goes to /dev/null so
        # that the markers never show up as output.
        init = (f"export -n PS1 PS2; unset HISTFILE; set +H +o history; "
                f"_tutorial_ps1=$PS1 _tutorial_ps2=$PS2; "
                f"PROMPT_COMMAND='{{ PS1=$_tutorial_ps1 PS2=$_tutorial_ps2; }} 2>/dev/null'; "
                f"cd {shlex.quote(str(self.workdir))}")
        ready = self.run(init, timeout=15)
        if ready.state != "prompt":
            self.close()
            raise SessionError(f"bash did not initialise: {ready.text.strip()}")
        self._termios = termios.tcgetattr(self.child.child_fd)
        if self.environment.start:
            started = self.run(shlex.join(self.environment.start), timeout=start_timeout)
            if started.state != "prompt" or started.exit_status != 0:
                detail = started.text.strip() or f"state {started.state}"
                status = started.exit_status
                self.close()
                raise SessionError(f"environment did not start (exit status {status}): {detail}")

    def _set_limits(self) -> None:
        import resource

        for which, value in self.rlimits.items():
            resource.setrlimit(which, (value, value))

    def _shell_env(self) -> dict[str, str]:
        extra = dict(self.environment.env)
        path = BASE_PATH
        if extra.get("PATH"):
            path = extra.pop("PATH") + ":" + BASE_PATH
        env = {
            "PATH": path,
            "HOME": str(self.workdir),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "dumb",
            "SHELL": "/bin/bash",
            "USER": os.environ.get("USER", "root"),
            "TMPDIR": "/tmp",
            "COLUMNS": str(self.size[1]),
            "LINES": str(self.size[0]),
            "PS4": "+ ",
        }
        env.update(extra)
        # \x1e and \x1f never occur in ordinary output: they frame the markers.
        env["PS1"] = f"\x1e{self.salt}P${{?}}\x1f"
        env["PS2"] = f"\x1e{self.salt}C\x1f"
        env[MARKER_VARIABLE] = self.salt
        env[TIME_VARIABLE] = self.clock
        if self.sandbox.kind == "none":
            # Without a pid namespace nothing ends the session's services with the runner
            # if it is killed outright: they may watch this process.  (In a sandbox the
            # runner's pid is not visible, and the namespace ends with the runner anyway.)
            env[RUNNER_PID_VARIABLE] = str(os.getpid())
        return env

    def close(self) -> None:
        """Stop the environment, then end bash and every process the session started."""
        child, self.child = self.child, None
        if child is not None:
            # Typed at a program's prompt, `stop` would go to that program: skip it then;
            # the environment's processes are killed below all the same.
            if self.alive and self.at_prompt and self.environment.stop:
                self.child = child
                try:
                    self.run(shlex.join(self.environment.stop), timeout=10)
                except (OSError, SessionError):
                    pass
                self.child = None
            self.alive = False
            leader = child.pid
            self._kill_all(leader)
            try:
                child.close(force=True)
            except (OSError, pexpect.ExceptionPexpect):
                pass
            self._kill_all(leader)
        self.alive = False
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill_all(self, leader: int) -> None:
        give_up = time.monotonic() + 5.0
        while time.monotonic() < give_up:
            found = session_processes(self.salt, leader)
            if not found:
                return
            for pid in found:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.005)

    def take_pending(self) -> bytes:
        """What bash printed after the last marker read (the visible part of its prompt),
        for a caller that reads the terminal itself from now on."""
        pending, self._pending = self._pending, b""
        return pending

    def interact(self) -> int:
        """Hand the shell over to the person at this terminal, with ordinary prompts."""
        if self.child is None or not self.alive:
            raise SessionError("the shell has ended")
        if os.isatty(0):
            size = shutil.get_terminal_size((self.size[1], self.size[0]))
            self.child.setwinsize(size.lines, size.columns)
        self._send("stty echo; set -o emacs; PROMPT_COMMAND=; PS1='[tutorial \\W]\\$ '; PS2='> '\n")
        self.child.interact(escape_character=None)
        self.alive = False
        self.child.close(force=True)
        return self.child.exitstatus or 0

    # -- commands ----------------------------------------------------------------------

    def run(
        self,
        command_text: str,
        timeout: float = 10.0,
        interactive_prompt: Callable[[str], bool] | None = None,
    ) -> CommandOutput:
        """Type ``command_text`` (one or more lines) and read until bash or a program waits."""
        lines = command_text.split("\n")
        started = time.monotonic()
        deadline = started + timeout
        if self.at_prompt:
            # Settings a command changed (`stty echo`) would otherwise echo every later input.
            self._restore_terminal(only_if_changed=True)
        for line in lines[:-1]:
            self._send(line + "\n")
            step = self._read(deadline, None)
            if step.state != "continuation":
                step.elapsed = time.monotonic() - started
                return step
        self._send(lines[-1] + "\n")
        result = self._read(deadline, interactive_prompt)
        result.elapsed = time.monotonic() - started
        return result

    def send_input(
        self,
        line: str,
        timeout: float = 10.0,
        interactive_prompt: Callable[[str], bool] | None = None,
        strip_echo: bool = True,
    ) -> CommandOutput:
        """A line of input to bash's continuation or to the interactive program waiting."""
        started = time.monotonic()
        self._send(line + "\n")
        result = self._read(started + timeout, interactive_prompt)
        if strip_echo and line:
            result.text = _strip_echo(result.text, line)
        result.elapsed = time.monotonic() - started
        return result

    def interrupt(self, timeout: float = 3.0, key: str = "\x03") -> CommandOutput:
        """Ctrl-C (or another key), and read until bash is back at its prompt."""
        self._send(key)
        result = self._read(time.monotonic() + timeout, None, recover=False)
        self._restore_terminal()
        return result

    def _send(self, text: str) -> None:
        if self.child is None or not self.alive:
            raise SessionError("the shell has ended")
        self.at_prompt = False
        data = text.encode("utf-8")
        if len(data) > _CANONICAL_LIMIT and self._termios is not None:
            self._raw_input()
        while data:
            try:
                written = os.write(self.child.child_fd, data)
            except OSError as error:
                if error.errno == errno.EIO:
                    self.alive = False
                    raise SessionError("the shell has ended") from error
                raise
            data = data[written:]

    def _raw_input(self) -> None:
        """Canonical mode keeps at most 4095 bytes of a line and drops the rest: a longer
        line is typed with the terminal non-canonical (nothing dropped, the writer waits for
        bash to read instead).  Canonical mode comes back when bash next shows a marker."""
        assert self.child is not None
        attrs = termios.tcgetattr(self.child.child_fd)
        attrs[3] &= ~termios.ICANON
        attrs[6][termios.VMIN], attrs[6][termios.VTIME] = 1, 0
        termios.tcsetattr(self.child.child_fd, termios.TCSANOW, attrs)
        self._long_input = True

    def _restore_terminal(self, only_if_changed: bool = False) -> None:
        """A program killed in raw mode leaves the terminal raw: put back the shell's settings."""
        # After the shell has ended the pty is closed (child_fd -1): nothing to put back.
        if self.child is not None and self._termios is not None and self.child.child_fd >= 0:
            try:
                if only_if_changed and termios.tcgetattr(self.child.child_fd) == self._termios:
                    return
                termios.tcsetattr(self.child.child_fd, termios.TCSANOW, self._termios)
            except (termios.error, OSError, ValueError):
                pass

    # -- reading -----------------------------------------------------------------------

    def _read(
        self,
        deadline: float,
        interactive_prompt: Callable[[str], bool] | None = None,
        recover: bool = True,
    ) -> CommandOutput:
        assert self.child is not None
        fd = self.child.child_fd
        reader = _Reader(self.output_limit)
        buf = bytearray(self._pending)
        self._pending = b""
        scanned = 0
        last_data = last_output = time.monotonic()
        waiting_since: float | None = None
        overflowing = False
        while True:
            match = self._marker.search(buf, max(0, scanned - self._marker_span))
            if match:
                reader.add(bytes(buf[: match.start()]))
                self._pending = bytes(buf[match.end():])
                if overflowing:
                    return self._finish(reader, match, "overflow")
                return self._finish(reader, match, "continuation" if match.group(2) else "prompt")
            scanned = len(buf)
            # Keep only a tail that might hold the start of a marker; the rest is output.
            if len(buf) > 4 * self._marker_span:
                cut = len(buf) - self._marker_span
                reader.add(bytes(buf[:cut]))
                del buf[:cut]
                scanned = len(buf)
            if not overflowing and reader.total + len(buf) > self.output_limit:
                overflowing = True
                self._send("\x03")
            now = time.monotonic()
            if now >= deadline:
                reader.add(bytes(buf))
                if not recover:
                    text, binary = normalize(bytes(reader.kept))
                    return CommandOutput(text, None, "timeout", binary=binary, recovered=False)
                return self._time_out(reader, "overflow" if overflowing else "timeout")
            wait = deadline - now
            if interactive_prompt is not None and not overflowing:
                wait = min(wait, max(0.0, last_data + self.quiet - now))
            else:
                wait = min(wait, 0.2)
            ready, _, _ = select.select([fd], [], [], wait)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError as error:
                    if error.errno != errno.EIO:
                        raise
                    chunk = b""
                if not chunk:
                    reader.add(bytes(buf))
                    return self._exited(reader)
                buf += chunk
                last_data = last_output = time.monotonic()
                waiting_since = None
                continue
            if not self.child.isalive() and not self._readable(fd):
                reader.add(bytes(buf))
                return self._exited(reader)
            if interactive_prompt is not None and not overflowing and time.monotonic() - last_data >= self.quiet:
                text, binary = normalize(bytes(reader.kept) + bytes(buf))
                partial = text.rsplit("\n", 1)[-1]
                if partial and interactive_prompt(partial):
                    self.at_prompt = False
                    body = text[: len(text) - len(partial)]
                    return CommandOutput(body, None, "interactive", prompt=partial, binary=binary)
                last_data = time.monotonic()  # not a prompt yet: wait another quiet period
            if recover and not overflowing and time.monotonic() - last_output >= WAITING_QUIET:
                who = waiting_for_input(fd, self._device)
                if who is None:
                    waiting_since = None
                elif waiting_since is None:
                    waiting_since = time.monotonic()
                elif time.monotonic() - waiting_since >= WAITING_CONFIRM:
                    reader.add(bytes(buf))
                    out = self._time_out(reader, "waiting", keys=("\x04", "\x03", "\x03", "\x1c"))
                    out.waiting = who
                    return out

    @staticmethod
    def _readable(fd: int) -> bool:
        return bool(select.select([fd], [], [], 0)[0])

    def _finish(self, reader: _Reader, match: re.Match[bytes], state: State) -> CommandOutput:
        self.at_prompt = state in ("prompt", "overflow")
        if self._long_input:
            self._long_input = False
            self._restore_terminal()
        text, binary = normalize(bytes(reader.kept))
        status = int(match.group(1)) if match.group(1) is not None else None
        if state == "overflow":
            self._restore_terminal()
            text += f"\n[output stopped after {self.output_limit} bytes]\n"
        return CommandOutput(text, status, state, binary=binary)

    def _time_out(self, reader: _Reader, state: State,
                  keys: tuple[str, ...] = ("\x03", "\x03", "\x1c")) -> CommandOutput:
        """Ctrl-C (or the ``keys`` given: a program waiting for input gets Ctrl-D first);
        if bash does not come back, the session is over."""
        text, binary = normalize(bytes(reader.kept))
        recovered = False
        status = None
        for key in keys:
            try:
                back = self.interrupt(timeout=1.0, key=key)
            except SessionError:
                break
            if back.state == "prompt":
                recovered, status = True, back.exit_status
                break
            if back.state == "exited":
                # The key ended the shell itself (`exec sleep …`): say so, not "timeout".
                state, status = "exited", back.exit_status
                break
        if not recovered:
            self.alive = False
        return CommandOutput(text, status, state, binary=binary, recovered=recovered)

    def _exited(self, reader: _Reader) -> CommandOutput:
        text, binary = normalize(bytes(reader.kept))
        self.alive = False
        status = None
        if self.child is not None:
            try:
                self.child.close(force=True)
                status = self.child.exitstatus if self.child.exitstatus is not None else self.child.signalstatus
            except (OSError, pexpect.ExceptionPexpect):
                pass
        return CommandOutput(text, status, "exited", binary=binary, recovered=False)


def _strip_echo(text: str, typed: str) -> str:
    """Drop the echo of typed input that a program in raw mode printed back."""
    if text.startswith(typed):
        rest = text[len(typed):]
        if rest.startswith("\n") or not rest:
            return rest[1:] if rest else rest
    return text


def session_processes(salt: str, leader: int | None = None) -> list[int]:
    """Processes of a session: in the leader's session or carrying its marker variable."""
    needle = f"{MARKER_VARIABLE}={salt}".encode()
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if pid == me:
            continue
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                if handle.read().rsplit(b")", 1)[-1].split()[0] == b"Z":
                    continue
            if leader is not None and os.getsid(pid) == leader:
                found.append(pid)
                continue
            with open(f"/proc/{pid}/environ", "rb") as handle:
                environ = handle.read()
        except (OSError, ProcessLookupError):
            continue
        if needle + b"\0" in environ or environ.endswith(needle):
            found.append(pid)
    return found
