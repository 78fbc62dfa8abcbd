"""Clients other than our kubectl reach a session's cluster through its API: the real kubectl
(`check --kubectl PATH|reference`), curl with a service account's token, the `kubernetes`
Python client and helm, all on the cluster process's TLS port on loopback."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

from sim.api import listener
from sim.cluster import Cluster
from tests.deps import REFERENCE_HELM, needs_helm, needs_reference
from tutorial_runner.document import read_document
from tutorial_runner.engine import run_session
from tutorial_runner.environment import load_environment


def _session(tmp_path: Path, body: str):
    doc = tmp_path / "doc.md"
    doc.write_text(textwrap.dedent(body))
    return read_document(doc).sessions[0]


def test_a_session_runs_the_kubectl_it_is_given(tmp_path):
    fake = tmp_path / "fake-kubectl"
    fake.write_text('#!/bin/sh\necho "fake kubectl: $*"\ngrep -c proxy-url "$HOME/.kube/config"\n')
    fake.chmod(0o755)
    session = _session(tmp_path, """\
        ```{transcript}
        $ kubectl get pods
        fake kubectl: get pods
        1
        ```
        """)
    result = run_session(session, load_environment("sim"), kubectl=str(fake))
    assert [b.status for b in result.blocks] == ["verified"], result.blocks[0].steps
    # without the choice the session's kubectl is ours again
    ours = run_session(session, load_environment("sim"))
    assert ours.blocks[0].status == "failed"


def test_a_kubectl_that_is_not_a_program_is_a_clear_session_error(tmp_path):
    session = _session(tmp_path, """\
        ```{transcript}
        $ kubectl get pods
        No resources found in default namespace.
        ```
        """)
    result = run_session(session, load_environment("sim"), kubectl=str(tmp_path / "nowhere"))
    block = result.blocks[0]
    assert block.status == "error" and "not an executable file" in block.message


def test_the_document_option_chooses_and_the_command_line_overrides(tmp_path):
    fake = tmp_path / "fake-kubectl"
    fake.write_text('#!/bin/sh\necho fake\n')
    fake.chmod(0o755)
    session = _session(tmp_path, f"""\
        ```{{transcript}}
        :kubectl: {fake}
        $ kubectl get pods
        fake
        ```
        """)
    assert session.kubectl == str(fake)
    assert run_session(session, load_environment("sim")).blocks[0].status == "verified"
    forced = run_session(session, load_environment("sim"), kubectl=str(tmp_path / "nowhere"))
    assert forced.blocks[0].status == "error"


TRANSCRIPT = """\
```{transcript}
$ kubectl cluster-info | head -1
Kubernetes control plane is running at https://192.168.56.10:6443
$ kubectl create deployment web --image=nginx --replicas=2
deployment.apps/web created
$ kubectl rollout status deployment/web
deployment "web" successfully rolled out
$ kubectl get pods
NAME                   READY   STATUS    RESTARTS   AGE
web-5d8b7c9f6d-x7kqp   1/1     Running   0          10s
web-5d8b7c9f6d-m2nbz   1/1     Running   0          10s
$ kubectl exec web-5d8b7c9f6d-x7kqp -- sh -c 'echo err >&2; exit 3'
err
command terminated with exit code 3
$ kubectl exec web-5d8b7c9f6d-x7kqp -- nosuch 2>&1 | grep -o 'exec: "nosuch": executable file not found'
exec: "nosuch": executable file not found
$ kubectl run hello --image=busybox --restart=Never --rm -i -- echo hello from the pod
hello from the pod
pod "hello" deleted from default namespace
$ kubectl logs web-5d8b7c9f6d-x7kqp --tail=1
...
$ kubectl create job hello --image=busybox -- echo hello from a job
job.batch/hello created
$ kubectl wait --for=condition=complete job/hello --timeout=60s
job.batch/hello condition met
$ kubectl logs job/hello
hello from a job
$ kubectl get jobs
NAME    STATUS     COMPLETIONS   DURATION   AGE
hello   Complete   1/1           1s         2s
$ kubectl expose deployment web --port=80
service/web exposed
$ kubectl get endpoints web
Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice
NAME   ENDPOINTS                     AGE
web    10.244.1.2:80,10.244.2.2:80   1s
```
"""


@needs_reference
@pytest.mark.parametrize("kubectl", [None, "reference"])
def test_one_transcript_verifies_with_ours_and_with_the_real_kubectl(tmp_path, kubectl):
    doc = tmp_path / "doc.md"
    doc.write_text(TRANSCRIPT)
    session = read_document(doc).sessions[0]
    result = run_session(session, load_environment("sim"), kubectl=kubectl)
    failed = [(s.command, s.diff) for b in result.blocks for s in b.steps if not s.ok]
    assert [b.status for b in result.blocks] == ["verified"], failed or result.blocks[0].message


# -- the API port itself: TLS, who may ask, and other clients ------------------------------

@pytest.fixture
def secure(tmp_path):
    cluster = Cluster("default", seed=3)
    server = listener.start(cluster, secure=True)
    from sim.api import kubeconfig

    config = tmp_path / "config"
    with cluster.lock:
        config.write_text(kubeconfig.render(cluster, server.server_address[1]))
    data = yaml.safe_load(config.read_text())
    ca = tmp_path / "ca.crt"
    ca.write_bytes(base64.b64decode(data["clusters"][0]["cluster"]["certificate-authority-data"]))
    yield cluster, server, config, ca
    server.close()


def _curl(*args: str) -> tuple[int, dict]:
    done = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", *args], capture_output=True,
                          text=True, timeout=30)
    body, _, code = done.stdout.rpartition("\n")
    return int(code), json.loads(body) if body.strip().startswith("{") else {}


def _token(cluster: Cluster, tmp_path: Path) -> str:
    from sim.kubectl.main import main as our_kubectl
    from tests.sim.kubectl.fakeio import FakeIO

    with cluster.lock:
        pod = next(p for p in cluster.store.list("pods", "kube-system")
                   if p["status"].get("phase") == "Running")
    io = FakeIO(cwd=str(tmp_path))
    assert our_kubectl(cluster, ["exec", "-n", "kube-system", pod["metadata"]["name"], "--",
                                 "cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"], io) == 0
    return "".join(io.out).strip()


def test_curl_with_the_cluster_ca_and_a_service_account_token(secure, tmp_path):
    cluster, server, _, ca = secure
    url = server.url + "/api/v1/pods"
    code, body = _curl("--cacert", str(ca), "-H", f"Authorization: Bearer {_token(cluster, tmp_path)}", url)
    assert code == 200 and body["kind"] == "PodList"
    assert {p["metadata"]["name"] for p in body["items"]} == \
        {p["metadata"]["name"] for p in cluster.store.list("pods")}
    code, body = _curl("--cacert", str(ca), url)                       # anonymous
    assert (code, body["reason"]) == (403, "Forbidden")
    assert 'User "system:anonymous" cannot get path "/api/v1/pods"' in body["message"]
    code, body = _curl("--cacert", str(ca), "-H", "Authorization: Bearer not-a-token", url)
    assert (code, body["reason"]) == (401, "Unauthorized")
    done = subprocess.run(["curl", "-sS", url], capture_output=True, text=True, timeout=30)
    assert done.returncode != 0                                         # the CA is not a public one


def test_the_python_client_lists_pods_and_creates_a_deployment(secure):
    kubernetes = pytest.importorskip("kubernetes", reason="missing: the kubernetes package "
                                     "(requirements.txt)")
    cluster, server, config, _ = secure
    client_config = kubernetes.client.Configuration()
    kubernetes.config.load_kube_config(config_file=str(config), client_configuration=client_config)
    api = kubernetes.client.ApiClient(client_config)
    core = kubernetes.client.CoreV1Api(api)
    names = {p.metadata.name for p in core.list_namespaced_pod("kube-system").items}
    assert names == {p["metadata"]["name"] for p in cluster.store.list("pods", "kube-system")}
    apps = kubernetes.client.AppsV1Api(api)
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "py"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "py"}},
                     "template": {"metadata": {"labels": {"app": "py"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    made = apps.create_namespaced_deployment("default", body)
    assert made.metadata.uid == cluster.store.get("deployments", "default", "py")["metadata"]["uid"]
    with pytest.raises(kubernetes.client.ApiException) as raised:
        apps.create_namespaced_deployment("default", body)
    assert raised.value.status == 409


@needs_helm
def test_helm_installs_a_local_chart_and_lists_it(secure, tmp_path):
    cluster, _, config, _ = secure
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KUBECONFIG": str(config),
           "HELM_CACHE_HOME": str(tmp_path / "cache"), "HELM_CONFIG_HOME": str(tmp_path / "cfg"),
           "HELM_DATA_HOME": str(tmp_path / "data")}

    def helm(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(REFERENCE_HELM), *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)

    assert helm("create", "demo").returncode == 0
    installed = helm("install", "demo", "./demo")
    assert installed.returncode == 0, installed.stderr
    assert "STATUS: deployed" in installed.stdout
    listed = helm("list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].split("\t")[0].strip() == "demo"
    with cluster.lock:
        assert cluster.store.find("deployments", "default", "demo") is not None
        assert cluster.store.find("services", "default", "demo") is not None
        assert any(s["metadata"]["name"].startswith("sh.helm.release.v1.demo.")
                   for s in cluster.store.list("secrets", "default"))
