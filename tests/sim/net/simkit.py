"""Helpers for tests of the network and the containers, on a real simulated cluster."""

from __future__ import annotations

from typing import Any

from sim.cluster import Cluster


class FakeIO:
    """A ToolIO that records what a tool writes and feeds it scripted input lines."""

    def __init__(self, lines: list[str] | None = None, tty: bool = False, stdin: bytes = b""):
        self.out = bytearray()
        self.err = bytearray()
        self.lines = [line.encode() for line in (lines or [])]
        self.stdin_is_tty = tty
        self.stdout_is_tty = tty
        self.cwd = "/"
        self.env: dict[str, str] = {}
        self.stdin = stdin
        self.raw: list[bool] = []
        self.exec_argv: list[str] | None = None

    def write_out(self, data: Any) -> None:
        self.out += data.encode() if isinstance(data, str) else data

    def write_err(self, data: Any) -> None:
        self.err += data.encode() if isinstance(data, str) else data

    def read_stdin(self) -> bytes:
        return self.stdin

    def read_line(self) -> bytes | None:
        return self.lines.pop(0) + b"\n" if self.lines else None

    def set_raw(self, raw: bool) -> None:
        self.raw.append(raw)

    def closed(self) -> bool:
        return True

    def wait_closed(self, timeout: float | None = None) -> bool:
        return True

    def exec_local(self, argv: list[str]) -> None:
        self.exec_argv = argv
        raise SystemExit(0)

    @property
    def text(self) -> str:
        return self.out.decode()

    @property
    def errors(self) -> str:
        return self.err.decode()


def new_cluster(profile: str | dict = "default") -> Cluster:
    return Cluster(profile)


def deployment(name: str, labels: dict, image: str = "nginx", replicas: int = 1,
               containers: list[dict] | None = None, ns: str = "default", **pod_spec: Any) -> dict:
    spec = dict(pod_spec)
    spec["containers"] = containers or [{"name": name, "image": image, "ports": [{"containerPort": 80}]}]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": spec}}}


def service(name: str, selector: dict | None, ports: list[dict], ns: str = "default", **spec: Any) -> dict:
    body = dict(spec)
    body["ports"] = ports
    if selector is not None:
        body["selector"] = selector
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": body}


def pod(name: str, image: str, ns: str = "default", labels: dict | None = None, **spec: Any) -> dict:
    container = {"name": name, "image": image}
    container.update(spec.pop("container", {}))
    body = dict(spec)
    body["containers"] = [container]
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}}, "spec": body}


def create(cluster: Cluster, *objects: dict, settle: float = 5.0) -> None:
    with cluster.lock:
        for obj in objects:
            cluster.store.create(obj)
        cluster.run_for(settle)


def pods(cluster: Cluster, label: str, ns: str = "default") -> list[dict]:
    with cluster.lock:
        return sorted(cluster.store.list("pods", ns, label_selector=label),
                      key=lambda p: p["metadata"]["name"])


def get(cluster: Cluster, resource: str, name: str, ns: str | None = "default") -> dict:
    with cluster.lock:
        return cluster.store.get(resource, ns, name)


def run(cluster: Cluster, target: dict, argv: list[str], **io_args: Any) -> tuple[int, str, str]:
    """``kubectl exec`` into the first container of ``target``: (status, stdout, stderr)."""
    from sim.workloads import exec as wexec

    io = FakeIO(**io_args)
    with cluster.lock:
        current = cluster.store.get("pods", target["metadata"]["namespace"], target["metadata"]["name"])
        code = wexec.run(cluster, current, current["spec"]["containers"][0]["name"], argv, io)
    return code, io.text, io.errors


def sh(cluster: Cluster, target: dict, script: str) -> tuple[int, str, str]:
    return run(cluster, target, ["sh", "-c", script])


def tool(cluster: Cluster, name: str, argv: list[str], **io_args: Any) -> tuple[int, str, str]:
    from sim import tools

    io = FakeIO(**io_args)
    code = tools.lookup(name)(cluster, [name] + argv, io)
    return code, io.text, io.errors
