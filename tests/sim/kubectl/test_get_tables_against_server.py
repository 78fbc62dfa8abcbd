"""``kubectl get`` as a whole (types, names, kinds, separators, NotFound, namespaces)
compared with a real kubectl reading the same objects as server-side Tables (skipped
without one). The cells come from our printers on both sides: what is compared here is
what the get verb does with them."""

from __future__ import annotations

import copy
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "printers"))

from tests.deps import needs_reference
from tests.sim.kubectl.conftest import StoreCluster, run_sim  # noqa: E402

pytestmark = needs_reference

CREATED = "2026-01-01T08:00:00Z"


def _objects() -> list[dict]:
    meta = lambda name, ns="default", **kw: dict({"name": name, "namespace": ns,  # noqa: E731
                                                 "creationTimestamp": CREATED}, **kw)
    return [
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "creationTimestamp": CREATED},
         "status": {"conditions": [{"type": "Ready", "status": "True"}],
                    "nodeInfo": {"kubeletVersion": "v1.35.2"},
                    "addresses": [{"type": "InternalIP", "address": "192.168.56.11"}]}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("web", labels={"app": "web"}),
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}},
                               "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
         "status": {"replicas": 1, "readyReplicas": 1, "updatedReplicas": 1,
                    "availableReplicas": 1}},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta("web-7d88f4f4b9"),
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}},
                               "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
         "status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": meta("web-7d88f4f4b9-qt95q",
                                                              labels={"app": "web"}),
         "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "nginx"}]},
         "status": {"phase": "Running", "podIP": "10.244.1.3",
                    "conditions": [{"type": "Ready", "status": "True"}],
                    "containerStatuses": [{"name": "c", "ready": True, "restartCount": 0,
                                           "state": {"running": {}}}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": meta("web", labels={"app": "web"}),
         "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.20", "clusterIPs": ["10.96.0.20"],
                  "selector": {"app": "web"},
                  "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": meta("dns", "kube-system"),
         "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                  "ports": [{"port": 53, "protocol": "UDP", "targetPort": 53}]}},
        {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta("web"),
         "subsets": [{"addresses": [{"ip": "10.244.1.3"}], "ports": [{"port": 80}]}]},
    ]


COMMANDS = [
    ["get", "svc"], ["get", "svc,ep"], ["get", "all"], ["get", "deployments,svc", "web"],
    ["get", "svc", "web", "nope"], ["get", "svc/web", "deploy/web"], ["get", "pods", "-A"],
    ["get", "svc", "-A"], ["get", "ep", "web"], ["get", "nodes"], ["get", "svc", "-o", "wide"],
    ["get", "pods", "-o", "wide"], ["get", "deploy,rs", "--no-headers"],
    ["get", "svc", "--show-labels"], ["get", "pods", "-l", "app=web"],
    ["get", "pods", "-l", "app=none"], ["get", "secrets"], ["get", "deploy", "nope"],
    ["get", "svc", "-n", "kube-system"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_get_matches_kubectl(args, tmp_path):
    import fixtures
    from reference import table_for
    from kubectl_reference import ReferenceCluster

    ours_cluster = StoreCluster()
    ours_cluster.clock.advance((fixtures.NOW - ours_cluster.clock.now()).total_seconds())
    for obj in _objects():
        ours_cluster.add(copy.deepcopy(obj))
    stored = [copy.deepcopy(o) for r in ("nodes", "deployments", "replicasets", "pods",
                                         "services", "endpoints")
              for o in ours_cluster.store.list(r)]
    ours = run_sim(ours_cluster, args, str(tmp_path))
    with ReferenceCluster(stored, table_for) as ref:
        real = ref.kubectl(*args)
    # The deprecation warning is the API server's (a response header this test server
    # does not send): kubectl prints it first on stderr.
    warning = ("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 "
               "EndpointSlice\n" if any(a in ("ep", "svc,ep") for a in args) else "")
    assert (ours.code, ours.stdout, ours.stderr) == (real.code, real.stdout, warning + real.stderr)


DESCRIBE = [
    ["describe", "svc"], ["describe", "svc", "we"], ["describe", "svc", "web"],
    ["describe", "svc", "nope"], ["describe", "svc", "-A"], ["describe", "pods", "-l", "app=web"],
    ["describe", "svc/web", "deploy/web"],
]


@pytest.mark.parametrize("args", DESCRIBE, ids=" ".join)
def test_describe_matches_kubectl(args, tmp_path):
    from kubectl_reference import ReferenceCluster

    ours_cluster = StoreCluster()
    # describe computes ages on the client: ours must read the clock kubectl reads, now
    # (not when the fixtures were imported, minutes earlier in a long run)
    wall = datetime.now(timezone.utc).replace(microsecond=0)
    ours_cluster.clock.advance((wall - ours_cluster.clock.now()).total_seconds())
    for obj in _objects():
        ours_cluster.add(copy.deepcopy(obj))
    stored = [copy.deepcopy(o) for r in ("nodes", "deployments", "replicasets", "pods",
                                         "services", "endpoints")
              for o in ours_cluster.store.list(r)]
    ours = run_sim(ours_cluster, args, str(tmp_path))
    with ReferenceCluster(stored) as ref:
        real = ref.kubectl(*args)
    assert (ours.code, ours.stdout, ours.stderr) == (real.code, real.stdout, real.stderr)
