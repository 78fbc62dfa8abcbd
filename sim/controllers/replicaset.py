"""The ReplicaSet controller: keep the number of pods, report their readiness."""

from __future__ import annotations

from ..api.objects import edit
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
    name = "replicaset"
    watches = ("replicasets", "pods")

    def sync(self, cluster: ClusterView):
        store = cluster.store
        for rs in store.list("replicasets"):
            if rs["metadata"].get("deletionTimestamp"):
                continue
            pods = [p for p in owned_pods(cluster, rs) if pod_active(p)]
            want = rs["spec"].get("replicas", 1)
            diff = want - len(pods)
            if diff > 0:
                for _ in range(diff):
                    pod = store.create(pod_from_template(rs, rs["spec"]["template"]),
                                       field_validation="Ignore")
                    pods.append(pod)
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
