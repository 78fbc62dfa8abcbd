"""Structured output: `-o json`, `-o yaml`, `-o name`, and the List kubectl wraps lists in."""
from __future__ import annotations

from .jsonfmt import as_list, compact_json, to_json
from .yamlfmt import to_yaml, yaml_needs_quotes

__all__ = ["as_list", "compact_json", "to_json", "to_yaml", "to_name", "yaml_needs_quotes"]


def to_name(obj: dict) -> str:
    """`-o name`: `kind[.group]/name` in lower case."""
    api_version = obj.get("apiVersion") or ""
    kind = (obj.get("kind") or "").lower()
    group = api_version.split("/")[0] if "/" in api_version else ""
    prefix = f"{kind}.{group}" if group else kind
    return f"{prefix}/{(obj.get('metadata') or {}).get('name') or ''}"
