"""``kubectl logs``: a container's output, from a pod or an object's first pod."""

from __future__ import annotations

from sim.kubectl import workloads
from sim.kubectl.command import Ctx
from sim.kubectl.errors import KubectlError, fail, usage
from sim.kubectl.flags import BOOL, INT, f
from sim.kubectl.pods import container_for, log_status_error, resolve_pod

FLAGS = (
    f("container", "c"), f("follow", "f", BOOL), f("tail", kind=INT, default=-1),
    f("timestamps", kind=BOOL), f("previous", "p", BOOL), f("since"), f("since-time"),
    f("limit-bytes", kind=INT, default=0), f("all-containers", kind=BOOL),
    f("all-pods", kind=BOOL), f("selector", "l"), f("prefix", kind=BOOL),
    f("ignore-errors", kind=BOOL), f("max-log-requests", kind=INT, default=5),
    f("pod-running-timeout", default="20s"), f("insecure-skip-tls-verify-backend", kind=BOOL),
)

USAGE = "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command"


def run(ctx: Ctx) -> int:
    o = ctx.opts
    args = ctx.args
    if not args and not o["selector"]:
        raise usage(ctx.path, USAGE)
    if args and o["selector"]:
        raise usage(ctx.path, "only a selector (-l) or a POD name is allowed")
    if len(args) > 2:
        raise usage(ctx.path, USAGE)
    container_name = o["container"]
    if len(args) == 2:
        if container_name:
            raise fail("only one of -c or an inline [CONTAINER] arg is allowed")
        container_name = args[1]
    if o["tail"] < -1:
        raise fail("--tail must be greater than or equal to -1")
    if o["selector"]:
        return _by_selector(ctx)
    with ctx.locked():
        pod, count = resolve_pod(ctx, args[0])
        if count > 1:
            ctx.err(f"Found {count} pods, using pod/{pod['metadata']['name']}\n")
        container = container_for(ctx, pod, container_name)
        problem = log_status_error(pod, container["name"], o["previous"])
        if problem:
            raise KubectlError(f"Error from server (BadRequest): {problem}")
        text = workloads.logs(ctx.cluster, pod, container["name"])
    if o["tail"] >= 0:
        lines = text.splitlines(keepends=True)
        text = "".join(lines[-o["tail"]:]) if o["tail"] else ""
    ctx.out(text)
    if o["follow"] and (pod.get("status") or {}).get("phase") in ("Running", "Pending"):
        # A running container's stream stays open until the caller interrupts it.
        ctx.io.wait_closed()
    return 0


def _tail(text: str, count: int) -> str:
    if count < 0:
        return text
    lines = text.splitlines(keepends=True)
    return "".join(lines[-count:]) if count else ""


def _by_selector(ctx: Ctx) -> int:
    """``logs -l``: every matching pod's logs, the last 10 lines unless --tail says otherwise."""
    o = ctx.opts
    tail = o["tail"] if o.changed("tail") else 10
    with ctx.locked():
        pods = ctx.api.list("pods", ctx.namespace, label_selector=o["selector"])
        if not pods:
            ctx.err(f"No resources found in {ctx.namespace} namespace.\n")
            return 0
        texts = []
        for pod in pods:
            container = container_for(ctx, pod, o["container"])
            problem = log_status_error(pod, container["name"], o["previous"])
            if problem:
                raise KubectlError(f"Error from server (BadRequest): {problem}")
            text = _tail(workloads.logs(ctx.cluster, pod, container["name"]), tail)
            if o["prefix"]:
                text = "".join(f"[pod/{pod['metadata']['name']}/{container['name']}] {line}"
                               for line in text.splitlines(keepends=True))
            texts.append(text)
    ctx.out("".join(texts))
    return 0
