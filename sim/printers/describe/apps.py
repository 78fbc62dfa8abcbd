"""describe for deployments, replica sets and stateful sets."""
from __future__ import annotations

from datetime import datetime

from ..selectors import format_label_selector, format_labels, selector_string
from .pod import describe_pod_template
from .writer import (Lookup, Writer, annotations_multiline, controller_of, events, find_events,
                     labels_multiline, rfc1123z)


def _pod_counts(owner: dict, lookup: Lookup) -> str:
    meta = owner.get("metadata") or {}
    selector = selector_string((owner.get("spec") or {}).get("selector"))
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in lookup("pods", meta.get("namespace"), label_selector=selector):
        ref = controller_of(pod)
        if ref is None or ref.get("uid") != meta.get("uid"):
            continue
        phase = (pod.get("status") or {}).get("phase")
        if phase in counts:
            counts[phase] += 1
    return (f"{counts['Running']} Running / {counts['Pending']} Waiting / "
            f"{counts['Succeeded']} Succeeded / {counts['Failed']} Failed")


def _conditions(w: Writer, conditions: list[dict] | None) -> None:
    if not conditions:
        return
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
    w.write(1, "----\t------\t------\n")
    for c in conditions:
        w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")


def _without_hash(template: dict) -> dict:
    copy = dict(template)
    meta = dict(copy.get("metadata") or {})
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k != "pod-template-hash"}
    if labels:
        meta["labels"] = labels
    else:
        meta.pop("labels", None)
    copy["metadata"] = meta
    return copy


def _replicasets(deploy: dict, lookup: Lookup) -> tuple[list[dict], list[dict]]:
    """(old, new) as deploymentutil.GetAllReplicaSets: owned RSs, the new one has the template."""
    meta, spec = deploy.get("metadata") or {}, deploy.get("spec") or {}
    owned = [rs for rs in lookup("replicasets", meta.get("namespace"),
                                 label_selector=selector_string(spec.get("selector")))
             if (controller_of(rs) or {}).get("uid") == meta.get("uid")]
    owned.sort(key=lambda rs: (rs["metadata"].get("creationTimestamp", ""), rs["metadata"].get("name", "")))
    want = _without_hash(spec.get("template") or {})
    new = next((rs for rs in owned
                if _without_hash((rs.get("spec") or {}).get("template") or {}) == want), None)
    return [rs for rs in owned if rs is not new], [new] if new else []


def _rs_list(items: list[dict]) -> str:
    text = ", ".join(f"{rs['metadata'].get('name', '')} ({(rs.get('status') or {}).get('replicas', 0)}/"
                     f"{(rs.get('spec') or {}).get('replicas', 0)} replicas created)" for rs in items)
    return text or "<none>"


def describe_deployment(d: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec, status = d.get("metadata") or {}, d.get("spec") or {}, d.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 0)} desired | {status.get('updatedReplicas', 0)} updated | "
               f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    if strategy.get("rollingUpdate") is not None:
        ru = strategy["rollingUpdate"]
        w.write(0, f"RollingUpdateStrategy:\t{ru.get('maxUnavailable', 0)} max unavailable, "
                   f"{ru.get('maxSurge', 0)} max surge\n")
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status.get("conditions"))
    old, new = _replicasets(d, lookup)
    if old or new:
        w.write(0, f"OldReplicaSets:\t{_rs_list(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_rs_list(new)}\n")
    if show_events:
        events(w, find_events(d, lookup), now)
    return w.text()


def describe_replicaset(rs: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec, status = rs.get("metadata") or {}, rs.get("spec") or {}, rs.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    owner = controller_of(rs)
    if owner:
        w.write(0, f"Controlled By:\t{owner.get('kind', '')}/{owner.get('name', '')}\n")
    w.write(0, f"Replicas:\t{status.get('replicas', 0)} current / {spec.get('replicas', 0)} desired\n")
    w.write(0, "Pods Status:\t")
    w.write(0, _pod_counts(rs, lookup) + "\n")
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status.get("conditions"))
    if show_events:
        events(w, find_events(rs, lookup), now)
    return w.text()


def describe_statefulset(ss: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec, status = ss.get("metadata") or {}, ss.get("spec") or {}, ss.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Replicas:\t{spec.get('replicas', 0)} desired | {status.get('replicas', 0)} total\n")
    strategy = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{strategy.get('type', '')}\n")
    ru = strategy.get("rollingUpdate")
    if ru is not None and ru.get("partition") is not None:
        w.write(1, f"Partition:\t{ru['partition']}\n")
        if ru.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{ru['maxUnavailable']}\n")
    w.write(0, f"Pods Status:\t{_pod_counts(ss, lookup)}\n")
    describe_pod_template(w, spec.get("template"))
    claims = spec.get("volumeClaimTemplates") or []
    if not claims:
        w.write(0, "Volume Claims:\t<none>\n")
    else:
        w.write(0, "Volume Claims:\n")
        for pvc in claims:
            pmeta, pspec = pvc.get("metadata") or {}, pvc.get("spec") or {}
            w.write(1, f"Name:\t{pmeta.get('name', '')}\n")
            w.write(1, f"StorageClass:\t{pspec.get('storageClassName', '')}\n")
            labels_multiline(w, "Labels", pmeta.get("labels"), initial="  ")
            labels_multiline(w, "Annotations", pmeta.get("annotations"), initial="  ")
            storage = ((pspec.get("resources") or {}).get("requests") or {}).get("storage")
            w.write(1, f"Capacity:\t{storage or '<default>'}\n")
            w.write(1, f"Access Modes:\t[{' '.join(pspec.get('accessModes') or [])}]\n")
    if show_events:
        events(w, find_events(ss, lookup), now)
    return w.text()


def describe_daemonset(ds: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec, status = ds.get("metadata") or {}, ds.get("spec") or {}, ds.get("status") or {}
    tspec = (spec.get("template") or {}).get("spec") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Node-Selector:\t{format_labels(tspec.get('nodeSelector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Desired Number of Nodes Scheduled: {status.get('desiredNumberScheduled', 0)}\n")
    w.write(0, f"Current Number of Nodes Scheduled: {status.get('currentNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Up-to-date Pods: {status.get('updatedNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Available Pods: {status.get('numberAvailable', 0)}\n")
    w.write(0, f"Number of Nodes Misscheduled: {status.get('numberMisscheduled', 0)}\n")
    w.write(0, f"Pods Status:\t{_pod_counts(ds, lookup)}\n")
    describe_pod_template(w, spec.get("template"))
    if show_events:
        events(w, find_events(ds, lookup), now)
    return w.text()
