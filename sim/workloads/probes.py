"""Probes as the kubelet runs them (readiness, liveness, startup): httpGet (2xx/3xx
passes), tcpSocket, exec (exit status 0 passes, its output is the failure message)."""

from __future__ import annotations

from typing import Any

from sim.net import addresses as addr
from sim.net import client as net
from sim.net.http import Request
from sim.net.routing import Target
from sim.workloads import runtime
from sim.workloads.proc import BufferSink, Forever


def _port(spec: dict, port: Any) -> int | None:
    if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
        return int(port)
    for item in spec.get("ports") or []:
        if item.get("name") == port:
            return int(item["containerPort"])
    return None


def _node_ip(cluster: Any, pod: dict) -> str:
    node = addr.node_by_name(cluster, (pod.get("spec") or {}).get("nodeName", "")) \
        if (pod.get("spec") or {}).get("nodeName") else None
    found = addr.node_addresses(node, ("InternalIP",)) if node else []
    return found[0] if found else ""


def ready(cluster: Any, pod: dict, name: str) -> tuple[bool, str]:
    return check(cluster, pod, name, "readinessProbe")


def check(cluster: Any, pod: dict, name: str, kind: str) -> tuple[bool, str]:
    """The verdict of the container's ``kind`` probe (readinessProbe, livenessProbe,
    startupProbe) now, and the kubelet's message when it fails."""
    spec = runtime._container_spec(pod, name)
    state = runtime.container(cluster, pod, name)
    if not state.running:
        return False, "container is not running"
    probe = spec.get(kind)
    if not probe:
        return True, ""
    ip = addr.pod_ip(pod) or ""
    if "httpGet" in probe:
        return _http(cluster, pod, spec, probe["httpGet"])
    if "tcpSocket" in probe:
        port = _port(spec, probe["tcpSocket"].get("port"))
        if port is not None and net.listening(cluster, Target("pod", port, pod=pod, address=ip)):
            return True, ""
        return False, f"dial tcp {ip}:{port}: connect: connection refused"
    if "exec" in probe:
        from sim.workloads import commands
        from sim.workloads.exec import _proc
        from sim.workloads.shell import Shell, ShellExit

        argv = list(probe["exec"].get("command") or [])
        if not argv:
            return False, "no command"
        sink = BufferSink()
        proc = _proc(cluster, pod, state, sink, sink, lambda: b"", False)
        try:
            code = commands.run(Shell(state.image.shell), proc, argv)
        except ShellExit as exc:
            code = exc.code
        except Forever:
            return False, "command timed out"
        return code == 0, sink.data.decode("utf-8", "replace").strip()
    return True, ""


def http_hook(cluster: Any, pod: dict, name: str, get: dict) -> tuple[bool, str]:
    """An httpGet lifecycle hook: asked as a probe is."""
    return _http(cluster, pod, runtime._container_spec(pod, name), get)


def _http(cluster: Any, pod: dict, spec: dict, get: dict) -> tuple[bool, str]:
    ip = addr.pod_ip(pod) or ""
    port = _port(spec, get.get("port"))
    scheme = (get.get("scheme") or "HTTP").lower()
    host = get.get("host") or ip
    url = f"{scheme}://{host}:{port}{get.get('path') or '/'}"
    if port is None:
        return False, f"strconv.Atoi: parsing {get.get('port')!r}: invalid syntax"
    target = Target("pod", port, pod=pod, address=ip, client_ip=_node_ip(cluster, pod))
    if not net.listening(cluster, target):
        return False, f'Get "{url}": dial tcp {ip}:{port}: connect: connection refused'
    if scheme == "https" and net.server_chain(cluster, target, "") is None:
        return False, f'Get "{url}": http: server gave HTTP response to HTTPS client'

    headers = [("Host", f"{host}:{port}"), ("User-Agent", "kube-probe/1.35"), ("Accept", "*/*")]
    for header in get.get("httpHeaders") or []:
        headers.append((header.get("name", ""), header.get("value", "")))
    request = Request("GET", get.get("path") or "/", headers, client_ip=target.client_ip,
                      scheme=scheme, quiet=True)
    response = net.respond(cluster, target, request)
    if response is None:
        return False, f'Get "{url}": EOF'
    if 200 <= response.status < 400:
        return True, ""
    return False, f"HTTP probe failed with statuscode: {response.status}"
