"""The image catalogue (sim/images/*.yaml) and what its images' programs answer and log:
nginx from its configuration (a mounted conf.d, TLS certificates), echoserver, hello-app,
agnhost, httpd, php-apache, redis, curlimages/curl; unknown images by profile."""

import base64
import datetime as dt
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from simkit import create, get, new_cluster, pod, run, service, tool


def _pod(name, image, **spec):
    return pod(name, image, labels={"app": name}, **spec)


def _ip(cluster, name):
    return get(cluster, "pods", name)["status"]["podIP"]


def _logs(cluster, name):
    from sim.workloads import runtime

    with cluster.lock:
        current = get(cluster, "pods", name)
        return runtime.logs(cluster, current, current["spec"]["containers"][0]["name"])


@pytest.fixture(scope="module")
def cluster():
    made = new_cluster()
    create(made, service("hello", {"app": "hello"}, [{"port": 80, "targetPort": 8080}]), settle=1)
    create(made,
           _pod("box", "busybox", container={"command": ["sleep", "3600"]}),
           _pod("echo", "registry.k8s.io/echoserver:1.10",
                container={"env": [{"name": "POD_NAME", "value": "echo"}]}),
           _pod("hello", "gcr.io/google-samples/hello-app:2.0"),
           _pod("net", "registry.k8s.io/e2e-test-images/agnhost:2.39",
                container={"args": ["netexec", "--http-port=8090"]}),
           _pod("hostnames", "registry.k8s.io/e2e-test-images/agnhost:2.39",
                container={"args": ["serve-hostname"]}),
           _pod("httpd", "httpd:2.4"), _pod("php", "registry.k8s.io/hpa-example"),
           _pod("redis", "redis:7.4"),
           _pod("curl", "curlimages/curl:8.11.1", container={"command": ["sleep", "3600"]}),
           settle=10)
    create(made, _pod("once", "curlimages/curl:8.11.1", restartPolicy="Never",
                      container={"args": ["-s", "http://hello/"]}), settle=5)
    return made


def _get(cluster, url, *options):
    return run(cluster, get(cluster, "pods", "box"), ["wget", *options, url])


def test_busybox_wget_reads_its_options_as_getopt_does(cluster):
    url = f"http://{_ip(cluster, 'hello')}:8080/"
    outputs = {tuple(o): _get(cluster, url, *o) for o in (["-qO-"], ["-qO", "-"], ["-q", "-O", "-"],
                                                          ["-O-", "-q"], ["--quiet", "--output-document=-"])}
    assert len(set(outputs.values())) == 1
    code, out, err = outputs[("-qO-",)]
    assert code == 0 and err == "" and out.startswith("Hello, world!")


def test_hello_app_says_its_version_and_hostname_and_logs_each_request(cluster):
    code, out, _ = _get(cluster, f"http://{_ip(cluster, 'hello')}:8080/some/path", "-qO-")
    assert (code, out) == (0, "Hello, world!\nVersion: 2.0.0\nHostname: hello\n")
    lines = _logs(cluster, "hello").splitlines()
    assert lines[0].endswith(" Server listening on port 8080")
    assert lines[-1].endswith(" Serving request: /some/path")


def test_echoserver_echoes_the_request_it_received(cluster):
    box_ip, echo_ip = _ip(cluster, "box"), _ip(cluster, "echo")
    code, out, _ = _get(cluster, f"http://{echo_ip}:8080/p?x=1", "-qO-")
    assert code == 0
    lines = out.split("\n")
    assert lines[:5] == ["", "", "Hostname: echo", "", "Pod Information:"]
    assert "\tpod name=echo" in lines
    assert f"\tclient_address={box_ip}" in lines
    assert "\treal path=/p" in lines and "\tquery=x=1" in lines
    assert f"\trequest_uri=http://{echo_ip}:8080/p?x=1" in lines
    assert f"\thost={echo_ip}:8080" in lines and "\t-no body in request-" in lines
    assert f'{box_ip} - - [' in _logs(cluster, "echo")


def test_agnhost_netexec_and_serve_hostname(cluster):
    box_ip, net_ip = _ip(cluster, "box"), _ip(cluster, "net")
    assert _get(cluster, f"http://{net_ip}:8090/hostname", "-qO-")[1] == "net"
    assert _get(cluster, f"http://{net_ip}:8090/echo?msg=repeat-me", "-qO-")[1] == "repeat-me"
    ip, _, port = _get(cluster, f"http://{net_ip}:8090/clientip", "-qO-")[1].partition(":")
    assert ip == box_ip and 32768 <= int(port) < 61000
    assert _get(cluster, f"http://{net_ip}:8080/hostname", "-qO-")[0] == 1   # moved by --http-port
    assert _get(cluster, f"http://{_ip(cluster, 'hostnames')}:9376/", "-qO-")[1] == "hostnames"
    started = _logs(cluster, "net").splitlines()[:2]
    assert [re.sub(r"^I\d{4} \d\d:\d\d:\d\d\.\d{6} ", "", line) for line in started] == [
        "      1 log.go:195] Started HTTP server on port 8090",
        "      1 log.go:195] Started UDP server on port  8081"]
    net = get(cluster, "pods", "net")
    assert run(cluster, net, ["/agnhost", "dns-suffix"])[1] == \
        "default.svc.cluster.local,svc.cluster.local,cluster.local\n"
    resolv = run(cluster, net, ["cat", "/etc/resolv.conf"])[1]
    server = [line.split()[1] for line in resolv.splitlines() if line.startswith("nameserver")][0]
    assert run(cluster, net, ["agnhost", "dns-server-list"])[1] == server + "\n"


def test_httpd_php_apache_and_redis(cluster):
    code, out, _ = _get(cluster, f"http://{_ip(cluster, 'httpd')}/", "-qO-")
    assert (code, out) == (0, "<html><body><h1>It works!</h1></body></html>\n")
    code, _, err = _get(cluster, f"http://{_ip(cluster, 'httpd')}/missing", "-qO-")
    assert code == 1 and "404 Not Found" in err
    assert '"GET /missing HTTP/1.1" 404' in _logs(cluster, "httpd")
    assert _get(cluster, f"http://{_ip(cluster, 'php')}/", "-qO-")[1] == "OK!"
    curl = get(cluster, "pods", "curl")
    code, _, err = run(cluster, curl, ["curl", "-sS", f"http://{_ip(cluster, 'redis')}:6379/"])
    assert (code, err) == (52, "curl: (52) Empty reply from server\n")
    assert "Ready to accept connections tcp" in _logs(cluster, "redis")


def test_curl_image_runs_as_its_user_and_its_entrypoint_runs_curl(cluster):
    curl = get(cluster, "pods", "curl")
    assert run(cluster, curl, ["id"])[1] == "uid=100(curl_user) gid=101(curl_group) groups=101(curl_group)\n"
    assert run(cluster, curl, ["pwd"])[1] == "/home/curl_user\n"
    once = get(cluster, "pods", "once")
    assert once["status"]["phase"] == "Succeeded"
    assert _logs(cluster, "once") == "Hello, world!\nVersion: 2.0.0\nHostname: hello\n"


def test_an_unknown_image_pulls_and_runs_its_command_unless_the_profile_says_fail():
    from sim.workloads import images

    assert images.pulls("ghcr.io/team/tool:1.2") and not images.known("ghcr.io/team/tool:1.2")
    assert images.pulls("team/tool") and images.pulls("us-docker.pkg.dev/p/r/tool:1")
    assert not images.pulls("ghcr.io/team/tool:1.2", "fail")
    assert not images.pulls("registry.example.org/team/tool:1.2")   # not a public registry
    assert not images.pulls("localhost:5000/tool:1.2")
    assert not images.pulls("Nginx:latest")                      # not a well-formed reference
    assert not images.pulls("bprashanth/nginxhttps:9.9")         # a known image, a tag it lacks
    assert images.pulls("nginx:1.27", "fail") and images.pulls("registry.k8s.io/etcd:3.6.5-0", "fail")
    for profile, phase in (("default", "Running"), ("known-images", "Pending")):
        cluster = new_cluster(profile)
        create(cluster, _pod("tool", "quay.io/team/tool:1.2",
                             container={"command": ["sh", "-c", "echo started; sleep 3600"]}), settle=8)
        current = get(cluster, "pods", "tool")
        assert current["status"]["phase"] == phase
        if phase == "Running":
            assert _logs(cluster, "tool") == "started\n"
        else:
            waiting = current["status"]["containerStatuses"][0]["state"]["waiting"]
            assert waiting["reason"] in ("ErrImagePull", "ImagePullBackOff")


def _certificate(name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(7).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def test_nginx_reads_a_mounted_conf_d_and_its_tls_certificate():
    cluster = new_cluster()
    cert, key = _certificate("secure.example")
    conf = """server {
    listen 8443 ssl;
    server_name secure.example;
    ssl_certificate /etc/nginx/certs/site.crt;
    ssl_certificate_key /etc/nginx/certs/site.key;
    root /srv/www;
    location / { try_files $uri $uri/ =404; }
    location = /health { return 200 'healthy'; }
}
server {
    listen 8080;
    location /old { return 301 https://$host:8443/; }
    location /api/ { proxy_pass http://backend; }
}
upstream backend { server hello:80; }
"""
    volumes = [{"name": "conf", "configMap": {"name": "site-conf"}},
               {"name": "certs", "secret": {"secretName": "site-tls"}},
               {"name": "www", "emptyDir": {}}]
    mounts = [{"name": "conf", "mountPath": "/etc/nginx/conf.d"},
              {"name": "certs", "mountPath": "/etc/nginx/certs"},
              {"name": "www", "mountPath": "/srv/www"}]
    create(cluster,
           {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "site-conf", "namespace": "default"},
            "data": {"site.conf": conf}},
           {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "site-tls", "namespace": "default"},
            "data": {"site.crt": base64.b64encode(cert).decode(), "site.key": base64.b64encode(key).decode()}},
           service("hello", {"app": "hello"}, [{"port": 80, "targetPort": 8080}]),
           _pod("hello", "gcr.io/google-samples/hello-app:1.0"),
           _pod("web", "nginx", volumes=volumes, container={"volumeMounts": mounts}),
           _pod("client", "radial/busyboxplus:curl", container={"command": ["sleep", "3600"]}), settle=10)
    web, client = get(cluster, "pods", "web"), get(cluster, "pods", "client")
    ip = web["status"]["podIP"]
    run(cluster, web, ["sh", "-c", "echo secure page > /srv/www/index.html"])
    code, _, err = run(cluster, client, ["curl", "-sS", f"http://{ip}:80/"])
    assert code == 7 and "Connection refused" in err              # default.conf is hidden by the mount
    curl_tls = ["curl", "-s", "--resolve", f"secure.example:8443:{ip}", "https://secure.example:8443/"]
    code, _, _ = run(cluster, client, curl_tls)
    assert code != 0                                              # not signed by a CA it trusts
    run(cluster, client, ["sh", "-c", f"echo '{cert.decode()}' > /tmp/ca.crt"])
    code, out, _ = run(cluster, client, curl_tls[:2] + ["--cacert", "/tmp/ca.crt"] + curl_tls[2:])
    assert (code, out) == (0, "secure page\n")
    code, out, _ = run(cluster, client, ["curl", "-sk", f"https://{ip}:8443/health"])
    assert (code, out) == (0, "healthy")
    code, out, _ = run(cluster, client, ["curl", "-sI", f"http://{ip}:8080/old"])
    assert out.startswith("HTTP/1.1 301 Moved Permanently") and f"Location: https://{ip}:8443/\r\n" in out
    code, out, _ = run(cluster, client, ["curl", "-s", f"http://{ip}:8080/api/"])
    assert out == "Hello, world!\nVersion: 1.0.0\nHostname: hello\n"


def test_a_malformed_reference_is_an_invalid_image_name():
    cluster = new_cluster()
    create(cluster, _pod("typo", "Nginx:1.27"), settle=30)
    current = get(cluster, "pods", "typo")
    waiting = current["status"]["containerStatuses"][0]["state"]["waiting"]
    message = ('Failed to apply default image tag "Nginx:1.27": couldn\'t parse image name '
               '"Nginx:1.27": invalid reference format: repository name (library/Nginx) must be lowercase')
    assert waiting == {"reason": "InvalidImageName", "message": message}
    with cluster.lock:
        events = {(e["reason"], e["message"]): e["count"] for e in cluster.store.list("events", "default")
                  if e["involvedObject"]["name"] == "typo"}
    assert events[("InspectFailed", message)] >= 2 and ("Failed", "Error: InvalidImageName") in events
    assert not any(reason == "Pulling" for reason, _ in events)
    code, out, _ = tool(cluster, "kubectl", ["get", "pod", "typo"])
    assert out.splitlines()[1].split()[:3] == ["typo", "0/1", "InvalidImageName"]


def test_a_tutorial_of_images_and_volumes_verifies(tmp_path):
    """A transcript as a reader writes it: echoserver behind a Service reached from an
    interactive busybox, hello-app through the curl image, a mistyped image that runs by
    default and backs off under known-images, a pod waiting for its Secret."""
    from pathlib import Path

    from tutorial_runner.cli import main

    document = Path(__file__).parent / "transcripts" / "images-and-volumes.md"
    assert main(["check", "--no-cache", "--cache-dir", str(tmp_path), str(document)]) == 0


def test_http_echo_answers_its_text_on_its_listen_address():
    cluster = new_cluster()
    create(cluster, _pod("apple", "hashicorp/http-echo:0.2.3", container={"args": ["-text=apple"]}),
           _pod("banana", "hashicorp/http-echo", container={"args": ["-text", "banana", "-listen=:8080"]}),
           _pod("client", "radial/busyboxplus:curl", container={"command": ["sleep", "3600"]}), settle=8)
    client = get(cluster, "pods", "client")
    code, out, _ = run(cluster, client, ["curl", "-si", f"http://{_ip(cluster, 'apple')}:5678/any/path"])
    head, _, body = out.partition("\r\n\r\n")
    assert code == 0 and body == "apple\n"
    assert head.split("\r\n")[1:3] == ["X-App-Name: http-echo", "X-App-Version: 0.2.3"]
    assert run(cluster, client, ["curl", "-s", f"http://{_ip(cluster, 'banana')}:8080/"])[1] == "banana\n"
    assert run(cluster, client, ["curl", "-s", f"http://{_ip(cluster, 'banana')}:5678/"])[0] == 7
    log = _logs(cluster, "banana").splitlines()
    assert log[0].endswith(" [INFO] server is listening on :8080")
    assert f' {_ip(cluster, "banana")}:8080 {_ip(cluster, "client")}:' in log[1]
    assert '"GET / HTTP/1.1" 200 7 "curl/' in log[1]


def test_nginx_with_a_broken_configuration_exits_and_says_why():
    cluster = new_cluster()
    conf = "server {\n    listen 80;\n    proxy_passs http://backend;\n}\n"
    volumes = [{"name": "conf", "configMap": {"name": "broken"}}]
    create(cluster,
           {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "broken", "namespace": "default"},
            "data": {"default.conf": conf}},
           _pod("web", "nginx:1.27", volumes=volumes,
                container={"volumeMounts": [{"name": "conf", "mountPath": "/etc/nginx/conf.d"}]}), settle=30)
    status = get(cluster, "pods", "web")["status"]["containerStatuses"][0]
    assert status["restartCount"] >= 1
    assert status["lastState"]["terminated"]["exitCode"] == 1
    log = _logs(cluster, "web").splitlines()
    error = 'unknown directive "proxy_passs" in /etc/nginx/conf.d/default.conf:3'
    assert log[-1] == f"nginx: [emerg] {error}" and log[-2].endswith(f" [emerg] 1#1: {error}")
    assert ("10-listen-on-ipv6-by-default.sh: info: can not modify /etc/nginx/conf.d/default.conf "
            "(read-only file system?)") in log


def test_redis_reads_its_config_map_at_start_and_redis_cli_talks_to_it():
    from simkit import FakeIO

    from sim.workloads import exec as wexec

    cluster = new_cluster()
    volumes = [{"name": "data", "emptyDir": {}},
               {"name": "config", "configMap": {"name": "redis-config",
                                                "items": [{"key": "redis-config", "path": "redis.conf"}]}}]
    mounts = [{"name": "data", "mountPath": "/redis-master-data"},
              {"name": "config", "mountPath": "/redis-master"}]
    create(cluster,
           {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "redis-config", "namespace": "default"},
            "data": {"redis-config": "maxmemory 2mb\nmaxmemory-policy allkeys-lru\n"}},
           _pod("redis", "redis:8.0.2", volumes=volumes,
                container={"command": ["redis-server", "/redis-master/redis.conf"], "volumeMounts": mounts}),
           _pod("client", "redis:8.0.2"), settle=8)
    redis = get(cluster, "pods", "redis")
    assert run(cluster, redis, ["redis-cli", "CONFIG", "GET", "maxmemory"])[1] == "maxmemory\n2097152\n"
    io = FakeIO(lines=["CONFIG GET maxmemory-policy", "SET greeting hello", "GET greeting",
                       "INCR visits", "GET missing", "NOSUCH a b", "exit"], tty=True)
    with cluster.lock:
        current = get(cluster, "pods", "redis")
    assert wexec.run(cluster, current, "redis", ["redis-cli"], io) == 0
    assert io.text.split("\r\n") == [
        "127.0.0.1:6379> CONFIG GET maxmemory-policy", '1) "maxmemory-policy"', '2) "allkeys-lru"',
        "127.0.0.1:6379> SET greeting hello", "OK", "127.0.0.1:6379> GET greeting", '"hello"',
        "127.0.0.1:6379> INCR visits", "(integer) 1", "127.0.0.1:6379> GET missing", "(nil)",
        "127.0.0.1:6379> NOSUCH a b",
        "(error) ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ",
        "127.0.0.1:6379> exit", ""]
    client = get(cluster, "pods", "client")
    ip = redis["status"]["podIP"]
    assert run(cluster, client, ["redis-cli", "-h", ip, "GET", "greeting"])[1] == "hello\n"
    code, _, err = run(cluster, client, ["redis-cli", "-h", ip, "-p", "6380", "PING"])
    assert code == 1 and err == f"Could not connect to Redis at {ip}:6380: Connection refused\n"
    default = run(cluster, client, ["redis-cli", "CONFIG", "GET", "maxmemory"])[1]
    assert default == "maxmemory\n0\n"                       # the client pod's own server
