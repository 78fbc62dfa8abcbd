"""A Service's IP families against the cluster's stack (the Service registry's
initIPFamilyFields), the default ServiceCIDR and the IPAddress objects of allocated
ClusterIPs (networking.k8s.io/v1), and the get columns of these and of
ValidatingAdmissionPolicies."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timezone

import pytest

from sim import printers
from sim.api.errors import ApiError
from sim.cluster import Cluster
from sim.controllers.profiles import load_profile
from tests.deps import needs_reference
from tutorial_runner.document import read_document
from tutorial_runner.engine import run_session
from tutorial_runner.environment import load_environment

DUAL = "10.96.0.0/16,fd00:10:96::/112"


def _service(name: str, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec}}


@pytest.fixture(scope="module")
def single():
    return Cluster("default", seed=4, workloads=False)


@pytest.fixture(scope="module")
def dual():
    profile = load_profile("default")
    profile["network"]["service_cidr"] = DUAL
    return Cluster(profile, seed=4, workloads=False)


@pytest.mark.parametrize("spec, text", [
    ({"ipFamilies": ["IPv6"]},
     'spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster'),
    ({"ipFamilyPolicy": "RequireDualStack"},
     'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured '
     "for dual-stack services"),
    ({"clusterIP": "fd00::10"},
     'spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is not configured on this '
     "cluster"),
    ({"ipFamilies": ["IPv5"]},
     'spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"'),
    ({"ipFamilies": ["IPv4", "IPv4"], "ipFamilyPolicy": "PreferDualStack"},
     'spec.ipFamilies[1]: Duplicate value: "IPv4"'),
    ({"ipFamilyPolicy": "DualStack"},
     'spec.ipFamilyPolicy: Unsupported value: "DualStack": supported values: '
     '"PreferDualStack", "RequireDualStack", "SingleStack"'),
    ({"clusterIP": "10.96.0.300"},
     'spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. '
     "10.9.8.7 or 2001:db8::ffff)"),
    ({"clusterIP": "10.96.5.5", "clusterIPs": ["10.96.5.6"]},
     'spec.clusterIPs: Invalid value: []string{"10.96.5.6"}: first value must match '
     "`clusterIP`"),
    ({"ipFamilies": ["IPv4", "IPv6"]},
     'spec.ipFamilyPolicy: Invalid value: "SingleStack": must be \'RequireDualStack\' or '
     "'PreferDualStack' when multiple IP families are specified"),
])
def test_ip_families_the_single_stack_cluster_cannot_give(single, spec, text):
    with pytest.raises(ApiError) as err:
        single.store.create(_service("fam", **spec))
    assert err.value.code == 422
    assert err.value.kubectl_text() == f'The Service "fam" is invalid: {text}'
    assert single.store.find("services", "default", "fam") is None


def test_a_single_stack_cluster_defaults_to_its_family(single):
    made = single.store.create(_service("prefer", ipFamilyPolicy="PreferDualStack"))
    assert made["spec"]["ipFamilies"] == ["IPv4"]
    assert len(made["spec"]["clusterIPs"]) == 1
    # headless without a selector asks for both families, as the registry allows
    headless = single.store.create({"apiVersion": "v1", "kind": "Service",
                                    "metadata": {"name": "bare"},
                                    "spec": {"clusterIP": "None", "ports": [{"port": 80}]}})
    assert headless["spec"]["ipFamilyPolicy"] == "RequireDualStack"
    assert headless["spec"]["ipFamilies"] == ["IPv4", "IPv6"]
    assert headless["spec"]["clusterIPs"] == ["None"]


def test_a_dual_stack_cluster_gives_an_address_of_each_family(dual):
    made = dual.store.create(_service("both", ipFamilyPolicy="RequireDualStack"))
    v4, v6 = made["spec"]["clusterIPs"]
    assert made["spec"]["ipFamilies"] == ["IPv4", "IPv6"]
    assert ipaddress.ip_address(v4) in ipaddress.ip_network("10.96.0.0/16")
    assert ipaddress.ip_address(v6) in ipaddress.ip_network("fd00:10:96::/112")
    six = dual.store.create(_service("six", ipFamilies=["IPv6"]))
    assert six["spec"]["ipFamilies"] == ["IPv6"]
    assert ipaddress.ip_address(six["spec"]["clusterIP"]).version == 6
    with dual.lock:
        dual.reconcile()
    assert {a["metadata"]["name"] for a in dual.store.list("ipaddresses")} >= {v4, v6,
                                                                                 six["spec"]["clusterIP"]}
    assert dual.store.get("servicecidrs", None, "kubernetes")["spec"]["cidrs"] == DUAL.split(",")
    dual.store.delete("services", "default", "both")
    with dual.lock:
        dual.reconcile()
    names = {a["metadata"]["name"] for a in dual.store.list("ipaddresses")}
    assert v4 not in names and v6 not in names
    # the addresses are free again
    again = dual.store.create(_service("again", ipFamilyPolicy="RequireDualStack",
                                       clusterIP=v4, clusterIPs=[v4, v6]))
    assert again["spec"]["clusterIPs"] == [v4, v6]


def test_the_default_service_cidr_and_an_ip_address_per_cluster_ip():
    cluster = Cluster("gke", seed=3, workloads=False)
    cidr = cluster.store.get("servicecidrs", None, "kubernetes")
    assert cidr["spec"]["cidrs"] == [cluster.profile["network"]["service_cidr"]]
    ready = cidr["status"]["conditions"][0]
    assert (ready["type"], ready["status"]) == ("Ready", "True")
    services = cluster.store.list("services")
    addresses = {a["metadata"]["name"]: a for a in cluster.store.list("ipaddresses")}
    expected = {s["spec"]["clusterIP"]: s for s in services
                if s["spec"].get("clusterIP") not in (None, "None")}
    assert set(addresses) == set(expected)
    for ip, svc in expected.items():
        address = addresses[ip]
        assert address["spec"]["parentRef"] == {
            "group": "", "resource": "services", "name": svc["metadata"]["name"],
            "namespace": svc["metadata"]["namespace"]}
        assert address["metadata"]["labels"]["ipaddress.kubernetes.io/ip-family"] == "IPv4"


def test_ip_addresses_do_not_change_the_clusters_random_choices(monkeypatch):
    """Seeded clusters make the same names and addresses with these records as without."""
    import sim.controllers as controllers

    def run(cluster):
        cluster.store.create(_service("one"))
        cluster.store.create({"apiVersion": "v1", "kind": "Pod",
                              "metadata": {"generateName": "p-"},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
        with cluster.lock:
            cluster.reconcile()
        return cluster.rng.random()

    with_records = Cluster("default", seed=9, workloads=False)
    assert with_records.store.list("ipaddresses")
    everything = controllers.default_controllers
    monkeypatch.setattr(controllers, "default_controllers", lambda: [
        c for c in everything() if c.name != "servicecidr"])
    without = Cluster("default", seed=9, workloads=False)
    assert not without.store.list("ipaddresses")
    assert run(with_records) == run(without)


NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
CREATED = {"creationTimestamp": "2026-01-01T11:00:00Z"}


def test_columns_of_service_cidrs_ip_addresses_and_admission_policies():
    cidr = {"metadata": {"name": "extra", **CREATED}, "spec": {"cidrs": ["10.1.0.0/24", "fd00::/120"]}}
    assert printers.print_table("servicecidrs", [cidr], now=NOW) == (
        "NAME    CIDRS                    AGE\nextra   10.1.0.0/24,fd00::/120   60m\n")
    ips = [{"metadata": {"name": "10.96.0.1", **CREATED},
            "spec": {"parentRef": {"group": "", "resource": "services", "namespace": "default",
                                   "name": "kubernetes"}}},
           {"metadata": {"name": "10.96.0.2", **CREATED},
            "spec": {"parentRef": {"group": "gateway.networking.k8s.io", "resource": "Gateways",
                                   "name": "gw"}}},
           {"metadata": {"name": "10.96.0.3", **CREATED}, "spec": {}}]
    assert printers.print_table("ipaddresses", ips, now=NOW) == (
        "NAME        PARENTREF\n"
        "10.96.0.1   services/default/kubernetes\n"
        "10.96.0.2   gateways.gateway.networking.k8s.io/gw\n"
        "10.96.0.3   <none>\n")
    policies = [{"metadata": {"name": "replicas", **CREATED},
                 "spec": {"validations": [{"expression": "a"}, {"expression": "b"}],
                          "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"}}},
                {"metadata": {"name": "plain", **CREATED}, "spec": {}}]
    assert printers.print_table("validatingadmissionpolicies", policies, now=NOW) == (
        "NAME       VALIDATIONS   PARAMKIND      AGE\n"
        "replicas   2             v1/ConfigMap   60m\n"
        "plain      0             <unset>        60m\n")
    bindings = [{"metadata": {"name": "b1", **CREATED},
                 "spec": {"policyName": "replicas", "paramRef": {"name": "limits",
                                                                 "namespace": "team"}}},
                {"metadata": {"name": "b2", **CREATED},
                 "spec": {"policyName": "replicas", "paramRef": {"name": "limits"}}},
                {"metadata": {"name": "b3", **CREATED}, "spec": {"policyName": "plain"}}]
    assert printers.print_table("validatingadmissionpolicybindings", bindings, now=NOW) == (
        "NAME   POLICYNAME   PARAMREF      AGE\n"
        "b1     replicas     team/limits   60m\n"
        "b2     replicas     */limits      60m\n"
        "b3     plain        <unset>       60m\n")


TRANSCRIPT = """
```{tutorial-file} policy.yaml
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: replica-limit
spec:
  failurePolicy: Fail
  paramKind:
    apiVersion: v1
    kind: ConfigMap
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "object.spec.replicas <= 5"
```

```{tutorial-file} v6.yaml
apiVersion: v1
kind: Service
metadata:
  name: v6
spec:
  ipFamilies: [IPv6]
  selector: {app: web}
  ports:
  - port: 80
```

```{transcript}
$ kubectl get servicecidr
NAME         CIDRS          AGE
kubernetes   10.96.0.0/12   90d
$ kubectl create service clusterip web --tcp=80
service/web created
$ kubectl get ipaddress 10.96.0.1 10.96.0.10
NAME         PARENTREF
10.96.0.1    services/default/kubernetes
10.96.0.10   services/kube-system/kube-dns
$ kubectl get ipaddress $(kubectl get service web -o jsonpath='{.spec.clusterIP}')
NAME            PARENTREF
10.96.182.205   services/default/web
$ kubectl apply -f v6.yaml
The Service "v6" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster
$ kubectl apply -f policy.yaml
validatingadmissionpolicy.admissionregistration.k8s.io/replica-limit created
$ kubectl get validatingadmissionpolicies
NAME            VALIDATIONS   PARAMKIND      AGE
replica-limit   1             v1/ConfigMap   2s
```
"""


@needs_reference
@pytest.mark.parametrize("kubectl", [None, "reference"])
def test_ours_and_the_real_kubectl_show_the_same(tmp_path, kubectl):
    doc = tmp_path / "doc.md"
    doc.write_text(TRANSCRIPT)
    session = read_document(doc).sessions[0]
    result = run_session(session, load_environment("sim"), kubectl=kubectl)
    failed = [(s.command, s.diff) for b in result.blocks for s in b.steps if not s.ok]
    assert all(b.status == "verified" for b in result.blocks), failed


COMPARED = [
    ["describe", "servicecidr", "kubernetes"], ["describe", "ipaddress", "10.96.0.1"],
    ["describe", "ipaddresses"], ["get", "servicecidrs,ipaddresses", "-o", "wide"],
    ["get", "ipaddress", "10.96.0.10", "-o", "yaml"],
    ["get", "servicecidr", "kubernetes", "-o", "jsonpath={.spec.cidrs}"],
]


@needs_reference
def test_ours_and_the_real_kubectl_read_the_records_alike(tmp_path):
    import os
    import subprocess

    from sim.api import kubeconfig, listener
    from tests.deps import REFERENCE_KUBECTL
    from tests.sim.kubectl.conftest import run_sim

    cluster = Cluster("default", seed=3)
    served = listener.start(cluster, secure=True)
    try:
        config = tmp_path / "config"
        with cluster.lock:
            config.write_text(kubeconfig.render(cluster, served.server_address[1]))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
               "KUBECONFIG": str(config), "KUBECTL_KUBERC": "false"}
        for args in COMPARED:
            real = subprocess.run([str(REFERENCE_KUBECTL), *args], env=env, capture_output=True,
                                  text=True, timeout=60)
            ours = run_sim(cluster, args, str(tmp_path))
            assert (ours.stdout, ours.stderr, ours.code) == \
                (real.stdout, real.stderr, real.returncode), args
    finally:
        served.close()


def test_a_full_range_a_service_cidr_that_extends_it_and_one_that_cannot_go_yet(tmp_path):
    """The flow of the Kubernetes task "Extend Service IP Ranges": a /28 fills up, a
    ServiceCIDR adds addresses, and a ServiceCIDR still holding a Service's address waits."""
    from tests.sim.kubectl.conftest import run_sim

    profile = load_profile("default")
    profile["network"]["service_cidr"] = "10.96.0.0/28"
    cluster = Cluster(profile, seed=1, workloads=False)
    network = ipaddress.ip_network("10.96.0.0/28")
    taken = {ipaddress.ip_address(s["spec"]["clusterIP"]) for s in cluster.store.list("services")}
    free = [a for a in network.hosts() if a not in taken and a != network.broadcast_address]
    for i in range(len(free)):
        assert run_sim(cluster, ["create", "service", "clusterip", f"s{i}", "--tcp", "80"],
                       str(tmp_path)).code == 0
    full = run_sim(cluster, ["create", "service", "clusterip", "more", "--tcp", "80"],
                   str(tmp_path))
    assert full.stderr == ("error: failed to create ClusterIP service: Internal error occurred: "
                           "failed to allocate a serviceIP: range is full\n")
    addresses = {ipaddress.ip_address(s["spec"]["clusterIP"])
                 for s in cluster.store.list("services")}
    assert all(a in network and a not in (network.network_address, network.broadcast_address)
               for a in addresses)
    (tmp_path / "cidr.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata:\n  name: newcidr1\n"
        "spec:\n  cidrs:\n  - 10.96.0.0/24\n")
    assert run_sim(cluster, ["apply", "-f", "cidr.yaml"], str(tmp_path)).code == 0
    extra = cluster.store.get("servicecidrs", None, "newcidr1")
    assert extra["metadata"]["finalizers"] == ["networking.k8s.io/service-cidr-finalizer"]
    assert extra["status"]["conditions"][0]["message"] == "Kubernetes Service CIDR is ready"
    assert run_sim(cluster, ["create", "service", "clusterip", "more", "--tcp", "80"],
                   str(tmp_path)).code == 0
    ip = ipaddress.ip_address(cluster.store.get("services", "default", "more")["spec"]["clusterIP"])
    assert ip in ipaddress.ip_network("10.96.0.0/24") and ip not in network
    run_sim(cluster, ["delete", "servicecidr", "newcidr1", "--wait=false"], str(tmp_path))
    waiting = cluster.store.get("servicecidrs", None, "newcidr1")
    (ready,) = waiting["status"]["conditions"]
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False", "Terminating", "There are still IPAddresses referencing the ServiceCIDR, "
        "please remove them or create a new ServiceCIDR")
    run_sim(cluster, ["delete", "service", "more", "--wait=false"], str(tmp_path))
    assert cluster.store.find("servicecidrs", None, "newcidr1") is None
