"""``kubectl port-forward``: real loopback listeners that reach a pod's own localhost."""

from __future__ import annotations

import http.client
import re
import threading

import pytest

from simkit import FakeIO, create, deployment, get, new_cluster, pod, pods, service

from sim.kubectl.main import main as kubectl
from tests.deps import REFERENCE_KUBECTL, needs_reference


class BlockingIO(FakeIO):
    """A caller that stays until ``close()`` (as a reader's terminal until Ctrl-C)."""

    def __init__(self) -> None:
        super().__init__()
        self.done = threading.Event()
        self.ready = threading.Event()
        self.lock = threading.Lock()

    def write_out(self, data) -> None:
        with self.lock:
            super().write_out(data)
        if "Forwarding from" in self.text:
            self.ready.set()

    def write_err(self, data) -> None:
        with self.lock:
            super().write_err(data)
        self.ready.set()

    def closed(self) -> bool:
        return self.done.is_set()

    def wait_closed(self, timeout=None) -> bool:
        return self.done.wait(timeout)


class Forward:
    def __init__(self, cluster, *args: str) -> None:
        self.io = BlockingIO()
        self.code = None
        self.thread = threading.Thread(target=self._run, args=(cluster, list(args)), daemon=True)
        self.thread.start()
        assert self.io.ready.wait(10), "kubectl port-forward printed nothing"

    def _run(self, cluster, args) -> None:
        self.code = kubectl(cluster, ["kubectl", "port-forward", *args], self.io)
        self.io.ready.set()

    def ports(self) -> list[tuple[str, int, int]]:
        return [(h, int(lp), int(rp)) for h, lp, rp in
                re.findall(r"^Forwarding from (\S+):(\d+) -> (\d+)$", self.io.text, re.M)]

    def stop(self) -> int:
        self.io.done.set()
        self.thread.join(10)
        return self.code


def _get(port: int, path: str = "/") -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        return answer.status, answer.read().decode()
    finally:
        conn.close()


def test_service_port_is_translated_to_the_pods_target_port_and_answers():
    cluster = new_cluster()
    containers = [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "name": "web"}]}]
    create(cluster, deployment("web", {"app": "web"}, containers=containers, replicas=2),
           service("web", {"app": "web"}, [{"port": 8765, "name": "http", "targetPort": "web"}]),
           settle=20)
    forward = Forward(cluster, "svc/web", ":8765")
    try:
        listed = forward.ports()
        assert listed and listed[0][0] == "127.0.0.1" and listed[0][2] == 80
        assert all(host in ("127.0.0.1", "[::1]") for host, _, _ in listed)
        local = listed[0][1]
        assert local != 0 and all(lp == local for _, lp, _ in listed)
        status, body = _get(local)
        assert status == 200 and "<h1>Welcome to nginx!</h1>" in body
        assert f"Handling connection for {local}\n" in forward.io.text
        # the pod's nginx saw a client on its own localhost
        chosen = [p for p in pods(cluster, "app=web")
                  if "127.0.0.1 - -" in _logs(cluster, p)]
        assert len(chosen) == 1
    finally:
        assert forward.stop() == 0
    with pytest.raises(OSError):
        _get(local)


def _logs(cluster, target) -> str:
    from sim.workloads import runtime

    with cluster.lock:
        return runtime.logs(cluster, target, target["spec"]["containers"][0]["name"])


def test_pod_named_port_echoserver_sees_localhost_and_lost_connection():
    cluster = new_cluster()
    create(cluster, pod("echo", "registry.k8s.io/echoserver:1.10",
                        container={"ports": [{"containerPort": 8080, "name": "http"}]}), settle=10)
    forward = Forward(cluster, "echo", ":http")
    local = forward.ports()[0][1]
    status, body = _get(local, "/hello")
    assert status == 200 and "client_address=127.0.0.1" in body and "real path=/hello" in body
    with cluster.lock:
        cluster.store.delete("pods", "default", "echo")
        cluster.run_for(40)
    forward.thread.join(10)       # ends by itself, before any Ctrl-C
    assert forward.code == 1
    assert forward.io.errors.endswith("error: lost connection to pod\n")


def test_nothing_listening_closes_the_connection_and_logs_the_error():
    cluster = new_cluster()
    create(cluster, pod("web", "nginx"), settle=10)
    forward = Forward(cluster, "pod/web", ":9999")
    local = forward.ports()[0][1]
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        _get(local)
    forward.thread.join(10)       # kubectl closes its stream to the kubelet and ends
    assert forward.code == 1
    assert '"Unhandled Error" err="an error occurred forwarding' in forward.io.errors
    assert f"forwarding {local} -> 9999:" in forward.io.errors
    assert forward.io.errors.endswith("error: lost connection to pod\n")


def test_errors_before_forwarding():
    cluster = new_cluster()
    create(cluster, service("bare", None, [{"port": 80}]),
           pod("waiting", "nginx", container={"command": ["sleep", "10"]},
               nodeSelector={"nowhere": "true"}),
           pod("web", "nginx"), settle=10)
    cases = [
        (["svc/bare", "80"], "error: cannot attach to *v1.Service: invalid service 'bare': "
                             "Service is defined without a selector\n"),
        (["waiting", "80"], "error: unable to forward port because pod is not running. "
                            "Current status=Pending\n"),
        (["web"], "error: TYPE/NAME and list of ports are required for port-forward\n"
                  "See 'kubectl port-forward -h' for help and examples\n"),
        # kubectl splits only LOCAL:REMOTE; anything else is read as one (named) port
        (["web", "a:b:c"], "error: Pod 'web' does not have a named port 'a'\n"),
        (["web", "x:80"], "error: error parsing local port 'x': strconv.ParseUint: parsing "
                          '"x": invalid syntax\n'),
        (["web", "8080:0"], "error: remote port must be > 0\n"),
        (["web", ":http"], "error: Pod 'web' does not have a named port 'http'\n"),
        (["nope", "80"], 'Error from server (NotFound): pods "nope" not found\n'),
    ]
    for args, expected in cases:
        io = FakeIO()
        assert kubectl(cluster, ["kubectl", "port-forward", *args], io) == 1, args
        assert io.errors == expected, args


def test_a_tutorial_with_port_forward_urls_and_pod_dns_verifies(tmp_path):
    from pathlib import Path

    from tutorial_runner.cli import main

    document = Path(__file__).parent / "transcripts" / "port-forward-and-urls.md"
    assert main(["check", "--no-cache", "--cache-dir", str(tmp_path), str(document)]) == 0


@needs_reference
def test_the_real_kubectl_refuses_what_ours_refuses(tmp_path):
    """Before it forwards anything, kubectl checks the object, its pod and the ports: the
    reference kubectl against this cluster's API prints what ours prints."""
    import json
    import subprocess

    from sim.api import listener

    cluster = new_cluster()
    create(cluster, service("bare", None, [{"port": 80}]), service("empty", {"x": "y"}, [{"port": 80}]),
           service("web", {"run": "web"}, [{"port": 80, "targetPort": "http", "name": "p"}]),
           pod("waiting", "nginx", nodeSelector={"nowhere": "true"}),
           pod("web", "nginx", labels={"run": "web"}), settle=10)
    server = listener.start(cluster)
    config = {"apiVersion": "v1", "kind": "Config", "current-context": "sim",
              "clusters": [{"name": "sim", "cluster": {"server": server.url}}],
              "users": [{"name": "u", "user": {}}],
              "contexts": [{"name": "sim", "context": {"cluster": "sim", "user": "u",
                                                       "namespace": "default"}}]}
    (tmp_path / "config").write_text(json.dumps(config))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KUBECONFIG": str(tmp_path / "config"),
           "KUBECTL_KUBERC": "false", "LANG": "C.UTF-8"}
    try:
        for args in (["svc/bare", "80"], ["waiting", "80"], ["web", "a:b:c"], ["web", "x:80"],
                     ["web", "8080:0"], ["web", ":http"], ["nope", "80"], ["svc/web", "81"],
                     ["svc/web", "q"], ["svc/web", "8080:p"], ["deploy/nope", "80"], ["web", "99999"],
                     ["web"], ["svc/empty", "80", "--pod-running-timeout=2s"]):
            done = subprocess.run([str(REFERENCE_KUBECTL), "port-forward", *args], env=env,
                                  capture_output=True, text=True, timeout=60)
            io = FakeIO()
            code = kubectl(cluster, ["kubectl", "port-forward", *args], io)
            assert (code, io.text, io.errors) == (done.returncode, done.stdout, done.stderr), args
    finally:
        server.close()


def test_a_tls_port_is_forwarded_as_bytes_and_presents_the_pods_certificate():
    import base64
    import datetime as dt
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "secure.example")])
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(11).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("secure.example")]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    conf = ("server {\n    listen 8443 ssl;\n    ssl_certificate /etc/nginx/certs/site.crt;\n"
            "    ssl_certificate_key /etc/nginx/certs/site.key;\n"
            "    location = /health { return 200 'healthy over tls'; }\n}\n")
    cluster = new_cluster()
    create(cluster,
           {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "site", "namespace": "default"},
            "data": {"site.conf": conf}},
           {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "site-tls", "namespace": "default"},
            "data": {"site.crt": base64.b64encode(cert_pem).decode(),
                     "site.key": base64.b64encode(key_pem).decode()}},
           pod("secure", "nginx", volumes=[{"name": "conf", "configMap": {"name": "site"}},
                                            {"name": "certs", "secret": {"secretName": "site-tls"}}],
               container={"volumeMounts": [{"name": "conf", "mountPath": "/etc/nginx/conf.d"},
                                           {"name": "certs", "mountPath": "/etc/nginx/certs"}]}),
           settle=10)
    forward = Forward(cluster, "pod/secure", ":8443")
    try:
        local = forward.ports()[0][1]
        context = ssl.create_default_context(cadata=cert_pem.decode())
        context.check_hostname = False
        conn = http.client.HTTPSConnection("127.0.0.1", local, timeout=10, context=context)
        conn.request("GET", "/health")
        answer = conn.getresponse()
        assert (answer.status, answer.read()) == (200, b"healthy over tls")
        assert conn.sock.getpeercert(binary_form=True) == cert.public_bytes(serialization.Encoding.DER)
        conn.close()
        # plain HTTP to the TLS port: nginx's own answer
        status, body = _get(local, "/health")
        assert status == 400 and "The plain HTTP request was sent to HTTPS port" in body
    finally:
        forward.stop()
