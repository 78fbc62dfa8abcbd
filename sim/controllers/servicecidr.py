"""ServiceCIDR and IPAddress objects (networking.k8s.io/v1), as a v1.35 control plane keeps
them: the default ServiceCIDR ``kubernetes`` holds the API server's service range (the
profile's ``network.service_cidr``), and the ClusterIP allocator records every address it
gives a Service as an IPAddress named by the address, whose parent is that Service."""

from __future__ import annotations

import hashlib
import ipaddress
import uuid

from ..api.objects import clone, set_condition
from .base import ClusterView

DEFAULT_NAME = "kubernetes"
CIDR_FINALIZER = "networking.k8s.io/service-cidr-finalizer"
MANAGED_BY = "ipaddress.kubernetes.io/managed-by"
ALLOCATOR = "ipallocator.k8s.io"
FAMILY_LABEL = "ipaddress.kubernetes.io/ip-family"
READY_MESSAGE = "Kubernetes default Service CIDR is ready"
CIDR_READY_MESSAGE = "Kubernetes Service CIDR is ready"
TERMINATING_MESSAGE = ("There are still IPAddresses referencing the ServiceCIDR, please remove "
                       "them or create a new ServiceCIDR")


def service_cidrs(profile: dict) -> list[str]:
    """The service ranges of a profile (``a,b`` for two families), in canonical form."""
    text = str((profile.get("network") or {}).get("service_cidr", "10.96.0.0/12"))
    return [str(ipaddress.ip_network(part.strip(), strict=False))
            for part in text.split(",") if part.strip()]


def ip_family(ip: str) -> str:
    return "IPv6" if ipaddress.ip_address(ip).version == 6 else "IPv4"


def _uid(*parts: str) -> str:
    """A uid fixed by what the object stands for."""
    digest = hashlib.sha256("\0".join(parts).encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def _write(cluster: ClusterView, obj: dict) -> None:
    """Store ``obj`` (its uid given) leaving the cluster's random stream where it was, so
    that these records change no generated name, address or timing of anything else."""
    state = cluster.rng.getstate()
    cluster.store.write(obj)
    cluster.rng.setstate(state)


class ServiceCIDRController:
    name = "servicecidr"
    watches = ("services", "ipaddresses", "servicecidrs")

    def sync(self, cluster: ClusterView):
        store = cluster.store
        now = cluster.clock.timestamp()
        self._default_cidr(cluster, now)
        wanted: dict[str, dict] = {}
        for svc in store.list("services"):
            spec = svc.get("spec") or {}
            for ip in spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else []):
                try:
                    canonical = str(ipaddress.ip_address(ip))
                except ValueError:
                    continue        # "None": headless
                wanted[canonical] = svc
        for ip, svc in wanted.items():
            md = svc["metadata"]
            ref = {"group": "", "name": md["name"], "namespace": md.get("namespace", ""),
                   "resource": "services"}
            current = store.find("ipaddresses", None, ip)
            if current is not None:
                if (current.get("spec") or {}).get("parentRef") != ref and \
                        (current["metadata"].get("labels") or {}).get(MANAGED_BY) == ALLOCATOR:
                    updated = clone(current)
                    updated["spec"] = {"parentRef": ref}
                    _write(cluster, updated)
                continue
            _write(cluster, {"apiVersion": "networking.k8s.io/v1", "kind": "IPAddress",
                         "metadata": {"name": ip, "uid": _uid("IPAddress", ip, md["uid"]),
                                      "labels": {FAMILY_LABEL: ip_family(ip),
                                                 MANAGED_BY: ALLOCATOR}},
                         "spec": {"parentRef": ref}})
        for address in store.list("ipaddresses"):
            name = address["metadata"]["name"]
            managed = (address["metadata"].get("labels") or {}).get(MANAGED_BY) == ALLOCATOR
            if managed and name not in wanted:
                store.remove(store.type_of("ipaddresses"), address)
        self._cidrs(cluster, now)
        return None

    @staticmethod
    def _cidrs(cluster: ClusterView, now: str) -> None:
        """The ServiceCIDR controller: a range is Ready with the finalizer on; a range being
        deleted goes once no IPAddress depends on it alone, and says why it waits."""
        store = cluster.store
        cidrs = store.list("servicecidrs")
        live = [ipaddress.ip_network(text, strict=False) for c in cidrs
                if not c["metadata"].get("deletionTimestamp")
                for text in (c.get("spec") or {}).get("cidrs") or []]
        addresses = [ipaddress.ip_address(a["metadata"]["name"]) for a in store.list("ipaddresses")]
        for cidr in cidrs:
            md = cidr["metadata"]
            conditions = (cidr.get("status") or {}).get("conditions") or []
            if md.get("deletionTimestamp"):
                if CIDR_FINALIZER not in (md.get("finalizers") or []):
                    continue
                mine = [ipaddress.ip_network(t, strict=False)
                        for t in (cidr.get("spec") or {}).get("cidrs") or []]
                stranded = any(any(a in n for n in mine) and not any(a in n for n in live)
                               for a in addresses)
                updated = clone(cidr)
                if stranded:
                    updated.setdefault("status", {})["conditions"] = set_condition(
                        clone(conditions), "Ready", "False", now, reason="Terminating",
                        message=TERMINATING_MESSAGE)
                else:
                    updated["metadata"]["finalizers"] = [
                        f for f in md["finalizers"] if f != CIDR_FINALIZER]
                _write(cluster, updated)
                continue
            if CIDR_FINALIZER in (md.get("finalizers") or []) and any(
                    c.get("type") == "Ready" and c.get("status") == "True" for c in conditions):
                continue
            updated = clone(cidr)
            finalizers = updated["metadata"].setdefault("finalizers", [])
            if CIDR_FINALIZER not in finalizers:
                finalizers.append(CIDR_FINALIZER)
            message = READY_MESSAGE if md["name"] == DEFAULT_NAME else CIDR_READY_MESSAGE
            updated.setdefault("status", {})["conditions"] = set_condition(
                clone(conditions), "Ready", "True", now, reason="", message=message)
            _write(cluster, updated)

    @staticmethod
    def _default_cidr(cluster: ClusterView, now: str) -> None:
        store = cluster.store
        if store.find("servicecidrs", None, DEFAULT_NAME) is not None:
            return
        cidrs = service_cidrs(cluster.profile)
        obj = {"apiVersion": "networking.k8s.io/v1", "kind": "ServiceCIDR",
               "metadata": {"name": DEFAULT_NAME, "finalizers": [CIDR_FINALIZER],
                            "uid": _uid("ServiceCIDR", DEFAULT_NAME, *cidrs, now)},
               "spec": {"cidrs": cidrs},
               "status": {"conditions": set_condition([], "Ready", "True", now, reason="",
                                                      message=READY_MESSAGE)}}
        _write(cluster, obj)
