"""`kubectl describe` for the kinds the tutorials use (kubectl pkg/describe layouts)."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from .apps import (describe_daemonset, describe_deployment, describe_replicaset,
                   describe_statefulset)
from .batch import describe_cronjob, describe_job
from .core import (describe_configmap, describe_endpoints, describe_namespace, describe_secret,
                   describe_service, describe_serviceaccount)
from .networking import (describe_endpointslice, describe_ingress, describe_ingressclass,
                         describe_ipaddress, describe_networkpolicy, describe_servicecidr)
from .generic import describe_generic
from .node import describe_node
from .pod import describe_pod
from ..nulls import drop_nulls
from .writer import Lookup

DESCRIBERS: dict[str, Callable[[dict, datetime, Lookup, bool], str]] = {
    "services": describe_service, "endpoints": describe_endpoints, "pods": describe_pod,
    "deployments": describe_deployment, "replicasets": describe_replicaset,
    "statefulsets": describe_statefulset, "ingresses": describe_ingress,
    "ingressclasses": describe_ingressclass, "servicecidrs": describe_servicecidr,
    "ipaddresses": describe_ipaddress, "nodes": describe_node, "secrets": describe_secret,
    "configmaps": describe_configmap, "namespaces": describe_namespace,
    "serviceaccounts": describe_serviceaccount, "endpointslices": describe_endpointslice,
    "networkpolicies": describe_networkpolicy, "daemonsets": describe_daemonset,
    "jobs": describe_job, "cronjobs": describe_cronjob,
}


def supported_describers() -> set[str]:
    return set(DESCRIBERS)


def describe(resource: str, obj: dict, *, now: datetime, lookup: Lookup,
             show_events: bool = True) -> str:
    """`lookup(resource, namespace, label_selector=None, field_selector=None) -> list[dict]`;
    namespace None means every namespace.  Kinds without a describer of their own get
    kubectl's generic one (every field, labelled)."""
    def typed_lookup(*args: object, **kwargs: object) -> list[dict]:
        return [drop_nulls(o) for o in lookup(*args, **kwargs)]
    describer = DESCRIBERS.get(resource, describe_generic)
    if describer is describe_generic:   # the generic describer prints nulls as <nil>
        return describer(obj, now, typed_lookup, show_events)
    return describer(drop_nulls(obj), now, typed_lookup, show_events)
