"""Reading objects for a command line's selection, as the resource builder does:
per name a GET (NotFound collected, the rest still shown), per type a LIST."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.kubectl.errors import api_text, is_api_error
from sim.kubectl.resolve import ResourceType, Selection

ENDPOINTS_WARNING = "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"


@dataclass
class Info:
    """One answer of the API: a named object, or one type's list."""

    type: ResourceType
    objects: list[dict]


@dataclass
class Fetched:
    infos: list[Info] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def objects(self) -> list[dict]:
        return [o for i in self.infos for o in i.objects]

    def pairs(self) -> list[tuple[ResourceType, dict]]:
        return [(i.type, o) for i in self.infos for o in i.objects]

    def distinct_types(self) -> int:
        return len({i.type for i in self.infos})


def warnings_for(t: ResourceType) -> list[str]:
    if t.resource == "endpoints" and t.group == "":
        return [ENDPOINTS_WARNING]
    return []


def fetch(api: Any, sel: Selection, namespace: str | None, *,
          label_selector: str = "", field_selector: str = "", chunk_size: int = 0) -> Fetched:
    """``namespace`` None means all namespaces; cluster-scoped types ignore it; lists are
    asked in chunks of ``chunk_size`` (0: in one request)."""
    got = Fetched()
    pending = list(zip(sel.error_at, sel.errors)) if len(sel.error_at) == len(sel.errors) \
        else [(len(sel.items), e) for e in sel.errors]
    for index, (t, name) in enumerate(sel.items):
        while pending and pending[0][0] <= index:      # the file's errors where they came
            got.errors.append(pending.pop(0)[1])
        ns = namespace if t.namespaced else None
        for w in warnings_for(t):
            if w not in got.warnings:
                got.warnings.append(w)
        if name is not None:
            try:
                obj = api.get(t.resource_ref, ns if ns is not None else None, name)
            except Exception as e:
                if not is_api_error(e):
                    raise
                got.errors.append(api_text(e))
                continue
            got.infos.append(Info(t, [obj]))
        else:
            objs = api.list(t.resource_ref, ns, label_selector=label_selector or None,
                              field_selector=field_selector or None, chunk_size=chunk_size)
            got.infos.append(Info(t, list(objs)))
    got.errors.extend(e for _, e in pending)
    return got
