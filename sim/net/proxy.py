"""``kubectl proxy``: a real HTTP server on 127.0.0.1 that answers as the API server does
for its proxy paths (services and pods, into the simulated network) and a few reads."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from sim.net import addresses as addr
from sim.net import client as net
from sim.net.http import Request, Response
from sim.net.routing import ConnectError, Target, _next_backend

PROXY_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)/(services|pods)/([^/]+)/proxy(/.*)?$")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection",
              "te", "trailer"}
GROUPLESS = {"pods", "services", "endpoints", "namespaces", "nodes", "configmaps", "secrets",
             "events", "serviceaccounts", "persistentvolumeclaims", "persistentvolumes"}


def _status(code: int, reason: str, message: str, details: dict | None = None) -> Response:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason}
    if details:
        body["details"] = details
    body["code"] = code
    data = (json.dumps(body, indent=2) + "\n").encode()
    return Response(code, [("Content-Type", "application/json")], data)


def _json(payload: Any) -> Response:
    data = (json.dumps(payload, indent=2) + "\n").encode()
    return Response(200, [("Content-Type", "application/json")], data)


def _split_target(segment: str) -> tuple[str, str, str]:
    """``[https:]name[:port]`` -> (scheme, name, port)."""
    parts = segment.split(":")
    if len(parts) == 3:
        return parts[0] or "http", parts[1], parts[2]
    if len(parts) == 2:
        if parts[0] in {"http", "https"}:
            return parts[0], parts[1], ""
        return "http", parts[0], parts[1]
    return "http", segment, ""


def _service_backend(cluster: Any, ns: str, segment: str) -> tuple[str, str, int] | Response:
    scheme, name, port_name = _split_target(segment)
    svc = addr.get(cluster, "services", ns, name)
    if svc is None:
        return _status(404, "NotFound", f'services "{name}" not found', {"name": name, "kind": "services"})
    chosen = None
    for port in (svc.get("spec") or {}).get("ports") or []:
        if (port.get("name") or "") == port_name or (port_name.isdigit() and port.get("port") == int(port_name)):
            chosen = port
            break
    if chosen is None:
        return _status(503, "ServiceUnavailable", f'no endpoints available for service "{segment}"')
    try:
        ip, target_port = _next_backend(cluster, svc, chosen)
    except ConnectError:
        return _status(503, "ServiceUnavailable", f'no endpoints available for service "{segment}"')
    return scheme, ip, target_port


def _pod_backend(cluster: Any, ns: str, segment: str) -> tuple[str, str, int] | Response:
    scheme, name, port = _split_target(segment)
    pod = addr.get(cluster, "pods", ns, name)
    if pod is None:
        return _status(404, "NotFound", f'pods "{name}" not found', {"name": name, "kind": "pods"})
    ip = addr.pod_ip(pod)
    if not ip:
        return _status(400, "BadRequest", f"address not allowed")
    number = int(port) if port.isdigit() else 80
    if port and not port.isdigit():
        for container in (pod.get("spec") or {}).get("containers") or []:
            for item in container.get("ports") or []:
                if item.get("name") == port:
                    number = int(item["containerPort"])
    return scheme, ip, number


def _forward(cluster: Any, scheme: str, ip: str, port: int, method: str, rest: str,
             headers: list[tuple[str, str]], body: bytes) -> Response:
    pod = addr.pod_by_ip(cluster, ip)
    origin = net.Origin("node")
    try:
        if pod is not None:
            target = Target("pod", port, pod=pod, address=ip, client_ip=origin.ip)
        else:
            from sim.net.routing import connect

            target = connect(cluster, origin, ip, port)
    except ConnectError:
        return _status(503, "ServiceUnavailable",
                       f"error trying to reach service: dial tcp {ip}:{port}: connect: connection refused")
    if not net.listening(cluster, target):
        return _status(503, "ServiceUnavailable",
                       f"error trying to reach service: dial tcp {ip}:{port}: connect: connection refused")
    if scheme == "https" and net.server_chain(cluster, target, ip) is None:
        return _status(503, "ServiceUnavailable",
                       "error trying to reach service: tls: first record does not look like a TLS handshake")
    forwarded = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP | {"host"}]
    request = Request(method, rest, [("Host", f"{ip}:{port}")] + forwarded, body,
                      client_ip=origin.ip, scheme=scheme)
    response = net.respond(cluster, target, request)
    if response is None:
        return _status(503, "ServiceUnavailable", "error trying to reach service: EOF")
    return response


def handle(cluster: Any, method: str, raw_path: str, headers: list[tuple[str, str]],
           body: bytes = b"") -> Response:
    """One request to the proxy, answered from the simulation."""
    split = urlsplit(raw_path)
    query = ("?" + split.query) if split.query else ""
    segments = [unquote(p) for p in split.path.split("/") if p]
    match = PROXY_PATH.match(split.path)
    with cluster.lock:
        if match:
            ns, kind, target, rest = (unquote(match.group(1)), match.group(2),
                                      unquote(match.group(3)), match.group(4))
            if not rest:
                location = split.path + "/" + query
                body = f'<a href="{location}">Moved Permanently</a>.\n\n'.encode()
                return Response(301, [("Content-Type", "text/html; charset=utf-8"),
                                      ("Location", location)], body)
            found = (_service_backend if kind == "services" else _pod_backend)(cluster, ns, target)
            if isinstance(found, Response):
                return found
            scheme, ip, port = found
            return _forward(cluster, scheme, ip, port, method, rest + query, headers, body)
        return _read(cluster, segments)


def _read(cluster: Any, segments: list[str]) -> Response:
    version = str((getattr(cluster, "profile", None) or {}).get("version", "v1.35.2"))
    if segments == ["api"]:
        return _json({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]})
    if segments == ["version"]:
        major, minor = version.lstrip("v").split(".")[:2]
        return _json({"major": major, "minor": minor, "gitVersion": version, "platform": "linux/amd64"})
    if segments in (["healthz"], ["livez"], ["readyz"]):
        return Response(200, [("Content-Type", "text/plain; charset=utf-8")], b"ok")
    if segments[:2] == ["api", "v1"] or (segments[:1] == ["apis"] and len(segments) >= 3):
        rest = segments[2:] if segments[0] == "api" else segments[3:]
        ns = None
        if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) != 2:
            ns, rest = rest[1], rest[2:]
        if not rest:
            return _status(404, "NotFound", "the server could not find the requested resource")
        resource = rest[0]
        try:
            if len(rest) == 1:
                items = cluster.store.list(resource, ns)
                kind = (items[0]["kind"] + "List") if items else resource.capitalize() + "List"
                return _json({"kind": kind, "apiVersion": "v1", "metadata": {"resourceVersion": ""},
                              "items": items})
            return _json(cluster.store.get(resource, ns, rest[1]))
        except Exception as exc:  # the store's NotFound and unknown resources alike
            text = getattr(exc, "message", None) or str(exc)
            code = getattr(exc, "code", 404)
            return _status(code if isinstance(code, int) else 404, getattr(exc, "reason", "NotFound"), text)
    if segments == []:
        return _json({"paths": ["/api", "/api/v1", "/apis", "/healthz", "/version"]})
    return _status(404, "NotFound", "the server could not find the requested resource")


def _handler(cluster: Any) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "Go-http-client"
        disable_nagle_algorithm = True   # else each small answer waits 40 ms for an ACK

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            response = handle(cluster, self.command, self.path, list(self.headers.items()), body)
            self.send_response_only(response.status, response.reason_phrase)
            sent = set()
            for name, value in response.headers:
                if name.lower() in HOP_BY_HOP or name.lower() == "content-length":
                    continue
                self.send_header(name, value)
                sent.add(name.lower())
            if "date" not in sent:
                # the API server's clock is the cluster's, never the host's
                from sim.net.http import http_date
                with cluster.lock:
                    self.send_header("Date", http_date(cluster.clock.now()))
            payload = response.body if self.command != "HEAD" else b""
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _any

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


def start(cluster: Any, port: int) -> ThreadingHTTPServer:
    """Listen on 127.0.0.1:port (0: any free port) and serve in a background thread."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(cluster))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve(cluster: Any, port: int, io: Any) -> None:
    """Serve until the caller goes away (Ctrl-C, or the session ends)."""
    server = start(cluster, port)
    try:
        io.wait_closed()
    finally:
        server.shutdown()
        server.server_close()
