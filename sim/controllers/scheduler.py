"""The scheduler: each pending pod to the least loaded node that can take it."""

from __future__ import annotations

from sortedcontainers import SortedList

from ..api.binding import assigned
from ..api.objects import edit, set_condition
from .base import ClusterView, pod_ended


def _tolerates(pod: dict, taint: dict) -> bool:
    for tol in pod["spec"].get("tolerations") or []:
        if tol.get("effect") and tol["effect"] != taint.get("effect"):
            continue
        if tol.get("operator") == "Exists":
            if not tol.get("key") or tol["key"] == taint.get("key"):
                return True
        elif tol.get("key") == taint.get("key") and tol.get("value", "") == taint.get("value", ""):
            return True
    return False


def node_ready(node: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in node.get("status", {}).get("conditions") or [])


def pinned_node(pod: dict) -> str | None:
    """The node a pod's required node affinity names by ``metadata.name``, if any."""
    terms = (((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {})
             .get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or []
    for term in terms:
        for field in term.get("matchFields") or []:
            if field.get("key") == "metadata.name" and field.get("operator") == "In":
                values = field.get("values") or []
                if len(values) == 1:
                    return values[0]
    return None


def fit_failure(pod: dict, node: dict, load: int = 0) -> str | None:
    """Why ``pod`` cannot go to ``node`` (the scheduler's reason text), or None."""
    capacity = str(node.get("status", {}).get("allocatable", {}).get("pods", "110"))
    if capacity.isdigit() and load >= int(capacity):
        return "Too many pods"
    if node["spec"].get("unschedulable"):
        return "node(s) were unschedulable"
    for taint in node["spec"].get("taints") or []:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not _tolerates(pod, taint):
            value = taint.get("value", "")
            return f"node(s) had untolerated taint {{{taint['key']}: {value}}}"
    labels = node["metadata"].get("labels") or {}
    for key, value in (pod["spec"].get("nodeSelector") or {}).items():
        if labels.get(key) != value:
            return "node(s) didn't match Pod's node affinity/selector"

    pinned = pinned_node(pod)
    if pinned and pinned != node["metadata"]["name"]:
        return "node(s) didn't match Pod's node affinity/selector"
    if not node_ready(node):
        return "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
    return None


class Scheduler:
    """Works from the change: the pods and nodes written since its last run (a work
    queue), per-node allocations kept up to date, the nodes ordered by their load, so a
    pod's node is the first one in that order that can take it (the least loaded, then
    by name) without scoring every node for every pod."""

    name = "scheduler"
    watches = ("pods", "nodes")

    def __init__(self) -> None:
        self._feed = None
        self._nodes: dict[str, dict] = {}
        self._load: dict[str, int] = {}
        self._order: SortedList = SortedList()       # (load, node name)
        self._placed: dict[tuple[str, str], str] = {}   # pod key -> node it counts on
        self._pending: set[tuple[str, str]] = set()
        self._waiting: set[tuple[str, str]] = set()   # unschedulable: retried on a change

    def _set_load(self, node: str, load: int) -> None:
        if node in self._nodes:
            self._order.discard((self._load.get(node, 0), node))
            self._order.add((load, node))
        self._load[node] = load

    def _count(self, key: tuple[str, str], node: str | None) -> bool:
        """The pod ``key`` counts on ``node`` (None: on none); True when a node lost one."""
        before = self._placed.get(key)
        if before == node:
            return False
        if before is not None:
            del self._placed[key]
            self._set_load(before, self._load.get(before, 0) - 1)
        if node is not None:
            self._placed[key] = node
            self._set_load(node, self._load.get(node, 0) + 1)
        return before is not None

    def _see_pod(self, key: tuple[str, str], pod: dict | None) -> bool:
        """Bring the allocations up to date for one pod; True when room was freed."""
        self._pending.discard(key)
        self._waiting.discard(key)
        if pod is None:
            return self._count(key, None)
        node = pod["spec"].get("nodeName")
        if node:
            counted = not pod_ended(pod)
            return self._count(key, node if counted else None)
        freed = self._count(key, None)
        if (not pod["metadata"].get("deletionTimestamp")
                and pod["spec"].get("schedulerName", "default-scheduler") == "default-scheduler"):
            self._pending.add(key)
        return freed

    def _see_node(self, name: str, node: dict | None) -> None:
        if name in self._nodes:
            self._order.discard((self._load.get(name, 0), name))
            del self._nodes[name]
        if node is not None:
            self._nodes[name] = node
            self._order.add((self._load.get(name, 0), name))

    def sync(self, cluster: ClusterView):
        store = cluster.store
        if self._feed is None:
            # every node write: a heartbeat (every 5 minutes) is when pods that did not
            # fit are tried again, as the scheduler's queue flushes them
            self._feed = store.feed("pods", "nodes", only={"pods": _scheduling_change})
        everything, keys = self._feed.take()
        retry = everything
        if everything:
            self._nodes, self._load, self._order = {}, {}, SortedList()
            self._placed, self._pending, self._waiting = {}, set(), set()
            for node in store.list("nodes"):
                self._see_node(node["metadata"]["name"], node)
            for pod in store.list("pods"):
                md = pod["metadata"]
                self._see_pod((md.get("namespace", ""), md["name"]), pod)
        else:
            for key in keys["nodes"]:
                self._see_node(key[1], store.find("nodes", None, key[1]))
                retry = True
            for key in keys["pods"]:
                if self._see_pod(key, self._feed.object(store, "pods", key)):
                    retry = True
        if retry:
            self._pending |= self._waiting
            self._waiting.clear()
        if not self._pending:
            return None
        total = len(self._nodes)
        for key in sorted(self._pending):
            pod = store.find("pods", key[0], key[1])
            if pod is None:
                continue
            node_name = self._place(pod)
            if node_name is None:
                self._waiting.add(key)
                self._unschedulable_reasons(cluster, pod, total)
                continue
            self._count(key, node_name)
            store.write(assigned(pod, node_name, cluster.clock.timestamp()))
            cluster.record_event(pod, "Normal", "Scheduled",
                                 f"Successfully assigned {pod['metadata']['namespace']}/"
                                 f"{pod['metadata']['name']} to {node_name}", "default-scheduler")
        self._pending.clear()
        # what this run wrote is known already: the feed need not bring it back
        self._feed.take()
        return None

    def _place(self, pod: dict) -> str | None:
        """The least loaded node (then by name) that can take the pod."""
        pinned = pinned_node(pod)
        if pinned is not None:
            node = self._nodes.get(pinned)
            if node is not None and fit_failure(pod, node, self._load.get(pinned, 0)) is None:
                return pinned
            return None
        for load, name in self._order:
            if fit_failure(pod, self._nodes[name], load) is None:
                return name
        return None

    def _unschedulable_reasons(self, cluster: ClusterView, pod: dict, total: int) -> None:
        reasons: dict[str, int] = {}
        for name, node in self._nodes.items():
            why = fit_failure(pod, node, self._load.get(name, 0))
            if why:
                reasons[why] = reasons.get(why, 0) + 1
        self._unschedulable(cluster, pod, total, reasons)

    def _unschedulable(self, cluster: ClusterView, pod: dict, total: int,
                       reasons: dict[str, int]) -> None:
        parts = ", ".join(f"{n} {why}" for why, n in sorted(reasons.items()))
        message = (f"0/{total} nodes are available: {parts}. preemption: 0/{total} nodes are "
                   f"available: {total} Preemption is not helpful for scheduling.")
        new = edit(pod, "status")
        conditions = new.setdefault("status", {}).setdefault("conditions", [])
        set_condition(conditions, "PodScheduled", "False", cluster.clock.timestamp(),
                      "Unschedulable", message, probe_time=True)
        if new != pod:
            cluster.store.write(new)
            cluster.record_event(pod, "Warning", "FailedScheduling", message, "default-scheduler")


def _scheduling_change(old: dict | None, new: dict) -> bool:
    """A pod write the scheduler acts on: any to a pod not bound yet (it may fit now);
    for a bound one, its node, its end or its deletion (its room on the node)."""
    if old is None or not new["spec"].get("nodeName"):
        return True
    return (old["spec"].get("nodeName") != new["spec"].get("nodeName")
            or old["metadata"].get("deletionTimestamp") != new["metadata"].get("deletionTimestamp")
            or pod_ended(old) != pod_ended(new))
