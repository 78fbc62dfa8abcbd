"""The container environment: image variables, HOSTNAME, and Service variables only for
Services that existed when the container started."""

from simkit import create, deployment, get, new_cluster, pods, run, service


def _env(cluster, target):
    code, out, _ = run(cluster, target, ["printenv"])
    assert code == 0
    return dict(line.split("=", 1) for line in out.splitlines())


def test_service_variables_only_for_services_created_before_the_pod():
    cluster = new_cluster()
    create(cluster, deployment("web", {"app": "web"}, replicas=1))
    early = pods(cluster, "app=web")[0]
    create(cluster, service("my-web", {"app": "web"}, [{"port": 8080, "targetPort": 80, "name": "http"}]))
    env = _env(cluster, early)
    assert "MY_WEB_SERVICE_HOST" not in env
    kubernetes_ip = get(cluster, "services", "kubernetes")["spec"]["clusterIP"]
    assert env["KUBERNETES_SERVICE_HOST"] == kubernetes_ip
    assert env["KUBERNETES_SERVICE_PORT_HTTPS"] == "443"

    with cluster.lock:
        cluster.store.delete("pods", "default", early["metadata"]["name"])
        cluster.run_for(40)
    late = [p for p in pods(cluster, "app=web") if p["metadata"]["name"] != early["metadata"]["name"]][0]
    env = _env(cluster, late)
    ip = get(cluster, "services", "my-web")["spec"]["clusterIP"]
    assert env["MY_WEB_SERVICE_HOST"] == ip
    assert env["MY_WEB_SERVICE_PORT"] == "8080"
    assert env["MY_WEB_SERVICE_PORT_HTTP"] == "8080"
    assert env["MY_WEB_PORT"] == f"tcp://{ip}:8080"
    assert env["MY_WEB_PORT_8080_TCP"] == f"tcp://{ip}:8080"
    assert env["MY_WEB_PORT_8080_TCP_PROTO"] == "tcp"
    assert env["MY_WEB_PORT_8080_TCP_PORT"] == "8080"
    assert env["MY_WEB_PORT_8080_TCP_ADDR"] == ip
    assert env["HOSTNAME"] == late["metadata"]["name"]
    assert env["NGINX_VERSION"]


def test_headless_services_and_disabled_links_give_no_variables():
    cluster = new_cluster()
    create(cluster, service("headless", {"app": "web"}, [{"port": 80}], clusterIP="None"),
           service("plain", {"app": "web"}, [{"port": 80}]))
    create(cluster, deployment("web", {"app": "web"}),
           deployment("quiet", {"app": "quiet"}, enableServiceLinks=False))
    env = _env(cluster, pods(cluster, "app=web")[0])
    assert "PLAIN_SERVICE_HOST" in env and "HEADLESS_SERVICE_HOST" not in env
    env = _env(cluster, pods(cluster, "app=quiet")[0])
    assert "PLAIN_SERVICE_HOST" not in env and "KUBERNETES_SERVICE_HOST" in env


def test_files_the_kubelet_writes():
    cluster = new_cluster()
    create(cluster, deployment("web", {"app": "web"}))
    target = pods(cluster, "app=web")[0]
    name, ip = target["metadata"]["name"], target["status"]["podIP"]
    assert run(cluster, target, ["cat", "/etc/hostname"])[1] == name + "\n"
    hosts = run(cluster, target, ["cat", "/etc/hosts"])[1]
    assert hosts.startswith("# Kubernetes-managed hosts file.\n")
    assert hosts.endswith(f"{ip}\t{name}\n")
    resolv = run(cluster, target, ["cat", "/etc/resolv.conf"])[1]
    dns_ip = get(cluster, "services", "kube-dns", "kube-system")["spec"]["clusterIP"]
    assert resolv == ("search default.svc.cluster.local svc.cluster.local cluster.local\n"
                      f"nameserver {dns_ip}\noptions ndots:5\n")
    assert "<h1>Welcome to nginx!</h1>" in run(cluster, target, ["cat", "/usr/share/nginx/html/index.html"])[1]
    assert run(cluster, target, ["cat", "/var/run/secrets/kubernetes.io/serviceaccount/namespace"])[1] == "default"


def test_secret_and_configmap_volumes_are_files():
    import base64

    cluster = new_cluster()
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "creds", "namespace": "default"},
              "data": {"user": base64.b64encode(b"admin").decode()}}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf", "namespace": "default"},
              "data": {"default.conf": "server {}\n"}}
    create(cluster, secret, config, deployment(
        "web", {"app": "web"},
        volumes=[{"name": "s", "secret": {"secretName": "creds"}},
                 {"name": "c", "configMap": {"name": "conf"}}],
        containers=[{"name": "web", "image": "nginx",
                     "volumeMounts": [{"name": "s", "mountPath": "/etc/creds"},
                                      {"name": "c", "mountPath": "/etc/conf"}]}]))
    target = pods(cluster, "app=web")[0]
    assert run(cluster, target, ["cat", "/etc/creds/user"])[1] == "admin"
    assert run(cluster, target, ["ls", "/etc/conf"])[1] == "default.conf\n"
    code, _, err = run(cluster, target, ["sh", "-c", "echo x > /etc/creds/user"])
    assert code == 2 and "Read-only file system" in err


def test_a_sub_path_mount_replaces_one_file():
    cluster = new_cluster()
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf", "namespace": "default"},
              "data": {"nginx.conf": "events {}\n", "site.conf": "server { listen 8080; }\n"}}
    create(cluster, config, deployment(
        "web", {"app": "web"}, volumes=[{"name": "c", "configMap": {"name": "conf"}}],
        containers=[{"name": "web", "image": "nginx", "volumeMounts": [
            {"name": "c", "mountPath": "/etc/nginx/nginx.conf", "subPath": "nginx.conf"},
            {"name": "c", "mountPath": "/etc/nginx/conf.d"}]}]))
    target = pods(cluster, "app=web")[0]
    assert run(cluster, target, ["cat", "/etc/nginx/nginx.conf"])[1] == "events {}\n"
    assert run(cluster, target, ["ls", "/etc/nginx/conf.d"])[1] == "nginx.conf\nsite.conf\n"
