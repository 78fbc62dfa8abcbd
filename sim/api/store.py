"""The object store: what etcd plus the API server's registry would hold and answer."""

from __future__ import annotations

import marshal
from collections import deque
from dataclasses import dataclass, field
from random import Random
from typing import Callable, Iterable, Protocol

from sortedcontainers import SortedDict

from . import errors
from .errors import ApiError
from .objects import alike, clone, new_uid, random_suffix
from .registry import Registry, ResourceType
from .selectors import (field_matcher, matches, parse_field_selector,
                        parse_label_selector)


class Admission(Protocol):
    """Defaulting, allocation and validation run on every user write."""

    def admit_create(self, rt: ResourceType, obj: dict, field_validation: str,
                     dry_run: bool, typed: bool = False) -> list[str]: ...

    def admit_update(self, rt: ResourceType, obj: dict, old: dict, field_validation: str,
                     dry_run: bool) -> list[str]: ...

    def release(self, rt: ResourceType, obj: dict) -> None: ...


class _NoAdmission:
    def admit_create(self, rt, obj, field_validation, dry_run, typed=False):
        return []

    def admit_update(self, rt, obj, old, field_validation, dry_run):
        return []

    def release(self, rt, obj):
        return None


# Types whose status is a subresource: a user's update leaves it alone.
#: how many of the latest writes the store keeps for watches (Store.changes)
CHANGES_KEPT = 20000

_STATUS_SUBRESOURCE = {"pods", "deployments", "replicasets", "statefulsets", "daemonsets",
                       "services", "nodes", "namespaces", "ingresses", "jobs", "cronjobs",
                       "replicationcontrollers", "horizontalpodautoscalers",
                       "persistentvolumeclaims", "persistentvolumes", "resourcequotas"}


class ChangeFeed:
    """The keys of the objects of some types written since the last ``take``: a controller's
    work queue, as an informer's event handlers fill the real controller-manager's; with
    each key, the object as last written (None: removed), as the handlers get it.

    The first ``take`` says ``everything``: the controller starts with a full look."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names
        self.everything = True
        self.keys: dict[str, set[tuple[str, str]]] = {n: set() for n in names}
        self.latest: dict[str, dict[tuple[str, str], dict | None]] = {n: {} for n in names}
        #: what the last ``take`` took: per type, each key's object as last written
        self.taken: dict[str, dict[tuple[str, str], dict | None]] = {n: {} for n in names}

    def take(self) -> tuple[bool, dict[str, set[tuple[str, str]]]]:
        """(everything, {type name: {(namespace, name)}}) since the last take (the objects
        with them in ``taken``)."""
        everything, keys = self.everything, self.keys
        self.taken = self.latest
        self.everything = False
        self.keys = {n: set() for n in self.names}
        self.latest = {n: {} for n in self.names}
        return everything, keys

    def object(self, store: "Store", name: str, key: tuple[str, str]) -> dict | None:
        """The object under a key the last take gave: as written, without a lookup."""
        taken = self.taken[name]
        if key in taken:
            return taken[key]
        return store.find(name, key[0] or None, key[1])

    def pending(self) -> bool:
        return self.everything or any(self.keys.values())


def _owner_uid(md: dict) -> str | None:
    for ref in md.get("ownerReferences") or ():
        if ref.get("controller"):
            return ref.get("uid")
    return None


#: an index's keys for one value: a tuple up to this many, then a set
_FEW_KEYS = 8
_Keys = "tuple[tuple[str, str], ...] | set[tuple[str, str]]"

#: the field each type is indexed by (a field selector with its equality reads the index)
FIELD_INDEXES = {"pods": ("spec", "nodeName"), "events": ("involvedObject", "uid")}

#: types whose objects are kept encoded (marshal), as etcd keeps every object: written
#: often, read rarely, and many (five events per pod), they take a third of the memory
ENCODED_TYPES = frozenset({"events"})


class _Encoded:
    """A table's objects as marshal bytes behind the part of SortedDict's interface the
    store uses: a write encodes, each read decodes a copy (read-only, as any stored object
    is). The objects are JSON-shaped, which marshal keeps exactly (order of keys too)."""

    def __init__(self):
        self._data = SortedDict()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key) -> bool:
        return key in self._data

    def __iter__(self):
        return iter(self._data)

    def __getitem__(self, key) -> dict:
        return marshal.loads(self._data[key])

    def __setitem__(self, key, obj: dict) -> None:
        self._data[key] = marshal.dumps(obj)

    def get(self, key, default=None):
        found = self._data.get(key)
        return default if found is None else marshal.loads(found)

    def pop(self, key, default=None):
        found = self._data.pop(key, None)
        return default if found is None else marshal.loads(found)

    def values(self):
        return (marshal.loads(data) for data in self._data.values())

    def irange(self, *args, **kwargs):
        return self._data.irange(*args, **kwargs)

    def bisect_left(self, key) -> int:
        return self._data.bisect_left(key)

    def bisect_right(self, key) -> int:
        return self._data.bisect_right(key)


@dataclass
class _Table:
    """One type's objects, sorted by (namespace, name) as etcd keys sort (a namespace's
    objects are a range of them), with indexes: by label, by controller (owner uid) and
    by the type's indexed field (FIELD_INDEXES)."""

    rt: ResourceType
    items: SortedDict | _Encoded = field(default_factory=SortedDict)
    # each index maps a value to its objects' keys: a tuple while they are few (most labels,
    # owners and fields have a handful of objects: a set each would be most of the index's
    # memory), a set when more
    by_label: dict[tuple[str, str], _Keys] = field(default_factory=dict)
    by_owner: dict[str, _Keys] = field(default_factory=dict)
    #: by the value of the type's indexed field (FIELD_INDEXES): pods by node, events by
    #: the uid of their object
    by_field: dict[str, _Keys] = field(default_factory=dict)
    revision: int = 0

    def put(self, obj: dict) -> None:
        md = obj["metadata"]
        key = (md.get("namespace", ""), md["name"])
        old = self.items.get(key)
        if old is not None:
            self._unindex(key, old, obj)
        self.items[key] = obj
        old_md = old["metadata"] if old is not None else None
        labels = md.get("labels")
        if old_md is None or old_md.get("labels") is not labels:
            for k, v in (labels or {}).items():
                _add(self.by_label, (k, v), key)
        owner = _owner_uid(md)
        if owner is not None:
            _add(self.by_owner, owner, key)
        value = self._field(obj)
        if value:
            _add(self.by_field, value, key)

    def in_namespace(self, namespace: str) -> list[dict]:
        """One namespace's objects in key order: a range of the sorted keys."""
        items = self.items
        return [items[k] for k in items.irange(minimum=(namespace, ""),
                                               maximum=(namespace + "\x00", ""),
                                               inclusive=(True, False))]

    def remove(self, key: tuple[str, str]) -> dict | None:
        old = self.items.pop(key, None)
        if old is not None:
            self._unindex(key, old, None)
        return old

    def _unindex(self, key: tuple[str, str], obj: dict, new: dict | None) -> None:
        md = obj["metadata"]
        labels = md.get("labels")
        if new is None or new["metadata"].get("labels") is not labels:
            for k, v in (labels or {}).items():
                _discard(self.by_label, (k, v), key)
        owner = _owner_uid(md)
        if owner is not None:
            _discard(self.by_owner, owner, key)
        value = self._field(obj)
        if value:
            _discard(self.by_field, value, key)

    def _field(self, obj: dict) -> str | None:
        path = FIELD_INDEXES.get(self.rt.plural)
        if path is None:
            return None
        value = obj.get(path[0])
        return value.get(path[1]) if isinstance(value, dict) else None


def _add(index: dict, value, key: tuple[str, str]) -> None:
    keys = index.get(value)
    if keys is None:
        index[value] = (key,)
    elif type(keys) is tuple:
        if key not in keys:
            index[value] = keys + (key,) if len(keys) < _FEW_KEYS else {*keys, key}
    else:
        keys.add(key)


def _discard(index: dict, value, key: tuple[str, str]) -> None:
    keys = index.get(value)
    if keys is None:
        return
    if type(keys) is tuple:
        if key in keys:
            left = tuple(k for k in keys if k != key)
            if left:
                index[value] = left
            else:
                del index[value]
    else:
        keys.discard(key)
        if not keys:
            del index[value]


class Store:
    """Kubernetes-shaped dicts by type, namespace and name.

    Objects handed out by ``get`` and ``list`` are the stored ones: treat them as
    read-only, and pass a changed copy (``sim.api.objects.clone``) to ``update``.
    """

    def __init__(self, registry: Registry, rng: Random, now: Callable[[], str],
                 admission: Admission | None = None):
        self.registry = registry
        self.rng = rng
        self._now = now
        self.admission: Admission = admission or _NoAdmission()
        self._tables: dict[ResourceType, _Table] = {
            rt: _Table(rt, _Encoded()) if rt.plural in ENCODED_TYPES else _Table(rt)
            for rt in registry}
        self.revision = 0
        self.warnings: list[str] = []
        #: uid -> (type, namespace, name) of every stored object but the encoded ones, which
        #: own nothing (owner lookups: ``by_uid``)
        self.uids: dict[str, tuple[ResourceType, str, str]] = {}
        #: (uid, propagation) of objects removed since the garbage collector last looked
        self.deleted: list[tuple[str, str]] = []
        self.on_delete: list[Callable[[ResourceType, dict, str], None]] = []
        #: the latest writes as a watch reads them: (revision, "ADDED" | "MODIFIED" |
        #: "DELETED", type, object), oldest first, the last CHANGES_KEPT of them
        self.changes: deque[tuple[int, str, ResourceType, dict]] = deque(maxlen=CHANGES_KEPT)
        #: the controllers' work queues, per type (``feed``), each with its filter
        self._feeds: dict[ResourceType, list[tuple[ChangeFeed, str, Callable | None]]] = {}

    def feed(self, *resources: str, only: dict[str, Callable] | None = None) -> ChangeFeed:
        """A work queue of the keys of ``resources`` written from now on (every write:
        create, replace, removal). ``only``: per resource, ``test(old, new)`` asked as an
        object is made (``old`` None) or replaced, while both are at hand, as an informer's
        event handler compares them: its key is queued only when the test says the write
        matters (a removal always does)."""
        queue = ChangeFeed(tuple(resources))
        for name in resources:
            test = (only or {}).get(name)
            self._feeds.setdefault(self.type_of(name), []).append((queue, name, test))
        return queue

    def _changed(self, rt: ResourceType, key: tuple[str, str], old: dict | None = None,
                 new: dict | None = None) -> None:
        for queue, name, test in self._feeds.get(rt, ()):
            queued = queue.keys[name]
            # a key already queued takes every write (its object stays the latest)
            if key in queued or test is None or new is None or test(old, new):
                queued.add(key)
                queue.latest[name][key] = new

    # -- types ---------------------------------------------------------------------

    def type_of(self, resource: str | ResourceType) -> ResourceType:
        """``pods``, ``deployments.apps`` or a ResourceType; the core type for a bare plural."""
        return self.registry.lookup(resource)

    def type_for_object(self, obj: dict) -> ResourceType:
        return self.registry.for_object(obj)

    def table_revision(self, resource: str | ResourceType) -> int:
        return self._tables[self.type_of(resource)].revision

    def _next_revision(self) -> str:
        self.revision += 1
        return str(self.revision)

    # -- reads ---------------------------------------------------------------------

    def get(self, resource: str | ResourceType, namespace: str | None, name: str) -> dict:
        rt = self.type_of(resource)
        ns = (namespace or "default") if rt.namespaced else ""
        obj = self._tables[rt].items.get((ns, name))
        if obj is None:
            raise errors.not_found(rt.plural, rt.group, name)
        return obj

    def find(self, resource: str | ResourceType, namespace: str | None, name: str) -> dict | None:
        rt = self.type_of(resource)
        ns = (namespace or "default") if rt.namespaced else ""
        return self._tables[rt].items.get((ns, name))

    def list(self, resource: str | ResourceType, namespace: str | None = None,
             label_selector: str | list | None = None,
             field_selector: str | None = None) -> list[dict]:
        """Objects sorted by namespace then name; ``namespace=None`` means all namespaces.

        ``label_selector`` is the string form (``app=x,tier in (a,b)``) or parsed
        requirements (sim.api.selectors).
        """
        rt = self.type_of(resource)
        table = self._tables[rt]
        reqs = parse_label_selector(label_selector) if isinstance(label_selector, str) \
            else label_selector
        candidates: Iterable[dict]
        equal = [r for r in reqs or [] if r[1] == "Equals" or (r[1] == "In" and len(r[2]) == 1)]
        fields = parse_field_selector(field_selector) if field_selector else []
        path = FIELD_INDEXES.get(rt.plural)
        indexed = next((f.value for f in fields if f.equal and f.path == path and f.value),
                       None) if path is not None else None
        if indexed is not None and not equal:
            # the pods of a node (describe node, the kubelet's view), the events of an
            # object (describe): the field index
            keys = table.by_field.get(indexed, set())
            if namespace is not None:
                keys = {k for k in keys if k[0] == namespace}
            candidates = [table.items[k] for k in sorted(keys)]
        elif equal:
            key, _, values = equal[0]
            keys = table.by_label.get((key, values[0]), set())
            if namespace is not None and rt.namespaced:
                keys = {k for k in keys if k[0] == namespace}
            candidates = [table.items[k] for k in sorted(keys)]
        elif namespace is not None and rt.namespaced:
            candidates = table.in_namespace(namespace)
        else:
            candidates = table.items.values()
        out = [o for o in candidates
               if not reqs or matches(reqs, o["metadata"].get("labels"))]
        if fields:
            match = field_matcher(fields)
            out = [o for o in out if match(o)]
        return out

    def select(self, resource: str | ResourceType, namespace: str | None,
               label_selector: list | None) -> list[dict]:
        """What ``list`` answers for parsed requirements, in no particular order: for
        controllers, which need no sorting (the label index, without a scan)."""
        rt = self.type_of(resource)
        table = self._tables[rt]
        reqs = label_selector or []
        equal = [r for r in reqs if r[1] == "Equals" or (r[1] == "In" and len(r[2]) == 1)]
        if equal:
            # the rarest of the equalities first: the fewest candidates
            sets = [table.by_label.get((k, values[0]), set()) for k, _, values in equal]
            keys = min(sets, key=len)
            items = table.items
            if namespace is not None and rt.namespaced:
                candidates = [items[k] for k in keys if k[0] == namespace]
            else:
                candidates = [items[k] for k in keys]
        elif namespace is not None and rt.namespaced:
            candidates = table.in_namespace(namespace)
        else:
            candidates = list(table.items.values())
        if not reqs:
            return candidates
        return [o for o in candidates if matches(reqs, o["metadata"].get("labels"))]

    def owned_by(self, resource: str | ResourceType, uid: str) -> list[dict]:
        """The objects of a type whose controller (ownerReference) has this uid."""
        table = self._tables[self.type_of(resource)]
        return [table.items[k] for k in table.by_owner.get(uid, ())]

    def pods_on(self, node: str) -> list[dict]:
        """The pods bound to a node."""
        table = self._tables[self.type_of("pods")]
        return [table.items[k] for k in table.by_field.get(node, ())]

    def keys_after(self, resource: str | ResourceType, namespace: str | None,
                   start: tuple[str, str] | None):
        """The objects of a type (in a namespace, or all) after the key ``start``, in key
        order, lazily: a page of a list without going through what came before it."""
        rt = self.type_of(resource)
        items = self._tables[rt].items
        if namespace is not None and rt.namespaced:
            low = max(start, (namespace, "")) if start is not None else (namespace, "")
            for key in items.irange(minimum=low, inclusive=(start is None or low != start, True)):
                if key[0] != namespace:
                    break
                yield items[key]
        else:
            for key in items.irange(minimum=start, inclusive=(start is None, True)):
                yield items[key]

    def count_after(self, resource: str | ResourceType, namespace: str | None,
                    key: tuple[str, str]) -> int:
        """How many objects of a type (in a namespace, or all) come after the key ``key``."""
        rt = self.type_of(resource)
        items = self._tables[rt].items
        end = items.bisect_left((namespace + "\x00",)) if namespace is not None and rt.namespaced \
            else len(items)
        return max(0, end - items.bisect_right(key))

    def by_uid(self, uid: str) -> dict | None:
        """The object with this uid, of any type that may own others (not events)."""
        found = self.uids.get(uid)
        if found is None:
            return None
        rt, ns, name = found
        return self._tables[rt].items.get((ns, name))

    def count(self, resource: str | ResourceType) -> int:
        return len(self._tables[self.type_of(resource)].items)

    # -- user writes (admission: defaulting, allocation, validation) ----------------

    def create(self, obj: dict, dry_run: bool = False, field_validation: str = "Strict",
               typed: bool = False) -> dict:
        """Admit and store a new object. ``typed``: it was built by the cluster's own
        controllers from stored (decoded) parts, as the real ones build Go structs, so the
        decoding of a client's JSON is skipped; defaulting and validation still run."""
        rt = self.type_for_object(obj)
        obj = clone(obj)
        md = obj.setdefault("metadata", {})
        if rt.namespaced:
            md["namespace"] = md.get("namespace") or "default"
            if not self._tables[self.registry.get("namespaces")].items.get(("", md["namespace"])):
                if not (rt.plural == "namespaces"):
                    raise errors.not_found("namespaces", "", md["namespace"])
        else:
            md.pop("namespace", None)
        if not md.get("name") and md.get("generateName"):
            md["name"] = self._generate_name(rt, md.get("namespace", ""), md["generateName"])
        self.warnings = self.admission.admit_create(rt, obj, field_validation, dry_run, typed)
        if typed:
            # what a controller's objects hold alike (the pods of a ReplicaSet: its labels,
            # their owner reference) is one object for all of them
            for part in ("labels", "ownerReferences"):
                if md.get(part):
                    md[part] = alike(md[part])
        key = (md.get("namespace", ""), md["name"])
        if key in self._tables[rt].items:
            raise errors.already_exists(rt.plural, rt.group, md["name"])
        if dry_run:
            md.setdefault("uid", new_uid(self.rng))
            md.setdefault("creationTimestamp", self._now())
            return obj
        return self._insert(rt, obj)

    def update(self, obj: dict, dry_run: bool = False, field_validation: str = "Strict",
               subresource: str | None = None) -> dict:
        """Replace an object (PUT). The status of types with a status subresource is kept
        unless ``subresource="status"``, which replaces the status only."""
        rt = self.type_for_object(obj)
        md = obj.get("metadata") or {}
        ns = (md.get("namespace") or "default") if rt.namespaced else ""
        old = self._tables[rt].items.get((ns, md.get("name", "")))
        if old is None:
            raise errors.not_found(rt.plural, rt.group, md.get("name", ""))
        rv = md.get("resourceVersion")
        if rv and rv != old["metadata"].get("resourceVersion"):
            raise errors.conflict(rt.plural, rt.group, md["name"],
                                  "the object has been modified; please apply your changes "
                                  "to the latest version and try again")
        if subresource == "status":
            new = clone(old)
            if "status" in obj:
                new["status"] = clone(obj["status"])
            return self._replace(rt, new, old) if not dry_run else new
        new = clone(obj)
        new_md = new.setdefault("metadata", {})
        if rt.namespaced:
            new_md["namespace"] = ns
        for keep in ("uid", "creationTimestamp", "generation", "deletionTimestamp",
                     "deletionGracePeriodSeconds"):
            if keep in old["metadata"]:
                new_md[keep] = old["metadata"][keep]
            else:
                new_md.pop(keep, None)
        if rt.plural in _STATUS_SUBRESOURCE:
            if "status" in old:
                new["status"] = clone(old["status"])
            else:
                new.pop("status", None)
        self.warnings = self.admission.admit_update(rt, new, old, field_validation, dry_run)
        if dry_run:
            return new
        return self._replace(rt, new, old)

    def update_status(self, obj: dict) -> dict:
        return self.update(obj, subresource="status")

    def patch(self, resource: str | ResourceType, namespace: str | None, name: str,
              patch: dict | list, patch_type: str = "strategic", dry_run: bool = False,
              field_validation: str = "Strict") -> dict:
        from .patch import apply_patch

        rt = self.type_of(resource)
        old = self.get(rt, namespace, name)
        new = apply_patch(old, patch, patch_type)
        new.setdefault("metadata", {})["resourceVersion"] = old["metadata"]["resourceVersion"]
        new["apiVersion"], new["kind"] = old["apiVersion"], old["kind"]
        return self.update(new, dry_run=dry_run, field_validation=field_validation)

    def delete(self, resource: str | ResourceType, namespace: str | None, name: str,
               propagation: str = "Background", dry_run: bool = False,
               grace_period: int | None = None) -> dict:
        """Delete; dependents go by garbage collection (Background), are orphaned (Orphan),
        or go first (Foreground: done at once here). Running pods terminate gracefully:
        they get a deletionTimestamp and the kubelet removes them once stopped."""
        rt = self.type_of(resource)
        obj = self.get(rt, namespace, name)
        if dry_run:
            return obj
        if rt.plural == "namespaces":
            if name in ("default", "kube-system", "kube-public", "kube-node-lease"):
                raise errors.ApiError(403, "Forbidden",
                                      f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                                      {"name": name, "kind": "namespaces"})
            if obj["metadata"].get("deletionTimestamp"):
                return obj
            new = clone(obj)
            new["metadata"]["deletionTimestamp"] = self._now()
            new.setdefault("status", {})["phase"] = "Terminating"
            return self._replace(rt, new, obj)
        if rt.plural == "pods" and obj.get("spec", {}).get("nodeName") and grace_period != 0:
            if obj["metadata"].get("deletionTimestamp"):
                return obj
            grace = obj["spec"].get("terminationGracePeriodSeconds", 30) \
                if grace_period is None else grace_period
            new = clone(obj)
            new["metadata"]["deletionTimestamp"] = self._now()
            new["metadata"]["deletionGracePeriodSeconds"] = grace
            return self._replace(rt, new, obj)
        if obj["metadata"].get("finalizers") and rt.plural != "pods":
            # the controllers that put the finalizers there finish the deletion
            if obj["metadata"].get("deletionTimestamp"):
                return obj
            new = clone(obj)
            new["metadata"]["deletionTimestamp"] = self._now()
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            return self._replace(rt, new, obj)
        return self.remove(rt, obj, propagation)

    # -- internal writes (controllers) ------------------------------------------------

    def write(self, obj: dict) -> dict:
        """Create or replace without admission, as a controller with the object's full
        state would (spec and status). A write that changes nothing is not a write.

        The store takes the object over: its parts become the stored object's (shared,
        not copied: stored objects are never changed in place), so the caller must not
        change them afterwards. Build the new state from the old one with
        ``sim.api.objects.edit``, which copies only the parts that change."""
        rt = self.type_for_object(obj)
        md = obj["metadata"]
        key = (md.get("namespace", "") if rt.namespaced else "", md["name"])
        old = self._tables[rt].items.get(key)
        obj = dict(obj)
        obj["metadata"] = dict(md)
        if old is None:
            return self._insert(rt, obj)
        return self._replace(rt, obj, old, internal=True)

    def remove(self, rt: ResourceType, obj: dict, propagation: str = "Background") -> dict:
        """Take an object out for good (the end of a deletion)."""
        md = obj["metadata"]
        key = (md.get("namespace", ""), md["name"])
        table = self._tables[rt]
        gone = table.remove(key)
        if gone is None:
            return obj
        self.uids.pop(gone["metadata"].get("uid", ""), None)
        self.deleted.append((gone["metadata"].get("uid", ""), propagation))
        self.admission.release(rt, gone)
        self._changed(rt, key)
        table.revision = int(self._next_revision())
        self.changes.append((self.revision, "DELETED", rt, gone))
        for hook in self.on_delete:
            hook(rt, gone, propagation)
        return gone

    def _generate_name(self, rt: ResourceType, namespace: str, prefix: str) -> str:
        table = self._tables[rt].items
        while True:
            name = prefix + random_suffix(self.rng)
            if (namespace, name) not in table:
                return name

    def _insert(self, rt: ResourceType, obj: dict) -> dict:
        md = obj["metadata"]
        md.setdefault("uid", new_uid(self.rng))
        md["resourceVersion"] = self._next_revision()
        md.setdefault("creationTimestamp", self._now())
        if rt.generation:
            md["generation"] = 1
        table = self._tables[rt]
        table.put(obj)
        table.revision = self.revision
        key = (md.get("namespace", ""), md["name"])
        if rt.plural not in ENCODED_TYPES:
            self.uids[md["uid"]] = (rt, key[0], key[1])
        self._changed(rt, key, None, obj)
        self.changes.append((self.revision, "ADDED", rt, obj))
        return obj

    def _replace(self, rt: ResourceType, new: dict, old: dict, internal: bool = False) -> dict:
        new_md = new["metadata"]
        new_md["resourceVersion"] = old["metadata"]["resourceVersion"]
        if rt.generation and internal and rt.plural == "pods":
            # binding and status writes are subresources: no new generation
            new_md["generation"] = old["metadata"].get("generation", 1)
        elif rt.generation:
            new_md["generation"] = old["metadata"].get("generation", 1)
            if new.get("spec") != old.get("spec"):
                new_md["generation"] += 1
        if new == old:
            return old
        if (new_md.get("deletionTimestamp") and not new_md.get("finalizers")
                and rt.plural not in ("pods", "namespaces")):
            return self.remove(rt, new)  # the last finalizer is gone
        new_md["resourceVersion"] = self._next_revision()
        table = self._tables[rt]
        table.put(new)
        table.revision = self.revision
        self._changed(rt, (new_md.get("namespace", ""), new_md["name"]), old, new)
        self.changes.append((self.revision, "MODIFIED", rt, new))
        return new
