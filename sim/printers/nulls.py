"""JSON null means "unset" to the Go printers, which read objects into typed structs."""
from __future__ import annotations

from typing import Any


def drop_nulls(value: Any) -> Any:
    """The value with null map entries removed (and null list items read as empty maps).

    Parts without a null are returned as they are, not copied (the printers only read
    them): a pod with one null deep in its status costs copies of the maps on the way to
    it, not of the whole pod. Scalars are not visited one call each (a pod has a hundred)."""
    if isinstance(value, dict):
        return _map(value)
    if isinstance(value, list):
        return _list(value)
    return value


def _map(value: dict) -> dict:
    out = None
    for k, v in value.items():
        if v is None:
            kept = None
        elif isinstance(v, dict):
            kept = _map(v)
        elif isinstance(v, list):
            kept = _list(v)
        else:
            if out is not None:
                out[k] = v
            continue
        if kept is not v or v is None:
            if out is None:
                out = {}
                for k2, v2 in value.items():
                    if k2 == k:
                        break
                    out[k2] = v2
            if v is not None:
                out[k] = kept
        elif out is not None:
            out[k] = v
    return value if out is None else out


def _list(value: list) -> list:
    out = None
    for i, v in enumerate(value):
        if v is None:
            kept = {}
        elif isinstance(v, dict):
            kept = _map(v)
        elif isinstance(v, list):
            kept = _list(v)
        else:
            kept = v
        if kept is not v:
            if out is None:
                out = list(value[:i])
            out.append(kept)
        elif out is not None:
            out.append(v)
    return value if out is None else out
