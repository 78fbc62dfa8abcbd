"""The controllers' work queues take a write only when it can matter to them, asked as
the write is made (as an informer's event handlers compare the old and new object): a
kubelet's status write of a bound pod is no work for the scheduler, a node's heartbeat
none for the kubelet or the EndpointSlice controller; the writes that matter still are."""

from __future__ import annotations

import pytest

from sim.api.objects import clone, edit
from sim.cluster import Cluster


@pytest.fixture
def running(make_deployment):
    cluster = Cluster("default", workloads=False)
    cluster.store.create(make_deployment("web", replicas=2))
    cluster.run_for(10)
    return cluster


def _queued(cluster, controller: str, resource: str, key) -> bool:
    feed = next(c for c in cluster.controllers if c.name == controller)._feed
    return key in feed.keys[resource]


def _pod(cluster):
    pod = cluster.store.list("pods", "default", "app=web")[0]
    return pod, ("default", pod["metadata"]["name"])


def _set_ready(pod: dict, ready: str) -> dict:
    new = edit(pod, "status")
    for c in new["status"]["conditions"]:
        if c["type"] == "Ready":
            c["status"] = ready
    return new


def test_a_bound_pods_status_is_no_work_for_the_scheduler(running):
    pod, key = _pod(running)
    restarted = edit(pod, "status")
    restarted["status"]["containerStatuses"][0]["restartCount"] = 3
    running.store.write(restarted)
    assert not _queued(running, "scheduler", "pods", key)
    assert not _queued(running, "replicaset", "pods", key)
    assert _queued(running, "kubelet", "pods", key)       # the kubelet's own pod, by another
    running.store.delete("pods", *key)
    assert _queued(running, "scheduler", "pods", key)      # its room on the node goes


def test_readiness_and_labels_are_work_for_the_replicaset(running):
    pod, key = _pod(running)
    pod = running.store.write(_set_ready(pod, "False"))
    assert _queued(running, "replicaset", "pods", key)
    assert not _queued(running, "scheduler", "pods", key)
    running.reconcile()
    pod, key = _pod(running)
    relabeled = edit(pod)
    relabeled["metadata"]["labels"] = {**pod["metadata"]["labels"], "app": "elsewhere"}
    running.store.update(relabeled)
    assert _queued(running, "replicaset", "pods", key)


def test_a_pod_not_bound_yet_is_work_for_the_scheduler_on_any_change(running):
    store = running.store
    store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "huge"},
                  "spec": {"nodeSelector": {"no-such": "node"},
                           "containers": [{"name": "c", "image": "nginx"}]}})
    running.run_for(2)
    pending = store.get("pods", "default", "huge")
    assert not pending["spec"].get("nodeName")
    noted = edit(pending)
    noted["metadata"]["labels"] = {"tier": "x"}
    store.update(noted)
    assert _queued(running, "scheduler", "pods", ("default", "huge"))


def test_a_heartbeat_is_no_work_a_new_zone_is(running):
    store = running.store
    node = store.list("nodes")[-1]
    beat = clone(node)
    for cond in beat["status"]["conditions"]:
        cond["lastHeartbeatTime"] = "2031-01-01T00:00:00Z"
    node = store.write(beat)
    key = ("", node["metadata"]["name"])
    assert not _queued(running, "kubelet", "nodes", key)
    assert not _queued(running, "endpointslice", "nodes", key)
    assert _queued(running, "scheduler", "nodes", key)     # its retries of pods that did not fit
    zoned = edit(node)
    zoned["metadata"]["labels"] = {**node["metadata"]["labels"],
                                   "topology.kubernetes.io/zone": "z-9"}
    store.write(zoned)
    assert _queued(running, "endpointslice", "nodes", key)
    assert not _queued(running, "kubelet", "nodes", key)
    store.delete("nodes", None, node["metadata"]["name"])
    running.reconcile()
    assert node["metadata"]["name"] not in next(
        c for c in running.controllers if c.name == "kubelet")._nodes


def test_a_queued_key_comes_with_its_object_as_last_written(running):
    """A feed gives each key with the object as last written, even when the test let a
    later write of it pass unqueued (the key was queued already), and None once removed;
    a key it did not give is looked up in the store."""
    store = running.store
    feed = store.feed("pods", only={"pods": lambda old, new: old is None})
    feed.take()
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "fresh"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    store.create(body)
    noted = edit(store.get("pods", "default", "fresh"))
    noted["metadata"]["annotations"] = {"note": "x"}
    latest = store.update(noted)
    _, keys = feed.take()
    assert keys["pods"] == {("default", "fresh")}
    assert feed.object(store, "pods", ("default", "fresh")) is latest
    other, other_key = _pod(running)
    assert feed.object(store, "pods", other_key) is other          # not taken: the store's
    store.create(dict(body, metadata={"name": "brief"}))
    store.remove(store.type_of("pods"), store.get("pods", "default", "brief"))
    feed.take()
    assert feed.object(store, "pods", ("default", "brief")) is None
