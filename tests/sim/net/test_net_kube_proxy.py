"""kube-proxy's part: the source address a backend sees under each traffic policy,
externalTrafficPolicy Local (only nodes with a ready endpoint answer), its health check
node port, internalTrafficPolicy, sessionAffinity ClientIP, and the proxy mode."""

from __future__ import annotations

import ipaddress
import json
import re

from simkit import create, deployment, get, new_cluster, pods, run, service, tool

from sim.net.routing import Origin


def _patch(cluster, name, spec, settle=5):
    with cluster.lock:
        cluster.store.patch("services", "default", name, {"spec": spec}, "merge")
        cluster.run_for(settle)


def _node_ip(node):
    return next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")


def _workers(cluster):
    with cluster.lock:
        return [n for n in cluster.store.list("nodes")
                if not n["spec"].get("taints")]


def _echo(cluster, replicas=1):
    containers = [{"name": "echo", "image": "registry.k8s.io/echoserver:1.10",
                   "ports": [{"containerPort": 8080}]}]
    create(cluster, deployment("source-ip-app", {"app": "source-ip-app"}, containers=containers,
                               replicas=replicas), settle=20)
    return pods(cluster, "app=source-ip-app")


def _client_address(text):
    found = re.findall(r"client_address=(\S+)", text)
    return found[0] if found else None


def test_node_port_cluster_masquerades_and_local_keeps_the_client_on_nodes_with_endpoints():
    cluster = new_cluster("gke")
    [backend] = _echo(cluster)
    create(cluster, service("nodeport", {"app": "source-ip-app"}, [{"port": 80, "targetPort": 8080}],
                            type="NodePort"))
    node_port = get(cluster, "services", "nodeport")["spec"]["ports"][0]["nodePort"]
    home = backend["spec"]["nodeName"]
    nodes = _workers(cluster)
    assert len(nodes) == 3
    seen = {}
    for node in nodes:
        code, out, _ = tool(cluster, "curl", ["-s", f"http://{_node_ip(node)}:{node_port}/"])
        assert code == 0
        seen[node["metadata"]["name"]] = _client_address(out)
    for node in nodes:
        name = node["metadata"]["name"]
        if name == home:       # masqueraded to the node's bridge: the first address of its pod CIDR
            bridge = ipaddress.ip_network(node["spec"]["podCIDR"]).network_address + 1
            assert seen[name] == str(bridge)
        else:                  # masqueraded to the node that received it
            assert seen[name] == _node_ip(node)
    outside = Origin("outside").ip
    _patch(cluster, "nodeport", {"externalTrafficPolicy": "Local"})
    answered = {}
    for node in nodes:
        code, out, _ = tool(cluster, "curl", ["--connect-timeout", "1", "-s",
                                              f"http://{_node_ip(node)}:{node_port}/"])
        answered[node["metadata"]["name"]] = (code, _client_address(out))
    assert answered.pop(home) == (0, outside)
    assert all(code == 28 for code, _ in answered.values())     # dropped: a connect timeout


def test_load_balancer_local_health_check_node_port_and_source_ip():
    cluster = new_cluster("gke")
    [backend] = _echo(cluster)
    create(cluster, service("loadbalancer", {"app": "source-ip-app"},
                            [{"port": 80, "targetPort": 8080}], type="LoadBalancer"), settle=90)
    svc = get(cluster, "services", "loadbalancer")
    lb_ip = svc["status"]["loadBalancer"]["ingress"][0]["ip"]
    code, out, _ = tool(cluster, "curl", ["-s", f"http://{lb_ip}/"])
    nodes = {n["metadata"]["name"]: n for n in _workers(cluster)}
    masqueraded = {_node_ip(n) for n in nodes.values()} | {
        str(ipaddress.ip_network(n["spec"]["podCIDR"]).network_address + 1) for n in nodes.values()}
    assert code == 0 and _client_address(out) in masqueraded
    assert "healthCheckNodePort" not in svc["spec"]
    _patch(cluster, "loadbalancer", {"externalTrafficPolicy": "Local"})
    health_port = get(cluster, "services", "loadbalancer")["spec"]["healthCheckNodePort"]
    for _ in range(3):
        code, out, _ = tool(cluster, "curl", ["-s", f"http://{lb_ip}/"])
        assert code == 0 and _client_address(out) == Origin("outside").ip
    home = backend["spec"]["nodeName"]
    for name, node in nodes.items():
        code, out, _ = tool(cluster, "sim-node", ["--node", name, "sh", "-c",
                                                 f"curl -si localhost:{health_port}/healthz"])
        head, _, body = out.partition("\r\n\r\n")
        local = 1 if name == home else 0
        assert head.split("\r\n")[0] == ("HTTP/1.1 200 OK" if local else "HTTP/1.1 503 Service Unavailable")
        assert f"X-Load-Balancing-Endpoint-Weight: {local}" in head
        assert json.loads(body) == {"service": {"namespace": "default", "name": "loadbalancer"},
                                    "localEndpoints": local, "serviceProxyHealthy": True}
        assert body.startswith('{\n\t"service": {\n\t\t"namespace": "default",')
    # kube-proxy's mode, on its metrics port, on the node's loopback only
    name = next(iter(nodes))
    assert tool(cluster, "sim-node", ["--node", name, "sh", "-c",
                                      "curl -s localhost:10249/proxyMode"])[1] == "iptables"
    assert tool(cluster, "sim-node", ["--node", name, "sh", "-c",
                                      f"curl -s {_node_ip(nodes[name])}:10249/proxyMode"])[0] == 7


def test_session_affinity_client_ip_keeps_one_backend_per_client():
    cluster = new_cluster()
    containers = [{"name": "web", "image": "registry.k8s.io/e2e-test-images/agnhost:2.39",
                   "args": ["serve-hostname"], "ports": [{"containerPort": 9376}]}]
    create(cluster, deployment("hostnames", {"app": "hostnames"}, containers=containers, replicas=3),
           service("plain", {"app": "hostnames"}, [{"port": 80, "targetPort": 9376}]),
           service("sticky", {"app": "hostnames"}, [{"port": 80, "targetPort": 9376}],
                   sessionAffinity="ClientIP",
                   sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}}), settle=20)
    client = pods(cluster, "app=hostnames")[0]

    def names(svc, count=6):
        return [run(cluster, client, ["sh", "-c", f"wget -qO- {svc}"])[1] for _ in range(count)]
    assert len(set(names("plain"))) == 3
    sticky = names("sticky")
    assert len(set(sticky)) == 1
    with cluster.lock:
        cluster.run_for(120)             # unused for longer than timeoutSeconds: forgotten
    later = names("sticky", 3)
    assert len(set(later)) == 1


def test_internal_traffic_policy_local_reaches_only_endpoints_on_the_clients_node():
    cluster = new_cluster()
    containers = [{"name": "web", "image": "registry.k8s.io/e2e-test-images/agnhost:2.39",
                   "args": ["serve-hostname"], "ports": [{"containerPort": 9376}]}]
    create(cluster, deployment("hostnames", {"app": "hostnames"}, containers=containers, replicas=1),
           service("local", {"app": "hostnames"}, [{"port": 80, "targetPort": 9376}],
                   internalTrafficPolicy="Local"), settle=20)
    [backend] = pods(cluster, "app=hostnames")
    others = [n["metadata"]["name"] for n in _workers(cluster)
              if n["metadata"]["name"] != backend["spec"]["nodeName"]]
    box = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "box", "namespace": "default"},
           "spec": {"nodeName": others[0], "containers": [{"name": "box", "image": "busybox",
                                                           "command": ["sleep", "3600"]}]}}
    near = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "near", "namespace": "default"},
            "spec": {"nodeName": backend["spec"]["nodeName"],
                     "containers": [{"name": "near", "image": "busybox", "command": ["sleep", "3600"]}]}}
    create(cluster, box, near, settle=10)
    code, out, err = run(cluster, get(cluster, "pods", "near"), ["wget", "-qO-", "-T", "1", "local"])
    assert code == 0 and out == backend["metadata"]["name"]
    code, out, err = run(cluster, get(cluster, "pods", "box"), ["wget", "-qO-", "-T", "1", "local"])
    assert code != 0 and out == ""


def test_the_source_ip_tutorial_verifies(tmp_path):
    from pathlib import Path

    from tutorial_runner.cli import main

    document = Path(__file__).parent / "transcripts" / "source-ip.md"
    assert main(["check", "--no-cache", "--cache-dir", str(tmp_path), str(document)]) == 0
