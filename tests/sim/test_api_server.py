"""The cluster's Kubernetes API over HTTP (sim/api/server.py, sim/api/listener.py).

Two kinds of checks: the API's own answers to requests made by hand (codes, Status
bodies, watch events), and the real kubectl v1.35.2 driving a simulated cluster through
it, command by command beside our kubectl on a twin cluster (same profile, same seed),
the two outputs compared with the runner's matcher (generated names and addresses bind
one-to-one, ages match any age)."""
from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from sim.api import listener
from sim.api import server as api
from sim.cluster import Cluster
from sim.kubectl.main import main as our_kubectl
from tests.deps import REFERENCE_KUBECTL, needs_reference
from tests.sim.kubectl.fakeio import FakeIO
from tutorial_runner.match import Bindings, match_output


@pytest.fixture
def served():
    cluster = Cluster("default", seed=5, workloads=False)
    server = listener.start(cluster)
    yield cluster, server
    server.close()


def _call(server, method: str, path: str, body: bytes | dict | None = None,
          content_type: str = "application/json", accept: str = "application/json"):
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    request = urllib.request.Request(server.url + path, data=data, method=method,
                                     headers={"Content-Type": content_type, "Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read()), dict(err.headers)


def _pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


def test_discovery_names_every_served_type(served):
    cluster, server = served
    code, groups, _ = _call(server, "GET", "/apis")
    assert code == 200 and groups["kind"] == "APIGroupList"
    served_groups = {rt.group for rt in cluster.resources} - {""}
    assert {g["name"] for g in groups["groups"]} == served_groups
    code, core, _ = _call(server, "GET", "/api/v1")
    names = {r["name"] for r in core["resources"]}
    assert {n for n in names if "/" not in n} == {rt.plural for rt in cluster.resources
                                                  if rt.group == ""}
    assert {"pods/log", "pods/exec", "pods/status", "services/proxy"} <= names
    code, apps, _ = _call(server, "GET", "/apis/apps/v1")
    scale = next(r for r in apps["resources"] if r["name"] == "deployments/scale")
    assert (scale["group"], scale["kind"]) == ("autoscaling", "Scale")
    # aggregated discovery: the same in one answer per /api and /apis
    code, aggregated, headers = _call(server, "GET", "/apis", accept=api.AGGREGATED + ",application/json")
    assert headers["Content-Type"] == api.AGGREGATED
    assert {g["metadata"]["name"] for g in aggregated["items"]} == served_groups
    apps_v1 = next(g for g in aggregated["items"] if g["metadata"]["name"] == "apps")["versions"][0]
    deployments = next(r for r in apps_v1["resources"] if r["resource"] == "deployments")
    assert {s["subresource"] for s in deployments["subresources"]} == {"scale", "status"}
    code, version, _ = _call(server, "GET", "/version")
    assert version["gitVersion"] == cluster.profile["version"]


def test_create_get_conflict_and_delete(served):
    cluster, server = served
    code, created, _ = _call(server, "POST", "/api/v1/namespaces/default/pods", _pod("p"))
    assert code == 201 and created["metadata"]["namespace"] == "default"
    assert cluster.store.get("pods", "default", "p")["metadata"]["uid"] == created["metadata"]["uid"]
    code, again, _ = _call(server, "POST", "/api/v1/namespaces/default/pods", _pod("p"))
    assert (code, again["reason"], again["message"]) == (409, "AlreadyExists", 'pods "p" already exists')
    stale = dict(created, metadata=dict(created["metadata"], resourceVersion="1"))
    code, conflict, _ = _call(server, "PUT", "/api/v1/namespaces/default/pods/p", stale)
    assert code == 409 and conflict["reason"] == "Conflict"
    code, deleted, _ = _call(server, "DELETE", "/api/v1/namespaces/default/pods/p?gracePeriodSeconds=0")
    assert code == 200 and cluster.store.find("pods", "default", "p") is None
    code, missing, _ = _call(server, "GET", "/api/v1/namespaces/default/pods/p")
    assert (code, missing["kind"], missing["reason"]) == (404, "Status", "NotFound")
    assert missing["details"] == {"name": "p", "group": "", "kind": "pods"}


def test_bad_requests_get_a_status_never_a_traceback(served):
    _, server = served
    code, body, _ = _call(server, "POST", "/api/v1/namespaces/default/pods", b"{not json")
    assert code == 400 and body["reason"] == "BadRequest"
    code, body, _ = _call(server, "POST", "/api/v1/namespaces/default/pods", b"{}",
                          content_type="text/plain")
    assert code == 415 and body["reason"] == "UnsupportedMediaType"
    code, body, _ = _call(server, "GET", "/api/v1/namespaces/default/widgets")
    assert code == 404 and body["reason"] == "NotFound"
    code, body, _ = _call(server, "GET", "/apis/extensions/v1beta1/ingresses")
    assert code == 404
    code, body, _ = _call(server, "POST", "/api/v1/namespaces/default/pods",
                          b" " * (api.MAX_BODY + 1))
    assert code == 413 and body["reason"] == "RequestEntityTooLarge"
    code, body, _ = _call(server, "PATCH", "/api/v1/namespaces/default/pods/x", b"{}",
                          content_type="application/json")
    assert code == 415


def test_a_table_has_the_columns_kubectl_prints(served):
    cluster, server = served
    code, table, _ = _call(server, "GET", "/api/v1/nodes",
                           accept="application/json;as=Table;v=v1;g=meta.k8s.io")
    assert code == 200 and table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"]][:5] == ["Name", "Status", "Roles",
                                                                  "Age", "Version"]
    assert [r["cells"][0] for r in table["rows"]] == \
        [n["metadata"]["name"] for n in cluster.store.list("nodes")]


def test_endpoints_carry_the_deprecation_warning(served):
    _, server = served
    code, _, headers = _call(server, "GET", "/api/v1/namespaces/default/endpoints")
    assert code == 200 and "v1 Endpoints is deprecated" in headers["Warning"]


def test_a_watch_sees_a_write_and_a_waiting_watch_lets_time_pass(served):
    cluster, server = served
    events: list[dict] = []

    def read() -> None:
        url = server.url + "/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=60"
        with urllib.request.urlopen(url, timeout=30) as response:
            for line in response:
                events.append(json.loads(line))
                if events[-1]["type"] == "DELETED":
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.3)
    before = cluster.clock.now()
    assert _call(server, "POST", "/api/v1/namespaces/default/pods", _pod("w"))[0] == 201
    # a graceful delete: the kubelet ends the pod only as virtual time passes
    assert _call(server, "DELETE", "/api/v1/namespaces/default/pods/w")[0] == 200
    reader.join(20)
    assert [e["type"] for e in events][0] == "ADDED" and events[-1]["type"] == "DELETED"
    assert {e["object"]["metadata"]["name"] for e in events} == {"w"}
    assert cluster.clock.now() > before


# -- the real kubectl against the simulated cluster, beside ours -------------------------

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
"""

SCENARIO = [
    "get nodes", "get pods -A", "get svc,ep", "apply -f web.yaml", "get deploy", "get rs",
    "get pods -o wide", "get pods -l app=web -o name", "scale deploy web --replicas=3",
    "get deploy web", "expose deploy web --port=80", "get svc web", "get endpointslices",
    "apply -f web.yaml", "label deploy web tier=front", "get deploy --show-labels",
    "apply -f bad.yaml", "get pods --field-selector=status.phase=Running -l app=web",
    "rollout status deploy/web", "delete pod -l app=web", "get pods",
    "delete svc web", "delete deploy web", "get deploy web", "get all",
    # typed commands: the real kubectl sends these as protobuf
    "create deployment d --image=nginx --replicas=0", "get deploy d -o yaml",
    "create configmap cm --from-literal=a=b --from-literal=c=d", "get cm cm -o json",
    "create secret generic s --from-literal=user=admin", "get secret s -o yaml",
    "create service nodeport np --tcp=80:8080", "get svc np -o jsonpath={.spec.ports}",
    "create ingress ing --rule=foo.com/bar=np:80", "describe ingress ing",
    "create namespace team", "get ns team",
    # nodes: cordon (the lifecycle controller's taint follows), taints added, replaced, removed
    "cordon k8s-worker-2", "cordon k8s-worker-2", "get nodes", "describe node k8s-worker-2",
    "uncordon k8s-worker-2", "taint nodes k8s-worker-1 dedicated=db:NoSchedule",
    "taint nodes k8s-worker-1 dedicated=db:NoSchedule --overwrite",
    "taint nodes k8s-worker-1 a=1:NoSchedule b=2:NoExecute",
    "taint nodes k8s-worker-1 a:NoSchedule- c=3:NoSchedule",
    "get node k8s-worker-1 -o jsonpath={.spec.taints}", "taint nodes k8s-worker-1 x=1:Bogus",
    "taint nodes k8s-worker-1 dedicated- b- c-", "taint nodes k8s-worker-1 zz-",
    # server-side apply; a watch from "now" (RV 0), as Table rows; changes only
    "apply --server-side -f web.yaml",
    # a rollout's history: new images, undo, a container that is not there
    "set image deploy/web nginx=nginx:1.27", "rollout status deploy/web",
    "set image deploy/web nginx=nginx:1.28", "rollout history deploy/web",
    "rollout undo deploy/web", "rollout history deploy/web", "set image deploy/web foo=x",
    "rollout undo deploy/web --to-revision=9", "get deploy web -w --request-timeout=1s",
    "get pods --watch-only --request-timeout=1s",
]


@pytest.fixture
def twins(tmp_path):
    ours = Cluster("default", seed=9, workloads=False)
    theirs = Cluster("default", seed=9, workloads=False)
    server = listener.start(theirs)
    (tmp_path / "web.yaml").write_text(DEPLOYMENT)
    # a field the server does not know: the patch's strict decoding error, as each prints it
    (tmp_path / "bad.yaml").write_text(DEPLOYMENT.replace("  replicas: 2\n", "  replicas: 2\n  foo: 1\n"))
    config = {"apiVersion": "v1", "kind": "Config", "current-context": "sim",
              "clusters": [{"name": "sim", "cluster": {"server": server.url}}],
              "users": [{"name": "u", "user": {}}],
              "contexts": [{"name": "sim", "context": {"cluster": "sim", "user": "u",
                                                       "namespace": "default"}}]}
    (tmp_path / "config").write_text(json.dumps(config))
    yield ours, theirs, tmp_path
    server.close()


def _real(tmp: Path, args: list[str]) -> tuple[int, str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "KUBECONFIG": str(tmp / "config"),
           "KUBECTL_KUBERC": "false", "LANG": "C.UTF-8"}
    done = subprocess.run([str(REFERENCE_KUBECTL), "--cache-dir", str(tmp / "cache"), *args],
                          cwd=tmp, env=env, capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


def _ours(cluster: Cluster, tmp: Path, args: list[str]) -> tuple[int, str, str]:
    io = FakeIO(cwd=str(tmp))
    code = our_kubectl(cluster, args, io)
    return code, "".join(io.out), "".join(io.errs)


@needs_reference
def test_the_real_kubectl_prints_what_ours_prints_on_a_twin_cluster(twins):
    ours, theirs, tmp = twins
    bindings = Bindings()
    differences = []
    for command in SCENARIO:
        args = command.split()
        real = _real(tmp, args)
        mine = _ours(ours, tmp, args)
        for stream, expected, live in (("stdout", real[1], mine[1]), ("stderr", real[2], mine[2])):
            result = match_output(expected.splitlines(), live.splitlines(), bindings)
            if result.ok:
                bindings = result.bindings
            else:
                differences.append((command, stream, "\n".join(result.diff)))
        if real[0] != mine[0]:
            differences.append((command, "exit", f"{real[0]} != {mine[0]}"))
        ours.tick()
        theirs.tick()
    assert differences == []


@needs_reference
@pytest.mark.parametrize("count", [11, 13, 60, 130])
def test_sort_by_leaves_equal_keys_where_the_real_kubectl_does(twins, count):
    """kubectl's --sort-by is Go's sort.Sort (pdqsort, not stable): with many equal keys
    the order of the ties is the algorithm's, which ours must reproduce."""
    ours, theirs, tmp = twins
    for cluster in (ours, theirs):
        for i in range(count):
            cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
                "name": f"cm-{(i * 37) % count:03d}", "namespace": "default",
                "labels": {"group": str((i * 7) % 3)}}})
    for key in (".metadata.labels.group", ".metadata.creationTimestamp"):
        args = ["get", "cm", "-l", "group", f"--sort-by={key}", "-o", "name"]
        real = _real(tmp, args)
        mine = _ours(ours, tmp, args)
        assert real[0] == 0 and mine[1] == real[1]


def _configmaps(cluster: Cluster, namespace: str, count: int, labels=lambda i: {}) -> None:
    for i in range(count):
        cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
            "name": f"cm-{i:02d}", "namespace": namespace, "labels": labels(i)}})


def test_a_list_comes_in_chunks_that_continue_where_the_last_ended(served):
    cluster, server = served
    for ns in ("a", "a-b", "b"):
        cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        _configmaps(cluster, ns, 4)
    whole = [(o["metadata"]["namespace"], o["metadata"]["name"])
             for o in cluster.store.list("configmaps")]
    seen, token, remaining = [], "", []
    while True:
        code, page, _ = _call(server, "GET", "/api/v1/configmaps?limit=5"
                              + (f"&continue={urllib.parse.quote(token)}" if token else ""))
        assert code == 200 and len(page["items"]) <= 5
        seen += [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in page["items"]]
        token = page["metadata"].get("continue", "")
        if not token:
            assert "remainingItemCount" not in page["metadata"]
            break
        remaining.append(page["metadata"]["remainingItemCount"])
    assert seen == whole and remaining == [len(whole) - 5 * (i + 1) for i in range(len(remaining))]
    # a selector: chunks still, but how many remain is not known
    code, page, _ = _call(server, "GET", "/api/v1/namespaces/a/configmaps?limit=2&fieldSelector="
                          "metadata.name!=cm-00")
    assert [o["metadata"]["name"] for o in page["items"]] == ["cm-01", "cm-02"]
    assert page["metadata"]["continue"] and "remainingItemCount" not in page["metadata"]
    code, table, _ = _call(server, "GET", "/api/v1/namespaces/b/configmaps?limit=3",
                           accept=f"application/json;{api.TABLE_MEDIA};v=v1;g=meta.k8s.io")
    assert len(table["rows"]) == 3 and table["metadata"]["remainingItemCount"] == 1
    code, status, _ = _call(server, "GET", "/api/v1/configmaps?limit=5&continue=not-a-token")
    assert code == 400 and status["reason"] == "BadRequest"
    assert status["message"].startswith("continue key is not valid: ")


def test_deletecollection_deletes_what_the_selector_names(served):
    cluster, server = served
    _configmaps(cluster, "default", 5, labels=lambda i: {"even": str(i % 2 == 0).lower()})
    code, dry, _ = _call(server, "DELETE", "/api/v1/namespaces/default/configmaps"
                         "?labelSelector=even%3Dtrue&dryRun=All")
    assert code == 200 and len(dry["items"]) == 3 and len(cluster.store.list("configmaps", "default",
                                                                             "even")) == 5
    code, gone, _ = _call(server, "DELETE", "/api/v1/namespaces/default/configmaps"
                          "?labelSelector=even%3Dtrue")
    assert code == 200 and gone["kind"] == "ConfigMapList"
    assert [o["metadata"]["name"] for o in gone["items"]] == ["cm-00", "cm-02", "cm-04"]
    assert [o["metadata"]["name"] for o in cluster.store.list("configmaps", "default", "even")] \
        == ["cm-01", "cm-03"]
    code, status, _ = _call(server, "DELETE", "/api/v1/configmaps")
    assert code == 405 and status["reason"] == "MethodNotAllowed"


@needs_reference
def test_the_real_kubectl_reads_a_long_list_in_chunks(twins):
    """kubectl asks for 500 at a time and follows the continue tokens: chunks of 3 print
    the same table as one answer, and as ours."""
    ours, theirs, tmp = twins
    for cluster in (ours, theirs):
        _configmaps(cluster, "default", 8)
    chunked = _real(tmp, ["get", "cm", "-A", "--chunk-size=3"])
    whole = _real(tmp, ["get", "cm", "-A", "--chunk-size=0"])
    assert chunked[0] == 0 and chunked[1] == whole[1] and chunked[1].count("\n") > 9
    assert _ours(ours, tmp, ["get", "cm", "-A"])[1] == chunked[1]


def test_a_pod_for_another_scheduler_is_bound_by_hand(served):
    """pods/binding: what a scheduler of one's own writes; the kubelet then starts the pod."""
    cluster, server = served
    pod = _pod("manual")
    pod["spec"]["schedulerName"] = "my-scheduler"
    assert _call(server, "POST", "/api/v1/namespaces/default/pods", pod)[0] == 201
    cluster.run_for(5)
    assert not cluster.store.get("pods", "default", "manual")["spec"].get("nodeName")
    node = cluster.store.list("nodes")[-1]["metadata"]["name"]
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "manual"},
               "target": {"apiVersion": "v1", "kind": "Node", "name": node}}
    code, status, _ = _call(server, "POST", "/api/v1/namespaces/default/pods/manual/binding",
                            binding)
    assert (code, status["status"], status["code"]) == (201, "Success", 201)
    cluster.run_for(10)
    bound = cluster.store.get("pods", "default", "manual")
    assert bound["spec"]["nodeName"] == node and bound["status"]["phase"] == "Running"
    assert any(c["type"] == "PodScheduled" and c["status"] == "True"
               for c in bound["status"]["conditions"])
    code, status, _ = _call(server, "POST", "/api/v1/namespaces/default/pods/manual/binding",
                            binding)
    assert code == 409 and status["message"] == (
        f'Operation cannot be fulfilled on pods/binding "manual": pod manual is already '
        f'assigned to node "{node}"')
    assert _call(server, "GET", "/api/v1/namespaces/default/pods/manual/binding")[0] == 405
    wrong = dict(binding, target={"kind": "Pod", "name": "x"})
    code, status, _ = _call(server, "POST", "/api/v1/namespaces/default/pods/manual/binding", wrong)
    assert code == 422 and status["message"] == ('Binding "manual" is invalid: target.kind: '
                                                 'Unsupported value: "Pod": supported values: "Node"')
