"""What a program running in a container sees: its files, environment, working
directory, standard streams, and the cluster around it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sim.workloads.fs import FileSystem


class Sink:
    def write(self, data: bytes) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class BufferSink(Sink):
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data


class NullSink(Sink):
    def write(self, data: bytes) -> None:
        return None


class IOSink(Sink):
    """Straight to the caller's terminal; a pseudo-terminal turns \\n into \\r\\n."""

    def __init__(self, io: Any, error: bool, tty: bool):
        self.io, self.error, self.tty = io, error, tty

    def write(self, data: bytes) -> None:
        if self.tty:
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        (self.io.write_err if self.error else self.io.write_out)(data)


class FileSink(Sink):
    def __init__(self, fs: FileSystem, path: str, now: float):
        self.fs, self.path, self.now = fs, path, now

    def write(self, data: bytes) -> None:
        self.fs.write(self.path, data, self.now, append=True)


class Forever(Exception):
    """The program would run until stopped (``while true``, ``sleep infinity``, ``tail -f``)."""


@dataclass
class Proc:
    cluster: Any
    pod: dict
    container: Any                       # runtime.Container
    env: dict[str, str]
    cwd: str
    out: Sink
    err: Sink
    stdin: Callable[[], bytes] = lambda: b""
    shell: str = "sh"                    # the name the shell was invoked as (for messages)
    main: bool = False                   # the container's main process
    stdout_tty: bool = False
    io: Any = None
    status: int = 0
    positional: list[str] = field(default_factory=list)
    network: Any = None                  # a sim.net.client.Client: where this process sits
    sleeps: list[float] | None = None    # set: sleep only counts its seconds here (hooks)

    @property
    def fs(self) -> FileSystem:
        return self.container.fs

    @property
    def image(self) -> Any:
        return self.container.image

    def now(self) -> datetime:
        return self.cluster.clock.now()

    def path(self, name: str) -> str:
        return FileSystem.norm(name, self.cwd)

    def write(self, text: str | bytes) -> None:
        self.out.write(text.encode() if isinstance(text, str) else text)

    def error(self, text: str | bytes) -> None:
        self.err.write(text.encode() if isinstance(text, str) else text)

    def client(self) -> Any:
        """The network as this process sees it (a pod's, or a node's for a node shell)."""
        if self.network is not None:
            return self.network
        from sim.net import client as net

        hosts = self.fs.read("/etc/hosts").decode() if self.fs.stat("/etc/hosts") else None
        return net.pod_client(self.cluster, self.pod, hosts)

    def child(self, **changes: Any) -> "Proc":
        values = dict(self.__dict__)
        values["env"] = dict(self.env)
        values.update(changes)
        return Proc(**values)
