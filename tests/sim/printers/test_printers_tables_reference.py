"""Table layout compared byte for byte with a real kubectl printing the same Table."""
from __future__ import annotations

import pytest

from reference import cluster, kubectl_reference, needs_kubectl
from fixtures import NOW
import scenario
import scenario_rich
from sim.printers import kind_prefix, print_table

pytestmark = needs_kubectl

RESOURCES = ["pods", "services", "endpoints", "endpointslices", "deployments", "replicasets",
             "statefulsets", "nodes", "namespaces", "secrets", "configmaps", "serviceaccounts",
             "ingresses", "ingressclasses", "events", "networkpolicies", "jobs", "cronjobs", "daemonsets"]
FLAGS = [[], ["-o", "wide"], ["--show-labels"], ["-A"], ["-L", "run,app.kubernetes.io/name"],
         ["--no-headers"]]


def objects() -> list[dict]:
    return scenario.objects() + scenario_rich.objects()


@pytest.fixture(scope="module")
def ref():
    with cluster(objects()) as c:
        yield c


def _expected(resource: str, flags: list[str], prefix: str | None = None) -> str:
    all_ns = "-A" in flags
    objs = [o for o in objects() if kubectl_reference.resource_of(o) == resource
            and (all_ns or o["metadata"].get("namespace") in (None, "default"))]
    labels = flags[flags.index("-L") + 1].split(",") if "-L" in flags else ()
    namespaced = any(o["metadata"].get("namespace") for o in objs)
    return print_table(resource, objs, now=NOW, wide="wide" in flags,
                       show_labels="--show-labels" in flags, with_namespace=all_ns and namespaced,
                       no_headers="--no-headers" in flags, label_columns=labels, kind_prefix=prefix)


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: " ".join(f) or "plain")
@pytest.mark.parametrize("resource", RESOURCES)
def test_table_matches_kubectl(ref, resource: str, flags: list[str]) -> None:
    result = ref.kubectl("get", resource, *flags)
    assert result.code == 0, result.stderr
    assert result.stdout == _expected(resource, flags)


@pytest.mark.parametrize("types", [["services", "endpoints"], ["pods", "services", "deployments", "replicasets"]])
def test_several_types_are_prefixed_and_separated(ref, types: list[str]) -> None:
    result = ref.kubectl("get", ",".join(types))
    tables = [_expected(t, [], prefix=kind_prefix(t)) for t in types]
    assert result.stdout == "\n".join(t for t in tables if t)


def test_nothing_found_prints_nothing_on_stdout(ref) -> None:
    result = ref.kubectl("get", "replicationcontrollers")
    assert result.stdout == print_table("replicationcontrollers", [], now=NOW) == ""
    assert result.stderr == "No resources found in default namespace.\n"
