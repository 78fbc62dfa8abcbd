"""Tools run outside every pod: on the reader's machine (curl, dig, nslookup, gcloud)
and on a node (``sim-node sh -c CMD``). They reach the simulated network only; a
loopback URL is handed to the real curl so that it reaches the real ``kubectl proxy``."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from typing import Any

from sim.net import addresses as addr
from sim.net import client as net
from sim.net import dns

LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]", "ip6-localhost"}


# files on the reader's side ---------------------------------------------------------------
def _local_path(io: Any, path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(getattr(io, "cwd", "/") or "/", path)


def _read_local(io: Any, path: str) -> bytes:
    with open(_local_path(io, path), "rb") as handle:
        return handle.read()


def _write_local(io: Any, path: str, data: bytes) -> None:
    with open(_local_path(io, path), "ab") as handle:
        handle.write(data)


def _loopback_url(argv: list[str]) -> bool:
    for arg in argv[1:]:
        if arg.startswith("-"):
            continue
        try:
            url = net.parse_url(arg)
        except net.UrlError:
            continue
        if url.host.lower() in LOOPBACK or url.host.startswith("127."):
            return True
    return False


# the reader's machine -----------------------------------------------------------------------
def curl(cluster: Any, argv: list[str], io: Any) -> int:
    """curl on the reader's machine: the simulated network, or the real curl for loopback."""
    from sim.workloads.commands.curl import Host, run_curl

    if _loopback_url(argv):
        io.exec_local(["curl", *argv[1:]])
    outputs: list[str] = []

    def write_file(path: str, data: bytes) -> None:
        if path not in outputs:
            outputs.append(path)
            open(_local_path(io, path), "wb").close()
        _write_local(io, path, data)

    with cluster.lock:
        host = Host(net.node_client(cluster, None), "7.64.0", lambda p: _read_local(io, p),
                    write_file, io.write_out, io.write_err, bool(io.stdout_is_tty),
                    cluster.clock.now)
        return run_curl(host, argv)


class _Outside:
    """A stand-in process for DNS tools run on the reader's machine."""

    def __init__(self, cluster: Any, io: Any):
        from sim.workloads.fs import FileSystem
        from sim.workloads.images import node_image

        self.cluster = cluster
        self.io = io
        self.fs = FileSystem()
        self.fs.write("/etc/resolv.conf", b"nameserver 8.8.8.8\n", 0.0, force=True)
        self.image = node_image()

    def now(self) -> datetime:
        return self.cluster.clock.now()

    def write(self, text: str | bytes) -> None:
        self.io.write_out(text.encode() if isinstance(text, str) else text)

    def error(self, text: str | bytes) -> None:
        self.io.write_err(text.encode() if isinstance(text, str) else text)


def dig(cluster: Any, argv: list[str], io: Any) -> int:
    from sim.workloads.commands.dig import dig as run

    with cluster.lock:
        return run(_Outside(cluster, io), argv)


def nslookup(cluster: Any, argv: list[str], io: Any) -> int:
    from sim.workloads.commands.nslookup import _bind_style, resolv_conf

    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        io.write_err(b"Usage: nslookup NAME [SERVER]\n")
        return 1
    with cluster.lock:
        proc = _Outside(cluster, io)
        conf = resolv_conf(proc)
        return _bind_style(proc, args[0], args[1] if len(args) > 1 else conf.nameserver, conf,
                           busybox=False)


# a node -------------------------------------------------------------------------------------
def _workers(cluster: Any) -> list[dict]:
    nodes = sorted(addr.nodes(cluster), key=lambda n: addr.meta(n, "name"))
    workers = [n for n in nodes if not any(
        k.startswith("node-role.kubernetes.io/control-plane") for k in (addr.meta(n, "labels") or {}))]
    return workers or nodes


def _node_container(cluster: Any, node: dict) -> Any:
    from sim.workloads.fs import FileSystem
    from sim.workloads.images import node_image
    from sim.workloads.runtime import Container

    name = addr.meta(node, "name")
    shells = cluster.runtime.setdefault("net", {}).setdefault("node-shells", {})
    if name not in shells:
        fs = FileSystem()
        for path in ("/root", "/tmp", "/etc", "/var/log"):
            fs.mkdir(path, 0.0, parents=True)
        internal = addr.node_addresses(node, ("InternalIP",))
        fs.write("/etc/hostname", f"{name}\n".encode(), 0.0, force=True)
        fs.write("/etc/hosts", (f"127.0.0.1\tlocalhost\n{internal[0] if internal else '127.0.1.1'}"
                                f"\t{name}\n").encode(), 0.0, force=True)
        fs.write("/etc/resolv.conf", b"nameserver 169.254.169.254\n", 0.0, force=True)
        image = node_image()
        shells[name] = Container(name=name, image_ref="", image=image, fs=fs,
                                 env=list(image.env) + [("HOSTNAME", name)], argv=["/bin/sh"],
                                 started=cluster.clock.now())
    return shells[name]


def sim_node(cluster: Any, argv: list[str], io: Any) -> int:
    """``sim-node [--node NAME] sh -c CMD``: a command in a shell on a node (the first
    worker unless named)."""
    from sim.workloads import commands
    from sim.workloads.proc import IOSink, Proc
    from sim.workloads.shell import Shell, ShellExit

    args = argv[1:]
    wanted = None
    if args[:1] == ["--node"] and len(args) > 1:
        wanted, args = args[1], args[2:]
    elif args and args[0].startswith("--node="):
        wanted, args = args[0].split("=", 1)[1], args[1:]
    if not args:
        args = ["sh"]
    with cluster.lock:
        node = addr.node_by_name(cluster, wanted) if wanted else (_workers(cluster) or [None])[0]
        if node is None:
            io.write_err(f"sim-node: no such node: {wanted}\n".encode())
            return 1
        container = _node_container(cluster, node)
        internal = addr.node_addresses(node, ("InternalIP",))
        pseudo_pod = {"metadata": {"name": addr.meta(node, "name"), "namespace": "",
                                   "uid": f"node/{addr.meta(node, 'name')}"},
                      "spec": {"hostNetwork": True},
                      "status": {"podIP": internal[0] if internal else ""}}
        network = net.Client(cluster, net.Origin("node", node=node), dns.ResolvConf(None, [], 1),
                             {"localhost": "127.0.0.1"})
        proc = Proc(cluster=cluster, pod=pseudo_pod, container=container, env=dict(container.env),
                    cwd="/root", out=IOSink(io, False, False), err=IOSink(io, True, False),
                    stdin=lambda: io.read_stdin(), shell="sh", stdout_tty=bool(io.stdout_is_tty),
                    network=network)
        try:
            return commands.run(Shell(container.image.shell), proc, args)
        except ShellExit as exc:
            return exc.code


# gcloud -----------------------------------------------------------------------------------
def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = []
    for row in [headers] + rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _zone(node: dict) -> str:
    labels = addr.meta(node, "labels") or {}
    return labels.get("topology.kubernetes.io/zone") or labels.get(
        "failure-domain.beta.kubernetes.io/zone") or "us-central1-a"


def _is_gce(cluster: Any) -> bool:
    return str((getattr(cluster, "profile", None) or {}).get("cloud", "")).lower() in {"gce", "gke", "google", "gcp"}


def _address_in_use(cluster: Any, name: str, ip: str) -> bool:
    for ing in cluster.store.list("ingresses"):
        if (addr.meta(ing, "annotations") or {}).get("kubernetes.io/ingress.global-static-ip-name") == name:
            return True
    return any((svc.get("spec") or {}).get("loadBalancerIP") == ip or ip in addr.lb_addresses(svc)
               for svc in addr.services(cluster))


def _addresses(cluster: Any, argv: list[str], words: list[str], io: Any) -> int:
    import random

    project = (getattr(cluster, "profile", None) or {}).get("project", "sim-project")
    region_flag = next((a.split("=", 1)[1] for a in argv if a.startswith("--region=")), None)
    if "--region" in argv and argv.index("--region") + 1 < len(argv):
        region_flag = argv[argv.index("--region") + 1]
    verb = words[2] if len(words) > 2 else ""
    table = addr.reserved_addresses(cluster)
    with cluster.lock:
        if verb == "create" and len(words) > 3:
            name = words[3]
            if name in table:
                io.write_err(f"ERROR: (gcloud.compute.addresses.create) Could not fetch resource:\n"
                             f" - The resource 'projects/{project}/global/addresses/{name}' already exists\n")
                return 1
            scope = f"regions/{region_flag}" if region_flag else "global"
            rng = random.Random(f"{getattr(cluster, 'seed', 0)}/{name}")
            base = "34.117" if not region_flag else "34.121"
            ip = f"{base}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
            table[name] = {"ip": ip, "region": region_flag or ""}
            io.write_err(f"Created [https://www.googleapis.com/compute/v1/projects/{project}/{scope}/addresses/{name}].\n")
            return 0
        if verb == "delete" and len(words) > 3:
            name = words[3]
            if table.pop(name, None) is None:
                io.write_err(f"ERROR: (gcloud.compute.addresses.delete) Could not fetch resource:\n"
                             f" - The resource 'projects/{project}/global/addresses/{name}' was not found\n")
                return 1
            io.write_err(f"Deleted [https://www.googleapis.com/compute/v1/projects/{project}/global/addresses/{name}].\n")
            return 0
        if verb == "list":
            if not table:
                io.write_err("Listed 0 items.\n")
                return 0
            rows = [[name, e["ip"], "EXTERNAL", "", "", e["region"], "",
                     "IN_USE" if _address_in_use(cluster, name, e["ip"]) else "RESERVED"]
                    for name, e in sorted(table.items())]
            io.write_out(_table(["NAME", "ADDRESS/RANGE", "TYPE", "PURPOSE", "NETWORK", "REGION", "SUBNET",
                                 "STATUS"], rows).encode())
            return 0
        if verb == "describe" and len(words) > 3 and words[3] in table:
            entry = table[words[3]]
            io.write_out(f"address: {entry['ip']}\naddressType: EXTERNAL\nname: {words[3]}\n"
                         f"status: {'IN_USE' if _address_in_use(cluster, words[3], entry['ip']) else 'RESERVED'}\n".encode())
            return 0
    io.write_err(f"ERROR: (gcloud.compute.addresses) Invalid choice: '{verb}'.\n")
    return 2


def gcloud(cluster: Any, argv: list[str], io: Any) -> int:
    words = [a for a in argv[1:] if not a.startswith("-")]
    if "--region" in argv:
        index = argv.index("--region")
        if index + 1 < len(argv) and argv[index + 1] in words:
            words.remove(argv[index + 1])
    command = " ".join(words[:3])
    known = {"compute instances list": "instances", "compute forwarding-rules list": "forwarding-rules"}
    if words[:2] == ["compute", "addresses"]:
        if not _is_gce(cluster):
            io.write_err("ERROR: (gcloud.compute.addresses) The required property [project] is not currently set.\n")
            return 1
        return _addresses(cluster, argv, words, io)
    if command not in known:
        io.write_err(f"ERROR: (gcloud) Invalid choice: '{' '.join(words[:2]) or ''}'.\n"
                     "Maybe you meant:\n  gcloud compute instances list\n"
                     "  gcloud compute forwarding-rules list\n\n"
                     "To search the help text of gcloud commands, run:\n  gcloud help -- SEARCH_TERMS\n")
        return 2
    if not _is_gce(cluster):
        io.write_err(f"ERROR: (gcloud.compute.{known[command]}.list) The required property "
                     "[project] is not currently set.\n")
        return 1
    with cluster.lock:
        if known[command] == "instances":
            rows = []
            for node in addr.nodes(cluster):
                labels = addr.meta(node, "labels") or {}
                ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                            for c in (node.get("status") or {}).get("conditions") or [])
                rows.append([addr.meta(node, "name"), _zone(node),
                             labels.get("node.kubernetes.io/instance-type")
                             or labels.get("beta.kubernetes.io/instance-type") or "e2-medium",
                             "true" if labels.get("cloud.google.com/gke-preemptible") == "true"
                             or labels.get("cloud.google.com/gke-spot") == "true" else "",
                             ",".join(addr.node_addresses(node, ("InternalIP",))),
                             ",".join(addr.node_addresses(node, ("ExternalIP",))),
                             "RUNNING" if ready else "STOPPING"])
            rows.sort(key=lambda r: (r[1], r[0]))
            if not rows:
                io.write_err("Listed 0 items.\n")
                return 0
            io.write_out(_table(["NAME", "ZONE", "MACHINE_TYPE", "PREEMPTIBLE", "INTERNAL_IP",
                                 "EXTERNAL_IP", "STATUS"], rows).encode())
            return 0
        zones = [_zone(n) for n in addr.nodes(cluster)]
        region = zones[0].rsplit("-", 1)[0] if zones else "us-central1"
        rows = []
        for svc in addr.services(cluster):
            if (svc.get("spec") or {}).get("type") != "LoadBalancer":
                continue
            for ip in [e.get("ip") for e in ((svc.get("status") or {}).get("loadBalancer") or {})
                       .get("ingress") or [] if e.get("ip")]:
                name = ("a" + str(addr.meta(svc, "uid")).replace("-", ""))[:32]
                protocols = {p.get("protocol", "TCP") for p in (svc.get("spec") or {}).get("ports") or []}
                rows.append([name, region, ip, ",".join(sorted(protocols)), f"{region}/targetPools/{name}"])
        for ing in cluster.store.list("ingresses"):
            for entry in ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []:
                if not entry.get("ip"):
                    continue
                digest = hashlib.sha256(str(addr.meta(ing, "uid")).encode()).hexdigest()[:16]
                base = f"{addr.meta(ing, 'namespace')}-{addr.meta(ing, 'name')}--{digest}"
                annotations = addr.meta(ing, "annotations") or {}
                if annotations.get("kubernetes.io/ingress.allow-http") != "false":
                    rows.append([f"k8s-fw-{base}", "", entry["ip"], "TCP", f"k8s-tp-{base}"])
                if (ing.get("spec") or {}).get("tls"):
                    rows.append([f"k8s-fws-{base}", "", entry["ip"], "TCP", f"k8s-tps-{base}"])
        if not rows:
            io.write_err("Listed 0 items.\n")
            return 0
        rows.sort(key=lambda r: r[0])
        io.write_out(_table(["NAME", "REGION", "IP_ADDRESS", "IP_PROTOCOL", "TARGET"], rows).encode())
        return 0
