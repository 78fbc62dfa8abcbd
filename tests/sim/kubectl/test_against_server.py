"""Commands that read the server (expose, run, get -o name …) compared with a real kubectl
talking to a small API server holding the same objects (skipped without one)."""

from __future__ import annotations

import copy

import pytest

from tests.sim.kubectl.conftest import StoreCluster, needs_reference, run_sim
from tests.sim.kubectl_reference import ReferenceCluster

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "my-nginx", "namespace": "default", "labels": {"app": "web"}},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"run": "my-nginx"}},
             "template": {"metadata": {"labels": {"run": "my-nginx"}},
                          "spec": {"containers": [{"name": "n", "image": "nginx", "ports": [
                              {"containerPort": 80}, {"containerPort": 443, "protocol": "TCP"}]}]}}},
}
SINGLE_PORT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "n", "image": "nginx", "ports": [
                              {"containerPort": 8080, "protocol": "UDP"}]}]}}},
}
POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "lone", "namespace": "default", "labels": {"app": "lone", "t": "x"}},
       "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]},
       "status": {"phase": "Running"}}
SERVICE = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "front", "namespace": "default"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "protocol": "TCP",
                                                              "targetPort": 8080}]}}
OBJECTS = [DEPLOYMENT, SINGLE_PORT, POD, SERVICE]

COMMANDS = [
    ["run", "x", "--image=nginx", "--dry-run=client", "-o", "yaml"],
    ["run", "x", "--image=busybox", "--restart=Never", "--labels=a=b,c=d", "--env=A=1",
     "--port=80", "--command", "--dry-run=client", "-o", "yaml", "--", "sh", "-c", "echo hi"],
    ["run", "x", "--image=busybox", "-n", "foo", "--dry-run=client", "-o", "yaml", "--", "a", "b"],
    ["run", "x", "--image=busybox", "-i", "--tty", "--dry-run=client", "-o", "yaml"],
    ["run", "x", "--image=busybox", "--dry-run=client"],
    ["run", "x", "--image=busybox", "--env=A=1", "--port=80", "--dry-run=client", "-o", "json",
     "--", "sh"],
    ["expose", "deployment", "my-nginx", "--type=NodePort", "--dry-run=client", "-o", "json"],
    ["run", "x", "--image=nginx", "--save-config", "--dry-run=client", "-o", "yaml"],
    ["run", "x", "--image=nginx", "--port=80", "--expose", "--dry-run=client", "-o", "yaml"],
    ["run", "x", "--image=nginx", "--port=80", "--expose", "-l", "a=b", "--dry-run=client"],
    ["run", "x", "--image=nginx", "--expose", "--dry-run=client"],
    ["run", "x", "--image=Bad Image", "--dry-run=client"],
    ["run", "x", "--dry-run=client"],
    ["run", "--image=x"],
    ["run", "x", "--image=busybox", "-t"],
    ["run", "x", "--image=busybox", "--rm"],
    ["run", "x", "--image=busybox", "--restart=Sometimes"],
    ["run", "x", "--image=busybox", "-i", "--dry-run=client"],
    ["run", "x", "--image=busybox", "--port=ab", "--dry-run=client"],
    ["expose", "deployment", "my-nginx", "--dry-run=client", "-o", "yaml"],
    ["expose", "deployment/my-nginx", "--port=8080", "--target-port=80", "--type=NodePort",
     "--name=z", "--external-ip=1.2.3.4", "--dry-run=client", "-o", "yaml"],
    ["expose", "deployment/web", "--dry-run=client", "-o", "yaml"],
    ["expose", "deploy", "web", "--port=80", "--target-port=http", "--dry-run=client", "-o", "yaml"],
    ["expose", "pod", "lone", "--dry-run=client", "-o", "yaml"],
    ["expose", "svc", "front", "--name=front2", "--dry-run=client", "-o", "yaml"],
    ["expose", "deployment/my-nginx", "--port=8080", "--dry-run=client"],
    ["expose", "deployment/nope", "--port=8080", "--dry-run=client"],
    ["expose"],
    ["get", "deployment", "my-nginx", "-o", "name"],
    ["get", "deploy/my-nginx", "svc/front", "-o", "name"],
    ["get", "pods", "nope"],
    ["get", "svc", "front", "-o", "jsonpath={.spec.ports[0].targetPort}"],
    ["get", "deployments.apps", "web", "-o", "jsonpath={.metadata.name}"],
    ["get", "nosuchtype"],
    ["get", "deployments.batch"],
    ["get", "foo.bar.baz"],
    ["get", "svc,foo"],
    ["get", "foo/x"],
    ["delete", "foo", "x"],
    ["get", "pods", "lone", "-A"],
    ["describe", "nosuchtype", "x"],
    ["delete", "pods"],
    ["get", "svc", "-o", "bad"],
    ["get", "svc", "-o", "custom-columns="],
    ["get", "svc", "-o", "custom-columns"],
    ["get", "svc", "-o", "jsonpath={.x"],
    ["get", "svc", "front", "-o", "jsonpath={.spec.ports[*].port}"],
    ["get", "svc", "front", "-o", "custom-columns=NAME:.metadata.name,X:{.spec.ports[0].port}"],
    ["get", "svc", "-o", "custom-columns=NAME"],
    ["get", "svc", "-o", "custom-columns=NAME:.metadata.name,BAD:{.spec"],
    ["get", "svc", "--sort-by=.metadata.name", "-o", "name"],
    ["get", "deploy", "--sort-by=.spec.replicas", "-o", "name"],
    ["get", "svc", "-o", "yaml", "--show-kind"],
    ["get", "svc", "front", "-o", "json"],
    ["describe"],
    ["describe", "svc", "nope"],
    ["get", "svc", "front", "-l", "a=b"],
    ["label", "svc", "front"],
    ["label", "svc"],
    ["annotate", "svc", "front", "a"],
    ["label", "svc", "front", "a=b=c"],
    ["delete", "svc", "front", "-o", "json"],
    ["logs"],
    ["create", "deployment", "x", "--image=nginx", "-o", "wide", "--dry-run=client"],
    ["version", "-o", "yaml", "--client"],
    ["version", "-o", "json", "--client"],
    ["edit"],
    ["patch", "svc", "front"],
]


@needs_reference
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_matches_kubectl_against_same_objects(args, tmp_path):
    ours_cluster = StoreCluster()
    for obj in OBJECTS:
        ours_cluster.add(copy.deepcopy(obj))
    ours = run_sim(ours_cluster, args, str(tmp_path))
    stored = [copy.deepcopy(o) for kind in ("deployments", "pods", "services")
              for o in ours_cluster.store.list(kind)]
    with ReferenceCluster(stored) as ref:
        real = ref.kubectl(*args)
    assert (ours.code, ours.stdout, ours.stderr) == (real.code, real.stdout, real.stderr)
