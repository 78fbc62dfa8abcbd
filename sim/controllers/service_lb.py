"""The cloud's service controller: load balancers for type=LoadBalancer Services.

The profile's ``load_balancer`` says what the simulated cloud gives: nothing (the
address stays ``<pending>``), an IP from a pool (``kind: ip``), or an AWS-style
hostname derived from the Service's uid (``kind: hostname``), after a delay."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from ..api.objects import clone
from .base import ClusterView


FINALIZER = "service.kubernetes.io/load-balancer-cleanup"
COMPONENT = "service-controller"


def load_balancer_name(svc: dict) -> str:
    """cloudprovider.DefaultLoadBalancerName: ``a`` + the uid without dashes, 32 chars."""
    return ("a" + svc["metadata"]["uid"].replace("-", ""))[:32]


class ServiceLoadBalancerController:
    name = "service-lb"
    watches = ("services",)

    def sync(self, cluster: ClusterView):
        cfg = cluster.profile.get("load_balancer")
        if not cfg:
            return None
        state = cluster.state.setdefault("load_balancers", {})
        now = cluster.clock.now()
        wake = None
        live = set()
        types = cluster.state.setdefault("service_types", {})
        for svc in cluster.store.list("services"):
            uid = svc["metadata"]["uid"]
            kind = svc["spec"].get("type", "ClusterIP")
            is_lb = kind == "LoadBalancer"
            before = types.get(uid)
            types[uid] = kind
            if before is not None and before != kind and "LoadBalancer" in (before, kind):
                cluster.record_event(svc, "Normal", "Type", f"{before} -> {kind}", COMPONENT)
            entry = state.get(uid)
            if svc["metadata"].get("deletionTimestamp"):
                if FINALIZER in (svc["metadata"].get("finalizers") or []):
                    cluster.record_event(svc, "Normal", "DeletingLoadBalancer",
                                         "Deleting load balancer", COMPONENT)
                    cluster.record_event(svc, "Normal", "DeletedLoadBalancer",
                                         "Deleted load balancer", COMPONENT)
                    self._release(cluster, state.pop(uid, None) or {})
                    new = clone(svc)
                    fin = [f for f in new["metadata"]["finalizers"] if f != FINALIZER]
                    if fin:
                        new["metadata"]["finalizers"] = fin
                    else:
                        new["metadata"].pop("finalizers", None)
                    cluster.store.write(new)
                continue
            if is_lb:
                live.add(uid)
                if entry is None:
                    low, high = cfg.get("delay_seconds", [30, 60])
                    entry = state[uid] = {
                        "ready_at": now + timedelta(seconds=round(cluster.rng.uniform(low, high), 3)),
                        "address": None}
                    self._ensure_finalizer(cluster, svc)
                    cluster.record_event(svc, "Normal", "EnsuringLoadBalancer",
                                         "Ensuring load balancer", COMPONENT)
                    continue
                if entry["address"] is None:
                    if now < entry["ready_at"]:
                        wake = entry["ready_at"] if wake is None else min(wake, entry["ready_at"])
                        continue
                    entry["address"] = self._address(cluster, cfg, svc)
                    new = clone(svc)
                    new["status"] = {"loadBalancer": {"ingress": [entry["address"]]}}
                    cluster.store.write(new)
                    cluster.record_event(svc, "Normal", "EnsuredLoadBalancer",
                                         "Ensured load balancer", COMPONENT)
            elif entry is not None:
                # no longer a LoadBalancer: the cloud's balancer goes away
                cluster.record_event(svc, "Normal", "DeletingLoadBalancer",
                                     "Deleting load balancer", COMPONENT)
                new = clone(svc)
                new["status"] = {"loadBalancer": {}}
                fin = [f for f in new["metadata"].get("finalizers") or [] if f != FINALIZER]
                if fin:
                    new["metadata"]["finalizers"] = fin
                else:
                    new["metadata"].pop("finalizers", None)
                cluster.store.write(new)
                cluster.record_event(svc, "Normal", "DeletedLoadBalancer",
                                     "Deleted load balancer", COMPONENT)
                self._release(cluster, state.pop(uid))
        for uid in list(state):
            if uid not in live and cluster.store.by_uid(uid) is None:
                self._release(cluster, state.pop(uid))
        return wake

    @staticmethod
    def _ensure_finalizer(cluster: ClusterView, svc: dict) -> None:
        fin = svc["metadata"].get("finalizers") or []
        if FINALIZER not in fin:
            new = clone(svc)
            new["metadata"]["finalizers"] = fin + [FINALIZER]
            cluster.store.write(new)

    @staticmethod
    def _address(cluster: ClusterView, cfg: dict, svc: dict) -> dict:
        if cfg.get("kind") == "hostname":
            digits = "".join(str(cluster.rng.randrange(10)) for _ in range(10))
            region = cfg.get("region") or cluster.profile.get("region", "us-east-1")
            host = f"{load_balancer_name(svc)}-{digits}.{region}.elb.amazonaws.com"
            return {"hostname": host}
        requested = svc["spec"].get("loadBalancerIP")
        used = cluster.state.setdefault("lb_ips", set())
        if requested and requested not in used:
            used.add(requested)
            return {"ip": requested, "ipMode": "VIP"}
        pool = ipaddress.ip_network(cfg.get("pool", "203.0.113.0/24"))
        while True:
            ip = str(pool.network_address + cluster.rng.randrange(1, pool.num_addresses - 1))
            if ip not in used:
                used.add(ip)
                return {"ip": ip, "ipMode": "VIP"}

    @staticmethod
    def _release(cluster: ClusterView, entry: dict) -> None:
        address = (entry or {}).get("address") or {}
        if address.get("ip"):
            cluster.state.setdefault("lb_ips", set()).discard(address["ip"])
