"""One HTTP(S) exchange from somewhere in (or outside) the cluster: name resolution,
routing, the TLS handshake with real certificate checks, and the server's reply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol
from urllib.parse import urlsplit

from cryptography import x509

from sim.net import addresses as addr
from sim.net import apiserver, dns, http, ingress, tls
from sim.net.routing import ConnectError, Origin, Target, connect


@dataclass
class Url:
    scheme: str
    host: str
    port: int
    target: str           # path and query

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


class UrlError(ValueError):
    pass


def parse_url(text: str) -> Url:
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise UrlError(scheme)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise UrlError("port") from exc
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Url(scheme, host, port, target)


@dataclass
class Failure:
    kind: str             # resolve | refused | timeout | tls-plain | tls-verify | empty
    detail: Any = None


@dataclass
class Exchange:
    url: Url
    ip: str = ""
    response: http.Response | None = None
    failure: Failure | None = None
    chain: list[x509.Certificate] = field(default_factory=list)


@dataclass
class Client:
    """Everything a client program needs besides its options."""

    cluster: Any
    origin: Origin
    resolv: dns.ResolvConf
    hosts: dict[str, str] = field(default_factory=dict)

    def resolve(self, host: str) -> list[str]:
        return dns.resolve(self.cluster, host, self.resolv, self.hosts)[1]


class Containers(Protocol):
    """What the network needs of the programs in a pod's containers (sim.workloads
    provides it; the cluster that composes both hands it over as ``cluster.containers``)."""

    def find(self, cluster: Any, pod: dict, name: str) -> Any | None:
        """The running container ``name`` of ``pod`` (its files, its servers by port)."""

    def respond(self, cluster: Any, state: Any, server: Any, request: http.Request, now: Any,
                port: int, forward: Callable[[str, int, http.Request], http.Response | None]
                ) -> http.Response | None:
        """What the container's server on ``port`` answers to ``request``."""

    def certificate_path(self, state: Any, port: int, sni: str = "") -> str | None:
        """The certificate file the container's server presents on ``port``."""

    def key_path(self, state: Any, port: int) -> str | None:
        """Its private key's file."""


def containers(cluster: Any) -> Containers | None:
    """The cluster's container side; None: containers are plain, nothing in a pod listens."""
    return getattr(cluster, "containers", None)


def _containers_serving(cluster: Any, pod: dict, port: int) -> tuple[Any, Any] | None:
    peers = containers(cluster)
    if peers is None:
        return None
    for spec in (pod.get("spec") or {}).get("containers") or []:
        state = peers.find(cluster, pod, spec.get("name"))
        if state is None:
            continue
        servers = state.servers
        if port in servers:
            return state, servers[port]
    return None


def serving(cluster: Any, client: "Client", ip: str, port: int) -> tuple[Any, Any] | None:
    """(container, server) that a connection from ``client`` to ``ip:port`` reaches, None
    when nothing of a pod listens there (a program's own protocol, e.g. redis-cli)."""
    if ip in ("127.0.0.1", "::1") and client.origin.pod is not None:
        return _containers_serving(cluster, client.origin.pod, port)
    try:
        target = connect(cluster, client.origin, ip, port)
    except ConnectError:
        return None
    if target.kind != "pod":
        return None
    return _containers_serving(cluster, target.pod, port)


def _container_cert(cluster: Any, state: Any, port: int = 443, sni: str = "") -> list[x509.Certificate]:
    """The certificate nginx presents on ``port``: the file its configuration names."""
    peers = containers(cluster)
    named = peers.certificate_path(state, port, sni) if peers is not None else None
    if named:
        try:
            return tls.load_chain(state.fs.read(named))
        except Exception:  # missing or unreadable: nginx has no certificate to show
            return []
    for name in ("tls.crt", "nginx.crt"):
        try:
            return tls.load_chain(state.fs.read(f"/etc/nginx/ssl/{name}"))
        except Exception:  # missing or unreadable: try the next name nginx might use
            continue
    return []


def server_chain(cluster: Any, target: Target, sni: str) -> list[x509.Certificate] | None:
    """The certificate chain the server presents, or None when the port does not speak TLS."""
    if target.kind == "site":
        return tls.site_chain(list(target.site.names)) if target.port == 443 else None
    if target.kind == "ingress":
        return ingress.certificate(cluster, target.address, sni) if target.port == 443 else None
    if target.kind == "apiserver":
        return apiserver.chain(cluster)
    if target.kind == "kube-proxy":
        return None
    serving = _containers_serving(cluster, target.pod, target.port)
    if serving is None or not serving[1].tls:
        return None
    if serving[1].kind == "ingress":
        return ingress.certificate(cluster, None, sni)
    return _container_cert(cluster, serving[0], target.port, sni) or None


def listening(cluster: Any, target: Target) -> bool:
    if target.kind != "pod":
        return True
    serving = _containers_serving(cluster, target.pod, target.port)
    if serving is None:
        return False
    return serving[1].kind != "nginx" or not serving[1].tls or bool(_container_cert(cluster, serving[0], target.port))


def respond(cluster: Any, target: Target, request: http.Request) -> http.Response | None:
    """The server's reply; None for a connection closed without one."""
    now = cluster.clock.now()
    request.client_ip = request.client_ip or target.client_ip
    if target.kind == "site":
        state = cluster.runtime.setdefault("net", {})
        sequence = state["site-requests"] = state.get("site-requests", -1) + 1
        edge = http.edge_server(str(cluster.profile.get("region") or ""), sequence)
        return http.site(target.site, request, now, target.port, edge)
    if target.kind == "ingress":
        return ingress.handle(cluster, request, target.address, request.scheme == "https",
                              _forwarder(cluster))
    if target.kind == "apiserver":
        return apiserver.respond(cluster, request)
    if target.kind == "kube-proxy":
        from sim.net import kubeproxy

        return kubeproxy.respond(cluster, target.node, target.port, request)
    serving = _containers_serving(cluster, target.pod, target.port)
    if serving is None:
        return None
    state, server = serving
    if server.kind == "ingress":
        return ingress.handle(cluster, request, None, request.scheme == "https", _forwarder(cluster))
    return containers(cluster).respond(cluster, state, server, request, now, target.port,
                                       _pod_forwarder(cluster, target.pod))


def _pod_forwarder(cluster: Any, pod: dict) -> Callable[[str, int, http.Request], http.Response | None]:
    """How a program in ``pod`` reaches another server (nginx's proxy_pass): the pod's own
    name resolution and routing."""
    def forward(host: str, port: int, request: http.Request) -> http.Response | None:
        found = dns.resolve(cluster, host, dns.pod_resolv_conf(cluster, pod))[1] \
            if not addr.is_ip(host) else [host]
        if not found:
            return None
        try:
            target = connect(cluster, Origin("pod", pod=pod), found[0], port)
        except ConnectError:
            return None
        if not listening(cluster, target):
            return None
        request.client_ip = target.client_ip
        return respond(cluster, target, request)
    return forward


def _forwarder(cluster: Any) -> Callable[[str, int, http.Request], http.Response | None]:
    def forward(ip: str, port: int, request: http.Request) -> http.Response | None:
        pod = addr.pod_by_ip(cluster, ip)
        if pod is not None:
            target = Target("pod", port, pod=pod, address=ip, client_ip=request.client_ip)
        else:
            try:
                target = connect(cluster, Origin("node"), ip, port)
            except ConnectError:
                return None
        return respond(cluster, target, request)
    return forward


def exchange(client: Client, url: Url, method: str, headers: list[tuple[str, str]], body: bytes,
             anchors: list[x509.Certificate] | None, insecure: bool,
             ip: str | None = None) -> Exchange:
    """Resolve, connect, handshake and ask. ``anchors`` None means the image's own bundle."""
    result = Exchange(url)
    cluster = client.cluster
    if ip is None:
        found = client.resolve(url.host)
        if not found:
            result.failure = Failure("resolve", url.host)
            return result
        ip = found[0]
    result.ip = ip
    try:
        target = connect(cluster, client.origin, ip, url.port)
    except ConnectError as exc:
        result.failure = Failure(exc.kind)
        return result
    if not listening(cluster, target):
        result.failure = Failure("refused")
        return result
    if url.scheme == "https":
        chain = server_chain(cluster, target, url.host)
        if chain is None:
            result.failure = Failure("tls-plain")
            return result
        result.chain = chain
        if not insecure:
            trusted = anchors if anchors is not None else [tls.public_root()]
            problem = tls.verify(chain, trusted, url.host, cluster.clock.now())
            if problem is not None:
                result.failure = Failure("tls-verify", problem)
                return result
    request = http.Request(method, url.target, headers, body, client_ip=target.client_ip,
                           scheme=url.scheme)
    response = respond(cluster, target, request)
    if response is None:
        result.failure = Failure("empty")
        return result
    if method == "HEAD":
        response = http.head_only(response)
    result.response = response
    return result


def pod_client(cluster: Any, pod: dict, hosts_text: str | None = None) -> Client:
    hosts = dns.hosts_entries(hosts_text) if hosts_text else {"localhost": "127.0.0.1"}
    return Client(cluster, Origin("pod", pod=pod), dns.pod_resolv_conf(cluster, pod), hosts)


def node_client(cluster: Any, node: dict | None) -> Client:
    hosts = {"localhost": "127.0.0.1"}
    return Client(cluster, Origin("node" if node else "outside", node=node),
                  dns.ResolvConf(None, [], 1), hosts)
