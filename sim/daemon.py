"""One simulated cluster per session, serving tool calls on a unix socket.

    python -m sim.daemon --socket PATH --profile NAME [--seed N] [--kubeconfig FILE] --detach
                                                          # start, return when ready
    python -m sim.daemon --socket PATH --stop                              # stop

It goes away by itself when its socket file disappears or when the process named by
the variable ``--watch-pid-env NAME`` names (or by ``SIM_WATCH_PID``) ends. ``SIM_SEED`` overrides the profile's seed. ``SIM_TOOLS_EXTRA="name=module:function,..."`` adds tools
(tests, benchmarks).
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import socket
import sys
import threading
import time
import traceback
from typing import NoReturn

from sim import protocol as P

WATCH_SECONDS = 0.5


class ExecLocal(Exception):
    """Raised by ToolIO.exec_local: the caller runs ``argv`` itself instead."""

    def __init__(self, argv: list[str]):
        super().__init__(argv)
        self.argv = argv


class ConnectionIO:
    """The ToolIO of one call (DESIGN.md), spoken over the client's connection."""

    def __init__(self, sock: socket.socket, call: dict):
        self._sock = sock
        self._send_lock = threading.Lock()
        self.cwd: str = call.get("cwd") or "/"
        self.env: dict[str, str] = dict(call.get("env") or {})
        tty = call.get("tty") or [False, False, False]
        self.stdin_is_tty, self.stdout_is_tty, self.stderr_is_tty = (bool(t) for t in tty[:3])
        size = call.get("size") or [0, 0]
        self.columns, self.rows = int(size[0]), int(size[1])
        self.background = bool(call.get("background"))   # started as a job (`cmd &`)
        self.pid = call.get("pid")                         # the caller's process
        self._inputs: queue.Queue = queue.Queue()
        self._edits: queue.Queue = queue.Queue()
        self._rawed: queue.Queue = queue.Queue()
        self._closed = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # -- frames from the caller ------------------------------------------------------------

    def _read_loop(self) -> None:
        while True:
            try:
                frame = P.receive(self._sock)
            except OSError:
                frame = None
            if frame is None or frame[0] == P.INTR:
                self._closed.set()
                self._inputs.put(None)
                self._edits.put(None)
                self._rawed.put(None)
                return
            kind, payload = frame
            if kind == P.INPUT:
                self._inputs.put(payload)
            elif kind == P.EDITED:
                self._edits.put(P.decode(payload).get("text"))
            elif kind == P.RAWED:
                self._rawed.put(True)

    def _send(self, kind: bytes, payload: bytes = b"") -> None:
        if self._closed.is_set():
            return
        try:
            with self._send_lock:
                P.send(self._sock, kind, payload)
        except OSError:
            self._closed.set()

    def _send_json(self, kind: bytes, value) -> None:
        self._send(kind, P.encode(value))

    # -- ToolIO ------------------------------------------------------------------------------

    def write_out(self, data: str | bytes) -> None:
        if data:
            self._send(P.OUT, data.encode() if isinstance(data, str) else data)

    def write_err(self, data: str | bytes) -> None:
        if data:
            self._send(P.ERR, data.encode() if isinstance(data, str) else data)

    def read_stdin(self) -> bytes:
        """The caller's stdin to EOF."""
        self._send_json(P.NEED, {"mode": "all"})
        chunks = []
        while True:
            data = self._inputs.get()
            if not data:
                return b"".join(chunks)
            chunks.append(data)

    def read_line(self) -> bytes | None:
        """One line of the caller's stdin (with its newline), None at EOF or disconnect."""
        return self._read("line")

    def read_chunk(self) -> bytes | None:
        """Whatever the caller's stdin has (raw terminals: keystrokes), None at EOF."""
        return self._read("chunk")

    def _read(self, mode: str) -> bytes | None:
        if self._closed.is_set():
            return None
        self._send_json(P.NEED, {"mode": mode})
        data = self._inputs.get()
        return data or None  # b"": the caller's stdin ended; None: the caller went away

    def edit(self, text: str, suffix: str = ".yaml") -> str | None:
        self._send_json(P.EDIT, {"text": text, "suffix": suffix})
        return self._edits.get()

    def set_raw(self, raw: bool) -> None:
        if not self.stdin_is_tty:
            return
        self._send_json(P.RAW, {"raw": bool(raw)})
        self._rawed.get()

    def exec_local(self, argv: list[str]) -> NoReturn:
        self._send_json(P.EXEC, {"argv": list(argv)})
        raise ExecLocal(list(argv))

    def closed(self) -> bool:
        return self._closed.is_set()

    def wait_closed(self, timeout: float | None = None) -> bool:
        return self._closed.wait(timeout)

    def exit_on_interrupt(self, code: int) -> None:
        """From now on, Ctrl-C ends the caller with ``code`` (the program handles SIGINT)."""
        self._send_json(P.ONINTR, {"code": int(code)})

    def finish(self, code: int) -> None:
        self._send_json(P.EXIT, {"code": int(code)})


# -- the server --------------------------------------------------------------------------------

class Server:
    def __init__(self, cluster, path: str):
        self.cluster = cluster
        self.path = path
        self.stopping = threading.Event()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.path.exists(path):
            os.unlink(path)
        self.sock.bind(path)
        self.sock.listen(64)
        self.inode = os.stat(path).st_ino

    def serve(self) -> None:
        self.sock.settimeout(WATCH_SECONDS)
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            conn.settimeout(None)
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn: socket.socket) -> None:
        from sim import pace, tools

        try:
            frame = P.receive(conn)
            if frame is None or frame[0] != P.HELLO:
                return
            call = P.decode(frame[1])
            io = ConnectionIO(conn, call)
            tool = call.get("tool", "")
            fn = tools.lookup(tool)
            cluster = self.cluster
            if not call.get("background"):
                # the pause before a command someone typed; a job sent to the background
                # starts while the next command is typed, in whichever order the host's
                # scheduler runs them, so it takes no pause of its own
                with cluster.lock:
                    cluster.tick()
                pace.settle(cluster)
            if call.get("tick_only"):      # another client's command: only the pause
                io.finish(0)
                return
            if fn is None:
                io.write_err(f"{tool}: command not found\n")
                io.finish(127)
                return
            try:
                code = fn(cluster, list(call.get("argv") or [tool]), io)
            except ExecLocal:
                return
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except Exception:  # a defect in a tool: say so on the caller's stderr
                io.write_err(traceback.format_exc())
                code = 1
            with cluster.lock:
                cluster.reconcile()
            if not call.get("background"):
                pace.settle(cluster)
            io.finish(code if isinstance(code, int) else 0)
        except Exception:
            traceback.print_exc()
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def watch(self, watch_pid: int | None) -> None:
        """Stop when the socket file is gone (or replaced) or the watched process ends."""
        while not self.stopping.wait(WATCH_SECONDS):
            try:
                if os.stat(self.path).st_ino != self.inode:
                    break
            except OSError:
                break
            if watch_pid and not _alive(watch_pid):
                break
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        try:
            self.sock.close()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pid_file(path: str) -> str:
    return path + ".pid"


def _id_file(path: str) -> str:
    return path + ".id"


def _server_file(path: str) -> str:
    """The kubeconfig's server, for the client to name when the cluster process is gone."""
    return path + ".server"


def _kubeconfig_file(path: str) -> str:
    """A kubeconfig for clients other than ours (the real kubectl, helm, client libraries)."""
    return path + ".kubeconfig"


def _files(path: str) -> tuple[str, ...]:
    """Everything the cluster process leaves beside and at its socket."""
    return (path, _pid_file(path), _id_file(path), _server_file(path), _kubeconfig_file(path))


def _serve_api(cluster, path: str, extra_kubeconfig: str | None):
    """The cluster's API over TLS on a loopback port, and a kubeconfig that reaches it."""
    from sim.api import kubeconfig, listener

    api_server = listener.start(cluster, secure=True)
    with cluster.lock:
        text = kubeconfig.render(cluster, api_server.server_address[1])
    for target in filter(None, (_kubeconfig_file(path), extra_kubeconfig)):
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
    return api_server


def _identity(pid: int) -> str | None:
    """What makes a pid unambiguous: its pid namespace (a pid read in another namespace
    names another process) and the process's start time (a recycled pid has another)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None  # a zombie has ended already
    return f"{namespace} {fields[19]}"


def _write(path: str, text: str) -> None:
    with open(path, "w") as fh:
        fh.write(text)


def _watched_pid(watch_env: str | None) -> int | None:
    """The process whose end ends the cluster: named by ``watch_env`` (the variable the
    caller says holds it), else by ``SIM_WATCH_PID``."""
    for name in (watch_env, "SIM_WATCH_PID"):
        value = os.environ.get(name) if name else None
        if value and value.strip().isdigit() and int(value) > 0:
            return int(value)
    return None


def _serve(path: str, profile: str, seed: int | None, ready_fd: int | None,
           watch_env: str | None = None, kubeconfig: str | None = None) -> int:
    from sim import pace
    from sim.cluster import Cluster, tune_gc

    tune_gc()
    try:
        cluster = Cluster(profile, seed=seed)
        pace.configure(cluster)
        server = Server(cluster, path)
    except Exception as exc:
        if ready_fd is not None:
            os.write(ready_fd, f"error: {exc}\n".encode())
            os.close(ready_fd)
        raise
    from sim import tools

    for entry in filter(None, os.environ.get("SIM_TOOLS_EXTRA", "").split(",")):
        name, _, target = entry.partition("=")
        tools.register(name.strip(), target.strip())
    for name in tools.names():
        tools.lookup(name)  # import now: the first call should be as quick as the others
    from sim.net.apiserver import control_plane_url

    _write(_server_file(path), control_plane_url(cluster) + "\n")
    api_server = _serve_api(cluster, path, kubeconfig)
    _write(_pid_file(path), str(os.getpid()))
    _write(_id_file(path), (_identity(os.getpid()) or "") + "\n")
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    watch_pid = _watched_pid(watch_env)
    threading.Thread(target=server.watch, args=(watch_pid,), daemon=True).start()
    if ready_fd is not None:
        os.write(ready_fd, b"ready\n")
        os.close(ready_fd)
    server.serve()
    api_server.close()
    for leftover in _files(path):
        try:
            if leftover != path or os.stat(path).st_ino == server.inode:
                os.unlink(leftover)
        except OSError:
            pass
    return 0


def _detach(path: str, profile: str, seed: int | None, watch_env: str | None = None,
            kubeconfig: str | None = None) -> int:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        os.setsid()
        if os.fork() != 0:
            os._exit(0)
        log = os.open(os.path.join(os.path.dirname(os.path.abspath(path)), "sim-daemon.log"),
                      os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        code = 1
        try:
            code = _serve(path, profile, seed, write_fd, watch_env, kubeconfig)
        except Exception:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write_fd)
    os.waitpid(pid, 0)
    answer = b""
    while True:
        chunk = os.read(read_fd, 4096)
        if not chunk:
            break
        answer += chunk
    os.close(read_fd)
    if answer.startswith(b"ready"):
        return 0
    message = answer.decode(errors="replace").strip() or "error: the cluster process did not start"
    sys.stderr.write(message + "\n")
    return 1


def _stop_process(pid: int, identity: str, timeout: float) -> None:
    """Signal ``pid`` only while it is still the process that wrote ``identity``."""
    if not identity or _identity(pid) != identity:
        return  # gone, recycled, or seen from another pid namespace: not ours to signal
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    end = time.monotonic() + timeout
    while time.monotonic() < end and _identity(pid) == identity:
        time.sleep(0.02)
    if _identity(pid) == identity:
        os.kill(pid, signal.SIGKILL)


def stop(path: str, timeout: float = 5.0) -> int:
    try:
        with open(_pid_file(path)) as fh:
            pid = int(fh.read().strip())
        with open(_id_file(path)) as fh:
            identity = fh.read().strip()
    except (OSError, ValueError):
        return 0
    _stop_process(pid, identity, timeout)
    for leftover in _files(path):
        try:
            os.unlink(leftover)
        except OSError:
            pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.daemon")
    parser.add_argument("--socket", default=os.environ.get("SIM_SOCKET"))
    parser.add_argument("--profile", default="default")
    parser.add_argument("--seed", type=int,
                        default=int(os.environ["SIM_SEED"]) if os.environ.get("SIM_SEED") else None)
    parser.add_argument("--detach", action="store_true")
    parser.add_argument("--stop", action="store_true")
    parser.add_argument("--watch-pid-env", metavar="NAME",
                        help="end when the process whose pid this variable holds ends")
    parser.add_argument("--kubeconfig", metavar="PATH",
                        help="also write the kubeconfig that reaches the API there "
                             "(always written beside the socket as SOCKET.kubeconfig)")
    args = parser.parse_args(argv)
    if not args.socket:
        parser.error("--socket (or SIM_SOCKET) is required")
    if args.stop:
        return stop(args.socket)
    from sim.controllers.profiles import UnknownProfile, load_profile

    try:
        load_profile(args.profile)
    except UnknownProfile as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    if args.detach:
        return _detach(args.socket, args.profile, args.seed, args.watch_pid_env, args.kubeconfig)
    return _serve(args.socket, args.profile, args.seed, None, args.watch_pid_env, args.kubeconfig)


if __name__ == "__main__":
    sys.exit(main())
