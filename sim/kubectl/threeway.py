"""The patch ``kubectl apply`` computes from last-applied, the new config and the live
object (strategicpatch.CreateThreeWayMergePatch, reduced to what decides the outcome):
fields the new config changes against the live object, and fields the last-applied
config had that the new one dropped (set to null).  An empty patch is ``unchanged``."""

from __future__ import annotations

from typing import Any

# Lists merged element by element in a strategic merge patch, by this key.
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "volumes": "name", "volumeMounts": "mountPath", "env": "name", "ports": "port",
    "imagePullSecrets": "name", "tolerations": "key", "hostAliases": "ip",
    "finalizers": None,
}
CONTAINER_PORT_KEY = "containerPort"


def _key_for(field: str, items: list) -> str | None:
    key = MERGE_KEYS.get(field)
    if field == "ports" and items and isinstance(items[0], dict) \
            and CONTAINER_PORT_KEY in items[0]:
        return CONTAINER_PORT_KEY
    return key


def _changes(current: Any, modified: Any, field: str = "") -> Any:
    """The part of ``modified`` that ``current`` lacks; None when nothing."""
    if isinstance(modified, dict) and isinstance(current, dict):
        out = {}
        for k, v in modified.items():
            if k not in current:
                out[k] = v
                continue
            sub = _changes(current[k], v, k)
            if sub is not None:
                out[k] = sub
        return out or None
    if isinstance(modified, list) and isinstance(current, list):
        key = _key_for(field, modified)
        if key and all(isinstance(x, dict) for x in modified + current):
            live = {x.get(key): x for x in current}
            for item in modified:
                other = live.get(item.get(key))
                if other is None or _changes(other, item, field) is not None:
                    return modified
            return None
        if len(modified) != len(current):
            return modified
        for a, b in zip(current, modified):
            if _changes(a, b, field) is not None:
                return modified
        return None
    if _equal(current, modified):
        return None
    return modified


def _equal(a: Any, b: Any) -> bool:
    if type(a) is bool or type(b) is bool:
        return a is b
    return a == b


def _deletions(original: Any, modified: Any) -> dict | None:
    if not isinstance(original, dict) or not isinstance(modified, dict):
        return None
    out: dict = {}
    for k, v in original.items():
        if k not in modified:
            out[k] = None
        elif isinstance(v, dict) and isinstance(modified[k], dict):
            sub = _deletions(v, modified[k])
            if sub:
                out[k] = sub
    return out or None


def _merge(a: dict | None, b: dict | None) -> dict:
    out = dict(a or {})
    for k, v in (b or {}).items():
        if k in out and isinstance(out[k], dict) and isinstance(v, dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def three_way_patch(original: dict | None, modified: dict, current: dict) -> dict:
    changes = _changes(current, modified) or {}
    deletions = _deletions(original or {}, modified) or {}
    # A deletion of a field the live object no longer has changes nothing.
    deletions = _prune_absent(deletions, current)
    return _merge(deletions, changes)


def _prune_absent(deletions: dict, current: Any) -> dict:
    out = {}
    for k, v in deletions.items():
        if not isinstance(current, dict) or k not in current:
            continue
        if v is None:
            out[k] = None
        else:
            sub = _prune_absent(v, current[k])
            if sub:
                out[k] = sub
    return out
