"""``kubectl apply -f``: client-side apply with the last-applied-configuration annotation."""

from __future__ import annotations

import copy
import json

from sim.kubectl import manifests, output
from sim.kubectl.command import Ctx
from sim.kubectl.errors import KubectlError, api_text, fail, is_api_error
from sim.kubectl.flags import BOOL, INT, SLICE, f
from sim.kubectl.gojson import dumps
from sim.kubectl.threeway import three_way_patch
from sim.kubectl.writes import dry_run_mode, dry_run_suffix, reconcile, validation_directive

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MISSING_ANNOTATION = (
    "resource {ref} is missing the kubectl.kubernetes.io/last-applied-configuration "
    "annotation which is required by kubectl apply. kubectl apply should only be used on "
    "resources created declaratively by either kubectl create --save-config or kubectl "
    "apply. The missing annotation will be patched automatically.")

FLAGS = (
    f("filename", "f", SLICE), f("recursive", "R", BOOL), f("kustomize", "k"),
    f("output", "o"), f("dry-run", default="none", no_value="unchanged"),
    f("server-side", kind=BOOL), f("force", kind=BOOL), f("prune", kind=BOOL),
    f("selector", "l"), f("all", kind=BOOL), f("overwrite", kind=BOOL, default=True),
    f("validate", default="strict", no_value="strict"), f("wait", kind=BOOL),
    f("timeout", default="0s"), f("grace-period", kind=INT, default=-1),
    f("field-manager", default="kubectl-client-side-apply"),
    f("force-conflicts", kind=BOOL), f("cascade", default="background", no_value="background"),
    f("record", kind=BOOL), f("save-config", kind=BOOL), f("show-managed-fields", kind=BOOL),
    f("template"), f("allow-missing-template-keys", kind=BOOL, default=True),
    f("prune-allowlist", kind=SLICE), f("openapi-patch", kind=BOOL, default=True),
    f("applyset"), f("all-namespaces", "A", BOOL),
)


def modified_config(obj: dict, namespace: str | None) -> tuple[dict, str]:
    """The object as it will be sent, and the annotation text it carries (kubectl's
    GetModifiedConfiguration: annotations present, last-applied itself left out)."""
    new = copy.deepcopy(obj)
    md = new.setdefault("metadata", {})
    if namespace is not None:
        md["namespace"] = namespace
    annotations = dict(md.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    md["annotations"] = annotations
    text = dumps(new) + "\n"
    md["annotations"] = dict(annotations, **{LAST_APPLIED: text})
    return new, text


def run(ctx: Ctx) -> int:
    o = ctx.opts
    if not o["filename"] and not o["kustomize"]:
        raise fail("must specify one of -f and -k")
    dry = dry_run_mode(o["dry-run"])
    validation = validation_directive(o["validate"])
    out = output.parse(o["output"], tables=False)
    items = manifests.read(ctx, o["filename"], o["recursive"])
    if not items:
        raise fail("no objects passed to apply")
    errors: list[str] = []
    api = ctx.api
    for m in items:
        try:
            t = manifests.type_for(ctx, m)
        except KubectlError as e:
            errors.append(e.text)
            continue
        ns = manifests.namespace_for(ctx, t, m)
        name = (m.obj.get("metadata") or {}).get("name", "")
        if o["server-side"]:
            new = copy.deepcopy(m.obj)      # sent as written: no last-applied annotation
            if ns is not None:
                new.setdefault("metadata", {})["namespace"] = ns
        else:
            new, _ = modified_config(m.obj, ns)
        ctx.touch(t)
        with ctx.locked():
            current = api.find(t.resource_ref, ns, name) if name else None
            try:
                if o["server-side"]:
                    verb = "serverside-applied"
                    if dry != "client":
                        api.patch(t.resource_ref, ns, name, new, "apply",
                                    dry_run=dry == "server", field_validation=validation,
                                    field_manager=_field_manager(ctx, server_side=True),
                                    force=o["force-conflicts"])
                elif current is None:
                    verb = "created"
                    if dry != "client":
                        api.create(new, dry_run=dry == "server", field_validation=validation)
                else:
                    verb = _patch(ctx, t, ns, name, new, current, dry, validation)
            except Exception as e:
                if not is_api_error(e):
                    raise
                errors.append(_apply_error(e, current is None, m.source, t, new,
                                           getattr(e, "patch", None)))
                continue
            ctx.server_warnings()
            if dry == "none":
                reconcile(ctx)
            shown = api.find(t.resource_ref, ns, name) if dry == "none" else None
        if out.kind:
            output.print_object(ctx, out, shown or new)
        else:
            ctx.out(f"{t.kind_ref}/{name} {verb}{dry_run_suffix(dry)}\n")
    if errors:
        ctx.err("".join(e + "\n" for e in errors))
        return 1
    return 0


def _field_manager(ctx: Ctx, server_side: bool) -> str:
    """GetApplyFieldManagerFlag: a server-side apply is ``kubectl``'s unless named."""
    name = ctx.opts["field-manager"]
    if server_side and name == "kubectl-client-side-apply":
        return "kubectl"
    return name


def _patch(ctx: Ctx, t, ns, name, new: dict, current: dict, dry: str, validation: str) -> str:
    annotations = (current.get("metadata") or {}).get("annotations") or {}
    original_text = annotations.get(LAST_APPLIED)
    if original_text is None:
        ctx.warn(MISSING_ANNOTATION.format(ref=f"{t.resource_ref}/{name}"), plain=True)
    original = json.loads(original_text) if original_text else None
    patch = three_way_patch(original, new, current)
    if not patch:
        return "unchanged"
    if dry != "client":
        try:
            ctx.api.patch(t.resource_ref, ns, name, patch, "strategic",
                                    dry_run=dry == "server", field_validation=validation)
        except Exception as e:
            e.patch = patch  # type: ignore[attr-defined]
            raise
    return "configured"


def _apply_error(e: Exception, creating: bool, source: str, t, obj: dict,
                 patch: dict | None = None) -> str:
    """AddSourceToErr as apply uses it; Invalid errors print from their details instead."""
    text = api_text(e)
    prefix = "Error from server ("
    if not text.startswith(prefix):
        return text
    reason, _, rest = text[len(prefix):].partition("): ")
    if creating:
        return f'{prefix}{reason}): error when creating "{source}": {rest}'
    md = obj.get("metadata") or {}
    info = (f'Resource: "{t.group}/{t.version}, Resource={t.resource}", GroupVersionKind: '
            f'"{t.group}/{t.version}, Kind={t.kind}"\nName: "{md.get("name", "")}", '
            f'Namespace: "{md.get("namespace", "")}"')
    # the patcher adds its own source first (AddSourceToErr("patching", …)), then apply
    return (f"{prefix}{reason}): error when applying patch:\n{dumps(patch or {})}\nto:\n"
            f'{info}\nfor: "{source}": error when patching "{source}": {rest}')
