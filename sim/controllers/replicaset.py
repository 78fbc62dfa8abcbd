"""The ReplicaSet controller: keep the number of pods, report their readiness."""

from __future__ import annotations

from ..api.objects import controller_of, edit
from ..api.selectors import matches, selector_from_api
from .base import ClusterView, pod_active, pod_ready
from .workloads import drop_zero, owned_pods, pod_from_template


_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def deletion_rank(pod: dict) -> tuple:
    """Which pod goes first on scale down (controller.ActivePods ordering, simplified):
    unscheduled, then pending, then not ready, then the newest."""
    status = pod.get("status", {})
    return (1 if pod["spec"].get("nodeName") else 0,
            _PHASE_RANK.get(status.get("phase", "Pending"), 0),
            1 if pod_ready(pod) else 0,
            # newer first: negate by sorting on the reversed timestamp string below
            )


class ReplicaSetController:
    """Works from the change: the ReplicaSets written, and those whose pods were, since
    its last run (a work queue); each finds its pods through the store's owner index."""

    name = "replicaset"
    watches = ("replicasets", "pods")

    def __init__(self) -> None:
        self._feed = None
        self._owner: dict[tuple[str, str], tuple[str, str]] = {}   # pod key -> its ReplicaSet's

    def _owner_key(self, store, key: tuple[str, str]) -> tuple[str, str] | None:
        pod = store.find("pods", key[0], key[1])
        if pod is None:
            return self._owner.pop(key, None)
        ref = controller_of(pod)
        owner = store.by_uid(ref.get("uid", "")) if ref and ref.get("kind") == "ReplicaSet" else None
        if owner is None:
            return self._owner.pop(key, None)
        found = (owner["metadata"]["namespace"], owner["metadata"]["name"])
        self._owner[key] = found
        return found

    def sync(self, cluster: ClusterView):
        store = cluster.store
        if self._feed is None:
            self._feed = store.feed("replicasets", "pods")
        everything, keys = self._feed.take()
        if everything:
            todo = store.list("replicasets")
        else:
            names = set(keys["replicasets"])
            for key in keys["pods"]:
                owner = self._owner_key(store, key)
                if owner is not None:
                    names.add(owner)
            todo = [rs for rs in (store.find("replicasets", ns, name) for ns, name in sorted(names))
                    if rs is not None]
        for rs in todo:
            if rs["metadata"].get("deletionTimestamp"):
                continue
            # in no order: what is deleted on a scale down is ranked below
            pods = [p for p in owned_pods(cluster, rs, ordered=False) if pod_active(p)]
            want = rs["spec"].get("replicas", 1)
            diff = want - len(pods)
            if diff > 0:
                for _ in range(diff):
                    pod = store.create(pod_from_template(rs, rs["spec"]["template"]),
                                       field_validation="Ignore")
                    pods.append(pod)
                    self._owner[(pod["metadata"]["namespace"], pod["metadata"]["name"])] = \
                        (rs["metadata"]["namespace"], rs["metadata"]["name"])
                    cluster.record_event(rs, "Normal", "SuccessfulCreate",
                                         f"Created pod: {pod['metadata']['name']}",
                                         "replicaset-controller")
            elif diff < 0:
                ranked = sorted(pods, key=lambda p: p["metadata"]["creationTimestamp"] +
                                p["metadata"]["name"], reverse=True)
                ranked.sort(key=deletion_rank)
                for pod in ranked[:-diff]:
                    store.delete("pods", pod["metadata"]["namespace"], pod["metadata"]["name"])
                    cluster.record_event(rs, "Normal", "SuccessfulDelete",
                                         f"Deleted pod: {pod['metadata']['name']}",
                                         "replicaset-controller")
                gone = {p["metadata"]["uid"] for p in ranked[:-diff]}
                pods = [p for p in pods if p["metadata"]["uid"] not in gone]
            self._status(cluster, rs, pods)
        self._feed.take()   # its own writes: counted already
        return None

    def _status(self, cluster: ClusterView, rs: dict, pods: list[dict]) -> None:
        template_labels = (rs["spec"]["template"].get("metadata") or {}).get("labels") or {}
        reqs = [(k, "Equals", (v,)) for k, v in template_labels.items()]
        ready = sum(1 for p in pods if pod_ready(p))
        status = {"replicas": len(pods),
                  "fullyLabeledReplicas": sum(1 for p in pods
                                              if matches(reqs, p["metadata"].get("labels"))),
                  "readyReplicas": ready, "availableReplicas": ready,
                  "observedGeneration": rs["metadata"].get("generation", 1)}
        drop_zero(status, "fullyLabeledReplicas", "readyReplicas", "availableReplicas")
        status = {k: status[k] for k in ("availableReplicas", "fullyLabeledReplicas",
                                         "observedGeneration", "readyReplicas", "replicas")
                  if k in status}
        if rs.get("status") != status:
            new = edit(rs)
            new["status"] = status
            cluster.store.write(new)


def selector_matches(rs: dict, pod: dict) -> bool:
    return matches(selector_from_api(rs["spec"].get("selector")), pod["metadata"].get("labels"))
