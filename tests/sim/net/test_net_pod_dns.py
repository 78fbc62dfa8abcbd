"""A pod's resolver as the kubelet sets it up: dnsPolicy, dnsConfig, hostname and subdomain."""

from simkit import create, get, new_cluster, pod, run, service


def _dns_ip(cluster):
    return get(cluster, "services", "kube-dns", "kube-system")["spec"]["clusterIP"]


def _resolv(cluster, name):
    return run(cluster, get(cluster, "pods", name), ["cat", "/etc/resolv.conf"])[1]


def test_dns_policy_none_writes_only_dns_config():
    cluster = new_cluster()
    config = {"nameservers": ["192.0.2.1"], "searches": ["ns1.svc.cluster-domain.example",
                                                          "my.dns.search.suffix"],
              "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}
    create(cluster, pod("dns-example", "nginx", dnsPolicy="None", dnsConfig=config))
    assert _resolv(cluster, "dns-example") == (
        "search ns1.svc.cluster-domain.example my.dns.search.suffix\n"
        "nameserver 192.0.2.1\noptions ndots:2 edns0\n")
    # nothing answers at 192.0.2.1: a service name does not resolve
    create(cluster, service("web", {"app": "web"}, [{"port": 80}]), settle=1)
    target = get(cluster, "pods", "dns-example")
    code, out, _ = run(cluster, target, ["curl", "-sS", "http://web/"])
    assert code == 6


def test_cluster_first_appends_dns_config_and_replaces_options_by_name():
    cluster = new_cluster()
    config = {"nameservers": ["1.1.1.1"], "searches": ["example.test"],
              "options": [{"name": "ndots", "value": "1"}, {"name": "timeout", "value": "3"}]}
    create(cluster, pod("a", "nginx", dnsConfig=config))
    dns_ip = _dns_ip(cluster)
    assert _resolv(cluster, "a") == (
        "search default.svc.cluster.local svc.cluster.local cluster.local example.test\n"
        f"nameserver {dns_ip}\nnameserver 1.1.1.1\noptions ndots:1 timeout:3\n")


def test_default_policy_uses_the_node_resolver_and_host_network_falls_back():
    cluster = new_cluster()
    create(cluster, pod("d", "nginx", dnsPolicy="Default"),
           pod("h", "nginx", hostNetwork=True),
           pod("hn", "nginx", hostNetwork=True, dnsPolicy="ClusterFirstWithHostNet"))
    node_resolver = "nameserver 169.254.169.254\n"
    assert _resolv(cluster, "d") == node_resolver
    assert _resolv(cluster, "h") == node_resolver
    assert _resolv(cluster, "hn") == (
        "search default.svc.cluster.local svc.cluster.local cluster.local\n"
        f"nameserver {_dns_ip(cluster)}\noptions ndots:5\n")
    # the node's resolver knows no cluster names; the cluster DNS does
    create(cluster, service("web", {"app": "web"}, [{"port": 80}]), settle=1)
    assert run(cluster, get(cluster, "pods", "d"), ["curl", "-sS", "http://web/"])[0] == 6
    assert run(cluster, get(cluster, "pods", "hn"), ["curl", "-sS", "http://web/"])[0] == 7  # no endpoint


def test_hostname_subdomain_records_and_fqdn_hostname():
    cluster = new_cluster()
    create(cluster, service("busybox-subdomain", {"name": "busybox"}, [{"port": 1234, "name": "foo"}],
                            clusterIP="None"),
           pod("busybox1", "busybox:1.28", labels={"name": "busybox"}, hostname="busybox-1",
               subdomain="busybox-subdomain", container={"command": ["sleep", "3600"]}),
           pod("busybox2", "busybox:1.28", labels={"name": "busybox"}, hostname="busybox-2",
               subdomain="busybox-subdomain", setHostnameAsFQDN=True,
               container={"command": ["sleep", "3600"]}), settle=10)
    one, two = get(cluster, "pods", "busybox1"), get(cluster, "pods", "busybox2")
    code, out, _ = run(cluster, one, ["nslookup", "busybox-2.busybox-subdomain.default.svc.cluster.local"])
    assert code == 0 and f"Address: {two['status']['podIP']}\n" in out
    assert run(cluster, one, ["hostname"])[1] == "busybox-1\n"
    assert run(cluster, one, ["hostname", "-f"])[1] == "busybox-1.busybox-subdomain.default.svc.cluster.local\n"
    assert run(cluster, two, ["hostname"])[1] == "busybox-2.busybox-subdomain.default.svc.cluster.local\n"
    assert "HOSTNAME=busybox-2.busybox-subdomain.default.svc.cluster.local" in run(cluster, two, ["env"])[1]
