"""``kubectl delete``: by name, file, selector or ``--all``; waits for the objects to go."""

from __future__ import annotations

from sim.kubectl import resolve
from sim.kubectl.command import Ctx
from sim.kubectl.errors import (Collected, api_text, builder_errors, fail, is_api_error, report,
                                with_source)
from sim.kubectl.flags import BOOL, INT, SLICE, f
from sim.kubectl.targets import NO_RESOURCES
from sim.kubectl.writes import dry_run_mode, dry_run_suffix, reconcile

FLAGS = (
    f("filename", "f", SLICE), f("recursive", "R", BOOL), f("kustomize", "k"),
    f("selector", "l"), f("field-selector"), f("all", kind=BOOL),
    f("all-namespaces", "A", BOOL), f("ignore-not-found", kind=BOOL), f("now", kind=BOOL),
    f("force", kind=BOOL), f("grace-period", kind=INT, default=-1), f("timeout", default="0s"),
    f("wait", kind=BOOL, default=True), f("cascade", default="background", no_value="background"),
    f("output", "o"), f("dry-run", default="none", no_value="unchanged"), f("raw"),
    f("interactive", "i", BOOL), f("chunk-size", kind=INT, default=500),
)

# How long (virtual seconds) ``--wait`` lets the cluster work before giving up.
WAIT_LIMIT = 120


def _propagation(value: str) -> str:
    mapping = {"background": "Background", "true": "Background", "foreground": "Foreground",
               "orphan": "Orphan", "false": "Orphan"}
    if value not in mapping:
        raise fail(f'invalid cascade value ({value}). Must be "background", "foreground", '
                   f'or "orphan".')
    return mapping[value]


def run(ctx: Ctx) -> int:
    o = ctx.opts
    if o["now"]:
        if o["grace-period"] != -1:
            raise fail("--now and --grace-period cannot be specified together")
    if o["output"] and o["output"] != "name":
        raise fail(f"unexpected -o output mode: {o['output']}. We only support '-o name'")
    if o["all"] and o["selector"]:
        raise fail("cannot set --all and --selector at the same time")
    if o["force"] and o["grace-period"] > 0:
        raise fail("--force and --grace-period greater than 0 cannot be specified together")
    grace = o["grace-period"]
    if o["now"]:
        grace = 1
    if grace == 0 and not o["force"]:
        grace = 1
    if o["force"] and grace < 0:
        grace = 0
    if grace == 0 and o["force"]:
        ctx.warn("Immediate deletion does not wait for confirmation that the running resource "
                 "has been terminated. The resource may continue to run on the cluster "
                 "indefinitely.")
    ignore_nf = o["ignore-not-found"] or (
        not o.changed("ignore-not-found") and (o["all"] or o["selector"] or o["field-selector"]))
    dry = dry_run_mode(o["dry-run"])
    propagation = _propagation(o["cascade"])
    if not ctx.args and not o["filename"]:
        raise fail(NO_RESOURCES)
    api = ctx.api
    errors: list[str] = []
    deleted: list[tuple] = []
    with ctx.locked():
        if o["filename"]:
            from sim.kubectl.manifests import selection_from_files
            sel = selection_from_files(ctx, o["filename"], o["recursive"])
        else:
            sel = resolve.select(ctx.cluster, ctx.args, ctx.path)
        if sel.named and o["selector"]:
            raise fail("name cannot be provided when a selector is specified")
        if not o["filename"] and not sel.named and not o["all"] and not o["selector"] \
                and not o["field-selector"]:
            raise fail("resource(s) were provided, but no name was specified")
        ns = None if o["all-namespaces"] else ctx.namespace
        targets: list[tuple] = []
        sources: dict[int, str] = {}
        for i, (t, name) in enumerate(sel.items):
            t_ns = ns if t.namespaced else None
            if sel.namespaces and t.namespaced:
                t_ns = sel.namespaces[i]
            if name is not None:
                if sel.sources:
                    sources[len(targets)] = sel.sources[i]
                targets.append((t, t_ns if t_ns is not None or not t.namespaced
                                else ctx.namespace, name))
                continue
            ctx.touch(t)
            for obj in api.list(t.resource_ref, t_ns, label_selector=o["selector"] or None,
                                  field_selector=o["field-selector"] or None):
                targets.append((t, obj["metadata"].get("namespace"), obj["metadata"]["name"]))
        found = 0
        warned_scope = False
        for index, (t, t_ns, name) in enumerate(targets):
            if ctx.explicit_namespace and not t.namespaced and not warned_scope \
                    and not o["all-namespaces"]:
                ctx.warn("deleting cluster-scoped resources, not scoped to the provided "
                         "namespace")
                warned_scope = True
            ctx.touch(t)
            try:
                if dry == "client":
                    api.get(t.resource_ref, t_ns, name)
                else:
                    api.delete(t.resource_ref, t_ns, name, propagation=propagation,
                                 dry_run=dry == "server", grace_period=grace if grace >= 0 else None)
            except Exception as e:
                if not is_api_error(e):
                    raise
                if ignore_nf and getattr(e, "reason", "") == "NotFound":
                    continue
                errors.append(with_source(api_text(e), "deleting", sources.get(index)))
                continue
            found += 1
            deleted.append((t, t_ns, name))
            ctx.out(_message(t, t_ns, name, grace, dry, o["output"]))
        if dry == "none":
            reconcile(ctx)
    collected = [Collected(e) for e in errors]
    if sel.errors:                  # the builder's aggregate, after the objects' errors
        collected.append(builder_errors(sel.errors))
    if found == 0 and not collected:
        ctx.out("No resources found\n")
        return 0
    if o["wait"] and dry == "none" and deleted:
        wait_gone(ctx, deleted)
    if collected:
        ctx.err(report(collected))
        return 1
    return 0


def _message(t, ns, name: str, grace: int, dry: str, out: str) -> str:
    if out == "name":
        return f"{t.kind_ref}/{name}\n"
    operation = "force deleted" if grace == 0 else "deleted"
    if t.namespaced:
        operation = f"{operation} from {ns} namespace"
    return f'{t.kind_ref} "{name}" {operation}{dry_run_suffix(dry)}\n'


def wait_gone(ctx: Ctx, deleted: list[tuple]) -> None:
    """``--wait``: the objects' finalisation happens before kubectl returns."""
    cluster = ctx.cluster

    def gone() -> bool:
        return all(ctx.api.find(d[0].resource_ref, d[1], d[2]) is None for d in deleted)

    wait_until = getattr(cluster, "wait_until", None)
    with ctx.locked():
        if callable(wait_until):
            wait_until(gone, timeout=WAIT_LIMIT)
            return
        for _ in range(WAIT_LIMIT):
            if gone():
                return
            cluster.clock.advance(1)
            reconcile(ctx)
