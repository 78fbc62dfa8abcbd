"""Endpoints and EndpointSlices: the endpoints controller, the EndpointSlice controller
and the EndpointSlice mirroring controller."""

from __future__ import annotations

from sortedcontainers import SortedDict

from ..api.objects import alike, alike_of, clone, edit, owner_reference, random_suffix
from ..api.selectors import matches, selector_from_map
from .base import ClusterView, pod_ended, pod_ready


MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER = "endpointslice-controller.k8s.io"
MIRROR_CONTROLLER = "endpointslicemirroring-controller.k8s.io"
TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time"
#: the EndpointSlice controller's --max-endpoints-per-slice default
MAX_SLICE_ENDPOINTS = 100
#: what an Endpoints object holds at most (the rest: the over-capacity annotation)
MAX_ENDPOINTS = 1000
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"


def resolve_target_port(svc_port: dict, pod: dict) -> int | None:
    """The pod's port for a Service port: a number, or a named container port."""
    target = svc_port.get("targetPort", svc_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for c in pod["spec"].get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target and p.get("protocol", "TCP") == svc_port.get("protocol", "TCP"):
                return p.get("containerPort")
    return None


def _serves(pod: dict) -> bool:
    """A selected pod that has an address and is not going away is an endpoint."""
    return bool(pod.get("status", {}).get("podIP")) and not pod["metadata"].get("deletionTimestamp") \
        and not pod_ended(pod)


def _ready_condition(status: dict) -> dict | None:
    for c in status.get("conditions") or ():
        if c.get("type") == "Ready":
            return c
    return None


def endpoint_change(old: dict | None, new: dict) -> bool:
    """Whether a pod's write can change its endpoints or the Services that select it (the
    EndpointSlice controller's podEndpointsChanged, asked as the write is made, while
    both versions are at hand): a new pod with an address; its labels, deletion,
    address, end, readiness, node, hostname, subdomain or containers (named ports)
    changed. A pod without an address before and after is no endpoint either way."""
    status = new.get("status") or {}
    if old is None:
        return bool(status.get("podIP"))
    md, old_md = new["metadata"], old["metadata"]
    if md.get("labels") != old_md.get("labels") or \
            md.get("deletionTimestamp") != old_md.get("deletionTimestamp"):
        return True
    old_status = old.get("status") or {}
    if not status.get("podIP") and not old_status.get("podIP"):
        return False
    if status is not old_status and (
            status.get("podIP") != old_status.get("podIP")
            or status.get("podIPs") != old_status.get("podIPs")
            or pod_ended(new) != pod_ended(old)
            or _ready_condition(status) != _ready_condition(old_status)):
        return True
    spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    return spec is not old_spec and any(spec.get(f) != old_spec.get(f) for f in (
        "nodeName", "hostname", "subdomain", "containers"))


def _pod_trigger(pod: dict) -> str:
    """The latest of a pod's creation and its Ready condition's last transition."""
    latest = pod["metadata"]["creationTimestamp"]
    for c in pod.get("status", {}).get("conditions") or []:
        if c.get("type") == "Ready" and c.get("lastTransitionTime") and c["lastTransitionTime"] > latest:
            latest = c["lastTransitionTime"]
    return latest


def _wanted(svc: dict) -> bool:
    return bool(svc["spec"].get("selector")) and svc["spec"].get("type") != "ExternalName"


class _Latest:
    """A multiset of timestamps that answers its latest: a count per distinct value, the
    latest found again only when the last of it goes."""

    __slots__ = ("counts", "_latest")

    def __init__(self):
        self.counts: dict[str, int] = {}
        self._latest: str | None = None

    def add(self, value: str) -> None:
        self.counts[value] = self.counts.get(value, 0) + 1
        if self._latest is not None and value > self._latest:
            self._latest = value
        elif self._latest is None and len(self.counts) == 1:
            self._latest = value

    def remove(self, value: str) -> None:
        left = self.counts[value] - 1
        if left:
            self.counts[value] = left
            return
        del self.counts[value]
        if value == self._latest:
            self._latest = None

    def latest(self) -> str | None:
        if self._latest is None and self.counts:
            self._latest = max(self.counts)
        return self._latest


class _Selection:
    """For each Service with a selector: what the controller derives from each pod it
    selects (``entry(svc, pod) -> (sort key, value) | None``), in sort-key order when
    ``ordered`` (else in a plain dict, for a controller that sorts only when it packs
    afresh), kept in step with the changes to pods and Services, so a change to one pod
    costs that pod's entry, not a look at every pod of the Service.

    Each pod has one record of what it is in (a change to it reads and writes that
    record, its entries and nothing else of the cluster's size): for each Service that
    selects it, the Service's generation and the pod's sort key there. A Service made
    afresh takes a new generation, so the records of its old entries lapse without a
    walk over its pods."""

    def __init__(self, entry, track: bool = False, group=None, ordered: bool = True):
        self.entry = entry
        self.ordered = ordered
        #: ``group(value)``: what entries are counted by (``groups``), e.g. their ports
        self.group = group
        #: keep, per Service, the entries that changed (``take_dirty``)
        self.track = track
        self._generations = 0
        self.reset()

    def reset(self) -> None:
        self.services: dict[tuple, dict] = {}
        self.reqs: dict[tuple, list] = {}
        self.by_ns: dict[str, set[tuple]] = {}
        self.order: dict[tuple, SortedDict | dict] = {}        # svc -> sort key -> value
        #: svc -> the entries' trigger times (each value's last item), counted: timestamps
        #: are to the second, so a Service's pods have few distinct ones
        self.times: dict[tuple, _Latest] = {}
        self.groups: dict[tuple, dict] = {}                    # svc -> group -> entries
        self.generation: dict[tuple, int] = {}                 # svc -> its entries' generation
        #: pod key -> ((svc, generation, sort key or None), ...): the Services that select
        #: it (most pods are in one or two), the entries' records lapsed when the
        #: generation is not the Service's any more
        self.held: dict[tuple, tuple] = {}
        #: svc -> sort key -> its value now (None: gone), for the entries changed since
        #: the last take
        self.dirty: dict[tuple, dict] = {}
        self.fresh: set[tuple] = set()

    def take_dirty(self, key: tuple) -> tuple[bool, dict]:
        """(whether the Service's entries were made afresh, {sort key: value now or None}
        for the entries that came, went or changed) since the last take for it."""
        fresh = key in self.fresh
        self.fresh.discard(key)
        return fresh, self.dirty.pop(key, {})

    def values(self, key: tuple) -> list:
        return list(self.order[key].values())

    def trigger(self, key: tuple) -> str:
        """The latest of the Service's creation and its pods' trigger times."""
        created = self.services[key]["metadata"]["creationTimestamp"]
        latest = self.times[key].latest()
        return max(created, latest) if latest is not None else created

    def _drop_entry(self, svc_key: tuple, sort_key: tuple) -> None:
        value = self.order[svc_key].pop(sort_key)
        self.times[svc_key].remove(value[-1])
        if self.group is not None:
            counts = self.groups[svc_key]
            g = self.group(value)
            counts[g] -= 1
            if not counts[g]:
                del counts[g]
        if self.track:
            self.dirty.setdefault(svc_key, {})[sort_key] = None

    def _add_entry(self, svc_key: tuple, pod: dict) -> tuple | None:
        """The pod's entry in the Service, if it has one: its sort key."""
        got = self.entry(self.services[svc_key], pod)
        if got is None:
            return None
        sort_key, value = got
        self.order[svc_key][sort_key] = value
        self.times[svc_key].add(value[-1])
        if self.group is not None:
            counts = self.groups[svc_key]
            g = self.group(value)
            counts[g] = counts.get(g, 0) + 1
        if self.track:
            self.dirty.setdefault(svc_key, {})[sort_key] = value
        return sort_key

    def service(self, store, key: tuple) -> None:
        """The Service ``key`` changed (or is new, or gone): its entries from scratch."""
        if key in self.services:
            del self.services[key], self.reqs[key], self.order[key], self.times[key]
            self.groups.pop(key, None)
            self.by_ns[key[0]].discard(key)
        self.generation.pop(key, None)      # the records of its entries lapse
        self.dirty.pop(key, None)
        svc = store.find("services", key[0], key[1])
        if svc is None or not _wanted(svc):
            return
        if self.track:
            self.fresh.add(key)
        self._generations += 1
        generation = self.generation[key] = self._generations
        self.services[key] = svc
        self.reqs[key] = selector_from_map(svc["spec"].get("selector"))
        self.by_ns.setdefault(key[0], set()).add(key)
        self.times[key] = _Latest()
        self.order[key] = SortedDict() if self.ordered else {}
        self.groups[key] = {}
        for pod in store.select("pods", key[0], self.reqs[key]):
            pod_key = (key[0], pod["metadata"]["name"])
            kept = tuple(r for r in self.held.get(pod_key, ())
                         if r[0] != key and self.generation.get(r[0]) == r[1])
            self.held[pod_key] = kept + ((key, generation, self._add_entry(key, pod)),)

    def pod(self, store, key: tuple, feed=None) -> set[tuple]:
        """The pod ``key`` changed: its entries again; the Services it was or is in
        (``feed``: the one that gave the key, which has the pod as written)."""
        before = self.held.pop(key, ())
        pod = feed.object(store, "pods", key) if feed is not None else store.find("pods", key[0], key[1])
        if not before and (pod is None or not _serves(pod)):
            # no endpoint before, none now (a pod still without an address): nothing to
            # keep, nothing to redo (a new pod's first change costs a look, not an entry)
            return set()
        touched = set()
        generation = self.generation
        for svc_key, gen, sort_key in before:
            if generation.get(svc_key) == gen:
                touched.add(svc_key)
                if sort_key is not None:
                    self._drop_entry(svc_key, sort_key)
        if pod is not None:
            labels = pod["metadata"].get("labels")
            now = [s for s in self.by_ns.get(key[0], ()) if matches(self.reqs[s], labels)]
            if now:
                self.held[key] = tuple((s, generation[s], self._add_entry(s, pod)) for s in now)
                touched.update(now)
        return touched

    def everything(self, store) -> None:
        self.reset()
        for svc in store.list("services"):
            self.service(store, (svc["metadata"]["namespace"], svc["metadata"]["name"]))

    def changed(self, store, everything: bool, keys: dict, feed=None) -> set[tuple]:
        """The Services to redo after the changes a feed gave (all of them after a
        resync), the selection brought up to date with the Services and pods that changed."""
        if everything:
            self.everything(store)
            return set(self.services)
        todo: set[tuple] = set()
        for key in keys["services"]:
            self.service(store, key)
            todo.add(key)
        for key in keys["pods"]:
            todo |= self.pod(store, key, feed)
        return todo


def _truncate(subsets: list[dict]) -> bool:
    """Keep at most MAX_ENDPOINTS addresses, ready ones first; True when some were cut."""
    total = sum(len(s.get("addresses", [])) + len(s.get("notReadyAddresses", []))
                for s in subsets)
    if total <= MAX_ENDPOINTS:
        return False
    budget = MAX_ENDPOINTS
    for field in ("addresses", "notReadyAddresses"):
        for subset in subsets:
            kept = subset.get(field, [])[:budget]
            budget -= len(kept)
            if kept:
                subset[field] = kept
            else:
                subset.pop(field, None)
    subsets[:] = [s for s in subsets if s.get("addresses") or s.get("notReadyAddresses")]
    return True


def _service_labels(svc: dict, extra: dict) -> dict:
    labels = dict(svc["metadata"].get("labels") or {})
    if svc["spec"].get("clusterIP") == "None":
        labels["service.kubernetes.io/headless"] = ""
    labels.update(extra)
    return labels


def _address_entry(svc: dict, pod: dict):
    """A pod's place in a Service's Endpoints: (ip, uid) -> (ports key, ports, address,
    ready, trigger time)."""
    if not _serves(pod):
        return None
    ports = []
    for sp in svc["spec"].get("ports") or []:
        number = resolve_target_port(sp, pod)
        if number is None:
            continue
        entry = {"port": number, "protocol": sp.get("protocol", "TCP")}
        if sp.get("name"):
            entry = {"name": sp["name"], **entry}
        if sp.get("appProtocol"):
            entry["appProtocol"] = sp["appProtocol"]
        ports.append(entry)
    ports = alike_of([alike(p) for p in ports])
    if not ports and svc["spec"].get("ports"):
        # no address, but its times still count for the trigger annotation
        return ((pod["status"]["podIP"], pod["metadata"]["uid"]),
                (None, None, None, None, _pod_trigger(pod)))
    key = tuple(sorted((p.get("name", ""), p["port"], p["protocol"]) for p in ports))
    address = {"ip": pod["status"]["podIP"], "nodeName": pod["spec"].get("nodeName"),
               "targetRef": {"kind": "Pod", "name": pod["metadata"]["name"],
                             "namespace": pod["metadata"]["namespace"],
                             "uid": pod["metadata"]["uid"]}}
    if pod["spec"].get("hostname") and pod["spec"].get("subdomain") == svc["metadata"]["name"]:
        address = {"hostname": pod["spec"]["hostname"], **address}
    ready = svc["spec"].get("publishNotReadyAddresses", False) or pod_ready(pod)
    return ((address["ip"], pod["metadata"]["uid"]),
            (key, ports, address, ready, _pod_trigger(pod)))


class _Truncated(list):
    """The entries of a Service with more addresses than an Endpoints object holds: those
    it keeps (``total``: how many there were)."""

    def __init__(self, values: list, total: int):
        super().__init__(values)
        self.total = total


class EndpointsController:
    """Works from the change: the Services whose pods, or which themselves, changed
    since its last run."""

    name = "endpoints"
    watches = ("services", "pods", "endpoints")

    def __init__(self) -> None:
        self._feed = None
        self._selection = _Selection(_address_entry, group=lambda value: value[0])

    def sync(self, cluster: ClusterView):
        store = cluster.store
        if self._feed is None:
            self._feed = store.feed("services", "pods", "endpoints", only={"pods": endpoint_change})
        everything, keys = self._feed.take()
        sel = self._selection
        todo = sel.changed(store, everything, keys, self._feed)
        if not everything:
            todo |= keys["endpoints"]
        ep_type = store.type_of("endpoints")
        for key in sorted(todo):
            if key in sel.services:
                self._sync_service(cluster, sel.services[key], self._entries(sel, key),
                                   sel.trigger(key))
                continue
            ep = store.find(ep_type, key[0], key[1])
            if ep is not None and (ep["metadata"].get("labels") or {}).get(
                    "endpoints.kubernetes.io/managed-by") == "endpoint-controller" and \
                    store.find("services", key[0], key[1]) is None:
                store.remove(ep_type, ep)
        if everything:
            for ep in store.list(ep_type):
                key = (ep["metadata"]["namespace"], ep["metadata"]["name"])
                if store.find("services", key[0], key[1]) is None and (
                        ep["metadata"].get("labels") or {}).get(
                        "endpoints.kubernetes.io/managed-by") == "endpoint-controller":
                    store.remove(ep_type, ep)
        self._feed.take()   # its own writes: nothing more to do for them
        return None

    @staticmethod
    def _entries(sel: _Selection, key: tuple):
        """The entries the Endpoints object is made from: all of them, or, when they share
        one set of ports and are more than it holds, only the first MAX_ENDPOINTS ready
        ones in address order and as many not ready ones (what the truncation keeps), so a
        big Service costs what it shows, not all its pods."""
        groups = {g: n for g, n in sel.groups[key].items() if g is not None}
        if len(groups) != 1 or sum(groups.values()) <= MAX_ENDPOINTS:
            return sel.values(key)
        ready: list = []
        not_ready: list = []
        for value in sel.order[key].values():
            if value[0] is None:
                continue
            if value[3]:
                ready.append(value)
                if len(ready) == MAX_ENDPOINTS:
                    break
            elif len(not_ready) < MAX_ENDPOINTS:
                not_ready.append(value)
        return _Truncated(ready + not_ready[:MAX_ENDPOINTS - len(ready)], sum(groups.values()))

    def _sync_service(self, cluster: ClusterView, svc: dict, entries: list, trigger: str) -> None:
        subsets: dict[tuple, dict] = {}
        for key, ports, address, ready, _ in entries:
            if key is None:
                continue
            subset = subsets.get(key)
            if subset is None:
                subset = subsets[key] = {"addresses": [], "notReadyAddresses": [],
                                         "ports": sorted(ports, key=lambda p: (p.get("name", ""), p["port"]))}
            subset["addresses" if ready else "notReadyAddresses"].append(address)
        out = []
        for subset in subsets.values():
            out.append({k: subset[k] for k in ("addresses", "notReadyAddresses", "ports")
                        if subset[k] or k == "ports"})
        out.sort(key=lambda s: (s.get("addresses") or s.get("notReadyAddresses"))[0]["ip"])
        truncated = _truncate(out) or isinstance(entries, _Truncated)
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        existing = cluster.store.find("endpoints", ns, name)
        labels = _service_labels(svc, {"endpoints.kubernetes.io/managed-by": "endpoint-controller"})
        desired = {"apiVersion": "v1", "kind": "Endpoints",
                   "metadata": {"name": name, "namespace": ns, "labels": labels}}
        if out:
            desired["subsets"] = out
        if existing is not None:
            annotations = existing["metadata"].get("annotations") or {}
            same = existing.get("subsets") == desired.get("subsets") and \
                existing["metadata"].get("labels") == labels and \
                (OVER_CAPACITY in annotations) == truncated
            if same:
                return
            new = edit(existing)
            new["metadata"]["labels"] = labels
            new.pop("subsets", None)
            if out:
                new["subsets"] = out
            annotations = dict(new["metadata"].get("annotations") or {})
            annotations[TRIGGER] = trigger
            if truncated:
                annotations[OVER_CAPACITY] = "truncated"
            else:
                annotations.pop(OVER_CAPACITY, None)
            new["metadata"]["annotations"] = annotations
            cluster.store.write(new)
        else:
            desired["metadata"]["annotations"] = {TRIGGER: trigger}
            if truncated:
                desired["metadata"]["annotations"][OVER_CAPACITY] = "truncated"
            cluster.store.write(desired)


class _Layout:
    """Which slice holds each endpoint of a Service (by its sort key), as last written."""

    def __init__(self, ports, labels: dict):
        self.ports, self.labels = ports, labels
        self.where: dict = {}
        #: slice name -> {sort key: endpoint} it holds, in the slices' creation order (a
        #: changed slice is written again from its own endpoints)
        self.members: dict[str, dict] = {}


def _zone_change(old: dict | None, new: dict) -> bool:
    """A node write the EndpointSlice controller acts on: a node that joins, or whose
    zone moved (its endpoints carry it)."""
    return old is None or _zone_of(old) != _zone_of(new)


def _zone_of(node: dict | None) -> str | None:
    if node is None:
        return None
    return (node["metadata"].get("labels") or {}).get("topology.kubernetes.io/zone")


class EndpointSliceController:
    """Works from the change: the Services whose pods, or which themselves, changed
    since its last run; each pod's endpoint is kept, so a change to one pod costs that
    endpoint, and the slices whose endpoints stayed the same objects compare at once."""

    name = "endpointslice"
    watches = ("services", "pods", "endpointslices", "nodes")

    def __init__(self) -> None:
        self._feed = None
        self._zones: dict[str, str | None] = {}
        self._selection = _Selection(self._entry, track=True, ordered=False)
        #: per Service: which slice holds each endpoint (by sort key), as last written
        self._layout: dict[tuple, _Layout] = {}

    def _entry(self, svc: dict, pod: dict):
        """A pod's endpoint in a Service's slices: (ip, uid) -> (ports, endpoint, trigger)."""
        if not _serves(pod):
            return None
        pod_ports = []
        for sp in svc["spec"].get("ports") or []:
            number = resolve_target_port(sp, pod)
            if number is None:
                continue
            entry = {"name": sp.get("name", ""), "port": number,
                     "protocol": sp.get("protocol", "TCP")}
            if sp.get("appProtocol"):
                entry["appProtocol"] = sp["appProtocol"]
            pod_ports.append(entry)
        pod_ports = alike_of([alike(p) for p in pod_ports])
        sort_key = (pod["status"]["podIP"], pod["metadata"]["uid"])
        if svc["spec"].get("ports") and not pod_ports:
            return sort_key, (None, None, _pod_trigger(pod))
        ready = pod_ready(pod)
        publish = svc["spec"].get("publishNotReadyAddresses", False)
        ep = {"addresses": [pod["status"]["podIP"]],
              "conditions": alike({"ready": ready or publish, "serving": ready,
                                    "terminating": False}),
              "nodeName": pod["spec"].get("nodeName"),
              "targetRef": {"kind": "Pod", "name": pod["metadata"]["name"],
                            "namespace": pod["metadata"]["namespace"],
                            "uid": pod["metadata"]["uid"]}}
        if pod["spec"].get("hostname") and pod["spec"].get("subdomain") == svc["metadata"]["name"]:
            ep["hostname"] = pod["spec"]["hostname"]
        zone = self._zones.get(pod["spec"].get("nodeName") or "")
        if zone:
            ep["zone"] = zone
        return sort_key, (pod_ports, ep, _pod_trigger(pod))

    def sync(self, cluster: ClusterView):
        store = cluster.store
        if self._feed is None:
            self._feed = store.feed("services", "pods", "endpointslices", "nodes",
                                    only={"pods": endpoint_change, "nodes": _zone_change})
        everything, keys = self._feed.take()
        for key in keys["nodes"]:
            zone = _zone_of(store.find("nodes", None, key[1]))
            if self._zones.get(key[1]) != zone:
                everything = True    # a node's zone moved: every endpoint on it again
        sel = self._selection
        if everything:
            self._zones = {n["metadata"]["name"]: _zone_of(n) for n in store.list("nodes")}
        todo = sel.changed(store, everything, keys, self._feed)
        if not everything:
            for key in keys["endpointslices"]:
                # changed or removed by someone: the Services it belongs or belonged to
                # make their slices afresh
                sl = store.find("endpointslices", key[0], key[1])
                held = {service for service in sel.by_ns.get(key[0], ())
                        if key[1] in getattr(self._layout.get(service), "members", ())}
                if sl is not None:
                    name = (sl["metadata"].get("labels") or {}).get("kubernetes.io/service-name")
                    if name:
                        held.add((key[0], name))
                todo |= held
                for service in held:
                    self._layout.pop(service, None)
        rt = store.type_of("endpointslices")
        for key in sorted(todo):
            if key in sel.services:
                fresh, dirty = sel.take_dirty(key)
                layout = self._layout.get(key)
                if fresh or layout is None or not self._update(cluster, sel, key, layout, dirty):
                    self._layout[key] = self._sync_service(
                        cluster, sel.services[key], sorted(sel.order[key].items()),
                        self._slices(store, rt, key), sel.trigger(key))
            else:
                self._layout.pop(key, None)
                for sl in self._slices(store, rt, key):
                    store.remove(rt, sl)
        if everything:
            for sl in store.list(rt):
                labels = sl["metadata"].get("labels") or {}
                key = (sl["metadata"]["namespace"], labels.get("kubernetes.io/service-name", ""))
                if labels.get(MANAGED_BY) == SLICE_CONTROLLER and key not in sel.services:
                    store.remove(rt, sl)
        self._feed.take()   # its own writes: nothing more to do for them
        return None

    @staticmethod
    def _slices(store, rt, key: tuple) -> list[dict]:
        return store.select(rt, key[0], [("kubernetes.io/service-name", "Equals", (key[1],)),
                                         (MANAGED_BY, "Equals", (SLICE_CONTROLLER,))])

    def _update(self, cluster, sel: _Selection, key: tuple, layout: "_Layout",
                dirty: dict) -> bool:
        """Bring the slices up to date from the endpoints that changed: a changed or gone
        endpoint rewrites the slice that holds it, a new one goes into the first slice
        with room (in creation order), then into new slices; False when the layout must be
        made afresh (ports or labels changed, or fewer slices would do). The layout is what
        this controller last wrote: a slice someone else changed or removed drops it (the
        feed says so), so only the slices that change are read, and a sync costs the
        changes and a walk over the slices' names, not a sort of them."""
        svc = sel.services[key]
        labels = _service_labels(svc, {"kubernetes.io/service-name": svc["metadata"]["name"],
                                       MANAGED_BY: SLICE_CONTROLLER})
        if labels != layout.labels:
            return False
        for value in dirty.values():
            if value is not None and value[1] is not None and (value[0] or None) != layout.ports:
                return False    # an endpoint with other ports than the slices': afresh
        changed: set[str] = set()
        new: list = []
        for sort_key, value in dirty.items():
            name = layout.where.get(sort_key)
            live = value is not None and value[1] is not None
            if name is not None:
                changed.add(name)
                if live:
                    layout.members[name][sort_key] = value[1]
                else:
                    del layout.members[name][sort_key], layout.where[sort_key]
            elif live:
                new.append((sort_key, value[1]))
        total = len(layout.where) + len(new)
        if len(layout.members) > max(1, -(-total // MAX_SLICE_ENDPOINTS)):
            return False        # fewer slices would hold them: packed afresh
        new.sort(key=lambda item: item[0])
        placed = 0
        for name, members in layout.members.items():    # in the slices' creation order
            if placed == len(new):
                break
            while placed < len(new) and len(members) < MAX_SLICE_ENDPOINTS:
                sort_key, endpoint = new[placed]
                members[sort_key] = endpoint
                layout.where[sort_key] = name
                placed += 1
                changed.add(name)
        new = new[placed:]
        trigger = lambda: sel.trigger(key)  # noqa: E731
        rt = cluster.store.type_of("endpointslices")
        for name in sorted(changed):
            members = layout.members[name]
            endpoints = [members[k] for k in sorted(members)] or None
            current = cluster.store.find(rt, key[0], name)
            if current is None:
                return False
            if current.get("endpoints") == endpoints:
                continue
            written = edit(current)
            written["endpoints"] = endpoints
            written["metadata"]["annotations"] = {**(current["metadata"].get("annotations") or {}),
                                                  TRIGGER: trigger()}
            cluster.store.write(written)
        body = {"addressType": "IPv4", "ports": layout.ports}
        for i in range(0, len(new), MAX_SLICE_ENDPOINTS):
            chunk = new[i:i + MAX_SLICE_ENDPOINTS]
            name = self._name(cluster, svc)
            obj = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                   "metadata": {"name": name, "generateName": svc["metadata"]["name"] + "-",
                                "namespace": svc["metadata"]["namespace"], "labels": labels,
                                "annotations": {TRIGGER: trigger()},
                                "ownerReferences": [owner_reference(svc)]}}
            obj.update(body, endpoints=[endpoint for _, endpoint in chunk])
            cluster.store.write(obj)
            layout.members[name] = dict(chunk)
            for sort_key, _ in chunk:
                layout.where[sort_key] = name
        return True

    def _sync_service(self, cluster, svc, items, slices, trigger_time: str) -> "_Layout":
        """The Service's slices afresh: its endpoints in address order, 100 a slice, in
        the slices' creation order; the layout written."""
        endpoints = []
        keys = []
        ports = None
        for sort_key, (pod_ports, ep, _) in items:
            if ep is None:
                continue
            ports = pod_ports if ports is None else ports
            endpoints.append(ep)
            keys.append(sort_key)
        trigger = lambda: trigger_time  # noqa: E731

        labels = _service_labels(svc, {"kubernetes.io/service-name": svc["metadata"]["name"],
                                       MANAGED_BY: SLICE_CONTROLLER})
        desired_body = {"addressType": "IPv4", "endpoints": endpoints or None,
                        "ports": ports if ports is not None else
                        ([] if not svc["spec"].get("ports") else None)}
        if desired_body["ports"] == []:
            desired_body["ports"] = None
        chunks = [endpoints[i:i + MAX_SLICE_ENDPOINTS]
                  for i in range(0, len(endpoints), MAX_SLICE_ENDPOINTS)] or [None]
        layout = _Layout(desired_body["ports"], labels)
        slices = sorted(slices, key=lambda sl: (sl["metadata"]["creationTimestamp"],
                                                sl["metadata"]["name"]))
        for extra in slices[len(chunks):]:
            cluster.store.remove(cluster.store.type_of("endpointslices"), extra)
        for i, chunk in enumerate(chunks):
            body = dict(desired_body, endpoints=chunk)
            current = slices[i] if i < len(slices) else None
            name = current["metadata"]["name"] if current is not None else self._name(cluster, svc)
            members = dict(zip(keys[i * MAX_SLICE_ENDPOINTS:(i + 1) * MAX_SLICE_ENDPOINTS],
                               chunk or ()))
            layout.members[name] = members
            for sort_key in members:
                layout.where[sort_key] = name
            if current is not None:
                if {k: current.get(k) for k in ("addressType", "endpoints", "ports")} == body \
                        and current["metadata"].get("labels") == labels:
                    continue
                new = edit(current)
                new["metadata"]["labels"] = labels
                new.update(body)
                new["metadata"]["annotations"] = {**(new["metadata"].get("annotations") or {}),
                                                  TRIGGER: trigger()}
                cluster.store.write(new)
                continue
            obj = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                   "metadata": {"name": name,
                                "generateName": svc["metadata"]["name"] + "-",
                                "namespace": svc["metadata"]["namespace"], "labels": labels,
                                "annotations": {TRIGGER: trigger()},
                                "ownerReferences": [owner_reference(svc)]}}
            obj.update(body)
            cluster.store.write(obj)
        return layout

    @staticmethod
    def _name(cluster, svc) -> str:
        while True:
            name = f"{svc['metadata']['name']}-{random_suffix(cluster.rng)}"
            if cluster.store.find("endpointslices", svc["metadata"]["namespace"], name) is None:
                return name


class EndpointSliceMirroringController:
    """Selector-less Services with hand-made Endpoints get a mirrored EndpointSlice."""

    name = "endpointslicemirroring"
    watches = ("services", "endpoints", "endpointslices")

    def sync(self, cluster: ClusterView):
        store = cluster.store
        rt = store.type_of("endpointslices")
        mirrored: dict[tuple, list[dict]] = {}
        for sl in store.list(rt):
            if (sl["metadata"].get("labels") or {}).get(MANAGED_BY) == MIRROR_CONTROLLER:
                key = (sl["metadata"]["namespace"],
                       sl["metadata"]["labels"].get("kubernetes.io/service-name", ""))
                mirrored.setdefault(key, []).append(sl)
        wanted = set()
        for ep in store.list("endpoints"):
            labels = ep["metadata"].get("labels") or {}
            if labels.get("endpointslice.kubernetes.io/skip-mirror") == "true" or \
                    labels.get("endpoints.kubernetes.io/managed-by") == "endpoint-controller":
                continue
            svc = store.find("services", ep["metadata"]["namespace"], ep["metadata"]["name"])
            if svc is None or svc["spec"].get("selector"):
                continue
            key = (ep["metadata"]["namespace"], ep["metadata"]["name"])
            wanted.add(key)
            self._mirror(cluster, svc, ep, mirrored.get(key, []))
        for key, slices in mirrored.items():
            if key not in wanted:
                for sl in slices:
                    store.remove(rt, sl)
        return None

    def _mirror(self, cluster, svc, ep, slices) -> None:
        endpoints, ports = [], None
        for subset in ep.get("subsets") or []:
            sub_ports = [{"name": p.get("name", ""), "port": p.get("port"),
                          "protocol": p.get("protocol", "TCP")} for p in subset.get("ports") or []]
            ports = sub_ports if ports is None else ports
            for ready, field in ((True, "addresses"), (False, "notReadyAddresses")):
                for addr in subset.get(field) or []:
                    entry = {"addresses": [addr["ip"]],
                             "conditions": {"ready": ready}}
                    if addr.get("hostname"):
                        entry["hostname"] = addr["hostname"]
                    if addr.get("nodeName"):
                        entry["nodeName"] = addr["nodeName"]
                    if addr.get("targetRef"):
                        entry["targetRef"] = addr["targetRef"]
                    endpoints.append(entry)
        labels = dict(svc["metadata"].get("labels") or {})
        labels.update({"kubernetes.io/service-name": svc["metadata"]["name"],
                       MANAGED_BY: MIRROR_CONTROLLER})
        body = {"addressType": "IPv4", "endpoints": endpoints or None, "ports": ports}
        current = slices[0] if slices else None
        if current is not None:
            if {k: current.get(k) for k in body} == body and \
                    current["metadata"].get("labels") == labels:
                return
            new = clone(current)
            new["metadata"]["labels"] = labels
            new.update(clone(body))
            cluster.store.write(new)
            return
        name = EndpointSliceController._name(cluster, svc)
        obj = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
               "metadata": {"name": name, "generateName": svc["metadata"]["name"] + "-",
                            "namespace": svc["metadata"]["namespace"], "labels": labels,
                            "annotations": {"endpoints.kubernetes.io/last-change-trigger-time":
                                            ep["metadata"]["creationTimestamp"]},
                            "ownerReferences": [owner_reference(svc)]}}
        obj.update(clone(body))
        cluster.store.write(obj)
