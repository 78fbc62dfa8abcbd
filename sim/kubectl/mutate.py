"""``kubectl label``, ``annotate``, ``scale`` and ``patch``: change objects in place."""

from __future__ import annotations

import copy

import yaml

from sim.kubectl import output
from sim.kubectl.command import Ctx
from sim.kubectl.errors import KubectlError, api_text, fail, is_api_error
from sim.kubectl.flags import BOOL, INT, SLICE, f
from sim.kubectl.gojson import dumps
from sim.kubectl.targets import find_targets
from sim.kubectl.writes import dry_run_mode, dry_run_suffix, reconcile

PRINT = (f("output", "o"), f("template"), f("allow-missing-template-keys", kind=BOOL, default=True),
         f("show-managed-fields", kind=BOOL))
SELECT = (f("selector", "l"), f("all", kind=BOOL), f("filename", "f", SLICE),
          f("recursive", "R", BOOL), f("kustomize", "k"), f("field-selector"),
          f("all-namespaces", "A", BOOL))

LABEL_FLAGS = PRINT + SELECT + (
    f("overwrite", kind=BOOL), f("list", kind=BOOL), f("local", kind=BOOL),
    f("resource-version"), f("dry-run", default="none", no_value="unchanged"),
    f("field-manager", default="kubectl-label"))
ANNOTATE_FLAGS = PRINT + SELECT + (
    f("overwrite", kind=BOOL), f("list", kind=BOOL), f("local", kind=BOOL),
    f("resource-version"), f("dry-run", default="none", no_value="unchanged"),
    f("field-manager", default="kubectl-annotate"))
SCALE_FLAGS = PRINT + (
    f("selector", "l"), f("all", kind=BOOL), f("filename", "f", SLICE), f("recursive", "R", BOOL),
    f("kustomize", "k"), f("replicas", kind=INT, default=-1),
    f("current-replicas", kind=INT, default=-1), f("resource-version"), f("timeout", default="0s"),
    f("dry-run", default="none", no_value="unchanged"))
PATCH_FLAGS = PRINT + (
    f("filename", "f", SLICE), f("recursive", "R", BOOL), f("kustomize", "k"),
    f("patch", "p"), f("patch-file"), f("type", default="strategic"), f("local", kind=BOOL),
    f("subresource"), f("dry-run", default="none", no_value="unchanged"),
    f("field-manager", default="kubectl-patch"))

SCALABLE = {"deployments", "replicasets", "statefulsets", "replicationcontrollers"}


def split_pairs(args: list[str], pair_type: str) -> tuple[list[str], list[str]]:
    """cmdutil.GetResourcesAndPairs: resources first, then ``k=v`` / ``k-`` changes."""
    resources, pairs = [], []
    found = False
    for s in args:
        change = ("=" in s and not s.startswith("=")) or (s.endswith("-") and s != "-")
        if change:
            found = True
            pairs.append(s)
        elif found:
            raise fail(f"all resources must be specified before {pair_type} changes: {s}")
        else:
            resources.append(s)
    return resources, pairs


def _print_result(ctx: Ctx, t, obj: dict, message: str, dry: str) -> None:
    out = output.parse(ctx.opts["output"], tables=False)
    if out.kind:
        output.print_object(ctx, out, obj)
    else:
        ctx.out(f"{t.kind_ref}/{obj['metadata']['name']} {message}{dry_run_suffix(dry)}\n")


def _finish(ctx: Ctx, errors: list[str]) -> int:
    if errors:
        ctx.err("".join(e + "\n" for e in errors))
        return 1
    return 0


# -- label / annotate -----------------------------------------------------------------

def _parse_labels(pairs: list[str]) -> tuple[dict, list[str]]:
    new, remove = {}, []
    for spec in pairs:
        if "=" in spec:
            parts = spec.split("=")
            if len(parts) != 2:
                raise fail(f"invalid label spec: {spec}")
            new[parts[0]] = parts[1]
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise fail(f"unknown label spec: {spec}")
    if any(r in new for r in remove):
        raise fail("can not both modify and remove a label in the same command")
    return new, remove


def _parse_annotations(pairs: list[str]) -> tuple[dict, list[str]]:
    new, remove, invalid = {}, [], []
    for spec in pairs:
        if "=" in spec and not spec.startswith("="):
            k, _, v = spec.partition("=")
            new[k] = v
        elif spec.endswith("-") and spec != "-":
            remove.append(spec[:-1])
        else:
            invalid.append(spec)
    if invalid:
        raise fail(f"invalid annotation format: {', '.join(invalid)}")
    both = [r for r in remove if r in new]
    if both:
        raise fail("can not both modify and remove the following annotation(s) in the same "
                   f"command: {', '.join(both)}")
    return new, remove


def _label_message(obj: dict, field: str, updated: dict, overwrite: bool) -> str:
    """v1.35's updateDataChangeMsg: compares the object's JSON before and after."""
    after = copy.deepcopy(obj)
    after["metadata"][field] = updated
    before_text, after_text = dumps(obj), dumps(after)
    if before_text == after_text:
        return "not labeled"
    if not overwrite and len(after_text) < len(before_text):
        return "unlabeled"
    return "labeled"


def run_label(ctx: Ctx) -> int:
    return _run_meta(ctx, "labels", "label")


def run_annotate(ctx: Ctx) -> int:
    return _run_meta(ctx, "annotations", "annotation")


def _run_meta(ctx: Ctx, field: str, pair_type: str) -> int:
    o = ctx.opts
    resources, pairs = split_pairs(ctx.args, pair_type)
    if not resources and not o["filename"]:
        raise fail("one or more resources must be specified as <resource> <name> or "
                   "<resource>/<name>")
    if not pairs and not o["list"]:
        raise fail(f"at least one {pair_type} update is required")
    if field == "labels":
        new, remove = _parse_labels(pairs)
    else:
        new, remove = _parse_annotations(pairs)
    dry = dry_run_mode(o["dry-run"])
    api = ctx.api
    errors: list[str] = []
    with ctx.locked():
        got = find_targets(ctx, resources, selector=o["selector"], select_all=o["all"],
                           files=o["filename"], recursive=o["recursive"],
                           all_namespaces=o["all-namespaces"])
        errors.extend(got.errors)
        for t, obj in got.pairs():
            current = dict(obj["metadata"].get(field) or {})
            if not o["overwrite"]:
                clash = [(k, current[k]) for k in new if k in current and current[k] != new[k]]
                if clash:
                    if field == "labels":
                        errors.extend(f"error: '{k}' already has a value ({v}), and --overwrite "
                                      f"is false" for k, v in clash)
                    else:
                        errors.append("error: --overwrite is false but found the following "
                                      "declared annotation(s): " + "; ".join(
                                          f"'{k}' already has a value ({v})" for k, v in clash))
                    continue
            if field == "labels" and dry == "none":
                for r in remove:
                    if r not in current:
                        ctx.out(f'label "{r}" not found.\n')
            added = [k for k, v in new.items() if current.get(k) != v]
            removed = [r for r in remove if r in current]
            updated = dict(current)
            updated.update(new)
            for r in remove:
                updated.pop(r, None)
            result = obj
            if (added or removed) and dry != "client":
                patch = {"metadata": {field: {**{k: new[k] for k in added},
                                              **{r: None for r in removed}}}}
                try:
                    result = api.patch(t.resource_ref, obj["metadata"].get("namespace"),
                                         obj["metadata"]["name"], patch, "merge",
                                         dry_run=dry == "server")
                except Exception as e:
                    if not is_api_error(e):
                        raise
                    errors.append(api_text(e))
                    continue
                if dry == "none":
                    reconcile(ctx)
            if field == "labels":
                message = _label_message(obj, field, updated, o["overwrite"])
            else:
                message = "annotated"
            _print_result(ctx, t, result, message, dry)
    return _finish(ctx, errors)


# -- scale --------------------------------------------------------------------------------

def run_scale(ctx: Ctx) -> int:
    o = ctx.opts
    if o["replicas"] < 0:
        raise fail("The --replicas=COUNT flag is required, and COUNT must be greater than or "
                   "equal to 0")
    dry = dry_run_mode(o["dry-run"])
    api = ctx.api
    with ctx.locked():
        got = find_targets(ctx, ctx.args, selector=o["selector"], select_all=o["all"],
                           files=o["filename"], recursive=o["recursive"])
        pairs = got.pairs()
        if not pairs:
            if got.errors:
                raise KubectlError("\n".join(got.errors))
            raise fail("no objects passed to scale")
        for t, obj in pairs:
            if t.resource not in SCALABLE:
                # No scale subresource: the API server answers 404.
                raise KubectlError("Error from server (NotFound): the server could not find "
                                   "the requested resource")
            current = obj.get("spec", {}).get("replicas")
            if o["current-replicas"] != -1 and current != o["current-replicas"]:
                raise fail(f"Expected replicas to be {o['current-replicas']}, was {current}")
            result = copy.deepcopy(obj)
            result.setdefault("spec", {})["replicas"] = o["replicas"]
            if dry != "client":
                result = api.patch(t.resource_ref, obj["metadata"].get("namespace"),
                                     obj["metadata"]["name"],
                                     {"spec": {"replicas": o["replicas"]}}, "merge",
                                     dry_run=dry == "server")
                if dry == "none":
                    reconcile(ctx)
            _print_result(ctx, t, result, "scaled", dry)
    return _finish(ctx, got.errors)


# -- patch --------------------------------------------------------------------------------

PATCH_TYPES = ("json", "merge", "strategic")


def run_patch(ctx: Ctx) -> int:
    o = ctx.opts
    if o["patch"] and o["patch-file"]:
        raise fail("cannot specify --patch and --patch-file together")
    if not o["patch"] and not o["patch-file"]:
        raise fail("must specify --patch or --patch-file containing the contents of the patch")
    if o["type"] not in PATCH_TYPES:
        raise fail(f'--type must be one of [{" ".join(PATCH_TYPES)}], not "{o["type"]}"')
    text = o["patch"]
    if o["patch-file"]:
        from sim.kubectl import localfs
        path = o["patch-file"]
        try:
            text = localfs.read(ctx.io, path).decode("utf-8")
        except OSError:
            raise fail(f"unable to read patch file: open {path}: no such file or directory") \
                from None
    try:
        patch = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise fail(f'unable to parse "{text}": yaml: {getattr(e, "problem", e)}') from None
    dry = dry_run_mode(o["dry-run"])
    api = ctx.api
    errors: list[str] = []
    with ctx.locked():
        got = find_targets(ctx, ctx.args, files=o["filename"], recursive=o["recursive"])
        errors.extend(got.errors)
        pairs = got.pairs()
        for t, obj in pairs:
            try:
                result = api.patch(t.resource_ref, obj["metadata"].get("namespace"),
                                     obj["metadata"]["name"], patch, o["type"],
                                     dry_run=dry != "none")
            except Exception as e:
                if not is_api_error(e):
                    raise
                errors.append(api_text(e))
                continue
            changed = result != obj
            if dry == "none":
                reconcile(ctx)
            _print_result(ctx, t, result, "patched" if changed else "patched (no change)", dry)
        if not pairs and not errors:
            raise fail("no objects passed to patch")
    return _finish(ctx, errors)
