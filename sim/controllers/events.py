"""Events (v1) as client-go's recorder writes them (tools/record's EventCorrelator):
the same event again moves its count and lastTimestamp; similar events (one source, object,
type and reason, messages apart) become one "(combined from similar events)" event from
the tenth distinct message within ten minutes on. Named ``<object>.<hex nanoseconds>``."""

from __future__ import annotations

import sys
from collections import deque
from datetime import timedelta

from ..api.objects import edit
from ..clock import parse_time
from .base import ClusterView


#: events older than this are gone (the API server's --event-ttl default)
EVENT_TTL = timedelta(hours=1)
#: client-go's aggregation: this many distinct messages of similar events within the
#: interval, and the next ones are combined into one event
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL = timedelta(seconds=600)
COMBINED = "(combined from similar events): "
#: the local key of a group's combined event (the others: (field path, message))
_AGGREGATE = ("combined",)


class _Similar:
    """What the recorder remembers of one object's events of one source, type and reason
    (client-go's aggregation key) once there are two or more (a group's only event is kept
    as (name, when)): the stored event of each (field path, message), and the distinct
    messages of the aggregation's interval."""

    __slots__ = ("names", "last", "messages")

    def __init__(self):
        self.names: dict[tuple, str] = {}   # (field path, message) -> event name
        self.last = None                    # when the group last had an event
        self.messages: set[str] = set()     # the interval's distinct messages

    def name(self, local: tuple) -> str | None:
        return self.names.get(local)

    def remember(self, local: tuple, name: str) -> None:
        self.names[local] = name

    def forget(self, local: tuple, name: str) -> None:
        if self.names.get(local) == name:
            del self.names[local]

    def empty(self) -> bool:
        return not self.names

    def similar(self, message: str, now) -> int:
        """Count ``message`` among the interval's distinct messages: how many there are
        (an interval starts afresh after ten minutes without a similar event)."""
        if self.last is None or now - self.last > AGGREGATE_INTERVAL:
            self.messages = set()
        self.last = now
        self.messages.add(message)
        count = len(self.messages)
        if count >= AGGREGATE_MAX_EVENTS:
            self.messages.pop()     # client-go: the set grows no larger than the limit
        return count


class EventRecorder:
    def __init__(self, cluster: ClusterView):
        self.cluster = cluster
        #: (object uid, reason, component, host, type) -> what its events are: most such
        #: groups have one event, kept as (name, when); a _Similar for more
        self._index: dict[tuple, _Similar | tuple] = {}
        self._serial = 0
        #: (occurrence, namespace, [event names]) in the order recorded (the events of one
        #: moment together): expiry looks at the front
        self._ages: deque = deque()
        #: the source per (component, host)
        self._sources: dict[tuple, dict] = {}
        #: (moment, its nanoseconds since the epoch): the last moment's, worked out once
        self._nanos: tuple = (None, 0)

    def record(self, obj: dict, type: str, reason: str, message: str, component: str,
               host: str | None = None, field_path: str | None = None) -> None:
        store = self.cluster.store
        md = obj["metadata"]
        namespace = md.get("namespace") or "default"
        moment, now = self.cluster.clock.now(), self.cluster.clock.timestamp()
        group_key = (md.get("uid"), reason, component, host, type)
        group = self._index.get(group_key)
        if group is None:
            # a group's first event (most are): its name and time are all it needs
            name = self._create(obj, namespace, type, reason, message, component, host,
                                field_path, moment, now, combined=False)
            self._index[group_key] = (name, moment)
            return
        message = sys.intern(message)
        local: tuple = (field_path, message)
        if isinstance(group, tuple):
            # the group's one event so far, kept as (name, when): read back as it recurs
            first, when = group
            event = store.find("events", namespace, first)
            group = _Similar()
            if event is not None:
                group.remember(((event.get("involvedObject") or {}).get("fieldPath"),
                                event["message"]), first)
                group.last, group.messages = when, {event["message"]}
            self._index[group_key] = group
        if group.similar(message, moment) >= AGGREGATE_MAX_EVENTS:
            # one event stands for the similar ones from now on: its message the latest
            local, message = _AGGREGATE, sys.intern(COMBINED + message)
        name = group.name(local)
        existing = store.find("events", namespace, name) if name else None
        if existing is not None:
            event = edit(existing)
            event["count"] = event.get("count", 1) + 1
            event["lastTimestamp"] = now
            event["message"] = message
            self._aged(moment, namespace, name)
            store.write(event)
            return
        name = self._create(obj, namespace, type, reason, message, component, host,
                            field_path, moment, now, combined=local is _AGGREGATE)
        group.remember(local, name)

    def _create(self, obj: dict, namespace: str, type: str, reason: str, message: str,
                component: str, host: str | None, field_path: str | None, moment, now: str,
                combined: bool) -> str:
        """A new event in the store: its name, ``<object>.<hex nanoseconds>``."""
        self._serial += 1
        if self._nanos[0] is not moment:
            self._nanos = (moment, int(moment.timestamp() * 1e9))
        name = f"{obj['metadata']['name']}.{self._nanos[1] + self._serial:x}"
        event = {"apiVersion": "v1", "kind": "Event",
                 "metadata": {"name": name, "namespace": namespace},
                 "involvedObject": self._involved_object(obj, field_path),
                 "reason": reason, "message": message, "source": self._source(component, host),
                 "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": type,
                 "eventTime": None,
                 # client-go's combined event is made afresh, without the reporting fields
                 "reportingComponent": "" if combined else component,
                 "reportingInstance": "" if combined else (host or "")}
        self._aged(moment, namespace, name)
        self.cluster.store.write(event)
        return name

    def _aged(self, moment, namespace: str, name: str) -> None:
        last = self._ages[-1] if self._ages else None
        if last is not None and last[0] is moment and last[1] == namespace:
            last[2].append(name)
        else:
            self._ages.append((moment, namespace, [name]))

    @staticmethod
    def _involved_object(obj: dict, field_path: str | None) -> dict:
        md = obj["metadata"]
        found = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"),
                 "name": md["name"], "uid": md.get("uid"),
                 "resourceVersion": md.get("resourceVersion")}
        if md.get("namespace"):
            found["namespace"] = md["namespace"]
        if field_path:
            found["fieldPath"] = field_path
        return dict(sorted(found.items()))

    def _source(self, component: str, host: str | None) -> dict:
        source = self._sources.get((component, host))
        if source is None:
            source = {"component": component}
            if host:
                source["host"] = host
            self._sources[(component, host)] = source
        return source

    def expire(self) -> None:
        """Drop events whose last occurrence is older than the TTL."""
        store = self.cluster.store
        limit = self.cluster.clock.now() - EVENT_TTL
        rt = store.type_of("events")
        while self._ages and self._ages[0][0] < limit:
            _, namespace, names = self._ages.popleft()
            for name in names:
                self._expire(store, rt, namespace, name, limit)

    def _expire(self, store, rt, namespace: str, name: str, limit) -> None:
        """Remove one event if its last occurrence is older than ``limit``, and what the
        recorder remembers of it."""
        event = store.find(rt, namespace, name)
        if event is None or parse_time(event["lastTimestamp"]) >= limit:
            return
        store.remove(rt, event)
        involved, source = event.get("involvedObject") or {}, event.get("source") or {}
        group_key = (involved.get("uid"), event.get("reason"), source.get("component"),
                     source.get("host"), event.get("type"))
        group = self._index.get(group_key)
        if group is None:
            return
        if isinstance(group, tuple):
            if group[0] == name:
                del self._index[group_key]
            return
        message = event.get("message") or ""
        group.forget(_AGGREGATE if message.startswith(COMBINED) else
                     (involved.get("fieldPath"), message), name)
        if group.empty():
            del self._index[group_key]
