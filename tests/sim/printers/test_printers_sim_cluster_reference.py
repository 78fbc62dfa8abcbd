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
SERVICES = """apiVersion: v1
kind: Service
metadata:
  name: sample-lb
spec:
  type: LoadBalancer
  ports:
  - name: http-port
    protocol: TCP
    port: 8080
    targetPort: 80
    nodePort: 30082
  selector:
    run: my-nginx
---
apiVersion: v1
kind: Service
metadata:
  name: sample-headless
spec:
  type: ClusterIP
  clusterIP: None
  ports:
  - name: http-port
    protocol: TCP
    port: 80
    targetPort: 80
  selector:
    run: my-nginx
---
apiVersion: v1
kind: Service
metadata:
  name: sample-externalname
spec:
  type: ExternalName
  externalName: example.com
---
apiVersion: v1
kind: Service
metadata:
  name: sample-none-selector
spec:
  type: ClusterIP
  ports:
  - protocol: TCP
    port: 8080
    targetPort: 80
---
apiVersion: v1
kind: Endpoints
metadata:
  name: sample-none-selector
subsets:
- addresses:
  - ip: 17.178.96.59
  - ip: 172.217.175.110
  ports:
  - protocol: TCP
    port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: sample-externalip
spec:
  type: ClusterIP
  externalIPs:
  - 10.138.0.9
  - 10.138.0.10
  ports:
  - name: http-port
    protocol: TCP
    port: 8080
    targetPort: 80
  selector:
    run: my-nginx
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: sample-ingress
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx
  rules:
  - host: sample.example.com
    http:
      paths:
      - path: /path1
        pathType: Prefix
        backend:
          service:
            name: sample-lb
            port:
              number: 8080
  defaultBackend:
    service:
      name: sample-headless
      port:
        number: 80
  tls:
  - hosts:
    - sample.example.com
    secretName: tls-sample
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: sample-statefulset-headless
spec:
  serviceName: sample-headless
  replicas: 2
  selector:
    matchLabels:
      app: sample-app
  template:
    metadata:
      labels:
        app: sample-app
    spec:
      containers:
      - name: nginx-container
        image: nginx:1.16
"""
RESOURCES = ["pods", "services", "endpoints", "endpointslices", "deployments", "replicasets",
             "statefulsets", "nodes", "namespaces", "configmaps", "serviceaccounts", "secrets",
             "daemonsets", "ingresses", "ingressclasses", "events"]


class _Sim:
    def __init__(self, profile: str) -> None:
        from sim.cluster import Cluster
        self.cluster = Cluster(profile, seed=1)
        self.cwd = tempfile.mkdtemp()
        Path(self.cwd, "run-my-nginx.yaml").write_text(MANIFEST)
        Path(self.cwd, "services.yaml").write_text(SERVICES)

    def kubectl(self, *args: str) -> str:
        from sim.kubectl.main import main
        from tests.sim.kubectl.fakeio import FakeIO
        io = FakeIO(cwd=self.cwd)
        main(self.cluster, list(args), io)
        return "".join(io.out)


@pytest.fixture(scope="module", params=["default", "aws"])
def both(request):
    sim = _Sim(request.param)
    sim.kubectl("apply", "-f", "run-my-nginx.yaml")
    sim.cluster.run_for(13)
    sim.kubectl("expose", "deployment/my-nginx", "--type=NodePort")
    sim.kubectl("apply", "-f", "services.yaml")
    sim.cluster.run_for(60)
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
    ["get", "svc,ep,ing,sts"], ["get", "svc", "-o", "wide"], ["get", "ing", "-o", "yaml"],
    ["get", "endpointslices", "-o", "yaml"], ["get", "events", "-o", "yaml"],
    *(["describe", "svc", name, "--show-events=false"] for name in (
        "sample-lb", "sample-headless", "sample-externalname", "sample-none-selector", "sample-externalip")),
    ["describe", "ep", "sample-none-selector", "--show-events=false"],
    ["describe", "ingress", "sample-ingress", "--show-events=false"],
    ["describe", "sts", "sample-statefulset-headless", "--show-events=false"],
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
