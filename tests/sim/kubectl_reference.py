"""A real kubectl against a tiny API server on 127.0.0.1, for golden comparisons.

The server answers discovery, gets and lists (as JSON, or as a meta.k8s.io Table built
by a caller-supplied function), field and label selectors on lists, and Status errors.
It keeps no state beyond the objects it is given.  Tests that use it skip when no
reference kubectl is present (sim/reference.py: KUBECTL_REFERENCE or the fetched one).
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from sim import reference

# group/version -> [(resource, kind, namespaced, short names)]
RESOURCES: dict[str, list[tuple[str, str, bool, list[str]]]] = {
    "v1": [
        ("pods", "Pod", True, ["po"]), ("services", "Service", True, ["svc"]),
        ("endpoints", "Endpoints", True, ["ep"]), ("nodes", "Node", False, ["no"]),
        ("namespaces", "Namespace", False, ["ns"]), ("secrets", "Secret", True, []),
        ("configmaps", "ConfigMap", True, ["cm"]),
        ("serviceaccounts", "ServiceAccount", True, ["sa"]),
        ("events", "Event", True, ["ev"]),
        ("resourcequotas", "ResourceQuota", True, ["quota"]),
        ("limitranges", "LimitRange", True, ["limits"]),
        ("replicationcontrollers", "ReplicationController", True, ["rc"]),
    ],
    "coordination.k8s.io/v1": [("leases", "Lease", True, [])],
    "batch/v1": [("jobs", "Job", True, []), ("cronjobs", "CronJob", True, ["cj"])],
    "apps/v1": [
        ("deployments", "Deployment", True, ["deploy"]),
        ("replicasets", "ReplicaSet", True, ["rs"]),
        ("statefulsets", "StatefulSet", True, ["sts"]),
        ("daemonsets", "DaemonSet", True, ["ds"]),
    ],
    "discovery.k8s.io/v1": [("endpointslices", "EndpointSlice", True, [])],
    "networking.k8s.io/v1": [
        ("ingresses", "Ingress", True, ["ing"]),
        ("ingressclasses", "IngressClass", False, []),
        ("networkpolicies", "NetworkPolicy", True, ["netpol"]),
    ],
}

# The API server lists a group's resources sorted by name ("all" expands in that order).
for _group in RESOURCES.values():
    _group.sort()
KIND_TO_RESOURCE = {kind: res for gv in RESOURCES.values() for res, kind, _, _ in gv}

TableFn = Callable[[str, list[dict], dict], dict]


def reference_kubectl() -> str | None:
    path = reference.kubectl_path()
    return str(path) if path else None


def resource_of(obj: dict) -> str:
    return KIND_TO_RESOURCE[obj["kind"]]


def matches(obj: dict, label_selector: str | None = None, field_selector: str | None = None) -> bool:
    """The server's filtering of lists, usable by tests as a `lookup` for describers."""
    return ((not field_selector or _matches_fields(obj, field_selector))
            and (not label_selector or _matches_labels(obj, label_selector)))


def _field(obj: dict, path: str) -> str:
    value = obj
    for part in path.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return "" if value is None else str(value)


def _matches_fields(obj: dict, selector: str) -> bool:
    for term in filter(None, selector.split(",")):
        if "!=" in term:
            key, want = term.split("!=", 1)
            if _field(obj, key) == want:
                return False
        else:
            key, want = term.split("==", 1) if "==" in term else term.split("=", 1)
            if _field(obj, key) != want:
                return False
    return True


def _matches_labels(obj: dict, selector: str) -> bool:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    for term in filter(None, selector.split(",")):
        if "!=" in term:
            key, want = term.split("!=", 1)
            if labels.get(key) == want:
                return False
        elif "=" in term:
            key, want = term.split("==", 1) if "==" in term else term.split("=", 1)
            if labels.get(key) != want:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _status(self, code: int, reason: str, message: str, details: dict | None = None) -> None:
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": reason, "code": code}
        if details:
            body["details"] = details
        self._send(code, body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = [p for p in url.path.split("/") if p]
        self.server.requests.append(self.path)
        if parts == ["version"]:
            return self._send(200, {"major": "1", "minor": "35", "gitVersion": "v1.35.2",
                                    "platform": "linux/amd64"})
        if parts == ["api"]:
            return self._send(200, {"kind": "APIVersions", "versions": ["v1"],
                                    "serverAddressByClientCIDRs": [
                                        {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
        if parts == ["apis"]:
            groups = []
            for gv in RESOURCES:
                if "/" in gv:
                    group, version = gv.split("/")
                    entry = {"groupVersion": gv, "version": version}
                    groups.append({"name": group, "versions": [entry], "preferredVersion": entry})
            return self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        if parts and parts[0] == "api":
            gv, rest = "v1", parts[2:]
        elif parts and parts[0] == "apis" and len(parts) >= 3:
            gv, rest = f"{parts[1]}/{parts[2]}", parts[3:]
        else:
            return self._status(404, "NotFound", "the server could not find the requested resource")
        if gv not in RESOURCES:
            return self._status(404, "NotFound", "the server could not find the requested resource")
        if not rest:
            return self._send(200, self._resource_list(gv))
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        resource, name = rest[0], (rest[1] if len(rest) > 1 else None)
        known = {r: (k, ns) for r, k, ns, _ in RESOURCES[gv]}
        if resource not in known:
            return self._status(404, "NotFound", "the server could not find the requested resource")
        objs = [o for o in self.server.objects if resource_of(o) == resource
                and (namespace is None or (o.get("metadata") or {}).get("namespace") == namespace)]
        if name is not None:
            found = [o for o in objs if o["metadata"]["name"] == name]
            if not found:
                group = gv.split("/")[0] if "/" in gv else ""
                return self._status(404, "NotFound", f'{resource}{"." + group if group else ""} "{name}" not found',
                                    {"name": name, "group": group, "kind": resource})
            objs = found
        else:
            if query.get("fieldSelector"):
                objs = [o for o in objs if _matches_fields(o, query["fieldSelector"])]
            if query.get("labelSelector"):
                objs = [o for o in objs if _matches_labels(o, query["labelSelector"])]
        if "as=Table" in (self.headers.get("Accept") or "") and self.server.table_fn:
            return self._send(200, self.server.table_fn(resource, objs, query))
        if name is not None:
            return self._send(200, objs[0])
        kind = known[resource][0]
        return self._send(200, {"kind": f"{kind}List", "apiVersion": gv,
                                "metadata": {"resourceVersion": "1000"}, "items": objs})

    def _resource_list(self, gv: str) -> dict:
        resources = []
        for res, kind, namespaced, short in RESOURCES[gv]:
            entry = {"name": res, "singularName": kind.lower(), "namespaced": namespaced,
                     "kind": kind, "verbs": ["create", "delete", "get", "list", "patch",
                                             "update", "watch"]}
            if short:
                entry["shortNames"] = short
            if res in ("pods", "services", "deployments", "replicasets", "statefulsets",
                       "daemonsets", "jobs", "cronjobs"):
                entry["categories"] = ["all"]
            resources.append(entry)
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                "resources": resources}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, objects: list[dict], table_fn: TableFn | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.objects = objects
        self.table_fn = table_fn
        self.requests: list[str] = []


@dataclass
class Result:
    stdout: str
    stderr: str
    code: int


class ReferenceCluster:
    """Context manager: a server with `objects` and a kubeconfig pointing at it."""

    def __init__(self, objects: list[dict], table_fn: TableFn | None = None) -> None:
        self.objects = objects
        self.table_fn = table_fn

    def __enter__(self) -> "ReferenceCluster":
        self.binary = reference_kubectl()
        if self.binary is None:
            raise RuntimeError("no reference kubectl")
        self.server = _Server(self.objects, self.table_fn)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.tmp = tempfile.TemporaryDirectory()
        port = self.server.server_address[1]
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": "ref",
            "clusters": [{"name": "ref", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
            "users": [{"name": "ref", "user": {}}],
            "contexts": [{"name": "ref", "context": {"cluster": "ref", "user": "ref",
                                                     "namespace": "default"}}],
        }
        self.kubeconfig = Path(self.tmp.name) / "config"
        self.kubeconfig.write_text(json.dumps(config))
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.tmp.cleanup()

    def kubectl(self, *args: str, timeout: float = 20) -> Result:
        env = {"PATH": "/usr/bin:/bin", "HOME": self.tmp.name, "KUBECONFIG": str(self.kubeconfig),
               "KUBECTL_KUBERC": "false", "LANG": "C.UTF-8"}
        proc = subprocess.run([self.binary, "--cache-dir", str(Path(self.tmp.name) / "cache"),
                               *args], env=env, capture_output=True, timeout=timeout)
        return Result(proc.stdout.decode(), proc.stderr.decode(), proc.returncode)
