"""The Deployment controller: a ReplicaSet per pod template, rolling updates, status."""

from __future__ import annotations

from datetime import timedelta

from ..api.objects import clone, edit, owner_reference, set_condition
from ..clock import parse_time
from .base import ClusterView
from .hashing import pod_template_hash
from .workloads import drop_zero, int_or_percent, owned_index


HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"


def _without_hash(template: dict) -> dict:
    out = clone(template)
    labels = (out.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(HASH_LABEL, None)
    return out


def _revision(rs: dict) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def _replicas(rs: dict) -> int:
    return rs["spec"].get("replicas", 0)


def _available(rs: dict) -> int:
    return rs.get("status", {}).get("availableReplicas", 0)


class DeploymentController:
    name = "deployment"
    watches = ("deployments", "replicasets")

    def sync(self, cluster: ClusterView):
        rs_by_owner = owned_index(cluster, "replicasets")
        wake = None
        for d in cluster.store.list("deployments"):
            if d["metadata"].get("deletionTimestamp"):
                continue
            w = self._sync_one(cluster, d, rs_by_owner.get(d["metadata"]["uid"], []))
            if w is not None and (wake is None or w < wake):
                wake = w
        return wake

    # -- one deployment ---------------------------------------------------------------

    def _sync_one(self, cluster: ClusterView, d: dict, rss: list[dict]):
        spec = d["spec"]
        template = spec["template"]
        new_rs = next((rs for rs in rss
                       if _without_hash(rs["spec"]["template"]) == _without_hash(template)), None)
        old = [rs for rs in rss if rs is not new_rs]
        want = spec.get("replicas", 1)
        created = False
        if new_rs is None:
            new_rs = self._create_rs(cluster, d, old, want)
            created = True
        elif _revision(new_rs) <= max((_revision(r) for r in old), default=0):
            # a rollback to an older template: it becomes the newest revision again
            new_rs = self._annotate(cluster, d, new_rs, max(_revision(r) for r in old) + 1)
        self._set_deployment_revision(cluster, d, _revision(new_rs))
        d = cluster.store.get("deployments", d["metadata"]["namespace"], d["metadata"]["name"])
        if not created:
            new_rs, old = self._scale(cluster, d, new_rs, old, want)
        self._cleanup(cluster, d, old)
        return self._status(cluster, d, new_rs, old, created)

    def _create_rs(self, cluster: ClusterView, d: dict, old: list[dict], want: int) -> dict:
        spec = d["spec"]
        h = pod_template_hash(spec["template"], d.get("status", {}).get("collisionCount"))
        template = clone(spec["template"])
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = h
        selector = clone(spec.get("selector") or {})
        selector.setdefault("matchLabels", {})[HASH_LABEL] = h
        if spec.get("strategy", {}).get("type") == "Recreate":
            replicas = 0 if any(_replicas(r) for r in old) else want
        else:
            surge = int_or_percent(spec["strategy"]["rollingUpdate"].get("maxSurge", "25%"),
                                   want, True)
            total = sum(_replicas(r) for r in old)
            replicas = max(0, min(want, want + surge - total)) if old else want
        revision = max((_revision(r) for r in old), default=0) + 1
        surge_max = want + int_or_percent(
            (spec.get("strategy", {}).get("rollingUpdate") or {}).get("maxSurge", 0), want, True)
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": f"{d['metadata']['name']}-{h}",
                           "namespace": d["metadata"]["namespace"],
                           "labels": dict(template["metadata"]["labels"]),
                           "annotations": {"deployment.kubernetes.io/desired-replicas": str(want),
                                           "deployment.kubernetes.io/max-replicas": str(surge_max),
                                           REVISION: str(revision)},
                           "ownerReferences": [owner_reference(d)]},
              "spec": {"replicas": replicas, "selector": selector, "template": template}}
        if spec.get("minReadySeconds"):
            rs["spec"]["minReadySeconds"] = spec["minReadySeconds"]
        created = cluster.store.create(rs, field_validation="Ignore", typed=True)
        if replicas > 0:
            cluster.record_event(d, "Normal", "ScalingReplicaSet",
                                 f"Scaled up replica set {created['metadata']['name']} to {replicas}",
                                 "deployment-controller")
        return created

    def _annotate(self, cluster: ClusterView, d: dict, rs: dict, revision: int) -> dict:
        new = clone(rs)
        new["metadata"].setdefault("annotations", {})[REVISION] = str(revision)
        return cluster.store.write(new)

    def _set_deployment_revision(self, cluster: ClusterView, d: dict, revision: int) -> None:
        if (d["metadata"].get("annotations") or {}).get(REVISION) != str(revision):
            new = clone(d)
            new["metadata"].setdefault("annotations", {})[REVISION] = str(revision)
            cluster.store.write(new)

    def _scale_rs(self, cluster: ClusterView, d: dict, rs: dict, replicas: int) -> dict:
        current = _replicas(rs)
        if current == replicas:
            return rs
        new = clone(rs)
        new["spec"]["replicas"] = replicas
        want = d["spec"].get("replicas", 1)
        annotations = new["metadata"].setdefault("annotations", {})
        annotations["deployment.kubernetes.io/desired-replicas"] = str(want)
        strategy = d["spec"].get("strategy", {})
        surge = int_or_percent((strategy.get("rollingUpdate") or {}).get("maxSurge", 0), want, True)
        annotations["deployment.kubernetes.io/max-replicas"] = str(want + surge)
        written = cluster.store.write(new)
        direction = "up" if replicas > current else "down"
        cluster.record_event(d, "Normal", "ScalingReplicaSet",
                             f"Scaled {direction} replica set {rs['metadata']['name']} "
                             f"to {replicas} from {current}", "deployment-controller")
        return written

    def _scale(self, cluster: ClusterView, d: dict, new_rs: dict, old: list[dict], want: int):
        strategy = d["spec"].get("strategy", {})
        active_old = [r for r in old if _replicas(r) > 0]
        if not active_old:
            return self._scale_rs(cluster, d, new_rs, want), old
        if strategy.get("type") == "Recreate":
            old = [self._scale_rs(cluster, d, r, 0) for r in old]
            if not any(r.get("status", {}).get("replicas", 0) for r in old):
                new_rs = self._scale_rs(cluster, d, new_rs, want)
            return new_rs, old
        rolling = strategy.get("rollingUpdate") or {}
        surge = int_or_percent(rolling.get("maxSurge", "25%"), want, True)
        unavailable = int_or_percent(rolling.get("maxUnavailable", "25%"), want, False)
        if surge == 0 and unavailable == 0:
            unavailable = 1
        # scale the new ReplicaSet up within the surge
        total = _replicas(new_rs) + sum(_replicas(r) for r in old)
        room = want + surge - total
        if room > 0 and _replicas(new_rs) < want:
            new_rs = self._scale_rs(cluster, d, new_rs, min(want, _replicas(new_rs) + room))
        # scale old ones down as far as availability allows
        total = _replicas(new_rs) + sum(_replicas(r) for r in old)
        min_available = want - unavailable
        new_unavailable = _replicas(new_rs) - _available(new_rs)
        budget = total - min_available - new_unavailable
        old_sorted = sorted(old, key=lambda r: (r["metadata"]["creationTimestamp"],
                                                r["metadata"]["name"]))
        result = []
        for rs in old_sorted:
            if budget > 0 and _replicas(rs) > 0:
                # unhealthy replicas go first, then healthy ones within the budget
                step = min(_replicas(rs), budget)
                rs = self._scale_rs(cluster, d, rs, _replicas(rs) - step)
                budget -= step
            result.append(rs)
        return new_rs, result

    def _cleanup(self, cluster: ClusterView, d: dict, old: list[dict]) -> None:
        limit = d["spec"].get("revisionHistoryLimit", 10)
        idle = [r for r in old if _replicas(r) == 0 and not r.get("status", {}).get("replicas")]
        idle.sort(key=_revision)
        for rs in idle[:max(0, len(idle) - limit)]:
            cluster.store.delete("replicasets", rs["metadata"]["namespace"], rs["metadata"]["name"])

    def _status(self, cluster: ClusterView, d: dict, new_rs: dict, old: list[dict], created: bool):
        spec = d["spec"]
        want = spec.get("replicas", 1)
        every = [new_rs] + old
        st = lambda r, k: r.get("status", {}).get(k, 0)  # noqa: E731
        replicas = sum(st(r, "replicas") for r in every)
        updated = st(new_rs, "replicas")
        ready = sum(st(r, "readyReplicas") for r in every)
        available = sum(st(r, "availableReplicas") for r in every)
        rolling = spec.get("strategy", {}).get("rollingUpdate") or {}
        max_unavailable = int_or_percent(rolling.get("maxUnavailable", 0), want, False) \
            if spec.get("strategy", {}).get("type", "RollingUpdate") == "RollingUpdate" else 0
        old_status = d.get("status", {})
        now = cluster.clock.timestamp()
        conditions = clone(old_status.get("conditions") or [])
        ok = available >= want - max_unavailable
        set_condition(conditions, "Available", "True" if ok else "False", now,
                      "MinimumReplicasAvailable" if ok else "MinimumReplicasUnavailable",
                      "Deployment has minimum availability." if ok else
                      "Deployment does not have minimum availability.", update_time=True)
        name = new_rs["metadata"]["name"]
        complete = updated == want and available == want and replicas == want
        progressing = next((c for c in conditions if c["type"] == "Progressing"), None)
        wake = None
        if created:
            set_condition(conditions, "Progressing", "True", now, "NewReplicaSetCreated",
                          f'Created new replica set "{name}"', update_time=True)
        elif complete:
            if not progressing or progressing.get("reason") != "NewReplicaSetAvailable":
                set_condition(conditions, "Progressing", "True", now, "NewReplicaSetAvailable",
                              f'ReplicaSet "{name}" has successfully progressed.', update_time=True)
        else:
            before = (old_status.get("updatedReplicas", 0), old_status.get("readyReplicas", 0),
                      old_status.get("availableReplicas", 0), old_status.get("replicas", 0))
            moved = before != (updated, ready, available, replicas)
            deadline = spec.get("progressDeadlineSeconds", 600)
            if progressing and progressing.get("reason") == "ProgressDeadlineExceeded" and not moved:
                pass
            elif moved or not progressing or progressing.get("reason") == "NewReplicaSetAvailable":
                set_condition(conditions, "Progressing", "True", now, "ReplicaSetUpdated",
                              f'ReplicaSet "{name}" is progressing.', update_time=True)
                progressing = next(c for c in conditions if c["type"] == "Progressing")
            if progressing and progressing.get("reason") != "ProgressDeadlineExceeded":
                limit = parse_time(progressing["lastUpdateTime"]) + timedelta(seconds=deadline)
                if cluster.clock.now() >= limit:
                    set_condition(conditions, "Progressing", "False", now,
                                  "ProgressDeadlineExceeded",
                                  f'ReplicaSet "{name}" has timed out progressing.',
                                  update_time=True)
                else:
                    wake = limit
        conditions.sort(key=lambda c: 0 if c["type"] == "Available" else 1)
        status = {"availableReplicas": available, "conditions": conditions,
                  "observedGeneration": d["metadata"].get("generation", 1),
                  "readyReplicas": ready, "replicas": replicas,
                  "unavailableReplicas": max(0, want - available) if replicas or want else 0,
                  "updatedReplicas": updated}
        if old_status.get("collisionCount"):
            status["collisionCount"] = old_status["collisionCount"]
        drop_zero(status, "availableReplicas", "readyReplicas", "replicas",
                  "unavailableReplicas", "updatedReplicas")
        if old_status != status:
            new = edit(d)
            new["status"] = status
            cluster.store.write(new)
        return wake
