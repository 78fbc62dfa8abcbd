"""The seam to what runs inside containers (sim.workloads): imported late, so that the
command line works before and without it."""

from __future__ import annotations

import inspect
from typing import Any

from sim.kubectl.errors import fail


def exec_in(cluster: Any, pod: dict, container: str, argv: list[str], io: Any, *,
            stdin: bool = False, tty: bool = False) -> int:
    try:
        from sim.workloads import exec as wexec
    except ImportError:
        raise fail("unable to upgrade connection: container runtime is not available") from None
    params = inspect.signature(wexec.run).parameters
    kwargs = {}
    if "stdin" in params:
        kwargs["stdin"] = stdin
    if "tty" in params:
        kwargs["tty"] = tty
    return int(wexec.run(cluster, pod, container, argv, io, **kwargs) or 0)


def attach(cluster: Any, pod: dict, container: dict, io: Any, *, stdin: bool, tty: bool) -> int:
    """Attach to a container's main process: the runtime's attach, else its command."""
    try:
        from sim.workloads import exec as wexec
    except ImportError:
        raise fail("unable to upgrade connection: container runtime is not available") from None
    fn = getattr(wexec, "attach", None)
    if callable(fn):
        params = inspect.signature(fn).parameters
        kwargs = {k: v for k, v in (("stdin", stdin), ("tty", tty)) if k in params}
        return int(fn(cluster, pod, container["name"], io, **kwargs) or 0)
    argv = list(container.get("command") or []) + list(container.get("args") or [])
    if not argv:
        argv = ["sh"]
    return exec_in(cluster, pod, container["name"], argv, io, stdin=stdin, tty=tty)


def logs(cluster: Any, pod: dict, container: str) -> str:
    try:
        from sim.workloads import runtime
    except ImportError:
        return ""
    return runtime.logs(cluster, pod, container) or ""


def serve_proxy(cluster: Any, port: int, io: Any) -> None:
    try:
        from sim.net import proxy
    except ImportError:
        # No proxy server in this build: hold the port's promise until interrupted.
        io.wait_closed()
        return
    proxy.serve(cluster, port, io)


def port_forward(cluster: Any, pod_ref: Any, ports: list[tuple[int, int]], addresses: list[str],
                 io: Any) -> Any:
    """Listeners for ``kubectl port-forward`` (sim.net.portforward.Forwarding)."""
    try:
        from sim.net import portforward
    except ImportError:
        raise fail("error upgrading connection: port forwarding is not available") from None
    return portforward.listen(cluster, pod_ref, ports, addresses, io)
