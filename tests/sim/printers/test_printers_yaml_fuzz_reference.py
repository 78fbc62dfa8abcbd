"""Random strings through -o yaml / -o json, compared with the reference kubectl."""
from __future__ import annotations

import random
import string

import pytest

from reference import cluster, needs_kubectl
from sim.printers import as_list, to_json, to_yaml

pytestmark = needs_kubectl
ALPHABET = string.printable + "é日\u00a0" + " " * 6 + ":#-?&*!|>'\"%@`{}[],"
NUMBERISH = "0123456789.+-eE_:xobXOB"
WORDS = ["", " ", "~", "null", "True", "Yes", "NO", "on", "0", "-1", "1e5", ".5", "0.", "+",
         "2026-01-01", "12:30", "1_0", "0x", "0o9", "1e", "-.inf", ".NaN", "0x1" + "f" * 20,
         "-0b" + "1" * 70, "9" * 30, ".5e999", "1e-999"]


def _string(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.2:
        return "".join(rng.choice(NUMBERISH) for _ in range(rng.randint(1, 8)))
    if roll < 0.3:
        return rng.choice(WORDS)
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 120)))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_strings_print_as_kubectl_prints_them(seed: int) -> None:
    rng = random.Random(seed)
    maps = [{"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"name": f"fuzz-{i}", "namespace": "default"},
             "data": {f"k{j:03d}": _string(rng) for j in range(40)}} for i in range(12)]
    with cluster(maps) as ref:
        assert ref.kubectl("get", "cm", "-o", "yaml").stdout == to_yaml(maps)
        assert ref.kubectl("get", "cm", "-o", "json").stdout == to_json(as_list(maps))
