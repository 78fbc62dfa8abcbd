"""describe compared byte for byte with a real kubectl describing the same objects."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from reference import cluster, kubectl_reference, lookup_in, needs_kubectl
import scenario
import scenario_rich
from sim.printers import describe

pytestmark = needs_kubectl
OBJECTS = scenario.objects() + scenario_rich.objects()
# kubectl has describers of its own for these; ours falls back to the generic one.
NO_DESCRIBER_YET: set[str] = set()


@pytest.fixture(scope="module")
def ref():
    with cluster(OBJECTS) as c:
        yield c


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for obj in OBJECTS:
        resource = kubectl_reference.resource_of(obj)
        if resource in NO_DESCRIBER_YET:
            continue
        cases.append((resource, obj["metadata"].get("namespace") or "", obj["metadata"]["name"]))
    return cases


@pytest.mark.parametrize("resource,namespace,name", _cases(), ids=lambda v: v or "-")
def test_describe_matches_kubectl(ref, resource: str, namespace: str, name: str) -> None:
    obj = next(o for o in OBJECTS if kubectl_reference.resource_of(o) == resource
               and o["metadata"]["name"] == name and (o["metadata"].get("namespace") or "") == namespace)
    before = datetime.now(timezone.utc)
    args = ["describe", resource, name] + (["-n", namespace] if namespace else [])
    result = ref.kubectl(*args)
    after = datetime.now(timezone.utc)
    assert result.code == 0, result.stderr
    lookup = lookup_in(OBJECTS)
    candidates = {describe(resource, obj, now=t, lookup=lookup) for t in (before, after)}
    if result.stdout not in candidates:
        assert result.stdout == describe(resource, obj, now=after, lookup=lookup)
