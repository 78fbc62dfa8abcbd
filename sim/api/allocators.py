"""ClusterIP and NodePort allocation, as the API server's allocators do it on create."""

from __future__ import annotations

import ipaddress
from random import Random

from .errors import FieldError, invalid


class IPAllocator:
    """Service ClusterIPs from a CIDR.

    Like the IPAddress-based allocator: a random free address, preferring the upper
    part of the range (the lower part is kept for addresses users ask for); the first
    address is reserved for the ``kubernetes`` Service, the network and broadcast
    addresses are never given.
    """

    def __init__(self, cidr: str, rng: Random):
        self.network = ipaddress.ip_network(cidr)
        self.rng = rng
        self.used: set[int] = set()
        size = self.network.num_addresses
        # The lower band the dynamic allocator avoids: min(max(16, size/16), 256) addresses.
        self.static_band = min(max(16, size // 16), 256)

    def _offset(self, ip: str) -> int | None:
        addr = ipaddress.ip_address(ip)
        if addr not in self.network:
            return None
        return int(addr) - int(self.network.network_address)

    def allocate(self, ip: str | None = None) -> str:
        size = self.network.num_addresses
        if ip:
            offset = self._offset(ip)
            if offset is None or offset in (0, size - 1):
                raise ValueError(f"failed to allocate IP {ip}: the provided IP ({ip}) is not "
                                 f"in the valid range. The range of valid IPs is {self.network}")
            if offset in self.used:
                raise ValueError(f"failed to allocate IP {ip}: provided IP is already allocated")
            self.used.add(offset)
            return ip
        lows, highs = range(1, self.static_band), range(self.static_band, size - 1)
        for band in (highs, lows):
            free = len(band) - sum(1 for o in self.used if o in band)
            if free <= 0:
                continue
            while True:
                offset = band[self.rng.randrange(len(band))]
                if offset not in self.used:
                    self.used.add(offset)
                    return str(self.network.network_address + offset)
        raise ValueError("range is full")

    def release(self, ip: str | None) -> None:
        if ip and ip != "None":
            offset = self._offset(ip)
            if offset is not None:
                self.used.discard(offset)

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
        raise ValueError("range is full")

    def release(self, port: int | None) -> None:
        if port:
            self.used.discard(port)


def node_ports(spec: dict) -> list[int]:
    ports = [p.get("nodePort") for p in spec.get("ports") or [] if p.get("nodePort")]
    if spec.get("healthCheckNodePort"):
        ports.append(spec["healthCheckNodePort"])
    return ports


def allocate_service(spec: dict, old_spec: dict | None, ips: "dict[str, IPAllocator]",
                     ports: PortAllocator) -> list[FieldError]:
    """Fill clusterIP(s) and nodePorts of a Service being created or updated; on failure
    nothing stays allocated and the field errors say why. ``ips``: an allocator per IP
    family of the cluster; the Service gets an address of each of its ``ipFamilies``."""
    errs: list[FieldError] = []
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
                        ip = allocator.allocate(want or None)
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
                except ValueError as exc:
                    errs.append(invalid(f"spec.ports[{i}].nodePort", want, str(exc)))
                    raise
                taken_ports.append(port["nodePort"])
        else:
            for port in spec.get("ports") or []:
                port.pop("nodePort", None)
        if (kind == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"
                and not spec.get("healthCheckNodePort")):
            spec["healthCheckNodePort"] = ports.allocate()
            taken_ports.append(spec["healthCheckNodePort"])
    except ValueError:
        for allocator, ip in taken:
            allocator.release(ip)
        for port in taken_ports:
            ports.release(port)
    return errs


def _go_strings(values: list) -> object:
    from .validation import GoValue

    inner = ", ".join(f'"{v}"' for v in values)
    return GoValue(f"[]string{{{inner}}}")
