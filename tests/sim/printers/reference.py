"""Glue between the printers and the reference kubectl (server-side Tables from our cells)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kubectl_reference  # noqa: E402

from tests.deps import needs_reference  # noqa: E402

import fixtures  # noqa: E402
from sim.printers import table_cells, table_columns  # noqa: E402
from sim.printers.columns import NAME_COLUMN  # noqa: E402

needs_kubectl = needs_reference


def table_for(resource: str, objects: list[dict], query: dict) -> dict:
    """The server's Table for a list, cells computed by our column functions."""
    columns = []
    for i, (name, priority) in enumerate(table_columns(resource)):
        col = {"name": name, "type": "string", "format": "name" if i == NAME_COLUMN.get(resource, 0) else "",
               "description": "", "priority": priority}
        columns.append(col)
    rows = [{"cells": table_cells(resource, obj, now=fixtures.NOW),
             "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                        "metadata": obj["metadata"]}} for obj in objects]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "1000"},
            "columnDefinitions": columns, "rows": rows}


def cluster(objects: list[dict]) -> kubectl_reference.ReferenceCluster:
    return kubectl_reference.ReferenceCluster(objects, table_for)


def lookup_in(objects: list[dict]):
    """A describe `lookup` over fixture objects, filtering as the reference server does."""
    def lookup(resource: str, namespace: str | None, label_selector: str | None = None,
               field_selector: str | None = None) -> list[dict]:
        return [o for o in objects if kubectl_reference.resource_of(o) == resource
                and (namespace is None or o["metadata"].get("namespace") == namespace)
                and kubectl_reference.matches(o, label_selector, field_selector)]
    return lookup
