"""Validation with the API server's words: Ingress paths, hosts and backends, CIDRs
(NetworkPolicy ipBlocks, a Service's loadBalancerSourceRanges, ServiceCIDRs), names of
IPAddresses, label and annotation keys."""

from __future__ import annotations

import pytest

from sim.api.errors import ApiError
from sim.cluster import Cluster

SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
             "characters, '-' or '.', and must start and end with an alphanumeric character "
             "(e.g. 'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


@pytest.fixture(scope="module")
def cluster():
    return Cluster("default", seed=6, workloads=False)


def _invalid(cluster, obj) -> str:
    with pytest.raises(ApiError) as err:
        cluster.store.create(obj)
    assert (err.value.code, err.value.reason) == (422, "Invalid")
    return err.value.kubectl_text()


def _ingress(path: dict | None = None, **spec) -> dict:
    rule = {"http": {"paths": [path]}} if path is not None else None
    body = {"rules": [rule]} if rule else {}
    body.update(spec)
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "ing"}, "spec": body}


def _path(path="/", path_type="Prefix", backend=None):
    return {"path": path, "pathType": path_type,
            "backend": backend if backend is not None else
            {"service": {"name": "web", "port": {"number": 80}}}}


@pytest.mark.parametrize("obj, text", [
    (_ingress(_path("app")),
     'spec.rules[0].http.paths[0].path: Invalid value: "app": must be an absolute path'),
    (_ingress(_path("/a//b", "Exact")),
     "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"),
    (_ingress(_path("/a/..")),
     "spec.rules[0].http.paths[0].path: Invalid value: \"/a/..\": cannot end with '/..'"),
    (_ingress(_path("app", "ImplementationSpecific")),
     'spec.rules[0].http.paths[0].path: Invalid value: "app": must be an absolute path'),
    (_ingress(_path("/", "Regex")),
     'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: '
     '"Exact", "ImplementationSpecific", "Prefix"'),
    (_ingress(_path(backend={"service": {"name": "web", "port": {}}})),
     "spec.rules[0].http.paths[0].backend: Required value: port name or number is required"),
    (_ingress(_path(backend={"service": {"name": "web", "port": {"number": 80, "name": "http"}}})),
     'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port '
     "number"),
    (_ingress(_path(backend={"service": {"name": "web", "port": {"number": 70000}}})),
     "spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be "
     "between 1 and 65535, inclusive"),
    (_ingress(_path(backend={})),
     'spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is '
     "required"),
    (_ingress(),
     "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` "
     "must be specified"),
])
def test_ingress_paths_and_backends(cluster, obj, text):
    assert _invalid(cluster, obj) == f'The Ingress "ing" is invalid: {text}'


def test_ingress_hosts(cluster):
    ing = _ingress(_path())
    ing["spec"]["rules"][0]["host"] = "10.0.0.1"
    assert _invalid(cluster, ing) == (
        'The Ingress "ing" is invalid: spec.rules[0].host: Invalid value: "10.0.0.1": must be a '
        "DNS name, not an IP address")
    ing["spec"]["rules"][0]["host"] = "foo.*.example.com"
    assert "a wildcard DNS-1123 subdomain must start with '*.'" in _invalid(cluster, ing)
    ing["spec"]["rules"][0]["host"] = "*.example.com"
    ing["spec"]["tls"] = [{"hosts": ["Example.com"], "secretName": "tls"}]
    assert _invalid(cluster, ing) == (
        f'The Ingress "ing" is invalid: spec.tls[0].hosts[0]: Invalid value: "Example.com": '
        f"{SUBDOMAIN}")
    ing["spec"]["tls"][0]["hosts"] = ["www.example.com"]
    made = cluster.store.create(ing)
    assert made["spec"]["rules"][0]["host"] == "*.example.com"


def _policy(peer: dict, ports=None) -> dict:
    rule = {"from": [peer]}
    if ports is not None:
        rule["ports"] = ports
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "np"}, "spec": {"podSelector": {}, "ingress": [rule]}}


@pytest.mark.parametrize("obj, text", [
    (_policy({"ipBlock": {"cidr": "10.0.0.0/33"}}),
     f'spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": {CIDR}'),
    (_policy({"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.18.1.0/24"]}}),
     'spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "172.18.1.0/24": must be a '
     "strict subset of `cidr`"),
    (_policy({"ipBlock": {"cidr": "172.17.0.0/16"}, "podSelector": {}}),
     "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"),
    (_policy({}),
     "spec.ingress[0].from[0]: Required value: must specify a peer"),
    (_policy({"podSelector": {}}, ports=[{"port": 8080, "endPort": 80}]),
     "spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to "
     "`port`"),
])
def test_network_policy_cidrs_and_peers(cluster, obj, text):
    assert _invalid(cluster, obj) == f'The NetworkPolicy "np" is invalid: {text}'


def test_load_balancer_source_ranges(cluster):
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lb"},
           "spec": {"selector": {"app": "x"}, "ports": [{"port": 80}],
                    "loadBalancerSourceRanges": ["10.0.0.0/8", "1.2.3.4"]}}
    assert _invalid(cluster, svc) == (
        'The Service "lb" is invalid: \n'
        "* spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is "
        "'LoadBalancer'\n"
        f'* spec.LoadBalancerSourceRanges[1]: Invalid value: "1.2.3.4": {CIDR}')
    svc["spec"]["type"] = "LoadBalancer"
    svc["spec"]["loadBalancerSourceRanges"] = ["10.0.0.0/8", " 192.168.0.0/16 "]
    made = cluster.store.create(svc)
    assert made["spec"]["loadBalancerSourceRanges"][0] == "10.0.0.0/8"


@pytest.mark.parametrize("cidrs, text", [
    ([], "spec.cidrs: Required value: at least one CIDR required"),
    (["10.200.0.0/33"], f'spec.cidrs[0]: Invalid value: "10.200.0.0/33": {CIDR}'),
    (["10.200.0.1/24"],
     'spec.cidrs[0]: Invalid value: "10.200.0.1/24": must not have bits set beyond the prefix '
     "length"),
    (["10.200.0.0/24", "10.201.0.0/24"],
     'spec.cidrs: Invalid value: []string{"10.200.0.0/24", "10.201.0.0/24"}: may specify no '
     "more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64"),
])
def test_service_cidrs_a_user_adds(cluster, cidrs, text):
    obj = {"apiVersion": "networking.k8s.io/v1", "kind": "ServiceCIDR",
           "metadata": {"name": "extra"}, "spec": {"cidrs": cidrs}}
    assert _invalid(cluster, obj) == f'The ServiceCIDR "extra" is invalid: {text}'


def test_an_ip_address_is_named_by_its_address(cluster):
    obj = {"apiVersion": "networking.k8s.io/v1", "kind": "IPAddress",
           "metadata": {"name": "my-ip"},
           "spec": {"parentRef": {"resource": "gateways", "name": "gw"}}}
    assert _invalid(cluster, obj) == (
        'The IPAddress "my-ip" is invalid: metadata.name: Invalid value: '
        '"my-ip": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')
    obj["metadata"]["name"] = "fd00:0::1"
    assert 'must be in canonical form ("fd00::1")' in _invalid(cluster, obj)
    obj["metadata"]["name"] = "192.168.77.7"
    del obj["spec"]["parentRef"]
    assert _invalid(cluster, obj).endswith("spec.parentRef: Required value")


def test_label_and_annotation_keys(cluster):
    obj = {"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": "keys", "labels": {"a/b/c": "x", "-bad": "ok"},
                        "annotations": {"example.com/": "x"}}}
    text = _invalid(cluster, obj)
    assert text.startswith('The ConfigMap "keys" is invalid: \n* metadata.labels: Invalid value: '
                           '"-bad": name part must consist of alphanumeric characters')
    assert '* metadata.labels: Invalid value: "a/b/c": a valid label key must consist of' in text
    assert text.endswith("* metadata.annotations: Invalid value: \"example.com/\": name part "
                         "must be non-empty\n* metadata.annotations: Invalid value: "
                         "\"example.com/\": name part must consist of alphanumeric characters, "
                         "'-', '_' or '.', and must start and end with an alphanumeric "
                         "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
                         "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


def test_an_ingress_class_names_its_controller(cluster):
    obj = {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "c"}}
    assert _invalid(cluster, obj) == 'The IngressClass "c" is invalid: spec.controller: Required value'
    cluster.reconcile()     # nothing half-made is left for the ingress controller to trip on
    assert cluster.store.find("ingressclasses", None, "c") is None


def test_a_label_selector_requirement_needs_a_known_operator(cluster):
    obj = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs"},
           "spec": {"selector": {"matchExpressions": [{"key": "app", "values": []}]},
                    "template": {"metadata": {"labels": {"app": "x"}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    assert _invalid(cluster, obj) == (
        'The ReplicaSet "rs" is invalid: \n'
        '* spec.selector.matchExpressions[0].operator: Invalid value: "": not a valid selector '
        "operator\n"
        '* spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), '
        'MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", '
        'Operator:"", Values:[]string{}}}}: invalid label selector')
    obj["spec"]["selector"]["matchExpressions"][0]["operator"] = "In"
    assert "spec.selector.matchExpressions[0].values: Required value: must be specified when " \
           "`operator` is 'In' or 'NotIn'" in _invalid(cluster, obj)
    obj["spec"]["selector"]["matchExpressions"][0].update(operator="Exists", values=["x"])
    assert "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when " \
           "`operator` is 'Exists' or 'DoesNotExist'" in _invalid(cluster, obj)
    obj["spec"]["selector"]["matchExpressions"][0]["values"] = []
    made = cluster.store.create(obj)
    assert made["spec"]["replicas"] == 1


def test_a_node_made_by_hand_is_scheduled_around_not_tripped_on():
    cluster = Cluster("default", seed=2, workloads=False)
    made = cluster.store.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "bare"}})
    assert made["spec"] == {}
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    with cluster.lock:
        cluster.reconcile()
    assert cluster.store.get("pods", "default", "p")["spec"].get("nodeName")


@pytest.mark.parametrize("obj, text", [
    ({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
      "spec": {"ports": [{"port": 80, "targetPort": "8080"}]}},
     'The Service "s" is invalid: spec.ports[0].targetPort: Invalid value: "8080": must contain '
     "at least one letter (a-z)"),
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
      "spec": {"containers": [{"name": "c", "image": "nginx",
                               "ports": [{"containerPort": 80, "name": "web--port"}]}]}},
     'The Pod "p" is invalid: spec.containers[0].ports[0].name: Invalid value: "web--port": '
     "must not contain consecutive hyphens"),
])
def test_port_names(cluster, obj, text):
    assert _invalid(cluster, obj) == text


def _pod(**spec) -> dict:
    body = {"containers": [{"name": "c", "image": "busybox"}]}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": body}


@pytest.mark.parametrize("obj, text", [
    (_pod(dnsPolicy="None"),
     'The Pod "p" is invalid: spec.dnsConfig: Required value: must provide `dnsConfig` when '
     '`dnsPolicy` is None'),
    (_pod(dnsPolicy="None", dnsConfig={"searches": ["a.example"]}),
     'The Pod "p" is invalid: spec.dnsConfig.nameservers: Required value: must provide at least '
     'one DNS nameserver when `dnsPolicy` is None'),
    (_pod(dnsConfig={"nameservers": ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"]}),
     'The Pod "p" is invalid: spec.dnsConfig.nameservers: Invalid value: []string{"1.1.1.1", '
     '"1.0.0.1", "8.8.8.8", "8.8.4.4"}: must not have more than 3 nameservers'),
    (_pod(dnsPolicy="ClusterOnly"),
     'The Pod "p" is invalid: spec.dnsPolicy: Unsupported value: "ClusterOnly": supported values: '
     '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'),
])
def test_pod_dns_settings_are_validated_as_the_api_server_does(cluster, obj, text):
    assert _invalid(cluster, obj) == text


def test_a_deployment_template_with_dns_policy_none_needs_its_dns_config(cluster):
    template = {"metadata": {"labels": {"app": "x"}},
                "spec": {"dnsPolicy": "None", "containers": [{"name": "c", "image": "busybox"}]}}
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
           "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": template}}
    assert _invalid(cluster, obj).endswith(
        "spec.template.spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None")
    template["spec"]["dnsConfig"] = {"nameservers": ["1.1.1.1"]}
    cluster.store.create(obj)
