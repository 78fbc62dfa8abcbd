"""The kinds of manifests the Kubernetes examples' ``service/`` folder holds, each in a
small manifest of our own, applied as kubectl v1.35 against a v1.35 API server answers:
created, or the exact error (a field removed from the API, an IP family the cluster
lacks, a kind only a CRD would serve), and the forms those files are written in (a
``---`` document in JSON-like flow style, several objects in one file)."""

from __future__ import annotations

import pytest

from sim.cluster import Cluster
from tests.sim.kubectl.conftest import run_sim


@pytest.fixture
def admitting():
    """A whole cluster: its API server's admission gives Services their IP families."""
    return Cluster("default", workloads=False)


def apply(cluster, tmp_path, text, *flags):
    (tmp_path / "m.yaml").write_text(text)
    return run_sim(cluster, ["apply", "-f", "m.yaml", *flags], str(tmp_path))


def service(spec_lines: str, name: str = "svc") -> str:
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n{spec_lines}"
            "  selector:\n    app: a\n  ports:\n  - port: 80\n")


def test_a_field_removed_from_the_api_is_a_strict_decoding_error(cluster, tmp_path):
    """``spec.ipFamily`` (the dual-stack alpha's field, gone since v1.20)."""
    run = apply(cluster, tmp_path, service("  ipFamily: IPv6\n  type: LoadBalancer\n"))
    assert (run.code, run.stdout) == (1, "")
    assert run.stderr == (
        'Error from server (BadRequest): error when creating "m.yaml": Service in version "v1" '
        'cannot be handled as a Service: strict decoding error: unknown field "spec.ipFamily"\n')
    assert cluster.store.find("services", "default", "svc") is None


def test_an_ip_family_the_cluster_lacks_is_invalid(admitting, tmp_path):
    cluster = admitting
    for families in ("  ipFamilies: [IPv6]\n",
                     "  ipFamilyPolicy: PreferDualStack\n  ipFamilies: [IPv6]\n",
                     "  ipFamilyPolicy: PreferDualStack\n  ipFamilies: [IPv6, IPv4]\n"):
        run = apply(cluster, tmp_path, service(families))
        assert (run.code, run.stdout, run.stderr) == (
            1, "", 'The Service "svc" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": '
                   "not configured on this cluster\n"), families


def test_prefer_dual_stack_on_a_single_stack_cluster_is_single_stack(admitting, tmp_path):
    cluster = admitting
    run = apply(cluster, tmp_path, service("  ipFamilyPolicy: PreferDualStack\n"))
    assert (run.code, run.stdout, run.stderr) == (0, "service/svc created\n", "")
    spec = cluster.store.get("services", "default", "svc")["spec"]
    assert spec["ipFamilies"] == ["IPv4"] and len(spec["clusterIPs"]) == 1


def test_gateway_api_kinds_need_their_crds(cluster, tmp_path):
    text = ("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n"
            "  namespace: apps\nspec:\n  gatewayClassName: c\n  listeners:\n  - name: http\n"
            "    protocol: HTTP\n    port: 80\n---\n"
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n"
            "spec:\n  parentRefs:\n  - name: gw\n")
    run = apply(cluster, tmp_path, text)
    assert (run.code, run.stdout) == (1, "")
    assert run.stderr == (
        'error: resource mapping not found for name: "gw" namespace: "apps" from "m.yaml": '
        'no matches for kind "Gateway" in version "gateway.networking.k8s.io/v1"\n'
        "ensure CRDs are installed first\n"
        'error: resource mapping not found for name: "r" namespace: "" from "m.yaml": '
        'no matches for kind "HTTPRoute" in version "gateway.networking.k8s.io/v1"\n'
        "ensure CRDs are installed first\n")


def test_flow_style_documents_after_a_separator(cluster, tmp_path):
    """The examples' JSON-like YAML: ``---`` then ``{ key: "value", … }`` with trailing
    commas, keys unquoted and dotted."""
    text = ('---\n{\n  apiVersion: "networking.k8s.io/v1",\n  kind: "IngressClass",\n'
            '  metadata: {\n    name: "lb",\n    annotations: {\n'
            '      ingressclass.kubernetes.io/is-default-class: "true",\n    },\n  },\n'
            '  spec: {\n    controller: "example.com/ingress-controller",\n    parameters: {\n'
            '      apiGroup: "k8s.example.com",\n      kind: "IngressParameters",\n'
            '      name: "lb",\n      namespace: "external-configuration",\n'
            '      scope: "Namespace",\n    },\n  },\n}\n')
    run = apply(cluster, tmp_path, text)
    assert (run.code, run.stdout, run.stderr) == (
        0, "ingressclass.networking.k8s.io/lb created\n", "")
    stored = cluster.store.get("ingressclasses", None, "lb")
    assert stored["spec"]["parameters"]["scope"] == "Namespace"
    assert stored["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] == "true"


def test_a_policy_and_its_binding_in_one_file(cluster, tmp_path):
    text = ("apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n"
            "metadata:\n  name: p.example\nspec:\n  failurePolicy: Fail\n  matchConstraints:\n"
            "    resourceRules:\n    - apiGroups: [networking.k8s.io]\n      apiVersions: [v1]\n"
            "      operations: [CREATE]\n      resources: [servicecidrs]\n  validations:\n"
            "  - expression: \"object.metadata.name == 'kubernetes'\"\n    message: only the default\n"
            "---\napiVersion: admissionregistration.k8s.io/v1\n"
            "kind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: p-binding\nspec:\n"
            "  policyName: p.example\n  validationActions: [Deny, Audit]\n")
    run = apply(cluster, tmp_path, text)
    assert (run.code, run.stderr) == (0, "")
    assert run.stdout == (
        "validatingadmissionpolicy.admissionregistration.k8s.io/p.example created\n"
        "validatingadmissionpolicybinding.admissionregistration.k8s.io/p-binding created\n")
