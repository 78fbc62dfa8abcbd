"""describe for ingresses, ingress classes, network policies, ServiceCIDRs and IPAddresses."""
from __future__ import annotations

from datetime import datetime

from ..cells_network import load_balancer_text
from ..duration import parse_time
from ..selectors import format_label_selector
from .core import format_endpoint_slices
from .writer import (Lookup, Writer, annotations_multiline, events, find_events, labels_multiline,
                     object_header, rfc1123z)


def _backend(namespace: str, backend: dict, lookup: Lookup) -> str:
    service = backend.get("service")
    if service is not None:
        port = service.get("port") or {}
        text = f"{service.get('name', '')}:{port['number'] if port.get('number') else port.get('name', '')}"
        slices = lookup("endpointslices", namespace,
                        label_selector=f"kubernetes.io/service-name={service.get('name', '')}")
        found = lookup("services", namespace, field_selector=f"metadata.name={service.get('name', '')}")
        if not found:
            return f'{text} (<error: services "{service.get("name", "")}" not found>)'
        port_name = ""
        for sp in (found[0].get("spec") or {}).get("ports") or []:
            if port.get("number") and port["number"] == sp.get("port"):
                port_name = sp.get("name", "")
            elif port.get("name") and port["name"] == sp.get("name"):
                port_name = sp.get("name", "")
        return f"{text} ({format_endpoint_slices(slices, port_name)})"
    resource = backend.get("resource")
    if resource is not None:
        group = resource.get("apiGroup") if resource.get("apiGroup") is not None else "<none>"
        return f"APIGroup: {group}, Kind: {resource.get('kind', '')}, Name: {resource.get('name', '')}"
    return ""


def describe_ingress(ing: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec = ing.get("metadata") or {}, ing.get("spec") or {}
    ns = meta.get("namespace", "")
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    w.write(0, f"Namespace:\t{ns}\n")
    w.write(0, f"Address:\t{load_balancer_text((ing.get('status') or {}).get('loadBalancer'), True)}\n")
    w.write(0, f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}\n")
    default = "<default>"
    if spec.get("defaultBackend") is not None:
        default = _backend(ns, spec["defaultBackend"], lookup)
    w.write(0, f"Default backend:\t{default}\n")
    if spec.get("tls"):
        w.write(0, "TLS:\n")
        for tls in spec["tls"]:
            hosts = ",".join(tls.get("hosts") or [])
            if tls.get("secretName"):
                w.write(1, f"{tls['secretName']} terminates {hosts}\n")
            else:
                w.write(1, f"SNI routes {hosts}\n")
    w.write(0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(1, "----\t----\t--------\n")
    count = 0
    for rule in spec.get("rules") or []:
        if rule.get("http") is None:
            continue
        count += 1
        w.write(1, f"{rule.get('host') or '*'}\t\n")
        for path in rule["http"].get("paths") or []:
            w.write(2, f"\t{path.get('path', '')} \t{_backend(ns, path.get('backend') or {}, lookup)}\n")
    if count == 0:
        w.write(1, f"*\t*\t{default}\n")
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if show_events:
        events(w, find_events(ing, lookup), now)
    return w.text()


def describe_ingressclass(ic: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec = ic.get("metadata") or {}, ic.get("spec") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Controller:\t{spec.get('controller', '')}\n")
    params = spec.get("parameters")
    if params is not None:
        w.write(0, "Parameters:\n")
        if params.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{params['apiGroup']}\n")
        w.write(1, f"Kind:\t{params.get('kind', '')}\n")
        w.write(1, f"Name:\t{params.get('name', '')}\n")
    if show_events:
        events(w, find_events(ic, lookup), now)
    return w.text()


def _peer_lines(w: Writer, peers: list[dict], word: str, indent: str) -> None:
    for peer in peers:
        w.write(0, f"{indent}{word}:\n")
        pod_sel, ns_sel = peer.get("podSelector"), peer.get("namespaceSelector")
        if pod_sel is not None and ns_sel is not None:
            w.write(1, f"{indent}NamespaceSelector: {format_label_selector(ns_sel)}\n")
            w.write(1, f"{indent}PodSelector: {format_label_selector(pod_sel)}\n")
        elif pod_sel is not None:
            w.write(1, f"{indent}PodSelector: {format_label_selector(pod_sel)}\n")
        elif ns_sel is not None:
            w.write(1, f"{indent}NamespaceSelector: {format_label_selector(ns_sel)}\n")
        elif peer.get("ipBlock") is not None:
            block = peer["ipBlock"]
            w.write(1, f"{indent}IPBlock:\n")
            w.write(2, f"{indent}CIDR: {block.get('cidr', '')}\n")
            w.write(2, f"{indent}Except: {', '.join(block.get('except') or [])}\n")


def _policy_rules(w: Writer, rules: list[dict], direction: str, indent: str = "    ") -> None:
    peers_key, word, isolated, anyone = (
        ("from", "From", "ingress", "From: <any> (traffic not restricted by source)")
        if direction == "ingress" else
        ("to", "To", "egress", "To: <any> (traffic not restricted by destination)"))
    if not rules:
        w.write(0, f"{indent}<none> (Selected pods are isolated for {isolated} connectivity)\n")
        return
    for i, rule in enumerate(rules):
        ports = rule.get("ports") or []
        if not ports:
            w.write(0, f"{indent}To Port: <any> (traffic allowed to all ports)\n")
        for port in ports:
            proto = port.get("protocol") or "TCP"
            if port.get("endPort") is None:
                w.write(0, f"{indent}To Port: {port.get('port', '')}/{proto}\n")
            else:
                w.write(0, f"{indent}To Port Range: {port.get('port', '')}-{port['endPort']}/{proto}\n")
        peers = rule.get(peers_key) or []
        if not peers:
            w.write(0, f"{indent}{anyone}\n")
        _peer_lines(w, peers, word, indent)
        if i != len(rules) - 1:
            w.write(0, f"{indent}----------\n")


def go_time_string(ts: str | None) -> str:
    """metav1.Time printed with %s: Go's time.Time.String() in UTC."""
    if not ts:
        return "0001-01-01 00:00:00 +0000 UTC"
    return parse_time(ts).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def describe_networkpolicy(np: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec = np.get("metadata") or {}, np.get("spec") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Created on:\t{go_time_string(meta.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Spec:\n")
    w.write(1, "PodSelector: ")
    selector = spec.get("podSelector") or {}
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        w.write(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n")
    else:
        w.write(2, f"{format_label_selector(selector)}\n")
    types = spec.get("policyTypes") or []
    for direction, title in (("ingress", "ingress"), ("egress", "egress")):
        if direction.capitalize() in types:
            w.write(1, f"Allowing {title} traffic:\n")
            _policy_rules(w, spec.get(direction) or [], direction)
        else:
            w.write(1, f"Not affecting {title} traffic\n")
    w.write(1, f"Policy Types: {', '.join(types) or '<none>'}\n")
    return w.text()


def describe_endpointslice(eps: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta = eps.get("metadata") or {}
    w = Writer()
    object_header(w, meta)
    w.write(0, f"AddressType:\t{eps.get('addressType', '')}\n")
    ports = eps.get("ports") or []
    if not ports:
        w.write(0, "Ports: <unset>\n")
    else:
        w.write(0, "Ports:\n")
        w.write(1, "Name\tPort\tProtocol\n")
        w.write(1, "----\t----\t--------\n")
        for port in ports:
            number = str(port["port"]) if port.get("port") is not None else "<unset>"
            w.write(1, f"{port.get('name') or '<unset>'}\t{number}\t{port.get('protocol', '')}\n")
    endpoints = eps.get("endpoints") or []
    if not endpoints:
        w.write(0, "Endpoints: <none>\n")
    else:
        w.write(0, "Endpoints:\n")
        for ep in endpoints:
            w.write(1, f"- Addresses:\t{', '.join(ep.get('addresses') or []) or '<none>'}\n")
            w.write(2, "Conditions:\n")
            ready = (ep.get("conditions") or {}).get("ready")
            w.write(3, f"Ready:\t{'<unset>' if ready is None else str(ready).lower()}\n")
            w.write(2, f"Hostname:\t{ep['hostname'] if ep.get('hostname') is not None else '<unset>'}\n")
            if ep.get("targetRef") is not None:
                w.write(2, f"TargetRef:\t{ep['targetRef'].get('kind', '')}/{ep['targetRef'].get('name', '')}\n")
            w.write(2, f"NodeName:\t{ep['nodeName'] if ep.get('nodeName') is not None else '<unset>'}\n")
            w.write(2, f"Zone:\t{ep['zone'] if ep.get('zone') is not None else '<unset>'}\n")
    if show_events:
        events(w, find_events(eps, lookup), now)
    return w.text()


def describe_servicecidr(cidr: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    """describeServiceCIDRV1: the CIDRs, the status conditions as a table."""
    meta, spec = cidr.get("metadata") or {}, cidr.get("spec") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CIDRs:\t{', '.join(spec.get('cidrs') or [])}\n")
    conditions = (cidr.get("status") or {}).get("conditions") or []
    if conditions:
        w.write(0, "Status:\n")
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t"
                       f"{rfc1123z(c.get('lastTransitionTime'))}\t{c.get('reason', '')}\t"
                       f"{c.get('message', '')}\n")
    if show_events:
        events(w, find_events(cidr, lookup), now)
    return w.text()


def describe_ipaddress(ip: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    """describeIPAddressV1: the parent reference."""
    meta = ip.get("metadata") or {}
    ref = (ip.get("spec") or {}).get("parentRef") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Parent Reference:\n")
    for title in ("Group", "Resource", "Namespace", "Name"):
        w.write(1, f"{title}:\t{ref.get(title.lower(), '')}\n")
    if show_events:
        events(w, find_events(ip, lookup), now)
    return w.text()
