"""The kinds of manifests the Kubernetes examples' ``service/`` folder holds, each in a
small manifest of our own, applied as kubectl v1.35 against a v1.35 API server answers:
created, or the exact error (a field removed from the API, an IP family the cluster
lacks, a kind only a CRD would serve), and the forms those files are written in (a
``---`` document in JSON-like flow style, several objects in one file)."""

from __future__ import annotations

import pytest

from sim.cluster import Cluster
from tests.sim.kubectl.conftest import needs_reference, run_sim


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
    # two builder errors and nothing else: one per line, without "error: "
    assert run.stderr == (
        'resource mapping not found for name: "gw" namespace: "apps" from "m.yaml": '
        'no matches for kind "Gateway" in version "gateway.networking.k8s.io/v1"\n'
        "ensure CRDs are installed first\n"
        'resource mapping not found for name: "r" namespace: "" from "m.yaml": '
        'no matches for kind "HTTPRoute" in version "gateway.networking.k8s.io/v1"\n'
        "ensure CRDs are installed first\n")
    (tmp_path / "m.yaml").write_text(text.split("---\n")[0])
    alone = run_sim(cluster, ["apply", "-f", "m.yaml"], str(tmp_path))
    assert alone.stderr.startswith('error: resource mapping not found for name: "gw"')


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


GATEWAY = ("apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n"
           "  name: {name}\nspec:\n  controllerName: example.com/c\n")


def test_a_folder_reports_the_builder_s_errors_first_then_each_object_s(admitting, tmp_path):
    """apply -f DIR: files in name order, named as Go's filepath.Join names them; with more
    than one error, the builder's (one aggregate, ``[a, b]``) come first and an Invalid
    object prints as ``Error from server (Invalid): error when creating …``."""
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "a-class.yaml").write_text(GATEWAY.format(name="a"))
    (folder / "b-ok.yaml").write_text(service("", name="ok"))
    (folder / "c-bad.yaml").write_text(service("  ipFamilies: [IPv6]\n", name="bad"))
    (folder / "d-class.yaml").write_text(GATEWAY.format(name="d"))
    (folder / "notes.txt").write_text("not read: no manifest extension\n")
    run = run_sim(admitting, ["apply", "-f", "./examples/"], str(tmp_path))
    mapping = ('resource mapping not found for name: "{n}" namespace: "" from '
               '"examples/{f}": no matches for kind "GatewayClass" in version '
               '"gateway.networking.k8s.io/v1"\nensure CRDs are installed first')
    assert (run.code, run.stdout) == (1, "service/ok created\n")
    assert run.stderr == (
        "[" + mapping.format(n="a", f="a-class.yaml") + ", "
        + mapping.format(n="d", f="d-class.yaml") + "]\n"
        'Error from server (Invalid): error when creating "examples/c-bad.yaml": Service "bad" '
        'is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster\n')


def test_a_patch_that_fails_among_others_prints_the_patch(admitting, tmp_path):
    """Reapplying a Service with another primary family: the patch kubectl sent (with
    ``$setElementOrder/ports``), the object it was for, and the server's message."""
    (tmp_path / "s.yaml").write_text(service("", name="web"))
    assert run_sim(admitting, ["apply", "-f", "s.yaml"], str(tmp_path)).code == 0
    (tmp_path / "s.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ipFamilies: [IPv6]\n"
        "  selector:\n    app: a\n  ports:\n  - port: 80\n    targetPort: 8080\n"
        "---\n" + GATEWAY.format(name="g"))
    run = run_sim(admitting, ["apply", "-f", "s.yaml"], str(tmp_path))
    assert run.code == 1
    lines = run.stderr.splitlines()
    assert lines[0].startswith('resource mapping not found for name: "g" namespace: ""')
    assert lines[2] == "Error from server (Invalid): error when applying patch:"
    assert '"spec":{"$setElementOrder/ports":[{"port":80}],"ipFamilies":["IPv6"],' \
           '"ports":[{"port":80,"targetPort":8080}]}' in lines[3]
    assert lines[4:7] == [
        "to:", 'Resource: "/v1, Resource=services", GroupVersionKind: "/v1, Kind=Service"',
        'Name: "web", Namespace: "default"']
    assert lines[7].startswith('for: "s.yaml": error when patching "s.yaml": Service "web" is '
                               "invalid: spec.")


def _real_kubectl(cluster, args: list[str], cwd) -> tuple[int, str, str]:
    """The real kubectl against this cluster's own API server (sim/api/listener.py)."""
    import subprocess

    from sim.api import kubeconfig, listener
    from tests.deps import REFERENCE_KUBECTL

    server = listener.start(cluster, secure=True)
    try:
        config = cwd / ".kubeconfig"
        with cluster.lock:
            config.write_text(kubeconfig.render(cluster, server.server_address[1]))
        done = subprocess.run([str(REFERENCE_KUBECTL), *args], cwd=cwd, capture_output=True,
                              text=True, timeout=60,
                              env={"KUBECONFIG": str(config), "PATH": "/usr/bin:/bin",
                                   "HOME": str(cwd), "KUBECTL_KUBERC": "false"})
    finally:
        server.close()
    return done.returncode, done.stdout, done.stderr


@needs_reference
def test_a_folder_of_examples_as_the_real_kubectl_applies_it(tmp_path):
    """Two runs on clusters that start alike: ours, and the real kubectl talking to the
    cluster's API server; the same lines, byte for byte, the second time as well (patches)."""
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "a-class.yaml").write_text(GATEWAY.format(name="a"))
    (folder / "b-ok.yaml").write_text(service("", name="ok"))
    (folder / "c-bad.yaml").write_text(service("  ipFamilies: [IPv6]\n", name="bad"))
    (folder / "d-gone.yaml").write_text(service("  ipFamily: IPv6\n", name="ok"))
    (folder / "e-class.yaml").write_text(GATEWAY.format(name="e"))
    (folder / "f.conf").write_text("server {\n  listen 80;\n}\n")
    ours_cluster, real_cluster = Cluster("default", seed=5), Cluster("default", seed=5)
    for args in (["get", "-f", "examples"], ["describe", "-f", "examples"],
                 ["apply", "-f", "examples"],
                 ["apply", "-f", "./examples/"], ["create", "-f", "examples"],
                 ["apply", "-f", "examples/f.conf"], ["get", "-f", "examples"],
                 ["get", "-f", "examples/a-class.yaml"],
                 ["get", "-f", "examples/a-class.yaml", "-o", "yaml"],
                 ["describe", "-f", "examples/e-class.yaml"],
                 ["delete", "-f", "examples/e-class.yaml"], ["delete", "-f", "examples"],
                 ["delete", "-f", "examples"]):
        ours = run_sim(ours_cluster, args, str(tmp_path))
        real = _real_kubectl(real_cluster, args, tmp_path)
        assert (ours.code, ours.stdout, ours.stderr) == real, args


def test_describe_reports_unmapped_objects_first_and_each_missing_one_once(cluster, tmp_path):
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "a.yaml").write_text(service("", name="web"))
    (folder / "b-class.yaml").write_text(GATEWAY.format(name="b"))
    (folder / "c.yaml").write_text(service("", name="web"))
    (folder / "d-class.yaml").write_text(GATEWAY.format(name="d"))
    run = run_sim(cluster, ["describe", "-f", "examples"], str(tmp_path))
    mapping = ('resource mapping not found for name: "{n}" namespace: "" from '
               '"examples/{n}-class.yaml": no matches for kind "GatewayClass" in version '
               '"gateway.networking.k8s.io/v1"\nensure CRDs are installed first')
    assert (run.code, run.stdout) == (1, "")
    assert run.stderr == ("[" + mapping.format(n="b") + ", " + mapping.format(n="d") + "]\n"
                          'Error from server (NotFound): services "web" not found\n')


def test_delete_reports_the_objects_errors_then_the_unmapped_ones(cluster, tmp_path):
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "a-class.yaml").write_text(GATEWAY.format(name="a"))
    (folder / "b.yaml").write_text(service("", name="web"))
    (folder / "c-class.yaml").write_text(GATEWAY.format(name="c"))
    run = run_sim(cluster, ["delete", "-f", "examples"], str(tmp_path))
    mapping = ('resource mapping not found for name: "{n}" namespace: "" from '
               '"examples/{n}-class.yaml": no matches for kind "GatewayClass" in version '
               '"gateway.networking.k8s.io/v1"\nensure CRDs are installed first')
    assert (run.code, run.stdout) == (1, "")
    assert run.stderr == ('Error from server (NotFound): error when deleting "examples/b.yaml": '
                          'services "web" not found\n'
                          "[" + mapping.format(n="a") + ", " + mapping.format(n="c") + "]\n")
