"""``kubectl port-forward``: real listening sockets on the loopback addresses of the
reader's machine (inside the session's sandbox), each connection carried into a pod's own
network namespace, where it reaches ``localhost:PORT`` as the kubelet's port forwarding
does (so the server sees the client 127.0.0.1)."""

from __future__ import annotations

import errno
import hashlib
import socket
import ssl
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from socketserver import TCPServer, ThreadingMixIn
from typing import Any, Callable

from sim.net import addresses as addr
from sim.net import client as net
from sim.net.http import Request
from sim.net.routing import Target

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "upgrade"}


@dataclass
class Listener:
    host: str              # as kubectl prints it: 127.0.0.1 or [::1]
    local: int
    remote: int
    server: TCPServer


@dataclass
class Forwarding:
    listeners: list[Listener] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)      # per port: what failed to listen
    # a connection the pod refused: kubectl closes its stream to the kubelet, and ends
    lost: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        for item in self.listeners:
            item.server.shutdown()
            item.server.server_close()


class _Server(ThreadingMixIn, TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, family: int, address: tuple, handler: type) -> None:
        self.address_family = family
        TCPServer.__init__(self, address, handler, bind_and_activate=False)
        if family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            self.server_bind()
            self.server_activate()
        except OSError:
            self.server_close()
            raise


def _handler(cluster: Any, pod_ref: Callable[[], dict | None], remote: int, local: int,
             io: Any, lost: threading.Event) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        scheme = "http"

        def setup(self) -> None:
            io.write_out(f"Handling connection for {local}\n")
            # the bytes go through as they are: a TLS client meets the pod's own certificate
            if _starts_tls(self.request):
                with cluster.lock:
                    context = tls_context(cluster, pod_ref(), remote)
                if context is not None:
                    try:
                        self.request = context.wrap_socket(self.request, server_side=True)
                        self.scheme = "https"
                    except (OSError, ssl.SSLError):
                        pass
            super().setup()

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = [(k, v) for k, v in self.headers.items()]
            with cluster.lock:
                response = answer(cluster, pod_ref(), remote, self.command, self.path, headers, body,
                                  self.scheme)
            if response is None:
                with cluster.lock:
                    io.write_err(refused_text(cluster, pod_ref(), local, remote))
                self.close_connection = True
                lost.set()
                return
            self.send_response_only(response.status, response.reason_phrase)
            sent = set()
            for name, value in response.headers:
                if name.lower() in HOP_BY_HOP:
                    continue
                self.send_header(name, value)
                sent.add(name.lower())
            if "content-length" not in sent and "transfer-encoding" not in sent:
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if "chunked" in (response.header("Transfer-Encoding") or "").lower():
                body = response.body
                self.wfile.write((f"{len(body):x}\r\n".encode() + body + b"\r\n" if body else b"")
                                 + b"0\r\n\r\n")
            else:
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _any

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


def answer(cluster: Any, pod: dict | None, port: int, method: str, target: str,
           headers: list[tuple[str, str]], body: bytes, scheme: str = "http"):
    """The reply of what listens on ``localhost:port`` in ``pod``; None when nothing does."""
    if pod is None:
        return None
    found = Target("pod", port, pod=pod, address="127.0.0.1", client_ip="127.0.0.1")
    if not net.listening(cluster, found):
        return None
    request = Request(method, target, headers, body, client_ip="127.0.0.1", scheme=scheme)
    return net.respond(cluster, found, request)


def _starts_tls(sock: socket.socket) -> bool:
    """Whether the client opens with a TLS handshake record."""
    try:
        sock.settimeout(10)
        first = sock.recv(1, socket.MSG_PEEK)
    except OSError:
        return False
    finally:
        sock.settimeout(None)
    return first == b"\x16"


def tls_context(cluster: Any, pod: dict | None, port: int) -> ssl.SSLContext | None:
    """A server context with the certificate and key that nginx in ``pod`` serves on
    ``port`` (read from the container's files), None when that port speaks no TLS."""
    if pod is None:
        return None
    found = net._containers_serving(cluster, pod, port)
    if found is None or not found[1].tls:
        return None
    container, peers = found[0], net.containers(cluster)
    cert, key = peers.certificate_path(container, port), peers.key_path(container, port)
    if not cert or not key:
        return None
    try:
        cert_pem, key_pem = container.fs.read(cert), container.fs.read(key)
    except Exception:  # a file the configuration names but the container lacks
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "tls.crt").write_bytes(cert_pem)
        Path(folder, "tls.key").write_bytes(key_pem)
        try:
            context.load_cert_chain(str(Path(folder, "tls.crt")), str(Path(folder, "tls.key")))
        except (OSError, ssl.SSLError):
            return None
    return context


def refused_text(cluster: Any, pod: dict | None, local: int, remote: int) -> str:
    """What kubectl logs (klog, through runtime.HandleError) when nothing in the pod listens:
    the pod's sandbox (a containerd id) and its network namespace name the pod."""
    moment = cluster.clock.now()
    uid = (addr.meta(pod, "uid") if pod else "") or ""
    sandbox = hashlib.sha256(f"sandbox/{uid}".encode()).hexdigest()
    netns = str(uuid.UUID(hashlib.sha256(f"netns/{uid}".encode()).hexdigest()[:32]))
    pid = 10000 + int(sandbox[:4], 16) % 50000          # the kubectl process
    return (f"E{moment:%m%d %H:%M:%S}.{moment.microsecond:06d} {pid:>7} portforward.go:424] "
            f'"Unhandled Error" err="an error occurred forwarding {local} -> {remote}: error '
            f"forwarding port {remote} to pod {sandbox}, uid : failed to execute portforward in "
            f'network namespace \\"/var/run/netns/cni-{netns}\\": failed to connect to '
            f'localhost:{remote} inside namespace \\"{sandbox}\\", IPv4: dial tcp4 '
            f"127.0.0.1:{remote}: connect: connection refused IPv6 dial tcp6 [::1]:{remote}: "
            'connect: connection refused "\n')


def _bind_error(family: int, host: str, port: int, exc: OSError) -> str:
    network = "tcp4" if family == socket.AF_INET else "tcp6"
    shown = f"[{host}]" if ":" in host else host
    reason = {errno.EADDRINUSE: "address already in use",
              errno.EADDRNOTAVAIL: "cannot assign requested address",
              errno.EACCES: "permission denied"}.get(exc.errno or 0, exc.strerror or str(exc))
    return f"unable to create listener: Error listen {network} {shown}:{port}: bind: {reason}"


def listen(cluster: Any, pod_ref: Callable[[], dict | None], ports: list[tuple[int, int]],
           addresses: list[str], io: Any) -> Forwarding:
    """Open the listeners kubectl opens: per (local, remote) port, one per address
    (``localhost``: 127.0.0.1 and ::1). A local port 0 takes a free port, the same on every
    address. Failures are collected per port (``Forwarding.errors``)."""
    result = Forwarding()
    binds: list[tuple[int, str, str]] = []        # family, bind address, shown address
    for address in addresses:
        if address == "localhost":
            binds += [(socket.AF_INET, "127.0.0.1", "127.0.0.1"), (socket.AF_INET6, "::1", "[::1]")]
        elif ":" in address:
            binds.append((socket.AF_INET6, "::1", f"[{address}]"))
        else:
            # any address of the reader's machine is its loopback inside the sandbox
            binds.append((socket.AF_INET, "127.0.0.1", address))
    for local, remote in ports:
        chosen = local
        failures = []
        opened = 0
        for family, host, shown in binds:
            try:
                server = _Server(family, (host, chosen), _handler(cluster, pod_ref, remote, 0, io, result.lost))
            except OSError as exc:
                failures.append(_bind_error(family, host, chosen, exc))
                continue
            chosen = server.server_address[1]
            server.RequestHandlerClass = _handler(cluster, pod_ref, remote, chosen, io, result.lost)
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                             daemon=True).start()
            result.listeners.append(Listener(shown, chosen, remote, server))
            opened += 1
        if not opened:
            result.errors.append(
                f"Unable to listen on port {local}: Listeners failed to create with the following "
                f"errors: [{' '.join(failures)}]")
    return result
