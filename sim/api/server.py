"""The Kubernetes API as requests and answers: ``handle(cluster, request) -> Response``.

One function answers every client: the HTTP server of the cluster process
(sim/api/listener.py) hands it each request that the real kubectl, helm or a client
library sends.  It speaks the API server's REST paths:

- discovery: ``/version``, ``/api``, ``/apis``, ``/api/v1``, ``/apis/GROUP/VERSION``
  (the legacy documents; a client that asks for aggregated discovery is answered with
  them, as a server without it would);
- objects: ``/api/v1[/namespaces/NS]/RESOURCE[/NAME]`` and the same under
  ``/apis/GROUP/VERSION``: GET (an object, a list with ``labelSelector`` and
  ``fieldSelector``, or a ``meta.k8s.io/v1`` Table when the Accept header asks for one),
  POST, PUT, PATCH (JSON patch, merge patch, strategic merge patch), DELETE with
  ``propagationPolicy`` and ``gracePeriodSeconds``; ``dryRun=All`` and
  ``fieldValidation`` on writes;
- failures as ``Status`` objects with the API server's reasons and codes.

It holds ``cluster.lock`` for the request and reconciles after a write, as the cluster
process does after one of our own kubectl's commands.  The clock is not moved here: the
caller decides when time passes.
"""
from __future__ import annotations

import base64
import hashlib
import json

import yaml
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sim.api import gotypes, protobuf
from sim.api.admission import field_validation
from sim.api.errors import ApiError
from sim.api.registry import ResourceType
from sim.api.selectors import field_matcher, matches, parse_field_selector, parse_label_selector

MAX_BODY = 3 * 1024 * 1024          # the API server refuses request bodies over 3 MiB
TABLE_MEDIA = "as=Table"
PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
SCALABLE = {"deployments", "replicasets", "statefulsets", "replicationcontrollers"}


@dataclass
class Request:
    method: str
    target: str                                   # path and query, as on the request line
    headers: dict[str, str] = field(default_factory=dict)   # lower-case names
    body: bytes = b""
    #: in process: the body as a decoded value already (``body`` is then unused)
    value: Any = None

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.target).query,
                                                keep_blank_values=True).items()}

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Response:
    code: int
    body: Any                                     # a JSON value
    warnings: list[str] = field(default_factory=list)
    content_type: str = "application/json"      # other than JSON: ``body`` is the bytes

    def encode(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, separators=(",", ":")).encode() + b"\n"

    def headers(self) -> list[tuple[str, str]]:
        out = [("Content-Type", self.content_type), ("Cache-Control", "no-cache, private"),
               ("X-Content-Type-Options", "nosniff")]
        out += [("Warning", f'299 - "{w}"') for w in self.warnings]
        return out


def status_response(err: ApiError) -> Response:
    return Response(err.code, err.status())


def _method_not_allowed() -> ApiError:
    return ApiError(405, "MethodNotAllowed",
                    "the server does not allow this method on the requested resource", {})


def _not_found_path() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource",
                    {})


def handle(cluster: Any, request: Request) -> Response:
    """Answer one request from the cluster's state (never raises for a client's mistake)."""
    if request.method not in METHODS:
        return status_response(_method_not_allowed())
    if len(request.body) > MAX_BODY:
        return status_response(ApiError(413, "RequestEntityTooLarge",
                                "the request body is too large", {}))
    with cluster.lock:
        try:
            return _route(cluster, request)
        except ApiError as err:
            return status_response(err)


# -- discovery ------------------------------------------------------------------------

def _version(cluster: Any) -> dict:
    version = str(cluster.profile.get("version", "v1.35.2"))
    major, minor = version.lstrip("v").split(".")[:2]
    return {"major": major, "minor": minor, "emulationMajor": major, "emulationMinor": minor,
            "minCompatibilityMajor": major, "minCompatibilityMinor": str(int(minor) - 1),
            "gitVersion": version, "gitTreeState": "clean", "platform": "linux/amd64"}


def _groups(cluster: Any) -> dict[str, list[str]]:
    """group -> its served versions, in discovery order (the core group is "")."""
    out: dict[str, list[str]] = {}
    for rt in cluster.resources:
        versions = out.setdefault(rt.group, [])
        if rt.version not in versions:
            versions.append(rt.version)
    return out


def _group_list(cluster: Any) -> dict:
    groups = []
    for group, versions in _groups(cluster).items():
        if not group:
            continue
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        groups.append({"name": group, "versions": entries, "preferredVersion": entries[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


WITH_STATUS = {"pods", "services", "nodes", "namespaces", "deployments", "replicasets",
               "statefulsets", "daemonsets", "jobs", "cronjobs", "ingresses",
               "persistentvolumeclaims", "persistentvolumes", "replicationcontrollers",
               "horizontalpodautoscalers", "poddisruptionbudgets", "resourcequotas",
               "certificatesigningrequests", "customresourcedefinitions", "apiservices",
               "servicecidrs", "validatingadmissionpolicies", "flowschemas",
               "prioritylevelconfigurations", "resourceclaims", "volumeattachments"}
_SCALE = ("scale", "autoscaling", "v1", "Scale", ("get", "patch", "update"))
_CONNECT = ("create", "get")
_PROXY = ("create", "delete", "get", "patch", "update")
# parent -> (subresource, group, version, kind, verbs); group None: the parent's own
_SUBRESOURCES: dict[str, list[tuple]] = {
    "pods": [("attach", "", "v1", "PodAttachOptions", _CONNECT), ("binding", "", "v1", "Binding", ("create",)),
             ("eviction", "policy", "v1", "Eviction", ("create",)),
             ("exec", "", "v1", "PodExecOptions", _CONNECT), ("log", "", "v1", "Pod", ("get",)),
             ("portforward", "", "v1", "PodPortForwardOptions", _CONNECT),
             ("proxy", "", "v1", "PodProxyOptions", _PROXY)],
    "services": [("proxy", "", "v1", "ServiceProxyOptions", _PROXY)],
    "nodes": [("proxy", "", "v1", "NodeProxyOptions", _PROXY)],
    "serviceaccounts": [("token", "authentication.k8s.io", "v1", "TokenRequest", ("create",))],
    **{plural: [_SCALE] for plural in SCALABLE},
}


def subresources(rt: ResourceType) -> list[tuple]:
    """(name, group, version, kind, verbs) of each subresource the type serves."""
    found = list(_SUBRESOURCES.get(rt.plural, []))
    if rt.plural in WITH_STATUS:
        found.append(("status", rt.group, rt.version, rt.kind, ("get", "patch", "update")))
    return sorted(found)


def _resource_list(cluster: Any, group: str, version: str) -> dict:
    resources = []
    for rt in cluster.resources:
        if rt.group != group or rt.version != version:
            continue
        entry = {"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced,
                 "kind": rt.kind, "verbs": sorted(rt.verbs)}
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        resources.append(entry)
        for name, sub_group, sub_version, kind, verbs in subresources(rt):
            sub = {"name": f"{rt.plural}/{name}", "singularName": "", "namespaced": rt.namespaced,
                   "kind": kind, "verbs": list(verbs)}
            if sub_group != rt.group or sub_version != rt.version:
                sub.update(group=sub_group, version=sub_version)
            resources.append(sub)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": resources}


AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def _aggregated(cluster: Any, core: bool) -> Response:
    """Aggregated discovery (apidiscovery.k8s.io/v2): every group, version and resource in
    one answer, as kubectl ≥ 1.30 asks for it first (else one request per group/version)."""
    items = []
    for group, versions in _groups(cluster).items():
        if (group == "") != core:
            continue
        entries = []
        for version in versions:
            resources = []
            for rt in cluster.resources:
                if rt.group != group or rt.version != version:
                    continue
                entry = {"resource": rt.plural,
                         "responseKind": {"group": group, "version": version, "kind": rt.kind},
                         "scope": "Namespaced" if rt.namespaced else "Cluster",
                         "singularResource": rt.singular, "verbs": sorted(rt.verbs)}
                if rt.short_names:
                    entry["shortNames"] = list(rt.short_names)
                if rt.categories:
                    entry["categories"] = list(rt.categories)
                subs = [{"subresource": name, "responseKind": {"group": g, "version": v, "kind": k},
                         "verbs": list(verbs)} for name, g, v, k, verbs in subresources(rt)]
                if subs:
                    entry["subresources"] = subs
                resources.append(entry)
            entries.append({"version": version, "resources": resources, "freshness": "Current"})
        items.append({"metadata": {"name": group, "creationTimestamp": None}, "versions": entries})
    return Response(200, {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
                          "metadata": {}, "items": items}, content_type=AGGREGATED)


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _openapi(cluster: Any, rest: list[str]) -> Response:
    """The OpenAPI v3 index and, per group/version, a document of its operations with the
    query parameters each one takes (kubectl reads it to learn that writes take
    ``fieldValidation``).  Schemas are not served: clients fall back to their own types."""
    groups = _groups(cluster)
    if not rest:
        paths = {}
        for group, versions in groups.items():
            for version in versions:
                path = _gv_path(group, version)
                digest = hashlib.sha512(f"{path} {cluster.profile.get('version')}".encode()
                                        ).hexdigest()[:128].upper()
                paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
        return Response(200, {"paths": paths})
    path = "/".join(rest)
    for group, versions in groups.items():
        for version in versions:
            if _gv_path(group, version) == path:
                return Response(200, _openapi_document(cluster, group, version))
    raise _not_found_path()


# what the server answers with; clients also ask with the older "spec.v2@v1.0" spelling
SWAGGER_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"


def _swagger(cluster: Any, request: Request) -> Response:
    """The Swagger 2.0 document kubectl falls back to for a group/version the v3 index
    lacks; it holds no definitions, so a kind nobody serves reaches kubectl's "no matches
    for kind" error. kubectl asks for it as protobuf (gnostic's openapi_v2.Document:
    swagger = 1, info = 2 with title = 1 and version = 2)."""
    version = str(cluster.profile.get("version"))
    if "com.github.proto-openapi.spec.v2" in request.header("accept"):
        def field(number: int, data: bytes) -> bytes:
            return bytes([number << 3 | 2, len(data)]) + data
        info = field(1, b"Kubernetes") + field(2, version.encode())
        return Response(200, field(1, b"2.0") + field(2, info), content_type=SWAGGER_PROTOBUF)
    return Response(200, {"swagger": "2.0", "info": {"title": "Kubernetes", "version": version},
                          "paths": {}, "definitions": {}})


_WRITE_PARAMETERS = [{"name": name, "in": "query", "schema": {"type": "string"}}
                     for name in ("dryRun", "fieldManager", "fieldValidation", "pretty")]


def _openapi_document(cluster: Any, group: str, version: str) -> dict:
    paths: dict = {}
    for rt in cluster.resources:
        if rt.group != group or rt.version != version:
            continue
        gvk = {"group": group, "version": version, "kind": rt.kind}
        base = "/" + _gv_path(group, version) + ("/namespaces/{namespace}" if rt.namespaced else "")
        write = {"x-kubernetes-group-version-kind": gvk, "parameters": _WRITE_PARAMETERS,
                 "responses": {}}
        paths[f"{base}/{rt.plural}"] = {
            "get": {"x-kubernetes-action": "list", "x-kubernetes-group-version-kind": gvk,
                    "responses": {}},
            "post": {**write, "x-kubernetes-action": "post"}}
        paths[f"{base}/{rt.plural}/{{name}}"] = {
            "get": {"x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk,
                    "responses": {}},
            "put": {**write, "x-kubernetes-action": "put"},
            "patch": {**write, "x-kubernetes-action": "patch"},
            "delete": {"x-kubernetes-action": "delete", "x-kubernetes-group-version-kind": gvk,
                       "responses": {}}}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": str(
        cluster.profile.get("version", "v1.35.2"))}, "paths": paths, "components": {"schemas": {}}}


# -- objects --------------------------------------------------------------------------

@dataclass
class _Target:
    rt: ResourceType
    namespace: str | None
    name: str | None
    subresource: str | None


def _group_version(cluster: Any, parts: list[str]) -> tuple[str, str, list[str]]:
    """``/api/VERSION/…`` or ``/apis/GROUP/VERSION/…`` of a served group and version:
    (group, version, the rest of the path); otherwise the API server's 404."""
    if parts[:1] == ["api"] and len(parts) >= 2:
        group, version, rest = "", parts[1], parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        raise _not_found_path()
    if version not in _groups(cluster).get(group, []):
        raise _not_found_path()
    return group, version, rest


def _route(cluster: Any, request: Request) -> Response:
    parts = [unquote(p) for p in request.path.split("/") if p]
    if request.method == "GET":
        if parts == ["version"]:
            return Response(200, _version(cluster))
        if parts in (["api"], ["apis"]) and \
                AGGREGATED.split(";", 1)[1] in request.header("accept").replace(" ", ""):
            return _aggregated(cluster, core=parts == ["api"])
        if parts == ["api"]:
            return Response(200, {"kind": "APIVersions", "versions": ["v1"],
                                  "serverAddressByClientCIDRs": [
                                      {"clientCIDR": "0.0.0.0/0",
                                       "serverAddress": _server_address(cluster)}]})
        if parts == ["apis"]:
            return Response(200, _group_list(cluster))
        if parts[:2] == ["openapi", "v3"]:
            return _openapi(cluster, parts[2:])
        if parts == ["openapi", "v2"]:
            return _swagger(cluster, request)
    group, version, rest = _group_version(cluster, parts)
    if not rest:
        if request.method != "GET":
            raise _not_found_path()
        return Response(200, _resource_list(cluster, group, version))
    target = _target(cluster, group, version, rest)
    if target.subresource == "binding" and request.method != "POST":
        raise _method_not_allowed()
    return _VERBS[request.method](cluster, request, target)


def _server_address(cluster: Any) -> str:
    port = (cluster.profile.get("control_plane") or {}).get("port", 6443)
    return f"127.0.0.1:{port}"


def _target(cluster: Any, group: str, version: str, rest: list[str]) -> _Target:
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
    resource = rest[0]
    rt = next((t for t in cluster.resources if t.plural == resource and t.group == group
               and t.version == version), None)
    if rt is None or len(rest) > 3 or (namespace is not None and not rt.namespaced):
        raise _not_found_path()
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    if sub is not None and sub not in ("status", "scale", "binding") \
            or sub == "scale" and rt.plural not in SCALABLE \
            or sub == "binding" and rt.plural != "pods":
        raise _not_found_path()
    return _Target(rt, namespace, name, sub)


def _list_kind(rt: ResourceType) -> str:
    return f"{rt.kind}List"


def _get(cluster: Any, request: Request, t: _Target) -> Response:
    q = request.query
    wants_table = TABLE_MEDIA in request.header("accept")
    if t.subresource == "scale":
        return Response(200, _scale(cluster.store.get(t.rt, t.namespace, t.name)))
    revision = str(cluster.store.revision)
    list_meta = {"resourceVersion": revision}
    if t.name is not None:
        objects = [cluster.store.get(t.rt, t.namespace, t.name)]
    else:
        objects = _list(cluster, t, q, list_meta)
    if wants_table:
        table = _table(cluster, t.rt, objects, revision, full=q.get("includeObject") == "Object")
        table["metadata"] = list_meta
        return Response(200, table, _warnings(t.rt))
    if t.name is not None:
        return Response(200, objects[0], _warnings(t.rt))
    return Response(200, {"kind": _list_kind(t.rt), "apiVersion": t.rt.api_version,
                          "metadata": list_meta, "items": objects}, _warnings(t.rt))


def _key(obj: dict) -> tuple[str, str]:
    """Where an object stands in its type's list (the store's order)."""
    md = obj["metadata"]
    return md.get("namespace", ""), md["name"]


def _token_key(rt: ResourceType, key: tuple[str, str]) -> str:
    """The key as etcd's continue tokens name it: ``namespace/name``, or ``name``."""
    return "/".join(key) if rt.namespaced else key[1]


def _from_token_key(rt: ResourceType, text: str) -> tuple[str, str]:
    namespace, _, name = text.partition("/") if rt.namespaced else ("", "", text)
    return namespace, name


def _continue_start(text: str) -> str:
    """The key a continue token starts after; a token this server did not make is a 400."""
    try:
        token = json.loads(base64.b64decode(text, validate=True))
        if token.get("v") != "meta.k8s.io/v1":
            raise ValueError("incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        start = token["start"]
        if not isinstance(start, str) or not start.endswith("\x00"):
            raise ValueError("continue key is invalid")
        return start[:-1]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ApiError(400, "BadRequest", f"continue key is not valid: {exc}", {}) from None


def _list(cluster: Any, t: "_Target", q: dict[str, str], list_meta: dict) -> list[dict]:
    """A list, or with ``limit`` and ``continue`` a chunk of it after the token's key and
    a token for the next (``{"v", "rv", "start"}`` in base64, as the API server's), with
    the count of what remains when no selector filtered the list. A chunk is read from
    the store's key order from where the token points: a list in chunks of 500 costs the
    size of the list, not the size of the list for every chunk."""
    label, field = q.get("labelSelector") or None, q.get("fieldSelector") or None
    start = _from_token_key(t.rt, _continue_start(q["continue"])) if q.get("continue") else None
    limit = q.get("limit") or ""
    n = int(limit) if limit.isdigit() and int(limit) > 0 else None
    if start is None and n is None:
        return cluster.store.list(t.rt, t.namespace, label, field)
    reqs = parse_label_selector(label) if label else None
    wanted = field_matcher(parse_field_selector(field)) if field else None
    chunk: list[dict] = []
    for obj in cluster.store.keys_after(t.rt, t.namespace, start):
        if reqs and not matches(reqs, obj["metadata"].get("labels")):
            continue
        if wanted is not None and not wanted(obj):
            continue
        if n is not None and len(chunk) == n:
            last = _key(chunk[-1])
            token = {"v": "meta.k8s.io/v1", "rv": int(list_meta["resourceVersion"]),
                     "start": _token_key(t.rt, last) + "\x00"}
            list_meta["continue"] = base64.b64encode(
                json.dumps(token, separators=(",", ":")).encode()).decode()
            if not label and not field:
                list_meta["remainingItemCount"] = cluster.store.count_after(
                    t.rt, t.namespace, last)
            break
        chunk.append(obj)
    return chunk


def _scale(obj: dict) -> dict:
    """The autoscaling/v1 Scale of a workload."""
    md = obj["metadata"]
    from sim.api.selectors import format_selector, selector_from_api, selector_from_map

    selector = (obj.get("spec") or {}).get("selector") or {}
    reqs = selector_from_api(selector) if "matchLabels" in selector or "matchExpressions" in \
        selector else selector_from_map(selector)    # ReplicationController: a plain map
    status = {"replicas": (obj.get("status") or {}).get("replicas", 0)}
    if reqs:
        status["selector"] = format_selector(reqs)
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: md[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                            "creationTimestamp") if k in md},
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)}, "status": status}


def _write_scale(cluster: Any, request: Request, t: _Target, scale: dict) -> Response:
    replicas = (scale.get("spec") or {}).get("replicas")
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise ApiError(422, "Invalid", f'Scale.autoscaling "{t.name}" is invalid: spec.replicas: '
                       f"Invalid value: {json.dumps(replicas)}: must be greater than or equal to 0",
                       {"name": t.name, "group": "autoscaling", "kind": "Scale"})
    options = _write_options(request)
    updated = cluster.store.patch(t.rt, t.namespace, t.name, {"spec": {"replicas": replicas}},
                                  "merge", **options)
    _written(cluster, 200, updated, options["dry_run"], t)
    return Response(200, _scale(updated if options["dry_run"] else
                                cluster.store.get(t.rt, t.namespace, t.name)))


def _warnings(rt: ResourceType) -> list[str]:
    if rt.plural == "endpoints" and rt.group == "":
        return ["v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"]
    return []


def _table(cluster: Any, rt: ResourceType, objects: list[dict], revision: str,
           full: bool = False) -> dict:
    from sim.printers import table_cells, table_columns
    from sim.printers.columns import NAME_COLUMN

    name_at = NAME_COLUMN.get(rt.plural, 0)
    columns = [{"name": name, "type": "string", "format": "name" if i == name_at else "",
                "description": "", "priority": priority}
               for i, (name, priority) in enumerate(table_columns(rt.plural))]
    now = cluster.clock.now()
    rows = [{"cells": table_cells(rt.plural, obj, now=now),
             "object": obj if full else {"kind": "PartialObjectMetadata",
                                         "apiVersion": "meta.k8s.io/v1",
                                         "metadata": obj.get("metadata") or {}}}
            for obj in objects]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": revision}, "columnDefinitions": columns, "rows": rows}


def _decode(request: Request) -> Any:
    media = request.header("content-type").split(";")[0].strip()
    if request.method == "PATCH":
        if media not in PATCH_TYPES:
            raise ApiError(415, "UnsupportedMediaType",
                           f'the body of the request was in an unknown format - accepted media '
                           f'types include: {", ".join(PATCH_TYPES)}', {})
    if request.value is not None:
        return request.value
    if media in ("application/yaml", "application/apply-patch+yaml"):
        try:
            return yaml.safe_load(request.body or b"null")
        except yaml.YAMLError as exc:
            raise ApiError(400, "BadRequest", f"error decoding request body: {exc}", {}) from None
    if media == protobuf.CONTENT_TYPE:
        try:
            return protobuf.decode(request.body)
        except protobuf.ProtobufError as exc:
            raise ApiError(400, "BadRequest", f"error decoding request body: {exc}", {}) from None
    if request.method != "PATCH" and media not in ("application/json", ""):
        raise ApiError(415, "UnsupportedMediaType",
                       f'the body of the request was in an unknown format - accepted media '
                       f'types include: application/json, application/yaml, '
                       f'{protobuf.CONTENT_TYPE}', {})
    try:
        return json.loads(request.body or b"null")
    except ValueError as exc:
        raise ApiError(400, "BadRequest", f"error decoding request body: {exc}", {}) from None


def _write_options(request: Request) -> dict:
    q = request.query
    dry_run = q.get("dryRun") == "All"
    validation = q.get("fieldValidation") or "Warn"
    if validation not in ("Strict", "Warn", "Ignore"):
        raise ApiError(400, "BadRequest",
                       f'fieldValidation parameter unsupported: {validation}', {})
    return {"dry_run": dry_run, "field_validation": validation}


def _object_body(request: Request, t: _Target, mode: str = "Strict") -> tuple[dict, list[str]]:
    """The body decoded into the kind's Go types (sim.api.gotypes), as the API server does
    before anything else reads it: a value of the wrong type is a 400 with the decoder's
    message, fields the kind lacks are pruned and, by ``mode`` (fieldValidation), fail the
    request or come back as warnings. A body our kubectl hands over in process is read in
    key order, as the real kubectl's JSON (encoded from a map) arrives."""
    body = _decode(request)
    if not isinstance(body, dict):
        raise ApiError(400, "BadRequest", "the body of the request must be an object", {})
    body.setdefault("apiVersion", t.rt.api_version)
    body.setdefault("kind", t.rt.kind)
    unknown = gotypes.check(t.rt.kind, t.rt.api_version, body,
                            sort_keys=request.value is not None)
    warnings = field_validation(t.rt, unknown, mode)
    md = body.setdefault("metadata", {})
    if t.namespace is not None:
        if md.get("namespace") and md["namespace"] != t.namespace:
            raise ApiError(400, "BadRequest", "the namespace of the provided object does not "
                                              "match the namespace sent on the request", {})
        md["namespace"] = t.namespace
    return body, warnings


def _written(cluster: Any, code: int, obj: dict, dry_run: bool, t: _Target,
             decoded: list[str] = ()) -> Response:
    warnings = list(decoded) + [w for w in cluster.store.warnings or [] if w not in decoded]
    warnings += [w for w in _warnings(t.rt) if w not in warnings]
    if not dry_run:
        cluster.reconcile()
    return Response(code, obj, warnings)


def _post(cluster: Any, request: Request, t: _Target) -> Response:
    if t.subresource == "binding":
        from sim.api.binding import bind

        options = _write_options(request)
        status = bind(cluster.store, t.namespace or "default", t.name, _decode(request),
                      cluster.clock.timestamp(), options["dry_run"])
        return _written(cluster, 201, status, options["dry_run"], t)
    if t.name is not None:
        raise _method_not_allowed()
    options = _write_options(request)
    body, decoded = _object_body(request, t, options["field_validation"])
    created = cluster.store.create(body, **options)
    return _written(cluster, 201, created, options["dry_run"], t, decoded)


def _put(cluster: Any, request: Request, t: _Target) -> Response:
    if t.name is None:
        raise _method_not_allowed()
    if t.subresource == "scale":
        return _write_scale(cluster, request, t, _decode(request) or {})
    options = _write_options(request)
    body, decoded = _object_body(request, t, options["field_validation"])
    if (body.get("metadata") or {}).get("name") not in (None, t.name):
        raise ApiError(400, "BadRequest", "the name of the object "
                       f'({body["metadata"]["name"]}) does not match the name on the URL ({t.name})', {})
    body["metadata"]["name"] = t.name
    updated = cluster.store.update(body, subresource=t.subresource, **options)
    return _written(cluster, 200, updated, options["dry_run"], t, decoded)


def _patch(cluster: Any, request: Request, t: _Target) -> Response:
    if t.name is None:
        raise _method_not_allowed()
    patch = _decode(request)
    kind = PATCH_TYPES[request.header("content-type").split(";")[0].strip()]
    if t.subresource == "scale":
        from sim.api.patch import apply_patch

        current = _scale(cluster.store.get(t.rt, t.namespace, t.name))
        return _write_scale(cluster, request, t, apply_patch(current, patch, kind))
    options = _write_options(request)
    if kind == "apply":
        return _server_side_apply(cluster, request, t, patch, options)
    patched = cluster.store.patch(t.rt, t.namespace, t.name, patch, kind, **options)
    return _written(cluster, 200, patched, options["dry_run"], t)


def _server_side_apply(cluster: Any, request: Request, t: _Target, config: Any,
                       options: dict) -> Response:
    if not request.query.get("fieldManager"):
        raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: '
                       "Required value: is required for apply patch",
                       {"group": "meta.k8s.io", "kind": "PatchOptions",
                        "causes": [{"reason": "FieldValueRequired", "message":
                                    "Required value: is required for apply patch",
                                    "field": "fieldManager"}]})
    obj, created = apply_configuration(cluster, t.rt, t.namespace, t.name, config, **options)
    return _written(cluster, 201 if created else 200, obj, options["dry_run"], t)


def apply_configuration(cluster: Any, rt: ResourceType, namespace: str | None, name: str,
                        config: Any, dry_run: bool = False,
                        field_validation: str = "Strict") -> tuple[dict, bool]:
    """Server-side apply as far as this cluster keeps it: the object is created from the
    configuration, or the configuration is merged into it (strategic merge: lists merge by
    their keys). Field ownership (managedFields, conflicts between managers) is not
    tracked: one manager's apply always wins. (object, created)"""
    if not isinstance(config, dict):
        raise ApiError(400, "BadRequest", "error decoding request body: the body must be an object", {})
    md = config.setdefault("metadata", {})
    if not isinstance(md, dict):
        raise ApiError(400, "BadRequest", "metadata must be an object", {})
    md["name"] = name
    if namespace is not None:
        md["namespace"] = namespace
    options = {"dry_run": dry_run, "field_validation": field_validation}
    if cluster.store.find(rt, namespace, name) is None:
        config.setdefault("apiVersion", rt.api_version)
        config.setdefault("kind", rt.kind)
        return cluster.store.create(config, **options), True
    merge = {k: v for k, v in config.items() if k not in ("apiVersion", "kind")}
    merge["metadata"] = {k: v for k, v in md.items() if k in ("labels", "annotations", "finalizers",
                                                            "ownerReferences")}
    return cluster.store.patch(rt, namespace, name, merge, "strategic", **options), False


def _delete(cluster: Any, request: Request, t: _Target) -> Response:
    options = _decode(request) if request.body.strip() or request.value is not None else {}
    options = options if isinstance(options, dict) else {}
    q = request.query
    propagation = q.get("propagationPolicy") or options.get("propagationPolicy") or "Background"
    grace = q.get("gracePeriodSeconds", options.get("gracePeriodSeconds"))
    dry_run = q.get("dryRun") == "All" or "All" in (options.get("dryRun") or [])
    grace = None if grace in (None, "") else int(grace)
    if t.name is not None:
        deleted = cluster.store.delete(t.rt, t.namespace, t.name, propagation=propagation,
                                       dry_run=dry_run, grace_period=grace)
        return _written(cluster, 200, deleted, dry_run, t)
    if t.rt.namespaced and t.namespace is None:
        raise _method_not_allowed()
    # deletecollection: what the list selects, each deleted as one DELETE would, answered
    # with the list as it was (the generic registry's DeleteCollection)
    revision = str(cluster.store.revision)
    listed = cluster.store.list(t.rt, t.namespace, q.get("labelSelector") or None,
                                q.get("fieldSelector") or None)
    for obj in listed:
        cluster.store.delete(t.rt, t.namespace, obj["metadata"]["name"], propagation=propagation,
                             dry_run=dry_run, grace_period=grace)
    return _written(cluster, 200, {"kind": _list_kind(t.rt), "apiVersion": t.rt.api_version,
                                   "metadata": {"resourceVersion": revision}, "items": listed},
                    dry_run, t)


# -- watch ----------------------------------------------------------------------------

WATCH_STEP = 0.5          # virtual seconds a waiting watch lets pass at a time
WATCH_PACE = 0.01         # real seconds between two steps
WATCH_CLOCK_LIMIT = 300   # virtual seconds one watch may move the clock, at most


def is_watch(request: Request) -> bool:
    return request.method == "GET" and request.query.get("watch") in ("true", "1")


def watch(cluster: Any, request: Request, closed=lambda: False):
    """A watch: a failed Response, or an iterator of ``{"type", "object"}`` events.

    While the client waits, virtual time passes in steps of WATCH_STEP, as it does while
    our own kubectl waits (cluster.wait_until), so that what it waits for (a pod's
    graceful end, a rollout) happens; at most WATCH_CLOCK_LIMIT virtual seconds per
    watch, and it ends after ``timeoutSeconds`` of virtual time.  ``closed()`` tells
    whether the client has gone."""
    from datetime import timedelta

    with cluster.lock:
        try:
            parts = [unquote(p) for p in request.path.split("/") if p]
            group, version, rest = _group_version(cluster, parts)
            if not rest:
                raise _not_found_path()
            t = _target(cluster, group, version, rest)
        except ApiError as err:
            return status_response(err)
        q = request.query
        fields = q.get("fieldSelector") or ""
        if t.name is not None:
            fields = ",".join(filter(None, [fields, f"metadata.name={t.name}"]))
        try:
            initial_objects = cluster.store.list(t.rt, t.namespace, q.get("labelSelector") or None,
                                                 fields or None)
            labels = parse_label_selector(q.get("labelSelector") or "")
            field_match = field_matcher(parse_field_selector(fields)) if fields else None
        except ApiError as err:
            return status_response(err)
        timeout = q.get("timeoutSeconds") or ""
        start = cluster.clock.now()
        end = start + timedelta(seconds=int(timeout)) if timeout.isdigit() else None
        limit = start + timedelta(seconds=WATCH_CLOCK_LIMIT)
        revision = cluster.store.revision
        asked = q.get("resourceVersion") or ""
        oldest = cluster.store.changes[0][0] if cluster.store.changes else revision + 1
        # "0" (and none) means: from now, after the current state as ADDED events
        since = int(asked) if asked.isdigit() and int(asked) > 0 and int(asked) >= oldest - 1 \
            else revision

    tables = TABLE_MEDIA in request.header("accept")
    first = [True]

    def as_table(obj: dict) -> dict:
        """An event's object as a one-row Table when the client asked for tables (`get -w`):
        the column definitions come with the first event only, as the API server sends them."""
        if not tables:
            return obj
        with cluster.lock:
            table = _table(cluster, t.rt, [obj], str(cluster.store.revision),
                           full=q.get("includeObject") == "Object")
        if not first[0]:
            table["columnDefinitions"] = []
        first[0] = False
        return table

    def wanted(rt: ResourceType, obj: dict) -> bool:
        md = obj.get("metadata") or {}
        return (rt is t.rt and (t.namespace is None or md.get("namespace") == t.namespace)
                and (not labels or matches(labels, md.get("labels")))
                and (field_match is None or field_match(obj)))

    def events():
        import time

        nonlocal since
        initial = q.get("sendInitialEvents") == "true"
        if initial or asked in ("", "0"):
            for obj in initial_objects:
                yield {"type": "ADDED", "object": as_table(obj)}
        if initial:   # watch-list (client-go's WatchListClient): the initial events end here
            yield {"type": "BOOKMARK", "object": {
                "kind": t.rt.kind, "apiVersion": t.rt.api_version,
                "metadata": {"resourceVersion": str(revision),
                             "annotations": {"k8s.io/initial-events-end": "true"}}}}
        while not closed():
            with cluster.lock:
                fresh = [(kind, obj) for rev, kind, rt, obj in cluster.store.changes
                         if rev > since and wanted(rt, obj)]
                since = cluster.store.revision
                now = cluster.clock.now()
                done = end is not None and now >= end
                if not fresh and not done and now < limit:
                    cluster.run_until(min(now + timedelta(seconds=WATCH_STEP), limit, end or limit))
            for kind, obj in _coalesced(fresh):
                yield {"type": kind, "object": as_table(obj)}
            if done:
                return
            if not fresh:
                time.sleep(WATCH_PACE)

    return events()


def _coalesced(changes: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """One event per object for the changes of one step: the cluster reconciles to a fixed
    point at once, so a watcher sees where an object ended, not each write on the way
    (a pod whose command ends as it starts is seen Succeeded, as our kubectl sees it)."""
    last: dict[tuple[str, str], tuple[str, dict]] = {}
    for kind, obj in changes:
        md = obj.get("metadata") or {}
        key = (md.get("namespace") or "", md.get("name") or "")
        before = last.pop(key, None)
        if before is not None and before[0] == "ADDED":
            if kind == "DELETED":
                continue                  # came and went within the step
            kind = "ADDED"
        last[key] = (kind, obj)
    return list(last.values())


_VERBS = {"GET": _get, "POST": _post, "PUT": _put, "PATCH": _patch, "DELETE": _delete}
