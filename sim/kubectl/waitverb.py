"""``kubectl wait --for=…``: conditions, JSONPath values, creation and deletion, watched in
virtual time."""

from __future__ import annotations

from typing import Any, Callable

from sim import printers as p
from sim.kubectl import resolve
from sim.kubectl.command import Ctx
from sim.kubectl.durations import parse_duration
from sim.kubectl.errors import KubectlError, fail
from sim.kubectl.flags import BOOL, SLICE, f

FLAGS = (
    f("for"), f("timeout", default="30s"), f("selector", "l"), f("field-selector"),
    f("all", kind=BOOL), f("all-namespaces", "A", BOOL), f("filename", "f", SLICE),
    f("recursive", "R", BOOL), f("kustomize", "k"), f("local", kind=BOOL), f("output", "o"),
    f("template"), f("allow-missing-template-keys", kind=BOOL, default=True),
    f("show-managed-fields", kind=BOOL),
)
NO_MATCH = "no matching resources found"
TIMED_OUT = "timed out waiting for the condition"


def _split_jsonpath(text: str) -> list[str]:
    """Split on single ``=`` (``==`` stays), as kubectl's splitJSONPathInput does."""
    out, cur, i = [], "", 0
    while i < len(text):
        if text[i] == "=":
            if i + 1 < len(text) and text[i + 1] == "=":
                cur += "=="
                i += 2
                continue
            out.append(cur)
            cur = ""
        else:
            cur += text[i]
        i += 1
    return out + [cur]


def _relaxed(expr: str) -> str:
    body = expr.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    if not body.startswith("."):
        body = "." + body
    return "{" + body + "}"


def condition_for(spec: str) -> tuple[str, Callable[[dict | None], bool]]:
    lowered = spec.lower()
    if lowered in ("delete", "create"):
        return lowered, (lambda obj: obj is None) if lowered == "delete" else \
            (lambda obj: obj is not None)
    if spec.startswith("condition="):
        name, _, value = spec[len("condition="):].partition("=")
        value = value or "true"

        def met(obj: dict | None) -> bool:
            for c in ((obj or {}).get("status") or {}).get("conditions") or []:
                if str(c.get("type", "")).lower() == name.lower():
                    return str(c.get("status", "")).lower() == value.lower()
            return False
        return "condition", met
    if spec.startswith("jsonpath="):
        parts = _split_jsonpath(spec[len("jsonpath="):])
        if not 1 <= len(parts) <= 2:
            raise fail("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 "
                       "or --for=jsonpath='{.status.readyReplicas}'")
        if not parts[0]:
            raise fail("jsonpath expression cannot be empty")
        template = _relaxed(parts[0])
        try:
            p.check_jsonpath(template)
        except p.JSONPathError as e:
            raise fail(str(e)) from None
        wanted = parts[1].strip("'\"") if len(parts) == 2 else None
        if wanted == "":
            raise fail("jsonpath wait has to have a value after equal sign, like "
                       "--for=jsonpath='{.status.readyReplicas}'=3")

        def met_path(obj: dict | None) -> bool:
            if obj is None:
                return False
            found = _lookup(template, obj)
            if found is None:
                return False
            if wanted is None:
                return True
            if isinstance(found, (dict, list)):
                raise fail("jsonpath leads to a nested object or list which is not supported")
            text = ("true" if found else "false") if isinstance(found, bool) else str(found)
            return text.strip() == wanted.strip()
        return "jsonpath", met_path
    raise fail(f'unrecognized condition: "{spec}"')


def _lookup(template: str, obj: dict) -> Any:
    """The single value a simple ``{.a.b[0].c}`` path reaches, None when absent or empty."""
    value: Any = obj
    for part in template[2:-1].replace("]", "").replace("[", ".").split("."):
        if part == "":
            continue
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
        if value is None:
            return None
    if value in ({}, []):
        return None
    return value


def run(ctx: Ctx) -> int:
    o = ctx.opts
    if not o["for"]:
        raise fail("--for must be set")
    kind, met = condition_for(o["for"])
    timeout = parse_duration(o["timeout"])
    if timeout < 0:
        timeout = 7 * 24 * 3600.0
    api = ctx.api
    with ctx.locked():
        sel = resolve.select(ctx.cluster, ctx.args, ctx.path)
        targets: list[tuple[resolve.ResourceType, str | None, str]] = []
        ns_all = o["all-namespaces"]
        for t, name in sel.items:
            ns = None if (ns_all or not t.namespaced) else ctx.namespace
            if name is not None:
                targets.append((t, ns if ns is not None or not t.namespaced else ctx.namespace,
                                name))
            else:
                for obj in api.list(t.resource_ref, ns, label_selector=o["selector"] or None,
                                      field_selector=o["field-selector"] or None):
                    targets.append((t, obj["metadata"].get("namespace"), obj["metadata"]["name"]))
    if not targets:
        if kind == "delete":
            return 0
        raise fail(NO_MATCH)
    wait_until = getattr(ctx.cluster, "wait_until", None)
    for t, ns, name in targets:
        with ctx.locked():
            obj = api.find(t.resource_ref, ns, name)
            if obj is None and kind not in ("delete", "create"):
                raise KubectlError(f'Error from server (NotFound): {t.resource_ref} "{name}" '
                                   f"not found")
            if kind == "delete" and obj is None:
                continue

            def check() -> bool:
                return met(api.find(t.resource_ref, ns, name))
            ok = check()
            if not ok and timeout > 0 and callable(wait_until):
                ok = wait_until(check, timeout=timeout, step=1.0)
            if not ok:
                if timeout == 0:
                    raise fail(f"condition not met for {t.kind_ref}/{name}")
                raise fail(f"{TIMED_OUT} on {t.resource}/{name}")
        ctx.out(f"{t.kind_ref}/{name} condition met\n")
    return 0
