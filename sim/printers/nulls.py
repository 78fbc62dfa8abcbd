"""JSON null means "unset" to the Go printers, which read objects into typed structs."""
from __future__ import annotations

from typing import Any


def drop_nulls(value: Any) -> Any:
    """The value with null map entries removed (and null list items read as empty maps)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [{} if v is None else drop_nulls(v) for v in value]
    return value
