"""Who owns an address: pods, nodes, Services (cluster, external and load-balancer IPs)."""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

Obj = dict[str, Any]


def cluster_domain(cluster: Any) -> str:
    profile = getattr(cluster, "profile", None) or {}
    return str((profile.get("network") or {}).get("dns_domain") or profile.get("clusterDomain")
               or "cluster.local")


def meta(obj: Obj, key: str, default: Any = None) -> Any:
    return (obj.get("metadata") or {}).get(key, default)


def pods(cluster: Any, namespace: str | None = None) -> list[Obj]:
    return list(cluster.store.list("pods", namespace))


def services(cluster: Any, namespace: str | None = None) -> list[Obj]:
    return list(cluster.store.list("services", namespace))


def nodes(cluster: Any) -> list[Obj]:
    return list(cluster.store.list("nodes"))


def get(cluster: Any, resource: str, namespace: str | None, name: str) -> Obj | None:
    try:
        return cluster.store.get(resource, namespace, name)
    except Exception:  # the store's NotFound: absence is an answer here
        return None


def pod_ip(pod: Obj) -> str | None:
    return (pod.get("status") or {}).get("podIP") or None


def is_host_network(pod: Obj) -> bool:
    return bool((pod.get("spec") or {}).get("hostNetwork"))


def pod_by_ip(cluster: Any, ip: str) -> Obj | None:
    for pod in pods(cluster):
        if pod_ip(pod) == ip and not is_host_network(pod) and meta(pod, "deletionTimestamp") is None:
            return pod
    return None


def node_addresses(node: Obj, kinds: tuple[str, ...] = ("InternalIP", "ExternalIP")) -> list[str]:
    return [a["address"] for a in (node.get("status") or {}).get("addresses", [])
            if a.get("type") in kinds]


def node_by_address(cluster: Any, ip: str) -> Obj | None:
    for node in nodes(cluster):
        if ip in node_addresses(node):
            return node
    return None


def node_by_name(cluster: Any, name: str) -> Obj | None:
    return get(cluster, "nodes", None, name)


def service_ip_set(svc: Obj) -> bool:
    ip = (svc.get("spec") or {}).get("clusterIP")
    return bool(ip) and ip != "None"


def service_by_cluster_ip(cluster: Any, ip: str) -> Obj | None:
    for svc in services(cluster):
        spec = svc.get("spec") or {}
        if spec.get("clusterIP") == ip or ip in (spec.get("clusterIPs") or []):
            return svc
    return None


def lb_hostname_address(hostname: str) -> str:
    """A stable address for a load balancer known by host name (an ELB), from its name."""
    digest = hashlib.sha256(hostname.encode()).digest()
    return str(ipaddress.ip_address(int.from_bytes(digest[:4], "big") % (1 << 20) + int(ipaddress.ip_address("3.208.0.0"))))


def lb_addresses(svc: Obj) -> list[str]:
    found = []
    for entry in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []:
        if entry.get("ip"):
            found.append(entry["ip"])
        elif entry.get("hostname"):
            found.append(lb_hostname_address(entry["hostname"]))
    return found


def dns_service_ip(cluster: Any) -> str | None:
    svc = get(cluster, "services", "kube-system", "kube-dns")
    if svc is None:
        for candidate in services(cluster, "kube-system"):
            labels = meta(candidate, "labels") or {}
            if labels.get("k8s-app") in {"kube-dns", "coredns"}:
                svc = candidate
                break
    if svc is None or not service_ip_set(svc):
        return None
    return svc["spec"]["clusterIP"]


def pod_hostname(pod: Obj) -> str:
    spec = pod.get("spec") or {}
    return spec.get("hostname") or meta(pod, "name")


def pod_fqdn(cluster: Any, pod: Obj) -> str | None:
    """``host.subdomain.ns.svc.DOMAIN`` when the pod names a subdomain."""
    spec = pod.get("spec") or {}
    if not spec.get("subdomain"):
        return None
    return f"{pod_hostname(pod)}.{spec['subdomain']}.{meta(pod, 'namespace')}.svc.{cluster_domain(cluster)}"


def pod_kernel_hostname(cluster: Any, pod: Obj) -> str:
    """The hostname the container's kernel reports: the FQDN under ``setHostnameAsFQDN``
    (when the pod has a subdomain), else the pod's hostname."""
    if (pod.get("spec") or {}).get("setHostnameAsFQDN"):
        return pod_fqdn(cluster, pod) or pod_hostname(pod)
    return pod_hostname(pod)


def in_network(ip: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def reserved_addresses(cluster: Any) -> dict[str, dict]:
    """Static addresses reserved with ``gcloud compute addresses create``, by name."""
    return cluster.runtime.setdefault("net", {}).setdefault("gce-addresses", {})


def reserved_address(cluster: Any, name: str) -> str | None:
    """The IP of a reserved address (for ``kubernetes.io/ingress.global-static-ip-name``)."""
    entry = reserved_addresses(cluster).get(name)
    return entry["ip"] if entry else None
