"""``kubectl rollout status`` and ``rollout restart``: a workload's rollout as its status
viewer reads it, watched in virtual time until done."""

from __future__ import annotations

from typing import Any

from sim.kubectl import resolve
from sim.kubectl.command import Command, Ctx, run_group
from sim.kubectl.durations import parse_duration
from sim.kubectl.errors import KubectlError, api_text, fail, is_api_error
from sim.kubectl.flags import BOOL, INT, SLICE, f
from sim.kubectl.setimage import HISTORY_COMMAND, UNDO_COMMAND
from sim.kubectl.writes import named_object, reconcile

STATUS_FLAGS = (f("watch", "w", BOOL, True), f("revision", kind=INT, default=0),
                f("timeout", default="0s"), f("filename", "f", SLICE), f("recursive", "R", BOOL),
                f("kustomize", "k"), f("selector", "l"))
RESTART_FLAGS = (f("filename", "f", SLICE), f("recursive", "R", BOOL), f("kustomize", "k"),
                 f("selector", "l"), f("output", "o"), f("field-manager", default="kubectl-rollout"))
# Without --timeout kubectl waits for good; the simulation gives the cluster this long.
FOREVER = 3600.0
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


def _status(obj: dict) -> tuple[str, bool]:
    kind, name = obj["kind"], obj["metadata"]["name"]
    gen = obj["metadata"].get("generation", 0)
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    if kind == "Deployment":
        if gen <= st.get("observedGeneration", 0):
            for c in st.get("conditions") or []:
                if c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded":
                    raise fail(f'deployment "{name}" exceeded its progress deadline')
            replicas = spec.get("replicas", 1)
            updated = st.get("updatedReplicas", 0)
            if updated < replicas:
                return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of '
                        f"{replicas} new replicas have been updated...\n", False)
            if st.get("replicas", 0) > updated:
                return (f'Waiting for deployment "{name}" rollout to finish: '
                        f"{st.get('replicas', 0) - updated} old replicas are pending "
                        f"termination...\n", False)
            available = st.get("availableReplicas", 0)
            if available < updated:
                return (f'Waiting for deployment "{name}" rollout to finish: {available} of '
                        f"{updated} updated replicas are available...\n", False)
            return f'deployment "{name}" successfully rolled out\n', True
        return "Waiting for deployment spec update to be observed...\n", False
    strategy = spec.get("updateStrategy") or {}
    if kind == "DaemonSet":
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            raise fail("rollout status is only available for RollingUpdate strategy type")
        if gen <= st.get("observedGeneration", 0):
            desired = st.get("desiredNumberScheduled", 0)
            if st.get("updatedNumberScheduled", 0) < desired:
                return (f'Waiting for daemon set "{name}" rollout to finish: '
                        f"{st.get('updatedNumberScheduled', 0)} out of {desired} new pods have "
                        f"been updated...\n", False)
            if st.get("numberAvailable", 0) < desired:
                return (f'Waiting for daemon set "{name}" rollout to finish: '
                        f"{st.get('numberAvailable', 0)} of {desired} updated pods are "
                        f"available...\n", False)
            return f'daemon set "{name}" successfully rolled out\n', True
        return "Waiting for daemon set spec update to be observed...\n", False
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        raise fail("rollout status is only available for RollingUpdate strategy type")
    if not st.get("observedGeneration") or gen > st.get("observedGeneration", 0):
        return "Waiting for statefulset spec update to be observed...\n", False
    replicas = spec.get("replicas", 1)
    if st.get("readyReplicas", 0) < replicas:
        return f"Waiting for {replicas - st.get('readyReplicas', 0)} pods to be ready...\n", False
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        partition = rolling.get("partition")
        if partition is not None and st.get("updatedReplicas", 0) < replicas - partition:
            return (f"Waiting for partitioned roll out to finish: {st.get('updatedReplicas', 0)} "
                    f"out of {replicas - partition} new pods have been updated...\n", False)
        return (f"partitioned roll out complete: {st.get('updatedReplicas', 0)} new pods have "
                f"been updated...\n", True)
    if st.get("updateRevision") != st.get("currentRevision"):
        return (f"waiting for statefulset rolling update to complete "
                f"{st.get('updatedReplicas', 0)} pods at revision {st.get('updateRevision')}...\n",
                False)
    return (f"statefulset rolling update complete {st.get('currentReplicas', 0)} pods at "
            f"revision {st.get('currentRevision')}...\n", True)


VIEWABLE = {"Deployment", "DaemonSet", "StatefulSet"}


def run_status(ctx: Ctx) -> int:
    o = ctx.opts
    if not ctx.args and not o["filename"]:
        raise fail("required resource not specified")
    if o["revision"] < 0:
        raise fail(f"revision must be a positive integer: {o['revision']}")
    timeout = parse_duration(o["timeout"])
    api = ctx.api
    with ctx.locked():
        sel = resolve.select(ctx.cluster, ctx.args, ctx.path)
        targets: list[tuple[resolve.ResourceType, str]] = []
        for t, name in sel.items:
            ns = ctx.namespace if t.namespaced else None
            if name is not None:
                try:
                    api.get(t.resource_ref, ns, name)
                except Exception as e:
                    if not is_api_error(e):
                        raise
                    raise KubectlError(api_text(e)) from None
                targets.append((t, name))
            else:
                targets.extend((t, obj["metadata"]["name"]) for obj in
                               api.list(t.resource_ref, ns, label_selector=o["selector"] or None))
    if not targets:
        ctx.err(f"No resources found in {ctx.namespace} namespace.\n")
        return 0
    for t, name in targets:
        if t.kind not in VIEWABLE:
            raise fail(f"no status viewer has been implemented for {t.kind}")
        _watch(ctx, t, name, timeout, o["watch"])
    return 0


def _watch(ctx: Ctx, t: resolve.ResourceType, name: str, timeout: float, watch: bool) -> None:
    """Print each new status line until the rollout is done (or once without --watch)."""
    ns = ctx.namespace if t.namespaced else None
    last = [""]

    def step() -> bool:
        obj = ctx.api.find(t.resource_ref, ns, name)
        if obj is None:
            raise fail("object has been deleted")
        message, done = _status(obj)
        if message != last[0]:
            ctx.out(message)
            last[0] = message
        return done or not watch

    wait_until = getattr(ctx.cluster, "wait_until", None)
    with ctx.locked():
        if step() or not callable(wait_until):
            return
        if not wait_until(step, timeout=timeout if timeout > 0 else FOREVER, step=1.0):
            raise fail("timed out waiting for the condition")


def run_restart(ctx: Ctx) -> int:
    if not ctx.args and not ctx.opts["filename"]:
        raise fail("required resource not specified")
    errors: list[str] = []
    with ctx.locked():
        sel = resolve.select(ctx.cluster, ctx.args, ctx.path)
        stamp = ctx.cluster.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        for t, name in sel.items:
            if name is None:
                raise fail("resource(s) were provided, but no name was specified")
            if t.kind not in VIEWABLE:
                errors.append(f'error: {t.resource_ref} "{name}" restarting is not supported')
                continue
            obj = named_object(ctx, t, name, errors)
            if obj is None:
                continue
            annotations = ((((obj.get("spec") or {}).get("template") or {}).get("metadata")
                            or {}).get("annotations") or {})
            if annotations.get(RESTARTED_AT) == stamp:
                errors.append(f"failed to create patch for {name}: if restart has already been "
                              f"triggered within the past second, please wait before attempting "
                              f"to trigger another")
                continue
            patch: dict[str, Any] = {"spec": {"template": {"metadata": {"annotations": {
                RESTARTED_AT: stamp}}}}}
            ctx.api.patch(t.resource_ref, ctx.namespace, name, patch, "strategic")
            reconcile(ctx)
            ctx.out(f"{t.kind_ref}/{name} restarted\n")
    if errors:
        raise KubectlError("\n".join(e if e.startswith(("error: ", "Error from")) else
                                     "error: " + e for e in errors))
    return 0


COMMAND = Command("rollout", run_group, (), children=[
    Command("status", run_status, STATUS_FLAGS),
    Command("restart", run_restart, RESTART_FLAGS),
    HISTORY_COMMAND, UNDO_COMMAND,
])
