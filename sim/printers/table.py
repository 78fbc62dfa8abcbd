"""`kubectl get` tables: cells from columns.py laid out like cli-runtime's table printer."""
from __future__ import annotations

from datetime import datetime
from typing import Iterator

from .columns import COLUMNS, DEFAULT_COLUMNS, NAME_COLUMN
from .nulls import drop_nulls
from .selectors import format_labels
from .jsonfmt import batched_text
from .tabwriter import table_layout, table_layout_lines

KIND_PREFIX = {
    "pods": "pod", "services": "service", "endpoints": "endpoints", "nodes": "node",
    "namespaces": "namespace", "secrets": "secret", "configmaps": "configmap",
    "serviceaccounts": "serviceaccount", "events": "event",
    "replicationcontrollers": "replicationcontroller",
    "persistentvolumeclaims": "persistentvolumeclaim", "persistentvolumes": "persistentvolume",
    "deployments": "deployment.apps", "replicasets": "replicaset.apps",
    "statefulsets": "statefulset.apps", "daemonsets": "daemonset.apps",
    "endpointslices": "endpointslice.discovery.k8s.io",
    "ingresses": "ingress.networking.k8s.io", "ingressclasses": "ingressclass.networking.k8s.io",
    "networkpolicies": "networkpolicy.networking.k8s.io",
    "jobs": "job.batch", "cronjobs": "cronjob.batch",
    "servicecidrs": "servicecidr.networking.k8s.io", "ipaddresses": "ipaddress.networking.k8s.io",
    "validatingadmissionpolicies": "validatingadmissionpolicy.admissionregistration.k8s.io",
    "validatingadmissionpolicybindings":
        "validatingadmissionpolicybinding.admissionregistration.k8s.io",
}


def kind_prefix(resource: str) -> str:
    return KIND_PREFIX.get(resource, resource.rstrip("s"))


def supported_tables() -> set[str]:
    return set(COLUMNS)


def table_columns(resource: str) -> list[tuple[str, int]]:
    return list(COLUMNS.get(resource, DEFAULT_COLUMNS)[0])


def table_cells(resource: str, obj: dict, *, now: datetime) -> list[str]:
    return COLUMNS.get(resource, DEFAULT_COLUMNS)[1](drop_nulls(obj), now)


def escape_terminal(text: str) -> str:
    """printers.WriteEscaped: no raw ESC or CR reaches the terminal."""
    return text.replace("\x1b", "^[").replace("\r", "\\r")


def _clean(cell: str) -> str:
    """A cell stops at its first line break, marked by `...` (printTable)."""
    for i, ch in enumerate(cell):
        if ch in "\f\n\r":
            return escape_terminal(cell[:i]) + "..."
    return escape_terminal(cell)


def label_header(key: str) -> str:
    return key.split("/")[-1].upper()


def print_table(resource: str, objects: list[dict], *, now: datetime, wide: bool = False,
                show_labels: bool = False, with_namespace: bool = False,
                kind_prefix: str | None = None, no_headers: bool = False,
                label_columns: tuple[str, ...] | list[str] = ()) -> str:
    if not objects:
        return ""
    return table_layout(_table_text(resource, objects, now=now, wide=wide,
                                    show_labels=show_labels, with_namespace=with_namespace,
                                    kind_prefix=kind_prefix, no_headers=no_headers,
                                    label_columns=label_columns))


def print_table_chunks(resource: str, objects: list[dict], *, now: datetime,
                       size: int = 1 << 16, **options) -> Iterator[str]:
    """``print_table`` in pieces of about ``size`` characters (whole lines), for writing
    as it goes: the columns' widths need every row first, the text of them all does not."""
    if not objects:
        return iter(())
    return batched_text(table_layout_lines(_table_text(resource, objects, now=now, **options)),
                        size)


def _table_text(resource: str, objects: list[dict], *, now: datetime, wide: bool = False,
                show_labels: bool = False, with_namespace: bool = False,
                kind_prefix: str | None = None, no_headers: bool = False,
                label_columns: tuple[str, ...] | list[str] = ()) -> str:
    columns = table_columns(resource)
    keep = [i for i, (_, prio) in enumerate(columns) if wide or prio == 0]
    name_col = NAME_COLUMN.get(resource, 0)
    lines = []
    if not no_headers:
        header = [columns[i][0].upper() for i in keep]
        header += [label_header(k) for k in label_columns]
        if show_labels:
            header.append("LABELS")
        if with_namespace:
            header.insert(0, "NAMESPACE")
        lines.append("\t".join(header))
    for obj in objects:
        cells = table_cells(resource, obj, now=now)
        if kind_prefix:
            cells[name_col] = f"{kind_prefix}/{cells[name_col]}"
        labels = {k: v or "" for k, v in ((obj.get("metadata") or {}).get("labels") or {}).items()}
        row = [_clean(cells[i]) for i in keep]
        row += [labels.get(k, "") for k in label_columns]
        if show_labels:
            row.append(format_labels(labels))
        if with_namespace:
            row.insert(0, (obj.get("metadata") or {}).get("namespace") or "")
        lines.append("\t".join(row))
    return "\n".join(lines) + "\n"
