"""Choosing a pod and a container the way kubectl does (AttachablePodForObject,
FindOrDefaultContainerByName)."""

from __future__ import annotations

from typing import Any

from sim.kubectl import resolve
from sim.kubectl.errors import KubectlError, api_text, fail, is_api_error

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


def _ready(pod: dict) -> bool:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def _activity(pod: dict) -> tuple:
    """Higher is more active (the reverse of podutils.ActivePods' order)."""
    phase = (pod.get("status") or {}).get("phase", "")
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(phase, -1)
    created = pod["metadata"].get("creationTimestamp", "")
    return (bool(pod.get("spec", {}).get("nodeName")), phase_rank, _ready(pod),
            # older pods first among equals
            [-ord(ch) for ch in created])


def selector_of(obj: dict) -> dict | None:
    spec = obj.get("spec") or {}
    if obj.get("kind") in ("Service", "ReplicationController"):
        return spec.get("selector") or None
    sel = spec.get("selector") or {}
    return sel.get("matchLabels") or None


def pods_for(cluster: Any, obj: dict) -> list[dict]:
    if obj.get("kind") == "Pod":
        return [obj]
    selector = selector_of(obj)
    if not selector:
        return []
    text = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    pods = cluster.store.list("pods", obj["metadata"].get("namespace"), label_selector=text)
    return sorted(pods, key=_activity, reverse=True)


def resolve_pod(ctx, name_arg: str) -> tuple[dict, int]:
    """``POD`` or ``TYPE/NAME`` to a pod; also how many pods the object had."""
    if "/" in name_arg:
        type_token, _, name = name_arg.partition("/")
        t = resolve.resolve_type(ctx.cluster, type_token)
    else:
        t, name = resolve.resolve_type(ctx.cluster, "pods"), name_arg
    try:
        obj = ctx.cluster.store.get(t.resource_ref, ctx.namespace if t.namespaced else None, name)
    except Exception as e:
        if not is_api_error(e):
            raise
        raise KubectlError(api_text(e)) from None
    pods = pods_for(ctx.cluster, obj)
    if not pods:
        raise fail(f"cannot attach to {obj['kind']}: selector for {name} has no pods"
                   if obj.get("kind") != "Pod" else f"no pod {name}")
    return pods[0], len(pods)


def all_container_names(pod: dict) -> str:
    spec = pod.get("spec") or {}
    names = [c["name"] for c in spec.get("containers") or []]
    names += [f"{c['name']} (ephem)" for c in spec.get("ephemeralContainers") or []]
    names += [f"{c['name']} (init)" for c in spec.get("initContainers") or []]
    return ", ".join(names)


def container_for(ctx, pod: dict, name: str, quiet: bool = False) -> dict:
    """podcmd.FindOrDefaultContainerByName, with its ``Defaulted container`` note."""
    spec = pod.get("spec") or {}
    every = (spec.get("containers") or []) + (spec.get("initContainers") or []) + \
        (spec.get("ephemeralContainers") or [])
    if name:
        for c in every:
            if c["name"] == name:
                return c
        raise fail(f"container {name} not found in pod {pod['metadata']['name']}")
    containers = spec.get("containers") or []
    if not containers:
        raise fail(f"pod {pod['metadata'].get('namespace')}/{pod['metadata']['name']} does not "
                   f"have any containers")
    wanted = (pod["metadata"].get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION)
    if wanted:
        for c in every:
            if c["name"] == wanted:
                return c
    if not quiet and (len(containers) > 1 or spec.get("initContainers")
                      or spec.get("ephemeralContainers")):
        ctx.err(f'Defaulted container "{containers[0]["name"]}" out of: '
                f"{all_container_names(pod)}\n")
    return containers[0]


def container_status(pod: dict, name: str) -> dict | None:
    status = pod.get("status") or {}
    for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
        for cs in status.get(key) or []:
            if cs.get("name") == name:
                return cs
    return None


def is_running(pod: dict, name: str) -> bool:
    cs = container_status(pod, name) or {}
    return (cs.get("state") or {}).get("running") is not None


def require_running(pod: dict, name: str) -> None:
    """What the kubelet answers an exec or attach to a container that is not running."""
    if not is_running(pod, name):
        raise fail(f'unable to upgrade connection: container not found ("{name}")')


def log_status_error(pod: dict, name: str, previous: bool = False) -> str | None:
    """The kubelet's validateContainerLogStatus: why there are no logs, or None."""
    pod_name = pod["metadata"]["name"]
    cs = container_status(pod, name)
    if cs is None:
        return f'container "{name}" in pod "{pod_name}" is not available'
    state = cs.get("state") or {}
    last = (cs.get("lastState") or {}).get("terminated")
    if previous:
        if not last or not last.get("containerID"):
            return f'previous terminated container "{name}" in pod "{pod_name}" not found'
        return None
    if state.get("running") is not None:
        return None
    if state.get("terminated") is not None:
        if state["terminated"].get("containerID") or (last and last.get("containerID")):
            return None
        return f'container "{name}" in pod "{pod_name}" is terminated'
    if last:
        return None if last.get("containerID") else \
            f'container "{name}" in pod "{pod_name}" is terminated'
    waiting = state.get("waiting")
    if waiting is not None:
        reason = waiting.get("reason", "")
        if reason == "ErrImagePull":
            return f'container "{name}" in pod "{pod_name}" is waiting to start: image can\'t be pulled'
        if reason == "ImagePullBackOff":
            return (f'container "{name}" in pod "{pod_name}" is waiting to start: trying and '
                    f"failing to pull image")
        return f'container "{name}" in pod "{pod_name}" is waiting to start: {reason}'
    return f'container "{name}" in pod "{pod_name}" is waiting to start - no logs yet'
