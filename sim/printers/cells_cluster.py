"""Rows of nodes and events."""
from __future__ import annotations

from datetime import datetime

from .cells_common import age, meta_of
from .duration import translate_timestamp_since

NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
NODE_ROLE_LABEL = "kubernetes.io/role"


def node_roles(node: dict) -> str:
    roles = set()
    for key, value in (meta_of(node).get("labels") or {}).items():
        if key.startswith(NODE_ROLE_PREFIX) and key[len(NODE_ROLE_PREFIX):]:
            roles.add(key[len(NODE_ROLE_PREFIX):])
        elif key == NODE_ROLE_LABEL and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def node_address(node: dict, kind: str) -> str:
    for addr in (node.get("status") or {}).get("addresses") or []:
        if addr.get("type") == kind:
            return addr.get("address", "")
    return "<none>"


def node_cells(node: dict, now: datetime) -> list[str]:
    status = node.get("status") or {}
    states = []
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Ready":
            states = ["Ready" if cond.get("status") == "True" else "NotReady"]
    states = states or ["Unknown"]
    if (node.get("spec") or {}).get("unschedulable"):
        states.append("SchedulingDisabled")
    info = status.get("nodeInfo") or {}
    return [meta_of(node).get("name", ""), ",".join(states), node_roles(node), age(node, now),
            info.get("kubeletVersion", ""), node_address(node, "InternalIP"),
            node_address(node, "ExternalIP"), info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


def event_source(ev: dict) -> str:
    source = ev.get("source") or {}
    component = source.get("component") or ev.get("reportingController", "")
    host = source.get("host") or ev.get("reportingInstance", "")
    return f"{component}, {host}" if host else component


def event_cells(ev: dict, now: datetime) -> list[str]:
    first = translate_timestamp_since(ev.get("firstTimestamp"), now)
    if not ev.get("firstTimestamp"):
        first = translate_timestamp_since(ev.get("eventTime"), now)
    last = translate_timestamp_since(ev.get("lastTimestamp"), now) if ev.get("lastTimestamp") else first
    count = ev.get("count") or 1
    series = ev.get("series")
    if series:
        last = translate_timestamp_since(series.get("lastObservedTime"), now)
        count = series.get("count", 0)
    involved = ev.get("involvedObject") or {}
    target = (involved.get("kind") or "").lower()
    if involved.get("name"):
        target += "/" + involved["name"]
    return [last, ev.get("type", ""), ev.get("reason", ""), target, involved.get("fieldPath", ""),
            event_source(ev), (ev.get("message") or "").strip(), first, str(count),
            meta_of(ev).get("name", "")]


def validatingadmissionpolicy_cells(policy: dict, now: datetime) -> list[str]:
    """printValidatingAdmissionPolicy: the number of validations, the param kind."""
    spec = policy.get("spec") or {}
    kind = spec.get("paramKind")
    param = "<unset>" if kind is None else f'{kind.get("apiVersion", "")}/{kind.get("kind", "")}'
    return [meta_of(policy).get("name", ""), str(len(spec.get("validations") or [])), param,
            age(policy, now)]


def validatingadmissionpolicybinding_cells(binding: dict, now: datetime) -> list[str]:
    """printValidatingAdmissionPolicyBinding: the policy, the param reference (a selector
    printed as its protobuf String())."""
    spec = binding.get("spec") or {}
    param = "<unset>"
    ref = spec.get("paramRef")
    if ref is not None:
        if ref.get("name"):
            param = f'{ref.get("namespace") or "*"}/{ref["name"]}'
        elif ref.get("selector") is not None:
            param = _selector_string(ref["selector"])
    return [meta_of(binding).get("name", ""), spec.get("policyName", ""), param,
            age(binding, now)]


def _selector_string(selector: dict) -> str:
    labels = selector.get("matchLabels") or {}
    ml = "".join(f"{k}: {labels[k]}," for k in sorted(labels))
    me = "".join(
        f'LabelSelectorRequirement{{Key:{e.get("key", "")},Operator:{e.get("operator", "")},'
        f'Values:[{" ".join(e.get("values") or [])}],}},'
        for e in selector.get("matchExpressions") or [])
    return (f"&LabelSelector{{MatchLabels:map[string]string{{{ml}}},"
            f"MatchExpressions:[]LabelSelectorRequirement{{{me}}},}}")
