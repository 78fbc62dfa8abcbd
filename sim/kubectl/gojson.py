"""JSON as Go's encoding/json writes it: sorted keys, no spaces, HTML characters escaped.
The last-applied-configuration annotation is this text, so byte equality matters."""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
