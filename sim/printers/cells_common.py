"""Pieces every table row uses: name, age, lists cut to three, containers."""
from __future__ import annotations

from datetime import datetime

from .duration import translate_timestamp_since
from .selectors import selector_string


def meta_of(obj: dict) -> dict:
    return obj.get("metadata") or {}


def age(obj: dict, now: datetime) -> str:
    return translate_timestamp_since(meta_of(obj).get("creationTimestamp"), now)


def first_three(items: list[str], total: int, limit: int = 3, empty: str = "") -> str:
    text = ",".join(items[:limit])
    if total > limit:
        return f"{text} + {total - limit} more..."
    return text or empty


def container_cells(template_spec: dict) -> list[str]:
    containers = template_spec.get("containers") or []
    return [",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers)]


def selector_or_invalid(selector: dict | None) -> str:
    try:
        return selector_string(selector)
    except ValueError:
        return "<invalid>"


def has_condition(obj: dict, kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True"
               for c in (obj.get("status") or {}).get("conditions") or [])
