"""Shared by the workload controllers: owned objects, pod creation, int-or-percent."""

from __future__ import annotations

import math

from ..api.objects import clone, owner_reference
from .base import ClusterView


def owned(cluster: ClusterView, plural: str, owner: dict) -> list[dict]:
    uid = owner["metadata"]["uid"]
    return [o for o in cluster.store.list(plural, owner["metadata"]["namespace"])
            if any(r.get("uid") == uid and r.get("controller")
                   for r in o["metadata"].get("ownerReferences") or [])]


def owned_index(cluster: ClusterView, plural: str) -> dict[str, list[dict]]:
    """Objects of a type by their controller's uid (one pass over the type)."""
    out: dict[str, list[dict]] = {}
    for obj in cluster.store.list(plural):
        for ref in obj["metadata"].get("ownerReferences") or []:
            if ref.get("controller"):
                out.setdefault(ref["uid"], []).append(obj)
                break
    return out


def owned_pods(cluster: ClusterView, owner: dict, ordered: bool = True) -> list[dict]:
    """Pods whose controller is ``owner`` and that its selector selects, in name order
    unless not ``ordered`` (the store's owner index: no look at the other pods)."""
    from ..api.selectors import matches, selector_from_api

    reqs = selector_from_api(owner["spec"].get("selector"))
    if reqs is None:
        return []
    pods = [p for p in cluster.store.owned_by("pods", owner["metadata"]["uid"])
            if p["metadata"].get("namespace") == owner["metadata"]["namespace"]
            and matches(reqs, p["metadata"].get("labels"))]
    if ordered:
        pods.sort(key=lambda p: p["metadata"]["name"])
    return pods


def int_or_percent(value, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        share = total * int(value[:-1]) / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(value or 0)


def pod_from_template(owner: dict, template: dict, name: str | None = None,
                      extra_labels: dict | None = None) -> dict:
    md = clone(template.get("metadata") or {})
    labels = dict(md.get("labels") or {})
    labels.update(extra_labels or {})
    meta: dict = {"namespace": owner["metadata"]["namespace"],
                  "labels": labels,
                  "ownerReferences": [owner_reference(owner)]}
    if md.get("annotations"):
        meta["annotations"] = md["annotations"]
    if name:
        meta["name"] = name
    else:
        meta["generateName"] = owner["metadata"]["name"] + "-"
    # the spec's top level is the pod's own (callers set fields there); the store's create
    # copies the rest before admission changes anything
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": dict(template.get("spec") or {})}


def drop_zero(status: dict, *keys: str) -> dict:
    """Go's omitempty on int32 counters."""
    for key in keys:
        if not status.get(key):
            status.pop(key, None)
    return status
