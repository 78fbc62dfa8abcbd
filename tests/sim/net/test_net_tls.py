"""TLS is checked for real: the certificate served is the one mounted from the Secret,
and curl --cacert accepts the name in it and refuses any other."""

import base64
import shutil
import subprocess

import pytest

from tests.deps import openssl_reason
from simkit import create, deployment, get, new_cluster, pods, run, service, tool


def _key_and_cert(tmp_path, subject="/CN=my-nginx/O=my-nginx", extra=()):
    if shutil.which("openssl") is None:
        pytest.skip(openssl_reason())
    key, cert = tmp_path / "nginx.key", tmp_path / "nginx.crt"
    subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "36500", "-newkey", "rsa:2048",
                    "-keyout", str(key), "-out", str(cert), "-subj", subject, *extra],
                   check=True, capture_output=True)
    return key.read_bytes(), cert.read_bytes()


def _secure_app(cluster, key, cert):
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
              "metadata": {"name": "nginxsecret", "namespace": "default"},
              "data": {"tls.crt": base64.b64encode(cert).decode(), "tls.key": base64.b64encode(key).decode()}}
    volume = [{"name": "secret-volume", "secret": {"secretName": "nginxsecret"}}]
    mount = [{"name": "secret-volume", "mountPath": "/etc/nginx/ssl"}]
    create(cluster, secret,
           service("my-nginx", {"run": "my-nginx"}, [
               {"port": 8080, "targetPort": 80, "protocol": "TCP", "name": "http"},
               {"port": 443, "protocol": "TCP", "name": "https"}], type="NodePort"),
           deployment("my-nginx", {"run": "my-nginx"}, volumes=volume, containers=[
               {"name": "nginxhttps", "image": "bprashanth/nginxhttps:1.0",
                "ports": [{"containerPort": 443}, {"containerPort": 80}], "volumeMounts": mount}]),
           deployment("curl-deployment", {"app": "curlpod"}, volumes=volume, containers=[
               {"name": "curlpod", "image": "radial/busyboxplus:curl", "volumeMounts": mount,
                "command": ["sh", "-c", "while true; do sleep 1; done"]}]), settle=10)
    return pods(cluster, "app=curlpod")[0]


def test_cacert_accepts_the_certificates_name_and_refuses_another(tmp_path):
    cluster = new_cluster()
    key, cert = _key_and_cert(tmp_path)
    client = _secure_app(cluster, key, cert)
    code, out, err = run(cluster, client, ["curl", "https://my-nginx", "--cacert", "/etc/nginx/ssl/tls.crt"])
    assert code == 0 and "<title>Welcome to nginx!</title>" in out
    assert err.startswith("  % Total    % Received % Xferd")
    code, out, err = run(cluster, client, ["curl", "-sS", "https://my-nginx.default.svc.cluster.local",
                                           "--cacert", "/etc/nginx/ssl/tls.crt"])
    assert code == 51 and out == ""
    assert err == ("curl: (51) SSL: certificate subject name 'my-nginx' does not match target host "
                   "name 'my-nginx.default.svc.cluster.local'\n")
    code, out, _ = run(cluster, client, ["curl", "-sk", "https://my-nginx.default.svc.cluster.local"])
    assert code == 0 and "Welcome to nginx!" in out


def test_without_the_ca_a_self_signed_certificate_is_refused(tmp_path):
    cluster = new_cluster()
    key, cert = _key_and_cert(tmp_path)
    client = _secure_app(cluster, key, cert)
    code, _, err = run(cluster, client, ["curl", "-sS", "https://my-nginx"])
    assert code == 60
    assert err.startswith("curl: (60) SSL certificate problem: self signed certificate\n"
                          "More details here: http://curl.haxx.se/docs/sslcerts.html\n")


def test_subject_alternative_names_win_over_the_common_name(tmp_path):
    from sim.net import tls
    from datetime import datetime, timezone

    _, pem = _key_and_cert(tmp_path, "/CN=ignored", ("-addext", "subjectAltName=DNS:web.example,DNS:*.apps.example"))
    chain = tls.load_chain(pem)
    now = datetime.now(timezone.utc)
    assert tls.verify(chain, chain, "web.example", now) is None
    assert tls.verify(chain, chain, "a.apps.example", now) is None
    assert tls.verify(chain, chain, "ignored", now).kind == "name-mismatch"
    assert tls.verify(chain, [], "web.example", now).kind == "self-signed"


def test_served_over_node_ports_and_pod_ips_with_k(tmp_path):
    cluster = new_cluster()
    key, cert = _key_and_cert(tmp_path)
    _secure_app(cluster, key, cert)
    server = pods(cluster, "run=my-nginx")[0]
    code, out, _ = tool(cluster, "sim-node", ["sh", "-c", f"curl -k https://{server['status']['podIP']}"])
    assert code == 0 and "<h1>Welcome to nginx!</h1>" in out
    https_port = [p for p in get(cluster, "services", "my-nginx")["spec"]["ports"] if p["name"] == "https"][0]
    with cluster.lock:
        node = sorted(cluster.store.list("nodes"), key=lambda n: n["metadata"]["name"])[-1]
    address = node["status"]["addresses"][0]["address"]
    code, out, _ = tool(cluster, "curl", ["-s", "-k", f"https://{address}:{https_port['nodePort']}"])
    assert code == 0 and "<h1>Welcome to nginx!</h1>" in out
    code, _, err = tool(cluster, "curl", ["-sS", f"https://{address}:{https_port['nodePort']}",
                                          "--cacert", str(tmp_path / "nginx.crt")])
    assert code == 60 and "certificate subject name 'my-nginx' does not match" in err


def test_the_api_server_is_reached_with_the_service_account_ca_and_token():
    from simkit import get, pod

    cluster = new_cluster()
    create(cluster, pod("plus", "radial/busyboxplus:curl", container={"command": ["sleep", "3600"]}))
    client = get(cluster, "pods", "plus")
    account = "/var/run/secrets/kubernetes.io/serviceaccount"
    code, _, err = run(cluster, client, ["curl", "-sS", "https://kubernetes.default.svc/api"])
    assert code == 60 and "unable to get local issuer certificate" in err
    code, out, _ = run(cluster, client, ["curl", "-sk", "https://kubernetes/api"])
    assert code == 0 and '"reason": "Forbidden"' in out and "system:anonymous" in out
    code, out, err = run(cluster, client, ["sh", "-c",
                                           f"curl -sS --cacert {account}/ca.crt -H \"Authorization: Bearer "
                                           f"$(cat {account}/token)\" https://kubernetes.default.svc/api/v1/"
                                           "namespaces/default/services/kubernetes"])
    assert code == 0 and '"kind": "Service"' in out, err
