"""The shim every tool name on the session's PATH runs: it hands the call to the
session's cluster process and plays its part of the conversation (stdin on request,
the editor, the terminal mode, running a real program instead, Ctrl-C)."""

from __future__ import annotations

import _signal as signal
import _socket as socket
import os
import sys

from sim import protocol as P

ENV_KEYS = ("KUBE_EDITOR", "EDITOR", "HOME", "KUBECONFIG", "TERM", "COLUMNS", "PATH",
            "LANG", "LC_ALL", "USER", "SIM_TOOL_DIR", "NO_COLOR")


# tools that are the host's own programs with the cluster's time: without the cluster
# process they are simply those programs
LOCAL_FALLBACK = ("sleep",)


class _Stdin:
    """Reads the caller's stdin only when the tool asks, keeping what was read ahead."""

    def __init__(self) -> None:
        self.buffer = b""
        self.eof = False

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = os.read(0, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def all(self) -> bytes:
        while self._fill():
            pass
        data, self.buffer = self.buffer, b""
        return data

    def line(self, raw: bool = False) -> bytes:
        """One line with its newline.  ``raw``: the caller's terminal is in raw mode, where
        Enter arrives as a carriage return; the container's terminal would turn it into a
        newline (ICRNL), so a carriage return ends the line too."""
        ends = (b"\n", b"\r") if raw else (b"\n",)

        def end() -> int:
            found = [at for at in (self.buffer.find(e) for e in ends) if at >= 0]
            return min(found) if found else -1

        while end() < 0 and self._fill():
            pass
        at = end()
        if at >= 0:
            line, self.buffer = self.buffer[:at], self.buffer[at + 1:]
            return line + b"\n"
        data, self.buffer = self.buffer, b""
        return data

    def chunk(self) -> bytes:
        if not self.buffer:
            self._fill()
        data, self.buffer = self.buffer, b""
        return data


def _in_background() -> bool:
    """Started as a background job (``cmd &``): the terminal's foreground is another group."""
    for fd in (0, 1, 2):
        try:
            return os.tcgetpgrp(fd) != os.getpgrp()
        except OSError:
            continue
    return False


def _terminal_size() -> list[int]:
    for fd in (1, 2, 0):
        try:
            size = os.get_terminal_size(fd)
            return [size.columns, size.lines]
        except OSError:
            continue
    return [0, 0]


def _find_program(name: str) -> str | None:
    """``name`` on PATH, skipping the directory of the shims themselves."""
    if "/" in name:
        return name
    own = os.path.dirname(os.path.abspath(sys.argv[0]))
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not folder or os.path.abspath(folder) == own:
            continue
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _edit(text: str, suffix: str) -> str | None:
    import subprocess
    import tempfile

    editor = os.environ.get("KUBE_EDITOR") or os.environ.get("EDITOR") or "vi"
    fd, path = tempfile.mkstemp(prefix="kubectl-edit-", suffix=suffix)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        status = subprocess.call(["sh", "-c", f'{editor} "$1"', "sh", path])
        if status != 0:
            return None
        with open(path) as fh:
            return fh.read()
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


class _Terminal:
    def __init__(self) -> None:
        self.saved = None

    def raw(self, on: bool) -> None:
        try:
            import termios
            import tty
        except ImportError:
            return
        if not os.isatty(0):
            return
        if on and self.saved is None:
            self.saved = termios.tcgetattr(0)
            tty.setraw(0)
        elif not on:
            self.restore()

    def restore(self) -> None:
        if self.saved is not None:
            import termios

            termios.tcsetattr(0, termios.TCSADRAIN, self.saved)
            self.saved = None


def _server_of(path: str | None) -> str | None:
    """The kubeconfig's server, as the cluster process left it next to its socket."""
    if not path:
        return None
    try:
        with open(path + ".server") as fh:
            return fh.read().strip() or None
    except OSError:
        return None


def _klog_error(message: str) -> str:
    """One klog line at level E, as kubectl's client-go writes it (local time, own pid)."""
    import time

    now = time.time()
    t = time.localtime(now)
    micros = int((now - int(now)) * 1_000_000)
    return (f"E{t.tm_mon:02d}{t.tm_mday:02d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}."
            f"{micros:06d} {os.getpid():7d} {message}\n")


def _connection_refused(tool: str, server: str | None) -> int:
    if tool in LOCAL_FALLBACK:
        found = _find_program(tool)
        if found is not None:
            os.execv(found, [tool] + sys.argv[1:])
    if tool != "kubectl":
        sys.stderr.write(f"{tool}: the simulated cluster is not running\n")
        return 1
    if server is None:
        # no kubeconfig at all: kubectl's built-in default
        sys.stderr.write("The connection to the server localhost:8080 was refused - "
                         "did you specify the right host or port?\n")
        return 1
    address = server.split("://", 1)[-1].rstrip("/")
    hostport = address if ":" in address.rsplit("]", 1)[-1] else address + ":443"
    # discovery is tried five times (memcache), each failure logged, before kubectl gives up
    message = (f'memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group '
               f'list: Get \\"{server}/api?timeout=32s\\": dial tcp {hostport}: connect: '
               'connection refused"')
    sys.stderr.write("".join(_klog_error(message) for _ in range(5)))
    sys.stderr.write(f"The connection to the server {address} was refused - "
                     "did you specify the right host or port?\n")
    return 1


def tick_then_exec(program: str) -> None:
    """The shim of a client other than ours (``check --kubectl PATH``): the cluster takes
    the same pause before the command as before one of ours, then ``program`` runs."""
    path = os.environ.get("SIM_SOCKET")
    if path:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            P.send_json(sock, P.HELLO, {"tool": "", "tick_only": True,
                                        "background": _in_background()})
            while True:
                frame = P.receive(sock)
                if frame is None or frame[0] == P.EXIT:
                    break
        except OSError:
            pass
        finally:
            sock.close()
    try:
        os.execv(program, [os.path.basename(sys.argv[0])] + sys.argv[1:])
    except OSError as exc:
        sys.stderr.write(f"{sys.argv[0]}: cannot run {program}: {exc.strerror}\n")
        os._exit(127)


def run(argv: list[str]) -> int:
    tool = os.path.basename(argv[0])
    path = os.environ.get("SIM_SOCKET")
    if not path:
        return _connection_refused(tool, None)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        return _connection_refused(tool, _server_of(path))
    terminal = _Terminal()
    on_interrupt: list[int] = []     # the status to exit with on Ctrl-C, if the tool said

    def interrupted(signum, frame):
        try:
            P.send(sock, P.INTR)
            sock.close()
        except OSError:
            pass
        terminal.restore()
        if on_interrupt:
            sys.stdout.flush()
            os._exit(on_interrupt[-1])
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)

    # a caller that ignores Ctrl-C (`trap '' INT`) passes that on, as to any program
    if signal.getsignal(signal.SIGINT) != signal.SIG_IGN:
        signal.signal(signal.SIGINT, interrupted)
    call = {"tool": tool, "argv": [tool] + argv[1:], "cwd": os.getcwd(),
            "env": {k: os.environ[k] for k in ENV_KEYS if k in os.environ},
            "tty": [os.isatty(0), os.isatty(1), os.isatty(2)], "size": _terminal_size(),
            "background": _in_background(), "pid": os.getpid()}
    stdin = _Stdin()
    out, err = sys.stdout.buffer, sys.stderr.buffer
    answered = False
    try:
        try:
            P.send_json(sock, P.HELLO, call)
            frame = P.receive(sock)
        except OSError:
            frame = None
        if frame is None:
            # the cluster went away between the connection and its answer: as if refused
            sock.close()
            return _connection_refused(tool, _server_of(path))
        while True:
            if answered:
                try:
                    frame = P.receive(sock)
                except OSError:
                    frame = None
                if frame is None:
                    return 1
            answered = True
            kind, payload = frame
            if kind == P.OUT:
                out.write(payload)
                out.flush()
            elif kind == P.ERR:
                out.flush()
                err.write(payload)
                err.flush()
            elif kind == P.NEED:
                mode = P.decode(payload)["mode"]
                data = stdin.all() if mode == "all" else \
                    stdin.line(raw=terminal.saved is not None) if mode == "line" else stdin.chunk()
                if data:
                    P.send(sock, P.INPUT, data)
                if mode == "all" or not data:
                    P.send(sock, P.INPUT, b"")
            elif kind == P.EDIT:
                request = P.decode(payload)
                P.send_json(sock, P.EDITED, {"text": _edit(request["text"], request.get("suffix", ".yaml"))})
            elif kind == P.RAW:
                terminal.raw(bool(P.decode(payload)["raw"]))
                P.send(sock, P.RAWED)
            elif kind == P.EXEC:
                program = P.decode(payload)["argv"]
                found = _find_program(program[0])
                if found is None:
                    err.write(f"{program[0]}: command not found\n".encode())
                    return 127
                terminal.restore()
                sock.close()
                os.execv(found, program)
            elif kind == P.ONINTR:
                on_interrupt.append(int(P.decode(payload)["code"]))
            elif kind == P.EXIT:
                return int(P.decode(payload)["code"])
    finally:
        terminal.restore()


def main() -> None:
    try:
        code = run(sys.argv)
    except BrokenPipeError:
        code = 141
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = 141
    os._exit(code)


if __name__ == "__main__":
    main()
