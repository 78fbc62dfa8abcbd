"""nslookup: busybox's (old and new formats) and BIND's."""

from __future__ import annotations

from typing import Any

from sim.net import dns
from sim.workloads.commands.resolver import ask, resolv_conf


def _reverse(proc: Any, server: str, ip: str) -> str:
    reply = ask(proc, server, dns.reverse_name(ip), "PTR")
    if reply and reply.answer:
        return " " + reply.answer[0].data.rstrip(".")
    return ""


def _search(proc: Any, server: str, name: str, conf: dns.ResolvConf) -> tuple[str, dns.Reply] | None:
    for candidate in dns.candidates(name, conf):
        reply = ask(proc, server, candidate, "A")
        if reply is not None and any(r.type == "A" for r in reply.answer):
            return candidate, reply
    return None


def nslookup(proc: Any, argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        proc.error("BusyBox v1.22.1 (2014-09-13 22:15:30 PDT) multi-call binary.\n\n"
                   "Usage: nslookup [HOST] [SERVER]\n")
        return 1
    conf = resolv_conf(proc)
    name = args[0]
    server = args[1] if len(args) > 1 else conf.nameserver
    family = proc.image.family
    if family == "busyboxplus":
        return _old_busybox(proc, name, server, conf)
    return _bind_style(proc, name, server, conf, busybox=family == "busybox")


def _old_busybox(proc: Any, name: str, server: str | None, conf: dns.ResolvConf) -> int:
    from sim.net.addresses import is_ip

    if ask(proc, server, "kubernetes.default.svc.", "A") is None and server is not None and \
            server != conf.nameserver:
        proc.error(f"nslookup: can't resolve '{server}'\n")
        return 1
    proc.write(f"Server:    {server}\nAddress 1: {server}{_reverse(proc, server, server)}\n\n")
    if is_ip(name):
        proc.write(f"Name:      {name}\nAddress 1: {name}{_reverse(proc, server, name)}\n")
        return 0
    found = _search(proc, server, name, conf)
    if found is None:
        proc.error(f"nslookup: can't resolve '{name}'\n")
        return 1
    proc.write(f"Name:      {name}\n")
    addresses = [r.data for r in found[1].answer if r.type == "A"]
    for index, ip in enumerate(addresses, 1):
        proc.write(f"Address {index}: {ip}{_reverse(proc, server, ip)}\n")
    return 0


def _bind_style(proc: Any, name: str, server: str | None, conf: dns.ResolvConf, busybox: bool) -> int:
    separator = ":" if busybox else "#"
    proc.write(f"Server:\t\t{server}\nAddress:\t{server}{separator}53\n\n")
    from sim.net.addresses import is_ip

    if is_ip(name):
        reply = ask(proc, server, dns.reverse_name(name), "PTR")
        if reply and reply.answer:
            for record in reply.answer:
                proc.write(f"{record.name.rstrip('.')}\tname = {record.data}\n")
            proc.write("\n")
            return 0
        proc.write(f"** server can't find {dns.reverse_name(name).rstrip('.')}: NXDOMAIN\n\n")
        return 1
    found = _search(proc, server, name, conf)
    if found is None:
        last = dns.candidates(name, conf)[-1].rstrip(".") if not busybox else name
        proc.write(f"** server can't find {last}: NXDOMAIN\n\n")
        return 1
    reply = found[1]
    if not reply.authoritative:
        proc.write("Non-authoritative answer:\n")
    for record in reply.answer:
        if record.type == "CNAME":
            proc.write(f"{record.name.rstrip('.')}\tcanonical name = {record.data}\n")
    for record in reply.answer:
        if record.type == "A":
            proc.write(f"Name:\t{record.name.rstrip('.')}\nAddress: {record.data}\n")
    proc.write("\n")
    return 0


PROGRAMS = {"nslookup": nslookup}


def host(proc: Any, argv: list[str]) -> int:
    """BIND's host: one line per record."""
    from sim.net.addresses import is_ip

    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        proc.error("Usage: host [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n"
                   "            [-R number] [-m flag] hostname [server]\n")
        return 1
    conf = resolv_conf(proc)
    name = args[0]
    server = args[1] if len(args) > 1 else conf.nameserver
    if is_ip(name):
        reply = ask(proc, server, dns.reverse_name(name), "PTR")
        if reply and reply.answer:
            for record in reply.answer:
                proc.write(f"{record.name.rstrip('.')} domain name pointer {record.data}\n")
            return 0
        proc.write(f"Host {dns.reverse_name(name).rstrip('.')} not found: 3(NXDOMAIN)\n")
        return 1
    found = _search(proc, server, name, conf)
    if found is None:
        proc.write(f"Host {name} not found: 3(NXDOMAIN)\n")
        return 1
    for record in found[1].answer:
        if record.type == "CNAME":
            proc.write(f"{record.name.rstrip('.')} is an alias for {record.data}\n")
        elif record.type == "A":
            proc.write(f"{record.name.rstrip('.')} has address {record.data}\n")
    return 0


PROGRAMS["host"] = host
