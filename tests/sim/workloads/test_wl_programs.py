"""Programs' details: curl redirects and write-out, plain HTTP to a TLS port, wget's
busybox output, node shells, gcloud outside a cloud, probe messages."""

import pytest

from simkit import create, deployment, get, new_cluster, pod, pods, run, service, tool


@pytest.fixture(scope="module")
def cluster():
    made = new_cluster()
    create(made, deployment("web", {"app": "web"}), service("web", {"app": "web"}, [{"port": 80}]),
           pod("box", "busybox", container={"command": ["sleep", "3600"]}),
           pod("plus", "radial/busyboxplus:curl", container={"command": ["sleep", "3600"]}), settle=8)
    return made


def test_curl_follows_redirects_and_writes_out(cluster):
    plus = get(cluster, "pods", "plus")
    web = pods(cluster, "app=web")[0]
    run(cluster, web, ["mkdir", "/usr/share/nginx/html/docs"])
    run(cluster, web, ["sh", "-c", "echo docs > /usr/share/nginx/html/docs/index.html"])
    code, out, _ = run(cluster, plus, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://web/docs"])
    assert (code, out) == (0, "301")
    code, out, _ = run(cluster, plus, ["curl", "-sL", "http://web/docs"])
    assert (code, out) == (0, "docs\n")
    code, out, err = run(cluster, plus, ["curl", "-sSf", "http://web/missing"])
    assert code == 22 and err == "curl: (22) The requested URL returned error: 404 Not Found\n"


def test_wget_prints_busybox_progress(cluster):
    box = get(cluster, "pods", "box")
    code, out, err = run(cluster, box, ["wget", "http://web/"])
    ip = get(cluster, "services", "web")["spec"]["clusterIP"]
    assert code == 0 and out == ""
    assert err.splitlines()[0] == f"Connecting to web ({ip}:80)"
    assert err.splitlines()[-1] == "'index.html' saved"
    assert "<h1>Welcome to nginx!</h1>" in run(cluster, box, ["cat", "index.html"])[1]
    code, _, err = run(cluster, box, ["wget", "-q", "http://web/missing"])
    assert code == 1 and err == "wget: server returned error: HTTP/1.1 404 Not Found\n"


def test_node_shell_runs_on_the_first_worker_or_the_named_node(cluster):
    with cluster.lock:
        nodes = sorted(n["metadata"]["name"] for n in cluster.store.list("nodes"))
    code, out, _ = tool(cluster, "sim-node", ["sh", "-c", "hostname; nosuch"])
    assert code == 127 and out.strip() in nodes and "control-plane" not in out
    code, out, _ = tool(cluster, "sim-node", ["--node", nodes[0], "sh", "-c", "hostname"])
    assert out == nodes[0] + "\n"


def test_gcloud_needs_a_google_cloud(cluster):
    code, out, err = tool(cluster, "gcloud", ["compute", "instances", "list"])
    assert code == 1 and out == ""
    assert err == ("ERROR: (gcloud.compute.instances.list) The required property [project] "
                   "is not currently set.\n")


def test_probe_messages_say_why(cluster):
    from sim.workloads import runtime

    web = pods(cluster, "app=web")[0]
    probe = {"httpGet": {"path": "/nothing", "port": 80}}
    spec_pod = dict(web, spec=dict(web["spec"], containers=[dict(web["spec"]["containers"][0],
                                                                   readinessProbe=probe)]))
    with cluster.lock:
        assert runtime.probe_ready(cluster, spec_pod, "web") == (False, "HTTP probe failed with statuscode: 404")
        probe["httpGet"]["port"] = 8080
        ok, message = runtime.probe_ready(cluster, spec_pod, "web")
    assert not ok and message.endswith(f"dial tcp {web['status']['podIP']}:8080: connect: connection refused")


def test_an_unknown_image_is_not_pulled():
    from sim.workloads import images

    assert images.known("nginx:1.19") and images.known("docker.io/library/nginx")
    assert images.known("radial/busyboxplus:curl") and images.known("centos:6")
    assert images.known("bprashanth/nginxhttps:1.0") and not images.known("bprashanth/nginxhttps:9.9")
    assert not images.known("example/no-such-image:1")


def test_gcloud_reserves_static_addresses_on_a_google_cloud():
    from sim.net.addresses import reserved_address

    gke = new_cluster("gke")
    code, out, err = tool(gke, "gcloud", ["compute", "addresses", "create", "web-static-ip", "--global"])
    assert code == 0 and out == ""
    assert err.startswith("Created [https://www.googleapis.com/compute/v1/projects/")
    assert err.endswith("/global/addresses/web-static-ip].\n")
    code, out, _ = tool(gke, "gcloud", ["compute", "addresses", "list"])
    header, row = out.splitlines()
    assert header.split() == ["NAME", "ADDRESS/RANGE", "TYPE", "PURPOSE", "NETWORK", "REGION", "SUBNET", "STATUS"]
    ip = reserved_address(gke, "web-static-ip")
    assert row.split() == ["web-static-ip", ip, "EXTERNAL", "RESERVED"]
    assert tool(gke, "gcloud", ["compute", "addresses", "create", "web-static-ip", "--global"])[0] == 1


def test_ping_reaches_pods_but_never_a_service_ip(cluster):
    box = get(cluster, "pods", "box")
    web = pods(cluster, "app=web")[0]
    code, out, _ = run(cluster, box, ["ping", "-c", "2", web["status"]["podIP"]])
    assert code == 0 and out.splitlines()[-2] == "2 packets transmitted, 2 packets received, 0% packet loss"
    code, out, _ = run(cluster, box, ["ping", "-c", "2", "web"])
    assert code == 1 and "2 packets transmitted, 0 packets received, 100% packet loss" in out


def test_ps_shows_the_main_process_as_pid_1(cluster):
    code, out, _ = run(cluster, get(cluster, "pods", "box"), ["ps"])
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["PID", "USER", "TIME", "COMMAND"]
    assert lines[1].split() == ["1", "root", "0:00", "sleep", "3600"]
    assert lines[2].split()[1:] == ["root", "0:00", "ps"]


def test_host_answers_in_one_line_per_record():
    cluster = new_cluster()
    create(cluster, service("web", {"app": "web"}, [{"port": 80}]),
           pod("centos", "centos:6", container={"command": ["sleep", "infinity"]}))
    centos = get(cluster, "pods", "centos")
    ip = get(cluster, "services", "web")["spec"]["clusterIP"]
    assert run(cluster, centos, ["host", "web"]) == (0, f"web.default.svc.cluster.local has address {ip}\n", "")
    reverse = ".".join(reversed(ip.split("."))) + ".in-addr.arpa"
    assert run(cluster, centos, ["host", ip])[1] == f"{reverse} domain name pointer web.default.svc.cluster.local.\n"
    assert run(cluster, centos, ["host", "nothing"]) == (1, "Host nothing not found: 3(NXDOMAIN)\n", "")


def test_network_tools_show_the_pods_own_address(cluster):
    box = get(cluster, "pods", "box")
    code, out, _ = run(cluster, box, ["ip", "addr"])
    assert code == 0 and f"    inet {box['status']['podIP']}/24 " in out
    assert run(cluster, box, ["nc", "-zv", "web", "80"])[0] == 0
    code, _, err = run(cluster, box, ["nc", "-z", box["status"]["podIP"], "81"])
    assert code == 1 and "Connection refused" in err
    assert run(cluster, box, ["sh", "-c", "expr 2 + 3; yes | head -2"])[1] == "5\ny\ny\n"


def test_sed_in_place_rewrites_the_file_and_prints_nothing(cluster):
    web = pods(cluster, "app=web")[0]
    run(cluster, web, ["sh", "-c", "printf 'hello world\\nworld\\n' > /tmp/w.txt"])
    assert run(cluster, web, ["sed", "s/world/there/", "/tmp/w.txt"]) == (0, "hello there\nthere\n", "")
    assert run(cluster, web, ["cat", "/tmp/w.txt"])[1] == "hello world\nworld\n"   # printed only
    assert run(cluster, web, ["sed", "-i", "s/world/there/g", "/tmp/w.txt"]) == (0, "", "")
    assert run(cluster, web, ["cat", "/tmp/w.txt"])[1] == "hello there\nthere\n"
    code, _, err = run(cluster, web, ["sed", "-i", "s/a/b/"])
    assert code != 0 and err == "sed: no input files\n"
