"""ping: pods, nodes and the outside sites answer; a Service's virtual IP never does
(kube-proxy forwards TCP and UDP ports, not ICMP)."""

from __future__ import annotations

import hashlib
from typing import Any

from sim.net import addresses as addr
from sim.net import internet, netpol
from sim.workloads.proc import Forever


def _answers(proc: Any, ip: str) -> bool:
    cluster = proc.cluster
    if ip.startswith("127."):
        return True
    target = addr.pod_by_ip(cluster, ip)
    if target is not None:
        origin = proc.client().origin
        return netpol.allows(cluster, origin.pod, origin.ip, target, 0, "ICMP")
    return addr.node_by_address(cluster, ip) is not None or internet.site_by_address(ip) is not None


def ping(proc: Any, argv: list[str]) -> int:
    count: int | None = None
    hosts = []
    args = argv[1:]
    i = 0
    while i < len(args):
        if args[i] == "-c" and i + 1 < len(args):
            count = int(args[i + 1])
            i += 2
            continue
        if args[i].startswith("-c") and args[i][2:].isdigit():
            count = int(args[i][2:])
        elif args[i] in {"-W", "-w", "-i", "-s", "-t"}:
            i += 1
        elif not args[i].startswith("-"):
            hosts.append(args[i])
        i += 1
    busybox = proc.image.shell == "busybox"
    if not hosts:
        proc.error("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n"
                   if busybox else "ping: usage error: Destination address required\n")
        return 1 if busybox else 2
    name = hosts[0]
    found = proc.client().resolve(name)
    if not found:
        proc.error(f"ping: bad address '{name}'\n" if busybox else f"ping: {name}: Name or service not known\n")
        return 1 if busybox else 2
    ip = found[0]
    replies = _answers(proc, ip)
    sent = count if count is not None else 4
    times = [0.05 + int(hashlib.sha256(f"{ip}/{n}".encode()).hexdigest()[:4], 16) % 400 / 1000
             for n in range(sent)]
    proc.write(f"PING {name} ({ip}): 56 data bytes\n" if busybox else f"PING {name} ({ip}) 56(84) bytes of data.\n")
    if replies:
        for n, value in enumerate(times):
            proc.write(f"64 bytes from {ip}: seq={n} ttl=63 time={value:.3f} ms\n" if busybox else
                       f"64 bytes from {ip}: icmp_seq={n + 1} ttl=63 time={value:.3f} ms\n")
    if count is None:
        raise Forever()
    received = sent if replies else 0
    loss = 0 if replies else 100
    proc.write(f"\n--- {name} ping statistics ---\n")
    if busybox:
        proc.write(f"{sent} packets transmitted, {received} packets received, {loss}% packet loss\n")
        if replies:
            proc.write(f"round-trip min/avg/max = {min(times):.3f}/{sum(times) / sent:.3f}/{max(times):.3f} ms\n")
    else:
        elapsed = (sent - 1) * 1000 + 3 if replies else sent * 1000 + 40
        proc.write(f"{sent} packets transmitted, {received} received, {loss}% packet loss, time {elapsed}ms\n")
        if replies:
            mean = sum(times) / sent
            deviation = (sum((t - mean) ** 2 for t in times) / sent) ** 0.5
            proc.write(f"rtt min/avg/max/mdev = {min(times):.3f}/{mean:.3f}/{max(times):.3f}/{deviation:.3f} ms\n")
    return 0 if replies else 1


PROGRAMS = {"ping": ping}
