"""ClusterIP and NodePort allocation, as the API server's allocators do it on create."""

from __future__ import annotations

import ipaddress
from random import Random

from .errors import ApiError, FieldError, invalid


class RangeFull(ValueError):
    """Every address (or port) of the ranges is taken."""


class IPAllocator:
    """Service ClusterIPs of one IP family: the API server's range (``network``) and the
    ranges of the ServiceCIDRs users add, which the caller passes to ``allocate``.

    Like the IPAddress-based allocator: a random free address, preferring the upper
    part of a range (the lower part is kept for addresses users ask for); the first
    address is reserved for the ``kubernetes`` Service, the network and broadcast
    addresses are never given. ``used`` holds the addresses taken, whatever range they
    came from (ranges may overlap).
    """

    def __init__(self, cidr: str, rng: Random):
        self.network = ipaddress.ip_network(cidr)
        self.rng = rng
        self.used: set[int] = set()

    @staticmethod
    def _inner(network, addr: int) -> bool:
        base = int(network.network_address)
        return base < addr < base + network.num_addresses - 1

    def allocate(self, ip: str | None = None, extra: tuple = ()) -> str:
        networks = [self.network, *[n for n in extra if n != self.network]]
        if ip:
            addr = int(ipaddress.ip_address(ip))
            if not any(self._inner(n, addr) for n in networks
                       if n.version == self.network.version):
                raise ValueError(f"failed to allocate IP {ip}: the provided IP ({ip}) is not "
                                 f"in the valid range. The range of valid IPs is {self.network}")
            if addr in self.used:
                raise ValueError(f"failed to allocate IP {ip}: provided IP is already allocated")
            self.used.add(addr)
            return ip
        for network in networks:
            base, size = int(network.network_address), network.num_addresses
            static_band = min(max(16, size // 16), 256)
            lows, highs = range(1, min(static_band, size - 1)), range(static_band, size - 1)
            for band in (highs, lows):
                free = len(band) - sum(1 for a in self.used if base + band.start <= a < base + band.stop)
                if free <= 0:
                    continue
                while True:
                    offset = band[self.rng.randrange(len(band))]
                    if base + offset not in self.used:
                        self.used.add(base + offset)
                        return str(ipaddress.ip_address(base + offset))
        raise RangeFull("range is full")

    def release(self, ip: str | None) -> None:
        if ip and ip != "None":
            try:
                self.used.discard(int(ipaddress.ip_address(ip)))
            except ValueError:
                pass

    def nth(self, n: int) -> str:
        return str(self.network.network_address + n)


class PortAllocator:
    """NodePorts: random free ports of the range (upper part first, like ports)."""

    def __init__(self, low: int, high: int, rng: Random):
        self.low, self.high = low, high
        self.rng = rng
        self.used: set[int] = set()
        size = high - low + 1
        self.static_band = min(max(16, size // 16), 128)

    def allocate(self, port: int | None = None) -> int:
        if port:
            if not self.low <= port <= self.high:
                raise ValueError("provided port is not in the valid range. The range of valid "
                                 f"ports is {self.low}-{self.high}")
            if port in self.used:
                raise ValueError("provided port is already allocated")
            self.used.add(port)
            return port
        bands = (range(self.low + self.static_band, self.high + 1),
                 range(self.low, self.low + self.static_band))
        for band in bands:
            if all(p in self.used for p in band):
                continue
            while True:
                candidate = band[self.rng.randrange(len(band))]
                if candidate not in self.used:
                    self.used.add(candidate)
                    return candidate
        raise RangeFull("range is full")

    def release(self, port: int | None) -> None:
        if port:
            self.used.discard(port)


def node_ports(spec: dict) -> list[int]:
    ports = [p.get("nodePort") for p in spec.get("ports") or [] if p.get("nodePort")]
    if spec.get("healthCheckNodePort"):
        ports.append(spec["healthCheckNodePort"])
    return ports


def allocate_service(spec: dict, old_spec: dict | None, ips: "dict[str, IPAllocator]",
                     ports: PortAllocator, extra: dict | None = None) -> list[FieldError]:
    """Fill clusterIP(s) and nodePorts of a Service being created or updated; on failure
    nothing stays allocated and the field errors say why (a range with nothing left is the
    API server's InternalError). ``ips``: an allocator per IP family of the cluster, and
    ``extra`` the ranges users added as ServiceCIDRs, by family; the Service gets an
    address of each of its ``ipFamilies``."""
    errs: list[FieldError] = []
    full = ""
    taken: list[tuple[IPAllocator, str]] = []
    taken_ports: list[int] = []
    old_spec = old_spec or {}
    kind = spec.get("type", "ClusterIP")
    try:
        if kind == "ExternalName":
            spec.pop("clusterIP", None)
            spec.pop("clusterIPs", None)
        else:
            old_ips = (old_spec.get("clusterIPs") or [old_spec.get("clusterIP")]) \
                if old_spec.get("type") != "ExternalName" and old_spec.get("clusterIP") else []
            wanted = list(spec.get("clusterIPs") or [spec.get("clusterIP")] * bool(spec.get("clusterIP")))
            if wanted[:1] == ["None"]:
                spec["clusterIP"] = "None"
                spec["clusterIPs"] = ["None"]
            else:
                families = spec.get("ipFamilies") or [next(iter(ips))]
                given: list[str] = []
                for i, family in enumerate(families):
                    want = wanted[i] if i < len(wanted) else None
                    old = old_ips[i] if i < len(old_ips) else None
                    if old and (not want or want == old):
                        given.append(old)
                        continue
                    allocator = ips[family]
                    try:
                        ip = allocator.allocate(want or None, tuple((extra or {}).get(family, ())))
                    except RangeFull:
                        full = "failed to allocate a serviceIP: range is full"
                        raise
                    except ValueError as exc:
                        errs.append(invalid("spec.clusterIPs", _go_strings(wanted or [""]), str(exc)))
                        raise
                    taken.append((allocator, ip))
                    given.append(ip)
                spec["clusterIP"] = given[0]
                spec["clusterIPs"] = given
        old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort")
                     for p in old_spec.get("ports") or []}
        old_used = set(node_ports(old_spec))
        if kind in ("NodePort", "LoadBalancer") and not (
                kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is False):
            for i, port in enumerate(spec.get("ports") or []):
                want = port.get("nodePort")
                if want and want in old_used:
                    continue
                if not want:
                    previous = old_ports.get((port.get("port"), port.get("protocol")))
                    if previous:
                        port["nodePort"] = previous
                        continue
                try:
                    port["nodePort"] = ports.allocate(want or None)
                except RangeFull:
                    full = "failed to allocate a nodePort: range is full"
                    raise
                except ValueError as exc:
                    errs.append(invalid(f"spec.ports[{i}].nodePort", want, str(exc)))
                    raise
                taken_ports.append(port["nodePort"])
        else:
            for port in spec.get("ports") or []:
                port.pop("nodePort", None)
        if (kind == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"
                and not spec.get("healthCheckNodePort")):
            full = "failed to allocate a nodePort: range is full"
            spec["healthCheckNodePort"] = ports.allocate()
            taken_ports.append(spec["healthCheckNodePort"])
    except ValueError as exc:
        for allocator, ip in taken:
            allocator.release(ip)
        for port in taken_ports:
            ports.release(port)
        if isinstance(exc, RangeFull):
            raise ApiError(500, "InternalError", f"Internal error occurred: {full}",
                           {"causes": [{"message": full}]}) from None
    return errs


def _go_strings(values: list) -> object:
    from .validation import GoValue

    inner = ", ".join(f'"{v}"' for v in values)
    return GoValue(f"[]string{{{inner}}}")
