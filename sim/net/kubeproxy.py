"""What each node's kube-proxy answers itself: its mode on the metrics port
(``127.0.0.1:10249/proxyMode``) and, for a Service with ``externalTrafficPolicy: Local``,
the health check on its ``healthCheckNodePort`` that cloud load balancers ask (how many
ready endpoints the node has; 503 when none)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from sim.net import addresses as addr
from sim.net.http import Request, Response, http_date

METRICS_PORT = 10249


def mode(cluster: Any) -> str:
    """The proxy mode (the profile's ``kube_proxy.mode``; kube-proxy's default: iptables)."""
    settings = (getattr(cluster, "profile", None) or {}).get("kube_proxy") or {}
    return str(settings.get("mode") or "iptables")


def health_check_service(cluster: Any, port: int) -> dict | None:
    """The Service whose health check listens on ``port`` on every node."""
    for svc in addr.services(cluster):
        spec = svc.get("spec") or {}
        if spec.get("healthCheckNodePort") == port and spec.get("externalTrafficPolicy") == "Local" \
                and spec.get("type") == "LoadBalancer":
            return svc
    return None


def local_endpoints(cluster: Any, svc: dict, node_name: str) -> int:
    """Ready endpoints of ``svc`` on the node (what kube-proxy's health check counts)."""
    ns, name = addr.meta(svc, "namespace"), addr.meta(svc, "name")
    seen = set()
    for sl in cluster.store.list("endpointslices", ns,
                                 label_selector=f"kubernetes.io/service-name={name}"):
        for ep in sl.get("endpoints") or []:
            if (ep.get("conditions") or {}).get("ready", True) is False:
                continue
            if ep.get("nodeName") == node_name:
                seen.update(ep.get("addresses") or [])
    return len(seen)


def _go(status: int, body: str, now: Any, handler_headers: list[tuple[str, str]]) -> Response:
    """Go's net/http: the handler's headers (sorted), then Date and Content-Length."""
    data = body.encode()
    headers = sorted(handler_headers) + [("Date", http_date(now)), ("Content-Length", str(len(data)))]
    return Response(status, headers, data, reason=HTTPStatus(status).phrase)


def respond(cluster: Any, node: dict | None, port: int, request: Request) -> Response:
    now = cluster.clock.now()
    if port == METRICS_PORT:
        if request.path == "/proxyMode":
            return _go(200, mode(cluster), now, [("Content-Type", "text/plain; charset=utf-8"),
                                                 ("X-Content-Type-Options", "nosniff")])
        return _go(404, "404 page not found\n", now, [("Content-Type", "text/plain; charset=utf-8"),
                                                     ("X-Content-Type-Options", "nosniff")])
    svc = health_check_service(cluster, port)
    if svc is None:
        return _go(404, "404 page not found\n", now, [("Content-Type", "text/plain; charset=utf-8"),
                                                     ("X-Content-Type-Options", "nosniff")])
    count = local_endpoints(cluster, svc, addr.meta(node, "name") if node else "")
    body = ("{\n"
            "\t\"service\": {\n"
            f"\t\t\"namespace\": \"{addr.meta(svc, 'namespace')}\",\n"
            f"\t\t\"name\": \"{addr.meta(svc, 'name')}\"\n"
            "\t},\n"
            f"\t\"localEndpoints\": {count},\n"
            "\t\"serviceProxyHealthy\": true\n"
            "}")
    return _go(200 if count else 503, body, now,
               [("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff"),
                ("X-Load-Balancing-Endpoint-Weight", str(count))])
