"""Events (v1) as client-go's recorder writes them: aggregated by object, reason and
message (count and lastTimestamp move), named ``<object>.<hex nanoseconds>``."""

from __future__ import annotations

import sys
from collections import deque
from datetime import timedelta

from ..api.objects import edit
from ..clock import parse_time
from .base import ClusterView


#: events older than this are gone (the API server's --event-ttl default)
EVENT_TTL = timedelta(hours=1)


class EventRecorder:
    def __init__(self, cluster: ClusterView):
        self.cluster = cluster
        self._index: dict[tuple, str] = {}
        self._serial = 0
        #: (last occurrence, namespace, name) in the order recorded: expiry looks at the front
        self._ages: deque = deque()
        #: parts many events hold alike, shared (events are never changed in place): the
        #: source per (component, host), the last involvedObject, messages by their text
        self._sources: dict[tuple, dict] = {}
        self._involved: tuple[tuple, dict] | None = None

    def record(self, obj: dict, type: str, reason: str, message: str, component: str,
               host: str | None = None, field_path: str | None = None) -> dict:
        store = self.cluster.store
        md = obj["metadata"]
        namespace = md.get("namespace") or "default"
        message = sys.intern(message)
        key = (md.get("uid"), field_path, reason, message, component, host, type)
        now = self.cluster.clock.timestamp()
        name = self._index.get(key)
        existing = store.find("events", namespace, name) if name else None
        if existing is not None:
            event = edit(existing)
            event["count"] = event.get("count", 1) + 1
            event["lastTimestamp"] = now
            self._ages.append((self.cluster.clock.now(), namespace, name))
            return store.write(event)
        self._serial += 1
        nanos = int(self.cluster.clock.now().timestamp() * 1e9) + self._serial
        name = f"{md['name']}.{nanos:x}"
        which = (obj.get("apiVersion"), obj.get("kind"), md["name"], md.get("uid"),
                 md.get("resourceVersion"), md.get("namespace"), field_path)
        if self._involved is None or self._involved[0] != which:
            involved = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"),
                        "name": md["name"], "uid": md.get("uid"),
                        "resourceVersion": md.get("resourceVersion")}
            if md.get("namespace"):
                involved["namespace"] = md["namespace"]
            if field_path:
                involved["fieldPath"] = field_path
            self._involved = (which, dict(sorted(involved.items())))
        source = self._sources.get((component, host))
        if source is None:
            source = {"component": component}
            if host:
                source["host"] = host
            self._sources[(component, host)] = source
        event = {"apiVersion": "v1", "kind": "Event",
                 "metadata": {"name": name, "namespace": namespace},
                 "involvedObject": self._involved[1],
                 "reason": reason, "message": message, "source": source,
                 "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": type,
                 "eventTime": None, "reportingComponent": component,
                 "reportingInstance": host or ""}
        self._index[key] = name
        self._ages.append((self.cluster.clock.now(), namespace, name))
        return store.write(event)

    def expire(self) -> None:
        """Drop events whose last occurrence is older than the TTL."""
        store = self.cluster.store
        limit = self.cluster.clock.now() - EVENT_TTL
        rt = store.type_of("events")
        while self._ages and self._ages[0][0] < limit:
            _, namespace, name = self._ages.popleft()
            event = store.find(rt, namespace, name)
            if event is not None and parse_time(event["lastTimestamp"]) < limit:
                store.remove(rt, event)
                involved, source = event.get("involvedObject") or {}, event.get("source") or {}
                key = (involved.get("uid"), involved.get("fieldPath"), event.get("reason"),
                       event.get("message"), source.get("component"), source.get("host"),
                       event.get("type"))
                if self._index.get(key) == name:
                    del self._index[key]
