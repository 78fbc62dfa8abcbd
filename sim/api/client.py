"""The API as a client in the cluster process calls it: every read and write a Request
answered by ``server.handle``, the same function that answers the HTTP face.

Our kubectl reads and writes through this and nothing else, so the real kubectl and ours
meet the same admission, the same errors, the same reconcile after a write. In process a
request carries its body as a Python value (``Request.value``) and the answer's body
comes back as one: no JSON in between, so a round trip costs a function call.

Failures come back as the Status the server sent, raised as the ``ApiError`` it was.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from sim.api.errors import ApiError
from sim.api.registry import ResourceType
from sim.api.selectors import format_selector
from sim.api.server import PATCH_TYPES, Request, handle

_MEDIA = {kind: media for media, kind in PATCH_TYPES.items()}


def path_of(rt: ResourceType, namespace: str | None = None, name: str | None = None,
            subresource: str | None = None) -> str:
    """The REST path of a type, an object or its subresource."""
    parts = ["api", "v1"] if not rt.group else ["apis", rt.group, rt.version]
    if rt.namespaced and namespace is not None:
        parts += ["namespaces", namespace]
    parts.append(rt.plural)
    if name is not None:
        parts.append(name)
    if subresource is not None:
        parts.append(subresource)
    return "/" + "/".join(quote(p, safe="") for p in parts)


class Client:
    """The store's verbs (get, find, list, create, update, patch, delete) as API calls.

    ``warnings`` holds the ``Warning`` texts of the last answer, as client-go's warning
    handler sees them."""

    def __init__(self, cluster: Any):
        self.cluster = cluster
        self.warnings: list[str] = []

    # -- discovery -------------------------------------------------------------------

    def type_of(self, resource: str | ResourceType) -> ResourceType:
        """``pods``, ``deployments.apps`` or a ResourceType, as discovery names them."""
        return self.cluster.resources.lookup(resource)

    def type_for_object(self, obj: dict) -> ResourceType:
        return self.cluster.resources.for_object(obj)

    # -- the round trip ----------------------------------------------------------------

    def request(self, method: str, path: str, query: dict | None = None, value: Any = None,
                content_type: str = "application/json") -> Any:
        query = {k: v for k, v in (query or {}).items() if v not in (None, "", False)}
        target = path + ("?" + urlencode(query) if query else "")
        answer = handle(self.cluster, Request(method, target, {"content-type": content_type},
                                              value=value))
        self.warnings = answer.warnings
        body = answer.body
        if answer.code >= 400:
            body = body if isinstance(body, dict) else {}
            raise ApiError(answer.code, body.get("reason", ""), body.get("message", ""),
                           body.get("details") or {})
        return body

    @staticmethod
    def _namespace(rt: ResourceType, namespace: str | None) -> str | None:
        return (namespace or "default") if rt.namespaced else None

    @staticmethod
    def _write_query(dry_run: bool, field_validation: str | None) -> dict:
        return {"dryRun": "All" if dry_run else None, "fieldValidation": field_validation}

    # -- reads -------------------------------------------------------------------------

    def get(self, resource: str | ResourceType, namespace: str | None, name: str) -> dict:
        rt = self.type_of(resource)
        return self.request("GET", path_of(rt, self._namespace(rt, namespace), name))

    def find(self, resource: str | ResourceType, namespace: str | None, name: str) -> dict | None:
        try:
            return self.get(resource, namespace, name)
        except ApiError as err:
            if err.code == 404:
                return None
            raise

    def list(self, resource: str | ResourceType, namespace: str | None = None,
             label_selector: str | list | None = None,
             field_selector: str | None = None, chunk_size: int = 0) -> list[dict]:
        """``namespace=None``: all namespaces. ``label_selector`` as text or requirements.
        ``chunk_size`` > 0: asked in chunks of that many (``limit`` and ``continue``), as
        kubectl's ``--chunk-size`` (500 by default) asks."""
        rt = self.type_of(resource)
        if label_selector is not None and not isinstance(label_selector, str):
            label_selector = format_selector(label_selector)
        path = path_of(rt, namespace if rt.namespaced else None)
        query = {"labelSelector": label_selector, "fieldSelector": field_selector}
        if chunk_size <= 0:
            return self.request("GET", path, query)["items"]
        items: list[dict] = []
        token = None
        while True:
            body = self.request("GET", path, dict(query, limit=str(chunk_size), **{"continue": token}))
            items.extend(body["items"])
            token = (body.get("metadata") or {}).get("continue")
            if not token:
                return items

    # -- writes ------------------------------------------------------------------------

    def create(self, obj: dict, dry_run: bool = False, field_validation: str = "Strict") -> dict:
        rt = self.type_for_object(obj)
        md = obj.get("metadata") or {}
        body = {**obj, "metadata": dict(md)}
        return self.request("POST", path_of(rt, self._namespace(rt, md.get("namespace"))),
                            self._write_query(dry_run, field_validation), body)

    def update(self, obj: dict, dry_run: bool = False, field_validation: str = "Strict",
               subresource: str | None = None) -> dict:
        rt = self.type_for_object(obj)
        md = obj.get("metadata") or {}
        body = {**obj, "metadata": dict(md)}
        return self.request("PUT", path_of(rt, self._namespace(rt, md.get("namespace")),
                                           md.get("name", ""), subresource),
                            self._write_query(dry_run, field_validation), body)

    def patch(self, resource: str | ResourceType, namespace: str | None, name: str,
              patch: Any, patch_type: str = "strategic", dry_run: bool = False,
              field_validation: str = "Strict", field_manager: str | None = None,
              force: bool = False) -> dict:
        """``patch_type``: json, merge, strategic or apply (server-side apply)."""
        rt = self.type_of(resource)
        query = self._write_query(dry_run, field_validation)
        query.update(fieldManager=field_manager, force="true" if force else None)
        return self.request("PATCH", path_of(rt, self._namespace(rt, namespace), name), query,
                            patch, _MEDIA[patch_type])

    def delete(self, resource: str | ResourceType, namespace: str | None, name: str,
               propagation: str = "Background", dry_run: bool = False,
               grace_period: int | None = None) -> dict:
        rt = self.type_of(resource)
        query = {"propagationPolicy": propagation, "dryRun": "All" if dry_run else None,
                 "gracePeriodSeconds": None if grace_period is None else str(grace_period)}
        return self.request("DELETE", path_of(rt, self._namespace(rt, namespace), name), query)
