"""dig (BIND 9): sections, +short, -x, record types, and a message size computed from the
wire format."""

from __future__ import annotations

import random
from typing import Any

from sim.net import dns
from sim.workloads.commands.resolver import ask, resolv_conf

VERSION = "9.8.2rc1-RedHat-9.8.2-0.68.rc1.el6_10.8"
TYPES = {"A", "AAAA", "CNAME", "PTR", "SRV", "MX", "NS", "SOA", "TXT", "ANY"}


def _name_length(name: str, table: dict[str, int], offset: int) -> int:
    """Bytes a (compressible) name takes at ``offset``; records its suffixes in ``table``."""
    labels = [label for label in name.rstrip(".").split(".") if label]
    size = 0
    for index in range(len(labels)):
        suffix = ".".join(labels[index:]).lower()
        if suffix in table:
            return size + 2
        table[suffix] = offset + size
        size += 1 + len(labels[index])
    return size + 1


def message_size(qname: str, reply: dns.Reply) -> int:
    table: dict[str, int] = {}
    size = 12
    size += _name_length(qname, table, size) + 4
    for record in reply.answer + reply.authority:
        size += _name_length(record.name, table, size) + 10
        data = record.data
        if record.type == "A":
            size += 4
        elif record.type == "AAAA":
            size += 16
        elif record.type in {"CNAME", "PTR", "NS"}:
            size += _name_length(data, table, size)
        elif record.type == "SRV":
            parts = data.split()
            size += 6 + _name_length(parts[3], {}, size)
        elif record.type == "SOA":
            parts = data.split()
            length = _name_length(parts[0], table, size)
            length += _name_length(parts[1], table, size + length)
            size += length + 20
        else:
            size += len(data) + 1
    return size


def _record_line(record: dns.Record) -> str:
    name = record.name
    pad = "\t" * max(1, 3 - len(name) // 8) if len(name) < 24 else "\t"
    return f"{name}{pad}{record.ttl}\tIN\t{record.type}\t{record.data}"


def dig(proc: Any, argv: list[str]) -> int:
    conf = resolv_conf(proc)
    server = conf.nameserver
    qname: str | None = None
    qtype = "A"
    short = False
    use_search = False
    sections = {"cmd": True, "comments": True, "question": True, "answer": True,
                "authority": True, "additional": True, "stats": True}
    args = argv[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("@"):
            server = arg[1:]
        elif arg == "-x" and i + 1 < len(args):
            qname, qtype = dns.reverse_name(args[i + 1]), "PTR"
            i += 1
        elif arg == "-t" and i + 1 < len(args):
            qtype = args[i + 1].upper()
            i += 1
        elif arg.startswith("+"):
            option = arg[1:]
            if option == "short":
                short = True
            elif option == "search":
                use_search = True
            elif option in {"noall"}:
                sections = {k: False for k in sections}
            elif option in {"all"}:
                sections = {k: True for k in sections}
            elif option.startswith("no") and option[2:] in sections:
                sections[option[2:]] = False
            elif option in sections:
                sections[option] = True
        elif arg.upper() in TYPES and qname is not None:
            qtype = arg.upper()
        elif arg.upper() in {"IN"}:
            pass
        elif qname is None:
            qname = arg
        else:
            qtype = arg.upper() if arg.upper() in TYPES else qtype
        i += 1
    if qname is None:
        qname, qtype = ".", "NS"
    absolute = dns.absolute(qname)
    if use_search and not qname.endswith("."):
        for candidate in dns.candidates(qname, conf):
            reply = ask(proc, server, candidate, qtype)
            if reply is not None and reply.answer:
                absolute = candidate
                break
    reply = ask(proc, server, absolute, qtype)
    if reply is None:
        proc.write(f"\n; <<>> DiG {VERSION} <<>> {' '.join(argv[1:])}\n;; global options: +cmd\n"
                   ";; connection timed out; no servers could be reached\n")
        return 9
    if short:
        for record in reply.answer:
            proc.write(record.data + "\n")
        return 0
    ident = random.Random(f"{absolute}{proc.now().isoformat()}").randrange(65536)
    flags = "qr aa rd" if reply.authoritative else "qr rd ra"
    out = []
    if sections["cmd"]:
        out += ["", f"; <<>> DiG {VERSION} <<>> {' '.join(argv[1:])}", ";; global options: +cmd"]
    if sections["comments"]:
        out += [";; Got answer:",
                f";; ->>HEADER<<- opcode: QUERY, status: {reply.status}, id: {ident}",
                f";; flags: {flags}; QUERY: 1, ANSWER: {len(reply.answer)}, "
                f"AUTHORITY: {len(reply.authority)}, ADDITIONAL: 0"]
        if reply.authoritative:
            out.append(";; WARNING: recursion requested but not available")
        out.append("")
    if sections["question"]:
        if sections["comments"]:
            out.append(";; QUESTION SECTION:")
        pad = "\t" * max(1, 3 - (len(absolute) + 1) // 8) if len(absolute) + 1 < 24 else "\t"
        out += [f";{absolute}{pad}IN\t{qtype}", ""]
    if reply.answer and sections["answer"]:
        if sections["comments"]:
            out.append(";; ANSWER SECTION:")
        out += [_record_line(r) for r in reply.answer] + [""]
    if reply.authority and sections["authority"]:
        if sections["comments"]:
            out.append(";; AUTHORITY SECTION:")
        out += [_record_line(r) for r in reply.authority] + [""]
    if sections["stats"]:
        when = proc.now().strftime("%a %b %e %H:%M:%S %Y")
        out += [";; Query time: 0 msec", f";; SERVER: {server}#53({server})", f";; WHEN: {when}",
                f";; MSG SIZE  rcvd: {message_size(absolute, reply)}", ""]
    proc.write("\n".join(out) + "\n")
    return 0


PROGRAMS = {"dig": dig}
