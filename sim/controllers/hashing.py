"""pod-template-hash: FNV-32a over the pod template, encoded like rand.SafeEncodeString."""

from __future__ import annotations

import json

from ..api.objects import safe_encode


def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for byte in data:
        h ^= byte
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def pod_template_hash(template: dict, collision_count: int | None = None) -> str:
    """The controller hashes the template's printed form (controller.ComputeHash); a
    canonical JSON stands in for Go's struct dump, so equal templates hash equal."""
    text = json.dumps(template, sort_keys=True, separators=(",", ":"))
    h = fnv32a(text.encode())
    if collision_count:
        h = fnv32a(text.encode() + collision_count.to_bytes(4, "little"))
    return safe_encode(str(h))
