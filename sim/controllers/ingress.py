"""The ingress controller's status updates: which address an Ingress shows.

Which Ingresses it serves (its IngressClass controller name, or class-less ones for a
cloud's controller) and where its address comes from are profile data."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import TYPE_CHECKING

from ..api.objects import clone

if TYPE_CHECKING:
    from ..cluster import Cluster


class IngressStatusController:
    name = "ingress-status"
    watches = ("ingresses", "ingressclasses", "services", "pods")

    def sync(self, cluster: "Cluster"):
        cfg = cluster.profile.get("ingress") or {}
        if not cfg:
            return None
        store = cluster.store
        state = cluster.state.setdefault("ingress_status", {})
        now = cluster.clock.now()
        wake = None
        classes = {c["metadata"]["name"]: c["spec"].get("controller")
                   for c in store.list("ingressclasses")}
        for ing in store.list("ingresses"):
            cls = ing["spec"].get("ingressClassName") or \
                (ing["metadata"].get("annotations") or {}).get("kubernetes.io/ingress.class")
            served = (classes.get(cls) == cfg.get("controller")) if cls else \
                bool(cfg.get("classless"))
            if not served:
                continue
            uid = ing["metadata"]["uid"]
            entry = state.get(uid)
            if entry is None:
                low, high = cfg.get("status_delay", [15, 40])
                entry = state[uid] = {"at": now + timedelta(seconds=round(cluster.rng.uniform(low, high), 3))}
                if cfg.get("events_component"):
                    cluster.record_event(ing, "Normal", "Sync", "Scheduled for sync",
                                         cfg["events_component"])
            if now < entry["at"]:
                wake = entry["at"] if wake is None else min(wake, entry["at"])
                continue
            addresses = self._addresses(cluster, cfg, entry, ing)
            status = {"loadBalancer": {"ingress": addresses}} if addresses else {"loadBalancer": {}}
            if ing.get("status") != status:
                new = clone(ing)
                new["status"] = status
                store.write(new)
                if cfg.get("events_component"):
                    cluster.record_event(ing, "Normal", "Sync", "Scheduled for sync",
                                         cfg["events_component"])
        return wake

    def _addresses(self, cluster: "Cluster", cfg: dict, entry: dict, ing: dict) -> list[dict]:
        store = cluster.store
        source = cfg.get("address_from", "nodes")
        if source == "pool":
            static = (ing["metadata"].get("annotations") or {}).get(
                "kubernetes.io/ingress.global-static-ip-name")
            if static:
                # a cloud address reserved by name; none reserved yet: no address
                return [{"ip": ip}] if (ip := _reserved(cluster, static)) else []
            if "ip" not in entry:
                pool = ipaddress.ip_network(cfg.get("pool", "203.0.113.0/24"))
                entry["ip"] = str(pool.network_address + cluster.rng.randrange(1, pool.num_addresses - 1))
            return [{"ip": entry["ip"]}]
        ns, _, name = str(cfg.get("service", "")).partition("/")
        svc = store.find("services", ns, name) if name else None
        if source == "service" and svc is not None:
            return [clone(i) for i in (svc.get("status", {}).get("loadBalancer", {}).get("ingress") or [])]
        if svc is None:
            return []
        # a bare-metal controller publishes the addresses of the nodes it runs on
        from ..api.selectors import selector_from_map

        ips = set()
        for pod in store.list("pods", ns, selector_from_map(svc["spec"].get("selector"))):
            if pod.get("status", {}).get("phase") == "Running" and pod.get("status", {}).get("hostIP"):
                ips.add(pod["status"]["hostIP"])
        return [{"ip": ip} for ip in sorted(ips)]


def _reserved(cluster: "Cluster", name: str) -> str | None:
    try:
        from sim.net.host import reserved_address
    except ImportError:
        return None
    return reserved_address(cluster, name)
