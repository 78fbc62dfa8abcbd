"""The in-cluster and host-side commands of the five guides, replayed through kubectl and
the host tools against a simulated cluster: the behaviour each guide describes."""

import re

import pytest

from simkit import FakeIO, create, deployment, get, pods, service, tool
from sim.cluster import Cluster


def gke_like() -> dict:
    from sim.controllers.profiles import load_profile

    profile = load_profile("default")
    profile["cloud"] = "gce"
    profile["load_balancer"] = {"kind": "ip", "pool": "34.71.0.0/16", "delay_seconds": [1, 2]}
    profile["node_addresses"] = dict(profile.get("node_addresses") or {}, external_pool="35.200.0.0/16")
    profile.setdefault("node_defaults", {})["labels"] = {
        "topology.kubernetes.io/zone": "us-central1-a",
        "node.kubernetes.io/instance-type": "n1-standard-1"}
    return profile


class Session:
    def __init__(self, profile="default"):
        self.cluster = Cluster(profile)

    def kubectl(self, *argv, lines=None, tty=False):
        from sim.kubectl.main import main

        io = FakeIO(lines=lines, tty=tty)
        with self.cluster.lock:
            self.cluster.tick()
        code = main(self.cluster, ["kubectl", *argv], io)
        with self.cluster.lock:
            self.cluster.reconcile()
        return code, io.text, io.errors

    def wait(self, seconds):
        with self.cluster.lock:
            self.cluster.run_for(seconds)


def _sample_app(session, replicas=3, **svc):
    create(session.cluster, deployment("sample-deployment", {"app": "sample-app"}, replicas=replicas),
           service("sample", {"app": "sample-app"}, [{"name": "http-port", "port": 8080, "targetPort": 80,
                                                      "protocol": "TCP"}], **svc), settle=60)
    names = [p["metadata"]["name"] for p in pods(session.cluster, "app=sample-app")]
    for name in names:
        code, _, err = session.kubectl("exec", "-it", name, "--", "cp", "/etc/hostname",
                                       "/usr/share/nginx/html/index.html")
        assert code == 0, err
    return names


def test_guide_000_env_vars_dns_shell_and_nodeport_https():
    s = Session()
    create(s.cluster, deployment("my-nginx", {"run": "my-nginx"}, replicas=2))
    assert s.kubectl("expose", "deployment/my-nginx")[0] == 0
    first = pods(s.cluster, "run=my-nginx")[0]["metadata"]["name"]
    _, out, _ = s.kubectl("exec", first, "--", "printenv")
    assert "KUBERNETES_SERVICE_HOST=" in out and "MY_NGINX_SERVICE_HOST" not in out
    s.kubectl("scale", "deployment", "my-nginx", "--replicas=0")
    s.kubectl("scale", "deployment", "my-nginx", "--replicas=2")
    s.wait(40)
    fresh = pods(s.cluster, "run=my-nginx")[0]["metadata"]["name"]
    code, out, _ = s.kubectl("exec", fresh, "--", "printenv")
    ip = get(s.cluster, "services", "my-nginx")["spec"]["clusterIP"]
    assert f"MY_NGINX_SERVICE_HOST={ip}\n" in out and "MY_NGINX_SERVICE_PORT=80\n" in out
    code, out, _ = s.kubectl("run", "curl", "--image=radial/busyboxplus:curl", "-i", "--tty",
                             lines=["nslookup my-nginx", "exit"], tty=True)
    assert "[ root@curl:/ ]$ nslookup my-nginx\r\n" in out
    assert f"Name:      my-nginx\r\nAddress 1: {ip} my-nginx.default.svc.cluster.local\r\n" in out


def test_guide_001_kubectl_proxy_reaches_elasticsearch():
    from sim.net import proxy
    import urllib.request

    s = Session()
    create(s.cluster, deployment("elasticsearch-logging", {"k8s-app": "elasticsearch-logging"},
                                 ns="kube-system", containers=[
                                     {"name": "es", "image": "k8s.gcr.io/elasticsearch:v2.4.1",
                                      "ports": [{"containerPort": 9200}]}]),
           service("elasticsearch-logging", {"k8s-app": "elasticsearch-logging"},
                   [{"port": 9200, "targetPort": 9200}], ns="kube-system"), settle=10)
    server = proxy.start(s.cluster, 0)
    try:
        port = server.server_address[1]
        url = (f"http://127.0.0.1:{port}/api/v1/namespaces/kube-system/services/"
               "elasticsearch-logging/proxy/_cluster/health?pretty=true")
        body = urllib.request.urlopen(url, timeout=10).read().decode()
    finally:
        server.shutdown()
        server.server_close()
    keys = re.findall(r'^  "(\w+)" : ', body, re.M)
    assert keys == ["cluster_name", "status", "timed_out", "number_of_nodes", "number_of_data_nodes",
                    "active_primary_shards", "active_shards", "relocating_shards",
                    "initializing_shards", "unassigned_shards"]


def test_guide_002_cluster_ip_round_robin_from_disposable_pods_and_dig():
    s = Session()
    names = _sample_app(s)
    ip = get(s.cluster, "services", "sample")["spec"]["clusterIP"]
    seen = []
    for _ in range(3):
        code, out, err = s.kubectl("run", "--image=centos:6", "--restart=Never", "--rm", "-i", "testpod",
                                   "--", "curl", "-s", f"http://{ip}:8080")
        assert code == 0, err
        seen.append(out.splitlines()[0])
        assert out.splitlines()[-1] == 'pod "testpod" deleted from default namespace'
    assert sorted(seen) == sorted(names)
    _, out, _ = s.kubectl("run", "--image=centos:6", "--restart=Never", "--rm", "-i", "testpod", "--",
                          "dig", "-x", ip)
    reverse = ".".join(reversed(ip.split("."))) + ".in-addr.arpa."
    assert re.search(rf"^{re.escape(reverse)}\s+30\s+IN\s+PTR\s+sample\.default\.svc\.cluster\.local\.$",
                     out, re.M)


def test_guide_002_external_ips_node_ports_load_balancers_and_gcloud():
    s = Session(gke_like())
    with s.cluster.lock:
        nodes = sorted(s.cluster.store.list("nodes"), key=lambda n: n["metadata"]["name"])
    internal = [[a["address"] for a in n["status"]["addresses"] if a["type"] == "InternalIP"][0] for n in nodes]
    names = _sample_app(s, externalIPs=internal[:2], type="LoadBalancer")
    for address in internal[:2]:
        answers = {tool(s.cluster, "curl", [f"http://{address}:8080"])[1].strip() for _ in range(3)}
        assert answers == set(names)
    code, _, err = tool(s.cluster, "curl", [f"http://{internal[2]}:8080"])
    assert code == 7 and "Connection refused" in err
    svc = get(s.cluster, "services", "sample")
    node_port = svc["spec"]["ports"][0]["nodePort"]
    external = [a["address"] for a in nodes[1]["status"]["addresses"] if a["type"] == "ExternalIP"][0]
    assert tool(s.cluster, "curl", [f"http://{external}:{node_port}"])[1].strip() in names
    lb_ip = svc["status"]["loadBalancer"]["ingress"][0]["ip"]
    assert tool(s.cluster, "curl", [f"http://{lb_ip}:8080"])[1].strip() in names
    _, out, _ = tool(s.cluster, "gcloud", ["compute", "instances", "list"])
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "ZONE", "MACHINE_TYPE", "PREEMPTIBLE", "INTERNAL_IP",
                                "EXTERNAL_IP", "STATUS"]
    assert {line.split()[0] for line in lines[1:]} == {n["metadata"]["name"] for n in nodes}
    _, out, _ = tool(s.cluster, "gcloud", ["compute", "forwarding-rules", "list"])
    row = out.splitlines()[1].split()
    assert row[1:4] == ["us-central1", lb_ip, "TCP"] and row[4] == f"us-central1/targetPools/{row[0]}"


def test_guide_002_external_name_and_selectorless_services():
    s = Session()
    create(s.cluster, service("sample-externalname", None, [], type="ExternalName",
                              externalName="example.com"))
    run = ["run", "--image=centos:6", "--restart=Never", "--rm", "-i", "testpod", "--"]
    _, out, _ = s.kubectl(*run, "dig", "sample-externalname.default.svc.cluster.local", "CNAME", "+short")
    assert out.splitlines()[0] == "example.com."
    _, out, _ = s.kubectl(*run, "curl", "-I", "-sSL", "sample-externalname.default.svc.cluster.local")
    assert out.split("\n")[0] == "HTTP/1.1 404 Not Found\r"
    _, out, _ = s.kubectl(*run, "curl", "-I", "-sSL", "sample-externalname.default.svc.cluster.local",
                          "-H", "Host:example.com")
    assert out.split("\n")[0] == "HTTP/1.1 200 OK\r"
    assert re.search(r"^Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r$", out, re.M)
    # example.com's edge answers in this order, Vary included
    names = [line.split(":", 1)[0] for line in out.split("\r\n")[1:] if ":" in line]
    assert names == ["Accept-Ranges", "Age", "Cache-Control", "Content-Type", "Date", "Etag",
                     "Expires", "Last-Modified", "Server", "Vary", "X-Cache", "Content-Length"]
    assert "\r\nVary: Accept-Encoding\r\n" in out
    endpoints = {"apiVersion": "v1", "kind": "Endpoints",
                 "metadata": {"name": "sample-none-selector", "namespace": "default"},
                 "subsets": [{"addresses": [{"ip": "17.178.96.59"}, {"ip": "172.217.175.110"}],
                              "ports": [{"port": 80}]}]}
    create(s.cluster, service("sample-none-selector", None, [{"port": 8080, "targetPort": 80}]), endpoints)
    ip = get(s.cluster, "services", "sample-none-selector")["spec"]["clusterIP"]
    replies = [s.kubectl(*run, "curl", "-I", "-s", f"{ip}:8080")[1] for _ in range(2)]
    google = next(r for r in replies if "Server: gws" in r)
    apple = next(r for r in replies if "Server: Apache" in r)
    assert google.startswith("HTTP/1.1 301 Moved Permanently\r\nLocation: http://www.google.com:8080/\r\n")
    assert "Content-Length: 224\r\n" in google
    assert apple.startswith("HTTP/1.1 301 MOVED PERMANENTLY\r\nServer: Apache\r\n")


@pytest.mark.parametrize("path_type,path", [("ImplementationSpecific", "/path1/*"), ("Prefix", "/path1")])
def test_guide_002_ingress_paths(path_type, path):
    s = Session()
    objects = []
    for name in ("apps-1", "default"):
        objects.append({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": f"sample-ingress-{name}", "namespace": "default",
                                     "labels": {"ingress-app": name}},
                        "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})
        objects.append(service(f"svc-{name}", {"ingress-app": name}, [{"port": 8888, "targetPort": 80}],
                               type="NodePort"))
    create(s.cluster, *objects)
    assert s.kubectl("exec", "-it", "sample-ingress-apps-1", "--", "mkdir", "/usr/share/nginx/html/path1")[0] == 0
    for name, target in (("apps-1", "path1/index.html"), ("default", "index.html")):
        code, _, err = s.kubectl("exec", "-it", f"sample-ingress-{name}", "--", "/bin/sh", "-c",
                                 f"hostname > /usr/share/nginx/html/{target}")
        assert code == 0, err
    create(s.cluster, {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                       "metadata": {"name": "sample-ingress", "namespace": "default"},
                       "spec": {"ingressClassName": "nginx",
                                "defaultBackend": {"service": {"name": "svc-default", "port": {"number": 8888}}},
                                "rules": [{"host": "sample.example.com", "http": {"paths": [
                                    {"path": path, "pathType": path_type, "backend": {
                                        "service": {"name": "svc-apps-1", "port": {"number": 8888}}}}]}}]}},
           settle=60)
    address = get(s.cluster, "ingresses", "sample-ingress")["status"]["loadBalancer"]["ingress"][0]["ip"]
    host = ["-H", "Host: sample.example.com"]
    assert tool(s.cluster, "curl", [f"http://{address}/index.html", *host])[1] == "sample-ingress-default\n"
    assert tool(s.cluster, "curl", [f"http://{address}/path1/index.html", *host])[1] == "sample-ingress-apps-1\n"


def test_guide_000_load_balancer_by_host_name():
    from sim.controllers.profiles import load_profile

    profile = load_profile("default")
    profile["load_balancer"] = {"kind": "hostname", "region": "us-east-1", "delay_seconds": [1, 2]}
    s = Session(profile)
    create(s.cluster, deployment("my-nginx", {"run": "my-nginx"}),
           service("my-nginx", {"run": "my-nginx"}, [{"port": 80}], type="LoadBalancer"), settle=10)
    hostname = get(s.cluster, "services", "my-nginx")["status"]["loadBalancer"]["ingress"][0]["hostname"]
    assert hostname.endswith(".us-east-1.elb.amazonaws.com")
    code, out, _ = tool(s.cluster, "curl", ["-s", f"http://{hostname}"])
    assert code == 0 and "<title>Welcome to nginx!</title>" in out


def test_guide_004_https_only_ingress_waits_for_ready_backends(tmp_path):
    import base64

    from cryptography.hazmat.primitives import serialization

    from sim.controllers.profiles import load_profile
    from sim.net import tls as simtls

    profile = load_profile("default")
    profile["ingress"] = dict(profile.get("ingress") or {}, controller="k8s.io/ingress-gce",
                              classless=True, address_from="pool", pool="34.120.0.0/16",
                              status_delay=[5, 10])
    profile["ingress_objects"] = []
    s = Session(profile)
    cert, key = simtls.issue("www.example.org", ["www.example.org"])
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
              "metadata": {"name": "web-tls", "namespace": "default"},
              "data": {"tls.crt": base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode(),
                       "tls.key": base64.b64encode(key.private_bytes(
                           serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption())).decode()}}
    probe = {"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"}, "periodSeconds": 1}
    create(s.cluster, secret, deployment("nginx", {"app": "nginx"}, containers=[
        {"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}], "readinessProbe": probe}]),
        service("nginx", {"app": "nginx"}, [{"port": 80}], type="NodePort"),
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
         "metadata": {"name": "ingress", "namespace": "default",
                      "annotations": {"kubernetes.io/ingress.allow-http": "false"}},
         "spec": {"tls": [{"secretName": "web-tls"}],
                  "defaultBackend": {"service": {"name": "nginx", "port": {"number": 80}}}}}, settle=30)
    address = get(s.cluster, "ingresses", "ingress")["status"]["loadBalancer"]["ingress"][0]["ip"]
    (tmp_path / "ca.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    fetch = ["-sS", "--cacert", str(tmp_path / "ca.crt"), "--resolve", f"www.example.org:443:{address}",
             "https://www.example.org/"]
    code, out, err = tool(s.cluster, "curl", fetch)
    assert code == 0 and "<title>Welcome to nginx!</title>" in out, err
    assert tool(s.cluster, "curl", ["-sS", f"http://{address}/"])[0] == 7
    backend = pods(s.cluster, "app=nginx")[0]
    assert s.kubectl("exec", backend["metadata"]["name"], "--", "rm", "/usr/share/nginx/html/index.html")[0] == 0
    s.wait(5)
    code, out, _ = tool(s.cluster, "curl", fetch + ["-o", "/dev/null", "-w", "%{http_code}"])
    assert out == "502"
