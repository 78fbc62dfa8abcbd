"""describe for ingresses and ingress classes."""
from __future__ import annotations

from datetime import datetime

from ..columns import load_balancer_text
from .core import format_endpoint_slices
from .writer import Lookup, Writer, annotations_multiline, events, find_events, labels_multiline


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


def describe_ingress(ing: dict, now: datetime, lookup: Lookup) -> str:
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
    events(w, find_events(ing, lookup), now)
    return w.text()


def describe_ingressclass(ic: dict, now: datetime, lookup: Lookup) -> str:
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
    events(w, find_events(ic, lookup), now)
    return w.text()
