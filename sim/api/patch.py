"""PATCH bodies: JSON merge patch, strategic merge patch (the common merge keys), JSON patch."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .objects import clone

# patchMergeKey of the list fields users patch (k8s.io/api struct tags), by field name.
# Keyed by the field name alone: the names are unambiguous for the types served here.
# A list without a patch strategy (a node's taints, a pod's tolerations) is replaced whole.
_MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "volumes": "name", "env": "name", "volumeMounts": "mountPath",
    "imagePullSecrets": "name", "conditions": "type", "addresses": "type",
    "hostAliases": "ip", "ownerReferences": "uid",
    "topologySpreadConstraints": "topologyKey", "secrets": "name",
    "resourceClaims": "name", "volumeDevices": "devicePath",
}
# "ports" merges by containerPort in containers and by port in a Service spec.
_PORT_KEYS = ("containerPort", "port")


def _merge_key(field: str, items: list) -> str | None:
    if field == "ports":
        for key in _PORT_KEYS:
            if all(isinstance(i, dict) and key in i for i in items):
                return key
        return None
    return _MERGE_KEYS.get(field)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386."""
    if not isinstance(patch, dict):
        return clone(patch)
    out = clone(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def strategic_merge(target: Any, patch: Any, field: str = "") -> Any:
    if isinstance(patch, dict):
        if patch.get("$patch") == "replace":
            return {k: clone(v) for k, v in patch.items() if k != "$patch"}
        out = clone(target) if isinstance(target, dict) else {}
        for key, value in patch.items():
            if key.startswith("$"):
                continue
            if value is None:
                out.pop(key, None)
            else:
                out[key] = strategic_merge(out.get(key), value, key)
        return out
    if isinstance(patch, list) and isinstance(target, list):
        key = _merge_key(field, patch + target)
        if key is None:
            return clone(patch)
        out = [clone(i) for i in target]
        for item in patch:
            if not isinstance(item, dict):
                continue
            index = next((n for n, cur in enumerate(out) if cur.get(key) == item.get(key)), None)
            if item.get("$patch") == "delete":
                if index is not None:
                    out.pop(index)
            elif index is None:
                out.append({k: clone(v) for k, v in item.items() if k != "$patch"})
            else:
                out[index] = strategic_merge(out[index], item, field)
        return out
    return clone(patch)


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f"json patch: invalid path {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(doc, list):
            doc = doc[int(part)]
        else:
            doc = doc[part]
    return doc


def json_patch(target: Any, operations: list) -> Any:
    """RFC 6902."""
    doc = clone(target)
    for op in operations:
        kind = op.get("op")
        parts = _pointer(op.get("path", ""))
        try:
            if kind == "test":
                if _walk(doc, parts) != op.get("value"):
                    raise bad_request("the server rejected our request due to an error in our request")
                continue
            if kind in ("move", "copy"):
                value = clone(_walk(doc, _pointer(op["from"])))
                if kind == "move":
                    doc = json_patch(doc, [{"op": "remove", "path": op["from"]}])
                doc = json_patch(doc, [{"op": "add", "path": op["path"], "value": value}])
                continue
            parent = _walk(doc, parts[:-1])
            last = parts[-1]
            if kind == "add":
                if isinstance(parent, list):
                    parent.insert(len(parent) if last == "-" else int(last), clone(op["value"]))
                else:
                    parent[last] = clone(op["value"])
            elif kind == "replace":
                if isinstance(parent, list):
                    parent[int(last)] = clone(op["value"])
                else:
                    if last not in parent:
                        raise KeyError(last)
                    parent[last] = clone(op["value"])
            elif kind == "remove":
                if isinstance(parent, list):
                    parent.pop(int(last))
                else:
                    del parent[last]
            else:
                raise bad_request(f"Unexpected kind: {kind}")
        except (KeyError, IndexError, ValueError, TypeError):
            raise bad_request(f"jsonpatch {kind} operation does not apply: doc is missing path: "
                              f"\"{op.get('path', '')}\"") from None
    return doc


def apply_patch(target: dict, patch: Any, patch_type: str) -> dict:
    if patch_type == "merge":
        return merge_patch(target, patch)
    if patch_type == "json":
        if not isinstance(patch, list):
            raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        return json_patch(target, patch)
    return strategic_merge(target, patch)
