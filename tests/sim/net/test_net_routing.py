"""Service routing: round robin over ready endpoints, node ports, external and
load-balancer addresses, and readiness deciding membership."""

from simkit import create, deployment, get, new_cluster, pod, pods, run, service, sh, tool


def _app(cluster, replicas=3, svc_type="ClusterIP", **svc):
    create(cluster,
           deployment("web", {"app": "web"}, replicas=replicas),
           service("web", {"app": "web"}, [{"port": 8080, "targetPort": 80, "protocol": "TCP",
                                            "name": "http"}], type=svc_type, **svc),
           deployment("client", {"app": "client"}, image="radial/busyboxplus:curl",
                      containers=[{"name": "client", "image": "radial/busyboxplus:curl",
                                   "command": ["sh", "-c", "while true; do sleep 1; done"]}]),
           settle=10)
    backends = pods(cluster, "app=web")
    for backend in backends:
        code, _, err = sh(cluster, backend, "hostname > /usr/share/nginx/html/index.html")
        assert code == 0, err
    return backends, pods(cluster, "app=client")[0]


def test_cluster_ip_spreads_requests_over_every_ready_pod():
    cluster = new_cluster()
    backends, client = _app(cluster)
    ip = get(cluster, "services", "web")["spec"]["clusterIP"]
    answers = [run(cluster, client, ["curl", "-s", f"http://{ip}:8080"])[1].strip() for _ in range(6)]
    names = sorted(p["metadata"]["name"] for p in backends)
    assert sorted(answers[:3]) == names
    assert answers[3:] == answers[:3]


def test_service_name_resolves_through_the_search_path():
    cluster = new_cluster()
    backends, client = _app(cluster, replicas=1)
    code, out, _ = run(cluster, client, ["curl", "-s", "web:8080"])
    assert code == 0 and out.strip() == backends[0]["metadata"]["name"]
    code, out, _ = run(cluster, client, ["curl", "-s", "http://web.default.svc.cluster.local:8080/"])
    assert out.strip() == backends[0]["metadata"]["name"]


def test_a_port_nobody_serves_is_refused_with_curls_message():
    cluster = new_cluster()
    backends, client = _app(cluster, replicas=1)
    ip = backends[0]["status"]["podIP"]
    code, out, err = run(cluster, client, ["curl", "-sS", f"http://{ip}:81/"])
    assert code == 7
    assert err == f"curl: (7) Failed to connect to {ip} port 81: Connection refused\n"


def test_unknown_names_do_not_resolve():
    cluster = new_cluster()
    _, client = _app(cluster, replicas=1)
    code, _, err = run(cluster, client, ["curl", "-sS", "http://no-such-service/"])
    assert code == 6 and err == "curl: (6) Could not resolve host: no-such-service\n"


def test_node_port_answers_on_every_node_address():
    cluster = new_cluster()
    backends, _ = _app(cluster, replicas=2, svc_type="NodePort")
    node_port = get(cluster, "services", "web")["spec"]["ports"][0]["nodePort"]
    with cluster.lock:
        nodes = cluster.store.list("nodes")
    names = {p["metadata"]["name"] for p in backends}
    for node in nodes:
        for address in node["status"]["addresses"]:
            if address["type"] in {"InternalIP", "ExternalIP"}:
                code, out, _ = tool(cluster, "curl", ["-s", f"http://{address['address']}:{node_port}/"])
                assert code == 0 and out.strip() in names


def test_external_ips_answer_only_on_the_listed_address():
    cluster = new_cluster()
    with cluster.lock:
        nodes = sorted(cluster.store.list("nodes"), key=lambda n: n["metadata"]["name"])
    listed = [a["address"] for a in nodes[1]["status"]["addresses"] if a["type"] == "InternalIP"][0]
    other = [a["address"] for a in nodes[2]["status"]["addresses"] if a["type"] == "InternalIP"][0]
    backends, _ = _app(cluster, replicas=1, externalIPs=[listed])
    code, out, _ = tool(cluster, "curl", ["-s", f"http://{listed}:8080"])
    assert code == 0 and out.strip() == backends[0]["metadata"]["name"]
    code, out, err = tool(cluster, "curl", [f"http://{other}:8080"], tty=True)
    assert code == 7 and out == ""
    assert err == f"curl: (7) Failed to connect to {other} port 8080: Connection refused\n"


def test_cluster_ip_is_not_reachable_from_outside_but_is_from_a_node():
    cluster = new_cluster()
    backends, _ = _app(cluster, replicas=1)
    ip = get(cluster, "services", "web")["spec"]["clusterIP"]
    code, _, err = tool(cluster, "curl", ["-sS", "--connect-timeout", "2", f"http://{ip}:8080"])
    assert code == 28 and "timed out" in err
    code, out, _ = tool(cluster, "sim-node", ["sh", "-c", f"curl -s http://{ip}:8080"])
    assert code == 0 and out.strip() == backends[0]["metadata"]["name"]


def test_failing_readiness_probe_takes_a_pod_out_of_the_endpoints_and_back():
    cluster = new_cluster()
    probe = {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 1}
    create(cluster, deployment("web", {"app": "web"}, replicas=2, containers=[
        {"name": "web", "image": "nginx", "ports": [{"containerPort": 80}], "readinessProbe": probe}]),
        service("web", {"app": "web"}, [{"port": 80}]), settle=15)

    def ready_ips():
        with cluster.lock:
            eps = cluster.store.get("endpoints", "default", "web")
        return sorted(a["ip"] for s in eps.get("subsets") or [] for a in s.get("addresses") or [])

    first, second = pods(cluster, "app=web")
    assert ready_ips() == sorted([first["status"]["podIP"], second["status"]["podIP"]])
    assert sh(cluster, first, "rm /usr/share/nginx/html/index.html")[0] == 0
    with cluster.lock:
        cluster.run_for(5)
    assert ready_ips() == [second["status"]["podIP"]]
    assert sh(cluster, first, "echo back > /usr/share/nginx/html/index.html")[0] == 0
    with cluster.lock:
        cluster.run_for(5)
    assert ready_ips() == sorted([first["status"]["podIP"], second["status"]["podIP"]])


def test_a_host_network_pod_answers_on_its_nodes_address():
    from simkit import pod

    cluster = new_cluster()
    create(cluster, pod("edge", "nginx", hostNetwork=True), settle=5)
    edge = get(cluster, "pods", "edge")
    node = get(cluster, "nodes", edge["spec"]["nodeName"], None)
    address = [a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP"][0]
    code, out, _ = tool(cluster, "curl", ["-s", f"http://{address}/"])
    assert code == 0 and "<title>Welcome to nginx!</title>" in out
    assert tool(cluster, "curl", ["-s", f"http://{address}:81/"])[0] == 7


def test_example_com_answers_from_the_nearest_pop_each_edge_server_in_turn():
    """The CDN's Server header: the POP the cluster's region reaches, its servers in turn;
    the clock plays no part, so any client that makes the same requests sees the same."""
    import re

    from sim.net.http import EDGE_POPS, edge_server

    cluster = new_cluster("gke")
    client = pod("client", "nginx")
    create(cluster, client)
    headers = []
    for _ in range(3):
        code, out, _ = run(cluster, client, ["curl", "-sI", "http://example.com/"])
        assert code == 0
        headers.append(re.search(r"^Server: (.*?)\r?$", out, re.M).group(1))
        cluster.run_for(11)
    pops = {h.split("(")[1].split("/")[0] for h in headers}
    assert pops == {"ord"}                              # gke's us-central1: Chicago
    assert headers[0] != headers[1] and headers[0] == headers[2]
    assert edge_server("europe-west1", 0) == edge_server("europe-west1", 0)
    assert edge_server("europe-west1", 0).split("(")[1].split("/")[0] in EDGE_POPS
