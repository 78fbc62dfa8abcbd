"""The StatefulSet controller: pods ``<name>-0..N-1``, created one at a time in order
(OrderedReady) or all at once (Parallel), removed from the highest ordinal."""

from __future__ import annotations

import json

from ..api.objects import clone, owner_reference
from .base import ClusterView, pod_active, pod_ready
from .hashing import fnv32a
from .workloads import drop_zero, owned_index, owned_pods, pod_from_template


def revision_name(sts: dict) -> str:
    from ..api.objects import safe_encode

    text = json.dumps(sts["spec"]["template"], sort_keys=True, separators=(",", ":"))
    h = fnv32a(text.encode())
    return f"{sts['metadata']['name']}-{safe_encode(str(h))}"


def _ordinal(pod: dict, set_name: str) -> int:
    suffix = pod["metadata"]["name"][len(set_name) + 1:]
    return int(suffix) if suffix.isdigit() else -1


class StatefulSetController:
    name = "statefulset"
    watches = ("statefulsets", "pods")

    def sync(self, cluster: ClusterView):
        revs_by_owner = owned_index(cluster, "controllerrevisions")
        for sts in cluster.store.list("statefulsets"):
            if sts["metadata"].get("deletionTimestamp"):
                continue
            self._sync_one(cluster, sts, owned_pods(cluster, sts),
                           revs_by_owner.get(sts["metadata"]["uid"], []))
        return None

    def _sync_one(self, cluster: ClusterView, sts: dict, pods: list[dict], revisions: list[dict]):
        store = cluster.store
        set_name = sts["metadata"]["name"]
        ns = sts["metadata"]["namespace"]
        revision = revision_name(sts)
        if not any(r["metadata"]["name"] == revision for r in revisions):
            store.create({"apiVersion": "apps/v1", "kind": "ControllerRevision",
                          "metadata": {"name": revision, "namespace": ns,
                                       "labels": dict((sts["spec"]["template"].get("metadata") or {})
                                                      .get("labels") or {}),
                                       "ownerReferences": [owner_reference(sts)]},
                          "data": {"spec": {"template": clone(sts["spec"]["template"])}},
                          "revision": len(revisions) + 1}, field_validation="Ignore")
        want = sts["spec"].get("replicas", 1)
        parallel = sts["spec"].get("podManagementPolicy") == "Parallel"
        by_ordinal = {_ordinal(p, set_name): p for p in pods}
        for i in range(want):
            pod = by_ordinal.get(i)
            if pod is not None:
                if not parallel and not (pod_active(pod) and pod_ready(pod)):
                    break
                continue
            name = f"{set_name}-{i}"
            if store.find("pods", ns, name) is not None:
                break  # the previous pod of that name is still terminating
            labels = {"apps.kubernetes.io/pod-index": str(i),
                      "controller-revision-hash": revision,
                      "statefulset.kubernetes.io/pod-name": name}
            pod = pod_from_template(sts, sts["spec"]["template"], name, labels)
            pod["spec"]["hostname"] = name
            if sts["spec"].get("serviceName"):
                pod["spec"]["subdomain"] = sts["spec"]["serviceName"]
            created = store.create(pod, field_validation="Ignore", typed=True)
            by_ordinal[i] = created
            cluster.record_event(sts, "Normal", "SuccessfulCreate",
                                 f"create Pod {name} in StatefulSet {set_name} successful",
                                 "statefulset-controller")
            if not parallel:
                break
        extra = sorted((o for o in by_ordinal if o >= want), reverse=True)
        for ordinal in extra:
            pod = by_ordinal[ordinal]
            if pod["metadata"].get("deletionTimestamp"):
                if not parallel:
                    break
                continue
            store.delete("pods", ns, pod["metadata"]["name"])
            cluster.record_event(sts, "Normal", "SuccessfulDelete",
                                 f"delete Pod {pod['metadata']['name']} in StatefulSet "
                                 f"{set_name} successful", "statefulset-controller")
            if not parallel:
                break
        active = [p for p in owned_pods(cluster, sts) if pod_active(p)]
        ready = sum(1 for p in active if pod_ready(p))
        status = {"availableReplicas": ready, "collisionCount": 0,
                  "currentReplicas": len(active), "currentRevision": revision,
                  "observedGeneration": sts["metadata"].get("generation", 1),
                  "readyReplicas": ready, "replicas": len(active),
                  "updateRevision": revision, "updatedReplicas": len(active)}
        drop_zero(status, "readyReplicas", "currentReplicas", "updatedReplicas")
        if sts.get("status") != status:
            new = clone(sts)
            new["status"] = status
            store.write(new)
