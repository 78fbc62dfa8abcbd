"""The cluster's API on a real socket: an HTTP/1.1 server on the loopback address that
hands each request to sim.api.server.handle (the one path from any client to the store).

    server = start(cluster, port=0)        # 127.0.0.1, any free port
    server.url                             # "http://127.0.0.1:PORT"
    server.close()
"""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sim.api import server as api


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
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


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cluster: Any, host: str, port: int) -> None:
        super().__init__((host, port), _Handler)
        self.cluster = cluster
        self.closing = False
        self.thread = threading.Thread(target=self.serve_forever, daemon=True,
                                       name="api-server")

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.closing = True
        self.shutdown()
        self.server_close()


def start(cluster: Any, port: int = 0, host: str = "127.0.0.1") -> ApiServer:
    server = ApiServer(cluster, host, port)
    server.thread.start()
    return server
