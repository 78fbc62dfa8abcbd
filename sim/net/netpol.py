"""NetworkPolicy on a pod's ingress: once any policy selects a pod for Ingress, only
traffic some rule allows reaches it (dropped packets, not refusals)."""

from __future__ import annotations

import ipaddress
from typing import Any

from sim.net import addresses as addr
from sim.net.selectors import matches


def _policy_types(policy: dict) -> list[str]:
    spec = policy.get("spec") or {}
    if spec.get("policyTypes"):
        return spec["policyTypes"]
    return ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


def _namespace_labels(cluster: Any, name: str) -> dict[str, str]:
    ns = addr.get(cluster, "namespaces", None, name)
    labels = dict(addr.meta(ns, "labels") or {}) if ns else {}
    labels.setdefault("kubernetes.io/metadata.name", name)
    return labels


def _peer_allows(cluster: Any, peer: dict, policy_ns: str, source: dict | None, source_ip: str) -> bool:
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        try:
            ip = ipaddress.ip_address(source_ip)
            if ip not in ipaddress.ip_network(block.get("cidr", ""), strict=False):
                return False
            return not any(ip in ipaddress.ip_network(e, strict=False) for e in block.get("except") or [])
        except ValueError:
            return False
    if source is None:
        return False
    source_ns = addr.meta(source, "namespace")
    if "namespaceSelector" in peer:
        if not matches(peer["namespaceSelector"], _namespace_labels(cluster, source_ns)):
            return False
    elif source_ns != policy_ns:
        return False
    if "podSelector" in peer:
        return matches(peer["podSelector"], addr.meta(source, "labels"))
    return True


def _port_allows(rule_port: dict, pod: dict, port: int, protocol: str) -> bool:
    if protocol == "ICMP" or (rule_port.get("protocol") or "TCP") != protocol:
        return False
    wanted = rule_port.get("port")
    if wanted is None:
        return True
    if isinstance(wanted, str) and not wanted.isdigit():
        for container in (pod.get("spec") or {}).get("containers") or []:
            for cport in container.get("ports") or []:
                if cport.get("name") == wanted and cport.get("containerPort") == port:
                    return True
        return False
    low = int(wanted)
    high = int(rule_port.get("endPort", low))
    return low <= port <= high


def allows(cluster: Any, source: dict | None, source_ip: str, pod: dict, port: int,
           protocol: str = "TCP") -> bool:
    """Whether traffic from ``source`` (a pod, or None for a node or the outside, known by
    ``source_ip``) may reach ``pod`` on ``port``."""
    ns = addr.meta(pod, "namespace")
    selecting = [
        p for p in cluster.store.list("networkpolicies", ns)
        if "Ingress" in _policy_types(p)
        and matches((p.get("spec") or {}).get("podSelector", {}), addr.meta(pod, "labels"))
    ]
    if not selecting:
        return True
    for policy in selecting:
        for rule in (policy.get("spec") or {}).get("ingress") or []:
            peers = rule.get("from")
            if peers and not any(_peer_allows(cluster, peer, ns, source, source_ip) for peer in peers):
                continue
            ports = rule.get("ports")
            if ports and not any(_port_allows(p, pod, port, protocol) for p in ports):
                continue
            return True
    return False
