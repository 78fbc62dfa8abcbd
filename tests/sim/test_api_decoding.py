"""Request bodies decoded as the API server decodes them into the Go types (sim/api/gotypes):
a value of the wrong JSON type is a 400 with encoding/json's message, never a traceback or a
cluster that stops answering; every field of every served kind is tried."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.api import gotypes, server
from sim.api.client import path_of
from sim.api.errors import ApiError
from sim.cluster import Cluster
from tests.deps import needs_reference
from tests.sim.kubectl.conftest import run_sim
from tutorial_runner.document import read_document
from tutorial_runner.engine import run_session
from tutorial_runner.environment import load_environment

PREFIX = '{kind} in version "{version}" cannot be handled as a {kind}: '
QUANTITY = ("quantities must match the regular expression "
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


@pytest.fixture(scope="module")
def cluster():
    return Cluster("default", seed=5, workloads=False)


def _post(cluster, rt, body) -> server.Response:
    namespace = "default" if rt.namespaced else None
    request = server.Request("POST", path_of(rt, namespace), {"content-type": "application/json"},
                             json.dumps(body).encode())
    return server.handle(cluster, request)


def _service(spec: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": spec}


def _deployment(pod_spec: dict, labels=None) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": labels or {"app": "web"}},
                                  "spec": pod_spec}}}


# -- what a user meets: the messages of a v1.35 API server ------------------------------

@pytest.mark.parametrize("body, message", [
    (_service({"selector": ["app"], "ports": [{"port": 80}]}),
     "json: cannot unmarshal array into Go struct field ServiceSpec.spec.selector of type "
     "map[string]string"),
    (_service({"selector": {"app": 1}, "ports": [{"port": 80}]}),
     "json: cannot unmarshal number into Go struct field ServiceSpec.spec.selector of type "
     "string"),
    (_service({"ports": [{"port": "80"}]}),
     "json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type "
     "int32"),
    (_service({"ports": [{"port": 80, "targetPort": [8080]}]}),
     "json: cannot unmarshal array into Go struct field ServicePort.spec.ports.targetPort of "
     "type int32"),
    (_service({"ports": [{"port": 4294967296}]}),
     "json: cannot unmarshal number 4294967296 into Go struct field ServicePort.spec.ports.port "
     "of type int32"),
    (_service({"ports": {"port": 80}}),
     "json: cannot unmarshal object into Go struct field ServiceSpec.spec.ports of type "
     "[]v1.ServicePort"),
    (_service({"type": 1, "ports": [{"port": 80}]}),
     "json: cannot unmarshal number into Go struct field ServiceSpec.spec.type of type "
     "v1.ServiceType"),
    (_deployment({"containers": ["nginx"]}),
     "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers "
     "of type v1.Container"),
    (_deployment({"containers": [{"name": "a", "image": "nginx"}]}, labels={"app": 1}),
     "json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata."
     "labels of type string"),
    (_deployment({"containers": [{"name": "a", "image": "nginx",
                                  "resources": {"limits": {"memory": "128MB"}}}]}),
     QUANTITY),
    (_deployment({"containers": [{"name": "a", "image": "nginx",
                                  "resources": {"limits": {"cpu": "1mi"}}}]}),
     "unable to parse quantity's suffix"),
    (_deployment({"containers": [{"name": "a", "image": "nginx"}],
                  "volumes": [{"name": "v", "configMap": "settings"}]}),
     "json: cannot unmarshal string into Go struct field Volume.spec.template.spec.volumes."
     "configMap of type v1.ConfigMapVolumeSource"),
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "creationTimestamp": 5},
      "spec": {"containers": [{"name": "a", "image": "nginx"}]}},
     "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp "
     "of type string"),
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p",
                                                      "creationTimestamp": "yesterday"},
      "spec": {"containers": [{"name": "a", "image": "nginx"}]}},
     'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as '
     '"2006"'),
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p",
                                                      "creationTimestamp": "2026-02-30T00:00:00Z"},
      "spec": {"containers": [{"name": "a", "image": "nginx"}]}},
     'parsing time "2026-02-30T00:00:00Z": day out of range'),
    ({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"a": 1}},
     "json: cannot unmarshal number into Go struct field Secret.data of type []uint8"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": "settings"},
     "json: cannot unmarshal string into Go struct field ConfigMap.metadata of type "
     "v1.ObjectMeta"),
])
def test_the_api_server_names_the_go_field_and_type(cluster, body, message):
    rt = cluster.resources.for_object(body)
    answer = _post(cluster, rt, body)
    version = rt.version
    assert (answer.code, answer.body["reason"]) == (400, "BadRequest")
    assert answer.body["message"] == PREFIX.format(kind=rt.kind, version=version) + message


def test_a_type_error_is_reported_before_unknown_fields_and_a_parser_error_before_both(cluster):
    rt = cluster.resources.resolve("deployments")
    body = _deployment({"containers": [{"name": "a", "image": "nginx", "bogus": 1}]})
    body["spec"]["replicas"] = "2"
    answer = _post(cluster, rt, body)
    assert answer.body["message"].endswith(
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of "
        "type int32")
    # the quantity's own parser stops decoding at once, even after a type error
    body["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "x"}}
    body["spec"]["minReadySeconds"] = "5"
    assert _post(cluster, rt, body).body["message"].endswith(QUANTITY)


def test_null_is_never_the_wrong_type(cluster):
    rt = cluster.resources.resolve("services")
    body = _service({"selector": None, "ports": [{"port": 80, "targetPort": None,
                                                  "nodePort": None}],
                     "clusterIP": None})
    body["metadata"]["name"] = "nulls"
    body["metadata"]["labels"] = None
    body["metadata"]["creationTimestamp"] = None
    answer = _post(cluster, rt, body)
    assert answer.code == 201, answer.body
    assert answer.body["spec"]["ports"][0]["targetPort"] == 80


def test_a_bad_service_leaves_the_cluster_answering():
    cluster = Cluster("default", seed=2)
    rt = cluster.resources.resolve("services")
    answer = _post(cluster, rt, _service({"selector": ["app"], "ports": [{"port": 80}]}))
    assert answer.code == 400
    cluster.tick()
    listed = server.handle(cluster, server.Request("GET", "/api/v1/namespaces/default/services",
                                                   {}, b""))
    assert listed.code == 200
    assert [s["metadata"]["name"] for s in listed.body["items"]] == ["kubernetes"]


def test_our_kubectl_prints_the_servers_decoding_error(tmp_path):
    cluster = Cluster("default", seed=2)
    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n  - app\n"
        "  ports:\n  - port: 80\n")
    for verb in ("apply", "create"):
        run = run_sim(cluster, [verb, "-f", "svc.yaml"], str(tmp_path))
        assert run.code == 1
        assert run.stderr == (
            'Error from server (BadRequest): error when creating "svc.yaml": Service in version '
            '"v1" cannot be handled as a Service: json: cannot unmarshal array into Go struct '
            "field ServiceSpec.spec.selector of type map[string]string\n")


def test_an_update_and_a_patch_are_decoded_too(cluster):
    store = cluster.store
    store.create(_service({"selector": {"app": "x"}, "ports": [{"port": 80}]}) |
                 {"metadata": {"name": "patched"}})
    with pytest.raises(ApiError) as err:
        store.patch("services", "default", "patched", {"spec": {"selector": ["x"]}}, "merge")
    assert err.value.code == 400
    assert err.value.message.endswith("ServiceSpec.spec.selector of type map[string]string")
    current = store.get("services", "default", "patched")
    assert current["spec"]["selector"] == {"app": "x"}


# -- every field of every kind -----------------------------------------------------------

def _wrong_values(ref: str) -> list:
    """JSON values that cannot decode into the type ``ref`` (empty: anything decodes)."""
    ref, entry = gotypes.resolve(ref)
    while entry is not None and "of" in entry:
        ref, entry = gotypes.resolve(entry["of"])
    if entry is not None:
        custom = entry.get("custom")
        if custom == "IntOrString":
            return [True, [1], {"a": 1}, 1.5]
        if custom == "Quantity":
            return [True, [1], {"a": 1}, "1.5.5"]
        if custom in ("Time", "MicroTime"):
            return [3, False, ["x"], {"a": 1}, "noon"]
        if custom:
            return []
        return ["x", 1, True, [1]]
    if ref == "[]uint8":
        return [1, True, {"a": 1}]
    if ref.startswith("[]"):
        return ["x", 1, True, {"a": 1}]
    if ref.startswith("map["):
        return ["x", 1, True, [1]]
    if ref == "string":
        return [1, True, [1], {"a": 1}]
    if ref == "bool":
        return ["true", 1, [1], {"a": 1}]
    if ref.startswith(("int", "uint")):
        return ["1", True, [1], {"a": 1}, 1.5]
    if ref.startswith("float"):
        return ["1", True, [1], {"a": 1}]
    return []     # interface {}


def _leaves(ref: str, depth: int = 0, seen: frozenset = frozenset()):
    """(path, type) for every field reachable from the struct ``ref``: a path is a list of
    steps, ("field", name, struct) | ("item",) | ("key",)."""
    ref, entry = gotypes.resolve(ref)
    if depth > 12:
        return
    if entry is None:
        if ref.startswith("[]") and ref != "[]uint8":
            for path, leaf in _leaves(ref[2:], depth + 1, seen):
                yield [("item",)] + path, leaf
        elif ref.startswith("map["):
            for path, leaf in _leaves(ref[4:].partition("]")[2], depth + 1, seen):
                yield [("key",)] + path, leaf
        return
    if "struct" in entry and ref not in seen:
        struct = entry["go"].rsplit(".", 1)[1]
        for name, sub in gotypes.fields_of(ref).items():
            yield [("field", name, struct)], sub
            for path, leaf in _leaves(sub, depth + 1, seen | {ref}):
                yield [("field", name, struct)] + path, leaf
    elif "of" in entry:
        yield from _leaves(entry["of"], depth + 1, seen)


def _place(body: dict, path: list, value) -> tuple[str, str]:
    """Put ``value`` at ``path`` in ``body``; (the holding struct, the dotted JSON path
    as the decoder names it: no list indices, no map keys)."""
    here, names, struct = body, [], ""
    for i, step in enumerate(path):
        last = i == len(path) - 1
        nxt = path[i + 1] if not last else None
        child = value if last else ([] if nxt[0] == "item" else {})
        if step[0] == "field":
            names.append(step[1])
            struct = step[2]
            if isinstance(here.get(step[1]), (dict, list)) and not last:
                child = here[step[1]]
            here[step[1]] = child
        elif step[0] == "item":
            here.append(child)
        else:
            here["k"] = child
        here = child
    return struct, ".".join(names)


def _expected(ref: str, value, struct: str, dotted: str) -> str:
    base, entry = gotypes.resolve(ref)
    custom = (entry or {}).get("custom")
    if custom == "Quantity":
        return QUANTITY
    if custom in ("Time", "MicroTime") and isinstance(value, str):
        return f'parsing time "{value}"'
    kind = gotypes.json_kind(value)
    if custom == "IntOrString":
        type_name = "int32"
    elif custom in ("Time", "MicroTime"):
        type_name = "string"
    else:
        type_name = gotypes.go_name(base)
    if kind == "number" and isinstance(value, float):
        kind = f"number {value}"
    return f"json: cannot unmarshal {kind} into Go struct field {struct}.{dotted} of type {type_name}"


def _creatable(cluster):
    for rt in cluster.resources:
        ref = gotypes.kind_type(rt.api_version, rt.kind)
        if ref is not None and "create" in rt.verbs:
            yield rt, ref


def _base(rt) -> dict:
    return {"apiVersion": rt.api_version, "kind": rt.kind, "metadata": {"name": "wrong-type"}}


def test_every_field_of_every_kind_with_a_wrong_type_is_a_clean_400(cluster):
    tried = 0
    for rt, ref in _creatable(cluster):
        for path, leaf in _leaves(ref):
            if path[0][1] in ("apiVersion", "kind"):
                continue
            wrong = _wrong_values(leaf)
            if not wrong:
                continue
            value = wrong[tried % len(wrong)]
            body = _base(rt)
            struct, dotted = _place(body, path, value)
            answer = _post(cluster, rt, body)
            assert answer.code == 400, (rt.kind, dotted, value, answer.body)
            assert answer.body["reason"] == "BadRequest"
            message = answer.body["message"]
            assert message.startswith(PREFIX.format(kind=rt.kind, version=rt.version)), message
            assert _expected(leaf, value, struct, dotted) in message, (rt.kind, dotted, value)
            tried += 1
    assert tried > 10000


@st.composite
def _wrong_bodies(draw, kinds):
    rt, ref = draw(st.sampled_from(kinds))
    leaves = [(p, leaf) for p, leaf in _leaves(ref)
              if p[0][1] not in ("apiVersion", "kind") and _wrong_values(leaf)]
    path, leaf = draw(st.sampled_from(leaves))
    value = draw(st.sampled_from(_wrong_values(leaf)))
    body = _base(rt)
    struct, dotted = _place(body, path, value)
    return rt, body, _expected(leaf, value, struct, dotted)


_KINDS = list(_creatable(Cluster("default", seed=1, workloads=False)))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=_wrong_bodies(_KINDS), in_process=st.booleans())
def test_a_wrong_type_anywhere_fails_cleanly_and_the_cluster_keeps_answering(cluster, case,
                                                                             in_process):
    rt, body, expected = case
    namespace = "default" if rt.namespaced else None
    if in_process:      # as our kubectl sends it
        request = server.Request("POST", path_of(rt, namespace), {}, value=body)
    else:
        request = server.Request("POST", path_of(rt, namespace),
                                 {"content-type": "application/json"}, json.dumps(body).encode())
    answer = server.handle(cluster, request)
    assert (answer.code, answer.body["reason"]) == (400, "BadRequest")
    assert expected in answer.body["message"]
    with cluster.lock:
        cluster.reconcile()
    listed = server.handle(cluster, server.Request("GET", path_of(rt, namespace), {}, b""))
    assert listed.code in (200, 405)


# -- the real kubectl against the same API ------------------------------------------------

WRONG_TYPES = """
```{tutorial-file} svc.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
  - app
  ports:
  - port: 80
```

```{tutorial-file} deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "2"
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        resources:
          limits: {memory: 128MB}
```

```{tutorial-file} empty.yaml
# nothing yet
```

```{transcript}
$ kubectl apply -f svc.yaml
Error from server (BadRequest): error when creating "svc.yaml": Service in version "v1" cannot be handled as a Service: json: cannot unmarshal array into Go struct field ServiceSpec.spec.selector of type map[string]string
$ kubectl create -f deploy.yaml
Error from server (BadRequest): error when creating "deploy.yaml": Deployment in version "v1" cannot be handled as a Deployment: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
$ kubectl apply -f empty.yaml
error: no objects passed to apply
$ kubectl get svc
NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE
kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   5m
```
"""


@needs_reference
@pytest.mark.parametrize("kubectl", [None, "reference"])
def test_ours_and_the_real_kubectl_print_the_same_decoding_errors(tmp_path, kubectl):
    doc = tmp_path / "doc.md"
    doc.write_text(WRONG_TYPES)
    session = read_document(doc).sessions[0]
    result = run_session(session, load_environment("sim"), kubectl=kubectl)
    failed = [(s.command, s.diff) for b in result.blocks for s in b.steps if not s.ok]
    assert all(b.status == "verified" for b in result.blocks), failed


# -- well-typed nonsense: the server answers, the controllers keep going --------------------

_WORDS = ["", "a", "x-1", "None", "10.96.0.5", "/", "*", "TCP", "Always", "IPv4", "1Gi", "app"]


def _well_typed(rnd, ref: str, depth: int = 0):
    """A random value that decodes into ``ref`` (fields picked at random, few of them)."""
    ref, entry = gotypes.resolve(ref)
    if entry is not None:
        custom = entry.get("custom")
        if custom == "IntOrString":
            return rnd.choice([80, "http", "25%", 0])
        if custom == "Quantity":
            return rnd.choice(["1", "100m", "1Gi", "0"])
        if custom in ("Time", "MicroTime"):
            return "2026-01-01T00:00:00Z"
        if custom:
            return {}
        if "struct" in entry:
            fields = gotypes.fields_of(ref)
            if depth > 5:
                return {}
            names = rnd.sample(sorted(fields), min(len(fields), rnd.randint(0, 4)))
            return {n: _well_typed(rnd, fields[n], depth + 1) for n in names
                    if n not in ("apiVersion", "kind")}
        return _well_typed(rnd, entry["of"], depth)
    if ref == "[]uint8":
        return "YQ=="
    if ref.startswith("[]"):
        return [_well_typed(rnd, ref[2:], depth + 1) for _ in range(rnd.randint(0, 2))]
    if ref.startswith("map["):
        return {rnd.choice(["a", "app", "k"]): _well_typed(rnd, ref[4:].partition("]")[2], depth + 1)
                for _ in range(rnd.randint(0, 2))}
    if ref == "string":
        return rnd.choice(_WORDS)
    if ref == "bool":
        return rnd.choice([True, False])
    if ref.startswith(("int", "uint")):
        return rnd.choice([0, 1, 80, 30080, -1, 65536])
    if ref.startswith("float"):
        return 0.5
    return None


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(_KINDS), rnd=st.randoms(use_true_random=False))
def test_a_well_typed_body_of_any_kind_never_breaks_the_server_or_the_controllers(kind, rnd):
    cluster = _WELL_TYPED_CLUSTER
    rt, ref = kind
    body = _well_typed(rnd, ref)
    body.update(apiVersion=rt.api_version, kind=rt.kind, metadata={"name": "random"})
    namespace = "default" if rt.namespaced else None
    answer = server.handle(cluster, server.Request(
        "POST", path_of(rt, namespace), {"content-type": "application/json"},
        json.dumps(body).encode()))
    assert answer.code in (200, 201, 400, 403, 404, 405, 409, 422), answer.body
    with cluster.lock:
        cluster.tick()
        if answer.code == 201:
            cluster.store.delete(rt, namespace, "random", grace_period=0)
            cluster.reconcile()


_WELL_TYPED_CLUSTER = Cluster("default", seed=8)


# -- kubectl's own decoding of a manifest's metadata ----------------------------------------

METADATA_CASES = ["name: 123", "namespace: 5", "labels: {a: 1}", "labels: [a]",
                  "annotations: [a]", "creationTimestamp: 5", "creationTimestamp: yesterday",
                  "ownerReferences: {}", "finalizers: a", "uid: 1"]


@needs_reference
def test_kubectl_refuses_metadata_of_the_wrong_type_before_sending_as_the_real_one(tmp_path):
    import os
    import subprocess

    from sim.api import kubeconfig, listener
    from tests.deps import REFERENCE_KUBECTL

    cluster = Cluster("default", seed=3)
    served = listener.start(cluster, secure=True)
    try:
        config = tmp_path / "config"
        with cluster.lock:
            config.write_text(kubeconfig.render(cluster, served.server_address[1]))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
               "KUBECONFIG": str(config), "KUBECTL_KUBERC": "false"}
        cases = [f"metadata:\n  name: cm\n  {case}\n" for case in METADATA_CASES]
        cases.append("metadata: 5\n")
        for i, case in enumerate(cases):
            (tmp_path / f"m{i}.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\n{case}")
            for verb in ("apply", "create"):
                args = [verb, "-f", f"m{i}.yaml"]
                real = subprocess.run([str(REFERENCE_KUBECTL), *args], env=env, cwd=tmp_path,
                                      capture_output=True, text=True, timeout=60)
                ours = run_sim(cluster, args, str(tmp_path))
                assert (ours.stdout, ours.stderr, ours.code) == \
                    (real.stdout, real.stderr, real.returncode), case
                assert real.stderr.startswith(f'error: unable to decode "m{i}.yaml": ')
    finally:
        served.close()


def test_whole_numbers_written_with_a_fraction_are_sent_as_kubectl_sends_them(tmp_path):
    """YAML's 80.0 is a float64 to kubectl, and Go's JSON writes it as 80: it fits an int32."""
    cluster = Cluster("default", seed=2, workloads=False)
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: f\nspec:\n  containers:\n  - name: web\n"
        "    image: nginx\n    ports:\n    - containerPort: 80.0\n")
    assert run_sim(cluster, ["apply", "-f", "pod.yaml"], str(tmp_path)).stdout == "pod/f created\n"
    port = cluster.store.get("pods", "default", "f")["spec"]["containers"][0]["ports"][0]
    assert port["containerPort"] == 80 and isinstance(port["containerPort"], int)
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: g\nspec:\n  containers:\n  - name: web\n"
        "    image: nginx\n    ports:\n    - containerPort: 80.5\n")
    assert run_sim(cluster, ["apply", "-f", "pod.yaml"], str(tmp_path)).stderr.endswith(
        "json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers."
        "ports.containerPort of type int32\n")
