"""Where a TCP connection to ip:port lands, as kube-proxy and the cloud would route it:
Service VIPs (cluster, external, load-balancer IPs, node ports) to ready endpoints in
turn, pod IPs to the pod, ingress addresses to the ingress controller, and a few sites
of the outside world. Everything else never answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.net import addresses as addr
from sim.net import internet, netpol
from sim.net.internet import Site


@dataclass
class Origin:
    """Where a connection starts: inside a pod, on a node, or outside the cluster."""

    kind: str                      # pod | node | outside
    pod: dict | None = None
    node: dict | None = None

    @property
    def ip(self) -> str:
        if self.pod is not None:
            return addr.pod_ip(self.pod) or "127.0.0.1"
        if self.node is not None:
            found = addr.node_addresses(self.node, ("InternalIP",))
            return found[0] if found else "127.0.0.1"
        return "203.0.113.10"


@dataclass
class Target:
    kind: str                      # pod | site | ingress | apiserver
    port: int
    pod: dict | None = None
    site: Site | None = None
    address: str = ""              # the address dialled (ingress: which load balancer)
    client_ip: str = ""


class ConnectError(Exception):
    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind           # refused | timeout


def _ports_of(svc: dict) -> list[dict]:
    return list((svc.get("spec") or {}).get("ports") or [])


def ready_backends(cluster: Any, svc: dict, port: dict) -> list[tuple[str, int]]:
    """Ready (ip, port) pairs behind one Service port, sorted as the Endpoints list them."""
    ns, name = addr.meta(svc, "namespace"), addr.meta(svc, "name")
    wanted = port.get("name") or ""
    found: list[tuple[str, int]] = []
    eps = addr.get(cluster, "endpoints", ns, name)
    if eps is not None:
        for subset in eps.get("subsets") or []:
            ports = subset.get("ports") or []
            match = [p for p in ports if (p.get("name") or "") == wanted] or \
                (ports if len(ports) == 1 and len(_ports_of(svc)) == 1 else [])
            for ep_port in match[:1]:
                for address in subset.get("addresses") or []:
                    found.append((address["ip"], int(ep_port["port"])))
    else:
        for sl in cluster.store.list("endpointslices", ns,
                                     label_selector=f"kubernetes.io/service-name={name}"):
            match = [p for p in sl.get("ports") or [] if (p.get("name") or "") == wanted]
            for ep_port in match[:1]:
                for ep in sl.get("endpoints") or []:
                    if (ep.get("conditions") or {}).get("ready", True):
                        for ip in ep.get("addresses") or []:
                            found.append((ip, int(ep_port["port"])))
    return sorted(set(found))


def _next_backend(cluster: Any, svc: dict, port: dict) -> tuple[str, int]:
    backends = ready_backends(cluster, svc, port)
    if not backends:
        raise ConnectError("refused")
    turns = cluster.runtime.setdefault("net", {}).setdefault("round-robin", {})
    key = f"{addr.meta(svc, 'namespace')}/{addr.meta(svc, 'name')}:{port.get('port')}"
    turn = turns.get(key, 0)
    turns[key] = turn + 1
    return backends[turn % len(backends)]


def _via_service(cluster: Any, origin: Origin, svc: dict, port: dict, client_ip: str,
                 depth: int) -> Target:
    ip, target_port = _next_backend(cluster, svc, port)
    return _direct(cluster, origin, ip, target_port, client_ip, depth + 1)


def _service_port(svc: dict, port: int, field: str = "port") -> dict | None:
    for entry in _ports_of(svc):
        if (entry.get("protocol") or "TCP") == "TCP" and entry.get(field) == port:
            return entry
    return None


def _direct(cluster: Any, origin: Origin, ip: str, port: int, client_ip: str, depth: int) -> Target:
    pod = addr.pod_by_ip(cluster, ip)
    if pod is not None:
        if not netpol.allows(cluster, origin.pod, client_ip, pod, port):
            raise ConnectError("timeout")
        return Target("pod", port, pod=pod, address=ip, client_ip=client_ip)
    site = internet.site_by_address(ip)
    if site is not None:
        if port not in (80, 443):
            raise ConnectError("timeout")
        return Target("site", port, site=site, address=ip, client_ip=client_ip)
    if depth < 2:
        return connect(cluster, origin, ip, port, _depth=depth + 1)
    raise ConnectError("timeout")


def _ingress_at(cluster: Any, ip: str) -> list[dict]:
    found = []
    for ing in cluster.store.list("ingresses"):
        for entry in ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []:
            if entry.get("ip") == ip or (entry.get("hostname") and addr.lb_hostname_address(entry["hostname"]) == ip):
                found.append(ing)
    return found


def _host_network_pod(cluster: Any, node: dict, port: int) -> dict | None:
    """A pod sharing the node's network that has a container serving ``port``."""
    from sim.net.client import listening

    name = addr.meta(node, "name")
    for candidate in addr.pods(cluster):
        if addr.is_host_network(candidate) and (candidate.get("spec") or {}).get("nodeName") == name:
            if listening(cluster, Target("pod", port, pod=candidate)):
                return candidate
    return None


def connect(cluster: Any, origin: Origin, ip: str, port: int, _depth: int = 0) -> Target:
    """Route one connection; raises ConnectError("refused" | "timeout")."""
    client_ip = origin.ip
    inside = origin.kind in {"pod", "node"}
    if ip.startswith("127.") or ip == "::1":
        if origin.pod is not None:
            return Target("pod", port, pod=origin.pod, address=ip, client_ip="127.0.0.1")
        raise ConnectError("refused")
    svc = addr.service_by_cluster_ip(cluster, ip)
    if svc is not None:
        if not inside:
            raise ConnectError("timeout")
        entry = _service_port(svc, port)
        if entry is None:
            raise ConnectError("timeout")
        return _via_service(cluster, origin, svc, entry, client_ip, _depth)
    for svc in addr.services(cluster):
        spec = svc.get("spec") or {}
        if ip in (spec.get("externalIPs") or []) or ip in addr.lb_addresses(svc):
            entry = _service_port(svc, port)
            if entry is not None:
                return _via_service(cluster, origin, svc, entry, client_ip, _depth)
    from sim.net import apiserver

    if (ip, port) in apiserver.endpoints(cluster):
        return Target("apiserver", port, address=ip, client_ip=client_ip)
    node = addr.node_by_address(cluster, ip)
    if node is not None:
        for svc in addr.services(cluster):
            entry = _service_port(svc, port, "nodePort")
            if entry is not None and (svc.get("spec") or {}).get("type") in {"NodePort", "LoadBalancer"}:
                node_ip = addr.node_addresses(node, ("InternalIP",))
                return _via_service(cluster, origin, svc, entry, node_ip[0] if node_ip else ip, _depth)
        host_pod = _host_network_pod(cluster, node, port)
        if host_pod is not None:
            return Target("pod", port, pod=host_pod, address=ip, client_ip=client_ip)
    ingresses = _ingress_at(cluster, ip)
    if node is not None and (not ingresses or port not in (80, 443)):
        raise ConnectError("refused")
    if ingresses:
        if port not in (80, 443):
            raise ConnectError("timeout")
        if port == 80 and all((addr.meta(i, "annotations") or {}).get(
                "kubernetes.io/ingress.allow-http") == "false" for i in ingresses):
            raise ConnectError("refused")
        return Target("ingress", port, address=ip, client_ip=client_ip)
    if addr.pod_by_ip(cluster, ip) is not None and not inside:
        raise ConnectError("timeout")
    return _direct(cluster, origin, ip, port, client_ip, 2)
