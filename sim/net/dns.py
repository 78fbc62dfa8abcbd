"""Cluster DNS as CoreDNS serves it (Kubernetes DNS-based service discovery spec), and the
resolver a container uses (search list and ndots from its resolv.conf)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from sim.net import addresses as addr
from sim.net import internet

TTL = 30


@dataclass(frozen=True)
class Record:
    name: str          # absolute, with the trailing dot
    ttl: int
    type: str
    data: str


@dataclass
class Reply:
    status: str = "NOERROR"        # NOERROR | NXDOMAIN | SERVFAIL
    answer: list[Record] = field(default_factory=list)
    authority: list[Record] = field(default_factory=list)
    authoritative: bool = True


def absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."


def reverse_name(ip: str) -> str:
    return ipaddress.ip_address(ip).reverse_pointer + "."


def _soa(zone: str) -> Record:
    if zone == ".":
        return Record(".", 86400, "SOA",
                      "a.root-servers.net. nstld.verisign-grs.com. 2026112200 1800 900 604800 86400")
    return Record(zone, TTL, "SOA", f"ns.dns.{zone} hostmaster.{zone} 1700000000 7200 1800 86400 {TTL}")


def _ready_addresses(cluster: Any, svc: dict) -> list[dict]:
    """The ready endpoint addresses of a Service, each {ip, hostname?}."""
    ns, name = addr.meta(svc, "namespace"), addr.meta(svc, "name")
    found: list[dict] = []
    eps = addr.get(cluster, "endpoints", ns, name)
    if eps is not None:
        for subset in eps.get("subsets") or []:
            found.extend(subset.get("addresses") or [])
    else:
        for sl in cluster.store.list("endpointslices", ns,
                                     label_selector=f"kubernetes.io/service-name={name}"):
            for ep in sl.get("endpoints") or []:
                if (ep.get("conditions") or {}).get("ready", True):
                    for ip in ep.get("addresses") or []:
                        found.append({"ip": ip, "hostname": ep.get("hostname")})
    seen, unique = set(), []
    for entry in found:
        if entry.get("ip") not in seen:
            seen.add(entry.get("ip"))
            unique.append(entry)
    return unique


def _endpoint_hostname(cluster: Any, svc: dict, entry: dict) -> str:
    if entry.get("hostname"):
        return entry["hostname"]
    pod = addr.pod_by_ip(cluster, entry["ip"])
    if pod is not None and (pod.get("spec") or {}).get("subdomain") == addr.meta(svc, "name") \
            and (pod.get("spec") or {}).get("hostname"):
        return pod["spec"]["hostname"]
    return entry["ip"].replace(".", "-").replace(":", "-")


class Server:
    """The cluster's DNS server: the cluster zone, reverse zones, and upstream for the rest."""

    def __init__(self, cluster: Any):
        self.cluster = cluster
        self.zone = addr.cluster_domain(cluster) + "."

    def _rotation(self, key: str, count: int) -> int:
        state = self.cluster.runtime.setdefault("net", {}).setdefault("dns-rotation", {})
        turn = state.get(key, 0)
        state[key] = turn + 1
        return turn % count if count else 0

    def query(self, qname: str, qtype: str = "A") -> Reply:
        qname = absolute(qname.lower())
        qtype = qtype.upper()
        if qname.endswith(".in-addr.arpa.") and qtype in {"PTR", "ANY"}:
            return self._ptr(qname)
        if qname == self.zone or qname.endswith("." + self.zone):
            return self._cluster(qname, qtype)
        return self._upstream(qname, qtype)

    # cluster zone -----------------------------------------------------------
    def _cluster(self, qname: str, qtype: str) -> Reply:
        labels = qname[: -len(self.zone)].rstrip(".").split(".") if qname != self.zone else []
        if len(labels) >= 2 and labels[-1] == "svc":
            return self._service_name(qname, labels[:-1], qtype)
        if len(labels) == 3 and labels[-1] == "pod":
            ip = labels[0].replace("-", ".")
            if addr.is_ip(ip) and addr.get(self.cluster, "namespaces", None, labels[1]) is not None:
                return self._typed(qname, qtype, [Record(qname, TTL, "A", ip)])
        if len(labels) <= 2 and (not labels or labels[-1] in {"svc", "pod"}):
            return Reply(authority=[_soa(self.zone)])
        return Reply(status="NXDOMAIN", authority=[_soa(self.zone)])

    def _typed(self, qname: str, qtype: str, records: list[Record]) -> Reply:
        wanted = [r for r in records if qtype in {"ANY", r.type}]
        if not wanted:
            return Reply(authority=[_soa(self.zone)])
        return Reply(answer=wanted)

    def _service_name(self, qname: str, labels: list[str], qtype: str) -> Reply:
        nxdomain = Reply(status="NXDOMAIN", authority=[_soa(self.zone)])
        if len(labels) == 1:
            if addr.get(self.cluster, "namespaces", None, labels[0]) is None:
                return nxdomain
            return Reply(authority=[_soa(self.zone)])
        ns = labels[-1]
        if len(labels) == 4 and labels[0].startswith("_") and labels[1].startswith("_"):
            return self._srv(qname, labels[0][1:], labels[1][1:], labels[2], ns, qtype)
        if len(labels) == 3:
            return self._endpoint_name(qname, labels[0], labels[1], ns, qtype)
        if len(labels) != 2:
            return nxdomain
        svc = addr.get(self.cluster, "services", ns, labels[0])
        if svc is None:
            return nxdomain
        spec = svc.get("spec") or {}
        if spec.get("type") == "ExternalName":
            target = absolute(spec.get("externalName", ""))
            cname = Record(qname, TTL, "CNAME", target)
            if qtype == "CNAME":
                return Reply(answer=[cname])
            follow = self.query(target, qtype)
            return Reply(answer=[cname] + follow.answer, authority=follow.authority
                         if not follow.answer else [])
        if qtype == "SRV":
            return self._srv_all(qname, svc)
        if addr.service_ip_set(svc):
            ips = [spec["clusterIP"]]
        else:
            ips = [e["ip"] for e in _ready_addresses(self.cluster, svc)]
            if not ips:
                return nxdomain
            turn = self._rotation(qname, len(ips))
            ips = ips[turn:] + ips[:turn]
        return self._typed(qname, qtype, [Record(qname, TTL, "A", ip) for ip in ips])

    def _endpoint_name(self, qname: str, host: str, name: str, ns: str, qtype: str) -> Reply:
        svc = addr.get(self.cluster, "services", ns, name)
        if svc is not None:
            for entry in _ready_addresses(self.cluster, svc):
                if _endpoint_hostname(self.cluster, svc, entry) == host:
                    return self._typed(qname, qtype, [Record(qname, TTL, "A", entry["ip"])])
        return Reply(status="NXDOMAIN", authority=[_soa(self.zone)])

    def _srv_all(self, qname: str, svc: dict) -> Reply:
        records = []
        for port in (svc.get("spec") or {}).get("ports") or []:
            if port.get("name"):
                name = f"_{port['name']}._{port.get('protocol', 'TCP').lower()}.{qname}"
                records.extend(self._srv_records(name, svc, port))
        return Reply(answer=records) if records else Reply(authority=[_soa(self.zone)])

    def _srv(self, qname: str, port_name: str, proto: str, name: str, ns: str, qtype: str) -> Reply:
        svc = addr.get(self.cluster, "services", ns, name)
        if svc is not None:
            for port in (svc.get("spec") or {}).get("ports") or []:
                if port.get("name") == port_name and port.get("protocol", "TCP").lower() == proto:
                    if qtype not in {"SRV", "ANY"}:
                        return Reply(authority=[_soa(self.zone)])
                    return Reply(answer=self._srv_records(qname, svc, port))
        return Reply(status="NXDOMAIN", authority=[_soa(self.zone)])

    def _srv_records(self, qname: str, svc: dict, port: dict) -> list[Record]:
        base = f"{addr.meta(svc, 'name')}.{addr.meta(svc, 'namespace')}.svc.{self.zone}"
        if addr.service_ip_set(svc):
            return [Record(qname, TTL, "SRV", f"0 100 {port['port']} {base}")]
        entries = _ready_addresses(self.cluster, svc)
        weight = 100 // len(entries) if entries else 0
        return [Record(qname, TTL, "SRV",
                       f"0 {weight} {port['port']} {_endpoint_hostname(self.cluster, svc, e)}.{base}")
                for e in entries]

    def _ptr(self, qname: str) -> Reply:
        octets = qname[: -len(".in-addr.arpa.")].split(".")
        if len(octets) != 4:
            return Reply(status="NXDOMAIN", authority=[_soa(".")], authoritative=False)
        ip = ".".join(reversed(octets))
        names = self.names_for(ip)
        if not names:
            return Reply(status="NXDOMAIN", authority=[_soa(".")], authoritative=False)
        return Reply(answer=[Record(qname, TTL, "PTR", n) for n in names[:1]])

    def names_for(self, ip: str) -> list[str]:
        """Reverse names: a Service's name for its cluster IP, endpoint names for pod IPs."""
        names = []
        for svc in addr.services(self.cluster):
            spec = svc.get("spec") or {}
            base = f"{addr.meta(svc, 'name')}.{addr.meta(svc, 'namespace')}.svc.{self.zone}"
            if addr.service_ip_set(svc) and ip in ([spec.get("clusterIP")] + (spec.get("clusterIPs") or [])):
                names.append(base)
        if names:
            return names
        for svc in addr.services(self.cluster):
            if not (svc.get("spec") or {}).get("selector"):
                continue
            for entry in _ready_addresses(self.cluster, svc):
                if entry.get("ip") == ip:
                    base = f"{addr.meta(svc, 'name')}.{addr.meta(svc, 'namespace')}.svc.{self.zone}"
                    names.append(f"{_endpoint_hostname(self.cluster, svc, entry)}.{base}")
        return names

    # outside ----------------------------------------------------------------
    def _upstream(self, qname: str, qtype: str) -> Reply:
        return upstream(self.cluster, qname, qtype)


def upstream(cluster: Any, qname: str, qtype: str) -> Reply:
    """The public DNS: the simulated sites and the host names of cloud load balancers."""
    name = qname.rstrip(".")
    ips: list[str] = []
    site = internet.site_by_name(name)
    if site is not None:
        ips = list(site.addresses)
    else:
        for svc in addr.services(cluster):
            for entry in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []:
                if entry.get("hostname", "").lower() == name:
                    ips = [addr.lb_hostname_address(entry["hostname"])]
    if not ips:
        return Reply(status="NXDOMAIN", authority=[_soa(".")], authoritative=False)
    records = [Record(absolute(name), 300, "A", ip) for ip in ips]
    wanted = [r for r in records if qtype in {"A", "ANY"}]
    return Reply(answer=wanted, authority=[] if wanted else [_soa(".")], authoritative=False)


@dataclass
class ResolvConf:
    nameserver: str | None         # the first nameserver (None: the node's own resolver)
    search: list[str]
    ndots: int = 5
    servers: list[str] | None = None    # every nameserver, in order (None: [nameserver])
    options: list[str] | None = None    # the options line (None: ndots only)

    def text(self) -> str:
        """/etc/resolv.conf as the container runtime writes it (search, nameservers, options)."""
        servers = self.servers if self.servers is not None else \
            [self.nameserver or NODE_RESOLVER]
        options = self.options if self.options is not None else [f"ndots:{self.ndots}"]
        lines = []
        if self.search:
            lines.append("search " + " ".join(self.search))
        lines += [f"nameserver {s}" for s in servers]
        if options:
            lines.append("options " + " ".join(options))
        return "".join(line + "\n" for line in lines)


NODE_RESOLVER = "169.254.169.254"   # what a node's /etc/resolv.conf names (dnsPolicy Default)
PUBLIC_RESOLVERS = frozenset({"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", NODE_RESOLVER})
MAX_NAMESERVERS = 3                 # the kubelet keeps the first three (validation.MaxDNSNameservers)
MAX_SEARCHES = 32                   # and the first 32 search domains


def _unique(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _merge_options(existing: list[str], extra: list[dict]) -> list[str]:
    """The kubelet's mergeDNSOptions: dnsConfig.options replace options of the same name
    (kept here in the order they first appear)."""
    merged: dict[str, str] = {}
    for option in existing:
        name, _, value = option.partition(":")
        merged[name] = value
    for option in extra:
        if option.get("name"):
            merged[str(option["name"])] = "" if option.get("value") is None else str(option["value"])
    return [f"{k}:{v}" if v != "" else k for k, v in merged.items()]


def pod_resolv_conf(cluster: Any, pod: dict) -> ResolvConf:
    """The resolver configuration the kubelet gives a pod (pkg/kubelet/network/dns):
    ClusterFirst: the cluster DNS with the namespace's search list and ndots:5; Default (and
    ClusterFirst on the host network): the node's resolver; ClusterFirstWithHostNet: the
    cluster DNS even on the host network; None: only what dnsConfig says. dnsConfig's
    nameservers and searches are appended, its options replace those of the same name."""
    ns = addr.meta(pod, "namespace") or "default"
    domain = addr.cluster_domain(cluster)
    spec = pod.get("spec") or {}
    policy = spec.get("dnsPolicy", "ClusterFirst")
    config = spec.get("dnsConfig") or {}
    if policy == "None":
        servers: list[str] = []
        search: list[str] = []
        options: list[str] = []
    elif policy == "Default" or (spec.get("hostNetwork") and policy == "ClusterFirst"):
        servers, search, options = [NODE_RESOLVER], [], []
    else:
        servers = [addr.dns_service_ip(cluster)]
        search = [f"{ns}.svc.{domain}", f"svc.{domain}", domain]
        options = ["ndots:5"]
    servers = _unique(servers + [str(s) for s in config.get("nameservers") or []])[:MAX_NAMESERVERS]
    search = _unique(search + [str(s).rstrip(".") for s in config.get("searches") or []])[:MAX_SEARCHES]
    options = _merge_options(options, list(config.get("options") or []))
    ndots = 1
    for option in options:
        if option.startswith("ndots:"):
            try:
                ndots = max(0, min(15, int(option.split(":", 1)[1])))
            except ValueError:
                pass
    first = servers[0] if servers else None
    if first == NODE_RESOLVER and len(servers) == 1:
        first = None            # the node's own resolver: the public DNS only
    return ResolvConf(first, search, ndots, servers, options)


def answers(cluster: Any, server_ip: str | None, qname: str, qtype: str) -> Reply | None:
    """One query to a nameserver: the cluster DNS, a public resolver, or nothing (None)."""
    if server_ip is None or server_ip in PUBLIC_RESOLVERS:
        return upstream(cluster, qname, qtype)
    if server_ip == addr.dns_service_ip(cluster):
        return Server(cluster).query(qname, qtype)
    return None


def candidates(name: str, conf: ResolvConf) -> list[str]:
    """The absolute names a stub resolver tries, in order (glibc/musl with ndots)."""
    if name.endswith("."):
        return [name]
    searched = [f"{name}.{s}." for s in conf.search]
    if name.count(".") >= conf.ndots:
        return [name + "."] + searched
    return searched + [name + "."]


def resolve(cluster: Any, name: str, conf: ResolvConf, hosts: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """A and CNAME chasing as getaddrinfo does: (canonical name, addresses); [] when none."""
    lowered = name.lower().rstrip(".")
    if addr.is_ip(lowered):
        return lowered, [lowered]
    for host, ip in (hosts or {}).items():
        if host == lowered:
            return lowered, [ip]
    for candidate in candidates(lowered, conf):
        reply = None
        for server in (conf.servers or [conf.nameserver]):
            reply = answers(cluster, server if server != NODE_RESOLVER else None, candidate, "A")
            if reply is not None:
                break
        if reply is None:
            continue
        found = [r.data for r in reply.answer if r.type == "A"]
        if found:
            canonical = next((r.data for r in reply.answer if r.type == "CNAME"), candidate)
            return canonical.rstrip("."), found
    return lowered, []


def hosts_entries(text: str) -> dict[str, str]:
    """The names an /etc/hosts file gives, each to its first address."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        for name in fields[1:]:
            found.setdefault(name.lower(), fields[0])
    return found
