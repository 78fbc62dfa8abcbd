"""JSON as Go's encoding/json writes it: sorted keys, no spaces, HTML characters escaped.
The last-applied-configuration annotation is this text, so byte equality matters."""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any) -> str:
    return escape(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


def escape(text: str) -> str:
    """encoding/json's HTML-safe escaping of already encoded JSON text."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
