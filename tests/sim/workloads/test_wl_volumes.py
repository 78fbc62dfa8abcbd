"""Volumes as the kubelet sets them up: a pod whose Secret or ConfigMap is missing waits in
ContainerCreating with FailedMount events until it appears; optional sources; what
secret, configMap, projected, downwardAPI, emptyDir and subPath mounts show inside."""

import base64

from simkit import FakeIO, create, get, new_cluster, tool


def _pod(name, volumes, mounts, containers=None, **spec):
    containers = containers or [{"name": "main", "image": "busybox",
                                 "command": ["sleep", "3600"], "volumeMounts": mounts}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default",
                                                             "labels": {"app": name}},
            "spec": dict(spec, volumes=volumes, containers=containers)}


def _exec(cluster, name, argv, container=None):
    from sim.workloads import exec as wexec

    io = FakeIO()
    with cluster.lock:
        current = cluster.store.get("pods", "default", name)
        code = wexec.run(cluster, current, container or current["spec"]["containers"][0]["name"],
                         argv, io)
    return code, io.text, io.errors


def _events(cluster, name, reason):
    with cluster.lock:
        return [e for e in cluster.store.list("events", "default")
                if e["involvedObject"]["name"] == name and e["reason"] == reason]


def _waiting_reason(pod):
    return pod["status"]["containerStatuses"][0]["state"].get("waiting", {}).get("reason")


def _secret(name, data):
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "default"},
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}}


def _config_map(name, data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"},
            "data": data}


def test_a_missing_secret_keeps_the_pod_creating_until_it_appears():
    cluster = new_cluster()
    create(cluster, _pod("web", [{"name": "creds", "secret": {"secretName": "db-pass"}}],
                         [{"name": "creds", "mountPath": "/etc/creds"}]), settle=40)
    pod = get(cluster, "pods", "web")
    assert pod["status"]["phase"] == "Pending" and _waiting_reason(pod) == "ContainerCreating"
    assert "podIP" not in pod["status"]          # the sandbox waits for the volumes
    failed = _events(cluster, "web", "FailedMount")
    assert [e["message"] for e in failed] == [
        'MountVolume.SetUp failed for volume "creds" : secret "db-pass" not found']
    assert failed[0]["type"] == "Warning" and failed[0]["source"]["component"] == "kubelet"
    assert failed[0]["count"] >= 5                # retried with a growing back-off, not every pass
    assert not _events(cluster, "web", "Pulling")
    code, out, _ = tool(cluster, "kubectl", ["describe", "pod", "web"])
    assert code == 0 and "FailedMount" in out and 'secret "db-pass" not found' in out
    create(cluster, settle=90)                    # the pod worker's wait ends after 2 min 3 s
    assert [e["message"] for e in _events(cluster, "web", "FailedMount")][1:] == [
        "Unable to attach or mount volumes: unmounted volumes=[creds], unattached volumes=[], "
        "failed to process volumes=[]: context deadline exceeded"]
    create(cluster, _secret("db-pass", {"password": "s3cret"}), settle=130)
    pod = get(cluster, "pods", "web")
    assert pod["status"]["phase"] == "Running"
    assert _exec(cluster, "web", ["cat", "/etc/creds/password"])[1] == "s3cret"
    assert _events(cluster, "web", "Pulling")


def test_a_missing_config_map_and_a_missing_key_say_so():
    cluster = new_cluster()
    create(cluster, _config_map("app-config", {"mode": "fast"}),
           _pod("a", [{"name": "cfg", "configMap": {"name": "nothing-here"}}],
                [{"name": "cfg", "mountPath": "/etc/cfg"}]),
           _pod("b", [{"name": "cfg", "configMap": {"name": "app-config",
                                                    "items": [{"key": "speed", "path": "speed"}]}}],
                [{"name": "cfg", "mountPath": "/etc/cfg"}]),
           _pod("c", [{"name": "both", "projected": {"sources": [
               {"secret": {"name": "absent"}}, {"configMap": {"name": "app-config"}}]}}],
                [{"name": "both", "mountPath": "/etc/both"}]), settle=10)
    assert [e["message"] for e in _events(cluster, "a", "FailedMount")] == [
        'MountVolume.SetUp failed for volume "cfg" : configmap "nothing-here" not found']
    assert [e["message"] for e in _events(cluster, "b", "FailedMount")] == [
        'MountVolume.SetUp failed for volume "cfg" : configmap references non-existent config key: speed']
    assert [e["message"] for e in _events(cluster, "c", "FailedMount")] == [
        'MountVolume.SetUp failed for volume "both" : secret "absent" not found']


def test_optional_sources_may_be_missing():
    cluster = new_cluster()
    create(cluster, _config_map("partial", {"a": "1"}),
           _pod("opt", [{"name": "cfg", "configMap": {"name": "nothing-here", "optional": True}},
                        {"name": "keys", "secret": {"secretName": "none", "optional": True}},
                        {"name": "some", "configMap": {"name": "partial", "optional": True, "items": [
                            {"key": "a", "path": "a.txt"}, {"key": "b", "path": "b.txt"}]}}],
                [{"name": "cfg", "mountPath": "/etc/cfg"}, {"name": "keys", "mountPath": "/etc/keys"},
                 {"name": "some", "mountPath": "/etc/some"}]), settle=8)
    assert get(cluster, "pods", "opt")["status"]["phase"] == "Running"
    assert not _events(cluster, "opt", "FailedMount")
    assert _exec(cluster, "opt", ["ls", "/etc/cfg", "/etc/keys"])[1].split() == ["/etc/cfg:", "/etc/keys:"]
    assert _exec(cluster, "opt", ["ls", "/etc/some"])[1].split() == ["a.txt"]


def test_volume_contents_are_visible_in_the_container():
    cluster = new_cluster()
    limits = {"limits": {"cpu": "500m", "memory": "64Mi"}, "requests": {"cpu": "250m", "memory": "32Mi"}}
    volumes = [
        {"name": "cfg", "configMap": {"name": "settings", "items": [{"key": "app.properties",
                                                                     "path": "conf/app.properties"}]}},
        {"name": "info", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
            {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
            {"path": "tier", "fieldRef": {"fieldPath": "metadata.labels['tier']"}},
            {"path": "cpu_limit", "resourceFieldRef": {"containerName": "main", "resource": "limits.cpu",
                                                       "divisor": "1m"}},
            {"path": "mem_request", "resourceFieldRef": {"containerName": "main",
                                                         "resource": "requests.memory", "divisor": "1Mi"}}]}},
        {"name": "all-in-one", "projected": {"sources": [
            {"secret": {"name": "user", "items": [{"key": "username", "path": "my-group/my-username"}]}},
            {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]}},
            {"configMap": {"name": "settings", "items": [{"key": "greeting", "path": "greeting"}]}}]}},
        {"name": "single", "configMap": {"name": "settings"}},
        {"name": "keys", "secret": {"secretName": "user", "defaultMode": 0o400}},
    ]
    mounts = [{"name": "cfg", "mountPath": "/etc/cfg"}, {"name": "info", "mountPath": "/etc/podinfo"},
              {"name": "all-in-one", "mountPath": "/projected", "readOnly": True},
              {"name": "single", "mountPath": "/etc/greeting.txt", "subPath": "greeting"},
              {"name": "keys", "mountPath": "/etc/keys"}]
    containers = [{"name": "main", "image": "busybox", "command": ["sleep", "3600"],
                   "volumeMounts": mounts, "resources": limits}]
    pod = _pod("vols", volumes, mounts, containers=containers)
    pod["metadata"]["labels"] = {"tier": "front", "app": "vols"}
    create(cluster, _config_map("settings", {"app.properties": "color=blue\n", "greeting": "hello\n"}),
           _secret("user", {"username": "admin"}), pod, settle=8)
    cat = lambda path: _exec(cluster, "vols", ["cat", path])[1]  # noqa: E731
    assert cat("/etc/cfg/conf/app.properties") == "color=blue\n"
    assert cat("/etc/podinfo/labels") == 'app="vols"\ntier="front"'
    assert (cat("/etc/podinfo/name"), cat("/etc/podinfo/tier")) == ("vols", "front")
    assert (cat("/etc/podinfo/cpu_limit"), cat("/etc/podinfo/mem_request")) == ("500", "32")
    assert cat("/projected/my-group/my-username") == "admin"
    assert (cat("/projected/ns"), cat("/projected/greeting")) == ("default", "hello\n")
    assert cat("/etc/greeting.txt") == "hello\n"
    assert _exec(cluster, "vols", ["ls", "-l", "/etc/keys"])[1].split("\n")[1].startswith("-r--------")
    code, _, err = _exec(cluster, "vols", ["sh", "-c", "echo x > /etc/cfg/new"])
    assert code != 0 and "Read-only file system" in err


def test_an_empty_dir_is_shared_by_the_pod_s_containers_and_sub_paths_are_folders_of_it():
    cluster = new_cluster()
    mounts_web = [{"name": "shared", "mountPath": "/usr/share/nginx/html"}]
    mounts_writer = [{"name": "shared", "mountPath": "/pod-data"},
                     {"name": "shared", "mountPath": "/logs", "subPath": "logs"}]
    containers = [{"name": "web", "image": "nginx", "volumeMounts": mounts_web},
                  {"name": "writer", "image": "busybox", "command": ["sleep", "3600"],
                   "volumeMounts": mounts_writer}]
    create(cluster, _pod("two", [{"name": "shared", "emptyDir": {}}], [], containers=containers), settle=8)
    assert _exec(cluster, "two", ["sh", "-c", "echo Hello from the writer > /pod-data/index.html"],
                 "writer")[0] == 0
    assert _exec(cluster, "two", ["cat", "/usr/share/nginx/html/index.html"], "web")[1] == \
        "Hello from the writer\n"
    _exec(cluster, "two", ["sh", "-c", "echo line > /logs/app.log"], "writer")
    assert _exec(cluster, "two", ["cat", "/usr/share/nginx/html/logs/app.log"], "web")[1] == "line\n"
    pod = get(cluster, "pods", "two")
    ip = pod['status']['podIP']
    code, out, _ = tool(cluster, "sim-node", ["curl", "-s", f"http://{ip}/"])
    assert out == "Hello from the writer\n"


def test_a_missing_secret_in_the_environment_is_a_container_config_error():
    cluster = new_cluster()
    env = [{"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
           {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "none", "key": "mode",
                                                              "optional": True}}}]
    containers = [{"name": "main", "image": "busybox", "command": ["sleep", "3600"], "env": env}]
    create(cluster, _pod("envy", [], [], containers=containers), settle=40)
    pod = get(cluster, "pods", "envy")
    waiting = pod["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting == {"reason": "CreateContainerConfigError", "message": 'secret "db" not found'}
    failed = [e for e in _events(cluster, "envy", "Failed")]
    assert [e["message"] for e in failed] == ['Error: secret "db" not found'] and failed[0]["count"] >= 2
    create(cluster, _secret("db", {"user": "admin"}), settle=20)
    waiting = get(cluster, "pods", "envy")["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting["message"] == "couldn't find key password in Secret default/db"
    with cluster.lock:
        secret = cluster.store.get("secrets", "default", "db")
        cluster.store.update(dict(secret, data={"password": base64.b64encode(b"pw").decode()}))
    create(cluster, settle=20)
    assert get(cluster, "pods", "envy")["status"]["phase"] == "Running"
    assert _exec(cluster, "envy", ["printenv", "PASSWORD"])[1] == "pw\n"


def test_a_changed_config_map_shows_after_a_sync_but_not_through_a_sub_path():
    cluster = new_cluster()
    mounts = [{"name": "cfg", "mountPath": "/etc/cfg"},
              {"name": "cfg", "mountPath": "/etc/mode.txt", "subPath": "mode"}]
    create(cluster, _config_map("live", {"mode": "slow"}),
           _pod("watcher", [{"name": "cfg", "configMap": {"name": "live"}}], mounts), settle=8)
    with cluster.lock:
        current = cluster.store.get("configmaps", "default", "live")
        cluster.store.update(dict(current, data={"mode": "fast", "extra": "1"}))
    assert _exec(cluster, "watcher", ["cat", "/etc/cfg/mode"])[1] == "slow"
    create(cluster, settle=65)
    assert _exec(cluster, "watcher", ["cat", "/etc/cfg/mode"])[1] == "fast"
    assert _exec(cluster, "watcher", ["ls", "/etc/cfg"])[1].split() == ["extra", "mode"]
    assert _exec(cluster, "watcher", ["cat", "/etc/mode.txt"])[1] == "slow"


def test_a_host_path_volume_is_the_node_s_own_folder():
    cluster = new_cluster()
    with cluster.lock:
        node = sorted(n["metadata"]["name"] for n in cluster.store.list("nodes")
                      if "node-role.kubernetes.io/control-plane" not in n["metadata"].get("labels", {}))[0]
    tool(cluster, "sim-node", ["--node", node, "sh", "-c",
                               "mkdir -p /mnt/data; echo 'Hello from Kubernetes storage' > /mnt/data/index.html"])
    containers = [{"name": "web", "image": "nginx",
                   "volumeMounts": [{"name": "data", "mountPath": "/usr/share/nginx/html"}]}]
    create(cluster, _pod("pv", [{"name": "data", "hostPath": {"path": "/mnt/data"}}], [],
                         containers=containers, nodeName=node), settle=8)
    ip = get(cluster, "pods", "pv")["status"]["podIP"]
    assert tool(cluster, "sim-node", ["curl", "-s", f"http://{ip}/"])[1] == "Hello from Kubernetes storage\n"
