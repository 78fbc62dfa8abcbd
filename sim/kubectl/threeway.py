"""The patch ``kubectl apply`` computes from last-applied, the new config and the live
object (strategicpatch.CreateThreeWayMergePatch, reduced to what decides the outcome):
fields the new config changes against the live object, and fields the last-applied
config had that the new one dropped (set to null); a list merged by key that changes goes
with ``$setElementOrder/FIELD``, its keys in the new config's order.  An empty patch is
``unchanged``."""

from __future__ import annotations

from typing import Any

# Lists merged element by element in a strategic merge patch, by this key.
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "volumes": "name", "volumeMounts": "mountPath", "env": "name", "ports": "port",
    "imagePullSecrets": "name", "hostAliases": "ip", "topologySpreadConstraints":
    "topologyKey", "volumeDevices": "devicePath", "resourceClaims": "name",
}
CONTAINER_PORT_KEY = "containerPort"


def _key_for(field: str, items: list) -> str | None:
    key = MERGE_KEYS.get(field)
    if field == "ports" and items and isinstance(items[0], dict) \
            and CONTAINER_PORT_KEY in items[0]:
        return CONTAINER_PORT_KEY
    return key


class _KeyedPatch(list):
    """The patch of a list merged by key, with the order of the keys in the new config:
    kubectl sends it beside the list as ``$setElementOrder/FIELD``."""

    def __init__(self, items: list, order: list):
        super().__init__(items)
        self.order = order


class _Same:
    """No difference (distinct from a null value, which deletes)."""


SAME = _Same()


def _diff(original: Any, modified: Any, current: Any, field: str = "") -> Any:
    if isinstance(modified, dict) and isinstance(current, dict):
        orig = original if isinstance(original, dict) else {}
        out: dict = {}
        for k, v in modified.items():
            if k not in current:
                out[k] = v
                continue
            sub = _diff(orig.get(k), v, current[k], k)
            if sub is not SAME:
                out[k] = list(sub) if isinstance(sub, _KeyedPatch) else sub
                if isinstance(sub, _KeyedPatch):
                    out[f"$setElementOrder/{k}"] = sub.order
        for k in orig:
            # Dropped from the configuration since the last apply: delete it.
            if k not in modified and k in current:
                out[k] = None
        return out if out else SAME
    if isinstance(modified, list) and isinstance(current, list):
        key = _key_for(field, modified)
        if key and all(isinstance(x, dict) for x in modified + current):
            return _diff_keyed(original, modified, current, field, key)
        if len(modified) != len(current):
            return modified
        for a, b in zip(current, modified):
            if _diff(None, b, a, field) is not SAME:
                return modified
        return SAME
    if _equal(current, modified):
        return SAME
    return modified


def _diff_keyed(original: Any, modified: list, current: list, field: str, key: str) -> Any:
    live = {x.get(key): x for x in current}
    before = {x.get(key): x for x in original or [] if isinstance(x, dict)}
    items: list = []
    for item in modified:
        other = live.get(item.get(key))
        if other is None:
            items.append(item)
            continue
        sub = _diff(before.get(item.get(key)), item, other, field)
        if sub is not SAME:
            items.append({key: item.get(key), **sub})
    wanted = {x.get(key) for x in modified}
    for gone in before:
        if gone not in wanted and gone in live:
            items.append({key: gone, "$patch": "delete"})
    if not items:
        return SAME
    return _KeyedPatch(items, [{key: x.get(key)} for x in modified])


def _equal(a: Any, b: Any) -> bool:
    if type(a) is bool or type(b) is bool:
        return a is b
    return a == b


def three_way_patch(original: dict | None, modified: dict, current: dict) -> dict:
    patch = _diff(original or {}, modified, current)
    return {} if patch is SAME else patch
