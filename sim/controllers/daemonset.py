"""The DaemonSet controller: one pod per eligible node, pinned there by node affinity."""

from __future__ import annotations

from ..api.objects import edit
from .base import ClusterView, pod_active, pod_ready
from .scheduler import fit_failure, pinned_node
from .workloads import drop_zero, owned_pods, pod_from_template


def node_affinity(node_name: str) -> dict:
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In",
                                                "values": [node_name]}]}]}}}


_DAEMON_TOLERATIONS = [
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists"},
    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/memory-pressure", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/pid-pressure", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "operator": "Exists"},
]


class DaemonSetController:
    name = "daemonset"
    watches = ("daemonsets", "pods", "nodes")

    def sync(self, cluster: ClusterView):
        store = cluster.store
        nodes = store.list("nodes")
        for ds in store.list("daemonsets"):
            if ds["metadata"].get("deletionTimestamp"):
                continue
            pods = [p for p in owned_pods(cluster, ds) if pod_active(p)]
            by_node = {pinned_node(p): p for p in pods}
            probe = {"spec": dict(ds["spec"]["template"].get("spec") or {})}
            probe["spec"]["tolerations"] = list(probe["spec"].get("tolerations") or []) + _DAEMON_TOLERATIONS
            # in the nodes' order (the pods are made in it); a set to look names up in
            wanted = [node["metadata"]["name"] for node in nodes if fit_failure(probe, node) is None]
            eligible = set(wanted)
            for node_name in wanted:
                if node_name in by_node:
                    continue
                pod = pod_from_template(ds, ds["spec"]["template"])
                pod["metadata"]["labels"]["controller-revision-hash"] = self._revision(ds)
                pod["metadata"]["labels"]["pod-template-generation"] = str(ds["metadata"].get("generation", 1))
                spec = pod["spec"]
                spec["affinity"] = node_affinity(node_name)
                tolerations = list(spec.get("tolerations") or [])
                for tol in _DAEMON_TOLERATIONS:
                    if tol not in tolerations:
                        tolerations.append(tol)
                spec["tolerations"] = tolerations
                created = store.create(pod, field_validation="Ignore", typed=True)
                by_node[node_name] = created
                cluster.record_event(ds, "Normal", "SuccessfulCreate",
                                     f"Created pod: {created['metadata']['name']}",
                                     "daemonset-controller")
            for node_name, pod in by_node.items():
                if node_name not in eligible:
                    store.delete("pods", pod["metadata"]["namespace"], pod["metadata"]["name"])
                    cluster.record_event(ds, "Normal", "SuccessfulDelete",
                                         f"Deleted pod: {pod['metadata']['name']}",
                                         "daemonset-controller")
            current = [p for p in by_node.values() if pinned_node(p) in eligible]
            ready = sum(1 for p in current if pod_ready(p))
            scheduled = sum(1 for p in current if p["spec"].get("nodeName"))
            status = {"currentNumberScheduled": scheduled, "desiredNumberScheduled": len(wanted),
                      "numberAvailable": ready, "numberMisscheduled": 0, "numberReady": ready,
                      "numberUnavailable": len(wanted) - ready,
                      "observedGeneration": ds["metadata"].get("generation", 1),
                      "updatedNumberScheduled": scheduled}
            drop_zero(status, "numberAvailable", "numberUnavailable", "updatedNumberScheduled")
            if ds.get("status") != status:
                new = edit(ds)
                new["status"] = status
                store.write(new)
        return None

    @staticmethod
    def _revision(ds: dict) -> str:
        from .statefulset import revision_name

        return revision_name(ds)[len(ds["metadata"]["name"]) + 1:]
