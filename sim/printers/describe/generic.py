"""describe for kinds without a describer of their own (kubectl's genericDescriber)."""
from __future__ import annotations

import re
from datetime import datetime

from ..gofmt import go_sprint
from .writer import Lookup, Writer, events, find_events, object_header

_SKIP = {".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
         ".metadata.annotations"}
_ACRONYMS = {"API", "URL", "UID", "GUID"}


def _camel_split(text: str) -> list[str]:
    """fatih/camelcase.Split: runs of one character class; `ABCd` becomes `AB`, `Cd`."""
    def kind(ch: str) -> int:
        return 1 if ch.islower() else 2 if ch.isupper() else 3 if ch.isdigit() else 4
    runs: list[list[str]] = []
    last = 0
    for ch in text:
        k = kind(ch)
        if runs and k == last:
            runs[-1].append(ch)
        else:
            runs.append([ch])
        last = k
    for i in range(len(runs) - 1):
        if runs[i] and runs[i][0].isupper() and runs[i + 1][0].islower():
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(r) for r in runs if r]


def smart_label(field: str) -> str:
    if re.search(r"[^\w-]|[\d_]", field):
        return field
    parts = _camel_split(field)
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if (i < len(parts) - 1 and len(part) >= 2 and part.isupper() and parts[i + 1][:1].isupper()):
            merged.append(part + parts[i + 1])
            i += 2
            continue
        merged.append(part)
        i += 1
    out = []
    for part in merged:
        if part == "_":
            continue
        if part.upper() in _ACRONYMS:
            part = part.upper()
        elif part.lower() == part:
            part = part[:1].upper() + part[1:]
        out.append(part)
    return " ".join(out)


def _content(w: Writer, level: int, content: dict, prefix: str) -> None:
    for field in sorted(content):
        value = content[field]
        path = f"{prefix}.{field}"
        if path in _SKIP:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _content(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _content(w, level + 1, child, path)
                else:
                    w.write(level + 1, f"{go_sprint(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{go_sprint(value)}\n")


def describe_generic(obj: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta = obj.get("metadata") or {}
    w = Writer()
    object_header(w, meta)
    _content(w, 0, obj, "")
    if show_events:
        events(w, find_events(obj, lookup), now)
    return w.text()
