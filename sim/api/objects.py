"""Small helpers over Kubernetes-shaped dicts."""

from __future__ import annotations

from random import Random
from typing import Any


def clone(value: Any) -> Any:
    """A deep copy of JSON-shaped data (much faster than copy.deepcopy)."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


def edit(obj: dict, *parts: str) -> dict:
    """A new version of a stored object to change and write: its top level and its
    metadata are copies, the named top-level ``parts`` (``"status"``, ``"spec"`` …) deep
    copies; every other part is shared with ``obj`` (stored objects are never changed in
    place, so a write costs the size of the change)."""
    out = dict(obj)
    if "metadata" in out:
        out["metadata"] = dict(out["metadata"])
    for part in parts:
        if part in out:
            out[part] = clone(out[part])
    return out


#: every shared part, with a copy of what it was made as (``changed_shared``)
_SHARED: list[tuple[Any, Any]] = []


def shared(value: Any) -> Any:
    """``value`` as one part held alike by many stored objects (the tolerations admission
    adds to every pod): as safe as any stored part, since stored objects are never changed
    in place, and registered so that a test can see it was not (``changed_shared``)."""
    _SHARED.append((value, clone(value)))
    return value


def changed_shared() -> list[Any]:
    """The shared parts that are no longer what they were made as: a bug that changed a
    stored object in place."""
    return [value for value, made in _SHARED if value != made]


#: small values many objects hold alike, by content (``alike``)
_ALIKE: dict[tuple, Any] = {}
_ALIKE_KEPT = 4096


def _content(value: Any) -> Any:
    """A hashable key equal for equal JSON values only: keys in order, and each scalar with
    its type (``True`` and ``1`` are not alike). Flat values take the quick way (C-level
    tuples); nested ones are walked."""
    if isinstance(value, dict):
        key = (tuple(value.items()), tuple(map(type, value.values())))
    elif isinstance(value, list):
        key = (list, tuple(value), tuple(map(type, value)))
    else:
        return (type(value), value)
    try:
        hash(key)
    except TypeError:        # a dict or a list inside
        if isinstance(value, dict):
            return (tuple((k, _content(v)) for k, v in value.items()), dict)
        return (list, tuple(_content(v) for v in value))
    return key


def alike(value: list | dict) -> list | dict:
    """One object for equal small values (a pod's labels, its owner reference, its
    endpoint's conditions): the first one seen, while it is remembered (the last few
    thousand). Only for parts of objects that are never changed in place."""
    return _remembered(_content(value), value)


def alike_of(value: list | dict) -> list | dict:
    """``alike`` for a value whose maps and lists inside came from ``alike`` themselves:
    those are told by their identity (a remembered value keeps its parts alive, so their
    identities stay theirs), without walking them again."""
    if isinstance(value, dict):
        key = ("parts", tuple((k, (type(v), v) if not isinstance(v, (dict, list)) else id(v))
                              for k, v in value.items()))
    else:
        key = ("parts", list, tuple((type(v), v) if not isinstance(v, (dict, list)) else id(v)
                                    for v in value))
    return _remembered(key, value)


def _remembered(key: tuple, value: list | dict) -> list | dict:
    """The value remembered under ``key``, else ``value`` (remembered from now on)."""
    found = _ALIKE.get(key)
    if found is None:
        if len(_ALIKE) >= _ALIKE_KEPT:
            _ALIKE.clear()
        found = _ALIKE[key] = value
    return found


def new_uid(rng: Random) -> str:
    """A version 4 UUID from the seeded stream: what ``uuid.UUID(int=bits, version=4)``
    prints, without building the object (every object written needs one)."""
    bits = rng.getrandbits(128)
    bits = (bits & ~(0xC000 << 48) | 0x8000 << 48) & ~(0xF000 << 64) | 4 << 76
    text = "%032x" % bits
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def meta(obj: dict) -> dict:
    return obj.setdefault("metadata", {})


def owner_reference(owner: dict, controller: bool = True) -> dict:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"],
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "controller": controller, "blockOwnerDeletion": True}


def controller_of(obj: dict) -> dict | None:
    for ref in obj.get("metadata", {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def get_path(obj: Any, *path: str | int, default: Any = None) -> Any:
    cur = obj
    for step in path:
        if isinstance(cur, dict):
            cur = cur.get(step)  # type: ignore[arg-type]
        elif isinstance(cur, list) and isinstance(step, int) and -len(cur) <= step < len(cur):
            cur = cur[step]
        else:
            return default
        if cur is None:
            return default
    return cur


# Kubernetes' utilrand alphabet: no vowels (no words), no confusable 0/1/3.
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


def random_suffix(rng: Random, length: int = 5) -> str:
    return "".join(ALPHANUMS[rng.randrange(len(ALPHANUMS))] for _ in range(length))


def safe_encode(text: str) -> str:
    """rand.SafeEncodeString: each character mapped into the alphabet above."""
    return "".join(ALPHANUMS[ord(c) % len(ALPHANUMS)] for c in text)


def set_condition(conditions: list[dict], ctype: str, status: str, now: str,
                  reason: str | None = None, message: str | None = None,
                  probe_time: bool = False, update_time: bool = False) -> list[dict]:
    """Add or change a condition; lastTransitionTime moves only when the status does."""
    for cond in conditions:
        if cond.get("type") == ctype:
            if cond.get("status") != status:
                cond["lastTransitionTime"] = now
            cond["status"] = status
            if update_time:
                if cond.get("reason") != reason or cond.get("message") != message:
                    cond["lastUpdateTime"] = now
            _fill(cond, reason, message)
            return conditions
    cond: dict = {"type": ctype, "status": status}
    if probe_time:
        cond["lastProbeTime"] = None
    cond["lastTransitionTime"] = now
    if update_time:
        cond["lastUpdateTime"] = now
    _fill(cond, reason, message)
    conditions.append(cond)
    return conditions


def _fill(cond: dict, reason: str | None, message: str | None) -> None:
    if reason is None:
        cond.pop("reason", None)
    else:
        cond["reason"] = reason
    if message is None:
        cond.pop("message", None)
    else:
        cond["message"] = message
