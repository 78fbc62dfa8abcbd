"""The cluster's API on a real socket: an HTTP/1.1 server on the loopback address that
hands each request to sim.api.server.handle (the one path from any client to the store).

    server = start(cluster, port=0)        # 127.0.0.1, any free port
    server.url                             # "http://127.0.0.1:PORT"
    server = start(cluster, secure=True)   # TLS, as the cluster's own API server
    server.url                             # "https://127.0.0.1:PORT"
    server.close()

Secure, the port speaks TLS with the serving certificate of sim.net.apiserver (issued by the
cluster's CA, valid for the control plane's address and 127.0.0.1) and authenticates as
kube-apiserver does: a client certificate issued by the cluster's CA, or a bearer token;
anyone else is ``system:anonymous`` and may read only /version and the health checks. The
same port is also an HTTP proxy that takes ``CONNECT`` to any address and answers it itself:
a kubeconfig whose server is the profile's address (``https://192.168.56.10:6443``) and whose
``proxy-url`` is this port reaches the cluster with nothing but loopback traffic, and the real
kubectl's ``cluster-info`` prints the address the profile gives.
"""
from __future__ import annotations

import os
import socket
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from sim.api import server as api
from sim.api import streams


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out as two writes: with Nagle's algorithm the second waits for
    # the client's delayed ACK, 40 ms on Linux, on every small response
    disable_nagle_algorithm = True
    server: "ApiServer"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _any(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > api.MAX_BODY:
            self.close_connection = True
            self._discard(length)     # a client still sending would see a broken pipe
            oversized = api.Request(self.command, self.path, {}, b"x" * (api.MAX_BODY + 1))
            response = api.handle(self.server.cluster, oversized)
        else:
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = api.Request(self.command, self.path, headers, body)
            refused = self._refused(request)
            if refused is not None:
                return self._send(refused)
            if _proxy_path(self.path):
                return self._proxy(body)
            stream = streams.match(self.path) if self.command in ("GET", "POST") else None
            if stream is not None:
                return self._stream(stream)
            if api.is_watch(request):
                return self._watch(request)
            response = api.handle(self.server.cluster, request)
        self._send(response)

    def _send(self, response: "api.Response") -> None:
        payload = response.encode()
        self.send_response(response.code)
        for name, value in response.headers():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _proxy(self, body: bytes) -> None:
        """The services and pods ``proxy`` subresource: the request goes on into the
        simulated network (sim.net.proxy, as ``kubectl proxy`` of ours forwards it)."""
        from sim.net import proxy

        headers = [(k, v) for k, v in self.headers.items() if k.lower() != "authorization"]
        answer = proxy.handle(self.server.cluster, self.command, self.path, headers, body)
        self.send_response(answer.status, answer.reason)
        for name, value in answer.headers:
            if name.lower() not in ("date", "content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def _stream(self, target: tuple[str, str, str]) -> None:
        from sim.api.errors import ApiError

        cluster = self.server.cluster
        namespace, name, subresource = target
        try:
            if subresource == "log":
                text, follow = streams.logs(cluster, self.path)
                return self._log(text, follow)
            query = streams.query_of(self.path)
            pod, container = streams.resolve(cluster, namespace, name,
                                             (query.get("container") or [""])[-1], subresource)
        except ApiError as err:
            return self._send(api.status_response(err))
        protocol = streams.chosen_protocol(self.headers.get("Sec-WebSocket-Protocol") or "")
        key = self.headers.get("Sec-WebSocket-Key")
        if (self.headers.get("Upgrade") or "").lower() != "websocket" or not key or not protocol:
            return self._send(api.status_response(ApiError(
                400, "BadRequest", "Upgrade request required", {})))
        self.close_connection = True
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", streams.accept_key(key))
        self.send_header("Sec-WebSocket-Protocol", protocol)
        self.end_headers()
        self.wfile.flush()
        io = streams.WebSocketIO(self.connection, protocol, streams.flag(query, "tty"),
                                 streams.flag(query, "stdin"))
        streams.run_stream(cluster, self.path, io, pod, container, subresource)

    def _log(self, text: str, follow: bool) -> None:
        payload = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        if not follow:
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        import select

        self.close_connection = True
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if payload:
            self._chunk(payload)
        # a running container's log stays open until the client goes
        while not self.server.closing:
            readable, _, _ = select.select([self.connection], [], [], 0.5)
            if readable:
                break

    def do_CONNECT(self) -> None:
        """A tunnel to "the API server at any address": this very server, over TLS."""
        context = self.server.tls
        if context is None or getattr(self.connection, "context", None) is not None:
            self.send_error(405)
            return
        self.send_response_only(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        try:
            tunnel = context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return
        _Handler(tunnel, self.client_address, self.server)

    def _refused(self, request: "api.Request") -> "api.Response | None":
        if self.server.tls is None:
            return None
        from sim.net.apiserver import ANONYMOUS_PATHS

        from sim.api.errors import ApiError
        from sim.net.apiserver import token_user

        peer = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
        if peer:
            return None
        auth = request.header("authorization")
        if auth.startswith("Bearer "):
            with self.server.cluster.lock:
                user = token_user(self.server.cluster, auth[len("Bearer "):].strip())
            if user is not None:
                return None
            return api.status_response(ApiError(401, "Unauthorized", "Unauthorized", {}))
        if request.path in ANONYMOUS_PATHS:
            return None

        return api.status_response(ApiError(
            403, "Forbidden", f'forbidden: User "system:anonymous" cannot '
            f'{request.method.lower()} path "{request.path}"', {}))

    def _discard(self, length: int, limit: int = 64 * 1024 * 1024) -> None:
        left = min(length, limit)
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                return
            left -= len(chunk)

    def _watch(self, request: "api.Request") -> None:
        import json
        import select

        def closed() -> bool:
            if self.server.closing:
                return True
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable)    # the client hung up (or sent more: we answer no more)

        events = api.watch(self.server.cluster, request, closed)
        if isinstance(events, api.Response):
            return self._send(events)
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        try:
            for event in events:
                self._chunk(json.dumps(event, separators=(",", ":")).encode() + b"\n")
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _any

    def send_response(self, code: int, message: str | None = None) -> None:
        # no Server header and no host clock: the Date is the cluster's
        self.log_request(code)
        self.send_response_only(code, message)
        from sim.net.http import http_date

        with self.server.cluster.lock:
            self.send_header("Date", http_date(self.server.cluster.clock.now()))


def _proxy_path(path: str) -> bool:
    from sim.net.proxy import PROXY_PATH

    return PROXY_PATH.match(urlsplit(path).path) is not None


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cluster: Any, host: str, port: int, secure: bool = False) -> None:
        super().__init__((host, port), _Handler)
        self.cluster = cluster
        self.closing = False
        self.tls = _context(cluster) if secure else None
        self.thread = threading.Thread(target=self.serve_forever, daemon=True,
                                       name="api-server")

    def finish_request(self, request: socket.socket, client_address: Any) -> None:
        # in the connection's own thread: TLS if the client starts a handshake, else plain
        # HTTP (a CONNECT to tunnel through, or a refusal as an HTTPS server gives)
        if self.tls is not None:
            request.settimeout(30)
            try:
                first = request.recv(1, socket.MSG_PEEK)
                if first == b"\x16":
                    request = self.tls.wrap_socket(request, server_side=True)
                request.settimeout(None)
            except (ssl.SSLError, OSError):
                return
        self.RequestHandlerClass(request, client_address, self)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    def close(self) -> None:
        self.closing = True
        self.shutdown()
        self.server_close()


def _context(cluster: Any) -> ssl.SSLContext:
    from cryptography.hazmat.primitives import serialization

    from sim.net import apiserver

    with cluster.lock:
        chain = apiserver.chain(cluster)
        key = apiserver.serving_key(cluster)
        ca = apiserver.ca_pem(cluster)
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
    pem += key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # the ssl module reads a key pair only from a file: one that lives for this call only
    with tempfile.NamedTemporaryFile(suffix=".pem") as fh:
        os.chmod(fh.name, 0o600)
        fh.write(pem)
        fh.flush()
        context.load_cert_chain(fh.name)
    if ca:
        context.load_verify_locations(cadata=ca)
        context.verify_mode = ssl.CERT_OPTIONAL
    context.set_alpn_protocols(["http/1.1"])
    return context


def start(cluster: Any, port: int = 0, host: str = "127.0.0.1", secure: bool = False) -> ApiServer:
    server = ApiServer(cluster, host, port, secure)
    server.thread.start()
    return server
