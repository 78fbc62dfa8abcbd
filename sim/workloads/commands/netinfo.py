"""The pod's own network as its programs show it: ip, ifconfig, nc; and expr, yes, kill."""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from sim.net import addresses as addr
from sim.net.routing import ConnectError, connect
from sim.workloads.proc import Forever


def _interface(proc: Any) -> tuple[str, str, str]:
    """(address, prefix length, MAC) of eth0."""
    ip = addr.pod_ip(proc.pod) or "0.0.0.0"
    digest = hashlib.sha256(str(addr.meta(proc.pod, "uid")).encode()).hexdigest()
    mac = "%02x:" % (int(digest[:2], 16) & 0xFE | 0x02) + ":".join(digest[i:i + 2] for i in range(2, 12, 2))
    return ip, "24", mac


def ip(proc: Any, argv: list[str]) -> int:
    args = argv[1:]
    if args[:1] in (["a"], ["addr"], ["address"]) or not args:
        address, prefix, mac = _interface(proc)
        network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
        proc.write("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n"
                   "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
                   "    inet 127.0.0.1/8 scope host lo\n"
                   "       valid_lft forever preferred_lft forever\n"
                   "2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue\n"
                   f"    link/ether {mac} brd ff:ff:ff:ff:ff:ff\n"
                   f"    inet {address}/{prefix} brd {network.broadcast_address} scope global eth0\n"
                   "       valid_lft forever preferred_lft forever\n")
        return 0
    if args[:1] in (["r"], ["route"]):
        address, prefix, _ = _interface(proc)
        network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
        gateway = network.network_address + 1
        proc.write(f"default via {gateway} dev eth0\n{network} dev eth0 scope link  src {address}\n")
        return 0
    proc.error(f'Object "{args[0]}" is unknown, try "ip help".\n')
    return 1


def ifconfig(proc: Any, argv: list[str]) -> int:
    address, prefix, mac = _interface(proc)
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    proc.write(f"eth0      Link encap:Ethernet  HWaddr {mac.upper()}\n"
               f"          inet addr:{address}  Bcast:{network.broadcast_address}  Mask:{network.netmask}\n"
               "          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n\n"
               "lo        Link encap:Local Loopback\n"
               "          inet addr:127.0.0.1  Mask:255.0.0.0\n"
               "          UP LOOPBACK RUNNING  MTU:65536  Metric:1\n\n")
    return 0


def nc(proc: Any, argv: list[str]) -> int:
    """nc -z HOST PORT (busybox): whether something accepts connections there."""
    from sim.net.client import listening

    flags = {c for a in argv[1:] if a.startswith("-") for c in a[1:]}
    rest = [a for a in argv[1:] if not a.startswith("-")]
    if len(rest) < 2 or not rest[1].isdigit():
        proc.error("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
                   "Usage: nc [OPTIONS] HOST PORT  - connect\n")
        return 1
    host, port = rest[0], int(rest[1])
    client = proc.client()
    found = client.resolve(host)
    if not found:
        proc.error(f"nc: bad address '{host}'\n")
        return 1
    try:
        target = connect(proc.cluster, client.origin, found[0], port)
        ok = listening(proc.cluster, target)
    except ConnectError as exc:
        if exc.kind == "timeout" and "w" not in flags:
            raise Forever() from None
        ok = False
    if ok:
        if "v" in flags:
            proc.error(f"{host} ({found[0]}:{port}) open\n")
        return 0
    proc.error(f"nc: {host} ({found[0]}:{port}): Connection refused\n")
    return 1


def expr(proc: Any, argv: list[str]) -> int:
    args = argv[1:]
    try:
        if len(args) == 3 and args[1] in {"+", "-", "*", "/", "%"}:
            a, b = int(args[0]), int(args[2])
            value = {"+": a + b, "-": a - b, "*": a * b, "/": int(a / b) if b else None,
                     "%": a % b if b else None}[args[1]]
            if value is None:
                proc.error("expr: division by zero\n")
                return 2
        elif len(args) == 3 and args[1] in {"=", "!=", "<", ">", "<=", ">="}:
            left, right = args[0], args[2]
            pair = (int(left), int(right)) if left.lstrip("-").isdigit() and right.lstrip("-").isdigit() \
                else (left, right)
            value = int({"=": pair[0] == pair[1], "!=": pair[0] != pair[1], "<": pair[0] < pair[1],
                         ">": pair[0] > pair[1], "<=": pair[0] <= pair[1], ">=": pair[0] >= pair[1]}[args[1]])
        elif len(args) == 1:
            value = args[0]
        else:
            proc.error("expr: syntax error\n")
            return 2
    except ValueError:
        proc.error("expr: non-integer argument\n")
        return 2
    proc.write(f"{value}\n")
    return 1 if value in (0, "", "0") else 0


def yes(proc: Any, argv: list[str]) -> int:
    if proc.main:
        raise Forever()
    word = " ".join(argv[1:]) or "y"
    proc.write((word + "\n") * 10000)
    return 0


def kill(proc: Any, argv: list[str]) -> int:
    targets = [a for a in argv[1:] if not a.startswith("-")]
    if not targets:
        proc.error("kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n")
        return 2
    status = 0
    for target in targets:
        if target != "1":
            proc.error(f"kill: can't kill pid {target}: No such process\n" if proc.image.shell == "busybox"
                       else f"kill: ({target}) - No such process\n")
            status = 1
    return status


PROGRAMS = {"ip": ip, "ifconfig": ifconfig, "nc": nc, "expr": expr, "yes": yes, "kill": kill}
