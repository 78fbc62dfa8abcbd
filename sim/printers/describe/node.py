"""describe for nodes."""
from __future__ import annotations

from datetime import datetime

from ..cells_cluster import node_roles
from ..duration import translate_timestamp_since
from ..quantity import Quantity
from .writer import (Lookup, Writer, annotations_multiline, event_selector, events,
                     labels_multiline, rfc1123z, safe_lookup, taints_multiline)

_STANDARD = {"cpu", "memory", "ephemeral-storage", "storage", "pods"}


def _pod_totals(pod: dict) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    """PodRequests / PodLimits: the sum over containers (init containers' max ignored)."""
    reqs: dict[str, Quantity] = {}
    limits: dict[str, Quantity] = {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        res = c.get("resources") or {}
        for target, key in ((reqs, "requests"), (limits, "limits")):
            for name, value in (res.get(key) or {}).items():
                target[name] = target.get(name, Quantity.parse(0)) + Quantity.parse(value)
        for name, value in (res.get("limits") or {}).items():
            if name not in (res.get("requests") or {}):
                reqs[name] = reqs.get(name, Quantity.parse(0)) + Quantity.parse(value)
    return reqs, limits


def _pct(part: Quantity, whole: Quantity, milli: bool) -> int:
    total = whole.milli() if milli else whole.whole()
    if total == 0:
        return 0
    return int((part.milli() if milli else part.whole()) / total * 100)


def _allocated(w: Writer, pods: list[dict], allocatable: dict) -> None:
    alloc = {k: Quantity.parse(v) for k, v in allocatable.items()}
    zero = Quantity.parse(0)
    reqs: dict[str, Quantity] = {}
    limits: dict[str, Quantity] = {}
    for pod in pods:
        r, lim = _pod_totals(pod)
        for name, q in r.items():
            reqs[name] = reqs.get(name, zero) + q
        for name, q in lim.items():
            limits[name] = limits.get(name, zero) + q
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    for name in ("cpu", "memory", "ephemeral-storage"):
        milli = name == "cpu"
        req, lim = reqs.get(name, zero), limits.get(name, zero)
        whole = alloc.get(name, zero)
        w.write(1, f"{name}\t{req} ({_pct(req, whole, milli)}%)\t{lim} ({_pct(lim, whole, milli)}%)\n")
    huge = sorted(k for k in alloc if k.startswith("hugepages-"))
    ext = sorted(k for k in alloc if not k.startswith("hugepages-") and k not in _STANDARD
                 and "/" in k and not k.startswith("requests."))
    for name in huge:
        req, lim = reqs.get(name, zero), limits.get(name, zero)
        whole = alloc[name]
        w.write(1, f"{name}\t{req} ({_pct(req, whole, False)}%)\t{lim} ({_pct(lim, whole, False)}%)\n")
    for name in ext:
        w.write(1, f"{name}\t{reqs.get(name, zero)}\t{limits.get(name, zero)}\n")


def _pods_table(w: Writer, pods: list[dict], allocatable: dict, now: datetime) -> None:
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    zero = Quantity.parse(0)
    cpu = Quantity.parse(allocatable.get("cpu"))
    mem = Quantity.parse(allocatable.get("memory"))
    for pod in pods:
        reqs, limits = _pod_totals(pod)
        cr, cl = reqs.get("cpu", zero), limits.get("cpu", zero)
        mr, ml = reqs.get("memory", zero), limits.get("memory", zero)
        meta = pod.get("metadata") or {}
        w.write(1, f"{meta.get('namespace', '')}\t{meta.get('name', '')}\t\t"
                   f"{cr} ({_pct(cr, cpu, True)}%)\t{cl} ({_pct(cl, cpu, True)}%)\t"
                   f"{mr} ({_pct(mr, mem, False)}%)\t{ml} ({_pct(ml, mem, False)}%)\t"
                   f"{translate_timestamp_since(meta.get('creationTimestamp'), now)}\n")


def describe_node(node: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    name = meta.get("name", "")
    pods = lookup("pods", None, field_selector=f"spec.nodeName={name},status.phase!=Succeeded,"
                                                 "status.phase!=Failed")
    w = Writer()
    w.write(0, f"Name:\t{name}\n")
    w.write(0, f"Roles:\t{node_roles(node)}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    taints_multiline(w, "Taints", spec.get("taints"))
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    leases = safe_lookup(lookup, "leases", "kube-node-lease", field_selector=f"metadata.name={name}")
    if leases:
        lease = leases[0].get("spec") or {}
        w.write(0, "Lease:\n")
        w.write(1, f"HolderIdentity:\t{lease.get('holderIdentity') or '<unset>'}\n")
        w.write(1, f"AcquireTime:\t{rfc1123z(lease['acquireTime']) if lease.get('acquireTime') else '<unset>'}\n")
        w.write(1, f"RenewTime:\t{rfc1123z(lease['renewTime']) if lease.get('renewTime') else '<unset>'}\n")
    else:
        w.write(0, f'Lease:\tFailed to get lease: leases.coordination.k8s.io "{name}" not found\n')
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{rfc1123z(c.get('lastHeartbeatTime'))} "
                       f"\t{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for addr in status.get("addresses") or []:
        w.write(1, f"{addr.get('type', '')}:\t{addr.get('address', '')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        values = status.get(key) or {}
        if values:
            w.write(0, f"{title}:\n")
            for res in sorted(values):
                w.write(0, f"  {res}:\t{Quantity.parse(values[res])}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for label, key in (("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
                       ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
                       ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
                       ("Container Runtime Version", "containerRuntimeVersion"),
                       ("Kubelet Version", "kubeletVersion"), ("Kube-Proxy Version", "kubeProxyVersion")):
        w.write(0, f"  {label}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    allocatable = status.get("allocatable") or status.get("capacity") or {}
    _pods_table(w, pods, allocatable, now)
    _allocated(w, pods, allocatable)
    if show_events:
        found = lookup("events", None, field_selector=event_selector(node))
        found += lookup("events", None, field_selector=event_selector(node, uid=name))
        events(w, found, now)
    return w.text()
