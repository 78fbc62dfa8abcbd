"""The scheduler: each pending pod to the least loaded node that can take it."""

from __future__ import annotations

from ..api.binding import assigned
from ..api.objects import clone, set_condition
from .base import ClusterView


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
    name = "scheduler"
    watches = ("pods", "nodes")

    def sync(self, cluster: ClusterView):
        store = cluster.store
        pending = []
        load: dict[str, int] = {}
        for pod in store.list("pods"):
            node = pod["spec"].get("nodeName")
            if node:
                if pod.get("status", {}).get("phase") not in ("Succeeded", "Failed"):
                    load[node] = load.get(node, 0) + 1
            elif (not pod["metadata"].get("deletionTimestamp")
                  and pod["spec"].get("schedulerName", "default-scheduler") == "default-scheduler"):
                pending.append(pod)
        if not pending:
            return None
        nodes = store.list("nodes")
        for pod in pending:
            reasons: dict[str, int] = {}
            best = None
            for node in nodes:
                why = fit_failure(pod, node, load.get(node["metadata"]["name"], 0))
                if why:
                    reasons[why] = reasons.get(why, 0) + 1
                    continue
                key = (load.get(node["metadata"]["name"], 0), node["metadata"]["name"])
                if best is None or key < best[0]:
                    best = (key, node)
            if best is None:
                self._unschedulable(cluster, pod, len(nodes), reasons)
                continue
            node_name = best[1]["metadata"]["name"]
            load[node_name] = load.get(node_name, 0) + 1
            store.write(assigned(pod, node_name, cluster.clock.timestamp()))
            cluster.record_event(pod, "Normal", "Scheduled",
                                 f"Successfully assigned {pod['metadata']['namespace']}/"
                                 f"{pod['metadata']['name']} to {node_name}", "default-scheduler")
        return None

    def _unschedulable(self, cluster: ClusterView, pod: dict, total: int,
                       reasons: dict[str, int]) -> None:
        parts = ", ".join(f"{n} {why}" for why, n in sorted(reasons.items()))
        message = (f"0/{total} nodes are available: {parts}. preemption: 0/{total} nodes are "
                   f"available: {total} Preemption is not helpful for scheduling.")
        new = clone(pod)
        conditions = new.setdefault("status", {}).setdefault("conditions", [])
        set_condition(conditions, "PodScheduled", "False", cluster.clock.timestamp(),
                      "Unschedulable", message, probe_time=True)
        if new != pod:
            cluster.store.write(new)
            cluster.record_event(pod, "Warning", "FailedScheduling", message, "default-scheduler")
