"""The describe writer: indented lines through one Go text/tabwriter (0, 8, 2).

A flush lays out what was written so far on its own, as PrefixWriter.Flush does before
an events table, so columns never align across it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from ..duration import parse_time, translate_timestamp_since
from ..tabwriter import describe_layout
from ..table import escape_terminal

Lookup = Callable[..., list[dict]]
MAX_ANNOTATION_LEN = 140
SKIP_ANNOTATIONS = {"kubectl.kubernetes.io/last-applied-configuration"}


class Writer:
    def __init__(self) -> None:
        self._pending: list[str] = []
        self._done: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._pending.append(escape_terminal("  " * level + text))

    def line(self, text: str) -> None:
        self._pending.append(escape_terminal(text + "\n"))

    def flush(self) -> None:
        self._done.append(describe_layout("".join(self._pending)))
        self._pending = []

    def text(self) -> str:
        self.flush()
        return "".join(self._done)


def rfc1123z(ts: str | None) -> str:
    """time.RFC1123Z in UTC; the zero time when unset."""
    if not ts:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    return parse_time(ts).strftime("%a, %d %b %Y %H:%M:%S +0000")


def labels_multiline(w: Writer, title: str, labels: dict | None, initial: str = "",
                     inner: str = "\t") -> None:
    w.write(0, f"{initial}{title}:{inner}")
    keys = sorted(labels or {})
    if not keys:
        w.line("<none>")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, initial)
            w.write(0, inner)
        w.write(0, f"{key}={labels[key]}\n")


def annotations_multiline(w: Writer, title: str, annotations: dict | None) -> None:
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k not in SKIP_ANNOTATIONS)
    if not keys:
        w.line("<none>")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = annotations[key]
        if value.endswith("\n"):
            value = value[:-1]
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                short = part[:MAX_ANNOTATION_LEN - 2] + "..." if len(part) > MAX_ANNOTATION_LEN - 2 else part
                w.write(0, f"\t  {short}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def object_header(w: Writer, meta: dict) -> None:
    """The Name / Namespace / Labels / Annotations lines most describers open with."""
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))


def tolerations_multiline(w: Writer, title: str, tolerations: list[dict] | None,
                          initial: str = "") -> None:
    w.write(0, f"{initial}{title}:\t")
    items = sorted(tolerations or [], key=lambda t: t.get("key", ""))
    if not items:
        w.line("<none>")
        return
    for i, tol in enumerate(items):
        if i:
            w.write(0, initial)
            w.write(0, "\t")
        key, value, effect = tol.get("key", ""), tol.get("value", ""), tol.get("effect", "")
        w.write(0, key)
        if value:
            w.write(0, f"={value}")
        if effect:
            w.write(0, f":{effect}")
        if tol.get("operator") == "Exists" and not value:
            w.write(0, " op=Exists" if key or effect else "op=Exists")
        if tol.get("tolerationSeconds") is not None:
            w.write(0, f" for {tol['tolerationSeconds']}s")
        w.write(0, "\n")


def taints_multiline(w: Writer, title: str, taints: list[dict] | None) -> None:
    w.write(0, f"{title}:\t")
    items = sorted(taints or [], key=lambda t: t.get("effect", "") + "," + t.get("key", ""))
    if not items:
        w.line("<none>")
        return
    for i, taint in enumerate(items):
        if i:
            w.write(0, "\t")
        text = taint.get("key", "")
        if taint.get("value"):
            text += "=" + taint["value"]
        if taint.get("effect"):
            text += ":" + taint["effect"]
        w.write(0, text + "\n")


def event_selector(obj: dict, with_kind: bool = True, uid: str | None = None) -> str:
    """The field selector kubectl sends for an object's events (keys sorted)."""
    meta = obj.get("metadata") or {}
    fields = {"involvedObject.name": meta.get("name", ""),
              "involvedObject.namespace": meta.get("namespace", ""),
              "involvedObject.uid": uid if uid is not None else meta.get("uid", "")}
    if with_kind:
        fields["involvedObject.kind"] = obj.get("kind", "")
    return ",".join(f"{k}={fields[k]}" for k in sorted(fields))


def find_events(obj: dict, lookup: Lookup, with_kind: bool = True) -> list[dict]:
    namespace = (obj.get("metadata") or {}).get("namespace") or None
    return lookup("events", namespace, field_selector=event_selector(obj, with_kind))


def events(w: Writer, items: list[dict], now: datetime) -> None:
    if not items:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    ordered = sorted(items, key=lambda e: parse_time(e["lastTimestamp"]).timestamp()
                     if e.get("lastTimestamp") else float("-inf"))
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for ev in ordered:
        first = translate_timestamp_since(ev.get("eventTime"), now)
        if not ev.get("eventTime"):
            first = translate_timestamp_since(ev.get("firstTimestamp"), now)
        series = ev.get("series")
        if series:
            interval = (f"{translate_timestamp_since(series.get('lastObservedTime'), now)} "
                        f"(x{series.get('count', 0)} over {first})")
        elif (ev.get("count") or 0) > 1:
            interval = (f"{translate_timestamp_since(ev.get('lastTimestamp'), now)} "
                        f"(x{ev['count']} over {first})")
        else:
            interval = first
        source = (ev.get("source") or {}).get("component") or ev.get("reportingComponent", "")
        message = (ev.get("message") or "").strip()
        field_path = (ev.get("involvedObject") or {}).get("fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        w.write(1, f"{ev.get('type', '')}\t{ev.get('reason', '')}\t{interval}\t{source}\t{message}\n")


def safe_lookup(lookup: Lookup, resource: str, namespace: str | None, **selectors: str) -> list[dict] | None:
    """None when the cluster does not serve the resource (kubectl then leaves the part out)."""
    try:
        return lookup(resource, namespace, **selectors)
    except Exception:  # noqa: BLE001 - any failure means "not available" to describe
        return None


def controller_of(obj: dict) -> dict | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None
