"""An ingress controller: picks the Ingress rule for a request's host and path,
terminates TLS with the certificate of the matching tls Secret, and proxies to a ready
endpoint of the backend Service."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from cryptography import x509

from sim.net import addresses as addr
from sim.net import tls
from sim.net.http import Request, Response, http_date



def _ingresses(cluster: Any, address: str | None) -> list[dict]:
    from sim.net.routing import _ingress_at

    if address:
        found = _ingress_at(cluster, address)
        if found:
            return found
    return list(cluster.store.list("ingresses"))


def _allow_http(ing: dict) -> bool:
    return (addr.meta(ing, "annotations") or {}).get("kubernetes.io/ingress.allow-http") != "false"


def _host_matches(rule_host: str | None, host: str) -> bool:
    if not rule_host:
        return True
    rule_host, host = rule_host.lower(), host.lower()
    if rule_host.startswith("*."):
        return "." in host and host.split(".", 1)[1] == rule_host[2:]
    return rule_host == host


def _path_matches(path_type: str, rule_path: str, path: str) -> int:
    """Length of the match (longest wins), or -1."""
    rule_path = rule_path or "/"
    if path_type == "Exact":
        return len(rule_path) if path == rule_path else -1
    if path_type == "Prefix":
        base = rule_path.rstrip("/")
        if not base:
            return 0
        return len(base) if path == base or path.startswith(base + "/") else -1
    if rule_path.endswith("/*"):
        base = rule_path[:-1]
        return len(base) if path.startswith(base) or path == base.rstrip("/") else -1
    return len(rule_path) if path.startswith(rule_path) else -1


def choose_backend(cluster: Any, request: Request, address: str | None,
                   https: bool) -> tuple[dict, dict] | None:
    """(ingress, backend) for a request, or None when only the default server answers."""
    host = request.host_name
    path = request.path
    best: tuple[int, int, dict, dict] | None = None
    ingresses = [i for i in _ingresses(cluster, address) if https or _allow_http(i)]
    for ing in ingresses:
        for rule in (ing.get("spec") or {}).get("rules") or []:
            if not _host_matches(rule.get("host"), host):
                continue
            specific = 2 if rule.get("host") and not rule["host"].startswith("*") else \
                1 if rule.get("host") else 0
            for item in ((rule.get("http") or {}).get("paths") or []):
                length = _path_matches(item.get("pathType", "ImplementationSpecific"),
                                       item.get("path", "/"), path)
                if length < 0:
                    continue
                key = (specific, length)
                if best is None or key > best[:2]:
                    best = (specific, length, ing, item.get("backend") or {})
    if best is not None:
        return best[2], best[3]
    for ing in ingresses:
        backend = (ing.get("spec") or {}).get("defaultBackend")
        if backend:
            return ing, backend
    return None


def certificate(cluster: Any, address: str | None, sni: str) -> list[x509.Certificate]:
    for ing in _ingresses(cluster, address):
        for entry in (ing.get("spec") or {}).get("tls") or []:
            hosts = entry.get("hosts") or []
            if hosts and not any(_host_matches(h, sni) for h in hosts):
                continue
            secret = addr.get(cluster, "secrets", addr.meta(ing, "namespace"), entry.get("secretName", ""))
            pem = base64.b64decode(((secret or {}).get("data") or {}).get("tls.crt", "") or b"")
            chain = tls.load_chain(pem)
            if chain:
                return chain
    return tls.ingress_fake_certificate()


def _redirects_to_https(ing: dict, host: str) -> bool:
    """ingress-nginx sends plain HTTP for a host it has a certificate for to HTTPS."""
    annotations = addr.meta(ing, "annotations") or {}
    if annotations.get("nginx.ingress.kubernetes.io/ssl-redirect") == "false":
        return False
    for entry in (ing.get("spec") or {}).get("tls") or []:
        if any(_host_matches(h, host) for h in entry.get("hosts") or []):
            return True
    return False


def _service_port(svc: dict, backend: dict) -> dict | None:
    wanted = (backend.get("service") or {}).get("port") or {}
    for port in (svc.get("spec") or {}).get("ports") or []:
        if ("number" in wanted and port.get("port") == wanted["number"]) or \
                ("name" in wanted and port.get("name") == wanted["name"]):
            return port
    return None


GCE_502 = """<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">
  <title>Error 502 (Server Error)!!1</title>
  <p><b>502.</b> <ins>That\u2019s an error.</ins>
  <p>Error: Server Error</p>
  <p>The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.</p>  <ins>That\u2019s all we know.</ins>
"""


def _cloud(cluster: Any) -> bool:
    """A cloud load balancer (GCE) in front, rather than an nginx in the cluster."""
    profile = getattr(cluster, "profile", None) or {}
    controller = str((profile.get("ingress") or {}).get("controller") or "")
    if controller:
        return "gce" in controller or "google" in controller
    return str(profile.get("cloud", "")).lower() in {"gce", "gke", "google", "gcp"}


def _controller_error(cluster: Any, status: int, now: datetime) -> Response:
    if _cloud(cluster):
        if status == 404:
            body = f"response 404 (backend NotFound), service rules for the path non-existent \n".encode()
            return Response(404, [("Content-Type", "text/plain; charset=utf-8"),
                                  ("Content-Length", str(len(body))), ("Date", http_date(now))], body)
        body = GCE_502.encode()
        return Response(502, [("Content-Type", "text/html; charset=UTF-8"), ("Referrer-Policy", "no-referrer"),
                              ("Content-Length", str(len(body))), ("Date", http_date(now))], body)
    from sim.net.http import nginx_error_body

    body = nginx_error_body(status, "").replace(b"nginx/", b"nginx")
    return Response(status, [("Date", http_date(now)), ("Content-Type", "text/html"),
                             ("Content-Length", str(len(body))), ("Connection", "keep-alive")], body)


def handle(cluster: Any, request: Request, address: str | None, https: bool,
           forward: Any) -> Response | None:
    """``forward(pod_ip, port, request)`` sends the proxied request to one endpoint."""
    from sim.net.routing import ConnectError, _next_backend

    now = cluster.clock.now()
    chosen = choose_backend(cluster, request, address, https)
    if chosen is None:
        return _controller_error(cluster, 404, now)
    ing, backend = chosen
    if not https and not _cloud(cluster) and _redirects_to_https(ing, request.host_name):
        from sim.net.http import nginx_error_body

        body = nginx_error_body(308, "").replace(b"nginx/", b"nginx")
        location = f"https://{request.host_name}{request.target}"
        return Response(308, [("Date", http_date(now)), ("Content-Type", "text/html"),
                              ("Content-Length", str(len(body))), ("Connection", "keep-alive"),
                              ("Location", location)], body)
    name = (backend.get("service") or {}).get("name")
    svc = addr.get(cluster, "services", addr.meta(ing, "namespace"), name or "")
    port = _service_port(svc, backend) if svc else None
    if svc is None or port is None:
        return _controller_error(cluster, 503, now)
    try:
        ip, target_port = _next_backend(cluster, svc, port)
    except ConnectError:
        return _controller_error(cluster, 503, now)
    headers = list(request.headers) + [("X-Forwarded-For", request.client_ip),
                                       ("X-Forwarded-Proto", "https" if https else "http")]
    proxied = Request(request.method, request.target, headers, request.body,
                      client_ip=request.client_ip, scheme="http")
    response = forward(ip, target_port, proxied)
    if response is None:
        return _controller_error(cluster, 502, now)
    return response
