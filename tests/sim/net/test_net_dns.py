"""Cluster DNS: A, PTR, SRV, CNAME, headless and StatefulSet names, TTL 30, and the tools'
formats (busybox nslookup, dig)."""

import re

from simkit import create, deployment, get, new_cluster, pod, pods, run, service


def _centos(cluster):
    create(cluster, pod("tools", "centos:6", container={"command": ["sleep", "infinity"]}), settle=5)
    return get(cluster, "pods", "tools")


def test_dig_answers_a_and_ptr_for_a_service_with_ttl_30():
    cluster = new_cluster()
    create(cluster, service("web", {"app": "web"}, [{"port": 8080, "name": "http-port"}]))
    tools = _centos(cluster)
    ip = get(cluster, "services", "web")["spec"]["clusterIP"]
    code, out, _ = run(cluster, tools, ["dig", "web.default.svc.cluster.local"])
    assert code == 0
    assert ";; ANSWER SECTION:" in out
    assert re.search(rf"^web\.default\.svc\.cluster\.local\.\s+30\s+IN\s+A\s+{re.escape(ip)}$", out, re.M)
    assert re.search(r";; SERVER: (\d+\.){3}\d+#53\(", out)
    assert re.search(r";; MSG SIZE  rcvd: \d+", out)
    code, out, _ = run(cluster, tools, ["dig", "-x", ip])
    reverse = ".".join(reversed(ip.split("."))) + ".in-addr.arpa."
    assert re.search(rf"^{re.escape(reverse)}\s+30\s+IN\s+PTR\s+web\.default\.svc\.cluster\.local\.$", out, re.M)
    code, out, _ = run(cluster, tools, ["dig", "_http-port._tcp.web.default.svc.cluster.local", "SRV", "+short"])
    assert out == "0 100 8080 web.default.svc.cluster.local.\n"


def test_message_size_is_the_wire_size():
    from sim.net.dns import Record, Reply
    from sim.workloads.commands.dig import message_size

    # header 12 + question name 4+8+4+8+6+1 = 31 bytes, type and class 4
    # + answer (pointer 2 + 10 + 4)
    reply = Reply(answer=[Record("web.default.svc.cluster.local.", 30, "A", "10.96.0.20")])
    assert message_size("web.default.svc.cluster.local.", reply) == 12 + 31 + 4 + 16


def test_headless_service_and_statefulset_pod_names():
    cluster = new_cluster()
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
           "spec": {"serviceName": "db", "replicas": 3, "selector": {"matchLabels": {"app": "db"}},
                    "template": {"metadata": {"labels": {"app": "db"}},
                                 "spec": {"containers": [{"name": "db", "image": "nginx"}]}}}}
    create(cluster, service("db", {"app": "db"}, [{"port": 80}], clusterIP="None"), sts, settle=30)
    tools = _centos(cluster)
    members = pods(cluster, "app=db")
    assert len(members) == 3
    ips = sorted(p["status"]["podIP"] for p in members)
    code, out, _ = run(cluster, tools, ["dig", "db.default.svc.cluster.local", "+short"])
    assert sorted(out.split()) == ips
    for member in members:
        name = member["metadata"]["name"]
        _, out, _ = run(cluster, tools, ["dig", f"{name}.db.default.svc.cluster.local", "+short"])
        assert out == member["status"]["podIP"] + "\n"
    served = set()
    for member in members:
        run(cluster, member, ["sh", "-c", "hostname > /usr/share/nginx/html/index.html"])
    for _ in range(3):
        served.add(run(cluster, tools, ["curl", "-sSL", "db.default.svc.cluster.local"])[1].strip())
    assert served == {p["metadata"]["name"] for p in members}


def test_busybox_nslookup_prints_the_old_format_with_names():
    cluster = new_cluster()
    create(cluster, service("web", {"app": "web"}, [{"port": 80}]),
           pod("shell", "radial/busyboxplus:curl", container={"stdin": True, "tty": True}, ), settle=5)
    shell = get(cluster, "pods", "shell")
    ip = get(cluster, "services", "web")["spec"]["clusterIP"]
    dns_ip = get(cluster, "services", "kube-dns", "kube-system")["spec"]["clusterIP"]
    code, out, _ = run(cluster, shell, ["nslookup", "web"])
    assert code == 0
    assert out == (f"Server:    {dns_ip}\nAddress 1: {dns_ip} kube-dns.kube-system.svc.cluster.local\n\n"
                   f"Name:      web\nAddress 1: {ip} web.default.svc.cluster.local\n")
    code, out, err = run(cluster, shell, ["nslookup", "nothing-here"])
    assert code == 1 and err == "nslookup: can't resolve 'nothing-here'\n"


def test_external_name_is_a_cname_to_the_outside_world():
    cluster = new_cluster()
    create(cluster, service("ext", None, [], type="ExternalName", externalName="example.com"))
    tools = _centos(cluster)
    _, out, _ = run(cluster, tools, ["dig", "ext.default.svc.cluster.local", "CNAME", "+short"])
    assert out == "example.com.\n"
    code, out, _ = run(cluster, tools, ["curl", "-I", "-sSL", "ext.default.svc.cluster.local"])
    assert code == 0 and out.startswith("HTTP/1.1 404 Not Found\r\n")
    code, out, _ = run(cluster, tools, ["curl", "-I", "-sSL", "ext.default.svc.cluster.local",
                                        "-H", "Host:example.com"])
    assert code == 0 and out.startswith("HTTP/1.1 200 OK\r\n")
    assert "\r\nContent-Length: 1256\r\n" in out


def test_names_outside_the_simulated_internet_do_not_exist():
    cluster = new_cluster()
    tools = _centos(cluster)
    _, out, _ = run(cluster, tools, ["dig", "nowhere.invalid"])
    assert "status: NXDOMAIN" in out
    code, _, err = run(cluster, tools, ["curl", "-sS", "http://nowhere.invalid/"])
    assert code == 6


def test_selectorless_service_balances_over_hand_made_endpoints():
    cluster = new_cluster()
    endpoints = {"apiVersion": "v1", "kind": "Endpoints",
                 "metadata": {"name": "outside", "namespace": "default"},
                 "subsets": [{"addresses": [{"ip": "17.253.144.10"}, {"ip": "142.250.196.110"}],
                              "ports": [{"port": 80}]}]}
    create(cluster, service("outside", None, [{"port": 8080, "targetPort": 80}]), endpoints)
    tools = _centos(cluster)
    ip = get(cluster, "services", "outside")["spec"]["clusterIP"]
    servers = set()
    for _ in range(2):
        _, out, _ = run(cluster, tools, ["curl", "-I", "-s", f"{ip}:8080"])
        servers.add(re.search(r"^Server: (.*)\r$", out, re.M).group(1))
    assert servers == {"Apache", "gws"}
