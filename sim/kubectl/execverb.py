"""``kubectl exec``: run a command in a container of a pod (or of an object's first pod)."""

from __future__ import annotations

from sim.kubectl import workloads
from sim.kubectl.command import Ctx
from sim.kubectl.errors import KubectlError, fail, usage
from sim.kubectl.flags import BOOL, SLICE, f
from sim.kubectl.pods import container_for, require_running, resolve_pod

FLAGS = (
    f("container", "c"), f("stdin", "i", BOOL), f("tty", "t", BOOL), f("quiet", "q", BOOL),
    f("filename", "f", SLICE), f("pod-running-timeout", default="1m0s"),
)

TTY_UNAVAILABLE = "Unable to use a TTY - input is not a terminal or the right kind of file"


def run(ctx: Ctx) -> int:
    o = ctx.opts
    args, dash = ctx.args, o.dash_at
    name = args[0] if args and dash != 0 else ""
    if dash > -1:
        command = args[dash:]
    elif len(args) > 1 or (args and o["filename"]):
        raise usage(ctx.path, "exec [POD] [COMMAND] is not supported anymore. Use exec [POD] "
                              "-- [COMMAND] instead")
    else:
        command = []
    if not name and not o["filename"]:
        raise fail("pod, type/name or --filename must be specified")
    if not command:
        raise fail("you must specify at least one command for the container")
    with ctx.locked():
        pod, _ = resolve_pod(ctx, name)
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            raise fail(f"cannot exec into a container in a completed pod; current phase is {phase}")
        container = container_for(ctx, pod, o["container"], o["quiet"])
        require_running(pod, container["name"])
    tty = o["tty"] and o["stdin"]
    if tty and not ctx.io.stdin_is_tty:
        tty = False
        if not o["quiet"]:
            ctx.err(TTY_UNAVAILABLE + "\n")
    if tty:
        ctx.io.set_raw(True)
    try:
        code = workloads.exec_in(ctx.cluster, pod, container["name"], command, ctx.io,
                                 stdin=o["stdin"], tty=tty)
    finally:
        if tty:
            ctx.io.set_raw(False)
    if code:
        raise KubectlError(f"command terminated with exit code {code}", code)
    return 0
