"""``kubectl cordon``, ``uncordon`` and ``taint``: a node's schedulability and taints."""

from __future__ import annotations

import re

from sim.api.objects import clone
from sim.kubectl import resolve
from sim.kubectl.errors import KubectlError, fail, usage
from sim.kubectl.flags import BOOL, f
from sim.kubectl.writes import named_object, reconcile

CORDON_FLAGS = (f("selector", "l"), f("dry-run", default="none"))
TAINT_FLAGS = (f("selector", "l"), f("all", kind=BOOL), f("overwrite", kind=BOOL),
               f("dry-run", default="none"), f("output", "o"),
               f("field-manager", default="kubectl-taint"))
_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_TAINT = re.compile(r"^([^=:]+)(?:=([^:]*))?(?::(.*))?$")


def _nodes(ctx, names: list[str]) -> tuple[list[dict], list[str]]:
    errors: list[str] = []
    if ctx.opts["selector"]:
        return ctx.api.list("nodes", None, label_selector=ctx.opts["selector"]), errors
    t = resolve.resolve_type(ctx.cluster, "nodes")
    found = [named_object(ctx, t, name, errors) for name in names]
    return [n for n in found if n is not None], errors


def _write_spec(ctx, node: dict, field: str, value, verb: str) -> None:
    """The node with ``spec[field]`` set (None: left out), written, and the line printed."""
    new = clone(node)
    spec = new.setdefault("spec", {})
    if value is None:
        spec.pop(field, None)
    else:
        spec[field] = value
    ctx.api.update(new)
    ctx.out(f"node/{node['metadata']['name']} {verb}\n")


def _schedulable(ctx, unschedulable: bool) -> int:
    verb = "cordoned" if unschedulable else "uncordoned"
    if not ctx.args and not ctx.opts["selector"]:
        raise fail("resource(s) were provided, but no name was specified")
    with ctx.locked():
        nodes, errors = _nodes(ctx, [a.split("/", 1)[-1] for a in ctx.args])
        for node in nodes:
            name = node["metadata"]["name"]
            if bool((node.get("spec") or {}).get("unschedulable")) == unschedulable:
                ctx.out(f"node/{name} already {verb}\n")
                continue
            _write_spec(ctx, node, "unschedulable", unschedulable or None, verb)
        reconcile(ctx)
    if errors:
        raise KubectlError("\n".join(errors))
    return 0


def run_cordon(ctx) -> int:
    return _schedulable(ctx, True)


def run_uncordon(ctx) -> int:
    return _schedulable(ctx, False)


def _parse_taints(specs: list[str], path: str) -> tuple[list[dict], list[dict]]:
    add, remove = [], []
    for spec in specs:
        if spec.endswith("-"):              # KEY[:EFFECT]- removes
            key, _, effect = spec[:-1].partition(":")
            if effect and effect not in _EFFECTS:
                raise fail(f"invalid taint effect: {effect}, unsupported taint effect")
            remove.append({"key": key, **({"effect": effect} if effect else {})})
            continue
        m = _TAINT.match(spec)
        if not m:
            raise fail(f"unknown taint spec: {spec}")
        key, value, effect = m.groups()
        if not effect:
            raise fail(f"invalid taint spec: {spec}, unknown taint spec: {spec}")
        if effect not in _EFFECTS:
            raise usage(path, f"invalid taint effect: {effect}, unsupported taint effect")
        add.append({"key": key, **({"value": value} if value else {}), "effect": effect})
    return add, remove


def _matches(a: dict, b: dict) -> bool:
    return a.get("key") == b.get("key") and a.get("effect") == b.get("effect")


def _reorganize(old: list[dict], add: list[dict], remove: list[dict],
                overwrite: bool) -> tuple[str, list[dict], list[str]]:
    """kubectl's reorganizeTaints: the new taints first, then the old ones they do not
    replace; removals by key and effect (or key alone); the verb it prints."""
    taints = [dict(t) for t in add]
    taints += [t for t in old if not any(_matches(t, n) for n in add)]
    added = len(old) != len(taints)
    problems, deleted = [], False
    for gone in remove:
        left = [t for t in taints if not (_matches(t, gone) if gone.get("effect")
                                          else t.get("key") == gone["key"])]
        deleted = len(left) != len(taints)
        if not deleted:
            shown = gone["key"] + (":" + gone["effect"] if gone.get("effect") else "")
            problems.append(f'taint "{shown}" not found')
        taints = left
    if (added and deleted) or overwrite:
        return "modified", taints, problems
    return ("tainted" if added else "untainted"), taints, problems


def run_taint(ctx) -> int:
    args = list(ctx.args)
    if args and args[0] in ("nodes", "node", "no"):
        args = args[1:]
    names = [a for a in args if "=" not in a and ":" not in a and not a.endswith("-")]
    specs = [a for a in args if a not in names]
    if not specs:
        raise fail("at least one taint update is required")
    add, remove = _parse_taints(specs, ctx.path)
    with ctx.locked():
        if ctx.opts["all"]:
            nodes, errors = ctx.api.list("nodes"), []
        else:
            nodes, errors = _nodes(ctx, [n.split("/", 1)[-1] for n in names])
        for node in nodes:
            name = node["metadata"]["name"]
            old = [dict(t) for t in (node.get("spec") or {}).get("taints") or []]
            if not ctx.opts["overwrite"]:
                exists = [a["key"] for a in add for t in old
                          if a["key"] == t.get("key") and a["effect"] == t.get("effect")]
                if exists:
                    raise fail(f"node {name} already has {','.join(exists)} taint(s) with same "
                               f"effect(s) and --overwrite is false")
            verb, taints, problems = _reorganize(old, add, remove, ctx.opts["overwrite"])
            if problems:
                raise KubectlError("\n".join(f"error: {p}" for p in problems))
            _write_spec(ctx, node, "taints", taints or None, verb)
        reconcile(ctx)
    if errors:
        raise KubectlError("\n".join(errors))
    return 0


