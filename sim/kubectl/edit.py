"""``kubectl edit``: the object as YAML in the caller's editor, the changes sent as a patch;
an invalid change re-opens the editor with the server's reasons in the header."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from sim import printers as p
from sim.kubectl import resolve
from sim.kubectl.command import Ctx
from sim.kubectl.errors import KubectlError, api_text, fail, is_api_error
from sim.kubectl.fetch import fetch
from sim.kubectl.flags import BOOL, SLICE, f
from sim.kubectl.writes import reconcile

FLAGS = (
    f("output", "o"), f("filename", "f", SLICE), f("recursive", "R", BOOL), f("kustomize", "k"),
    f("output-patch", kind=BOOL), f("windows-line-endings", kind=BOOL),
    f("save-config", kind=BOOL), f("validate", default="strict", no_value="strict"),
    f("field-manager", default="kubectl-edit"), f("subresource"),
    f("show-managed-fields", kind=BOOL), f("template"),
    f("allow-missing-template-keys", kind=BOOL, default=True), f("record", kind=BOOL),
)

HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
          "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
          "# reopened with the relevant failures.\n"
          "#\n")


def strip_comments(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.lstrip().startswith("#"))


def merge_diff(original: Any, edited: Any) -> Any:
    """An RFC 7386 merge patch from ``original`` to ``edited`` (None: no difference)."""
    if isinstance(original, dict) and isinstance(edited, dict):
        out = {}
        for k in original:
            if k not in edited:
                out[k] = None
        for k, v in edited.items():
            if k not in original:
                out[k] = v
            else:
                sub = merge_diff(original[k], v)
                if sub is not None:
                    out[k] = sub
        return out or None
    if original == edited and type(original) is type(edited):
        return None
    return edited


def _without_managed(obj: dict) -> dict:
    obj = copy.deepcopy(obj)
    obj.get("metadata", {}).pop("managedFields", None)
    return obj


def _hash_lines(text: str) -> str:
    return text.replace("\n", "\n# ")


def run(ctx: Ctx) -> int:
    o = ctx.opts
    if not ctx.args and not o["filename"]:
        raise fail("You must provide one or more resources by argument or filename.\n"
                   "Example resource specifications include:\n"
                   "   '-f rsrc.yaml'\n"
                   "   '--filename=rsrc.json'\n"
                   "   '<resource> <name>'\n"
                   "   '<resource>'")
    with ctx.locked():
        sel = resolve.select(ctx.cluster, ctx.args, ctx.path)
        got = fetch(ctx.api, sel, ctx.namespace)
        for message in got.warnings:
            ctx.warn(message)
        if got.errors:
            raise KubectlError("\n".join(got.errors))
        pairs = [(t, _without_managed(obj)) for t, obj in got.pairs()]
    if not pairs:
        raise fail("edit cancelled, no objects found")
    if len(pairs) == 1:
        original_obj: Any = pairs[0][1]
    else:
        original_obj = {"apiVersion": "v1", "items": [obj for _, obj in pairs], "kind": "List",
                        "metadata": {}}
    original = p.to_yaml(original_obj)
    reasons: list[tuple[str, list[str]]] = []
    body = original
    previous: str | None = None
    for _ in range(20):
        header = HEADER
        for head, other in reasons:
            header += f"# {_hash_lines(head)}{':' if other else ''}\n"
            header += "".join(f"# * {_hash_lines(x)}\n" for x in other)
            header += "#\n"
        edited = ctx.io.edit(header + body, ".yaml")
        if edited is None:
            raise fail("Edit cancelled, no changes made.")
        if previous is not None and strip_comments(previous) == strip_comments(edited):
            ctx.err(f'A copy of your changes has been stored to "{_copy_path(ctx)}"\n')
            raise fail("Edit cancelled, no valid changes were saved.")
        if strip_comments(original) == strip_comments(edited):
            ctx.err("Edit cancelled, no changes made.\n")
            return 0
        if not strip_comments(edited).strip():
            ctx.err("Edit cancelled, saved file was empty.\n")
            return 0
        try:
            doc = yaml.safe_load(strip_comments(edited))
        except yaml.YAMLError as e:
            reasons = [(f"The edited file had a syntax error: error converting YAML to JSON: "
                        f"yaml: {getattr(e, 'problem', e)}", [])]
            previous, body = edited, strip_comments(edited)
            continue
        items = doc.get("items", []) if isinstance(doc, dict) and doc.get("kind") == "List" \
            else [doc]
        reasons = []
        invalid = False
        for (t, before), after in zip(pairs, items):
            if not isinstance(after, dict):
                continue
            if (after.get("apiVersion"), after.get("kind"),
                    (after.get("metadata") or {}).get("name")) != (
                    before.get("apiVersion"), before.get("kind"), before["metadata"]["name"]):
                ctx.err(f'A copy of your changes has been stored to "{_copy_path(ctx)}"\n')
                raise fail("At least one of apiVersion, kind and name was changed")
            patch = merge_diff(before, after)
            name = before["metadata"]["name"]
            if patch is None:
                ctx.out(f"{t.kind_ref}/{name} skipped\n")
                continue
            with ctx.locked():
                try:
                    ctx.api.patch(t.resource_ref, before["metadata"].get("namespace"),
                                            name, patch, "merge")
                except Exception as e:
                    if not is_api_error(e):
                        raise
                    if getattr(e, "reason", "") == "Invalid":
                        causes = (getattr(e, "details", None) or {}).get("causes") or []
                        reasons.append((f'{t.resource_ref} "{name}" was not valid',
                                        [f"{c.get('field', '')}: {c.get('message', '')}"
                                         for c in causes]))
                        ctx.err(f'error: {t.resource_ref} "{name}" is invalid\n')
                        invalid = True
                        continue
                    if getattr(e, "reason", "") == "NotFound":
                        ctx.err(f'error: {t.resource_ref} "{name}" could not be found on the '
                                f"server\n")
                        ctx.err(f'The edits you made on deleted resources have been saved to '
                                f'"{_copy_path(ctx)}"\n')
                        return 1
                    ctx.err(f'error: {t.resource_ref} "{name}" could not be patched: '
                            f"{api_text(e)}\n")
                    ctx.err(f"You can run `kubectl replace -f {_copy_path(ctx)}` to try this "
                            f"update again.\n")
                    return 1
                reconcile(ctx)
            ctx.out(f"{t.kind_ref}/{name} edited\n")
        if not invalid:
            return 0
        previous, body = edited, strip_comments(edited)
    raise fail("Edit cancelled, no valid changes were saved.")


def _copy_path(ctx: Ctx) -> str:
    digits = "".join(str(ctx.cluster.rng.randrange(10)) for _ in range(10))
    return f"/tmp/kubectl-edit-{digits}.yaml"
