"""The simulated cluster end to end: its kubectl against the reference kubectl reading the
same objects (taken from the simulated store).  Only output that does not depend on the
clock is compared: the reference kubectl ages things by the real time."""
from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import pytest

import fixtures
from reference import kubectl_reference, needs_kubectl, table_for

pytestmark = needs_kubectl

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  selector:
    matchLabels:
      run: my-nginx
  replicas: 2
  template:
    metadata:
      labels:
        run: my-nginx
    spec:
      containers:
      - name: my-nginx
        image: nginx
        ports:
        - containerPort: 80
"""
RESOURCES = ["pods", "services", "endpoints", "endpointslices", "deployments", "replicasets",
             "nodes", "namespaces", "configmaps", "serviceaccounts", "secrets", "daemonsets"]


class _Sim:
    def __init__(self) -> None:
        from sim.cluster import Cluster
        self.cluster = Cluster("default", seed=1)
        self.cwd = tempfile.mkdtemp()
        Path(self.cwd, "run-my-nginx.yaml").write_text(MANIFEST)

    def kubectl(self, *args: str) -> str:
        from sim.kubectl.main import main
        from tests.sim.kubectl.fakeio import FakeIO
        io = FakeIO(cwd=self.cwd)
        main(self.cluster, list(args), io)
        return "".join(io.out)


@pytest.fixture(scope="module")
def both():
    sim = _Sim()
    sim.kubectl("apply", "-f", "run-my-nginx.yaml")
    sim.cluster.run_for(13)
    sim.kubectl("expose", "deployment/my-nginx", "--type=NodePort")
    sim.cluster.run_for(8)
    objects = [copy.deepcopy(o) for r in RESOURCES for o in sim.cluster.store.list(r)]
    with fixtures.frozen(sim.cluster.clock.now()):
        with kubectl_reference.ReferenceCluster(objects, table_for) as ref:
            yield sim, ref


COMMANDS = [
    ["get", "svc", "my-nginx", "-o", "yaml"], ["get", "pods", "-o", "yaml"], ["get", "nodes", "-o", "json"],
    ["get", "pods", "-l", "run=my-nginx", "-o", "wide"], ["get", "svc", "-A"], ["get", "ep"],
    ["get", "all", "-A"], ["get", "nodes", "-o", "wide"], ["get", "deploy,rs", "-o", "wide"],
    ["get", "pods", "-o", "jsonpath={.items[*].status.podIP}"],
    ["get", "pods", "-o", "custom-columns=NAME:{metadata.name},IP:{status.podIP}"],
    ["get", "nodes", "-o", "yaml"],
    ["describe", "svc", "my-nginx", "--show-events=false"],
    ["describe", "deploy", "my-nginx", "--show-events=false"],
    ["describe", "ep", "my-nginx", "--show-events=false"],
    ["describe", "ns", "default"], ["describe", "sa", "default", "--show-events=false"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_sim_prints_what_kubectl_prints(both, args: list[str]) -> None:
    sim, ref = both
    assert sim.kubectl(*args) == ref.kubectl(*args).stdout


def test_describe_pod(both) -> None:
    sim, ref = both
    name = sim.cluster.store.list("pods", "default")[0]["metadata"]["name"]
    args = ["describe", "pod", name, "--show-events=false"]
    assert sim.kubectl(*args) == ref.kubectl(*args).stdout
