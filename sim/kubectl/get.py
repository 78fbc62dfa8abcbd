"""``kubectl get``: tables per type, or the objects through a structured printer."""

from __future__ import annotations

from sim.kubectl import output, resolve
from sim import printers as p
from sim.kubectl.command import Ctx
from sim.kubectl.errors import KubectlError, fail, multiple_errors, usage
from sim.kubectl.fetch import Fetched, fetch
from sim.kubectl.flags import BOOL, INT, SLICE, f

FLAGS = (
    f("output", "o"), f("selector", "l"), f("all-namespaces", "A", BOOL),
    f("watch", "w", BOOL), f("watch-only", kind=BOOL), f("show-labels", kind=BOOL),
    f("no-headers", kind=BOOL), f("label-columns", "L", SLICE), f("field-selector"),
    f("show-kind", kind=BOOL), f("sort-by"), f("ignore-not-found", kind=BOOL),
    f("filename", "f", SLICE), f("recursive", "R", BOOL), f("kustomize", "k"),
    f("chunk-size", kind=INT, default=500), f("template"), f("raw"),
    f("allow-missing-template-keys", kind=BOOL, default=True),
    f("output-watch-events", kind=BOOL), f("server-print", kind=BOOL, default=True),
    f("show-managed-fields", kind=BOOL), f("subresource"),
)

NO_TYPE = ('You must specify the type of resource to get. Use "kubectl api-resources" for a '
           'complete list of supported resources.\n\n')
REQUIRED = ("Required resource not specified.\nUse \"kubectl explain <resource>\" for a "
            "detailed description of that resource (e.g. kubectl explain pods).")


def run(ctx: Ctx) -> int:
    o = ctx.opts
    out = output.parse(o["output"])
    output.validate_template(out)
    args = ctx.args
    if not args and not o["filename"]:
        raise KubectlError(NO_TYPE + usage(ctx.path, REQUIRED).text)
    all_ns = o["all-namespaces"]
    with ctx.locked():
        if o["filename"]:
            from sim.kubectl.manifests import selection_from_files
            sel = selection_from_files(ctx, o["filename"], o["recursive"],
                                       aggregate=not out.structured)
        else:
            sel = resolve.select(ctx.cluster, args)
        if sel.named and o["selector"]:
            raise fail("name cannot be provided when a selector is specified")
        if sel.named and all_ns and not o["filename"]:
            raise fail("a resource cannot be retrieved by name across all namespaces")
        ns = None if all_ns else ctx.namespace
        got = fetch(ctx.api, sel, ns, label_selector=o["selector"],
                    field_selector=o["field-selector"], chunk_size=o["chunk-size"] or 0)
        now = ctx.now()
    for w in got.warnings:
        ctx.warn(w)
    if o["sort-by"]:
        _sort(got, o["sort-by"])
    if o["ignore-not-found"]:
        got.errors = [e for e in got.errors if "(NotFound)" not in e]
    if o["watch-only"]:
        code = _finish(ctx, got)          # changes only: what there is now is not listed
    elif out.structured:
        code = _print_structured(ctx, out, got, sel)
    else:
        code = _print_tables(ctx, out, got, sel, all_ns, now)
    if (o["watch"] or o["watch-only"]) and code == 0:
        # kubectl's watch catches Ctrl-C and exits 1 (its interrupt handler)
        exit_on_interrupt = getattr(ctx.io, "exit_on_interrupt", None)
        if callable(exit_on_interrupt):
            exit_on_interrupt(1)
        ctx.io.wait_closed()
    return code


def _print_structured(ctx: Ctx, out: output.Output, got: Fetched,
                      sel: resolve.Selection) -> int:
    single = len(sel.items) == 1 and sel.items[0][1] is not None
    if single and got.errors:
        raise KubectlError("\n".join(got.errors))
    if not got.objects and got.errors:
        # printGeneric: no object and errors, Reduce(Flatten(errors)) is returned: one error
        # prints alone (``error: ``), several one per line
        return _finish(ctx, got, reduced=True)
    try:
        for piece in output.render_chunks(out, got.objects, single=single,
                                          no_headers=ctx.opts["no-headers"]):
            ctx.out(piece)
    except output.PartialOutput as e:
        ctx.out(e.text)
        raise e.error from None
    return _finish(ctx, got, reduced=True)


def _print_tables(ctx: Ctx, out: output.Output, got: Fetched, sel: resolve.Selection,
                  all_ns: bool, now) -> int:
    o = ctx.opts
    with_kind = got.distinct_types() > 1 or o["show-kind"]
    written = False
    pending_gap = False
    last = None
    chunk: list[dict] = []

    def flush() -> None:
        nonlocal written, pending_gap
        if last is None or not chunk:
            return
        for text in p.print_table_chunks(
                last.resource, chunk, now=now, wide=out.kind == "wide",
                show_labels=o["show-labels"], with_namespace=all_ns and last.namespaced,
                kind_prefix=last.kind_ref if with_kind else None, no_headers=o["no-headers"],
                label_columns=tuple(o["label-columns"])):
            if pending_gap:
                ctx.out("\n")
                pending_gap = False
            ctx.out(text)
            written = True

    for info in got.infos:
        if info.type != last:
            flush()
            if last is not None and not o["no-headers"] and written:
                pending_gap = True
            last = info.type
            chunk = []
        chunk.extend(info.objects)
    flush()
    # a watch lists what there is without saying that there is nothing (kubectl's watch path)
    if not written and not got.errors and not o["ignore-not-found"] and not o["watch"]:
        namespaced = not all_ns and all(i.type.namespaced for i in got.infos)
        if namespaced:
            ctx.err(f"No resources found in {ctx.namespace} namespace.\n")
        else:
            ctx.err("No resources found\n")
    return _finish(ctx, got)


def _finish(ctx: Ctx, got: Fetched, reduced: bool = False) -> int:
    """The errors get returns: as an aggregate (tables: each on its own line, without
    ``error: ``), or ``reduced`` to the error itself when there is one (other output)."""
    if got.errors:
        if reduced and len(got.errors) == 1:
            ctx.err(got.errors[0] + "\n")
        else:
            ctx.err(multiple_errors(got.errors))
        return 1
    return 0



def _sort(got: Fetched, expr: str) -> None:
    """``--sort-by``: each type's objects in the printers' sort order."""
    for info in got.infos:
        try:
            info.objects = p.sort_objects(info.objects, expr)
        except p.SortError as e:
            raise fail(str(e)) from None
