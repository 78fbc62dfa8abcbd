"""What DNS tools inside a container share: the resolver configuration and the server."""

from __future__ import annotations

from typing import Any

from sim.net import dns


def resolv_conf(proc: Any) -> dns.ResolvConf:
    """The container's /etc/resolv.conf as written (it may have been edited)."""
    try:
        text = proc.fs.read("/etc/resolv.conf").decode()
    except Exception:  # no resolv.conf: the resolver's built-in defaults
        return dns.ResolvConf("127.0.0.1", [], 1)
    nameserver, search, ndots = None, [], 1
    for line in text.splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "nameserver" and nameserver is None and len(fields) > 1:
            nameserver = fields[1]
        elif fields[0] in {"search", "domain"}:
            search = fields[1:]
        elif fields[0] == "options":
            for option in fields[1:]:
                if option.startswith("ndots:"):
                    ndots = int(option.split(":", 1)[1])
    return dns.ResolvConf(nameserver, search, ndots)


def ask(proc: Any, server_ip: str | None, qname: str, qtype: str) -> dns.Reply | None:
    """Send one query to ``server_ip``; None when nothing answers there."""
    from sim.net import addresses as addr

    cluster = proc.cluster
    if server_ip is None:
        return None
    if server_ip == addr.dns_service_ip(cluster):
        return dns.Server(cluster).query(qname, qtype)
    if server_ip in dns.PUBLIC_RESOLVERS:
        return dns.upstream(cluster, qname, qtype)
    return None
