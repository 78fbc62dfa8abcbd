"""The kubelet works from the changes: a pass looks at the pods written since the last one
(not its own writes), those whose timer is due and those removed, not at every pod; a
removal it did not do itself still frees the pod's address."""

from __future__ import annotations

from sim.controllers import kubelet as kubelet_module


def _kubelet(cluster):
    return next(c for c in cluster.controllers if c.name == "kubelet")


def _count_looks(monkeypatch) -> list[str]:
    looked: list[str] = []
    for name in ("_admit", "_advance", "_terminate"):
        original = getattr(kubelet_module.Kubelet, name)

        def wrapped(self, cluster, pod, *args, _original=original):
            looked.append(pod["metadata"]["name"])
            return _original(self, cluster, pod, *args)

        monkeypatch.setattr(kubelet_module.Kubelet, name, wrapped)
    return looked


def _spy_looks(monkeypatch) -> list[str]:
    """The names of the pods the kubelet looks at from now on (settled or not)."""
    seen: list[str] = []
    original = kubelet_module.Kubelet._look

    def look(self, cluster_, state, now, pod):
        seen.append(pod["metadata"]["name"])
        return original(self, cluster_, state, now, pod)

    monkeypatch.setattr(kubelet_module.Kubelet, "_look", look)
    return seen


def test_a_pass_looks_at_the_pods_written_not_at_all(cluster, make_deployment, monkeypatch):
    cluster.store.create(make_deployment("web", replicas=30))
    cluster.run_for(10)
    pods = cluster.store.list("pods", "default", "app=web")
    assert len(pods) == 30 and all(p["status"]["phase"] == "Running" for p in pods)
    looked = _count_looks(monkeypatch)
    seen = _spy_looks(monkeypatch)
    one = pods[7]
    changed = dict(one, metadata=dict(one["metadata"], labels=dict(one["metadata"]["labels"], extra="x")))
    cluster.store.update(changed)
    cluster.reconcile()
    # the pod written is looked at, no other
    assert seen == [one["metadata"]["name"]] and looked == seen
    deleted = cluster.store.delete("pods", "default", pods[3]["metadata"]["name"])
    cluster.run_for(30)
    # of the Deployment's pods, the one going away and the one the ReplicaSet makes for it
    # (the system pods' probes have their timers)
    names = {name for name in looked[1:] if name.startswith("web-")}
    before = {p["metadata"]["name"] for p in pods}
    assert deleted["metadata"]["name"] in names and len(names) == 2
    assert len(names - before) == 1
    assert len(cluster.store.list("pods", "default", "app=web")) == 30


def _used_addresses(cluster) -> set[str]:
    return {ip for entry in cluster.state.get("ipam", {}).values() for ip in entry["used"]}


def test_a_pod_removed_by_another_frees_its_address(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=3))
    cluster.run_for(10)
    pods = cluster.store.list("pods", "default", "app=web")
    victim = pods[0]
    ip = victim["status"]["podIP"]
    assert ip in _used_addresses(cluster)
    cluster.store.remove(cluster.store.type_of("pods"), victim)     # gone at once
    cluster.reconcile()
    assert ip not in _used_addresses(cluster)
    assert victim["metadata"]["uid"] not in cluster.state["kubelet"]


def test_a_pod_made_again_under_the_same_name_is_another_pod(cluster):
    """Removed and made again between two passes: the old one is forgotten (its address
    freed), the new one started, without a look at every pod."""
    from sim.api.objects import clone

    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "again"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    first = cluster.store.create(clone(body))
    cluster.run_for(10)
    first = cluster.store.get("pods", "default", "again")
    ip = first["status"]["podIP"]
    cluster.store.remove(cluster.store.type_of("pods"), first)
    cluster.store.create(clone(body))
    cluster.reconcile()
    assert first["metadata"]["uid"] not in cluster.state["kubelet"]
    cluster.run_for(10)
    second = cluster.store.get("pods", "default", "again")
    assert second["metadata"]["uid"] != first["metadata"]["uid"]
    assert second["status"]["phase"] == "Running"
    assert second["metadata"]["uid"] in cluster.state["kubelet"]
    # the old address is free again, unless the new pod was given it
    assert ip not in _used_addresses(cluster) or second["status"]["podIP"] == ip


def test_timers_wake_the_kubelet_in_a_pass_of_their_own(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=2))
    cluster.reconcile()
    kubelet = _kubelet(cluster)
    wake = cluster.next_wake()
    assert wake is not None
    pending = [p for p in cluster.store.list("pods", "default", "app=web")
               if p["status"].get("phase") != "Running"]
    assert pending
    cluster.run_for(10)
    assert all(p["status"]["phase"] == "Running" for p in cluster.store.list("pods", "default", "app=web"))
    # nothing left due: the timers the pods had are gone with them settled
    assert not kubelet._take_due(cluster.state["kubelet"], cluster.clock.now())


def test_the_kubelet_never_changes_a_written_pod_in_place(make_deployment):
    """Each version of a pod, once written, stays as it was written while the kubelet
    starts it, probes it, sees it crash and restarts it (its status is copied one level
    deep per sync: a part changed inside would change the stored versions too)."""
    from sim.api.objects import clone
    from sim.cluster import Cluster

    cluster = Cluster("default")
    written: list[tuple[dict, dict]] = []
    original = cluster.store.write

    def write(obj):
        stored = original(obj)
        if stored.get("kind") == "Pod":
            written.append((stored, clone(stored)))
        return stored

    cluster.store.write = write
    probed = make_deployment("web", replicas=2)
    probed["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = {
        "httpGet": {"path": "/", "port": 80}, "periodSeconds": 2}
    cluster.store.create(probed)
    crashing = make_deployment("crash", replicas=1, image="busybox")
    crashing["spec"]["template"]["spec"]["containers"][0]["command"] = ["sh", "-c", "exit 3"]
    cluster.store.create(crashing)
    cluster.run_for(120)
    assert len(written) > 10
    assert any(p["status"].get("containerStatuses", [{}])[0].get("restartCount", 0) > 1
               for p, _ in written if p["metadata"]["name"].startswith("crash"))
    changed = [p["metadata"]["name"] for p, made in written if p != made]
    assert changed == []


def test_a_node_heartbeat_is_no_look_at_its_pods(cluster, make_deployment, monkeypatch):
    """A node's status written again (its heartbeat) changes nothing for the pods on it:
    the kubelet's pass after it looks at none of them."""
    from sim.api.objects import clone

    cluster.store.create(make_deployment("web", replicas=6))
    cluster.run_for(10)
    seen = _spy_looks(monkeypatch)
    for node in cluster.store.list("nodes"):
        beat = clone(node)
        for cond in beat["status"]["conditions"]:
            cond["lastHeartbeatTime"] = "2030-01-01T00:00:00Z"
        cluster.store.write(beat)
    cluster.reconcile()
    assert seen == []


def test_a_pod_bound_to_a_missing_node_waits_for_it(cluster):
    """No kubelet runs a pod bound to a node that does not exist: it stays Pending without
    a status of the kubelet's (and the cluster keeps running); once the node joins, its
    kubelet starts the pod."""
    from sim.api.objects import clone

    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "early"},
                          "spec": {"nodeName": "late-node",
                                   "containers": [{"name": "c", "image": "nginx"}]}})
    cluster.run_for(10)
    pod = cluster.store.get("pods", "default", "early")
    assert pod["status"]["phase"] == "Pending" and "startTime" not in pod["status"]
    template = cluster.store.list("nodes")[-1]
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "late-node", "labels": {"kubernetes.io/hostname": "late-node"}},
            "spec": {"podCIDR": "10.244.200.0/24", "podCIDRs": ["10.244.200.0/24"]},
            "status": clone(template["status"])}
    node["status"]["addresses"] = [{"type": "InternalIP", "address": "172.18.0.200"},
                                   {"type": "Hostname", "address": "late-node"}]
    cluster.store.create(node)
    cluster.run_for(10)
    pod = cluster.store.get("pods", "default", "early")
    assert pod["status"]["phase"] == "Running"
    assert pod["status"]["podIP"].startswith("10.244.200.")
    assert pod["status"]["hostIP"] == "172.18.0.200"
