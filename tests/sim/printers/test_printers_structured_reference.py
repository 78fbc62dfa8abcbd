"""-o yaml / json / name / jsonpath / custom-columns compared with a real kubectl."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from reference import cluster, kubectl_reference, needs_kubectl
import scenario
import scenario_rich
from sim.printers import (CustomColumnsError, JSONPathError, SortError, as_list,
                                  check_jsonpath, custom_columns, jsonpath, jsonpath_as_json,
                                  sort_objects, to_json, to_name, to_yaml)

pytestmark = needs_kubectl
STRINGS = json.loads((Path(__file__).parent / "yaml_strings.json").read_text())


@pytest.fixture(scope="module")
def ref():
    with cluster(objects()) as c:
        yield c


def objects() -> list[dict]:
    return scenario.objects() + scenario_rich.objects()


def _of(resource: str, namespace: str | None = "default") -> list[dict]:
    return [o for o in objects() if kubectl_reference.resource_of(o) == resource
            and (namespace is None or o["metadata"].get("namespace") in (None, namespace))]


RESOURCES = ["pods", "services", "endpoints", "endpointslices", "deployments", "replicasets",
             "statefulsets", "nodes", "secrets", "configmaps", "ingresses", "ingressclasses",
             "events", "networkpolicies", "serviceaccounts", "namespaces"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_yaml_json_name_of_lists(ref, resource: str) -> None:
    objs = _of(resource)
    assert ref.kubectl("get", resource, "-o", "yaml").stdout == to_yaml(objs)
    assert ref.kubectl("get", resource, "-o", "json").stdout == to_json(objs)
    assert ref.kubectl("get", resource, "-o", "name").stdout == "".join(to_name(o) + "\n" for o in objs)


@pytest.mark.parametrize("resource", RESOURCES)
def test_yaml_json_of_one_object(ref, resource: str) -> None:
    obj = _of(resource)[0]
    name = obj["metadata"]["name"]
    assert ref.kubectl("get", resource, name, "-o", "yaml").stdout == to_yaml(obj)
    assert ref.kubectl("get", resource, name, "-o", "json").stdout == to_json(obj)


def test_yaml_string_styles_match_go_yaml() -> None:
    """Quoting, block scalars and folding for awkward strings, in one ConfigMap."""
    cm = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": "styles", "namespace": "default"},
          "data": {f"k{i:03d}": s for i, s in enumerate(STRINGS)}}
    with cluster([cm]) as c:
        assert c.kubectl("get", "cm", "styles", "-o", "yaml").stdout == to_yaml(cm)
        assert c.kubectl("get", "cm", "styles", "-o", "json").stdout == to_json(cm)


TEMPLATES = [
    r"{.items[*].metadata.name}",
    r'{range .items[*]}{.metadata.name}{"\t"}{.status.podIP}{"\n"}{end}',
    r'{.items[*].status.addresses[?(@.type=="ExternalIP")].address}',
    r"{.items[0].metadata.labels}",
    r"{.items[-1:].metadata.name}",
    r"{..podIP}",
    r"{.items[*].spec.ports[*].nodePort}",
    r"{.items[0].metadata.labels.app\.kubernetes\.io/name}",
    r"{.items[*].status.containerStatuses[0].restartCount}",
    r"{.items[?(@.spec.type=='LoadBalancer')].status.loadBalancer.ingress[0]}",
    r"{items[*].metadata.name}",
    r"{.items[0].spec.containers[1]}",
    r"{.items[0",
    r"kind={.kind} count={.items[0].count}",
]


@pytest.mark.parametrize("resource", ["pods", "services", "nodes", "events"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_jsonpath_on_lists(ref, resource: str, template: str) -> None:
    result = ref.kubectl("get", resource, "-o", f"jsonpath={template}")
    try:
        mine, err = jsonpath(template, as_list(_of(resource))), ""
    except JSONPathError as e:
        mine, err = "", f"error: {e}\n"
    assert (result.stdout, result.stderr if result.code else "") == (mine, err)


def test_jsonpath_on_one_object(ref) -> None:
    svc = _of("services")[1]
    template = r"{.spec.ports[?(@.name=='https')].nodePort} {.metadata}"
    result = ref.kubectl("get", "svc", svc["metadata"]["name"], "-o", f"jsonpath={template}")
    assert result.stdout == jsonpath(template, svc)


SPECS = ["NAME:{metadata.name},IP:{status.podIP}", "NAME:{.metadata.name},PodIP:{.status.podIP}",
         "NAME:.metadata.name,NODE:.spec.nodeName,L:.metadata.labels,C:.spec.containers[*].name",
         "NAME:{metadata.name},IP:{status.addresses[].address}",
         "N:.metadata.name,R:.status.containerStatuses[0].restartCount,T:.status.startTime",
         "X:.spec.ports[?(@.name==\"http\")].nodePort", "N:.metadata.name,D:.data,A:.metadata.annotations",
         "BAD"]


@pytest.mark.parametrize("resource", ["pods", "nodes", "services", "configmaps"])
@pytest.mark.parametrize("spec", SPECS)
def test_custom_columns(ref, resource: str, spec: str) -> None:
    result = ref.kubectl("get", resource, "-o", f"custom-columns={spec}")
    try:
        mine, err = custom_columns(spec, _of(resource)), ""
    except CustomColumnsError as e:
        mine, err = e.partial, f"error: {e}\n"
    assert (result.stdout, result.stderr if result.code else "") == (mine, err)


@pytest.mark.parametrize("template", [r"{.a[", r"{.a", r'{"x}', r"{.a[?(@.b==1]}", r"{.items[x]}"])
def test_template_errors_before_anything_is_fetched(template: str) -> None:
    with cluster([]) as c:
        result = c.kubectl("get", "pods", "-o", f"jsonpath={template}")
    with pytest.raises(JSONPathError) as err:
        check_jsonpath(template)
    assert (result.code, result.stderr) == (1, f"error: {err.value}\n")


SORT_KEYS = [".metadata.name", ".metadata.creationTimestamp", "{.status.podIP}", ".spec.ports[0].port",
             ".status.containerStatuses[0].restartCount", ".metadata.resourceVersion", ".lastTimestamp",
             ".count", ".status.capacity.memory", ".nope"]


@pytest.mark.parametrize("resource", ["pods", "services", "events", "nodes"])
@pytest.mark.parametrize("key", SORT_KEYS)
def test_sort_by(ref, resource: str, key: str) -> None:
    result = ref.kubectl("get", resource, f"--sort-by={key}", "-o", "name")
    try:
        mine, err = "".join(to_name(o) + "\n" for o in sort_objects(_of(resource), key)), ""
    except SortError as e:
        mine, err = "", f"error: {e}\n"
    assert (result.stdout, result.stderr if result.code else "") == (mine, err)


def test_unsortable_field_is_an_error() -> None:
    with pytest.raises(SortError, match="unsortable type: map"):
        sort_objects(_of("pods"), ".metadata.labels")


@pytest.mark.parametrize("template", TEMPLATES)
def test_jsonpath_as_json(ref, template: str) -> None:
    result = ref.kubectl("get", "services", "-o", f"jsonpath-as-json={template}")
    try:
        mine, err = jsonpath_as_json(template, as_list(_of("services"))), ""
    except JSONPathError as e:
        mine, err = "", f"error: {e}\n"
    assert (result.stdout, result.stderr if result.code else "") == (mine, err)
