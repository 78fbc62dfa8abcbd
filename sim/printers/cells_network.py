"""Rows of services, endpoints, endpoint slices, ingresses and ingress classes."""
from __future__ import annotations

from datetime import datetime

from .cells_common import age, first_three, meta_of
from .selectors import format_labels

LOAD_BALANCER_WIDTH = 16


def load_balancer_text(lb_status: dict | None, wide: bool) -> str:
    found = set()
    for ing in (lb_status or {}).get("ingress") or []:
        if ing.get("ip"):
            found.add(ing["ip"])
        elif ing.get("hostname"):
            found.add(ing["hostname"])
    text = ",".join(sorted(found))
    if not wide and len(text) > LOAD_BALANCER_WIDTH:
        text = text[:LOAD_BALANCER_WIDTH - 3] + "..."
    return text


def service_external_ip(svc: dict, wide: bool) -> str:
    spec = svc.get("spec") or {}
    kind = spec.get("type", "")
    external = spec.get("externalIPs") or []
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if kind == "LoadBalancer":
        lb = load_balancer_text((svc.get("status") or {}).get("loadBalancer"), wide)
        if external:
            return ",".join((lb.split(",") if lb else []) + external)
        return lb or "<pending>"
    if kind == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def service_ports(ports: list[dict]) -> str:
    pieces = []
    for port in ports:
        proto = port.get("protocol", "")
        if port.get("nodePort"):
            pieces.append(f"{port.get('port', 0)}:{port['nodePort']}/{proto}")
        else:
            pieces.append(f"{port.get('port', 0)}/{proto}")
    return ",".join(pieces)


def service_cells(svc: dict, now: datetime) -> list[str]:
    spec = svc.get("spec") or {}
    ips = spec.get("clusterIPs") or []
    return [meta_of(svc).get("name", ""), spec.get("type", ""), ips[0] if ips else "<none>",
            service_external_ip(svc, True), service_ports(spec.get("ports") or []) or "<none>",
            age(svc, now), format_labels(spec.get("selector"))]


def _host_port(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def endpoints_text(ep: dict) -> str:
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    items: list[str] = []
    count = 0
    for ss in subsets:
        addresses = [a.get("ip", "") for a in ss.get("addresses") or []]
        ports = ss.get("ports") or []
        if not ports:
            count += len(addresses)
            items.extend(addresses)
            continue
        for port in ports:
            count += len(addresses)
            items.extend(_host_port(ip, port.get("port", 0)) for ip in addresses)
    return first_three(items, count)


def endpoints_cells(ep: dict, now: datetime) -> list[str]:
    return [meta_of(ep).get("name", ""), endpoints_text(ep), age(ep, now)]


def endpointslice_cells(eps: dict, now: datetime) -> list[str]:
    ports = []
    for port in eps.get("ports") or []:
        if port.get("port") is not None:
            ports.append(str(port["port"]))
        elif port.get("name") is not None:
            ports.append(port["name"])
        else:
            ports.append("*")
    addresses = [a for e in eps.get("endpoints") or [] for a in e.get("addresses") or []]
    return [meta_of(eps).get("name", ""), eps.get("addressType", ""),
            first_three(ports, len(ports), empty="<unset>"),
            first_three(addresses, len(addresses), empty="<unset>"), age(eps, now)]


def ingress_hosts(rules: list[dict]) -> str:
    hosts = [r["host"] for r in rules[:3] if r.get("host")]
    if not hosts:
        return "*"
    text = ",".join(hosts)
    return f"{text} + {len(rules) - 3} more..." if len(rules) > 3 else text


def ingress_cells(ing: dict, now: datetime) -> list[str]:
    spec = ing.get("spec") or {}
    return [meta_of(ing).get("name", ""), spec.get("ingressClassName") or "<none>",
            ingress_hosts(spec.get("rules") or []),
            load_balancer_text((ing.get("status") or {}).get("loadBalancer"), True),
            "80, 443" if spec.get("tls") else "80", age(ing, now)]


def ingressclass_cells(ic: dict, now: datetime) -> list[str]:
    spec = ic.get("spec") or {}
    params = spec.get("parameters")
    text = "<none>"
    if params is not None:
        text = params.get("kind", "")
        if params.get("apiGroup") is not None:
            text += "." + params["apiGroup"]
        text += "/" + params.get("name", "")
    return [meta_of(ic).get("name", ""), spec.get("controller", ""), text, age(ic, now)]


def servicecidr_cells(cidr: dict, now: datetime) -> list[str]:
    """printServiceCIDR: the CIDRs joined with ','."""
    return [meta_of(cidr).get("name", ""), ",".join((cidr.get("spec") or {}).get("cidrs") or []),
            age(cidr, now)]


def ipaddress_cells(ip: dict, now: datetime) -> list[str]:
    """printIPAddress: the parent as resource[.group][/namespace]/name, lower-cased group
    resource (the server's table has no AGE column for IPAddresses)."""
    ref = (ip.get("spec") or {}).get("parentRef")
    parent = "<none>"
    if ref is not None:
        group, resource = ref.get("group") or "", ref.get("resource") or ""
        parent = (f"{resource}.{group}" if group else resource).lower()
        if ref.get("namespace"):
            parent += "/" + ref["namespace"]
        parent += "/" + (ref.get("name") or "")
    return [meta_of(ip).get("name", ""), parent]
