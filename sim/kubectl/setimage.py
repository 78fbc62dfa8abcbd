"""``kubectl set image`` and the rollout history of a Deployment (``rollout history``,
``rollout undo``), as kubectl prints them."""

from __future__ import annotations

from sim.api.objects import clone
from sim.kubectl import resolve
from sim.kubectl.command import Command, Ctx, run_group
from sim.kubectl.errors import KubectlError, fail
from sim.kubectl.flags import BOOL, INT, SLICE, f
from sim.kubectl.writes import named_object, reconcile

SET_IMAGE_FLAGS = (f("filename", "f", SLICE), f("recursive", "R", BOOL), f("all", kind=BOOL),
                   f("selector", "l"), f("local", kind=BOOL), f("dry-run", default="none",
                   no_value="unchanged"), f("output", "o"), f("record", kind=BOOL),
                   f("field-manager", default="kubectl-set"))
HISTORY_FLAGS = (f("revision", kind=INT, default=0), f("filename", "f", SLICE),
                 f("recursive", "R", BOOL), f("selector", "l"), f("output", "o"))
UNDO_FLAGS = (f("to-revision", kind=INT, default=0), f("filename", "f", SLICE),
              f("recursive", "R", BOOL), f("selector", "l"), f("dry-run", default="none"))
REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"


def _template_of(obj: dict) -> dict | None:
    if obj.get("kind") == "Pod":
        return obj
    if obj.get("kind") == "CronJob":
        return (((obj.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}).get("template")
    return (obj.get("spec") or {}).get("template")


def run_set_image(ctx: Ctx) -> int:
    pairs = [a for a in ctx.args if "=" in a]
    names = [a for a in ctx.args if "=" not in a]
    if not pairs:
        raise fail("at least one image update is required")
    images = dict(p.split("=", 1) for p in pairs)
    errors: list[str] = []
    with ctx.locked():
        sel = resolve.select(ctx.cluster, names, ctx.path)
        for t, name in sel.items:
            if name is None:
                raise fail("resource(s) were provided, but no name was specified")
            obj = named_object(ctx, t, name, errors)
            if obj is None:
                continue
            new = clone(obj)
            template = _template_of(new)
            spec = (template or {}).get("spec") or {}
            containers = (spec.get("initContainers") or []) + (spec.get("containers") or [])
            changed = False
            for container_name, image in images.items():
                hits = [c for c in containers if container_name in ("*", c.get("name"))]
                if not hits:
                    errors.append(f'error: unable to find container named "{container_name}"')
                for c in hits:
                    if c.get("image") != image:
                        c["image"] = image
                        changed = True
            if errors or not changed:
                continue
            ctx.api.update(new)
            reconcile(ctx)
            ctx.out(f"{t.kind_ref}/{name} image updated\n")
    if errors:
        raise KubectlError("\n".join(errors))
    return 0


def _revisions(ctx: Ctx, deployment: dict) -> dict[int, dict]:
    """The Deployment's ReplicaSets by revision."""
    uid = deployment["metadata"]["uid"]
    found = {}
    for rs in ctx.api.list("replicasets", deployment["metadata"]["namespace"]):
        if not any(r.get("uid") == uid for r in rs["metadata"].get("ownerReferences") or []):
            continue
        text = (rs["metadata"].get("annotations") or {}).get(REVISION, "")
        if text.isdigit():
            found[int(text)] = rs
    return found


def _deployment(ctx: Ctx, verb: str) -> tuple[resolve.ResourceType, dict]:
    sel = resolve.select(ctx.cluster, ctx.args, ctx.path)
    if not sel.items:
        raise fail("required resource not specified")
    t, name = sel.items[0]
    if name is None:
        raise fail("resource(s) were provided, but no name was specified")
    errors: list[str] = []
    obj = named_object(ctx, t, name, errors)
    if obj is None:
        raise KubectlError(errors[0])
    if t.kind != "Deployment":
        # (StatefulSets and DaemonSets have a history of ControllerRevisions: not simulated)
        what = "history viewer" if verb == "history" else "rollbacker"
        raise fail(f'no {what} has been implemented for "{t.kind}"')
    return t, obj


def run_history(ctx: Ctx) -> int:
    with ctx.locked():
        t, deployment = _deployment(ctx, "history")
        revisions = _revisions(ctx, deployment)
    name = deployment["metadata"]["name"]
    wanted = ctx.opts["revision"]
    if wanted:
        raise fail("rollout history --revision is not simulated yet")
    causes = [(r, (revisions[r]["metadata"].get("annotations") or {}).get(CHANGE_CAUSE) or "<none>")
              for r in sorted(revisions)]
    width = max([len("REVISION")] + [len(str(r)) for r, _ in causes]) + 2
    lines = [f"{t.kind_ref}/{name} ", "REVISION".ljust(width) + "CHANGE-CAUSE"]
    lines += [str(r).ljust(width) + cause for r, cause in causes]
    ctx.out("\n".join(lines) + "\n\n")
    return 0


def run_undo(ctx: Ctx) -> int:
    with ctx.locked():
        t, deployment = _deployment(ctx, "rollback")
        name = deployment["metadata"]["name"]
        revisions = _revisions(ctx, deployment)
        target = ctx.opts["to-revision"]
        if target:
            if target not in revisions:
                raise fail(f"unable to find specified revision {target} in history")
        else:
            ordered = sorted(revisions)
            if len(ordered) < 2:
                raise fail(f'no rollout history found for deployment "{name}"')
            target = ordered[-2]
        template = clone(revisions[target]["spec"]["template"])
        labels = (template.get("metadata") or {}).get("labels") or {}
        labels.pop("pod-template-hash", None)
        current = clone(deployment["spec"]["template"])
        if current == template:
            ctx.out(f"{t.kind_ref}/{name} skipped rollback (current template already matches "
                    f"revision {target})\n")
            return 0
        new = clone(deployment)
        new["spec"]["template"] = template
        ctx.api.update(new)
        reconcile(ctx)
    ctx.out(f"{t.kind_ref}/{name} rolled back\n")
    return 0


SET_COMMAND = Command("set", run_group, (), children=[
    Command("image", run_set_image, SET_IMAGE_FLAGS),
])
HISTORY_COMMAND = Command("history", run_history, HISTORY_FLAGS)
UNDO_COMMAND = Command("undo", run_undo, UNDO_FLAGS)
