"""Finding the objects a mutating verb works on: ``TYPE NAME…``, ``TYPE/NAME``, ``-l``,
``--all``, ``-f``; NotFound collected per name as the builder's ContinueOnError does."""

from __future__ import annotations

from sim.kubectl import resolve
from sim.kubectl.command import Ctx
from sim.kubectl.errors import fail
from sim.kubectl.fetch import Fetched, fetch

NO_RESOURCES = ("You must provide one or more resources by argument or filename.\n"
                "Example resource specifications include:\n"
                "   '-f rsrc.yaml'\n"
                "   '--filename=rsrc.json'\n"
                "   '<resource> <name>'\n"
                "   '<resource>'")


def find_targets(ctx: Ctx, args: list[str], *, selector: str = "", select_all: bool = False,
                 files: list[str] | None = None, recursive: bool = False,
                 all_namespaces: bool = False, need_names: bool = True) -> Fetched:
    """Must be called with the cluster locked."""
    if files:
        from sim.kubectl.manifests import selection_from_files
        sel = selection_from_files(ctx, files, recursive)
    else:
        if not args:
            raise fail(NO_RESOURCES)
        sel = resolve.select(ctx.cluster, args, ctx.path)
        if need_names and not sel.named and not selector and not select_all:
            raise fail("resource(s) were provided, but no name was specified")
    if sel.named and selector:
        raise fail("name cannot be provided when a selector is specified")
    ns = None if all_namespaces else ctx.namespace
    got = fetch(ctx.api, sel, ns, label_selector=selector)
    for message in got.warnings:
        ctx.warn(message)
    return got
