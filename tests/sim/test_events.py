"""Events as client-go's recorder writes them: the same event counted, similar ones combined
from the tenth distinct message on (within ten minutes), all gone after the TTL."""

from sim.controllers import events as events_module


def events_about(cluster, name, ns="default"):
    return [e for e in cluster.store.list("events", ns) if e["involvedObject"]["name"] == name]


def by_time(events):
    return sorted(events, key=lambda e: (e["firstTimestamp"], e["metadata"]["name"]))


def test_the_tenth_similar_event_on_is_combined(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=12))
    cluster.tick()
    (rs,) = cluster.store.list("replicasets", "default")
    pods = {p["metadata"]["name"] for p in cluster.store.list("pods", "default", "app=web")}
    created = by_time([e for e in events_about(cluster, rs["metadata"]["name"])
                       if e["reason"] == "SuccessfulCreate"])
    plain = [e for e in created if not e["message"].startswith(events_module.COMBINED)]
    combined = [e for e in created if e["message"].startswith(events_module.COMBINED)]
    # nine distinct messages stay events of their own, the other three are one event
    assert len(plain) == events_module.AGGREGATE_MAX_EVENTS - 1 and len(combined) == 1
    assert all(e["count"] == 1 for e in plain)
    (one,) = combined
    assert one["count"] == 12 - len(plain)
    named = {e["message"].removeprefix("Created pod: ") for e in plain}
    last = one["message"].removeprefix(events_module.COMBINED + "Created pod: ")
    assert named | {last} <= pods and last not in named
    # the combined event is made afresh: no reporting fields, the same source
    assert (one["reportingComponent"], one["reportingInstance"]) == ("", "")
    assert one["source"] == {"component": "replicaset-controller"}


def test_a_quiet_interval_starts_the_count_again(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=5))
    cluster.tick()
    cluster.run_for(11 * 60)
    cluster.store.patch("deployments", "default", "web", {"spec": {"replicas": 12}})
    cluster.tick()
    (rs,) = cluster.store.list("replicasets", "default")
    created = [e for e in events_about(cluster, rs["metadata"]["name"])
               if e["reason"] == "SuccessfulCreate"]
    # 5 before the pause, then 7 new distinct messages: still under ten in the new interval
    assert len(created) == 12
    assert not any(e["message"].startswith(events_module.COMBINED) for e in created)


def test_within_the_interval_the_count_goes_on(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=5))
    cluster.tick()
    cluster.store.patch("deployments", "default", "web", {"spec": {"replicas": 12}})
    cluster.tick()
    (rs,) = cluster.store.list("replicasets", "default")
    created = [e for e in events_about(cluster, rs["metadata"]["name"])
               if e["reason"] == "SuccessfulCreate"]
    assert sum(e["count"] for e in created) == 12
    assert len(created) == events_module.AGGREGATE_MAX_EVENTS


def test_events_and_what_the_recorder_kept_go_after_the_ttl(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=12))
    cluster.tick()
    assert cluster.store.list("events", "default")
    cluster.store.patch("deployments", "default", "web", {"spec": {"replicas": 0}})
    cluster.tick()
    cluster.run_for(2 * 3600)
    cluster.tick()
    left = cluster.store.list("events", "default")
    assert left == []
    # nothing about them is remembered either (its memory follows the live events)
    assert cluster.store.count("events") == 0 and len(cluster.events._index) == 0
