"""Resource types as kubectl's RESTMapper finds them, and the builder's argument forms.

The registry (``cluster.resources``) is the single table of kinds, plurals, short names
and categories; this module only reads it.  The argument forms are those of
cli-runtime's resource.Builder: ``TYPE[,TYPE…] [NAME…]`` and ``TYPE/NAME …``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.kubectl.errors import fail

# The "all" category as the API server's discovery lists it, in discovery order.
_ALL_FALLBACK = ("pods", "replicationcontrollers", "services", "daemonsets", "deployments",
                 "replicasets", "statefulsets", "horizontalpodautoscalers", "cronjobs", "jobs")


@dataclass(frozen=True)
class ResourceType:
    resource: str            # plural: "deployments"
    kind: str                # "Deployment"
    group: str = ""          # "apps"
    version: str = "v1"
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    singular: str = ""
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def kind_ref(self) -> str:
        """``deployment.apps``: how kubectl names the type in ``x/NAME verb`` lines."""
        low = self.kind.lower()
        return f"{low}.{self.group}" if self.group else low

    @property
    def resource_ref(self) -> str:
        """``deployments.apps``: how the API server names the type in its messages."""
        return f"{self.resource}.{self.group}" if self.group else self.resource


def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return default


def _convert(entry: Any) -> ResourceType:
    if isinstance(entry, ResourceType):
        return entry
    group = _attr(entry, "group", default="") or ""
    version = _attr(entry, "version", default="") or ""
    api_version = _attr(entry, "api_version", "apiVersion", default="")
    if not version and api_version:
        group, _, version = api_version.rpartition("/")
    return ResourceType(
        resource=_attr(entry, "resource", "plural", "name"),
        kind=_attr(entry, "kind"),
        group=group,
        version=version or "v1",
        namespaced=bool(_attr(entry, "namespaced", default=True)),
        short_names=tuple(_attr(entry, "short_names", "shortNames", default=()) or ()),
        singular=_attr(entry, "singular", "singular_name", "singularName", default="") or "",
        categories=tuple(_attr(entry, "categories", default=()) or ()),
        verbs=tuple(_attr(entry, "verbs", default=()) or ()),
    )


def all_types(cluster: Any) -> list[ResourceType]:
    reg = cluster.resources
    for getter in ("all", "list", "types", "entries"):
        fn = getattr(reg, getter, None)
        if callable(fn):
            return [_convert(e) for e in fn()]
    return [_convert(e) for e in reg]


def _matches(t: ResourceType, token: str) -> bool:
    name, _, group = token.partition(".")
    low = name.lower()
    if group:
        # "deployments.apps", "pods.v1.", "deployments.v1.apps"
        version, _, rest = group.partition(".")
        if version.startswith("v") and version[1:2].isdigit():
            if version != t.version or rest != t.group:
                return False
        elif group != t.group:
            return False
        return low in (t.resource, t.singular or t.kind.lower(), t.kind.lower())
    return low in (t.resource, t.singular or t.kind.lower(), t.kind.lower(), *t.short_names)


def find_type(cluster: Any, token: str) -> ResourceType | None:
    reg = cluster.resources
    fn = getattr(reg, "resolve", None)
    if callable(fn):
        try:
            found = fn(token)
        except Exception:  # the registry's own "unknown" signal
            found = None
        if found is not None:
            return _convert(found)
    for t in all_types(cluster):
        if _matches(t, token):
            return t
    return None


def unknown_type(token: str):
    """The builder names only the part before the first dot (ParseGroupResource)."""
    return fail(f'the server doesn\'t have a resource type "{token.split(".")[0]}"')


def resolve_type(cluster: Any, token: str) -> ResourceType:
    t = find_type(cluster, token)
    if t is None:
        raise unknown_type(token)
    return t


def category(cluster: Any, name: str) -> list[ResourceType]:
    types = all_types(cluster)
    members = [t for t in types if name in t.categories]
    if members or name != "all":
        return members
    by_resource = {t.resource: t for t in types}
    return [by_resource[r] for r in _ALL_FALLBACK if r in by_resource]


def expand_types(cluster: Any, spec: str) -> list[ResourceType]:
    """``svc,ep`` or ``all``: each comma-separated entry, categories expanded."""
    out: list[ResourceType] = []
    for token in spec.split(","):
        if not token:
            continue
        t = find_type(cluster, token)
        if t is None:
            members = category(cluster, token)
            if not members:
                raise unknown_type(token)
            for m in members:
                if m not in out:
                    out.append(m)
        elif t not in out:
            out.append(t)
    return out


@dataclass
class Selection:
    """What a command line names: (type, name or None for "every object") in order."""

    items: list[tuple[ResourceType, str | None]] = field(default_factory=list)
    type_count: int = 0      # distinct types requested (kubectl shows kinds when > 1)
    # For ``-f``: the file each item came from, and its namespace if the manifest set one.
    sources: list[str] = field(default_factory=list)
    namespaces: list[str | None] = field(default_factory=list)
    # Objects of a file that no served type matches: reported, the others still handled;
    # ``error_at``: how many items came before each (the order the builder visited them).
    errors: list[str] = field(default_factory=list)
    error_at: list[int] = field(default_factory=list)

    @property
    def named(self) -> bool:
        return any(n is not None for _, n in self.items)


SLASH_ERROR = ("there is no need to specify a resource type as a separate argument when "
               "passing arguments in resource/name form (e.g. 'kubectl get resource/"
               "<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")


def select(cluster: Any, args: list[str], path: str = "kubectl get") -> Selection:
    if not args:
        return Selection()
    if any("/" in a for a in args):
        if not all("/" in a for a in args):
            raise fail(SLASH_ERROR)
        sel = Selection()
        seen: list[ResourceType] = []
        for a in args:
            tok, _, name = a.partition("/")
            t = resolve_type(cluster, tok)
            if not name:
                raise fail(f"arguments in resource/name form must have a single resource and name")
            if t not in seen:
                seen.append(t)
            sel.items.append((t, name))
        sel.type_count = len(seen)
        return sel
    types = expand_types(cluster, args[0])
    names = args[1:]
    sel = Selection(type_count=len(types))
    for t in types:
        if names:
            for n in names:
                sel.items.append((t, n))
        else:
            sel.items.append((t, None))
    return sel


def multiple_types_requested(args: list[str]) -> bool:
    """cli-runtime's MultipleTypesRequested: ``all``, ``a,b`` or ``a/x b/y``."""
    if not args:
        return False
    if "/" in args[0]:
        kinds = {a.partition("/")[0] for a in args}
        return len(kinds) > 1
    return args[0] == "all" or "," in args[0]


def ns_for(t: ResourceType, namespace: str | None) -> str | None:
    return namespace if t.namespaced else None
