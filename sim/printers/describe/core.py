"""describe for services, endpoints, secrets, configmaps, namespaces, service accounts."""
from __future__ import annotations

import base64
from datetime import datetime

from ..selectors import format_labels
from .writer import (Lookup, Writer, annotations_multiline, events, find_events, labels_multiline,
                     safe_lookup, object_header)


def _host_port(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def format_endpoint_slices(slices: list[dict], port_name: str | None) -> str:
    """formatEndpointSlices for one service port name (None: every port)."""
    if not slices:
        return "<none>"
    items: list[str] = []
    more, count = False, 0
    for eps in slices:
        endpoints = eps.get("endpoints") or []
        ports = eps.get("ports") or []
        if not ports:
            for ep in endpoints:
                if len(items) == 3:
                    more = True
                if (ep.get("conditions") or {}).get("ready", True) is False:
                    continue
                if not more:
                    items.append((ep.get("addresses") or [""])[0])
                count += 1
            continue
        for port in ports:
            if port_name is not None and (port.get("name") or "") != port_name:
                continue
            for ep in endpoints:
                if len(items) == 3:
                    more = True
                if (ep.get("conditions") or {}).get("ready", True) is False:
                    continue
                if not more:
                    items.append(_host_port((ep.get("addresses") or [""])[0], port.get("port", 0)))
                count += 1
    text = ",".join(items)
    return f"{text} + {count - 3} more..." if more else text


def service_slices(svc: dict, lookup: Lookup) -> list[dict]:
    meta = svc.get("metadata") or {}
    return lookup("endpointslices", meta.get("namespace"),
                  label_selector=f"kubernetes.io/service-name={meta.get('name', '')}")


def _ingress_text(ingress: list[dict]) -> str:
    parts = []
    for ing in ingress:
        if ing.get("ip"):
            parts.append(ing["ip"] + (f" ({ing['ipMode']})" if ing.get("ipMode") else ""))
        else:
            parts.append(ing.get("hostname", ""))
    return ", ".join(parts)


def describe_service(svc: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    slices = service_slices(svc, lookup)
    w = Writer()
    object_header(w, meta)
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy") is not None:
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    lb = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if lb:
        w.write(0, f"LoadBalancer Ingress:\t{_ingress_text(lb)}\n")
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        proto = port.get("protocol", "")
        w.write(0, f"Port:\t{name}\t{port.get('port', 0)}/{proto}\n")
        w.write(0, f"TargetPort:\t{port.get('targetPort', 0)}/{proto}\n")
        if port.get("appProtocol") is not None:
            w.write(0, f"AppProtocol:\t{port['appProtocol']}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{proto}\n")
        w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, port.get('name') or '')}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy") is not None:
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    if spec.get("trafficDistribution") is not None:
        w.write(0, f"Traffic Distribution:\t{spec['trafficDistribution']}\n")
    if show_events:
        events(w, find_events(svc, lookup), now)
    return w.text()


def describe_endpoints(ep: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta = ep.get("metadata") or {}
    w = Writer()
    object_header(w, meta)
    w.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or []:
        ready = ",".join(a.get("ip", "") for a in subset.get("addresses") or [])
        not_ready = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or [])
        w.write(1, f"Addresses:\t{ready or '<none>'}\n")
        w.write(1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        if subset.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for port in subset["ports"]:
                w.write(2, f"{port.get('name') or '<unset>'}\t{port.get('port', 0)}\t{port.get('protocol', '')}\n")
        w.write(0, "\n")
    if show_events:
        events(w, find_events(ep, lookup), now)
    return w.text()


def _decoded_len(value: str) -> int:
    try:
        return len(base64.b64decode(value, validate=False))
    except ValueError:
        return 0


def describe_secret(secret: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta = secret.get("metadata") or {}
    w = Writer()
    object_header(w, meta)
    w.write(0, f"\nType:\t{secret.get('type', '')}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    for key in sorted(data):
        if key == "token" and secret.get("type") == "kubernetes.io/service-account-token":
            w.write(0, f"{key}:\t{base64.b64decode(data[key]).decode(errors='replace')}\n")
        else:
            w.write(0, f"{key}:\t{_decoded_len(data[key])} bytes\n")
    return w.text()


def describe_configmap(cm: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta = cm.get("metadata") or {}
    w = Writer()
    object_header(w, meta)
    w.write(0, "\nData\n====\n")
    data = cm.get("data") or {}
    for key in sorted(data):
        w.write(0, f"{key}:\n----\n")
        w.write(0, f"{data[key]}\n")
        w.write(0, "\n")
    w.write(0, "\nBinaryData\n====\n")
    binary = cm.get("binaryData") or {}
    for key in sorted(binary):
        w.write(0, f"{key}: {_decoded_len(binary[key])} bytes\n")
    w.write(0, "\n")
    if show_events:
        events(w, find_events(cm, lookup), now)
    return w.text()


def describe_namespace(ns: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    from .writer import rfc1123z
    meta = ns.get("metadata") or {}
    status = ns.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{rfc1123z(c.get('lastTransitionTime'))}"
                       f"\t{c.get('reason', '')}\t{c.get('message', '')}\n")
    quotas = safe_lookup(lookup, "resourcequotas", meta.get("name"))
    if quotas is not None:
        w.write(0, "\n")
    if quotas == []:
        w.write(0, "No resource quota.\n")
    elif quotas:
        w.write(0, "Resource Quotas\n")
        for q in sorted(quotas, key=lambda q: q["metadata"].get("name", "")):
            w.write(1, f"Name:\t{q['metadata'].get('name', '')}\n")
            w.write(1, "Resource\tUsed\tHard\n")
            w.write(1, "--------\t---\t---\n")
            hard = (q.get("status") or {}).get("hard") or {}
            used = (q.get("status") or {}).get("used") or {}
            for res in sorted(hard):
                w.write(1, f"{res}\t{used.get(res, '0')}\t{hard[res]}\n")
    limits = safe_lookup(lookup, "limitranges", meta.get("name"))
    if limits is not None:
        w.write(0, "\n")
    if limits == []:
        w.write(0, "No LimitRange resource.\n")
    elif limits:
        w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\t"
                   "Max Limit/Request Ratio\n")
        w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")
    return w.text()


def describe_serviceaccount(sa: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta = sa.get("metadata") or {}
    w = Writer()
    object_header(w, meta)
    names = [s.get("name", "") for s in sa.get("imagePullSecrets") or []]
    if not names:
        w.write(0, "Image pull secrets:\t<none>\n")
    prefix = "Image pull secrets:"
    for name in names:
        w.write(0, f"{prefix}\t{name}\n")
        prefix = " " * 19
    if show_events:
        events(w, find_events(sa, lookup), now)
    return w.text()
