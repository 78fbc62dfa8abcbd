"""Go struct field order for the objects kubectl's generators build.

A typed object (not a decoded map) keeps its struct order when Go encodes it to JSON: the
``-o json`` of ``create … --dry-run=client`` and the annotation ``--save-config`` writes
show it. YAML output sorts keys and is unaffected. Fields not listed keep their place
after the listed ones; values of unlisted fields are maps (or one-field structs), whose
keys Go sorts.
"""

from __future__ import annotations

import json
from typing import Any

_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

_META = ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
         "generation", "creationTimestamp", "deletionTimestamp",
         "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences",
         "finalizers", "managedFields"]

# type -> [(field, field type or None)]; a list field's type is its item type.
SCHEMA: dict[str, list[tuple[str, str | None]]] = {
    "Deployment": [("kind", None), ("apiVersion", None), ("metadata", "ObjectMeta"),
                   ("spec", "DeploymentSpec"), ("status", None)],
    "DeploymentSpec": [("replicas", None), ("selector", "LabelSelector"),
                       ("template", "PodTemplateSpec"), ("strategy", None)],
    "LabelSelector": [("matchLabels", None), ("matchExpressions", None)],
    "PodTemplateSpec": [("metadata", "ObjectMeta"), ("spec", "PodSpec")],
    "Pod": [("kind", None), ("apiVersion", None), ("metadata", "ObjectMeta"),
            ("spec", "PodSpec"), ("status", None)],
    "PodSpec": [("volumes", None), ("initContainers", "Container"),
                ("containers", "Container"), ("restartPolicy", None),
                ("terminationGracePeriodSeconds", None), ("activeDeadlineSeconds", None),
                ("dnsPolicy", None), ("nodeSelector", None), ("serviceAccountName", None)],
    "Container": [("name", None), ("image", None), ("command", None), ("args", None),
                  ("workingDir", None), ("ports", "ContainerPort"), ("envFrom", None),
                  ("env", "EnvVar"), ("resources", None), ("volumeMounts", None),
                  ("imagePullPolicy", None), ("securityContext", None), ("stdin", None),
                  ("stdinOnce", None), ("tty", None)],
    "ContainerPort": [("name", None), ("hostPort", None), ("containerPort", None),
                      ("protocol", None), ("hostIP", None)],
    "EnvVar": [("name", None), ("value", None), ("valueFrom", None)],
    "Service": [("kind", None), ("apiVersion", None), ("metadata", "ObjectMeta"),
                ("spec", "ServiceSpec"), ("status", None)],
    "ServiceSpec": [("ports", "ServicePort"), ("selector", None), ("clusterIP", None),
                    ("clusterIPs", None), ("type", None), ("externalIPs", None),
                    ("sessionAffinity", None), ("loadBalancerIP", None),
                    ("loadBalancerSourceRanges", None), ("externalName", None)],
    "ServicePort": [("name", None), ("protocol", None), ("appProtocol", None), ("port", None),
                    ("targetPort", None), ("nodePort", None)],
    "ConfigMap": [("kind", None), ("apiVersion", None), ("metadata", "ObjectMeta"),
                  ("immutable", None), ("data", None), ("binaryData", None)],
    "Secret": [("kind", None), ("apiVersion", None), ("metadata", "ObjectMeta"),
               ("immutable", None), ("data", None), ("stringData", None), ("type", None)],
    "Namespace": [("kind", None), ("apiVersion", None), ("metadata", "ObjectMeta"),
                  ("spec", None), ("status", None)],
    "Ingress": [("kind", None), ("apiVersion", None), ("metadata", "ObjectMeta"),
                ("spec", "IngressSpec"), ("status", None)],
    "IngressSpec": [("ingressClassName", None), ("defaultBackend", "IngressBackend"),
                    ("tls", "IngressTLS"), ("rules", "IngressRule")],
    "IngressTLS": [("hosts", None), ("secretName", None)],
    "IngressRule": [("host", None), ("http", "HTTPIngressRuleValue")],
    "HTTPIngressRuleValue": [("paths", "HTTPIngressPath")],
    "HTTPIngressPath": [("path", None), ("pathType", None), ("backend", "IngressBackend")],
    "IngressBackend": [("service", "IngressServiceBackend"), ("resource", None)],
    "IngressServiceBackend": [("name", None), ("port", "ServiceBackendPort")],
    "ServiceBackendPort": [("name", None), ("number", None)],
    "ObjectMeta": [(f, None) for f in _META],
}


def ordered(value: Any, type_name: str | None) -> Any:
    """Struct fields in declaration order; anything else is a Go map: keys sorted."""
    fields = SCHEMA.get(type_name or "")
    if isinstance(value, list):
        return [ordered(v, type_name) for v in value]
    if not isinstance(value, dict):
        return value
    if fields is None:
        return {k: ordered(value[k], None) for k in sorted(value)}
    out: dict = {}
    for field, child in fields:
        if field in value:
            out[field] = ordered(value[field], child)
    for field, item in value.items():
        if field not in out:
            out[field] = item
    return out


def typed(obj: dict) -> dict:
    """The object with its keys in its Go type's field order."""
    return ordered(obj, obj.get("kind"))


def typed_json(obj: dict, indent: int | None = None) -> str:
    """encoding/json of the typed object: struct order, HTML-safe escapes."""
    from sim.kubectl.gojson import escape
    if indent is None:
        text = json.dumps(typed(obj), separators=(",", ":"), ensure_ascii=False)
    else:
        text = json.dumps(typed(obj), indent=indent, ensure_ascii=False)
    return escape(text)


def with_typed_annotation(obj: dict) -> dict:
    """CreateOrUpdateAnnotation on a typed object: its JSON in struct order, no empty
    annotations map (omitempty), the last-applied key itself left out."""
    new = dict(obj)
    md = dict(new.get("metadata") or {})
    annotations = {k: v for k, v in (md.get("annotations") or {}).items() if k != _LAST_APPLIED}
    if annotations:
        md["annotations"] = annotations
    else:
        md.pop("annotations", None)
    new["metadata"] = md
    text = typed_json(new) + "\n"
    new["metadata"] = dict(md, annotations=dict(annotations, **{_LAST_APPLIED: text}))
    return new
