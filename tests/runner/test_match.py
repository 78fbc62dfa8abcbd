"""Examples for each matching rule of SPEC section 1, on kubectl-shaped output."""

from __future__ import annotations

import time

import pytest

from tutorial_runner.match import (
    Bindings,
    find_volatile,
    generated_segments,
    match_line,
    match_output,
    match_prompt,
    rewrite_expected,
    substitute,
)


def lines(text: str) -> list[str]:
    return text.strip("\n").splitlines()


def ok(expected: str, live: str, bindings: Bindings = Bindings(), **options: object) -> Bindings:
    result = match_output(lines(expected), lines(live), bindings, **options)  # type: ignore[arg-type]
    assert result.ok, "\n".join(result.diff)
    assert result.diff == []
    return result.bindings


def fails(expected: str, live: str, bindings: Bindings = Bindings(), **options: object) -> list[str]:
    result = match_output(lines(expected), lines(live), bindings, **options)  # type: ignore[arg-type]
    assert not result.ok
    assert result.diff[:2] in (["--- expected", "+++ live"], ["--- expected (any order)", "+++ live"])
    return result.diff


# -- Bindings ------------------------------------------------------------------------------


def test_bindings_are_one_to_one_and_immutable() -> None:
    empty = Bindings()
    one = empty.bind("10.0.0.1", "10.96.0.1")
    assert one is not None and len(empty) == 0
    assert one.get("10.0.0.1") == "10.96.0.1" and one.documented("10.96.0.1") == "10.0.0.1"
    assert one.bind("10.0.0.1", "10.96.0.1") is one
    assert one.bind("10.0.0.1", "10.96.0.2") is None      # one doc value, two live values
    assert one.bind("10.0.0.2", "10.96.0.1") is None      # two doc values, one live value
    assert one == Bindings.of({"10.0.0.1": "10.96.0.1"})
    assert hash(one) == hash(Bindings.of([("10.0.0.1", "10.96.0.1")]))
    with pytest.raises(ValueError):
        Bindings.of({"a": "x", "b": "x"})


# -- whitespace ----------------------------------------------------------------------------


@pytest.mark.parametrize("live", ["a b", "a      b", "a\tb", "a b   ", "a \t b"])
def test_a_run_of_whitespace_matches_any_run(live: str) -> None:
    assert match_line("a   b", live) is not None


@pytest.mark.parametrize("expected, live", [("ab", "a b"), ("a b", "ab"), ("  x", "x"), ("x", "  x"),
                                            ("a b", "a c")])
def test_presence_of_whitespace_and_characters_matter(expected: str, live: str) -> None:
    assert match_line(expected, live) is None


def test_leading_whitespace_run_and_trailing_whitespace() -> None:
    assert match_line("    podIP: 10.244.3.4", "  podIP: 10.244.3.4   ") is not None
    assert match_line("value   ", "value") is not None


def test_realigned_table_columns_match() -> None:
    ok("""
NAME       TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE
kube-dns   ClusterIP   10.0.0.10      <none>        53/UDP,53/TCP   8m
""", """
NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE
kube-dns   ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   25s
""".replace(",9153/TCP", ""))


def test_exact_whitespace() -> None:
    assert match_line("a  b", "a  b", exact_whitespace=True) is not None
    assert match_line("a  b", "a b", exact_whitespace=True) is None
    assert match_line("a\tb", "a b", exact_whitespace=True) is None
    assert match_line("a b  ", "a b", exact_whitespace=True) is not None   # trailing never counts
    fails("x  y", "x y", exact_whitespace=True)


def test_trailing_blank_lines_of_an_output_are_ignored() -> None:
    ok("a\n\nb", "a\n\nb\n\n\n")
    fails("a\n\nb", "a\nb")


# -- volatile kinds ------------------------------------------------------------------------

VOLATILE_CASES = [
    # (documented line, kind, value)
    ("my-nginx   ClusterIP   10.0.162.149   <none>        80/TCP    21s", "ipv4", "10.0.162.149"),
    ("Endpoints:           10.244.2.5:80,10.244.3.4:80", "ipv4", "10.244.3.4"),
    ("MY_NGINX_PORT=tcp://10.0.162.149:80", "ipv4", "10.0.162.149"),
    ("Address 1: fd00:10:96::a", "ipv6", "fd00:10:96::a"),
    ("my-nginx-3800858182-jr4a2   1/1   Running   0   13s", "name", "my-nginx-3800858182-jr4a2"),
    ("nginx-deployment-5d59d67564   3   3   3   18s", "name", "nginx-deployment-5d59d67564"),
    ("curl-deployment-1515033274-1410r   1/1   Running   0   1m", "name",
     "curl-deployment-1515033274-1410r"),
    ("Waiting for pod default/curl-131556218-9fnch to be running", "name", "curl-131556218-9fnch"),
    ("default-token-il9rc   kubernetes.io/service-account-token   1   1d", "name",
     "default-token-il9rc"),
    ("pod/web-7c5ddbdf54-xk9zq   1/1   Running   0   5s", "name", "web-7c5ddbdf54-xk9zq"),
    ("  uid: 07191fb3-f61a-11e5-8ae5-42010af00002", "uuid", "07191fb3-f61a-11e5-8ae5-42010af00002"),
    ("my-nginx   NodePort   10.0.162.149   <none>   8080:31704/TCP   5s", "node_port", "31704"),
    ("    nodePort: 32453", "node_port", "32453"),
    ('        "nodePort": 30080,', "node_port", "30080"),
    ("NodePort:                 https  32453/TCP", "node_port", "32453"),
    ("$ curl https://104.197.41.11:32453 -k", "node_port", "32453"),
    ('  resourceVersion: "12345"', "resource_version", "12345"),
    ("LoadBalancer Ingress:     a320587ffd19711e5a37606cf4a74574-1142138393.us-east-1.elb.amazonaws.com",
     "hex", "a320587ffd19711e5a37606cf4a74574"),
    ("LoadBalancer Ingress:     a320587ffd19711e5a37606cf4a74574-1142138393.us-east-1.elb.amazonaws.com",
     "elb_id", "1142138393"),
    ("    containerID: docker://3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b", "hex", "3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b"),
    ("my-nginx   LoadBalancer   10.0.162.149   a320587ffd197...   80:30163/TCP   5s", "hex",
     "a320587ffd197..."),
    ("  creationTimestamp: 2016-03-28T18:06:08Z", "rfc3339", "2016-03-28T18:06:08Z"),
    ("Date: Sun, 22 Nov 2026 03:02:16 GMT", "http_date", "Sun, 22 Nov 2026 03:02:16 GMT"),
    ("Start Time:   Sun, 22 Nov 2026 03:02:16 +0000", "http_date", "Sun, 22 Nov 2026 03:02:16 +0000"),
    ("  Normal  Pulled  2m (x2 over 5m)  kubelet  pulled", "age", "2m (x2 over 5m)"),
    ("web-0   1/1     Running   1 (2m ago)   5m", "age", "2m"),
    ("Age: 522515", "http_age", "522515"),
    ('Etag: "3147526947+ident"', "etag", '"3147526947+ident"'),
    ("2020/04/01 14:54:34 [notice] 1#1: start worker processes", "log_time", "2020/04/01 14:54:34"),
    ('10.244.1.1 - - [01/Apr/2020:14:54:34 +0000] "GET / HTTP/1.1" 200 612', "access_time",
     "01/Apr/2020:14:54:34 +0000"),
    ("I0911 09:19:26.677397       1 log.go:195] Started HTTP server on port 8080", "klog_time",
     "0911 09:19:26.677397"),
    ("E1207 07:01:02.000001   12 main.go:40] failed", "klog_time", "1207 07:01:02.000001"),
    ("1:M 13 Jun 2025 10:00:00.123 * Ready to accept connections tcp", "day_month_time",
     "13 Jun 2025 10:00:00.123"),
    ("  healthCheckNodePort: 32122", "node_port", "32122"),
    ('    "healthCheckNodePort": 31522,', "node_port", "31522"),
    ("gke-k8s-01-pool-2-641104a4-7r06   Ready   <none>   14h   v1.14.10-gke.17", "name",
     "gke-k8s-01-pool-2-641104a4-7r06"),
    ("sample-deployment-6c5948bf66-ghbrx   1/1   Running   0   5s", "name",
     "sample-deployment-6c5948bf66-ghbrx"),
]


@pytest.mark.parametrize("line, kind, value", VOLATILE_CASES)
def test_volatile_values_are_found(line: str, kind: str, value: str) -> None:
    found = [(v.kind, v.value) for v in find_volatile(line)]
    assert (kind, value) in found
    start = line.index(value)
    assert (start, start + len(value)) in [(v.start, v.end) for v in find_volatile(line)]


def test_log_times_match_any_time_and_never_bind() -> None:
    klog = "I0911 09:19:26.677397       1 log.go:195] Started HTTP server on port 8080"
    assert match_line(klog, "I1207 07:00:03.000000       1 log.go:195] Started HTTP server on port 8080") == Bindings()
    assert match_line(klog, "I1207 07:00:03.000000       1 log.go:195] Started HTTP server on port 9090") is None
    redis = "1:M 13 Jun 2025 10:00:00.123 * Ready to accept connections tcp"
    assert match_line(redis, "1:M 7 Dec 2026 07:00:03.250 * Ready to accept connections tcp") == Bindings()


def test_a_health_check_node_port_binds_like_a_node_port() -> None:
    b = match_line("  healthCheckNodePort: 32122", "  healthCheckNodePort: 30415", Bindings())
    assert b is not None and b.get("32122") == "30415"
    assert substitute("curl localhost:32122/healthz", b) == "curl localhost:30415/healthz"


@pytest.mark.parametrize("age", ["13s", "2m5s", "2m", "125m", "3h5m", "30h", "3d4h", "93d", "2y10d",
                                 "9y", "<invalid>", "1d", "2d1h", "1m", "0s"])
def test_every_age_shape_matches_every_other(age: str) -> None:
    expected = f"my-nginx   ClusterIP   10.0.162.149   <none>   80/TCP   {age}"
    for other in ["1s", "59m", "4d", "<invalid>", "3y2d", "5m (x3 over 10m)"]:
        bindings = match_line(expected, f"my-nginx   ClusterIP   10.96.4.1   <none>   80/TCP   {other}")
        assert bindings is not None
        assert dict(bindings.items()) == {"10.0.162.149": "10.96.4.1"}   # ages never bind


def test_times_do_not_bind_but_keep_their_kind() -> None:
    b = ok("creationTimestamp: 2016-03-28T18:06:08Z\nDate: Sun, 22 Nov 2026 03:02:16 GMT",
           "creationTimestamp: 2026-11-22T03:02:16Z\nDate: Mon, 23 Nov 2026 13:12:00 GMT")
    assert len(b) == 0
    fails("creationTimestamp: 2016-03-28T18:06:08Z", "creationTimestamp: yesterday")
    fails("NAME   AGE\nweb    13s", "NAME   AGE\nweb    soon")


@pytest.mark.parametrize("line", [
    "NAME    READY   STATUS    RESTARTS   AGE",
    "nginxsecret           kubernetes.io/tls                     2         1m",
    "my-nginx   2/2     2            2           10s",
    "kind: Deployment", "apiVersion: apps/v1", "    cpu: 100m", "image: nginx:1.7.9",
    "kube-proxy-amd64 networking-v1beta1 web-0 my-nginx run=my-nginx",
    "NAME       ENDPOINTS    AGE", "Port:              <unset>  80/TCP", "replicas: 2",
])
def test_ordinary_words_and_small_numbers_stay_literal(line: str) -> None:
    # only an AGE column's value may vary; words and counts stay literal
    assert [v.value for v in find_volatile(line) if v.kind != "age"] == []


def test_zones_and_versions_are_not_generated_names() -> None:
    line = "gke-a-1 us-central1-a n1-standard-1 true 10.128.0.60 v1.14.10-gke.17 docker://18.9.7"
    assert [(v.kind, v.value) for v in find_volatile(line)] == [("ipv4", "10.128.0.60")]


def test_http_headers_of_a_reply() -> None:
    b = ok("""
HTTP/1.1 200 OK
Accept-Ranges: bytes
Age: 522515
Cache-Control: max-age=604800
Date: Wed, 01 Apr 2020 14:54:39 GMT
Etag: "3147526947+ident"
Last-Modified: Thu, 17 Oct 2019 07:18:26 GMT
Content-Length: 1256
""", """
HTTP/1.1 200 OK
Accept-Ranges: bytes
Age: 12
Cache-Control: max-age=604800
Date: Sun, 22 Nov 2026 03:02:16 GMT
Etag: "5e4d2b4b-264"
Last-Modified: Tue, 03 Mar 2026 10:00:00 GMT
Content-Length: 1256
""")
    assert b.as_dict() == {'"3147526947+ident"': '"5e4d2b4b-264"'}
    fails("Cache-Control: max-age=604800", "Cache-Control: max-age=60")
    fails("Content-Length: 1256", "Content-Length: 612")


def test_yaml_grep_with_context_separators() -> None:
    b = ok("""
    - address: 104.197.41.11
      type: ExternalIP
    allocatable:
--
    - address: 23.251.152.56
      type: ExternalIP
    allocatable:
""", """
    - address: 34.82.1.10
      type: ExternalIP
    allocatable:
--
    - address: 34.82.1.11
      type: ExternalIP
    allocatable:
""")
    assert b.as_dict() == {"104.197.41.11": "34.82.1.10", "23.251.152.56": "34.82.1.11"}


def test_small_table_numbers_are_not_volatile() -> None:
    fails("nginxsecret   kubernetes.io/tls   2   1m", "nginxsecret   kubernetes.io/tls   3   1m")
    fails("web-1   1/1   Running   0   5s", "web-1   1/1   Running   1   5s")
    fails("my-nginx   1/1   Running   0   5s", "my-nginy   1/1   Running   0   5s")


def test_an_age_only_counts_as_a_standalone_token() -> None:
    assert [v.kind for v in find_volatile("timeout=5s sleep-10s x13s 13sx")] == []
    assert match_line("--timeout=5s", "--timeout=7s") is None


def test_generated_segments() -> None:
    assert generated_segments("my-nginx-3800858182-jr4a2") == 2
    assert generated_segments("my-nginx-3800858182") == 1
    assert generated_segments("default-token-il9rc") == 1
    assert generated_segments("curl-131556218-9fnch") == 2
    assert generated_segments("coredns-5644d7b6d9-2vxdr") == 2
    assert generated_segments("gke-k8s-01-pool-2-641104a4-7r06") == 2
    # at least one segment stays the base name
    assert generated_segments("3800858182-jr4a2") == 1
    assert generated_segments("5d59d67564") == 0
    for word in ["my-nginx", "curl-deployment", "kube-proxy-amd64", "web-0", "nginx-ingress-controller",
                 "networking-v1beta1", "run-my-nginx", "us-central1", "us-central1-a", "n1-standard-1",
                 "ubuntu-2004", "etcd-minikube"]:
        assert generated_segments(word) == 0, word


def test_generated_names_keep_their_base_literal() -> None:
    b = match_line("pod/my-nginx-3800858182-jr4a2 created", "pod/my-nginx-5d59d67564-xk9zq created")
    assert b is not None and b.get("my-nginx-3800858182-jr4a2") == "my-nginx-5d59d67564-xk9zq"
    assert match_line("pod/my-nginx-3800858182-jr4a2 created", "pod/your-nginx-5d59d67564-xk9zq created") is None
    assert match_line("pod/my-nginx-3800858182-jr4a2 created", "pod/my-nginx-5d59d67564 created") is None
    assert match_line("pod/my-nginx-3800858182 created", "pod/my-nginx-5d59d67564-xk9zq created") is None
    # the old kubectl's generated name is not the bare name a newer kubectl gives
    assert match_line("Waiting for pod default/curl-131556218-9fnch to be running",
                      "Waiting for pod default/curl to be running") is None


def test_ips_bind_inside_larger_words() -> None:
    b = ok("Endpoints:           10.244.2.5:80,10.244.3.4:80\nKUBERNETES_PORT=tcp://10.0.162.149:80",
           "Endpoints:   10.244.1.9:80,10.244.2.10:80\nKUBERNETES_PORT=tcp://10.96.0.1:80")
    assert b.as_dict() == {"10.244.2.5": "10.244.1.9", "10.244.3.4": "10.244.2.10",
                           "10.0.162.149": "10.96.0.1"}


def test_node_ports_and_uids_and_resource_versions_bind() -> None:
    b = ok("""
  resourceVersion: "2651"
  uid: 07191fb3-f61a-11e5-8ae5-42010af00002
spec:
  ports:
  - name: http
    nodePort: 31704
""", """
  resourceVersion: "118"
  uid: 5b9e3f0c-1d2e-4f5a-8b7c-9d0e1f2a3b4c
spec:
  ports:
  - name: http
    nodePort: 30515
""")
    assert b.get("31704") == "30515" and b.get("2651") == "118"
    assert b.get("07191fb3-f61a-11e5-8ae5-42010af00002") == "5b9e3f0c-1d2e-4f5a-8b7c-9d0e1f2a3b4c"
    fails("    nodePort: 31704", "    nodePort: 31705", b)


def test_bindings_carry_over_between_outputs() -> None:
    b = ok("my-nginx   ClusterIP   10.0.162.149   <none>   80/TCP   21s",
           "my-nginx   ClusterIP   10.96.12.7   <none>   80/TCP   3s")
    ok("MY_NGINX_SERVICE_HOST=10.0.162.149", "MY_NGINX_SERVICE_HOST=10.96.12.7", b)
    diff = fails("MY_NGINX_SERVICE_HOST=10.0.162.149", "MY_NGINX_SERVICE_HOST=10.96.12.8", b)
    assert "+MY_NGINX_SERVICE_HOST=10.96.12.8" in diff
    assert any("10.0.162.149 is bound to 10.96.12.7" in row for row in diff)
    fails("KUBE=10.0.0.1", "KUBE=10.96.12.7", b)   # taken by another documented value


def test_ipv6_addresses_bind() -> None:
    b = ok("Address 1: fd00:10:96::a kube-dns.kube-system.svc.cluster.local",
           "Address 1: fd00:10:96::1:a kube-dns.kube-system.svc.cluster.local")
    assert b.as_dict() == {"fd00:10:96::a": "fd00:10:96::1:a"}
    fails("Address 1: fd00:10:96::a", "Address 1: 10.96.0.10")
    assert find_volatile("time 10:30:00 and key::value and std::string") == []


def test_one_to_one_within_a_single_line() -> None:
    assert match_line("10.0.0.1 10.0.0.2", "10.96.0.1 10.96.0.1") is None
    assert match_line("10.0.0.1 10.0.0.1", "10.96.0.1 10.96.0.2") is None
    assert match_line("10.0.0.1 10.0.0.1", "10.96.0.1 10.96.0.1") is not None


def test_describe_service_with_events() -> None:
    ok("""
Name:                     my-nginx
Namespace:                default
Labels:                   run=my-nginx
Annotations:              <none>
Selector:                 run=my-nginx
Type:                     NodePort
IP:                       10.0.162.149
Port:                     http  8080/TCP
TargetPort:               80/TCP
NodePort:                 http  31704/TCP
Endpoints:                10.244.3.5:80
Session Affinity:         None
Events:
  Type    Reason                Age   From                Message
  ----    ------                ----  ----                -------
  Normal  EnsuringLoadBalancer  2m    service-controller  Ensuring load balancer
""", """
Name:                     my-nginx
Namespace:                default
Labels:                   run=my-nginx
Annotations:              <none>
Selector:                 run=my-nginx
Type:                     NodePort
IP:                       10.96.117.3
Port:                     http  8080/TCP
TargetPort:               80/TCP
NodePort:                 http  32001/TCP
Endpoints:                10.244.1.4:80
Session Affinity:         None
Events:
  Type    Reason                Age              From                Message
  ----    ------                ----             ----                -------
  Normal  EnsuringLoadBalancer  8s (x2 over 9s)  service-controller  Ensuring load balancer
""")


# -- ellipsis --------------------------------------------------------------------------------


def test_ellipsis_matches_any_number_of_lines() -> None:
    for n in range(4):
        ok("<html>\n...\n<h1>Welcome to nginx!</h1>\n...",
           "<html>\n" + "x\n" * n + "<h1>Welcome to nginx!</h1>\n" + "y\n" * n)
    ok("...", "")
    ok("...\n...", "a\nb")
    fails("...\n<h1>Welcome to nginx!</h1>", "<h1>Welcome!</h1>")
    fails("a\n...\nb", "a\nc")
    fails("a\n...", "b\na")


def test_ellipsis_backtracks_with_bindings() -> None:
    # The first candidate line would bind 10.0.0.1 wrongly; the match must look further.
    b = Bindings.of({"10.0.0.1": "10.96.0.9"})
    result = ok("...\nServer: 10.0.0.1\nok", "Server: 10.96.0.5\nnoise\nServer: 10.96.0.9\nok", b)
    assert result.get("10.0.0.1") == "10.96.0.9"
    ok("...\nA 10.0.0.1\n...\nB 10.0.0.1", "A 10.1.1.1\nA 10.1.1.2\nB 10.1.1.2")


def test_literal_dots_are_not_an_ellipsis() -> None:
    fails("  ...", "x")
    ok("my-nginx   10.244.1.4:80,10.244.2.5:80 + 1 more...   5s",
       "my-nginx   10.244.7.4:80,10.244.8.5:80 + 1 more...   9s")


# -- unordered ---------------------------------------------------------------------------------


def test_unordered_matches_a_multiset_with_bindings() -> None:
    expected = """
KUBERNETES_SERVICE_PORT=443
MY_NGINX_SERVICE_HOST=10.0.162.149
KUBERNETES_SERVICE_HOST=10.0.0.1
MY_NGINX_SERVICE_PORT=80
"""
    live = """
KUBERNETES_SERVICE_HOST=10.96.0.1
KUBERNETES_SERVICE_PORT=443
MY_NGINX_SERVICE_HOST=10.96.44.2
MY_NGINX_SERVICE_PORT=80
"""
    b = ok(expected, live, unordered=True)
    assert b.as_dict() == {"10.0.162.149": "10.96.44.2", "10.0.0.1": "10.96.0.1"}
    fails(expected, live, unordered=False)
    fails(expected, live + "EXTRA=1", unordered=True)
    fails(expected + "EXTRA=1", live, unordered=True)
    ok(expected + "...", live + "EXTRA=1\nMORE=2", unordered=True)
    fails("a\na", "a\nb", unordered=True)   # a multiset, not a set


def test_unordered_searches_for_a_consistent_assignment() -> None:
    # Greedy pairing of the first line with the first live line would bind wrongly.
    b = Bindings.of({"10.0.0.2": "10.9.9.1"})
    ok("host 10.0.0.1\nhost 10.0.0.2", "host 10.9.9.1\nhost 10.9.9.2", b, unordered=True)


# -- vars ---------------------------------------------------------------------------------------


def test_vars_bind_placeholders() -> None:
    b = ok("EXTERNAL-IP: <EXTERNAL-IP>\nurl https://<EXTERNAL-IP>:<NODE-PORT>/x",
           "EXTERNAL-IP: 104.198.1.2\nurl https://104.198.1.2:30555/x",
           vars=("<EXTERNAL-IP>", "<NODE-PORT>"))
    assert b.as_dict() == {"<EXTERNAL-IP>": "104.198.1.2", "<NODE-PORT>": "30555"}
    fails("EXTERNAL-IP: <EXTERNAL-IP>\nagain <EXTERNAL-IP>", "EXTERNAL-IP: 1.2.3.4\nagain 1.2.3.5",
          vars=("<EXTERNAL-IP>",))
    fails("EXTERNAL-IP: <EXTERNAL-IP>", "EXTERNAL-IP: 1.2.3.4", vars=())


def test_var_alias_stands_for_a_documented_value() -> None:
    b = ok("    - address: 104.197.41.11", "    - address: 34.1.2.3")
    b2 = ok("Hello from xxx.xxx.xxx.xxx", "Hello from 34.1.2.3", b,
            vars=("xxx.xxx.xxx.xxx=104.197.41.11",))
    assert b2 == b
    fails("Hello from xxx.xxx.xxx.xxx", "Hello from 34.1.2.4", b, vars=("xxx.xxx.xxx.xxx=104.197.41.11",))
    assert substitute("curl https://xxx.xxx.xxx.xxx:443", b, vars=("xxx.xxx.xxx.xxx=104.197.41.11",)) \
        == "curl https://34.1.2.3:443"


# -- substitution -----------------------------------------------------------------------------


def test_substitute_puts_live_values_in_commands() -> None:
    b = Bindings.of({"my-nginx-3800858182-jr4a2": "my-nginx-5d59d67564-xk9zq",
                     "my-nginx-3800858182": "my-nginx-5d59d67564",
                     "10.0.162.149": "10.96.3.3", "31704": "30007", "10.0.0.5": "10.96.0.50"})
    assert substitute("kubectl exec my-nginx-3800858182-jr4a2 -- printenv | grep SERVICE", b) == \
        "kubectl exec my-nginx-5d59d67564-xk9zq -- printenv | grep SERVICE"
    assert substitute("kubectl describe rs/my-nginx-3800858182", b) == "kubectl describe rs/my-nginx-5d59d67564"
    assert substitute("curl https://10.0.0.5:31704 -k", b) == "curl https://10.96.0.50:30007 -k"
    # whole tokens only: neither a longer address nor a longer name is touched
    assert substitute("ping 10.0.162.1490 110.0.162.149 10.0.162.149.1", b) == \
        "ping 10.0.162.1490 110.0.162.149 10.0.162.149.1"
    assert substitute("kubectl logs my-nginx-3800858182-zzzzz", b) == "kubectl logs my-nginx-3800858182-zzzzz"
    assert substitute("kubectl get svc my-nginx", b) == "kubectl get svc my-nginx"
    assert substitute("echo <EXTERNAL-IP>", b, vars=("<EXTERNAL-IP>",)) == "echo <EXTERNAL-IP>"


def test_substitute_runs_an_unbound_alias_as_its_documented_value() -> None:
    vars = ("<secret-name>=tls-secret", "<EXTERNAL-IP>=104.197.41.11")
    assert substitute("kubectl create secret tls <secret-name> --key k", Bindings(), vars=vars) == \
        "kubectl create secret tls tls-secret --key k"
    bound = Bindings.of({"104.197.41.11": "34.1.2.3"})
    assert substitute("curl https://<EXTERNAL-IP>:443", bound, vars=vars) == "curl https://34.1.2.3:443"
    assert substitute("curl https://<EXTERNAL-IP>:443", Bindings(), vars=vars) == \
        "curl https://104.197.41.11:443"


# -- prompts ------------------------------------------------------------------------------------


def test_match_prompt_splits_prompt_and_input() -> None:
    result = match_prompt("[ root@curl-131556218-9fnch:/ ]$ nslookup my-nginx",
                          "[ root@curl-5c7b8f6d9-x2k4q:/ ]$ ")
    assert result is not None
    bindings, rest = result
    assert rest == "nslookup my-nginx"
    assert bindings.get("curl-131556218-9fnch") == "curl-5c7b8f6d9-x2k4q"
    assert match_prompt("/ # wget -qO- my-nginx", "/ # ") == (Bindings(), "wget -qO- my-nginx")
    assert match_prompt("root@curl:/# ls", "root@curl:/# ") == (Bindings(), "ls")
    # a bare live name is not the documented generated one (strict on generated names)
    assert match_prompt("[ root@curl-131556218-9fnch:/ ]$ nslookup my-nginx", "[ root@curl:/ ]$ ") is None
    assert match_prompt("[ root@curl:/ ]$ nslookup my-nginx", "[ root@curl:/ ]$ ") is not None
    assert match_prompt("Server:    10.0.0.10", "/ # ") is None
    bound = Bindings.of({"curl-131556218-9fnch": "curl-aaaaaa1-bbbb2"})
    assert match_prompt("[ root@curl-131556218-9fnch:/ ]$ ls", "[ root@curl-5c7b8f6d9-x2k4q:/ ]$ ",
                        bound) is None


# -- diffs and rewriting -----------------------------------------------------------------------


def test_diff_is_unified_style_with_live_values() -> None:
    diff = fails("""
NAME       TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE
my-nginx   ClusterIP   10.0.162.149   <none>        80/TCP    21s
""", """
NAME       TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE
my-nginx   NodePort    10.96.0.77     <none>        80:30080/TCP    2s
""")
    assert diff == [
        "--- expected", "+++ live", "@@ -1,2 +1,2 @@",
        " NAME       TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE",
        "-my-nginx   ClusterIP   10.0.162.149   <none>        80/TCP    21s",
        "+my-nginx   NodePort    10.96.0.77     <none>        80:30080/TCP    2s",
    ]


def test_diff_of_missing_and_extra_lines() -> None:
    diff = fails("a\nb\nc", "a\nc\nd")
    assert [row for row in diff if row[:1] in "-+" and row[:3] not in ("---", "+++")] == ["-b", "+d"]


def test_rewrite_keeps_documented_values_and_ellipsis() -> None:
    expected = lines("""
NAME                        READY   STATUS    RESTARTS   AGE
my-nginx-3800858182-jr4a2   1/1     Running   0          13s
...
""")
    live = lines("""
NAME                        READY   STATUS    RESTARTS   AGE
my-nginx-5d59d67564-xk9zq   1/1     Running   2          13s
my-nginx-5d59d67564-b2c4d   1/1     Running   0          9s
""")
    bindings = Bindings.of({"my-nginx-3800858182-jr4a2": "my-nginx-5d59d67564-xk9zq"})
    new = rewrite_expected(expected, live, bindings)
    assert new == [expected[0],
                   "my-nginx-3800858182-jr4a2   1/1     Running   2          13s",
                   "...",
                   ]
    assert match_output(new, live, bindings).ok


def test_rewrite_writes_unmatched_live_lines_back() -> None:
    b = Bindings.of({"10.0.162.149": "10.96.1.1"})
    new = rewrite_expected(["my-nginx   ClusterIP   10.0.162.149   80/TCP   21s"],
                           ["my-nginx   NodePort   10.96.1.1   80:30001/TCP   3s"], b)
    assert new == ["my-nginx   NodePort   10.0.162.149   80:30001/TCP   3s"]
    assert rewrite_expected(["a", "old"], ["a", "new"], Bindings()) == ["a", "new"]
    new = rewrite_expected(["x <EXTERNAL-IP>"], ["y 34.1.1.1"], Bindings.of({"<EXTERNAL-IP>": "34.1.1.1"}),
                           vars=("<EXTERNAL-IP>",))
    assert new == ["y <EXTERNAL-IP>"]


def test_rewrite_unordered() -> None:
    new = rewrite_expected(["B=10.0.0.2", "A=1"], ["A=1", "B=10.96.0.2", "C=3"],
                           Bindings.of({"10.0.0.2": "10.96.0.2"}), unordered=True)
    assert new == ["A=1", "B=10.0.0.2", "C=3"]


# -- speed --------------------------------------------------------------------------------------


def _pod_table(prefix: str, hash_: str, ip: str, count: int) -> list[str]:
    rows = ["NAME                        READY   STATUS    RESTARTS   AGE   IP           NODE"]
    for i in range(count):
        rows.append(f"{prefix}-{hash_}-{i:04d}x   1/1     Running   0          13s   {ip}.{i // 250}.{i % 250}   node-1")
    return rows


def test_matching_200_lines_takes_a_few_milliseconds() -> None:
    expected = _pod_table("web", "3800858182", "10.244", 200)
    live = _pod_table("web", "5d59d67564", "10.9", 200)
    assert match_output(expected, live).ok     # compiles and caches the expected lines
    start = time.perf_counter()
    for _ in range(5):
        assert match_output(expected, live).ok
    assert (time.perf_counter() - start) / 5 < 0.02
    live[150] = live[150].replace("Running", "Pending")
    start = time.perf_counter()
    result = match_output(expected, live)
    assert not result.ok and time.perf_counter() - start < 0.5
    assert sum(1 for row in result.diff if row.startswith("+") and not row.startswith("+++")) == 1


# -- `...` inside a line ---------------------------------------------------------------------


@pytest.mark.parametrize("expected,live", [
    ("Server: nginx/...", "Server: nginx/1.27.3"),
    ("Client Version: v1...", "Client Version: v1.35.2"),
    ("inet 10.244.1.5/24 ... eth0", "inet 10.244.2.9/24 brd 10.244.2.255 scope global eth0"),
    ("inet 10.244.1.5/24 ... eth0", "inet 10.244.2.9/24 eth0"),
    ("... Running ...", "web-5c7b8f6d9-x2k4q   1/1     Running   0          5s"),
    ("a...b", "ab"),
    ("Waiting for rollout to finish: 0 of 3 updated replicas are available...",
     "Waiting for rollout to finish: 0 of 3 updated replicas are available..."),
])
def test_an_ellipsis_inside_a_line_stands_for_any_text(expected, live):
    ok(expected, live)


@pytest.mark.parametrize("expected,live", [
    ("Server: nginx/...", "Server: apache/2.4"),
    ("inet 10.244.1.5/24 ... eth0", "inet 10.244.2.9/24 scope global eth1"),
    ("a ... b", "ab"),                 # the whitespace written around it is still there
    ("NAME ...", "NAMESPACE"),
    ("x....y", "xzzzzy"),              # four dots are text, not an ellipsis
])
def test_the_rest_of_a_line_with_an_ellipsis_still_counts(expected, live):
    assert not match_output(lines(expected), lines(live)).ok


def test_values_around_an_inline_ellipsis_still_bind():
    b = ok("pod/my-nginx-3800858182-jr4a2 ... 10.244.3.4",
           "pod/my-nginx-5c7b8f6d9-x2k4q condition met at 10.244.1.5")
    assert b.get("my-nginx-3800858182-jr4a2") == "my-nginx-5c7b8f6d9-x2k4q"
    assert b.get("10.244.3.4") == "10.244.1.5"


# -- tables whose columns moved ------------------------------------------------------------------

OLD_PODS = """
NAME                        READY     STATUS    RESTARTS   AGE       IP            NODE
my-nginx-3800858182-jr4a2   1/1       Running   0          13s       10.244.3.4    kubernetes-minion-905m
my-nginx-3800858182-kna2y   1/1       Running   0          13s       10.244.2.5    kubernetes-minion-ljyd
"""
NEW_PODS = """
NAME                       READY   STATUS    RESTARTS   AGE   IP            NODE     NOMINATED NODE   READINESS GATES
my-nginx-5c7b8f6d9-x2k4q   1/1     Running   0          5s    10.244.1.5    node-1   <none>           <none>
my-nginx-5c7b8f6d9-zt9pq   1/1     Running   0          5s    10.244.2.7    node-2   <none>           <none>
"""


def test_an_old_table_with_fewer_columns_fails_but_its_names_and_addresses_bind():
    result = match_output(lines(OLD_PODS), lines(NEW_PODS))
    assert not result.ok
    assert result.bindings.as_dict() == {
        "my-nginx-3800858182-jr4a2": "my-nginx-5c7b8f6d9-x2k4q", "10.244.3.4": "10.244.1.5",
        "my-nginx-3800858182-kna2y": "my-nginx-5c7b8f6d9-zt9pq", "10.244.2.5": "10.244.2.7"}
    assert substitute("kubectl exec my-nginx-3800858182-kna2y -- printenv", result.bindings) == \
        "kubectl exec my-nginx-5c7b8f6d9-zt9pq -- printenv"


def test_rows_pair_by_their_name_not_by_their_place():
    documented = """
NAME                       IP           NODE
web-3800858182-jr4a2       10.244.3.4   node-2
db                         10.244.9.9   node-1
"""
    live = """
NAME                       READY   NODE     IP
db                         1/1     node-1   10.244.0.7
web-5c7b8f6d9-x2k4q        1/1     node-2   10.244.1.5
"""
    result = match_output(lines(documented), lines(live))
    assert not result.ok
    assert result.bindings.get("10.244.9.9") == "10.244.0.7"
    assert result.bindings.get("web-3800858182-jr4a2") == "web-5c7b8f6d9-x2k4q"
    assert result.bindings.get("10.244.3.4") == "10.244.1.5"


def test_a_row_whose_name_does_not_match_binds_nothing():
    documented = """
NAME                         IP
curl-131556218-9fnch         10.244.3.4
"""
    live = """
NAME   READY   IP
curl   1/1     10.244.1.5
"""
    result = match_output(lines(documented), lines(live))
    assert not result.ok and len(result.bindings) == 0


def test_table_bindings_keep_what_is_already_bound():
    bound = Bindings.of({"my-nginx-3800858182-jr4a2": "my-nginx-5c7b8f6d9-zt9pq"})
    result = match_output(lines(OLD_PODS), lines(NEW_PODS), bound)
    assert result.bindings.get("my-nginx-3800858182-jr4a2") == "my-nginx-5c7b8f6d9-zt9pq"
    assert result.bindings.get("my-nginx-3800858182-kna2y") == "my-nginx-5c7b8f6d9-x2k4q"
    assert result.bindings.get("10.244.3.4") == "10.244.2.7"


def test_tables_of_several_kinds_in_one_output_pair_up():
    documented = """
NAME                            READY     STATUS    RESTARTS   AGE
pod/web-3800858182-jr4a2        1/1       Running   0          1m

NAME          CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE
svc/web       10.0.162.149   <none>        80/TCP    1m
"""
    live = """
NAME                           READY   STATUS    RESTARTS   AGE
pod/web-5c7b8f6d9-x2k4q        1/1     Running   0          62s

NAME          TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE
service/web   ClusterIP   10.96.10.20    <none>        80/TCP    62s
"""
    result = match_output(lines(documented), lines(live))
    assert not result.ok
    assert result.bindings.get("web-3800858182-jr4a2") == "web-5c7b8f6d9-x2k4q"
    # svc/web is not service/web: that row does not pair, so its address binds nothing
    assert "10.0.162.149" not in result.bindings


def test_a_table_a_page_collapsed_to_single_spaces_still_binds_by_header():
    documented = """
NAME READY STATUS RESTARTS AGE IP
my-nginx-3800858182-jr4a2 1/1 Running 0 13s 10.244.3.4
"""
    result = match_output(lines(documented), lines(NEW_PODS))
    assert not result.ok
    assert result.bindings.as_dict() == {"my-nginx-3800858182-jr4a2": "my-nginx-5c7b8f6d9-x2k4q",
                                         "10.244.3.4": "10.244.1.5"}
