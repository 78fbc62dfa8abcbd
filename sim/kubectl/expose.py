"""``kubectl expose``: a Service for a deployment, replica set, pod, rc or service."""

from __future__ import annotations

from typing import Any

from sim.kubectl import output, resolve
from sim.kubectl.command import Ctx
from sim.kubectl.errors import KubectlError, api_text, fail, is_api_error
from sim.kubectl.flags import BOOL, SLICE, f
from sim.kubectl.typed import with_typed_annotation
from sim.kubectl.targets import NO_RESOURCES
from sim.kubectl.writes import dry_run_mode, dry_run_suffix, reconcile

FLAGS = (
    f("port"), f("target-port"), f("container-port"), f("protocol"), f("type"), f("name"),
    f("external-ip"), f("selector"), f("labels", "l"), f("load-balancer-ip"),
    f("session-affinity"), f("cluster-ip"), f("overrides"), f("override-type", default="merge"),
    f("filename", "f", SLICE), f("recursive", "R", BOOL), f("kustomize", "k"),
    f("output", "o"), f("template"), f("allow-missing-template-keys", kind=BOOL, default=True),
    f("show-managed-fields", kind=BOOL), f("dry-run", default="none", no_value="unchanged"),
    f("save-config", kind=BOOL), f("field-manager", default="kubectl-expose"),
    f("record", kind=BOOL),
)

EXPOSABLE = {("", "ReplicationController"), ("", "Service"), ("", "Pod"),
             ("apps", "Deployment"), ("apps", "ReplicaSet")}


def _pod_spec(obj: dict) -> dict:
    if obj["kind"] == "Pod":
        return obj.get("spec") or {}
    return ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}


def selector_for(obj: dict) -> dict:
    kind = obj["kind"]
    spec = obj.get("spec") or {}
    if kind == "Pod":
        labels = obj["metadata"].get("labels") or {}
        if not labels:
            raise fail("couldn't retrieve selectors via --selector flag or introspection: the "
                       "pod has no labels and cannot be exposed")
        return dict(labels)
    if kind in ("Service", "ReplicationController"):
        sel = spec.get("selector") or {}
        if not sel:
            raise fail("couldn't retrieve selectors via --selector flag or introspection: the "
                       f"{kind.lower()} has no pod selector set")
        return dict(sel)
    sel = spec.get("selector") or {}
    if sel.get("matchExpressions"):
        raise fail("couldn't retrieve selectors via --selector flag or introspection: "
                   "couldn't convert expressions to map-based selector format")
    return dict(sel.get("matchLabels") or {})


def ports_for(obj: dict) -> list[tuple[str, str]]:
    """(port, protocol) from the object: container ports, or a service's ports."""
    if obj["kind"] == "Service":
        return [(str(p["port"]), p.get("protocol") or "TCP")
                for p in (obj.get("spec") or {}).get("ports") or []]
    out = []
    for c in _pod_spec(obj).get("containers") or []:
        for p in c.get("ports") or []:
            out.append((str(p["containerPort"]), p.get("protocol") or "TCP"))
    return out


def _parse_map(spec: str) -> dict:
    out = {}
    for item in spec.split(","):
        parts = item.split("=")
        if len(parts) != 2:
            raise fail(f"unexpected label spec: {item}")
        if not parts[0]:
            raise fail("unexpected empty label key")
        out[parts[0]] = parts[1]
    return out


def build_service(ctx: Ctx, obj: dict) -> dict:
    o = ctx.opts
    selector = _parse_map(o["selector"]) if o["selector"] else selector_for(obj)
    if not selector:
        raise fail("selector must be specified")
    headless = o["cluster-ip"] == "None"
    port_text = o["port"]
    introspected = ports_for(obj)
    protocols = {p: proto for p, proto in introspected}
    if not port_text:
        if not introspected and not headless:
            raise fail("couldn't find port via --port flag or introspection")
        port_text = ",".join(p for p, _ in introspected)
    labels = _parse_map(o["labels"]) if o["labels"] else dict(obj["metadata"].get("labels") or {})
    ports = []
    items = port_text.split(",") if port_text else []
    for i, text in enumerate(items):
        try:
            number = int(text)
        except ValueError:
            raise fail(f'strconv.Atoi: parsing "{text}": invalid syntax') from None
        entry: dict[str, Any] = {}
        if len(items) > 1:
            entry["name"] = f"port-{i + 1}"
        entry["port"] = number
        entry["protocol"] = o["protocol"] or protocols.get(text, "TCP")
        target = o["target-port"] or o["container-port"]
        if target:
            entry["targetPort"] = int(target) if target.isdigit() else target
        else:
            entry["targetPort"] = number
        ports.append(entry)
    name = o["name"] or obj["metadata"]["name"][:63]
    metadata: dict[str, Any] = {}
    if labels:
        metadata["labels"] = labels
    metadata["name"] = name
    spec: dict[str, Any] = {}
    if o["cluster-ip"]:
        spec["clusterIP"] = o["cluster-ip"]
    if o["external-ip"]:
        spec["externalIPs"] = [o["external-ip"]]
    if o["type"] == "LoadBalancer" and o["load-balancer-ip"]:
        spec["loadBalancerIP"] = o["load-balancer-ip"]
    if ports:
        spec["ports"] = ports
    spec["selector"] = selector
    if o["session-affinity"]:
        if o["session-affinity"] not in ("None", "ClientIP"):
            raise fail(f"unknown session affinity: {o['session-affinity']}")
        spec["sessionAffinity"] = o["session-affinity"]
    if o["type"]:
        spec["type"] = o["type"]
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec,
            "status": {"loadBalancer": {}}}


def run(ctx: Ctx) -> int:
    o = ctx.opts
    if not ctx.args and not o["filename"]:
        raise fail(NO_RESOURCES)
    dry = dry_run_mode(o["dry-run"])
    out = output.parse(o["output"], tables=False)
    api = ctx.api
    with ctx.locked():
        if o["filename"]:
            from sim.kubectl.manifests import selection_from_files
            sel = selection_from_files(ctx, o["filename"], o["recursive"])
        else:
            sel = resolve.select(ctx.cluster, ctx.args, ctx.path)
        if not sel.named:
            raise fail("resource(s) were provided, but no name was specified")
        for t, name in sel.items:
            try:
                obj = api.get(t.resource_ref, ctx.namespace if t.namespaced else None, name)
            except Exception as e:
                if not is_api_error(e):
                    raise
                raise KubectlError(api_text(e)) from None
            if (t.group, t.kind) not in EXPOSABLE:
                raise fail(f"cannot expose a {t.kind}{'.' + t.group if t.group else ''}")
            svc = build_service(ctx, obj)
            if dry == "client":
                if ctx.explicit_namespace:
                    svc["metadata"]["namespace"] = ctx.namespace
                shown = svc
            else:
                if o["save-config"]:
                    svc = with_typed_annotation(svc)
                svc["metadata"]["namespace"] = ctx.namespace
                try:
                    shown = api.create(svc, dry_run=dry == "server")
                except Exception as e:
                    if not is_api_error(e):
                        raise
                    raise KubectlError(api_text(e)) from None
                if dry == "none":
                    reconcile(ctx)
            if out.kind:
                output.print_object(ctx, out, shown, typed=dry == "client")
            else:
                ctx.out(f"service/{shown['metadata']['name']} exposed{dry_run_suffix(dry)}\n")
    return 0
