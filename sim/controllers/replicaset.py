"""The ReplicaSet controller: keep the number of pods, report their readiness."""

from __future__ import annotations

from ..api.objects import controller_of, edit
from ..api.selectors import matches, selector_from_api
from .base import ClusterView, pod_active, pod_ended, pod_ready
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


def _template_reqs(rs: dict) -> list:
    labels = (rs["spec"]["template"].get("metadata") or {}).get("labels") or {}
    return [(k, "Equals", (v,)) for k, v in labels.items()]


def _counts(rs: dict, pod: dict) -> tuple[int, int, int]:
    """What a pod of ``rs`` counts for: (active, ready, fully labeled), 0 or 1 each."""
    if not matches(selector_from_api(rs["spec"].get("selector")), pod["metadata"].get("labels")):
        return (0, 0, 0)
    if not pod_active(pod):
        return (0, 0, 0)
    return (1, 1 if pod_ready(pod) else 0,
            1 if matches(_template_reqs(rs), pod["metadata"].get("labels")) else 0)


def _count_change(old: dict | None, new: dict) -> bool:
    """A pod write that can change what it counts for, and for whom (``_counts``): a new
    pod; its labels, owner, deletion, end or readiness changed."""
    if old is None:
        return True
    md, old_md = new["metadata"], old["metadata"]
    if md.get("labels") != old_md.get("labels") or \
            md.get("ownerReferences") != old_md.get("ownerReferences") or \
            md.get("deletionTimestamp") != old_md.get("deletionTimestamp"):
        return True
    return new.get("status") is not old.get("status") and (
        pod_ended(old) != pod_ended(new) or pod_ready(old) != pod_ready(new))


def _basis(rs: dict) -> tuple:
    """What a ReplicaSet's counts of its pods depend on besides the pods: its uid, its
    selector and its template's labels (not its replicas: a scale changes no count)."""
    return (rs["metadata"].get("uid"), rs["spec"].get("selector"),
            (rs["spec"]["template"].get("metadata") or {}).get("labels"))


class ReplicaSetController:
    """Works from the change: the ReplicaSets written, and those whose pods were, since
    its last run (a work queue). Each ReplicaSet's active, ready and fully labeled pods
    are counted as its pods change, so a pod's change costs that pod; the pods are listed
    (through the store's owner index) only when a ReplicaSet is new, its selector or
    template labels changed, or it scales down."""

    name = "replicaset"
    watches = ("replicasets", "pods")

    def __init__(self) -> None:
        self._feed = None
        self._owner: dict[tuple[str, str], tuple[str, str]] = {}   # pod key -> its ReplicaSet's
        #: per ReplicaSet: each pod's (active, ready, labeled), and their sums
        self._counted: dict[tuple[str, str], dict[tuple[str, str], tuple]] = {}
        self._sums: dict[tuple[str, str], list[int]] = {}
        #: per ReplicaSet: the _basis its pods were counted on
        self._bases: dict[tuple[str, str], tuple] = {}

    def _owner_key(self, store, key: tuple[str, str], pod: dict | None) -> tuple[str, str] | None:
        if pod is None:
            return self._owner.pop(key, None)
        ref = controller_of(pod)
        owner = store.by_uid(ref.get("uid", "")) if ref and ref.get("kind") == "ReplicaSet" else None
        if owner is None:
            return self._owner.pop(key, None)
        found = (owner["metadata"]["namespace"], owner["metadata"]["name"])
        self._owner[key] = found
        return found

    def _count(self, rs_key: tuple[str, str], pod_key: tuple[str, str], counts: tuple | None) -> None:
        """The pod counts ``counts`` for the ReplicaSet (None: nothing any more)."""
        table = self._counted.setdefault(rs_key, {})
        sums = self._sums.setdefault(rs_key, [0, 0, 0])
        before = table.pop(pod_key, None)
        if before is not None:
            for i in range(3):
                sums[i] -= before[i]
        if counts is not None and any(counts):
            table[pod_key] = counts
            for i in range(3):
                sums[i] += counts[i]

    def _recount(self, cluster: ClusterView, rs: dict) -> list[dict]:
        """A ReplicaSet's pods counted afresh; its active pods."""
        rs_key = (rs["metadata"]["namespace"], rs["metadata"]["name"])
        self._counted[rs_key], self._sums[rs_key] = {}, [0, 0, 0]
        self._bases[rs_key] = _basis(rs)
        pods = [p for p in owned_pods(cluster, rs, ordered=False) if pod_active(p)]
        for pod in pods:
            key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
            self._owner[key] = rs_key
            self._count(rs_key, key, _counts(rs, pod))
        return pods

    def sync(self, cluster: ClusterView):
        store = cluster.store
        if self._feed is None:
            self._feed = store.feed("replicasets", "pods", only={"pods": _count_change})
        everything, keys = self._feed.take()
        afresh: set[tuple[str, str]] = set()
        if everything:
            self._counted, self._sums, self._bases = {}, {}, {}
            todo = store.list("replicasets")
            afresh = {(rs["metadata"]["namespace"], rs["metadata"]["name"]) for rs in todo}
        else:
            names = set(keys["replicasets"])
            afresh = set(names)
            for key in keys["pods"]:
                before = self._owner.get(key)
                pod = self._feed.object(store, "pods", key)
                owner = self._owner_key(store, key, pod)
                if before is not None and before != owner:
                    self._count(before, key, None)
                    names.add(before)
                if owner is not None:
                    names.add(owner)
                    rs = store.find("replicasets", owner[0], owner[1])
                    if rs is not None and pod is not None:
                        self._count(owner, key, _counts(rs, pod))
            todo = [rs for rs in (store.find("replicasets", ns, name) for ns, name in sorted(names))
                    if rs is not None]
        for gone in [k for k in self._counted
                     if store.find("replicasets", k[0], k[1]) is None]:
            del self._counted[gone], self._sums[gone]
            self._bases.pop(gone, None)
        for rs in todo:
            if rs["metadata"].get("deletionTimestamp"):
                continue
            rs_key = (rs["metadata"]["namespace"], rs["metadata"]["name"])
            pods = self._recount(cluster, rs) if rs_key not in self._sums or (
                rs_key in afresh and self._bases.get(rs_key) != _basis(rs)) else None
            want = rs["spec"].get("replicas", 1)
            diff = want - self._sums[rs_key][0]
            if diff > 0:
                for _ in range(diff):
                    pod = store.create(pod_from_template(rs, rs["spec"]["template"]),
                                       field_validation="Ignore", typed=True)
                    key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
                    self._owner[key] = rs_key
                    self._count(rs_key, key, _counts(rs, pod))
                    cluster.record_event(rs, "Normal", "SuccessfulCreate",
                                         f"Created pod: {pod['metadata']['name']}",
                                         "replicaset-controller")
            elif diff < 0:
                if pods is None:
                    pods = self._recount(cluster, rs)
                # in no order: what goes first is ranked here
                ranked = sorted(pods, key=lambda p: p["metadata"]["creationTimestamp"] +
                                p["metadata"]["name"], reverse=True)
                ranked.sort(key=deletion_rank)
                for pod in ranked[:-diff]:
                    store.delete("pods", pod["metadata"]["namespace"], pod["metadata"]["name"])
                    cluster.record_event(rs, "Normal", "SuccessfulDelete",
                                         f"Deleted pod: {pod['metadata']['name']}",
                                         "replicaset-controller")
                    self._count(rs_key, (pod["metadata"]["namespace"], pod["metadata"]["name"]), None)
            self._status(cluster, rs)
        self._feed.take()   # its own writes: counted already
        return None

    def _status(self, cluster: ClusterView, rs: dict) -> None:
        active, ready, labeled = self._sums[(rs["metadata"]["namespace"], rs["metadata"]["name"])]
        status = {"replicas": active, "fullyLabeledReplicas": labeled,
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
