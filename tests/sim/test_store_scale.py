"""What the store keeps for big clusters: copy on write with shared parts, the indexes
kept in step with every write, the controllers' change feeds, and paging by key."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim.api import server as api
from sim.api.objects import clone, edit
from sim.api.selectors import parse_label_selector


def _cm(name: str, namespace: str = "default", **labels) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "data": {"big": "x" * 100, "n": name}}


def test_a_write_shares_what_did_not_change_and_never_changes_the_old_version(cluster):
    store = cluster.store
    first = store.write(_cm("a", app="x"))
    new = edit(first)
    new["data"] = dict(first["data"], n="changed")
    second = store.write(new)
    assert second is not first
    assert first["data"]["n"] == "a" and second["data"]["n"] == "changed"
    assert second["metadata"]["labels"] is first["metadata"]["labels"]      # shared, not copied
    assert int(second["metadata"]["resourceVersion"]) > int(first["metadata"]["resourceVersion"])
    assert store.get("configmaps", "default", "a") is second
    again = edit(second)                                   # nothing changed: not a write
    assert store.write(again) is second


def test_edit_deep_copies_only_the_named_parts():
    obj = {"metadata": {"name": "p", "labels": {"a": "b"}}, "spec": {"x": [1]},
           "status": {"conditions": [{"type": "Ready"}]}}
    new = edit(obj, "status")
    new["metadata"]["name"] = "q"
    new["status"]["conditions"][0]["type"] = "Other"
    assert obj["metadata"]["name"] == "p" and obj["status"]["conditions"][0]["type"] == "Ready"
    assert new["spec"] is obj["spec"] and new["metadata"]["labels"] is obj["metadata"]["labels"]


def test_label_index_follows_label_changes_and_removals(cluster):
    store = cluster.store
    store.write(_cm("a", app="x", tier="web"))
    store.write(_cm("b", app="x"))
    store.write(_cm("c", "kube-system", app="x"))
    names = lambda objs: sorted(o["metadata"]["name"] for o in objs)  # noqa: E731
    assert names(store.select("configmaps", "default", parse_label_selector("app=x"))) == ["a", "b"]
    assert names(store.select("configmaps", None, parse_label_selector("app=x,tier=web"))) == ["a"]
    moved = edit(store.get("configmaps", "default", "a"))
    moved["metadata"]["labels"] = {"app": "y"}
    store.write(moved)
    assert names(store.select("configmaps", None, parse_label_selector("app=x"))) == ["b", "c"]
    assert names(store.select("configmaps", None, parse_label_selector("app=y"))) == ["a"]
    store.remove(store.type_of("configmaps"), store.get("configmaps", "default", "b"))
    assert names(store.select("configmaps", None, parse_label_selector("app=x"))) == ["c"]
    # the same answers as the sorted list, in another order
    for text in ("app=x", "app=y", "app in (x,y)", "app!=x", "!tier"):
        selected = store.select("configmaps", None, parse_label_selector(text))
        listed = store.list("configmaps", None, text)
        key = lambda o: (o["metadata"]["namespace"], o["metadata"]["name"])  # noqa: E731
        assert sorted(map(key, selected)) == list(map(key, listed)), text


def test_owner_and_node_indexes(cluster, make_deployment):
    store = cluster.store
    store.create(make_deployment("web", replicas=3))
    cluster.run_for(10)
    (rs,) = store.list("replicasets", "default")
    owned = store.owned_by("pods", rs["metadata"]["uid"])
    assert len(owned) == 3 and all(p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
                                   for p in owned)
    for node in store.list("nodes"):
        name = node["metadata"]["name"]
        assert sorted(p["metadata"]["name"] for p in store.pods_on(name)) == sorted(
            p["metadata"]["name"] for p in store.list("pods") if p["spec"].get("nodeName") == name)
        on_node = [p for p in store.list("pods") if p["spec"].get("nodeName") == name]
        assert store.list("pods", None, field_selector=f"spec.nodeName={name}") == on_node
        assert store.list("pods", "default", field_selector=f"spec.nodeName={name},"
                          "status.phase!=Failed") == [
            p for p in on_node if p["metadata"]["namespace"] == "default"]
    store.patch("deployments", "default", "web", {"spec": {"replicas": 1}})
    cluster.run_for(10)
    assert len(store.owned_by("pods", rs["metadata"]["uid"])) == 1


def test_a_feed_gives_everything_first_then_the_keys_written(cluster):
    store = cluster.store
    feed = store.feed("configmaps", "secrets")
    everything, keys = feed.take()
    assert everything and keys == {"configmaps": set(), "secrets": set()}
    store.write(_cm("a"))
    store.write(_cm("b", "kube-system"))
    store.remove(store.type_of("configmaps"), store.get("configmaps", "default", "a"))
    store.write({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    assert feed.pending()
    everything, keys = feed.take()
    assert not everything
    assert keys == {"configmaps": {("default", "a"), ("kube-system", "b")}, "secrets": set()}
    assert feed.take() == (False, {"configmaps": set(), "secrets": set()})


def test_keys_after_and_count_after_page_in_key_order(cluster):
    store = cluster.store
    for ns in ("a", "b"):
        store.write({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        for i in range(5):
            store.write(_cm(f"cm-{i}", ns))
    names = lambda it: [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in it]  # noqa: E731
    assert names(store.keys_after("configmaps", "b", None)) == [("b", f"cm-{i}") for i in range(5)]
    assert names(store.keys_after("configmaps", "a", ("a", "cm-2"))) == [("a", "cm-3"), ("a", "cm-4")]
    assert names(store.keys_after("configmaps", "b", ("a", "cm-2")))[0] == ("b", "cm-0")
    everything = names(store.list("configmaps"))
    start = everything.index(("a", "cm-4"))
    assert names(store.keys_after("configmaps", None, ("a", "cm-4"))) == everything[start + 1:]
    assert store.count_after("configmaps", "a", ("a", "cm-1")) == 3
    assert store.count_after("configmaps", None, ("a", "cm-4")) == len(everything) - start - 1


@pytest.mark.parametrize("query", ["", "&labelSelector=app%3Dx", "&fieldSelector=metadata.name%21%3Dcm-3"])
def test_pages_join_to_the_whole_list(cluster, query):
    store = cluster.store
    for i in range(23):
        store.write(_cm(f"cm-{i:02d}", app="x" if i % 3 else "y"))
    whole = api.handle(cluster, api.Request("GET", "/api/v1/namespaces/default/configmaps?x=1" + query)).body
    got, token, pages = [], "", 0
    while True:
        target = "/api/v1/namespaces/default/configmaps?limit=4" + query
        if token:
            target += "&continue=" + token
        page = api.handle(cluster, api.Request("GET", target)).body
        pages += 1
        got += page["items"]
        token = page["metadata"].get("continue", "")
        if not query and token:
            assert page["metadata"]["remainingItemCount"] == len(whole["items"]) - len(got)
        if not token:
            break
    assert [o["metadata"]["name"] for o in got] == [o["metadata"]["name"] for o in whole["items"]]
    assert pages == -(-len(whole["items"]) // 4)


def test_slices_follow_a_big_service_through_scaling(make_deployment, make_service):
    """Endpoints stay in the slice that holds them; new ones fill slices with room, then
    new slices; when fewer slices would do, they are packed afresh in address order."""
    from sim.cluster import Cluster
    from sim.controllers.profiles import load_profile

    profile = load_profile("default")
    profile["nodes"] = [profile["nodes"][0], {"name": "w-{i}", "count": 14}]
    cluster = Cluster(profile, workloads=False)
    store = cluster.store
    store.create(make_deployment("big", replicas=1050))
    store.create(make_service("big", {"app": "big"}))
    cluster.run_for(10)

    def check(replicas: int) -> list[dict]:
        slices = store.list("endpointslices", "default", "kubernetes.io/service-name=big")
        pods = {p["metadata"]["uid"]: p for p in store.list("pods", "default", "app=big")
                if not p["metadata"].get("deletionTimestamp")}
        assert len(pods) == replicas
        seen = [e["targetRef"]["uid"] for sl in slices for e in sl["endpoints"] or []]
        assert sorted(seen) == sorted(pods)                      # each pod once
        assert len(slices) == max(1, -(-replicas // 100))       # no more slices than needed
        for sl in slices:
            eps = sl["endpoints"] or []
            assert len(eps) <= 100
            assert [(e["addresses"][0], e["targetRef"]["uid"]) for e in eps] == sorted(
                (e["addresses"][0], e["targetRef"]["uid"]) for e in eps)
            for e in eps:
                pod = pods[e["targetRef"]["uid"]]
                assert e["addresses"] == [pod["status"]["podIP"]]
                assert e["conditions"]["ready"] is True and e["nodeName"] == pod["spec"]["nodeName"]
        return slices

    first = {sl["metadata"]["name"] for sl in check(1050)}
    store.patch("deployments", "default", "big", {"spec": {"replicas": 1180}})
    cluster.run_for(10)
    grown = check(1180)
    assert first <= {sl["metadata"]["name"] for sl in grown}   # the old slices stay
    store.patch("deployments", "default", "big", {"spec": {"replicas": 250}})
    cluster.run_for(40)
    check(250)
    store.patch("deployments", "default", "big", {"spec": {"replicas": 420}})
    cluster.run_for(10)
    check(420)
    # someone removes one slice and empties another: the controller makes them whole
    # again, and leaves another Service's slices in the namespace as they were
    store.create(make_deployment("small", replicas=3))
    store.create(make_service("small", {"app": "small"}))
    cluster.run_for(10)
    other = {sl["metadata"]["name"]: sl["metadata"]["resourceVersion"] for sl in store.list(
        "endpointslices", "default", "kubernetes.io/service-name=small")}
    first, second = check(420)[:2]
    store.delete("endpointslices", "default", first["metadata"]["name"])
    emptied = clone(second)
    emptied["endpoints"] = []
    store.update(emptied)
    cluster.run_for(10)
    check(420)
    assert {sl["metadata"]["name"]: sl["metadata"]["resourceVersion"] for sl in store.list(
        "endpointslices", "default", "kubernetes.io/service-name=small")} == other


@pytest.mark.parametrize("share_ready", [0.0, 0.3, 0.9, 1.0])
def test_endpoints_of_a_big_service_read_only_what_they_keep(share_ready):
    """Over 1,000 addresses with one set of ports, the Endpoints object is made from the
    first 1,000 ready ones and as many not ready: the same object as from every pod."""
    import random

    from sortedcontainers import SortedDict

    from sim.controllers.endpoints import EndpointsController, _address_entry, _Selection

    class Store:
        def __init__(self):
            self.written = []

        def find(self, *args):
            return None

        def write(self, obj):
            self.written.append(obj)
            return obj

    class Cluster:
        store = Store()

    rng = random.Random(7)
    ports = [{"name": "http", "port": 80, "protocol": "TCP"}]
    key = (("http", 80, "TCP"),)
    order = SortedDict()
    for i in range(1500):
        ip = f"10.{rng.randrange(3)}.{rng.randrange(256)}.{rng.randrange(256)}"
        address = {"ip": ip, "nodeName": "n", "targetRef": {"kind": "Pod", "name": f"p{i}",
                                                             "namespace": "default", "uid": f"u{i}"}}
        order[(ip, f"u{i}")] = (key, ports, address, rng.random() < share_ready, "t")
    sel = _Selection(_address_entry, group=lambda value: value[0])
    svc_key = ("default", "s")
    sel.order[svc_key], sel.groups[svc_key] = order, {key: len(order)}
    svc = {"metadata": {"namespace": "default", "name": "s"}, "spec": {"clusterIP": "10.96.0.5"}}
    controller, cluster = EndpointsController(), Cluster()
    controller._sync_service(cluster, svc, list(order.values()), "t")
    short = EndpointsController._entries(sel, svc_key)
    assert len(short) == 1000
    controller._sync_service(cluster, svc, short, "t")
    whole, fast = cluster.store.written
    assert fast == whole
    assert whole["metadata"]["annotations"]["endpoints.kubernetes.io/over-capacity"] == "truncated"


def test_an_unschedulable_pod_waits_and_goes_once_a_node_fits(cluster):
    store = cluster.store
    store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "picky"},
                  "spec": {"nodeSelector": {"disk": "ssd"},
                           "containers": [{"name": "c", "image": "nginx:1.27"}]}})
    cluster.run_for(5)
    pod = store.get("pods", "default", "picky")
    assert not pod["spec"].get("nodeName")
    (cond,) = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert cond["status"] == "False" and cond["reason"] == "Unschedulable"
    total = store.count("nodes")
    assert cond["message"].startswith(f"0/{total} nodes are available: ")
    assert "didn't match Pod's node affinity/selector" in cond["message"]
    node = store.list("nodes")[-1]
    store.patch("nodes", None, node["metadata"]["name"], {"metadata": {"labels": {"disk": "ssd"}}})
    cluster.run_for(5)
    assert store.get("pods", "default", "picky")["spec"]["nodeName"] == node["metadata"]["name"]


def test_encoded_objects_read_back_as_written(cluster):
    """Events are kept encoded: every read gives back what was stored, key order and
    types included, and a namespace's objects are exactly its range of keys."""
    from sim.api.store import ENCODED_TYPES

    assert "events" in ENCODED_TYPES
    store = cluster.store
    for ns in ("a", "ab", "a-b"):
        store.write({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    written = {}
    for ns in ("a", "ab", "a-b"):
        for i in range(3):
            event = {"apiVersion": "v1", "kind": "Event",
                     "metadata": {"name": f"e{i}", "namespace": ns},
                     "involvedObject": {"kind": "Pod", "name": f"p{i}", "namespace": ns},
                     "reason": "Started", "message": f"Started container c{i} ✓", "count": i + 1,
                     "eventTime": None, "series": {"count": 2.5, "flags": [True, False]}}
            written[(ns, f"e{i}")] = store.write(event)
    for key, obj in written.items():
        got = store.get("events", *key)
        assert got == obj and list(got) == list(obj) and got is not obj
        assert store.by_uid(obj["metadata"]["uid"]) is None     # events own nothing
    assert [o["metadata"]["name"] for o in store.list("events", "a")] == ["e0", "e1", "e2"]
    assert {o["metadata"]["namespace"] for o in store.select("events", "a", None)} == {"a"}
    assert [(o["metadata"]["namespace"], o["metadata"]["name"])
            for o in store.keys_after("events", "ab", ("ab", "e0"))] == [("ab", "e1"), ("ab", "e2")]
    store.remove(store.type_of("events"), written[("ab", "e1")])
    assert store.find("events", "ab", "e1") is None
    assert [o["metadata"]["name"] for o in store.list("events", "ab")] == ["e0", "e2"]


def test_the_events_of_an_object_come_from_the_field_index(cluster, make_deployment):
    store = cluster.store
    store.create(make_deployment("web", replicas=3))
    cluster.run_for(10)
    every = store.list("events", "default")
    for pod in store.list("pods", "default", "app=web"):
        uid = pod["metadata"]["uid"]
        selector = f"involvedObject.uid={uid},involvedObject.name={pod['metadata']['name']}"
        got = store.list("events", "default", field_selector=selector)
        assert got == [e for e in every if e["involvedObject"]["uid"] == uid]
        assert {e["reason"] for e in got} >= {"Scheduled", "Started"}
        # read through the index, not by decoding every event of the namespace
        assert len(store._tables[store.type_of("events")].by_field[uid]) == len(got)


def test_the_latest_of_many_timestamps_follows_adds_and_removals():
    import random

    from sim.controllers.endpoints import _Latest

    rng = random.Random(7)
    latest, values = _Latest(), []
    for _ in range(2000):
        if values and rng.random() < 0.45:
            value = values.pop(rng.randrange(len(values)))
            latest.remove(value)
        else:
            value = f"2026-01-01T00:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z"
            values.append(value)
            latest.add(value)
        assert latest.latest() == (max(values) if values else None)


def test_label_index_answers_as_a_scan_through_small_and_large_sets(cluster):
    """The index keeps a few keys in a tuple and more in a set: through both, and back,
    a selection answers what a scan of every object does."""
    import random

    rng = random.Random(3)
    store = cluster.store
    live: dict[str, dict] = {}
    for step in range(400):
        name = f"cm-{rng.randrange(40)}"
        if name in live and rng.random() < 0.4:
            store.remove(store.type_of("configmaps"), store.get("configmaps", "default", name))
            del live[name]
        else:
            obj = _cm(name, app=f"a{rng.randrange(3)}")
            live[name] = store.write(obj)
        for app in ("a0", "a1", "a2"):
            got = {o["metadata"]["name"] for o in store.select(
                "configmaps", "default", parse_label_selector(f"app={app}"))}
            assert got == {n for n, o in live.items() if o["metadata"]["labels"]["app"] == app}


def _selection_ops():
    pod = st.tuples(st.just("pod"), st.integers(0, 2), st.sampled_from(["a", "b", None]))
    gone_pod = st.tuples(st.just("delete-pod"), st.integers(0, 2), st.none())
    svc = st.tuples(st.just("svc"), st.integers(0, 1), st.sampled_from(["a", "b"]))
    gone_svc = st.tuples(st.just("delete-svc"), st.integers(0, 1), st.none())
    wait = st.tuples(st.just("wait"), st.sampled_from([2, 5, 30]), st.none())
    return st.lists(st.one_of(pod, gone_pod, svc, gone_svc, wait), max_size=14)


@settings(max_examples=60, deadline=None)
@given(ops=_selection_ops())
@example(ops=[("pod", 0, "a"), ("svc", 0, "a"), ("wait", 5, None), ("pod", 0, "b")])
@example(ops=[("pod", 0, "a"), ("svc", 0, "a"), ("wait", 5, None), ("svc", 0, "b"),
              ("pod", 1, "b"), ("wait", 5, None), ("svc", 0, "a"), ("delete-pod", 0, None)])
def test_the_kept_selection_is_the_one_made_afresh(ops):
    """Whatever pods and Services come, go, and change labels or selectors, the
    EndpointSlice and Endpoints controllers' kept selections (each pod's record, each
    Service's entries and times) are what a selection made afresh from the store finds,
    and the slices hold each serving selected pod once."""
    from sim.api.errors import ApiError
    from sim.cluster import Cluster
    from sim.controllers.endpoints import _Selection

    cluster = Cluster("default", workloads=False)
    store = cluster.store
    for op, i, value in ops:
        try:
            if op == "pod":
                found = store.find("pods", "default", f"p{i}")
                labels = {"app": value} if value else {}
                if found is None:
                    store.create({"apiVersion": "v1", "kind": "Pod",
                                  "metadata": {"name": f"p{i}", "labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
                else:
                    changed = edit(found)
                    changed["metadata"]["labels"] = labels
                    store.update(changed)
            elif op == "delete-pod":
                store.delete("pods", "default", f"p{i}")
            elif op == "svc":
                found = store.find("services", "default", f"s{i}")
                if found is None:
                    store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"s{i}"},
                                  "spec": {"selector": {"app": value}, "ports": [{"port": 80}]}})
                else:
                    changed = edit(found, "spec")
                    changed["spec"]["selector"] = {"app": value}
                    store.update(changed)
            elif op == "delete-svc":
                store.delete("services", "default", f"s{i}")
        except ApiError as e:
            assert e.code == 404
        # a pod has its address in a second or so: changes fall before, while and after
        cluster.run_for(i if op == "wait" else 0.5)
    cluster.run_for(40)
    for name in ("endpointslice", "endpoints"):
        kept = next(c for c in cluster.controllers if c.name == name)._selection
        fresh = _Selection(kept.entry, group=kept.group, ordered=kept.ordered)
        fresh.everything(store)
        assert kept.services.keys() == fresh.services.keys()
        for key in fresh.services:
            assert dict(kept.order[key]) == dict(fresh.order[key])
            assert kept.times[key].latest() == fresh.times[key].latest()
            assert kept.groups[key] == fresh.groups[key]
        live = {pod_key: {s: k for s, g, k in held if kept.generation.get(s) == g}
                for pod_key, held in kept.held.items()}
        assert {k: v for k, v in live.items() if v} == {
            pod_key: {s: k for s, _, k in held} for pod_key, held in fresh.held.items()}
    for key in kept.services:
        pods = {p["metadata"]["uid"] for p in store.select("pods", key[0], kept.reqs[key])
                if p["status"].get("podIP") and not p["metadata"].get("deletionTimestamp")}
        slices = store.list("endpointslices", key[0], f"kubernetes.io/service-name={key[1]}")
        held = [e["targetRef"]["uid"] for sl in slices for e in sl.get("endpoints") or []]
        assert sorted(held) == sorted(pods)


def test_pod_writes_that_change_no_endpoint_are_not_queued(make_deployment, make_service):
    """The endpoint controllers' feeds queue a pod's key only for a write that can change
    an endpoint (asked as the write is made): an annotation or a container's restart
    count is none; readiness, labels and removal are."""
    from sim.cluster import Cluster

    cluster = Cluster("default", workloads=False)
    store = cluster.store
    store.create(make_deployment("web", replicas=2))
    store.create(make_service("web", {"app": "web"}))
    cluster.run_for(10)
    feeds = [next(c for c in cluster.controllers if c.name == n)._feed
             for n in ("endpointslice", "endpoints")]
    pod = store.list("pods", "default", "app=web")[0]
    key = ("default", pod["metadata"]["name"])
    noted = edit(pod)
    noted["metadata"]["annotations"] = {"note": "x"}
    pod = store.update(noted)
    restarted = edit(pod, "status")
    restarted["status"]["containerStatuses"][0]["restartCount"] = 1
    pod = store.write(restarted)
    assert [key in f.keys["pods"] for f in feeds] == [False, False]
    unready = edit(pod, "status")
    for c in unready["status"]["conditions"]:
        if c["type"] == "Ready":
            c["status"] = "False"
    pod = store.write(unready)
    assert [key in f.keys["pods"] for f in feeds] == [True, True]
    cluster.reconcile()
    relabeled = edit(store.get("pods", *key))
    relabeled["metadata"]["labels"] = {"app": "other"}
    store.update(relabeled)
    assert [key in f.keys["pods"] for f in feeds] == [True, True]
    cluster.reconcile()
    # the Service's slices follow: the relabeled pod is no endpoint of it
    uids = [e["targetRef"]["uid"] for sl in store.list(
        "endpointslices", "default", "kubernetes.io/service-name=web") for e in sl["endpoints"] or []]
    assert pod["metadata"]["uid"] not in uids and len(uids) == 1
