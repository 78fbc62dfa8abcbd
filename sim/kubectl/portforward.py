"""``kubectl port-forward TYPE/NAME [LOCAL:]REMOTE…``: local ports that reach a pod, until
interrupted (or until the pod goes: ``lost connection to pod``)."""

from __future__ import annotations

from sim.api.client import Client
from sim.kubectl import resolve, workloads
from sim.kubectl.command import Ctx
from sim.kubectl.durations import parse_duration
from sim.kubectl.errors import KubectlError, api_text, fail, is_api_error, usage
from sim.kubectl.flags import SLICE, f
from sim.kubectl.pods import pods_for

FLAGS = (f("address", kind=SLICE, default=["localhost"]), f("pod-running-timeout", default="1m0s"))

POLL_SECONDS = 0.2      # how often the forwarding checks that its pod is still there


def _split(port: str) -> tuple[str, str]:
    parts = port.split(":")
    if len(parts) == 2:
        return parts[0], parts[1]
    return parts[0], parts[0]


def _container_port_by_name(pod: dict, name: str) -> int:
    for container in (pod.get("spec") or {}).get("containers") or []:
        for item in container.get("ports") or []:
            if item.get("name") == name:
                return int(item["containerPort"])
    raise fail(f"Pod '{pod['metadata']['name']}' does not have a named port '{name}'")


def _pod_ports(ports: list[str], pod: dict) -> list[str]:
    """convertPodNamedPortToNumber."""
    out = []
    for port in ports:
        local, remote = _split(port)
        number = remote if remote.isdigit() else str(_container_port_by_name(pod, remote))
        out.append(f"{local}:{number}" if local != remote else number)
    return out


def _service_ports(ports: list[str], svc: dict, pod: dict) -> list[str]:
    """translateServicePortToTargetPort: a Service port becomes the pod's target port."""
    spec = svc.get("spec") or {}
    out = []
    for port in ports:
        local, remote = _split(port)
        if remote.lstrip("-").isdigit():
            number = int(remote)
        else:
            named = [p for p in spec.get("ports") or [] if p.get("name") == remote]
            if not named:
                raise fail(f"Service '{svc['metadata']['name']}' does not have a named port '{remote}'")
            number = int(named[0]["port"])
            if local == remote:
                local = str(number)
        entry = next((p for p in spec.get("ports") or [] if p.get("port") == number), None)
        if entry is None:
            raise fail(f"Service {svc['metadata']['name']} does not have a service port {number}")
        target = entry.get("targetPort")
        if spec.get("clusterIP") == "None":
            container = number
        elif target in (None, 0, "0"):
            container = int(entry["port"])
        elif isinstance(target, int) or str(target).isdigit():
            container = int(target)
        else:
            container = _container_port_by_name(pod, str(target))
        remote = str(container)
        out.append(f"{local}:{remote}" if local != remote else remote)
    return out


def _parse(ports: list[str]) -> list[tuple[int, int]]:
    """client-go's portforward.parsePorts."""
    out = []
    for port in ports:
        parts = port.split(":")
        if len(parts) > 2:
            raise fail(f"invalid port format '{port}'")
        local_text, remote_text = (parts[0], parts[1]) if len(parts) == 2 else (parts[0], parts[0])
        local = 0
        if local_text:
            local = _uint16(local_text, "local")
        remote = _uint16(remote_text, "remote")
        if remote == 0:
            raise fail("remote port must be > 0")
        out.append((local, remote))
    return out


def _uint16(text: str, which: str) -> int:
    if not text.isdigit():
        raise fail(f"error parsing {which} port '{text}': strconv.ParseUint: parsing "
                   f"\"{text}\": invalid syntax")
    value = int(text)
    if value > 65535:
        raise fail(f"error parsing {which} port '{text}': strconv.ParseUint: parsing "
                   f"\"{text}\": value out of range")
    return value


def _target(ctx: Ctx, arg: str) -> tuple[dict, dict]:
    """(object named, the pod chosen for it)."""
    if "/" in arg:
        type_token, _, name = arg.partition("/")
        t = resolve.resolve_type(ctx.cluster, type_token)
    else:
        t, name = resolve.resolve_type(ctx.cluster, "pods"), arg
    try:
        obj = ctx.api.get(t.resource_ref, ctx.namespace if t.namespaced else None, name)
    except Exception as e:
        if not is_api_error(e):
            raise
        raise KubectlError(api_text(e)) from None
    if obj.get("kind") == "Service" and not (obj.get("spec") or {}).get("selector"):
        raise fail(f"cannot attach to *v1.Service: invalid service '{name}': Service is defined "
                   f"without a selector")
    pods = pods_for(ctx.api, obj)
    if not pods:
        # kubectl watches for a pod of the object for --pod-running-timeout
        found: list[dict] = []

        def appeared() -> bool:
            found[:] = pods_for(ctx.api, obj)
            return bool(found)
        wait_until = getattr(ctx.cluster, "wait_until", None)
        timeout = parse_duration(ctx.opts["pod-running-timeout"])
        if not callable(wait_until) or not wait_until(appeared, timeout=timeout):
            raise fail("timed out waiting for the condition")
        pods = found
    return obj, pods[0]


def run(ctx: Ctx) -> int:
    args = ctx.args
    if len(args) < 2:
        raise usage(ctx.path, "TYPE/NAME and list of ports are required for port-forward")
    with ctx.locked():
        obj, pod = _target(ctx, args[0])
        if obj.get("kind") == "Service":
            ports = _service_ports(args[1:], obj, pod)
        else:
            ports = _pod_ports(args[1:], pod)
        pairs = _parse(ports)
        phase = (pod.get("status") or {}).get("phase", "")
        if phase != "Running":
            raise fail(f"unable to forward port because pod is not running. Current status={phase}")
    ns, name, uid = pod["metadata"].get("namespace"), pod["metadata"]["name"], pod["metadata"].get("uid")
    client = Client(ctx.cluster)

    def current() -> dict | None:
        found = client.find("pods", ns, name)
        if found is None or found["metadata"].get("uid") != uid:
            return None
        return found

    addresses = [a for item in ctx.opts["address"] for a in item.split(",") if a]
    forwarding = workloads.port_forward(ctx.cluster, current, pairs, addresses, ctx.io)
    try:
        for message in forwarding.errors:
            ctx.err(message + "\n")
        if not forwarding.listeners:
            shown = " ".join(f"{{{local} {remote}}}" for local, remote in pairs)
            raise fail(f"unable to listen on any of the requested ports: [{shown}]")
        ctx.out("".join(f"Forwarding from {item.host}:{item.local} -> {item.remote}\n"
                        for item in forwarding.listeners))
        while not ctx.io.wait_closed(POLL_SECONDS):
            with ctx.locked():
                gone = current() is None or (current().get("status") or {}).get("phase") != "Running"
            if gone or forwarding.lost.is_set():
                raise fail("lost connection to pod")
        return 0
    finally:
        forwarding.close()
