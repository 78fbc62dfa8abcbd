"""Objects with fields missing or null (as a store in the middle of a change may hold them)
still print: Go reads null and absent alike, as zero values."""
from __future__ import annotations

import copy
import random
from datetime import datetime, timezone

import pytest

import scenario
import scenario_rich
from reference import kubectl_reference
from sim import printers as p

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
OBJECTS = scenario.objects() + scenario_rich.objects()


def _thin(value, rng: random.Random):
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            roll = rng.random()
            if roll < 0.08:
                continue
            out[key] = None if roll < 0.12 else _thin(item, rng)
        return out
    if isinstance(value, list):
        return [_thin(item, rng) for item in value if rng.random() > 0.1]
    return value


@pytest.mark.parametrize("seed", range(6))
def test_every_printer_copes(seed: int) -> None:
    rng = random.Random(seed)
    thinned = [_thin(copy.deepcopy(o), rng) for o in OBJECTS]
    for obj in thinned:
        if not isinstance(obj.get("metadata"), dict):
            obj["metadata"] = {}

    def lookup(resource, namespace, label_selector=None, field_selector=None):
        return [o for o, orig in zip(thinned, OBJECTS) if kubectl_reference.resource_of(orig) == resource]

    for obj, orig in zip(thinned, OBJECTS):
        resource = kubectl_reference.resource_of(orig)
        assert isinstance(p.print_table(resource, [obj], now=NOW, wide=True, show_labels=True,
                                        with_namespace=True, label_columns=("app",)), str)
        assert isinstance(p.describe(resource, obj, now=NOW, lookup=lookup), str)
        assert isinstance(p.to_yaml(obj) + p.to_json(obj) + p.to_name(obj), str)
        assert isinstance(p.custom_columns("N:.metadata.name,S:.status", [obj]), str)
