"""``kubectl describe``: the printers' layouts for each object the arguments name."""

from __future__ import annotations

import inspect

from sim.kubectl import resolve
from sim import printers as p
from sim.kubectl.command import Ctx
from sim.kubectl.errors import KubectlError, fail, multiple_errors
from sim.kubectl.fetch import fetch
from sim.kubectl.flags import BOOL, INT, SLICE, f

FLAGS = (
    f("selector", "l"), f("all-namespaces", "A", BOOL), f("filename", "f", SLICE),
    f("recursive", "R", BOOL), f("kustomize", "k"), f("show-events", kind=BOOL, default=True),
    f("chunk-size", kind=INT, default=500),
)

NO_TYPE = ('You must specify the type of resource to describe. Use "kubectl api-resources" '
           'for a complete list of supported resources.')


def lookup_for(api):
    def lookup(resource: str, namespace: str | None, label_selector=None, field_selector=None):
        return api.list(resource, namespace, label_selector=label_selector,
                                  field_selector=field_selector)
    return lookup


def describe_one(ctx: Ctx, t: resolve.ResourceType, obj: dict, show_events: bool) -> str:
    kwargs = {"now": ctx.now(), "lookup": lookup_for(ctx.api)}
    if "show_events" in inspect.signature(p.describe).parameters:
        kwargs["show_events"] = show_events
    return p.describe(t.resource, obj, **kwargs)


def run(ctx: Ctx) -> int:
    o = ctx.opts
    args = ctx.args
    if not args and not o["filename"]:
        raise fail(NO_TYPE)
    all_ns = o["all-namespaces"]
    with ctx.locked():
        if o["filename"]:
            from sim.kubectl.manifests import selection_from_files
            sel = selection_from_files(ctx, o["filename"], o["recursive"], aggregate=True)
        else:
            sel = resolve.select(ctx.cluster, args, ctx.path)
        if sel.named and o["selector"]:
            raise fail("name cannot be provided when a selector is specified")
        ns = None if all_ns else ctx.namespace
        got = fetch(ctx.api, sel, ns, label_selector=o["selector"])
        pairs = got.pairs()
        # v1.35 shows events for every object (hiding them for several is v1.36).
        show_events = o["show-events"]
        if got.errors and len(args) == 2 and "/" not in args[0] and "(NotFound)" in got.errors[0]:
            return _describe_matching(ctx, args[0], args[1], ns, got.errors[0], show_events)
        texts = [describe_one(ctx, t, obj, show_events) for t, obj in pairs]
    for w in got.warnings:
        ctx.warn(w)
    ctx.out("\n\n".join(texts))
    if not pairs and not got.errors:
        if all_ns:
            ctx.err("No resources found\n")
        else:
            ctx.err(f"No resources found in {ctx.namespace} namespace.\n")
    if got.errors:
        ctx.err(multiple_errors(_describe_errors(got.errors, sel.errors)))
        return 1
    return 0


def _describe_errors(errors: list[str], mapping: list[str]) -> list[str]:
    """describe returns the builder's errors (one aggregate: ``[a, b]`` when others follow)
    and then each describer error once (it skips a message it has already returned)."""
    unmapped = set(mapping)
    others: list[str] = []
    for e in errors:
        if e not in unmapped and e not in others:
            others.append(e)
    bare = [t.removeprefix("error: ") for t in mapping]
    if bare and others and len(bare) > 1:
        bare = ["[" + ", ".join(bare) + "]"]
    return bare + others


def _describe_matching(ctx: Ctx, type_arg: str, prefix: str, ns: str | None, original: str,
                       show_events: bool) -> int:
    """kubectl describes every object whose name starts with an unknown name."""
    types = resolve.expand_types(ctx.cluster, type_arg)
    if len(types) != 1:
        raise KubectlError(original)
    t = types[0]
    objs = ctx.api.list(t.resource_ref, ns if t.namespaced else None)
    matched = [o for o in objs if o["metadata"]["name"].startswith(prefix)]
    if not matched:
        raise KubectlError(original)
    ctx.out("".join(describe_one(ctx, t, o, show_events) + "\n" for o in matched))
    return 0
