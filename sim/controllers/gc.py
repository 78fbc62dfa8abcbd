"""The garbage collector: dependents whose owners are gone follow them (background
propagation) or lose the reference (orphan)."""

from __future__ import annotations

from ..api.objects import clone
from .base import ClusterView


# Types that have owners in this cluster (controllers set ownerReferences on them).
DEPENDENT_TYPES = ("replicasets", "pods", "endpointslices", "controllerrevisions", "jobs",
                   "deployments", "services", "configmaps", "secrets")


class GarbageCollector:
    name = "garbagecollector"
    watches = ("namespaces", "nodes", "deployments", "replicasets", "statefulsets",
               "daemonsets", "services", "pods", "jobs", "cronjobs")

    def sync(self, cluster: ClusterView):
        store = cluster.store
        while store.deleted:
            batch, store.deleted = store.deleted, []
            gone = {uid: propagation for uid, propagation in batch}
            for plural in DEPENDENT_TYPES:
                rt = store.type_of(plural)
                for obj in store.list(rt):
                    refs = obj["metadata"].get("ownerReferences") or []
                    hit = [r for r in refs if r.get("uid") in gone]
                    if not hit:
                        continue
                    if any(gone[r["uid"]] == "Orphan" for r in hit):
                        new = clone(obj)
                        keep = [r for r in refs if r.get("uid") not in gone]
                        if keep:
                            new["metadata"]["ownerReferences"] = keep
                        else:
                            new["metadata"].pop("ownerReferences", None)
                        store.write(new)
                    elif all(store.by_uid(r.get("uid", "")) is None for r in refs):
                        if obj["metadata"].get("deletionTimestamp"):
                            continue
                        store.delete(rt, obj["metadata"].get("namespace"),
                                     obj["metadata"]["name"])
        return None
