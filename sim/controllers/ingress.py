"""The ingress controller's status updates: which address an Ingress shows.

Which Ingresses it serves (its IngressClass controller name, or class-less ones for a
cloud's controller) and where its address comes from are profile data."""

from __future__ import annotations

import hashlib
import ipaddress
from datetime import timedelta

from ..api.objects import clone
from .base import ClusterView


class IngressStatusController:
    name = "ingress-status"
    watches = ("ingresses", "ingressclasses", "services", "pods")

    def sync(self, cluster: ClusterView):
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
            missing = _missing_static_ip(cluster, cfg, ing)
            if missing:
                # the cloud controller's sync fails and is retried with a growing delay,
                # picking the address up once it has been reserved
                cluster.record_event(ing, "Warning", "Sync", _sync_error(cluster, ing, missing),
                                     cfg.get("events_component") or "loadbalancer-controller")
                entry["retries"] = entry.get("retries", 0) + 1
                entry["at"] = now + timedelta(seconds=min(5 * 2 ** (entry["retries"] - 1), 300))
                wake = entry["at"] if wake is None else min(wake, entry["at"])
                continue
            addresses = self._addresses(cluster, cfg, entry, ing)
            status = {"loadBalancer": {"ingress": addresses}} if addresses else {"loadBalancer": {}}
            if ing.get("status") != status:
                new = clone(ing)
                new["status"] = status
                store.write(new)
                if source_is_cloud(cfg) and addresses and not entry.get("built"):
                    entry["built"] = True
                    _cloud_load_balancer_events(cluster, ing, addresses[0].get("ip", ""),
                                                cfg.get("events_component") or "loadbalancer-controller")
                if cfg.get("events_component"):
                    cluster.record_event(ing, "Normal", "Sync", "Scheduled for sync",
                                         cfg["events_component"])
        return wake

    def _addresses(self, cluster: ClusterView, cfg: dict, entry: dict, ing: dict) -> list[dict]:
        store = cluster.store
        source = cfg.get("address_from", "nodes")
        if source == "pool":
            static = (ing["metadata"].get("annotations") or {}).get(
                "kubernetes.io/ingress.global-static-ip-name")
            if static:
                ip = _reserved(cluster, static)
                return [{"ip": ip}] if ip else []
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


def _reserved(cluster: ClusterView, name: str) -> str | None:
    try:
        from sim.net.addresses import reserved_address
    except ImportError:
        return None
    return reserved_address(cluster, name)


def _static_ip_name(ing: dict) -> str | None:
    return (ing["metadata"].get("annotations") or {}).get(
        "kubernetes.io/ingress.global-static-ip-name")


def _missing_static_ip(cluster: ClusterView, cfg: dict, ing: dict) -> str | None:
    """The static address an Ingress names when the cloud has none reserved by that name."""
    if cfg.get("address_from", "nodes") != "pool":
        return None
    name = _static_ip_name(ing)
    return name if name and _reserved(cluster, name) is None else None


_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(data: bytes, length: int) -> str:
    n = int.from_bytes(data, "big")
    out = []
    for _ in range(length):
        n, r = divmod(n, 36)
        out.append(_BASE36[r])
    return "".join(out)


def _load_balancer_name(cluster: ClusterView, ing: dict) -> str:
    """The cloud controller's name for an Ingress's load balancer: the cluster's short
    id, the namespace and name, and a hash of the three."""
    state = cluster.state.setdefault("ingress_status_cluster", {})
    if "uid" not in state:
        state["uid"] = "".join(cluster.rng.choice(_BASE36) for _ in range(8))
    uid, ns, name = state["uid"], ing["metadata"].get("namespace", "default"), ing["metadata"]["name"]
    digest = hashlib.sha256(";".join((uid, ns, name)).encode()).digest()
    return f"{uid}-{ns}-{name}"[:53] + "-" + _base36(digest, 8)


def _sync_error(cluster: ClusterView, ing: dict, static: str) -> str:
    return ("Error syncing to GCP: error running load balancer syncing routine: loadbalancer "
            f"{_load_balancer_name(cluster, ing)} does not exist: the given static IP name "
            f"{static} doesn't translate to an existing static IP.")


def source_is_cloud(cfg: dict) -> bool:
    """A cloud's own controller (addresses from the cloud's pool) builds a load balancer."""
    return cfg.get("address_from", "nodes") == "pool"


def _cloud_load_balancer_events(cluster: ClusterView, ing: dict, ip: str, component: str) -> None:
    """What the GCE controller reports as it builds an Ingress's load balancer: the URL
    map, a target proxy and forwarding rule per protocol (HTTPS too with TLS), the IP."""
    lb = _load_balancer_name(cluster, ing)
    made = [("UrlMap", f"k8s2-um-{lb}"), ("TargetProxy", f"k8s2-tp-{lb}"),
            ("ForwardingRule", f"k8s2-fr-{lb}")]
    if ing["spec"].get("tls"):
        made += [("TargetProxy", f"k8s2-ts-{lb}"), ("ForwardingRule", f"k8s2-fs-{lb}")]
    for kind, name in made:
        cluster.record_event(ing, "Normal", "Sync", f'{kind} "{name}" created', component)
    cluster.record_event(ing, "Normal", "IPChanged", f"IP is now {ip}", component)
