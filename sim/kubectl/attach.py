"""``kubectl attach``, and the attaching half of ``kubectl run -i``."""

from __future__ import annotations

from sim.kubectl import workloads
from sim.kubectl.command import Ctx
from sim.kubectl.errors import fail, usage
from sim.kubectl.flags import BOOL, f
from sim.kubectl.pods import container_for, require_running, resolve_pod

FLAGS = (f("container", "c"), f("stdin", "i", BOOL), f("tty", "t", BOOL), f("quiet", "q", BOOL),
         f("pod-running-timeout", default="1m0s"))

BANNER = ("All commands and output from this session will be recorded in container logs, "
          "including credentials and sensitive information passed through the command prompt.\n"
          "If you don't see a command prompt, try pressing enter.\n")
TTY_UNAVAILABLE = "Unable to use a TTY - input is not a terminal or the right kind of file\n"


def attach_to(ctx: Ctx, pod: dict, container: dict, *, stdin: bool, tty: bool,
              quiet: bool) -> None:
    """AttachOptions.Run from the TTY checks on: banners, the session, the way back."""
    if tty and not container.get("tty"):
        tty = False
        if not quiet:
            ctx.err(f"error: Unable to use a TTY - container {container['name']} did not "
                    f"allocate one\n")
    elif not tty and container.get("tty"):
        tty = True
    raw = False
    if stdin and tty:
        if ctx.io.stdin_is_tty:
            raw = True
        elif not quiet:
            ctx.err(TTY_UNAVAILABLE)
    if not quiet:
        ctx.err(BANNER)
    if raw:
        ctx.io.set_raw(True)
    try:
        workloads.attach(ctx.cluster, pod, container, ctx.io, stdin=stdin, tty=raw)
    finally:
        if raw:
            ctx.io.set_raw(False)
    if not quiet and stdin and raw and pod["spec"].get("restartPolicy") == "Always":
        ctx.out(f"Session ended, resume using 'kubectl attach {pod['metadata']['name']} -c "
                f"{container['name']} -i -t' command when the pod is running\n")


def run(ctx: Ctx) -> int:
    o = ctx.opts
    args = ctx.args
    if not args:
        raise usage(ctx.path, "at least 1 argument is required for attach")
    if len(args) > 2:
        raise usage(ctx.path, f"expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) "
                              f"saw {len(args)}: [{' '.join(args)}]")
    target = args[0] if len(args) == 1 else f"{args[0]}/{args[1]}"
    with ctx.locked():
        pod, _ = resolve_pod(ctx, target)
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            raise fail(f"cannot attach a container in a completed pod; current phase is {phase}")
        container = container_for(ctx, pod, o["container"], o["quiet"])
        require_running(pod, container["name"])
    attach_to(ctx, pod, container, stdin=o["stdin"], tty=o["tty"], quiet=o["quiet"])
    return 0
