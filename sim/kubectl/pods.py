"""Choosing a pod and a container the way kubectl does (AttachablePodForObject,
FindOrDefaultContainerByName)."""

from __future__ import annotations

from typing import Any

from sim.api.streams import container_status, log_status_error
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


def pods_for(api: Any, obj: dict) -> list[dict]:
    if obj.get("kind") == "Pod":
        return [obj]
    selector = selector_of(obj)
    if not selector:
        return []
    text = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    pods = api.list("pods", obj["metadata"].get("namespace"), label_selector=text)
    return sorted(pods, key=_activity, reverse=True)


def named_object(ctx, name_arg: str) -> tuple[dict, str]:
    """``POD`` or ``TYPE/NAME`` to the object it names (and the name), as kubectl's
    attach, logs, exec and port-forward read their argument."""
    if "/" in name_arg:
        type_token, _, name = name_arg.partition("/")
        t = resolve.resolve_type(ctx.cluster, type_token)
    else:
        t, name = resolve.resolve_type(ctx.cluster, "pods"), name_arg
    try:
        return ctx.api.get(t.resource_ref, ctx.namespace if t.namespaced else None, name), name
    except Exception as e:
        if not is_api_error(e):
            raise
        raise KubectlError(api_text(e)) from None


def resolve_pod(ctx, name_arg: str) -> tuple[dict, int]:
    """``POD`` or ``TYPE/NAME`` to a pod; also how many pods the object had."""
    obj, name = named_object(ctx, name_arg)
    pods = pods_for(ctx.api, obj)
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


def is_running(pod: dict, name: str) -> bool:
    cs = container_status(pod, name) or {}
    return (cs.get("state") or {}).get("running") is not None


def require_running(pod: dict, name: str) -> None:
    """What the kubelet answers an exec or attach to a container that is not running."""
    if not is_running(pod, name):
        raise fail(f'unable to upgrade connection: container not found ("{name}")')


