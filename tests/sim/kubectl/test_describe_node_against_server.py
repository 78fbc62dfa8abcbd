"""``kubectl describe node`` on a simulated cluster's nodes (with their leases, pods and
events) compared with a real kubectl reading the same objects (skipped without one)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from sim.cluster import Cluster
from tests.deps import needs_reference
from tests.sim.kubectl.conftest import run_sim
from tests.sim.kubectl_reference import ReferenceCluster

pytestmark = needs_reference

RESOURCES = ("nodes", "pods", "leases", "events", "namespaces")


@pytest.mark.parametrize("profile", ["default", "gke"])
def test_describe_node_matches_kubectl(profile, tmp_path):
    cluster = Cluster(profile, seed=3)
    cluster.run_for(45)
    stored = [copy.deepcopy(o) for r in RESOURCES for o in cluster.store.list(r)]
    assert any(o["kind"] == "Lease" for o in stored)
    # describe computes ages on the client: ours reads the clock kubectl reads (the objects
    # are months old, so ages are whole days either way)
    wall = datetime.now(timezone.utc).replace(microsecond=0)
    cluster.clock.advance((wall - cluster.clock.now()).total_seconds())
    names = [n["metadata"]["name"] for n in cluster.store.list("nodes")]
    with ReferenceCluster(stored) as ref:
        for args in (["describe", "node", names[-1]], ["describe", "nodes"]):
            ours = run_sim(cluster, args, str(tmp_path))
            real = ref.kubectl(*args)
            assert (ours.code, ours.stdout, ours.stderr) == (real.code, real.stdout, real.stderr)
            assert "Failed to get lease" not in ours.stdout
