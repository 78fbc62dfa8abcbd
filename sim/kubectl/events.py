"""``kubectl events``: the namespace's events in time order, in kubectl's own event table."""

from __future__ import annotations

from sim import printers as p
from sim.kubectl import resolve
from sim.kubectl.command import Ctx
from sim.kubectl.errors import fail
from sim.kubectl.flags import BOOL, INT, SLICE, f
from sim.printers.duration import parse_time
from sim.printers.tabwriter import table_layout

FLAGS = (f("watch", "w", BOOL), f("all-namespaces", "A", BOOL), f("for"),
         f("types", kind=SLICE), f("no-headers", kind=BOOL), f("output", "o"),
         f("chunk-size", kind=INT, default=500))


def _sort_time(e: dict) -> str:
    series = e.get("series") or {}
    return series.get("lastObservedTime") or e.get("lastTimestamp") or e.get("eventTime") or ""


def _interval(e: dict, now) -> str:
    first = p.translate_timestamp_since(e.get("eventTime") or e.get("firstTimestamp"), now)
    series = e.get("series")
    if series:
        last = p.translate_timestamp_since(series.get("lastObservedTime"), now)
        return f"{last} (x{series.get('count', 0)} over {first})"
    if (e.get("count") or 0) > 1:
        last = p.translate_timestamp_since(e.get("lastTimestamp"), now)
        return f"{last} (x{e['count']} over {first})"
    return first


def run(ctx: Ctx) -> int:
    o = ctx.opts
    all_ns = o["all-namespaces"]
    for_kind = for_name = None
    with ctx.locked():
        if o["for"]:
            type_token, slash, name = o["for"].partition("/")
            if not slash or not name:
                raise fail("--for must be in resource/name form")
            for_kind, for_name = resolve.resolve_type(ctx.cluster, type_token).kind, name
        events = ctx.api.list("events", None if all_ns else ctx.namespace)
        now = ctx.now()
    wanted = [t.lower() for t in o["types"]]
    shown = [e for e in events
             if (not wanted or (e.get("type") or "").lower() in wanted)
             and (for_kind is None or ((e.get("involvedObject") or {}).get("kind") == for_kind
                                       and e["involvedObject"].get("name") == for_name))]
    if not shown:
        ctx.err("No events found.\n" if all_ns else
                f"No events found in {ctx.namespace} namespace.\n")
        return 0
    shown.sort(key=lambda e: parse_time(_sort_time(e)) if _sort_time(e) else now)
    lines = []
    if not o["no-headers"]:
        lines.append(("NAMESPACE\t" if all_ns else "") + "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE")
    for e in shown:
        involved = e.get("involvedObject") or {}
        lines.append(("{}\t".format(e["metadata"].get("namespace", "")) if all_ns else "") +
                     f"{_interval(e, now)}\t{e.get('type', '')}\t{e.get('reason', '')}\t"
                     f"{involved.get('kind', '')}/{involved.get('name', '')}\t"
                     f"{(e.get('message') or '').strip()}")
    ctx.out(table_layout("\n".join(lines) + "\n"))
    if o["watch"]:
        ctx.io.wait_closed()
    return 0
