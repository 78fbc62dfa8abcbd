"""apply -f and create -f against the real store: created / configured / unchanged as the
three-way comparison decides, and the annotation kubectl writes."""

from __future__ import annotations

import json

from sim.kubectl.apply import LAST_APPLIED
from tests.sim.kubectl.conftest import run_sim

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    tier: front
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
SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
"""


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return name


def test_apply_creates_with_last_applied_then_unchanged(cluster, tmp_path):
    write(tmp_path, "d.yaml", DEPLOYMENT)
    first = run_sim(cluster, ["apply", "-f", "d.yaml"], str(tmp_path))
    assert (first.code, first.stdout, first.stderr) == (0, "deployment.apps/web created\n", "")
    stored = cluster.store.get("deployments", "default", "web")
    annotation = stored["metadata"]["annotations"][LAST_APPLIED]
    assert annotation.endswith("}\n")
    recorded = json.loads(annotation)
    assert recorded["metadata"] == {"annotations": {}, "labels": {"tier": "front"},
                                    "name": "web", "namespace": "default"}
    assert annotation == json.dumps(recorded, sort_keys=True, separators=(",", ":")) + "\n"
    again = run_sim(cluster, ["apply", "-f", "d.yaml"], str(tmp_path))
    assert again.stdout == "deployment.apps/web unchanged\n"


def test_apply_changed_field_is_configured_and_dropped_field_is_removed(cluster, tmp_path):
    write(tmp_path, "d.yaml", DEPLOYMENT)
    run_sim(cluster, ["apply", "-f", "d.yaml"], str(tmp_path))
    changed = DEPLOYMENT.replace("replicas: 2", "replicas: 3").replace(
        "  labels:\n    tier: front\n", "")
    write(tmp_path, "d.yaml", changed)
    out = run_sim(cluster, ["apply", "-f", "d.yaml"], str(tmp_path))
    assert out.stdout == "deployment.apps/web configured\n"
    stored = cluster.store.get("deployments", "default", "web")
    assert stored["spec"]["replicas"] == 3
    assert "labels" not in stored["metadata"] or "tier" not in stored["metadata"]["labels"]


def test_apply_ignores_fields_the_server_added(cluster, tmp_path):
    write(tmp_path, "s.yaml", SERVICE)
    run_sim(cluster, ["apply", "-f", "s.yaml"], str(tmp_path))
    live = cluster.store.get("services", "default", "web")
    live = json.loads(json.dumps(live))
    live["spec"]["clusterIP"] = "10.96.0.20"
    live["spec"]["ports"][0]["protocol"] = "TCP"
    cluster.store.write(live)
    out = run_sim(cluster, ["apply", "-f", "s.yaml"], str(tmp_path))
    assert out.stdout == "service/web unchanged\n"


def test_apply_multi_document_directory_stdin_and_json(cluster, tmp_path):
    (tmp_path / "dir").mkdir()
    write(tmp_path, "dir/all.yaml", DEPLOYMENT + "---\n" + SERVICE)
    out = run_sim(cluster, ["apply", "-f", "dir"], str(tmp_path))
    assert out.stdout == "deployment.apps/web created\nservice/web created\n"
    ns = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    out = run_sim(cluster, ["apply", "-f", "-"], str(tmp_path), stdin=ns.encode())
    assert out.stdout == "namespace/team created\n"


def test_apply_to_object_made_by_create_warns_and_configures(cluster, tmp_path):
    write(tmp_path, "s.yaml", SERVICE)
    assert run_sim(cluster, ["create", "-f", "s.yaml"], str(tmp_path)).stdout == \
        "service/web created\n"
    out = run_sim(cluster, ["apply", "-f", "s.yaml"], str(tmp_path))
    assert out.stdout == "service/web configured\n"
    assert out.stderr == (
        "Warning: resource services/web is missing the kubectl.kubernetes.io/last-applied-"
        "configuration annotation which is required by kubectl apply. kubectl apply should "
        "only be used on resources created declaratively by either kubectl create "
        "--save-config or kubectl apply. The missing annotation will be patched "
        "automatically.\n")
    assert LAST_APPLIED in cluster.store.get("services", "default", "web")["metadata"][
        "annotations"]


def test_create_twice_is_already_exists_with_the_file_named(cluster, tmp_path):
    write(tmp_path, "s.yaml", SERVICE)
    run_sim(cluster, ["create", "-f", "s.yaml"], str(tmp_path))
    out = run_sim(cluster, ["create", "-f", "s.yaml"], str(tmp_path))
    assert (out.code, out.stdout) == (1, "")
    assert out.stderr == ('Error from server (AlreadyExists): error when creating "s.yaml": '
                          'services "web" already exists\n')


def test_unserved_version_is_a_mapping_error(cluster, tmp_path):
    write(tmp_path, "ing.yaml", "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n"
                                "  name: old\nspec: {}\n")
    out = run_sim(cluster, ["apply", "-f", "ing.yaml"], str(tmp_path))
    assert out.code == 1
    assert out.stderr == ('error: resource mapping not found for name: "old" namespace: "" from '
                          '"ing.yaml": no matches for kind "Ingress" in version '
                          '"extensions/v1beta1"\nensure CRDs are installed first\n')


def test_missing_path_and_missing_flag(cluster, tmp_path):
    out = run_sim(cluster, ["apply", "-f", "nope.yaml"], str(tmp_path))
    assert (out.code, out.stderr) == (1, 'error: the path "nope.yaml" does not exist\n')
    out = run_sim(cluster, ["apply"], str(tmp_path))
    assert (out.code, out.stderr) == (1, "error: must specify one of -f and -k\n")


def test_generators_create_in_the_store(cluster, tmp_path):
    out = run_sim(cluster, ["create", "deployment", "api", "--image=nginx", "--replicas=2"],
                  str(tmp_path))
    assert out.stdout == "deployment.apps/api created\n"
    assert cluster.store.get("deployments", "default", "api")["spec"]["replicas"] == 2
    out = run_sim(cluster, ["create", "deployment", "api", "--image=nginx"], str(tmp_path))
    assert (out.code, out.stderr) == (
        1, 'error: failed to create deployment: deployments.apps "api" already exists\n')
    out = run_sim(cluster, ["create", "configmap", "cfg", "--from-literal=a=b"], str(tmp_path))
    assert out.stdout == "configmap/cfg created\n"
    assert cluster.store.get("configmaps", "default", "cfg")["data"] == {"a": "b"}
    out = run_sim(cluster, ["create", "namespace", "default"], str(tmp_path))
    assert out.stderr == 'Error from server (AlreadyExists): namespaces "default" already exists\n'


def test_three_way_patch_rules():
    from sim.kubectl.threeway import three_way_patch
    current = {"spec": {"ports": [{"port": 80, "protocol": "TCP", "nodePort": 30001},
                                  {"port": 81, "protocol": "TCP"}], "type": "NodePort",
                        "clusterIP": "10.0.0.1"},
               "metadata": {"labels": {"a": "1", "b": "2"}}}
    original = {"spec": {"ports": [{"port": 80}, {"port": 81}], "type": "NodePort"},
                "metadata": {"labels": {"a": "1", "b": "2"}}}
    same = {"spec": {"ports": [{"port": 80}, {"port": 81}], "type": "NodePort"},
            "metadata": {"labels": {"a": "1", "b": "2"}}}
    assert three_way_patch(original, same, current) == {}
    dropped = {"spec": {"ports": [{"port": 80}], "type": "NodePort"},
               "metadata": {"labels": {"a": "1"}}}
    assert three_way_patch(original, dropped, current) == {
        "spec": {"ports": [{"port": 81, "$patch": "delete"}],
                 "$setElementOrder/ports": [{"port": 80}]},
        "metadata": {"labels": {"b": None}}}
    nulled = {"metadata": {"creationTimestamp": None, "labels": {"a": "1", "b": "2"}},
              "spec": same["spec"]}
    current["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z"
    assert three_way_patch(original, nulled, current) == {"metadata": {"creationTimestamp": None}}


def test_apply_removing_a_port_is_configured_and_removes_it(cluster, tmp_path):
    two = SERVICE.replace("  - port: 80\n    targetPort: 80\n",
                          "  - port: 80\n    targetPort: 80\n    name: a\n"
                          "  - port: 81\n    targetPort: 81\n    name: b\n")
    write(tmp_path, "s.yaml", two)
    run_sim(cluster, ["apply", "-f", "s.yaml"], str(tmp_path))
    write(tmp_path, "s.yaml", SERVICE)
    out = run_sim(cluster, ["apply", "-f", "s.yaml"], str(tmp_path))
    assert out.stdout == "service/web configured\n"
    ports = cluster.store.get("services", "default", "web")["spec"]["ports"]
    assert [p_["port"] for p_ in ports] == [80]


def test_delete_from_file_names_the_file_when_missing(cluster, tmp_path):
    write(tmp_path, "s.yaml", SERVICE + "---\n" + DEPLOYMENT)
    run_sim(cluster, ["create", "-f", "s.yaml"], str(tmp_path))
    cluster.store.delete("deployments", "default", "web")
    out = run_sim(cluster, ["delete", "-f", "s.yaml"], str(tmp_path))
    assert out.stdout == 'service "web" deleted from default namespace\n'
    assert out.stderr == ('Error from server (NotFound): error when deleting "s.yaml": '
                          'deployments.apps "web" not found\n')


def test_apply_output_name_and_yaml(cluster, tmp_path):
    write(tmp_path, "all.yaml", DEPLOYMENT + "---\n" + SERVICE)
    out = run_sim(cluster, ["apply", "-f", "all.yaml", "-o", "name"], str(tmp_path))
    assert out.stdout == "deployment.apps/web\nservice/web\n"
    out = run_sim(cluster, ["apply", "-f", "all.yaml", "-o", "yaml"], str(tmp_path))
    assert out.stdout.startswith("apiVersion: apps/v1\n") and "\n---\napiVersion: v1\n" in out.stdout


ENDPOINTS = """apiVersion: v1
kind: Endpoints
metadata:
  name: web
subsets:
- addresses:
  - ip: 10.0.0.5
  ports:
  - port: 80
"""


def test_endpoints_requests_warn_once_when_made(cluster, tmp_path):
    write(tmp_path, "both.yaml", SERVICE + "---\n" + ENDPOINTS + "---\n" + ENDPOINTS.replace(
        "name: web", "name: web2"))
    from tests.sim.kubectl.fakeio import FakeIO
    from sim.kubectl.main import main
    io = FakeIO(cwd=str(tmp_path))
    assert main(cluster, ["apply", "-f", "both.yaml"], io) == 0
    warning = ("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 "
               "EndpointSlice\n")
    assert io.events == [("out", "service/web created\n"), ("err", warning),
                         ("out", "endpoints/web created\n"), ("out", "endpoints/web2 created\n")]
    io = FakeIO(cwd=str(tmp_path))
    main(cluster, ["delete", "-f", "both.yaml"], io)
    assert io.events[:3] == [("out", 'service "web" deleted from default namespace\n'),
                             ("err", warning),
                             ("out", 'endpoints "web" deleted from default namespace\n')]


def test_delete_from_file_goes_on_past_an_unserved_kind(cluster, tmp_path):
    old = ("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: old\nspec: {}\n")
    write(tmp_path, "mixed.yaml", SERVICE + "---\n" + old)
    run_sim(cluster, ["create", "-f", "mixed.yaml"], str(tmp_path))
    out = run_sim(cluster, ["delete", "-f", "mixed.yaml"], str(tmp_path))
    assert out.code == 1
    assert out.stdout == 'service "web" deleted from default namespace\n'
    assert out.stderr.startswith('error: resource mapping not found for name: "old"')
