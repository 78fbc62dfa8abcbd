"""``kubectl version``, ``cluster-info`` and ``api-resources``: what the cluster reports
about itself."""

from __future__ import annotations

import json
import re

from sim.kubectl.command import Ctx
from sim.kubectl.errors import fail
from sim.kubectl.flags import BOOL, SLICE, f
from sim.printers.tabwriter import table_layout
from sim.kubectl.resolve import all_types
from sim.net.apiserver import control_plane_url

CLIENT_VERSION = "v1.35.2"
KUSTOMIZE_VERSION = "v5.7.1"
CLIENT_INFO = {
    "major": "1", "minor": "35", "gitVersion": CLIENT_VERSION,
    "gitCommit": "fdc9d74cbf2da6754ebf81d56f80ae2948cd6425", "gitTreeState": "clean",
    "buildDate": "2026-02-26T20:05:34Z", "goVersion": "go1.25.7", "compiler": "gc",
    "platform": "linux/amd64",
}
SUPPORTED_SKEW = 1

VERSION_FLAGS = (f("client", kind=BOOL), f("output", "o"))
CLUSTER_INFO_FLAGS = ()
API_RESOURCES_FLAGS = (
    f("output", "o"), f("api-group"), f("namespaced", kind=BOOL, default=True),
    f("verbs", kind=SLICE), f("sort-by"), f("cached", kind=BOOL), f("categories", kind=SLICE),
    f("no-headers", kind=BOOL),
)


def server_version(cluster) -> str:
    return str((cluster.profile or {}).get("version") or CLIENT_VERSION)


def _minor(version: str) -> tuple[int, int]:
    m = re.match(r"v?(\d+)\.(\d+)", version)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def run_version(ctx: Ctx) -> int:
    o = ctx.opts
    if o["output"] not in ("", "yaml", "json"):
        raise fail("--output must be 'yaml' or 'json'")
    server = None if o["client"] else server_version(ctx.cluster)
    if o["output"] == "":
        text = f"Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"
        if server:
            text += f"Server Version: {server}\n"
        ctx.out(text)
    else:
        info: dict = {"clientVersion": CLIENT_INFO, "kustomizeVersion": KUSTOMIZE_VERSION}
        if server:
            major, minor = _minor(server)
            info["serverVersion"] = dict(CLIENT_INFO, major=str(major), minor=str(minor),
                                         gitVersion=server)
        if o["output"] == "json":
            ctx.out(json.dumps(info, indent=2) + "\n")
        else:
            from sim import printers
            ctx.out(printers.to_yaml(info) + "\n")
    if server:
        cmaj, cmin = _minor(CLIENT_VERSION)
        smaj, smin = _minor(server)
        if cmaj == smaj and abs(cmin - smin) > SUPPORTED_SKEW:
            ctx.warn(f"version difference between client ({cmaj}.{cmin}) and server "
                     f"({smaj}.{smin}) exceeds the supported minor version skew of "
                     f"+/-{SUPPORTED_SKEW}", plain=True)
    return 0


# -- cluster-info --------------------------------------------------------------------------

def _join_scheme_name_port(scheme: str, name: str, port: str) -> str:
    if scheme:
        return f"{scheme}:{name}:{port}"
    if port:
        return f"{name}:{port}"
    return name


def run_cluster_info(ctx: Ctx) -> int:
    if ctx.args and ctx.args[0] == "dump":
        raise fail("cluster-info dump is not available in this cluster")
    namespace = ctx.namespace if ctx.explicit_namespace else "kube-system"
    with ctx.locked():
        host = control_plane_url(ctx.cluster)
        services = ctx.api.list("services", namespace,
                                label_selector="kubernetes.io/cluster-service=true")
    lines = [f"Kubernetes control plane is running at {host}"]
    for svc in services:
        spec = svc.get("spec") or {}
        ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        if ingress:
            ip = ingress[0].get("ip") or ingress[0].get("hostname") or ""
            link = "".join(f"http://{ip}:{p['port']} " for p in spec.get("ports") or [])
        else:
            name = svc["metadata"]["name"]
            ports = spec.get("ports") or []
            if ports:
                port = ports[0]
                scheme = "https" if port.get("name") == "https" or port.get("port") == 443 else ""
                name = _join_scheme_name_port(scheme, name, port.get("name", ""))
            link = (f"{host}/api/v1/namespaces/{svc['metadata']['namespace']}/services/"
                    f"{name}/proxy")
        shown = (svc["metadata"].get("labels") or {}).get("kubernetes.io/name") or \
            svc["metadata"]["name"]
        lines.append(f"{shown} is running at {link}")
    ctx.out("\n".join(lines) + "\n\nTo further debug and diagnose cluster problems, use "
            "'kubectl cluster-info dump'.\n")
    return 0


# -- api-resources ---------------------------------------------------------------------------

def run_api_resources(ctx: Ctx) -> int:
    o = ctx.opts
    if o["output"] not in ("", "wide", "name"):
        raise fail(f'--output {o["output"]} is not available')
    if o["sort-by"] not in ("", "name", "kind"):
        raise fail(f'--sort-by accepts only name or kind')
    rows = []
    for t in all_types(ctx.cluster):
        if not t.verbs:
            continue
        if o.changed("api-group") and t.group != o["api-group"]:
            continue
        if o.changed("namespaced") and t.namespaced != o["namespaced"]:
            continue
        if o["verbs"] and not set(o["verbs"]) <= set(t.verbs):
            continue
        if o["categories"] and not set(o["categories"]) <= set(t.categories):
            continue
        rows.append(t)
    key = {"name": lambda t: t.resource, "kind": lambda t: t.kind}.get(o["sort-by"],
                                                                       lambda t: t.group)
    rows.sort(key=lambda t: (key(t), t.resource))
    if o["output"] == "name":
        ctx.out("".join(f"{t.resource}{'.' + t.group if t.group else ''}\n" for t in rows))
        return 0
    wide = o["output"] == "wide"
    head = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    if wide:
        head += ["VERBS", "CATEGORIES"]
    lines = [] if o["no-headers"] else ["\t".join(head)]
    for t in rows:
        cells = [t.resource, ",".join(t.short_names), t.api_version,
                 "true" if t.namespaced else "false", t.kind]
        if wide:
            cells += [",".join(t.verbs), ",".join(t.categories)]
        lines.append("\t".join(cells))
    ctx.out(table_layout("\n".join(lines) + "\n"))
    return 0
