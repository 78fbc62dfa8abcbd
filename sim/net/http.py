"""HTTP messages, nginx's error pages, the add-ons' answers (Elasticsearch, Kibana …) and
the sites of the outside world. The images' own servers are in sim.workloads.servers."""

from __future__ import annotations

import hashlib

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sim.net.internet import Site

REASONS = {
    200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 302: "Found",
    304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Not Allowed", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Temporarily Unavailable", 504: "Gateway Time-out",
}
MIME = {
    "html": "text/html", "htm": "text/html", "shtml": "text/html", "css": "text/css",
    "xml": "text/xml", "txt": "text/plain", "js": "application/javascript",
    "json": "application/json", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "gif": "image/gif", "svg": "image/svg+xml", "ico": "image/x-icon", "pdf": "application/pdf",
}


@dataclass
class Request:
    method: str = "GET"
    target: str = "/"
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    client_ip: str = ""
    scheme: str = "http"
    quiet: bool = False            # not written to access logs (the kubelet's probes here)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def path(self) -> str:
        return urlsplit(self.target).path or "/"

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    @property
    def host(self) -> str:
        return (self.header("Host") or "").strip()

    @property
    def host_name(self) -> str:
        host = self.host
        if host.startswith("["):
            return host.split("]", 1)[0] + "]"
        return host.rsplit(":", 1)[0].lower() if ":" in host else host.lower()


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    reason: str | None = None
    version: str = "HTTP/1.1"

    @property
    def reason_phrase(self) -> str:
        return self.reason if self.reason is not None else REASONS.get(self.status, "")

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        for index, (key, _) in enumerate(self.headers):
            if key.lower() == name.lower():
                self.headers[index] = (key, value)
                return
        self.headers.append((name, value))


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def nginx_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")


# nginx -----------------------------------------------------------------------
def nginx_error_body(status: int, version: str) -> bytes:
    reason = REASONS.get(status, "")
    return (f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {reason}</h1></center>\r\n"
            f"<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n").encode()


def plain_http_to_https_body(version: str) -> bytes:
    return ("<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title>"
            "</head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n"
            "<center>The plain HTTP request was sent to HTTPS port</center>\r\n"
            f"<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n").encode()


# add-ons ---------------------------------------------------------------------
def _json(status: int, payload: Any, pretty: bool) -> Response:
    text = (json.dumps(payload, indent=2, separators=(",", " : ")) + "\n") if pretty \
        else json.dumps(payload, separators=(",", ":"))
    body = text.encode()
    return Response(status, [("Content-Type", "application/json; charset=UTF-8"),
                             ("Content-Length", str(len(body)))], body)


def elasticsearch(container: Any, request: Request, now: datetime) -> Response:
    env = dict(container.env)
    name = env.get("CLUSTER_NAME", "kubernetes-logging")
    pretty = "pretty" in request.query and request.query["pretty"][0] in {"", "true"}
    path = request.path.rstrip("/") or "/"
    if path == "/":
        return _json(200, {"status": 200, "name": container.name, "cluster_name": name,
                           "version": {"number": "1.7.1", "lucene_version": "4.10.4"},
                           "tagline": "You Know, for Search"}, pretty)
    if path == "/_cluster/health":
        return _json(200, {"cluster_name": name, "status": "yellow", "timed_out": False,
                           "number_of_nodes": 1, "number_of_data_nodes": 1,
                           "active_primary_shards": 5, "active_shards": 5,
                           "relocating_shards": 0, "initializing_shards": 0,
                           "unassigned_shards": 5}, pretty)
    if path.endswith("/_search"):
        return _json(200, {"took": 1, "timed_out": False,
                           "_shards": {"total": 5, "successful": 5, "failed": 0},
                           "hits": {"total": 0, "max_score": None, "hits": []}}, pretty)
    return _json(400, {"error": f"InvalidIndexNameException[[{path.strip('/').split('/')[0]}] "
                                f"Invalid index name [{path.strip('/')}], must not start with '_']",
                       "status": 400}, pretty)


def _text(status: int, text: str, content_type: str, now: datetime,
          extra: list[tuple[str, str]] | None = None) -> Response:
    body = text.encode()
    headers = list(extra or []) + [("Content-Type", content_type), ("Date", http_date(now)),
                                   ("Content-Length", str(len(body)))]
    return Response(status, headers, body)


def addon(kind: str, container: Any, request: Request, now: datetime) -> Response | None:
    path = request.path
    if kind == "elasticsearch":
        return elasticsearch(container, request, now)
    if kind == "kibana":
        if path in {"/", ""}:
            return _text(302, "", "text/html; charset=utf-8", now, [("Location", "/app/kibana")])
        return _text(200, "<!DOCTYPE html><html><head><title>Kibana</title></head><body>"
                          "<div class=\"kibana-welcome\">Loading Kibana</div></body></html>\n",
                     "text/html; charset=utf-8", now)
    if kind == "grafana":
        if path in {"/", ""}:
            return _text(302, '<a href="/login">Found</a>.\n\n', "text/html; charset=utf-8", now,
                         [("Location", "/login")])
        if path.startswith("/api/health"):
            return _text(200, '{"database":"ok","version":"4.4.3"}', "application/json", now)
        return _text(200, "<!DOCTYPE html><html><head><title>Grafana</title></head>"
                          "<body></body></html>\n", "text/html; charset=UTF-8", now)
    if kind == "heapster":
        if path.rstrip("/") == "/api/v1/model/metrics":
            return _text(200, json.dumps(["cpu/usage_rate", "memory/usage"], indent=1) + "\n",
                         "application/json", now)
        if path == "/healthz":
            return _text(200, "ok", "text/plain; charset=utf-8", now)
        return _text(404, "404 page not found\n", "text/plain; charset=utf-8", now,
                     [("X-Content-Type-Options", "nosniff")])
    if kind == "health":
        if path in {"/health", "/healthz", "/ready"}:
            return _text(200, "OK", "text/plain; charset=utf-8", now)
        if path == "/metrics":
            return _text(200, "# HELP up Whether the server is up.\n# TYPE up gauge\nup 1\n",
                         "text/plain; version=0.0.4; charset=utf-8", now)
        return _text(404, "404 page not found\n", "text/plain; charset=utf-8", now,
                     [("X-Content-Type-Options", "nosniff")])
    return None


# the outside world -----------------------------------------------------------
EXAMPLE_PAGE = """<!doctype html>
<html>
<head>
    <title>Example Domain</title>

    <meta charset="utf-8" />
    <meta http-equiv="Content-type" content="text/html; charset=utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <style type="text/css">
    body {
        background-color: #f0f0f2;
        margin: 0;
        padding: 0;
        font-family: -apple-system, system-ui, BlinkMacSystemFont, "Segoe UI", "Open Sans", "Helvetica Neue", Helvetica, Arial, sans-serif;
        
    }
    div {
        width: 600px;
        margin: 5em auto;
        padding: 2em;
        background-color: #fdfdff;
        border-radius: 0.5em;
        box-shadow: 2px 3px 7px 2px rgba(0,0,0,0.02);
    }
    a:link, a:visited {
        color: #38488f;
        text-decoration: none;
    }
    @media (max-width: 700px) {
        div {
            margin: 0 auto;
            width: auto;
        }
    }
    </style>    
</head>

<body>
<div>
    <h1>Example Domain</h1>
    <p>This domain is for use in illustrative examples in documents. You may use this
    domain in literature without prior coordination or asking for permission.</p>
    <p><a href="https://www.iana.org/domains/example">More information...</a></p>
</div>
</body>
</html>
"""

EXAMPLE_404 = """<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
         "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
\t<head>
\t\t<title>404 - Not Found</title>
\t</head>
\t<body>
\t\t<h1>404 - Not Found</h1>
\t</body>
</html>
"""

EXAMPLE_LAST_MODIFIED = datetime(2019, 10, 17, 7, 18, 26, tzinfo=timezone.utc)


# example.com's CDN: the points of presence and the edge servers in each. A client reaches
# the POP its anycast route leads to (by the cluster's region: the nearest; without a
# region, one chosen by the region's name) and, within it, the servers in turn.
EDGE_POPS = {"ord": ("4CF4", "572A"), "sec": ("B4A5", "B4B1"), "nyb": ("1D2E", "1D1A"),
             "lga": ("1315", "1316")}
REGION_POPS = (("us-central", "ord"), ("us-west", "sec"), ("us-east", "lga"),
               ("northamerica", "nyb"))


def edge_server(region: str, sequence: int) -> str:
    """The ``Server`` header of example.com's answer to the ``sequence``-th request from a
    cluster in ``region``."""
    pop = next((p for prefix, p in REGION_POPS if region.startswith(prefix)), None)
    if pop is None:
        names = sorted(EDGE_POPS)
        pop = names[int(hashlib.sha256(region.encode()).hexdigest(), 16) % len(names)]
    servers = EDGE_POPS[pop]
    return f"ECS ({pop}/{servers[sequence % len(servers)]})"


def _example(request: Request, now: datetime, edge: str) -> Response:
    if request.host_name not in {"example.com", "www.example.com", "example.net",
                                 "www.example.net", "example.org", "www.example.org"}:
        body = EXAMPLE_404.encode()
        return Response(404, [("Content-Type", "text/html"), ("Date", http_date(now)),
                              ("Server", edge), ("Content-Length", str(len(body)))], body)
    body = EXAMPLE_PAGE.encode()
    age = int((now - EXAMPLE_LAST_MODIFIED).total_seconds()) % 604800
    return Response(200, [
        ("Accept-Ranges", "bytes"), ("Age", str(age)), ("Cache-Control", "max-age=604800"),
        ("Content-Type", "text/html; charset=UTF-8"), ("Date", http_date(now)),
        ("Etag", '"3147526947+ident"'), ("Expires", http_date(now + timedelta(days=7))),
        ("Last-Modified", http_date(EXAMPLE_LAST_MODIFIED)), ("Server", edge),
        ("Vary", "Accept-Encoding"), ("X-Cache", "HIT"), ("Content-Length", str(len(body))),
    ], body)


def _google(request: Request, now: datetime, port: int) -> Response:
    host = request.host_name
    if host == "www.google.com":
        body = (b"<!doctype html><html itemscope=\"\" itemtype=\"http://schema.org/WebPage\" "
                b"lang=\"en\"><head><title>Google</title></head><body></body></html>")
        return Response(200, [("Date", http_date(now)), ("Expires", "-1"),
                              ("Cache-Control", "private, max-age=0"),
                              ("Content-Type", "text/html; charset=ISO-8859-1"), ("Server", "gws"),
                              ("X-XSS-Protection", "0"), ("X-Frame-Options", "SAMEORIGIN"),
                              ("Content-Length", str(len(body)))], body)
    port_part = ""
    if ":" in request.host and not request.host.endswith("]"):
        port_part = ":" + request.host.rsplit(":", 1)[1]
    location = f"{request.scheme}://www.google.com{port_part}{request.path}"
    body = ('<HTML><HEAD><meta http-equiv="content-type" content="text/html;charset=utf-8">\n'
            "<TITLE>301 Moved</TITLE></HEAD><BODY>\n<H1>301 Moved</H1>\nThe document has moved\n"
            f'<A HREF="{location}">here</A>.\r\n</BODY></HTML>\r\n').encode()
    return Response(301, [
        ("Location", location), ("Content-Type", "text/html; charset=UTF-8"),
        ("Date", http_date(now)), ("Expires", http_date(now + timedelta(days=30))),
        ("Cache-Control", "public, max-age=2592000"), ("Server", "gws"),
        ("Content-Length", str(len(body))), ("X-XSS-Protection", "0"),
        ("X-Frame-Options", "SAMEORIGIN"),
    ], body)


def _apple(request: Request, now: datetime) -> Response:
    if request.scheme == "https" and request.host_name == "www.apple.com":
        body = b"<!DOCTYPE html>\n<html lang=\"en-US\"><head><title>Apple</title></head><body></body></html>\n"
        return Response(200, [("Server", "Apple"), ("Date", http_date(now)),
                              ("Content-Type", "text/html; charset=UTF-8"),
                              ("Content-Length", str(len(body)))], body)
    return Response(301, [("Server", "Apache"), ("Date", http_date(now)),
                          ("Location", "https://www.apple.com/"), ("Content-type", "text/html"),
                          ("Connection", "close")], b"", reason="MOVED PERMANENTLY")


def site(site: Site, request: Request, now: datetime, port: int, edge: str = "") -> Response:
    """A site's answer; ``edge``: the ``Server`` header of the CDN server that answers."""
    if site.operator == "example":
        return _example(request, now, edge or edge_server("", 0))
    if site.operator == "google":
        return _google(request, now, port)
    return _apple(request, now)


def head_only(response: Response) -> Response:
    return Response(response.status, list(response.headers), b"", response.reason, response.version)
