"""Column definitions and cell values of `kubectl get` tables.

Each resource has a list of (header, priority) and a function giving every cell of a
row, wide ones included, as the API server's table convertor does: it always generates
with Wide=true (so load balancer addresses are never shortened) and the client drops
priority-1 columns unless `-o wide`.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from .cells_cluster import (event_cells, node_cells, node_roles,
                            validatingadmissionpolicy_cells,
                            validatingadmissionpolicybinding_cells)
from .cells_common import age, meta_of
from .cells_network import (endpoints_cells, endpoints_text, endpointslice_cells, ingress_cells,
                            ingress_hosts, ingressclass_cells, ipaddress_cells, load_balancer_text,
                            service_cells, servicecidr_cells)
from .cells_pods import pod_cells
from .cells_workloads import (cronjob_cells, daemonset_cells, deployment_cells, job_cells,
                              replicaset_cells, replicationcontroller_cells, statefulset_cells)
from .selectors import format_label_selector

Cells = Callable[[dict, datetime], list[str]]

__all__ = ["COLUMNS", "DEFAULT_COLUMNS", "NAME_COLUMN", "endpoints_text", "ingress_hosts",
           "load_balancer_text", "node_roles"]


def _simple(*getters: Callable[[dict], str]) -> Cells:
    def cells(obj: dict, now: datetime) -> list[str]:
        return [meta_of(obj).get("name", ""), *(g(obj) for g in getters), age(obj, now)]
    return cells


COLUMNS: dict[str, tuple[list[tuple[str, int]], Cells]] = {
    "pods": ([("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0), ("IP", 1),
              ("Node", 1), ("Nominated Node", 1), ("Readiness Gates", 1)], pod_cells),
    "services": ([("Name", 0), ("Type", 0), ("Cluster-IP", 0), ("External-IP", 0), ("Port(s)", 0),
                  ("Age", 0), ("Selector", 1)], service_cells),
    "endpoints": ([("Name", 0), ("Endpoints", 0), ("Age", 0)], endpoints_cells),
    "endpointslices": ([("Name", 0), ("AddressType", 0), ("Ports", 0), ("Endpoints", 0), ("Age", 0)],
                       endpointslice_cells),
    "deployments": ([("Name", 0), ("Ready", 0), ("Up-to-date", 0), ("Available", 0), ("Age", 0),
                     ("Containers", 1), ("Images", 1), ("Selector", 1)], deployment_cells),
    "replicasets": ([("Name", 0), ("Desired", 0), ("Current", 0), ("Ready", 0), ("Age", 0),
                     ("Containers", 1), ("Images", 1), ("Selector", 1)], replicaset_cells),
    "statefulsets": ([("Name", 0), ("Ready", 0), ("Age", 0), ("Containers", 1), ("Images", 1)],
                     statefulset_cells),
    "daemonsets": ([("Name", 0), ("Desired", 0), ("Current", 0), ("Ready", 0), ("Up-to-date", 0),
                    ("Available", 0), ("Node Selector", 0), ("Age", 0), ("Containers", 1),
                    ("Images", 1), ("Selector", 1)], daemonset_cells),
    "nodes": ([("Name", 0), ("Status", 0), ("Roles", 0), ("Age", 0), ("Version", 0),
               ("Internal-IP", 1), ("External-IP", 1), ("OS-Image", 1), ("Kernel-Version", 1),
               ("Container-Runtime", 1)], node_cells),
    "namespaces": ([("Name", 0), ("Status", 0), ("Age", 0)],
                   _simple(lambda o: (o.get("status") or {}).get("phase", ""))),
    "secrets": ([("Name", 0), ("Type", 0), ("Data", 0), ("Age", 0)],
                _simple(lambda o: o.get("type", ""), lambda o: str(len(o.get("data") or {})))),
    "configmaps": ([("Name", 0), ("Data", 0), ("Age", 0)],
                   _simple(lambda o: str(len(o.get("data") or {}) + len(o.get("binaryData") or {})))),
    "serviceaccounts": ([("Name", 0), ("Secrets", 0), ("Age", 0)],
                        _simple(lambda o: str(len(o.get("secrets") or [])))),
    "ingresses": ([("Name", 0), ("Class", 0), ("Hosts", 0), ("Address", 0), ("Ports", 0), ("Age", 0)],
                  ingress_cells),
    "ingressclasses": ([("Name", 0), ("Controller", 0), ("Parameters", 0), ("Age", 0)],
                       ingressclass_cells),
    "events": ([("Last Seen", 0), ("Type", 0), ("Reason", 0), ("Object", 0), ("Subobject", 1),
                ("Source", 1), ("Message", 0), ("First Seen", 1), ("Count", 1), ("Name", 1)],
               event_cells),
    "jobs": ([("Name", 0), ("Status", 0), ("Completions", 0), ("Duration", 0), ("Age", 0),
              ("Containers", 1), ("Images", 1), ("Selector", 1)], job_cells),
    "cronjobs": ([("Name", 0), ("Schedule", 0), ("Timezone", 0), ("Suspend", 0), ("Active", 0),
                  ("Last Schedule", 0), ("Age", 0), ("Containers", 1), ("Images", 1),
                  ("Selector", 1)], cronjob_cells),
    "replicationcontrollers": ([("Name", 0), ("Desired", 0), ("Current", 0), ("Ready", 0), ("Age", 0),
                                ("Containers", 1), ("Images", 1), ("Selector", 1)],
                               replicationcontroller_cells),
    "servicecidrs": ([("Name", 0), ("CIDRs", 0), ("Age", 0)], servicecidr_cells),
    "ipaddresses": ([("Name", 0), ("ParentRef", 0)], ipaddress_cells),
    "validatingadmissionpolicies": ([("Name", 0), ("Validations", 0), ("ParamKind", 0), ("Age", 0)],
                                    validatingadmissionpolicy_cells),
    "validatingadmissionpolicybindings": ([("Name", 0), ("PolicyName", 0), ("ParamRef", 0),
                                           ("Age", 0)], validatingadmissionpolicybinding_cells),
    "networkpolicies": ([("Name", 0), ("Pod-Selector", 0), ("Age", 0)],
                        _simple(lambda o: format_label_selector((o.get("spec") or {}).get("podSelector")))),
}

# Kinds the server has no printer for (custom resources): the default NAME / AGE table.
DEFAULT_COLUMNS: tuple[list[tuple[str, int]], Cells] = ([("Name", 0), ("Age", 0)], _simple())

# Column index holding the object's name (the one a kind prefix goes on).
NAME_COLUMN = {resource: [h for h, _ in cols].index("Name") for resource, (cols, _) in COLUMNS.items()}
