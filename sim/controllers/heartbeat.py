"""Kubelet heartbeats: node leases renewed every 10 s, node status reported every 5 min.

Only the latest renewal shows, so the times are brought up to date whenever a command
looks (a periodic controller) instead of writing every renewal as virtual time passes."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..api.objects import clone
from ..clock import format_time, parse_time
from .base import ClusterView


LEASE_SECONDS = 10
STATUS_SECONDS = 300


def _micro(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _latest(start: datetime, now: datetime, period: float) -> datetime:
    steps = int((now - start).total_seconds() // period)
    return start + timedelta(seconds=steps * period)


class HeartbeatController:
    name = "heartbeat"
    watches = ("nodes",)
    periodic = True

    def sync(self, cluster: ClusterView):
        store = cluster.store
        now = cluster.clock.now()
        for node in store.list("nodes"):
            name = node["metadata"]["name"]
            # each kubelet keeps its own rhythm: a phase from the node's uid
            born = parse_time(node["metadata"]["creationTimestamp"]) + timedelta(
                milliseconds=int(node["metadata"]["uid"][:6], 16) % 10000)
            lease = store.find("leases", "kube-node-lease", name)
            renew = _micro(_latest(born, now, LEASE_SECONDS))
            if lease is None:
                store.write({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                             "metadata": {"name": name, "namespace": "kube-node-lease",
                                          "ownerReferences": [{
                                              "apiVersion": "v1", "kind": "Node", "name": name,
                                              "uid": node["metadata"]["uid"]}]},
                             "spec": {"holderIdentity": name, "leaseDurationSeconds": 40,
                                      "renewTime": renew}})
            elif lease["spec"].get("renewTime") != renew:
                new = clone(lease)
                new["spec"]["renewTime"] = renew
                store.write(new)
            node = _unschedulable_taint(cluster, node, format_time(now))
            beat = format_time(_latest(born, now, STATUS_SECONDS))
            conditions = node.get("status", {}).get("conditions") or []
            if conditions and any(c.get("lastHeartbeatTime") != beat for c in conditions):
                new = clone(node)
                for cond in new["status"]["conditions"]:
                    cond["lastHeartbeatTime"] = beat
                store.write(new)
        return None


UNSCHEDULABLE = "node.kubernetes.io/unschedulable"


def _unschedulable_taint(cluster: ClusterView, node: dict, now: str) -> dict:
    """The node lifecycle controller's TaintNodesByCondition: a cordoned node
    (spec.unschedulable) carries the NoSchedule taint node.kubernetes.io/unschedulable,
    which goes when it is uncordoned."""
    spec = node.get("spec") or {}
    taints = list(spec.get("taints") or [])
    has = any(t.get("key") == UNSCHEDULABLE for t in taints)
    if bool(spec.get("unschedulable")) == has:
        return node
    new = clone(node)
    if has:
        taints = [t for t in taints if t.get("key") != UNSCHEDULABLE]
    else:
        taints.append({"effect": "NoSchedule", "key": UNSCHEDULABLE, "timeAdded": now})
    if taints:
        new["spec"]["taints"] = taints
    else:
        new["spec"].pop("taints", None)
    return cluster.store.write(new)
