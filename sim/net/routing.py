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
    kind: str                      # pod | site | ingress | apiserver | kube-proxy
    port: int
    pod: dict | None = None
    site: Site | None = None
    address: str = ""              # the address dialled (ingress: which load balancer)
    client_ip: str = ""
    node: dict | None = None       # kube-proxy: the node whose kube-proxy answers


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


def _node_of_ip(cluster: Any, ip: str) -> str | None:
    pod = addr.pod_by_ip(cluster, ip)
    return ((pod or {}).get("spec") or {}).get("nodeName")


def origin_node(cluster: Any, origin: Origin) -> dict | None:
    """The node a connection leaves from: the client pod's node, or the node itself."""
    if origin.node is not None:
        return origin.node
    if origin.pod is not None:
        name = (origin.pod.get("spec") or {}).get("nodeName")
        return addr.node_by_name(cluster, name) if name else None
    return None


def _pick(cluster: Any, svc: dict, port: dict, client_ip: str,
          backends: list[tuple[str, int]]) -> tuple[str, int]:
    """One backend, as kube-proxy chooses: the one a ``ClientIP`` session affinity remembers
    for this client (kept while used within timeoutSeconds), else the next in turn."""
    if not backends:
        raise ConnectError("refused")
    net = cluster.runtime.setdefault("net", {})
    key = f"{addr.meta(svc, 'namespace')}/{addr.meta(svc, 'name')}:{port.get('port')}"
    spec = svc.get("spec") or {}
    now = cluster.clock.now().timestamp()
    sticky = None
    if spec.get("sessionAffinity") == "ClientIP":
        timeout = (((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {})
                   .get("timeoutSeconds") or 10800)
        sticky = net.setdefault("affinity", {})
        remembered = sticky.get((key, client_ip))
        if remembered is not None and remembered[0] in backends and now - remembered[1] <= timeout:
            sticky[(key, client_ip)] = (remembered[0], now)
            return remembered[0]
    turns = net.setdefault("round-robin", {})
    turn = turns.get(key, 0)
    turns[key] = turn + 1
    chosen = backends[turn % len(backends)]
    if sticky is not None:
        sticky[(key, client_ip)] = (chosen, now)
    return chosen


def _next_backend(cluster: Any, svc: dict, port: dict, client_ip: str = "") -> tuple[str, int]:
    return _pick(cluster, svc, port, client_ip, ready_backends(cluster, svc, port))


def masquerade_address(cluster: Any, node: dict | None, backend_ip: str) -> str:
    """The source a backend sees after kube-proxy masquerades on ``node``: the node's bridge
    (the first address of its pod CIDR) for a pod on that node, else the node's address."""
    if node is None:
        return "127.0.0.1"
    if _node_of_ip(cluster, backend_ip) == addr.meta(node, "name"):
        cidr = (node.get("spec") or {}).get("podCIDR")
        if cidr:
            import ipaddress

            return str(ipaddress.ip_network(cidr, strict=False).network_address + 1)
    found = addr.node_addresses(node, ("InternalIP",))
    return found[0] if found else "127.0.0.1"


def _via_service(cluster: Any, origin: Origin, svc: dict, port: dict, client_ip: str,
                 depth: int) -> Target:
    """A ClusterIP: every ready endpoint, or only those on the client's node under
    ``internalTrafficPolicy: Local`` (none there: the packet is dropped)."""
    backends = ready_backends(cluster, svc, port)
    if (svc.get("spec") or {}).get("internalTrafficPolicy") == "Local":
        node = origin_node(cluster, origin)
        name = addr.meta(node, "name") if node else None
        backends = [b for b in backends if _node_of_ip(cluster, b[0]) == name]
        if not backends:
            raise ConnectError("timeout")
    ip, target_port = _pick(cluster, svc, port, client_ip, backends)
    return _direct(cluster, origin, ip, target_port, client_ip, depth + 1)


def _lb_nodes(cluster: Any) -> list[dict]:
    return [n for n in sorted(addr.nodes(cluster), key=lambda n: addr.meta(n, "name"))
            if "node.kubernetes.io/exclude-from-external-load-balancers"
            not in (addr.meta(n, "labels") or {})]


def _external(cluster: Any, origin: Origin, svc: dict, port: dict, node: dict | None,
              depth: int) -> Target:
    """A node port, external IP or load-balancer address, as kube-proxy's external chains
    treat it on ``node`` (None: the cloud's load balancer picks a node). Cluster policy:
    any endpoint, the source masqueraded to the node. Local policy: only the node's own
    endpoints and the client's address kept (a node without one drops the packet; the load
    balancer's health check sends only to nodes with one); traffic from pods goes to any
    endpoint unmasqueraded, as kube-proxy short-circuits it."""
    local = (svc.get("spec") or {}).get("externalTrafficPolicy") == "Local"
    backends = ready_backends(cluster, svc, port)
    if not backends:
        raise ConnectError("refused" if node is not None or not local else "timeout")
    if origin.kind == "pod" and local:
        ip, target_port = _pick(cluster, svc, port, origin.ip, backends)
        return _direct(cluster, origin, ip, target_port, origin.ip, depth + 1)
    if origin.kind == "node":
        node = origin_node(cluster, origin) if node is None else node
        local = False
    if origin.kind == "pod" and node is None:
        node = origin_node(cluster, origin)
    if node is None:
        candidates = _lb_nodes(cluster)
        if local:
            with_local = {_node_of_ip(cluster, ip) for ip, _ in backends}
            candidates = [n for n in candidates if addr.meta(n, "name") in with_local]
        if not candidates:
            raise ConnectError("timeout")
        net = cluster.runtime.setdefault("net", {})
        turns = net.setdefault("lb-node-turns", {})
        key = f"{addr.meta(svc, 'namespace')}/{addr.meta(svc, 'name')}"
        turn = turns.get(key, 0)
        turns[key] = turn + 1
        node = candidates[turn % len(candidates)]
    if local:
        name = addr.meta(node, "name")
        backends = [b for b in backends if _node_of_ip(cluster, b[0]) == name]
        if not backends:
            raise ConnectError("timeout")
        ip, target_port = _pick(cluster, svc, port, origin.ip, backends)
        return _direct(cluster, origin, ip, target_port, origin.ip, depth + 1)
    ip, target_port = _pick(cluster, svc, port, origin.ip, backends)
    return _direct(cluster, origin, ip, target_port, masquerade_address(cluster, node, ip), depth + 1)


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


def _on_node(cluster: Any, node: dict, port: int, ip: str, client_ip: str,
             loopback: bool = False) -> Target:
    """What listens on a node itself: kube-proxy (its metrics port only on loopback, its
    health checks), a host-network pod, else nothing."""
    from sim.net import kubeproxy

    if (loopback and port == kubeproxy.METRICS_PORT) or \
            kubeproxy.health_check_service(cluster, port) is not None:
        return Target("kube-proxy", port, node=node, address=ip, client_ip=client_ip)
    host_pod = _host_network_pod(cluster, node, port)
    if host_pod is not None:
        return Target("pod", port, pod=host_pod, address=ip, client_ip=client_ip)
    raise ConnectError("refused")


def connect(cluster: Any, origin: Origin, ip: str, port: int, _depth: int = 0) -> Target:
    """Route one connection; raises ConnectError("refused" | "timeout")."""
    client_ip = origin.ip
    inside = origin.kind in {"pod", "node"}
    if ip.startswith("127.") or ip == "::1":
        if origin.pod is not None and not addr.is_host_network(origin.pod):
            return Target("pod", port, pod=origin.pod, address=ip, client_ip="127.0.0.1")
        node = origin_node(cluster, origin)
        if node is not None:
            return _on_node(cluster, node, port, ip, "127.0.0.1", loopback=True)
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
                return _external(cluster, origin, svc, entry, None, _depth)
    from sim.net import apiserver

    if (ip, port) in apiserver.endpoints(cluster):
        return Target("apiserver", port, address=ip, client_ip=client_ip)
    node = addr.node_by_address(cluster, ip)
    if node is not None:
        for svc in addr.services(cluster):
            entry = _service_port(svc, port, "nodePort")
            if entry is not None and (svc.get("spec") or {}).get("type") in {"NodePort", "LoadBalancer"}:
                return _external(cluster, origin, svc, entry, node, _depth)
        from sim.net import kubeproxy

        if kubeproxy.health_check_service(cluster, port) is not None:
            return Target("kube-proxy", port, node=node, address=ip, client_ip=client_ip)
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
