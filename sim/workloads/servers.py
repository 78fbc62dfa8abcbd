"""What the images' serving programs answer: nginx as its configuration says, the
echoserver, agnhost's netexec and serve-hostname, fixed texts and static files (hello-app,
php-apache, httpd), and the add-ons. The kinds and their settings come from the image
files (sim/images/*.yaml); the answers are computed from the request and the container."""

from __future__ import annotations

import posixpath
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import unquote

from sim.net import http
from sim.net.http import Request, Response, http_date, nginx_time
from sim.workloads import nginxconf

Forward = Callable[[str, int, Request], "Response | None"]
NGINX_HTML = "/usr/share/nginx/html"


def respond(cluster: Any, container: Any, server: Any, request: Request, now: datetime,
            port: int, forward: Forward | None = None) -> Response | None:
    """The answer of ``container``'s program listening on ``port``; None: the connection
    closes without one (a server that does not speak HTTP)."""
    kind = server.kind
    if kind == "nginx":
        return nginx(container, request, now, port, forward)
    handler = HANDLERS.get(kind)
    if handler is not None:
        return handler(container, server, request, now)
    return http.addon(kind, container, request, now)


def _options(server: Any) -> dict:
    return dict(getattr(server.process, "options", None) or {})


def _go_text(status: int, body: str, now: datetime, content_type: str = "text/plain; charset=utf-8",
             extra: list[tuple[str, str]] | None = None) -> Response:
    """A Go net/http answer: the handler's own headers (sorted), then Date,
    Content-Length and Content-Type."""
    data = body.encode()
    headers = sorted(extra or []) + [("Date", http_date(now)), ("Content-Length", str(len(data))),
                                     ("Content-Type", content_type)]
    return Response(status, headers, data)


def _client(request: Request) -> str:
    return request.client_ip or ""


# -- nginx ------------------------------------------------------------------------------

def _nginx_version(container: Any) -> str:
    return dict(container.env).get("NGINX_VERSION", "1.27.3").split("-", 1)[0]


def nginx(container: Any, request: Request, now: datetime, port: int = 80,
          forward: Forward | None = None) -> Response:
    version = _nginx_version(container)
    response = _nginx_answer(container, request, now, version, port, forward)
    if request.quiet:
        return response
    sent = 0 if request.method == "HEAD" else len(response.body)
    line = request.method + " " + request.target + " HTTP/1.1"
    container.log_line(now, f'{request.client_ip} - - [{nginx_time(now)}] "{line}" '
                            f'{response.status} {sent} "{request.header("Referer") or "-"}" '
                            f'"{request.header("User-Agent") or "-"}" "-"')
    return response


def _error(status: int, version: str, now: datetime, body: bytes | None = None,
           extra: list[tuple[str, str]] | None = None) -> Response:
    body = http.nginx_error_body(status, version) if body is None else body
    headers = [("Server", f"nginx/{version}"), ("Date", http_date(now)),
               ("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
    headers += extra or []
    headers.append(("Connection", "close" if status == 400 else "keep-alive"))
    return Response(status, headers, body)


def _nginx_answer(container: Any, request: Request, now: datetime, version: str, port: int,
                  forward: Forward | None) -> Response:
    conf = nginxconf.config(container.fs)
    block = conf.server_for(port, request.host_name)
    tls_port = bool(block and any(p == port and ssl for p, ssl, _ in block.listen))
    if tls_port and request.scheme != "https":
        return _error(400, version, now, http.plain_http_to_https_body(version))
    path = unquote(request.path)
    if ".." in path.split("/"):
        return _error(400, version, now)
    location = block.location(path) if block else None
    if block is not None:
        returned = block.first("return", location) if location is None or "return" in \
            location.directives or "return" in block.directives else None
        if returned:
            return _nginx_return(returned, request, version, now)
        proxied = location.directives.get("proxy_pass") if location else None
        if proxied and forward is not None:
            return _proxy(block, proxied[-1][0], location, request, version, now, forward)
    root = (block.first("root", location) if block else None) or [NGINX_HTML if block is None else "html"]
    root_dir = root[0] if root[0].startswith("/") else posixpath.join(nginxconf.PREFIX, root[0])
    alias = location.directives.get("alias") if location else None
    index = (block.first("index", location) if block else None) or ["index.html"]
    if alias and location is not None:
        full = alias[-1][0].rstrip("/") + "/" + path[len(location.path):].lstrip("/")
    else:
        full = posixpath.normpath(root_dir + "/" + path.lstrip("/")) if path != "/" else root_dir
    tries = (block.first("try_files", location) if block else None)
    if tries:
        return _try_files(container, request, now, version, tries, root_dir, index, path)
    return _static(container, request, now, version, full, path, index)


def _nginx_return(args: list[str], request: Request, version: str, now: datetime) -> Response:
    code = int(args[0]) if args[0].isdigit() else 302
    rest = args[1] if len(args) > 1 else (args[0] if not args[0].isdigit() else "")
    rest = (rest.replace("$host", request.host_name).replace("$request_uri", request.target)
            .replace("$uri", request.path).replace("$scheme", request.scheme))
    if code in (301, 302, 303, 307, 308):
        return _error(code, version, now, extra=[("Location", rest)])
    body = rest.encode()
    headers = [("Server", f"nginx/{version}"), ("Date", http_date(now)),
               ("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body))),
               ("Connection", "keep-alive")]
    return Response(code, headers, body)


def _proxy(block: nginxconf.ServerBlock, target: str, location: nginxconf.Location,
           request: Request, version: str, now: datetime, forward: Forward) -> Response:
    from sim.net.client import parse_url

    url = parse_url(target)
    hosts = block.upstreams.get(url.host) or [f"{url.host}:{url.port}"]
    host, _, port_text = hosts[0].partition(":")
    port = int(port_text) if port_text.isdigit() else (url.port if url.host not in block.upstreams else 80)
    upstream = Request(request.method, request.target if url.target == "/" and not target.endswith("/")
                       else url.target.rstrip("/") + request.target, [("Host", url.host),
                       ("Connection", "close")] + [(k, v) for k, v in request.headers
                                                   if k.lower() not in {"host", "connection"}],
                       request.body, client_ip="", scheme="http")
    answer = forward(host, port, upstream)
    if answer is None:
        return _error(502, version, now)
    headers = [("Server", f"nginx/{version}"), ("Date", http_date(now))]
    headers += [(k, v) for k, v in answer.headers if k.lower() not in {"server", "date", "connection"}]
    headers.append(("Connection", "keep-alive"))
    return Response(answer.status, headers, answer.body, answer.reason)


def _try_files(container: Any, request: Request, now: datetime, version: str, tries: list[str],
               root: str, index: list[str], path: str) -> Response:
    fs = container.fs
    for candidate in tries[:-1]:
        uri = candidate.replace("$uri", path)
        full = posixpath.normpath(root + "/" + uri.lstrip("/")) if uri not in ("", "/") else root
        if uri.endswith("/") and fs.is_dir(full.rstrip("/") or "/"):
            return _static(container, request, now, version, full, path if path.endswith("/") else path + "/", index)
        if fs.stat(full) is not None:
            return _static(container, request, now, version, full, uri, index)
    last = tries[-1]
    if last.startswith("=") and last[1:].isdigit():
        return _error(int(last[1:]), version, now)
    full = posixpath.normpath(root + "/" + last.lstrip("/"))
    return _static(container, request, now, version, full, last, index)


def _static(container: Any, request: Request, now: datetime, version: str, full: str, path: str,
            index: list[str]) -> Response:
    fs = container.fs
    if path.endswith("/"):
        for name in index:
            candidate = full.rstrip("/") + "/" + name
            if fs.stat(candidate) is not None:
                full = candidate
                break
        else:
            return _error(403 if fs.is_dir(full.rstrip("/") or "/") else 404, version, now)
    if fs.is_dir(full):
        host = request.host or "localhost"
        return _error(301, version, now, extra=[("Location", f"{request.scheme}://{host}{request.path}/")])
    found = fs.stat(full)
    if found is None:
        return _error(404, version, now)
    if request.method not in {"GET", "HEAD"}:
        return _error(405, version, now)
    ext = full.rsplit(".", 1)[-1].lower() if "." in full.rsplit("/", 1)[-1] else ""
    mtime = datetime.fromtimestamp(found.mtime, tz=timezone.utc)
    headers = [
        ("Server", f"nginx/{version}"), ("Date", http_date(now)),
        ("Content-Type", http.MIME.get(ext, "application/octet-stream")),
        ("Content-Length", str(len(found.data))), ("Last-Modified", http_date(mtime)),
        ("Connection", "keep-alive"), ("ETag", f'"{int(found.mtime):x}-{len(found.data):x}"'),
        ("Accept-Ranges", "bytes"),
    ]
    return Response(200, headers, found.data)


def certificate_path(container: Any, port: int, host: str = "") -> str | None:
    """The certificate file nginx presents on ``port`` (its ``ssl_certificate``)."""
    return nginxconf.certificate_path(container.fs, port, host)


def key_path(container: Any, port: int, host: str = "") -> str | None:
    """The private key file of that certificate (its ``ssl_certificate_key``)."""
    return nginxconf.key_path(container.fs, port, host)


# -- echoserver -------------------------------------------------------------------------

def echoserver(container: Any, server: Any, request: Request, now: datetime) -> Response:
    """registry.k8s.io/echoserver: what it received, as its Lua handler prints it."""
    env = dict(container.env)
    host = request.host_name or container.ip
    port = next((p for p, s in container.servers.items() if s.kind == "echoserver"
                 and s.tls == (request.scheme == "https")), 8080)
    pod_info = [f"\t{label}={env[name]}" for label, name in (
        ("node name", "NODE_NAME"), ("pod name", "POD_NAME"), ("pod namespace", "POD_NAMESPACE"),
        ("pod IP", "POD_IP")) if env.get(name)]
    query = request.target.split("?", 1)[1] if "?" in request.target else ""
    headers = sorted((k.lower(), v) for k, v in request.headers)
    body = request.body.decode("utf-8", "replace") if request.body else ""
    lines = ["", "", f"Hostname: {container.hostname}", "", "Pod Information:"]
    lines += pod_info or ["\t-no pod information available-"]
    lines += ["", "Server values:", f"\tserver_version={_options(server).get('server_version', '')}",
              "", "Request Information:", f"\tclient_address={_client(request)}",
              f"\tmethod={request.method}", f"\treal path={request.path}", f"\tquery={query}",
              "\trequest_version=1.1", f"\trequest_scheme={request.scheme}",
              f"\trequest_uri={request.scheme}://{host}:{port}{request.target}", "",
              "Request Headers:"]
    lines += [f"\t{k}={v}" for k, v in headers]
    lines += ["", "Request Body:", f"\t{body}" if body else "\t-no body in request-", "", ""]
    text = "\n".join(lines)
    data = text.encode()
    response = Response(200, [("Server", "echoserver"), ("Date", http_date(now)),
                              ("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked"),
                              ("Connection", "keep-alive")], data)
    if not request.quiet:
        container.log_line(now, f'{_client(request)} - - [{nginx_time(now)}] '
                                f'"{request.method} {request.target} HTTP/1.1" 200 {len(data)} '
                                f'"{request.header("Referer") or "-"}" '
                                f'"{request.header("User-Agent") or "-"}"')
    return response


# -- agnhost ------------------------------------------------------------------------------

def _go_log(container: Any, now: datetime, text: str, quiet: bool) -> None:
    """agnhost's standard log, which it sends through klog."""
    if not quiet:
        container.log_line(now, f"I{now.strftime('%m%d %H:%M:%S.%f')}       1 log.go:195] {text}")


def netexec(container: Any, server: Any, request: Request, now: datetime) -> Response:
    """agnhost netexec's HTTP endpoints."""
    path = request.path
    query = {k: v[0] for k, v in request.query.items()}
    if path == "/hostname" or path == "/hostName":
        _go_log(container, now, f"GET {path}", request.quiet)
        return _go_text(200, container.hostname, now)
    if path == "/clientip":
        _go_log(container, now, "GET /clientip", request.quiet)
        return _go_text(200, f"{_client(request)}:{_client_port(request)}", now)
    if path == "/echo":
        msg, code = query.get("msg", ""), query.get("code", "")
        _go_log(container, now, f"GET /echo?msg={msg}&code={code}", request.quiet)
        if code and not code.lstrip("-").isdigit():
            return _go_text(200, f"argument 'code' must be an integer or empty, got {code!r}\n", now)
        return _go_text(int(code) if code else 200, msg, now)
    if path == "/healthz":
        _go_log(container, now, "GET /healthz", request.quiet)
        return _go_text(200, "", now)
    _go_log(container, now, "GET /", request.quiet)
    fraction = f"{now.microsecond * 1000:09d}".rstrip("0")
    since = (now - container.started).total_seconds()
    stamp = (now.strftime("%Y-%m-%d %H:%M:%S") + (f".{fraction}" if fraction else "")
             + f" +0000 UTC m=+{since:.9f}")
    return _go_text(200, f"NOW: {stamp}", now)


def _client_port(request: Request) -> int:
    """The client's ephemeral port: in the range Linux picks from, the same for the same
    request text so that runs repeat."""
    import zlib

    return 32768 + zlib.crc32((request.client_ip + request.target).encode()) % 28232


def serve_hostname(container: Any, server: Any, request: Request, now: datetime) -> Response:
    """agnhost serve-hostname: the hostname, nothing else."""
    _go_log(container, now, f"HTTP request from {_client(request)}:{_client_port(request)}", request.quiet)
    return _go_text(200, container.hostname, now)


# -- fixed texts and static files ------------------------------------------------------------

def text(container: Any, server: Any, request: Request, now: datetime) -> Response:
    """A program that answers every request (or the ``paths`` it serves) with one text."""
    options = _options(server)
    values = container.template_values(now, path=request.path, client_ip=_client(request),
                                       host=request.host, method=request.method,
                                       user_agent=request.header("User-Agent") or "")
    paths = options.get("paths")
    if paths and request.path not in paths:
        return _apache_error(404, request, options, values, now)
    body = str(options.get("body", "")).format_map(values)
    log = options.get("request_log")
    if log and not request.quiet:
        container.log_line(now, str(log).format_map(dict(
            values, length=len(body.encode()), client_port=_client_port(request))))
    if "server_header" in options:
        data = body.encode()
        headers = [("Date", http_date(now)), ("Server", str(options["server_header"]).format_map(values))]
        headers += [(str(k), str(v)) for k, v in (options.get("extra_headers") or {}).items()]
        headers += [("Content-Length", str(len(data))),
                    ("Content-Type", str(options.get("content_type", "text/html; charset=UTF-8")))]
        return Response(200, headers, data)
    extra = [(str(k), str(v).format_map(values)) for k, v in (options.get("extra_headers") or {}).items()]
    return _go_text(200, body, now, str(options.get("content_type", "text/plain; charset=utf-8")), extra)


APACHE_ERRORS = {404: ("Not Found", "The requested URL was not found on this server."),
                 403: ("Forbidden", "You don't have permission to access this resource."),
                 405: ("Method Not Allowed", "The requested method is not allowed for this URL.")}


def _apache_error(status: int, request: Request, options: dict, values: dict, now: datetime) -> Response:
    title, detail = APACHE_ERRORS.get(status, (http.REASONS.get(status, ""), ""))
    body = ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
            f"<title>{status} {title}</title>\n</head><body>\n<h1>{title}</h1>\n<p>{detail}</p>\n"
            "</body></html>\n").encode()
    headers = [("Date", http_date(now)),
               ("Server", str(options.get("server_header", "Apache")).format_map(values)),
               ("Content-Length", str(len(body))), ("Content-Type", "text/html; charset=iso-8859-1")]
    return Response(status, headers, body)


def static(container: Any, server: Any, request: Request, now: datetime) -> Response:
    """Apache httpd serving a document root."""
    options = _options(server)
    fs = container.fs
    root = str(options.get("root", "/var/www/html"))
    path = unquote(request.path)
    values = container.template_values(now, client_ip=_client(request),
                                       request_line=f"{request.method} {request.target} HTTP/1.1")
    full = posixpath.normpath(root + "/" + path.lstrip("/")) if path != "/" else root
    if ".." in path.split("/") or not (full == root or full.startswith(root + "/")):
        response = _apache_error(404, request, options, values, now)
    elif fs.is_dir(full) and fs.stat(full.rstrip("/") + "/index.html") is not None:
        response = _apache_file(fs, full.rstrip("/") + "/index.html", options, values, now)
    elif fs.stat(full) is not None:
        response = _apache_file(fs, full, options, values, now)
    else:
        response = _apache_error(404, request, options, values, now)
    if request.method == "HEAD":
        response.body = b""
    log = options.get("request_log")
    if log and not request.quiet:
        sent = len(response.body) if response.body else "-"
        container.log_line(now, str(log).format_map(dict(values, status=response.status, bytes=sent)))
    return response


def _apache_file(fs: Any, full: str, options: dict, values: dict, now: datetime) -> Response:
    found = fs.stat(full)
    ext = full.rsplit(".", 1)[-1].lower() if "." in full.rsplit("/", 1)[-1] else ""
    mtime = datetime.fromtimestamp(found.mtime, tz=timezone.utc)
    etag = f'"{len(found.data):x}-{int(found.mtime * 1e6):x}"'
    headers = [("Date", http_date(now)), ("Server", str(options.get("server_header", "Apache")).format_map(values)),
               ("Last-Modified", http_date(mtime)), ("ETag", etag), ("Accept-Ranges", "bytes"),
               ("Content-Length", str(len(found.data))),
               ("Content-Type", http.MIME.get(ext, "text/plain"))]
    return Response(200, headers, found.data)


# -- redis ------------------------------------------------------------------------------

REDIS_DEFAULTS = {"maxmemory": "0", "maxmemory-policy": "noeviction", "port": "6379",
                  "databases": "16", "appendonly": "no", "dir": "/data", "timeout": "0",
                  "save": "3600 1 300 100 60 10000", "loglevel": "notice", "protected-mode": "no"}
_UNITS = {"k": 1000, "kb": 1024, "m": 1000 ** 2, "mb": 1024 ** 2, "g": 1000 ** 3, "gb": 1024 ** 3}


def redis_memory(text: str) -> str:
    """redis' memory units (``2mb`` is 2097152 bytes, ``1m`` 1000000) as a byte count."""
    lowered = text.strip().lower()
    for unit in sorted(_UNITS, key=len, reverse=True):
        if lowered.endswith(unit) and lowered[: -len(unit)].isdigit():
            return str(int(lowered[: -len(unit)]) * _UNITS[unit])
    return lowered


def _redis_setting(config: dict[str, str], key: str, value: str) -> None:
    key = key.lower()
    config[key] = redis_memory(value) if key == "maxmemory" else value


def redis_start(container: Any) -> None:
    """redis-server reads its configuration file (its first argument) and --options once,
    as it starts: a changed ConfigMap shows after a restart of the pod."""
    config = dict(REDIS_DEFAULTS)
    argv = container.image.unwrap(list(container.argv))[1:]
    if argv and not argv[0].startswith("--"):
        path = container.fs.norm(argv[0], container.image.workdir)
        if container.fs.stat(path) is not None:
            for line in container.fs.read(path).decode("utf-8", "replace").splitlines():
                words = line.split(None, 1)
                if words and not words[0].startswith("#"):
                    _redis_setting(config, words[0], words[1].strip() if len(words) > 1 else "")
        argv = argv[1:]
    for index, arg in enumerate(argv):
        if arg.startswith("--") and index + 1 < len(argv):
            _redis_setting(config, arg[2:], argv[index + 1])
    container.memory["redis"] = {"config": config, "keys": {}}


STARTERS: dict[str, Callable[[Any], None]] = {"redis": redis_start}


def started(container: Any) -> None:
    """The serving program is up: what it sets up in memory as it starts."""
    starter = STARTERS.get(container.process.serves if container.process else "")
    if starter is not None:
        starter(container)


def closes(container: Any, server: Any, request: Request, now: datetime) -> None:
    """A server that does not speak HTTP (redis): the connection closes without an answer."""
    return None


HANDLERS: dict[str, Callable[..., Response | None]] = {
    "echoserver": echoserver, "netexec": netexec, "serve-hostname": serve_hostname,
    "text": text, "static": static, "redis": closes, "nothing": closes, "transport": closes,
}
