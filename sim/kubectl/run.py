"""``kubectl run``: a Pod from an image; with ``-i`` attached to it, ``--rm`` removed after."""

from __future__ import annotations

import re
from typing import Any

from sim.kubectl import output, workloads
from sim.kubectl.command import Ctx
from sim.kubectl.delete import wait_gone
from sim.kubectl.errors import KubectlError, api_text, fail, is_api_error, usage
from sim.kubectl.flags import ARRAY, BOOL, INT, f
from sim.kubectl.typed import with_typed_annotation
from sim.kubectl.attach import attach_to
from sim.kubectl.pods import container_for
from sim.kubectl.writes import dry_run_mode, dry_run_suffix, reconcile

FLAGS = (
    f("image"), f("image-pull-policy"), f("rm", kind=BOOL), f("env", kind=ARRAY),
    f("port"), f("labels", "l"), f("annotations", kind=ARRAY), f("stdin", "i", BOOL),
    f("tty", "t", BOOL), f("attach", kind=BOOL), f("leave-stdin-open", kind=BOOL),
    f("restart", default="Always"), f("command", kind=BOOL), f("expose", kind=BOOL),
    f("quiet", "q", BOOL), f("privileged", kind=BOOL), f("serviceaccount"),
    f("overrides"), f("override-type", default="merge"), f("pod-running-timeout", default="1m0s"),
    f("output", "o"), f("template"), f("allow-missing-template-keys", kind=BOOL, default=True),
    f("show-managed-fields", kind=BOOL), f("dry-run", default="none", no_value="unchanged"),
    f("save-config", kind=BOOL), f("field-manager", default="kubectl-run"),
    f("cascade", default="background", no_value="background"),
    f("grace-period", kind=INT, default=-1), f("force", kind=BOOL), f("timeout", default="0s"),
    f("wait", kind=BOOL, default=True), f("filename", "f", kind="stringSlice"),
    f("recursive", "R", BOOL), f("kustomize", "k"), f("record", kind=BOOL),
)

# docker/distribution's reference grammar, reduced to its character classes.
_IMAGE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+|__)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)"
                    r"[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.]"
                    r"[A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$")
POD_RUNNING_TIMEOUT = 60.0


def _pairs(spec: str, what: str) -> dict:
    out = {}
    for item in spec.split(","):
        parts = item.split("=")
        if len(parts) != 2:
            raise fail(f"invalid label spec: {item}" if what == "label" else f"invalid {what}: {item}")
        out[parts[0]] = parts[1]
    return out


def build_pod(ctx: Ctx, name: str, args: list[str]) -> dict:
    o = ctx.opts
    labels = _pairs(o["labels"], "label") if o["labels"] else {"run": name}
    annotations = {}
    for a in o["annotations"]:
        k, eq, v = a.partition("=")
        if not eq:
            raise fail(f"invalid annotation spec: {a}")
        annotations[k] = v
    container: dict[str, Any] = {}
    if args and not o["command"]:
        container["args"] = list(args)
    if args and o["command"]:
        container["command"] = list(args)
    if o["env"]:
        env = []
        for e in o["env"]:
            k, eq, v = e.partition("=")
            if not eq:
                raise fail(f"invalid env: {e}")
            env.append({"name": k, "value": v})
        container["env"] = env
    container["image"] = o["image"]
    if o["image-pull-policy"]:
        container["imagePullPolicy"] = o["image-pull-policy"]
    container["name"] = name
    if o["port"]:
        try:
            port = int(o["port"])
        except ValueError:
            raise fail(f'strconv.Atoi: parsing "{o["port"]}": invalid syntax') from None
        if port > 0:
            container["ports"] = [{"containerPort": port}]
    container["resources"] = {}
    if o["privileged"]:
        container["securityContext"] = {"privileged": True}
    if o["stdin"]:
        container["stdin"] = True
        if not o["leave-stdin-open"]:
            container["stdinOnce"] = True
    if o["tty"]:
        container["tty"] = True
    metadata: dict[str, Any] = {}
    if annotations:
        metadata["annotations"] = annotations
    metadata["labels"] = labels
    metadata["name"] = name
    spec: dict[str, Any] = {"containers": [container], "dnsPolicy": "ClusterFirst",
                            "restartPolicy": o["restart"] or "Always"}
    if o["serviceaccount"]:
        spec["serviceAccountName"] = o["serviceaccount"]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": {}}


def _restart_policy(ctx: Ctx) -> str:
    restart = ctx.opts["restart"]
    if not restart:
        return "OnFailure" if ctx.opts["stdin"] else "Always"
    if restart not in ("Always", "OnFailure", "Never"):
        raise usage(ctx.path, f"invalid restart policy: {restart}")
    return restart


def run(ctx: Ctx) -> int:
    o = ctx.opts
    args = ctx.args
    if not args or o.dash_at == 0:
        raise usage(ctx.path, "NAME is required for run")
    if not o["image"]:
        raise fail("--image is required")
    if not _IMAGE.match(o["image"]):
        raise fail(f'Invalid image name "{o["image"]}": invalid reference format')
    if o["tty"] and not o["stdin"]:
        raise usage(ctx.path, "-i/--stdin is required for containers with -t/--tty=true")
    if o["expose"] and not o["port"]:
        raise usage(ctx.path, "--port must be set when exposing a service")
    restart = _restart_policy(ctx)
    attach = o["attach"] if o.changed("attach") else o["stdin"]
    if not attach and o["rm"]:
        raise usage(ctx.path, "--rm should only be used for attached containers")
    dry = dry_run_mode(o["dry-run"])
    if attach and dry != "none":
        raise usage(ctx.path, "--dry-run=[server|client] can't be used with attached containers "
                              "options (--attach, --stdin, or --tty)")
    if o["image-pull-policy"] not in ("", "Always", "IfNotPresent", "Never"):
        raise fail(f"invalid image pull policy: {o['image-pull-policy']}")
    name = args[0]
    pod = build_pod(ctx, name, args[1:])
    pod["spec"]["restartPolicy"] = restart
    out = output.parse(o["output"], tables=False)
    if o["save-config"] and dry != "client":
        pod = with_typed_annotation(pod)
    if ctx.explicit_namespace and dry == "client":
        pod["metadata"]["namespace"] = ctx.namespace
    created = pod
    if dry != "client":
        send = dict(pod, metadata=dict(pod["metadata"], namespace=ctx.namespace))
        with ctx.locked():
            try:
                created = ctx.api.create(send, dry_run=dry == "server")
            except Exception as e:
                if not is_api_error(e):
                    raise
                raise KubectlError(api_text(e)) from None
            if dry == "none":
                reconcile(ctx)
    if o["expose"]:
        _expose(ctx, pod, dry, out)
    if attach:
        return _attach(ctx, created, restart)
    if out.kind:
        output.print_object(ctx, out, created, typed=dry == "client")
    else:
        ctx.out(f"pod/{name} created{dry_run_suffix(dry)}\n")
    return 0


def _expose(ctx: Ctx, pod: dict, dry: str, out) -> None:
    """``--expose``: a ClusterIP Service for the pod, created and printed before it."""
    name = pod["metadata"]["name"]
    port = int(ctx.opts["port"])
    metadata: dict[str, Any] = {}
    if ctx.opts["labels"]:
        metadata["labels"] = dict(pod["metadata"]["labels"])
    metadata["name"] = name
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": metadata,
           "spec": {"ports": [{"port": port, "protocol": "TCP", "targetPort": port}],
                    "selector": dict(pod["metadata"]["labels"])},
           "status": {"loadBalancer": {}}}
    shown = svc
    if dry != "client":
        send = dict(svc, metadata=dict(metadata, namespace=ctx.namespace))
        with ctx.locked():
            try:
                shown = ctx.api.create(send, dry_run=dry == "server")
            except Exception as e:
                if not is_api_error(e):
                    raise
                ctx.err(api_text(e) + "\n")
                return
    if out.kind:
        output.print_object(ctx, out, shown, typed=dry == "client")
        if out.kind == "yaml":
            ctx.out("---\n")
    else:
        ctx.out(f"service/{name} created{dry_run_suffix(dry)}\n")


def _phase(pod: dict | None) -> str:
    return ((pod or {}).get("status") or {}).get("phase", "")


def _ready(pod: dict | None) -> bool:
    for c in ((pod or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready" and c.get("status") == "True":
            return True
    return False


def _current(ctx: Ctx, ns: str, name: str) -> dict | None:
    return ctx.api.find("pods", ns, name)


def _wait(ctx: Ctx, predicate) -> bool:
    cluster = ctx.cluster
    fn = getattr(cluster, "wait_until", None)
    with ctx.locked():
        if callable(fn):
            return bool(fn(predicate, timeout=POD_RUNNING_TIMEOUT))
        return bool(predicate())


def _attach(ctx: Ctx, pod: dict, restart: str) -> int:
    o = ctx.opts
    ns, name = pod["metadata"].get("namespace") or ctx.namespace, pod["metadata"]["name"]
    try:
        return _attach_session(ctx, ns, name, restart)
    finally:
        if o["rm"]:
            _remove(ctx, ns, name)


def _attach_session(ctx: Ctx, ns: str, name: str, restart: str) -> int:
    o = ctx.opts

    def started() -> bool:
        p = _current(ctx, ns, name)
        if p is None:
            return True
        return _phase(p) in ("Succeeded", "Failed") or (_phase(p) == "Running" and _ready(p))

    if not _wait(ctx, started):
        raise fail("timed out waiting for the condition")
    with ctx.locked():
        pod = _current(ctx, ns, name)
        if pod is None:
            raise KubectlError(f'Error from server (NotFound): pods "{name}" not found')
        completed = _phase(pod) in ("Succeeded", "Failed")
        container = container_for(ctx, pod, "", o["quiet"])
        if completed:
            ctx.out(workloads.logs(ctx.cluster, pod, container["name"]))
    if not completed:
        attach_to(ctx, pod, container, stdin=o["stdin"], tty=o["tty"], quiet=o["quiet"])
    wait_exit = not o["leave-stdin-open"] and restart in ("Never", "OnFailure")
    if not wait_exit:
        return 0
    if restart == "Never":
        done = lambda: _phase(_current(ctx, ns, name)) in ("Succeeded", "Failed")  # noqa: E731
    else:
        done = lambda: _phase(_current(ctx, ns, name)) == "Succeeded"  # noqa: E731
    if not _wait(ctx, done):
        raise fail("timed out waiting for the condition")
    with ctx.locked():
        pod = _current(ctx, ns, name) or {}
    phase = _phase(pod)
    if phase == "Succeeded":
        return 0
    if phase == "Failed":
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        term = ((statuses[0].get("state") or {}).get("terminated") if statuses else None) or {}
        rc = int(term.get("exitCode") or 0)
        if not term or rc == 0:
            raise fail(f"pod {ns}/{name} failed with unknown exit code")
        raise KubectlError(f"pod {ns}/{name} terminated ({term.get('reason', '')})\n"
                           f"{term.get('message', '')}", rc)
    raise fail(f"pod {ns}/{name} left in phase {phase}")


def _remove(ctx: Ctx, ns: str, name: str) -> None:
    with ctx.locked():
        try:
            ctx.api.delete("pods", ns, name)
        except Exception as e:
            if not is_api_error(e):
                raise
            ctx.err(api_text(e) + "\n")
            return
        reconcile(ctx)
    ctx.out(f'pod "{name}" deleted from {ns} namespace\n')
    from sim.kubectl.resolve import resolve_type
    wait_gone(ctx, [(resolve_type(ctx.cluster, "pods"), ns, name)])
