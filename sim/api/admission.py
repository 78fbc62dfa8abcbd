"""What happens to a user's write before it is stored: defaulting, admission plugins,
allocation, validation (in the API server's order)."""

from __future__ import annotations

from random import Random

from . import defaults, gotypes
from .allocators import IPAllocator, PortAllocator, allocate_service, node_ports
from .errors import ApiError, forbidden, invalid_object
from .registry import ResourceType
from .validation import init_ip_families, ip_family_of, validate


def field_validation(rt: ResourceType, unknown: list[str], mode: str) -> list[str]:
    """Fields the kind does not have (already pruned), by the request's fieldValidation:
    Strict fails the request, Warn answers warnings, Ignore drops them quietly."""
    if not unknown:
        return []
    if mode == "Strict":
        listed = ", ".join(f'unknown field "{f}"' for f in unknown)
        raise ApiError(400, "BadRequest",
                       f'{rt.kind} in version "{rt.version}" cannot be handled as a '
                       f'{rt.kind}: strict decoding error: {listed}')
    if mode == "Warn":
        return [f'unknown field "{f}"' for f in unknown]
    return []


class ServerAdmission:
    def __init__(self, rng: Random, service_cidr: str, node_port_range: tuple[int, int]):
        self.rng = rng
        cidrs = [c.strip() for c in service_cidr.split(",") if c.strip()]
        #: one allocator per family of the service ranges (``a,b``: dual-stack), primary first
        self.ips_by_family = {ip_family_of(c.split("/")[0]): IPAllocator(c, rng) for c in cidrs}
        self.families = list(self.ips_by_family)
        self.ips = self.ips_by_family[self.families[0]]
        self.node_port_range = node_port_range
        self.ports = PortAllocator(node_port_range[0], node_port_range[1], rng)
        self.store = None  # set by the store's owner: admission plugins read other objects

    @staticmethod
    def _decode(rt: ResourceType, obj: dict, mode: str) -> list[str]:
        """What the API server's JSON decoding does before anything else looks: a value
        of the wrong type fails, fields the kind lacks are pruned (and fail under Strict);
        a Secret's stringData is folded into its data."""
        warnings = field_validation(rt, gotypes.check(rt.kind, rt.api_version, obj), mode)
        if rt.plural == "secrets":
            import base64

            for key, value in (obj.pop("stringData", None) or {}).items():
                obj.setdefault("data", {})[key] = base64.b64encode(str(value).encode()).decode()
        return warnings

    def _plugins(self, rt: ResourceType, obj: dict) -> None:
        if rt.plural == "ingresses" and self.store is not None:
            spec = obj.setdefault("spec", {})
            annotations = obj["metadata"].get("annotations") or {}
            if not spec.get("ingressClassName") and "kubernetes.io/ingress.class" not in annotations:
                for cls in self.store.list("ingressclasses"):
                    if (cls["metadata"].get("annotations") or {}).get(
                            "ingressclass.kubernetes.io/is-default-class") == "true":
                        spec["ingressClassName"] = cls["metadata"]["name"]
                        break

    def admit_create(self, rt: ResourceType, obj: dict, field_validation: str,
                     dry_run: bool, typed: bool = False) -> list[str]:
        warnings = [] if typed else self._decode(rt, obj, field_validation)
        defaults.apply_defaults(rt.plural, obj, self.rng)
        self._plugins(rt, obj)
        if rt.plural == "services":
            spec = obj["spec"]
            if spec.get("clusterIP") and not spec.get("clusterIPs"):
                spec["clusterIPs"] = [spec["clusterIP"]]
            errs = init_ip_families(spec, None, self.families)
            if errs:
                raise invalid_object(rt.kind, rt.group, obj["metadata"].get("name", ""), errs)
        errs = validate(rt.plural, obj, None, self.node_port_range)
        if not errs and rt.plural == "services":
            if dry_run:
                return warnings
            errs = allocate_service(obj["spec"], None, self.ips_by_family, self.ports,
                                    self.extra_ranges())
        if errs:
            raise invalid_object(rt.kind, rt.group, obj["metadata"].get("name", ""), errs)
        return warnings

    def admit_update(self, rt: ResourceType, obj: dict, old: dict, field_validation: str,
                     dry_run: bool) -> list[str]:
        warnings = self._decode(rt, obj, field_validation)
        if rt.plural == "services":
            _drop_type_dependent_fields(obj.setdefault("spec", {}), old.get("spec") or {})
        defaults.apply_defaults(rt.plural, obj, self.rng)
        if rt.plural == "services":
            spec, old_spec = obj["spec"], old.get("spec") or {}
            if spec.get("type") != "ExternalName" and old_spec.get("type") != "ExternalName":
                if spec.get("clusterIP") == old_spec.get("clusterIP") and not spec.get("clusterIPs"):
                    spec["clusterIPs"] = old_spec.get("clusterIPs")
                elif (spec.get("clusterIP") and spec.get("clusterIP") != old_spec.get("clusterIP")
                        and spec.get("clusterIPs") == old_spec.get("clusterIPs")):
                    spec["clusterIPs"] = [spec["clusterIP"]]
                spec.setdefault("ipFamilies", old_spec.get("ipFamilies"))
            for key in ("clusterIPs", "ipFamilies"):
                if spec.get(key) is None:
                    spec.pop(key, None)
            if spec.get("clusterIP") and not spec.get("clusterIPs"):
                spec["clusterIPs"] = [spec["clusterIP"]]
            errs = init_ip_families(spec, old_spec, self.families)
            if errs:
                raise invalid_object(rt.kind, rt.group, obj["metadata"].get("name", ""), errs)
        errs = validate(rt.plural, obj, old, self.node_port_range)
        if rt.plural == "pods" and not errs and not _pod_update_allowed(obj, old):
            errs = [forbidden("spec", POD_UPDATE_MESSAGE)]
        if not errs and rt.plural == "services":
            spec, old_spec = obj["spec"], old.get("spec") or {}
            if not dry_run:
                errs = allocate_service(spec, old_spec, self.ips_by_family, self.ports,
                                        self.extra_ranges())
                if not errs:
                    self._release_changed(spec, old_spec)
        if errs:
            raise invalid_object(rt.kind, rt.group, obj["metadata"].get("name", ""), errs)
        return warnings

    def extra_ranges(self) -> dict[str, list]:
        """The ranges of the ServiceCIDRs users added (not being deleted), by IP family:
        ClusterIPs come from them too once the API server's own range is full."""
        import ipaddress

        out: dict[str, list] = {}
        if self.store is None:
            return out
        for cidr in self.store.list("servicecidrs"):
            if cidr["metadata"].get("deletionTimestamp"):
                continue
            for text in (cidr.get("spec") or {}).get("cidrs") or []:
                try:
                    network = ipaddress.ip_network(text, strict=False)
                except ValueError:
                    continue
                family = "IPv6" if network.version == 6 else "IPv4"
                if family in self.ips_by_family and network != self.ips_by_family[family].network:
                    out.setdefault(family, []).append(network)
        return out

    def _release_ip(self, ip: str | None) -> None:
        family = ip_family_of(ip) if ip else None
        if family in self.ips_by_family:
            self.ips_by_family[family].release(ip)

    def _release_changed(self, spec: dict, old_spec: dict) -> None:
        kept = set(spec.get("clusterIPs") or [spec.get("clusterIP")])
        for ip in old_spec.get("clusterIPs") or [old_spec.get("clusterIP")]:
            if ip not in kept:
                self._release_ip(ip)
        for port in set(node_ports(old_spec)) - set(node_ports(spec)):
            self.ports.release(port)

    def release(self, rt: ResourceType, obj: dict) -> None:
        if rt.plural == "services":
            spec = obj.get("spec") or {}
            for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
                self._release_ip(ip)
            for port in node_ports(spec):
                self.ports.release(port)


def _drop_type_dependent_fields(spec: dict, old_spec: dict) -> None:
    """A type change takes away what only the old type had, when the user left it as it
    was (the Service strategy's dropTypeDependentFields)."""
    kind, old_kind = spec.get("type", "ClusterIP"), old_spec.get("type", "ClusterIP")
    if kind == old_kind:
        return
    if kind == "ExternalName" and old_kind != "ExternalName":
        for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy",
                    "internalTrafficPolicy"):
            if spec.get(key) == old_spec.get(key):
                spec.pop(key, None)
    if kind not in ("NodePort", "LoadBalancer"):
        old_ports = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort")
                     for p in old_spec.get("ports") or []}
        for port in spec.get("ports") or []:
            if port.get("nodePort") and old_ports.get(
                    (port.get("port"), port.get("protocol", "TCP"))) == port["nodePort"]:
                del port["nodePort"]
        if spec.get("externalTrafficPolicy") == old_spec.get("externalTrafficPolicy"):
            spec.pop("externalTrafficPolicy", None)
    if kind != "LoadBalancer":
        for key in ("allocateLoadBalancerNodePorts", "loadBalancerClass", "healthCheckNodePort"):
            if key in spec and spec.get(key) == old_spec.get(key):
                spec.pop(key)


POD_UPDATE_MESSAGE = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
    "set to 1 if it was previously negative)")


def _pod_update_allowed(new: dict, old: dict) -> bool:
    """A running pod's spec is fixed but for images, deadlines and added tolerations."""
    a, b = dict(new.get("spec") or {}), dict(old.get("spec") or {})
    for spec in (a, b):
        for field in ("containers", "initContainers"):
            spec[field] = [{k: v for k, v in c.items() if k != "image"}
                           for c in spec.get(field) or [] if isinstance(c, dict)]
        spec.pop("activeDeadlineSeconds", None)
    old_tolerations = b.pop("tolerations", None) or []
    new_tolerations = a.pop("tolerations", None) or []
    if any(t not in new_tolerations for t in old_tolerations):
        return False
    if b.get("terminationGracePeriodSeconds", 0) < 0:
        a.pop("terminationGracePeriodSeconds", None)
        b.pop("terminationGracePeriodSeconds", None)
    return a == b
