"""JSON null means "unset" to the Go printers, which read objects into typed structs."""
from __future__ import annotations

from typing import Any


def drop_nulls(value: Any) -> Any:
    """The value with null map entries removed (and null list items read as empty maps).

    Parts without a null are returned as they are, not copied (the printers only read
    them): a pod with one null deep in its status costs copies of the maps on the way to
    it, not of the whole pod."""
    if isinstance(value, dict):
        out = None
        for k, v in value.items():
            kept = None if v is None else drop_nulls(v)
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
    if isinstance(value, list):
        out_list = None
        for i, v in enumerate(value):
            kept = {} if v is None else drop_nulls(v)
            if kept is not v:
                if out_list is None:
                    out_list = list(value[:i])
                out_list.append(kept)
            elif out_list is not None:
                out_list.append(v)
        return value if out_list is None else out_list
    return value
