"""A pod's binding to a node (the ``pods/binding`` subresource): what the scheduler, or
anyone who schedules by hand, writes."""

from __future__ import annotations

from typing import Any

from sim.api.errors import ApiError, conflict, invalid_object, not_supported
from sim.api.objects import edit, set_condition


def assigned(pod: dict, node_name: str, now: str) -> dict:
    """The pod bound to ``node_name``: its nodeName, and PodScheduled True (the binding
    registry's assignPod)."""
    bound = edit(pod, "status")
    bound["spec"] = dict(pod["spec"])
    bound["spec"]["nodeName"] = node_name
    conditions = bound.setdefault("status", {}).setdefault("conditions", [])
    set_condition(conditions, "PodScheduled", "True", now, probe_time=True)
    for cond in conditions:
        cond.pop("reason", None)
        cond.pop("message", None)
        cond["observedGeneration"] = pod["metadata"].get("generation", 1)
    return bound


def bind(store: Any, namespace: str, name: str, binding: Any, now: str,
         dry_run: bool = False) -> dict:
    """POST …/pods/NAME/binding: a Binding whose target is a Node. Answered with a
    Success Status, as the API server answers it."""
    if not isinstance(binding, dict) or not isinstance(binding.get("target"), dict):
        raise ApiError(400, "BadRequest", "the body of the request must be a Binding", {})
    target = binding["target"]
    if (binding.get("metadata") or {}).get("name") not in (None, name):
        raise ApiError(400, "BadRequest", "the name of the object "
                       f'({binding["metadata"]["name"]}) does not match the name on the URL ({name})', {})
    if target.get("kind", "Node") not in ("Node", ""):
        raise invalid_object("Binding", "", name,
                             [not_supported("target.kind", target.get("kind"), ["Node"])])
    pod = store.get("pods", namespace, name)
    if pod["metadata"].get("deletionTimestamp"):
        raise conflict("pods/binding", "", name, f"pod {name} is being deleted, cannot be assigned to a host")
    current = pod["spec"].get("nodeName")
    if current:
        raise conflict("pods/binding", "", name,
                       f'pod {name} is already assigned to node "{current}"')
    if not dry_run:
        store.write(assigned(pod, str(target.get("name") or ""), now))
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "code": 201}
