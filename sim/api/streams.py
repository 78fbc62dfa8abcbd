"""The pods' streaming subresources over the API: ``exec`` and ``attach`` (WebSocket,
``v5.channel.k8s.io`` and ``v4.channel.k8s.io``, as kubectl ≥ 1.30 speaks them) and ``log``.

A WebSocket stream carries binary messages whose first byte is the channel: 0 stdin,
1 stdout, 2 stderr, 3 the error channel (one ``metav1.Status`` at the end: Success, or
Failure with reason NonZeroExitCode and the exit code as a cause), 4 terminal size
(``{"Width": W, "Height": H}``); in v5, ``[255, N]`` closes channel N (the client's stdin).
The frames are read and written by wsproto; the programs run in sim.workloads.exec with a
ToolIO that speaks those channels. The cluster lock is taken by the programs as they need
it, never for the whole stream.
"""
from __future__ import annotations

import base64
import hashlib
import json
import queue
import re
import socket
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sim.api.errors import ApiError

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)/pods/([^/]+)/(exec|attach|log)$")
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255


def match(path: str) -> tuple[str, str, str] | None:
    """(namespace, pod, subresource) for a streaming request's path, else None."""
    found = _PATH.match(urlsplit(path).path)
    return found.groups() if found else None  # type: ignore[return-value]


def query_of(path: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(path).query, keep_blank_values=True)


def flag(query: dict[str, list[str]], name: str) -> bool:
    return (query.get(name) or ["false"])[-1].lower() in ("true", "1")


def resolve(cluster: Any, namespace: str, name: str, container: str | None,
            subresource: str) -> tuple[dict, str]:
    """The pod and container a stream is for, or the API server's refusal."""
    with cluster.lock:
        pod = cluster.store.find("pods", namespace, name)
        if pod is None:
            raise ApiError(404, "NotFound", f'pods "{name}" not found',
                           {"name": name, "kind": "pods"})
        spec = pod.get("spec") or {}
        containers = spec.get("containers") or []
        every = containers + (spec.get("initContainers") or []) + \
            (spec.get("ephemeralContainers") or [])
        if not container:
            if len(containers) != 1:
                names = " ".join(c["name"] for c in containers)
                raise ApiError(400, "BadRequest",
                               f"a container name must be specified for pod {name}, choose one "
                               f"of: [{names}]", {})
            container = containers[0]["name"]
        if not any(c["name"] == container for c in every):
            raise ApiError(400, "BadRequest", f"container {container} is not valid for pod {name}", {})
        phase = (pod.get("status") or {}).get("phase")
        if subresource != "log" and phase in ("Succeeded", "Failed"):
            raise ApiError(400, "BadRequest",
                           f"cannot {subresource} into a container in a completed pod; "
                           f"current phase is {phase}", {})
        return pod, container


def logs(cluster: Any, path: str) -> tuple[str, bool]:
    """``GET …/log``: the text (``tailLines``, ``limitBytes``), and whether to keep following."""
    from sim.workloads import runtime

    namespace, name, _ = match(path)  # type: ignore[misc]
    query = query_of(path)
    pod, container = resolve(cluster, namespace, name, (query.get("container") or [""])[-1],
                             "log")
    previous = flag(query, "previous")
    with cluster.lock:
        problem = log_status_error(pod, container, previous)
        if problem:
            raise ApiError(400, "BadRequest", problem, {})
        text = runtime.logs(cluster, pod, container)
        running = (pod.get("status") or {}).get("phase") in ("Running", "Pending")
    tail = (query.get("tailLines") or [""])[-1]
    if tail.lstrip("-").isdigit() and int(tail) >= 0:
        lines = text.splitlines(keepends=True)
        text = "".join(lines[-int(tail):]) if int(tail) else ""
    limit = (query.get("limitBytes") or [""])[-1]
    if limit.isdigit() and int(limit) > 0:
        text = text.encode()[:int(limit)].decode("utf-8", "ignore")
    return text, running and flag(query, "follow")


def accept_key(key: str) -> str:
    """The handshake's Sec-WebSocket-Accept (RFC 6455 section 4.2.2)."""
    return base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest()).decode()


def chosen_protocol(offered: str) -> str | None:
    names = [p.strip() for p in offered.split(",")]
    return next((p for p in PROTOCOLS if p in names), None)


class WebSocketIO:
    """The ToolIO of a program run over a channel stream (see DESIGN.md for ToolIO)."""

    def __init__(self, sock: socket.socket, protocol: str, tty: bool, stdin: bool):
        from wsproto.connection import Connection, ConnectionType

        self._sock = sock
        self._ws = Connection(ConnectionType.SERVER)
        self._lock = threading.Lock()
        self.v5 = protocol.startswith("v5")
        self.cwd = "/"
        self.env: dict[str, str] = {}
        self.stdin_is_tty = self.stdout_is_tty = self.stderr_is_tty = tty
        self.columns, self.rows = 0, 0
        self._wants_stdin = stdin
        self._input: queue.Queue = queue.Queue()
        self._buffer = b""
        self._eof = not stdin
        self._closed = threading.Event()
        self._sized = threading.Event()
        threading.Thread(target=self._read_loop, daemon=True).start()

    # -- the client's frames ---------------------------------------------------------------

    def _read_loop(self) -> None:
        from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage

        try:
            while not self._closed.is_set():
                data = self._sock.recv(65536)
                if not data:
                    break
                self._ws.receive_data(data)
                for event in self._ws.events():
                    if isinstance(event, Ping):
                        self._write(self._ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        if self._ws.state.name != "CLOSED":
                            self._write(self._ws.send(event.response()))
                        raise EOFError
                    elif isinstance(event, (BytesMessage, TextMessage)):
                        payload = event.data if isinstance(event.data, bytes) else event.data.encode()
                        self._message(payload)
        except Exception:     # a broken frame or connection ends the stream
            pass
        self._closed.set()
        self._input.put(None)

    def _message(self, payload: bytes) -> None:
        if not payload:
            return
        channel, data = payload[0], payload[1:]
        if channel == STDIN:
            if data:
                self._input.put(data)
        elif channel == RESIZE:
            self._sized.set()
            try:
                size = json.loads(data)
                self.columns, self.rows = int(size.get("Width", 0)), int(size.get("Height", 0))
            except (ValueError, AttributeError):
                pass
        elif channel == CLOSE and data[:1] == bytes([STDIN]):
            self._input.put(None)

    # -- to the client ---------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        with self._lock:
            try:
                self._sock.sendall(data)
            except OSError:
                self._closed.set()

    def _send(self, channel: int, data: bytes) -> None:
        from wsproto.events import BytesMessage

        if self._closed.is_set():
            return
        with self._lock:
            frame = self._ws.send(BytesMessage(data=bytes([channel]) + data))
        self._write(frame)

    def write_out(self, data: str | bytes) -> None:
        self._send(STDOUT, data.encode() if isinstance(data, str) else data)

    def write_err(self, data: str | bytes) -> None:
        self._send(STDOUT if self.stdout_is_tty else STDERR,
                   data.encode() if isinstance(data, str) else data)

    def finish(self, status: dict) -> None:
        from wsproto.events import CloseConnection

        if self.stdin_is_tty:
            # a terminal's client sends its size as the stream opens; a command that ends
            # before it arrives would make that write fail on a closed stream
            self._sized.wait(2.0)
        self._send(ERROR, json.dumps(status, separators=(",", ":")).encode())
        if not self._closed.is_set():
            with self._lock:
                frame = self._ws.send(CloseConnection(code=1000))
            self._write(frame)
            self._closed.wait(2.0)       # the client's close frame in answer
        self._closed.set()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- what the program reads ------------------------------------------------------------

    def _next(self) -> bytes | None:
        if self._eof:
            return None
        data = self._input.get()
        if data is None:
            self._eof = True
        return data

    def read_stdin(self) -> bytes:
        chunks = [self._buffer]
        self._buffer = b""
        while (data := self._next()) is not None:
            chunks.append(data)
        return b"".join(chunks)

    def read_line(self) -> bytes | None:
        """A line typed at a terminal (Enter is a carriage return there), or piped."""
        while True:
            for end in (b"\n", b"\r"):
                if end in self._buffer:
                    line, _, self._buffer = self._buffer.partition(end)
                    if end == b"\r" and self._buffer.startswith(b"\n"):
                        self._buffer = self._buffer[1:]
                    return line + b"\n"
            if self.stdin_is_tty and b"\x04" in self._buffer:
                before, _, self._buffer = self._buffer.partition(b"\x04")
                if not before:
                    return None
                return before
            data = self._next()
            if data is None:
                line, self._buffer = self._buffer, b""
                return line or None
            self._buffer += data

    def read_chunk(self) -> bytes | None:
        if self._buffer:
            data, self._buffer = self._buffer, b""
            return data
        return self._next()

    def closed(self) -> bool:
        return self._closed.is_set()

    def wait_closed(self) -> None:
        self._closed.wait()

    def set_raw(self, on: bool) -> None:
        return None

    def edit(self, text: str, suffix: str) -> None:
        return None


def success() -> dict:
    return {"metadata": {}, "status": "Success"}


def exit_status(argv: list[str], code: int) -> dict:
    """What the kubelet reports for a command that ended with a non-zero status."""
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command "
                       f"[{' '.join(argv)}], exit code {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


def failure(message: str) -> dict:
    return {"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError",
            "code": 500}


def run_stream(cluster: Any, path: str, io: WebSocketIO, pod: dict, container: str,
               subresource: str) -> None:
    """Run the exec'd command (or attach to the main process) and report how it ended."""
    from sim.workloads import exec as wexec

    query = query_of(path)
    tty, stdin = flag(query, "tty"), flag(query, "stdin")
    argv = query.get("command") or []
    try:
        if subresource == "exec":
            code = wexec.run(cluster, pod, container, argv, io, tty=tty, stdin=stdin)
        else:
            code = wexec.attach(cluster, pod, container, io, stdin=stdin, tty=tty)
    except wexec.ExecStartError as exc:
        io.finish(failure(exc.text.removeprefix("error: ")))
        return
    finally:
        with cluster.lock:
            cluster.reconcile()
    io.finish(success() if not code else exit_status(argv, int(code)))


def log_status_error(pod: dict, name: str, previous: bool = False) -> str | None:
    """The kubelet's validateContainerLogStatus: why there are no logs, or None."""
    pod_name = pod["metadata"]["name"]
    cs = container_status(pod, name)
    if cs is None:
        return f'container "{name}" in pod "{pod_name}" is not available'
    state = cs.get("state") or {}
    last = (cs.get("lastState") or {}).get("terminated")
    if previous:
        if not last or not last.get("containerID"):
            return f'previous terminated container "{name}" in pod "{pod_name}" not found'
        return None
    if state.get("running") is not None:
        return None
    if state.get("terminated") is not None:
        if state["terminated"].get("containerID") or (last and last.get("containerID")):
            return None
        return f'container "{name}" in pod "{pod_name}" is terminated'
    if last:
        return None if last.get("containerID") else \
            f'container "{name}" in pod "{pod_name}" is terminated'
    waiting = state.get("waiting")
    if waiting is not None:
        reason = waiting.get("reason", "")
        if reason == "ErrImagePull":
            return f'container "{name}" in pod "{pod_name}" is waiting to start: image can\'t be pulled'
        if reason == "ImagePullBackOff":
            return (f'container "{name}" in pod "{pod_name}" is waiting to start: trying and '
                    f"failing to pull image")
        return f'container "{name}" in pod "{pod_name}" is waiting to start: {reason}'
    return f'container "{name}" in pod "{pod_name}" is waiting to start - no logs yet'


def container_status(pod: dict, name: str) -> dict | None:
    status = pod.get("status") or {}
    for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
        for cs in status.get(key) or []:
            if cs.get("name") == name:
                return cs
    return None
