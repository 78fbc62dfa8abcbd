"""Ingress routing (host, path types, default backend, TLS, allow-http) and
NetworkPolicy on pod ingress."""

import base64

from simkit import create, deployment, get, new_cluster, pod, pods, run, service, sh, tool


def _ingress_app(cluster, annotations=None, tls=None):
    objects = []
    for name in ("one", "two", "default"):
        objects.append(pod(f"app-{name}", "nginx", labels={"app": name},
                           container={"ports": [{"containerPort": 80}]}))
        objects.append(service(f"svc-{name}", {"app": name}, [{"port": 8888, "targetPort": 80}],
                               type="NodePort"))
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "routes", "namespace": "default", "annotations": annotations or {}},
               "spec": {"ingressClassName": "nginx",
                        "defaultBackend": {"service": {"name": "svc-default", "port": {"number": 8888}}},
                        "rules": [{"host": "sample.example.com", "http": {"paths": [
                            {"path": "/path1", "pathType": "Prefix",
                             "backend": {"service": {"name": "svc-one", "port": {"number": 8888}}}},
                            {"path": "/path2/exact", "pathType": "Exact",
                             "backend": {"service": {"name": "svc-two", "port": {"number": 8888}}}}]}}]}}
    if tls:
        ingress["spec"]["tls"] = tls
    create(cluster, *objects, settle=5)
    for name in ("one", "two", "default"):
        target = get(cluster, "pods", f"app-{name}")
        sh(cluster, target, "mkdir -p /usr/share/nginx/html/path1 /usr/share/nginx/html/path2; "
                            "for f in index.html path1/index.html path2/exact path2/index.html; do "
                            "hostname > /usr/share/nginx/html/$f; done")
    create(cluster, ingress, settle=60)
    status = get(cluster, "ingresses", "routes", "default").get("status") or {}
    addresses = [e.get("ip") for e in (status.get("loadBalancer") or {}).get("ingress") or []]
    assert addresses, status
    return addresses[0]


def test_ingress_routes_by_host_and_path_type_with_a_default_backend():
    cluster = new_cluster()
    address = _ingress_app(cluster)
    host = ["-H", "Host: sample.example.com"]

    def fetch(path, headers=host):
        code, out, _ = tool(cluster, "curl", ["-s", f"http://{address}{path}", *headers])
        assert code == 0
        return out.strip()

    assert fetch("/path1/index.html") == "app-one"
    assert fetch("/path2/exact") == "app-two"
    assert fetch("/path2/") == "app-default"
    assert fetch("/index.html") == "app-default"
    assert fetch("/path1/index.html", ["-H", "Host: other.example.com"]) == "app-default"


def test_ingress_terminates_tls_with_the_secrets_certificate(tmp_path):
    from sim.net import tls as simtls

    cert, key = simtls.issue("sample.example.com", ["sample.example.com"])
    from cryptography.hazmat.primitives import serialization

    pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    (tmp_path / "ca.crt").write_bytes(pem)
    cluster = new_cluster()
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
              "metadata": {"name": "tls-sample", "namespace": "default"},
              "data": {"tls.crt": base64.b64encode(pem).decode(), "tls.key": base64.b64encode(key_pem).decode()}}
    create(cluster, secret)
    address = _ingress_app(cluster, annotations={"kubernetes.io/ingress.allow-http": "false"},
                           tls=[{"hosts": ["sample.example.com"], "secretName": "tls-sample"}])
    code, out, err = tool(cluster, "curl", ["-sS", "--cacert", str(tmp_path / "ca.crt"),
                                            "--resolve", f"sample.example.com:443:{address}",
                                            "https://sample.example.com/path1/index.html"])
    assert (code, out.strip()) == (0, "app-one"), err
    code, _, err = tool(cluster, "curl", ["-sS", f"http://{address}/path1/index.html",
                                          "-H", "Host: sample.example.com"])
    assert code == 7, err


def test_network_policy_denies_then_allows():
    cluster = new_cluster()
    create(cluster, deployment("db", {"app": "db"}),
           service("db", {"app": "db"}, [{"port": 80}]),
           pod("frontend", "radial/busyboxplus:curl", labels={"role": "frontend"},
               container={"command": ["sh", "-c", "while true; do sleep 1; done"]}),
           pod("other", "radial/busyboxplus:curl", labels={"role": "other"},
               container={"command": ["sh", "-c", "while true; do sleep 1; done"]}), settle=8)
    frontend, other = get(cluster, "pods", "frontend"), get(cluster, "pods", "other")
    assert run(cluster, frontend, ["curl", "-s", "http://db/"])[0] == 0
    deny = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "db-deny", "namespace": "default"},
            "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"]}}
    create(cluster, deny)
    code, _, err = run(cluster, frontend, ["curl", "-sS", "-m", "3", "http://db/"])
    assert code == 28 and err == "curl: (28) Connection timed out after 3001 milliseconds\n"
    allow = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
             "metadata": {"name": "db-allow-frontend", "namespace": "default"},
             "spec": {"podSelector": {"matchLabels": {"app": "db"}},
                      "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}],
                                   "ports": [{"port": 80, "protocol": "TCP"}]}]}}
    create(cluster, allow)
    code, out, _ = run(cluster, frontend, ["curl", "-s", "http://db/"])
    assert code == 0 and "Welcome to nginx!" in out
    assert run(cluster, other, ["curl", "-s", "-m", "1", "http://db/"])[0] == 28


def test_network_policy_namespace_selector():
    cluster = new_cluster()
    namespace = {"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": "team", "labels": {"team": "blue"}}}
    create(cluster, namespace, deployment("db", {"app": "db"}),
           pod("client", "radial/busyboxplus:curl", ns="team",
               container={"command": ["sh", "-c", "while true; do sleep 1; done"]}), settle=8)
    policy = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
              "metadata": {"name": "from-blue", "namespace": "default"},
              "spec": {"podSelector": {}, "ingress": [{"from": [
                  {"namespaceSelector": {"matchLabels": {"team": "red"}}}]}]}}
    create(cluster, policy)
    client = get(cluster, "pods", "client", "team")
    db_ip = pods(cluster, "app=db")[0]["status"]["podIP"]
    assert run(cluster, client, ["curl", "-s", "-m", "1", f"http://{db_ip}/"])[0] == 28
    with cluster.lock:
        current = cluster.store.get("networkpolicies", "default", "from-blue")
        current["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]["team"] = "blue"
        cluster.store.update(current)
    assert run(cluster, client, ["curl", "-s", f"http://{db_ip}/"])[0] == 0


def test_ingress_nginx_redirects_plain_http_for_a_tls_host():
    cluster = new_cluster()
    address = _ingress_app(cluster, tls=[{"hosts": ["sample.example.com"], "secretName": "missing"}])
    code, out, _ = tool(cluster, "curl", ["-sI", f"http://{address}/path1/index.html",
                                          "-H", "Host: sample.example.com"])
    assert code == 0 and out.split("\r\n")[0] == "HTTP/1.1 308 Permanent Redirect"
    assert "Location: https://sample.example.com/path1/index.html\r\n" in out
    code, out, _ = tool(cluster, "curl", ["-sk", "--resolve", f"sample.example.com:443:{address}",
                                          "https://sample.example.com/path1/index.html"])
    assert (code, out) == (0, "app-one\n")
