"""kubectl proxy is a real HTTP server on loopback; nothing in the simulation opens a
socket to any other address."""

import json
import socket
import threading
import urllib.request

import pytest

from simkit import create, deployment, new_cluster, pod, pods, run, service, sh, tool


def test_proxy_serves_service_paths_to_a_real_http_client():
    from sim.net import proxy

    cluster = new_cluster()
    create(cluster, deployment("logging", {"app": "es"}, containers=[
        {"name": "es", "image": "registry.k8s.io/elasticsearch:v1.7.1", "ports": [{"containerPort": 9200}]}]),
        service("elasticsearch-logging", {"app": "es"}, [{"port": 9200, "targetPort": 9200}]))
    server = proxy.start(cluster, 0)
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        base = f"http://127.0.0.1:{port}/api/v1/namespaces/default/services/elasticsearch-logging/proxy"
        with urllib.request.urlopen(base + "/_cluster/health?pretty=true", timeout=10) as reply:
            body = reply.read().decode()
        assert body.startswith('{\n  "cluster_name" : ')
        assert '"status" : "yellow"' in body
        with urllib.request.urlopen(base.replace("elasticsearch-logging", "elasticsearch-logging:9200")
                                    + "/_search?q=user:kimchy", timeout=10) as reply:
            assert json.loads(reply.read())["hits"]["total"] == 0
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base.replace("elasticsearch-logging", "nothing") + "/", timeout=10)
        assert missing.value.code == 404
        assert json.loads(missing.value.read())["message"] == 'services "nothing" not found'
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/namespaces/default/services/"
                                    "elasticsearch-logging", timeout=10) as reply:
            assert json.loads(reply.read())["kind"] == "Service"
    finally:
        server.shutdown()
        server.server_close()


def test_host_curl_hands_loopback_urls_to_the_real_curl():
    cluster = new_cluster()
    with pytest.raises(SystemExit):
        tool(cluster, "curl", ["http://localhost:8001/api/"])
    from simkit import FakeIO
    from sim.workloads import host

    io = FakeIO()
    with pytest.raises(SystemExit):
        host.curl(cluster, ["curl", "-s", "http://127.0.0.1:8001/api"], io)
    assert io.exec_argv == ["curl", "-s", "http://127.0.0.1:8001/api"]


def test_no_code_path_opens_a_socket_to_a_non_loopback_address(monkeypatch):
    """Drive every network path with socket creation and connection watched."""
    attempts = []
    real_connect = socket.socket.connect
    real_init = socket.socket.__init__

    def watched_connect(self, address):
        attempts.append(address)
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"connection to {address}")
        return real_connect(self, address)

    created = []

    def watched_init(self, *args, **kwargs):
        created.append(threading.current_thread().name)
        return real_init(self, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", watched_connect)
    monkeypatch.setattr(socket.socket, "__init__", watched_init)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(AssertionError("dns")))
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: (_ for _ in ()).throw(AssertionError("tcp")))
    cluster = new_cluster()
    create(cluster, deployment("web", {"app": "web"}, replicas=2),
           service("web", {"app": "web"}, [{"port": 80}], type="NodePort"),
           service("ext", None, [], type="ExternalName", externalName="example.com"),
           pod("tools", "centos:6", container={"command": ["sleep", "infinity"]}), settle=8)
    client = [p for p in pods(cluster, "") if p["metadata"]["name"] == "tools"][0]
    for argv in (["curl", "-s", "http://web/"], ["curl", "-sI", "http://ext/", "-H", "Host: example.com"],
                 ["curl", "-sk", "https://www.google.com/"], ["curl", "-s", "http://93.184.215.14/"],
                 ["curl", "-s", "-m", "1", "http://198.51.100.7/"], ["dig", "example.com"],
                 ["nslookup", "web"], ["curl", "-s", "http://apple.com/"]):
        run(cluster, client, argv)
    tool(cluster, "curl", ["-s", "-m", "1", "http://203.0.113.99/"])
    tool(cluster, "dig", ["example.com"])
    tool(cluster, "sim-node", ["sh", "-c", "curl -s http://web.default.svc.cluster.local/; curl -s http://example.com"])
    assert attempts == [] and created == []


def test_any_request_path_gets_an_http_answer():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from sim.net import proxy

    cluster = new_cluster()
    segment = st.sampled_from(["api", "v1", "apis", "apps", "namespaces", "default", "kube-system",
                               "services", "pods", "kube-dns", "kube-dns:dns", "https:kube-dns:",
                               "proxy", "", "%2F", "..", "deployments", "nodes", "x:y:z:w", "?a=b"])

    @settings(max_examples=200, deadline=None)
    @given(st.lists(segment, max_size=9))
    def check(parts):
        response = proxy.handle(cluster, "GET", "/" + "/".join(parts), [])
        assert 200 <= response.status < 600

    check()


def test_the_proxy_dates_its_answers_by_the_cluster_clock():
    from datetime import timedelta
    from email.utils import parsedate_to_datetime

    from sim.net import proxy

    cluster = new_cluster()
    server = proxy.start(cluster, 0)
    try:
        port = server.server_address[1]
        dates = []
        for _ in range(2):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/namespaces", timeout=10) as reply:
                dates.append(parsedate_to_datetime(reply.headers["Date"]))
            cluster.clock.advance(3600)
    finally:
        server.shutdown()
        server.server_close()
    now = cluster.clock.now().replace(microsecond=0)
    assert dates == [now - timedelta(hours=2), now - timedelta(hours=1)]
