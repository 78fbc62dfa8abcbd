"""nginx's configuration as nginx reads it from the container's files: /etc/nginx/nginx.conf
and what it includes (``conf.d/*.conf``, a ConfigMap mounted there), parsed by crossplane.
What a server block says decides the ports nginx listens on, which of them speak TLS and
with which certificate, and how a request is answered (root, index, try_files, return,
proxy_pass)."""

from __future__ import annotations

import fnmatch
import os
import posixpath
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

import crossplane

from sim.workloads.fs import FileSystem

MAIN = "/etc/nginx/nginx.conf"
# blocks whose lines are table rows, not directives (mime types, maps): not read
TABLES = ("types", "map", "geo", "split_clients", "charset_map")
PREFIX = "/etc/nginx"


@dataclass
class Location:
    modifier: str            # "" (prefix), "=" (exact), "~" / "~*" (regex), "^~"
    path: str
    directives: dict[str, list[list[str]]] = field(default_factory=dict)

    def matches(self, uri: str) -> bool:
        if self.modifier == "=":
            return uri == self.path
        if self.modifier in ("~", "~*"):
            import re

            flags = re.IGNORECASE if self.modifier == "~*" else 0
            return re.search(self.path, uri, flags) is not None
        return uri.startswith(self.path)


@dataclass
class ServerBlock:
    listen: list[tuple[int, bool, bool]]       # (port, ssl, default_server)
    names: list[str]
    directives: dict[str, list[list[str]]]
    locations: list[Location]
    http: dict[str, list[list[str]]]
    upstreams: dict[str, list[str]]

    def first(self, name: str, location: Location | None = None) -> list[str] | None:
        for scope in ((location.directives if location else {}), self.directives, self.http):
            if name in scope:
                return scope[name][-1]
        return None

    def location(self, uri: str) -> Location | None:
        exact = [loc for loc in self.locations if loc.modifier == "=" and loc.matches(uri)]
        if exact:
            return exact[0]
        prefixes = sorted((loc for loc in self.locations if loc.modifier in ("", "^~")
                           and loc.matches(uri)), key=lambda loc: -len(loc.path))
        if prefixes and prefixes[0].modifier == "^~":
            return prefixes[0]
        for loc in self.locations:
            if loc.modifier in ("~", "~*") and loc.matches(uri):
                return loc
        return prefixes[0] if prefixes else None


@dataclass
class Config:
    servers: list[ServerBlock]
    errors: list[str]

    def listening(self) -> dict[int, bool]:
        found: dict[int, bool] = {}
        for server in self.servers:
            for port, ssl, _ in server.listen:
                found[port] = found.get(port, False) or ssl
        return found

    def server_for(self, port: int, host: str) -> ServerBlock | None:
        candidates = [s for s in self.servers if any(p == port for p, _, _ in s.listen)]
        for server in candidates:
            if host in server.names:
                return server
        for server in candidates:
            if any(p == port and default for p, _, default in server.listen):
                return server
        return candidates[0] if candidates else None


@lru_cache(maxsize=256)
def _parse_text(path: str, text: bytes) -> tuple[list, tuple[str, ...]]:
    """crossplane's parse of one file's text (includes left for the caller)."""
    with tempfile.TemporaryDirectory(prefix="nginxconf-") as folder:
        name = os.path.join(folder, posixpath.basename(path) or "nginx.conf")
        with open(name, "wb") as handle:
            handle.write(text)
        # strict: an unknown directive is an error, as for nginx; contexts are not checked
        # (an included file is parsed on its own, outside the block that includes it)
        payload = crossplane.parse(name, single=True, catch_errors=True, check_ctx=False,
                                   check_args=True, strict=True, ignore=TABLES)
    config = payload["config"][0] if payload["config"] else {"parsed": [], "errors": []}
    errors = tuple(f"{e.get('error', '')}".replace(name, path) for e in payload.get("errors") or [])
    return config.get("parsed") or [], errors


class _Reading:
    """The files a build reads, through which it reads them: what each file held (None:
    missing) and what each ``include`` pattern matched. Another file system for which all
    of it is the same gets the same configuration (containers of one image share it)."""

    def __init__(self, fs: FileSystem):
        self.fs = fs
        self.seen: list[tuple[str, str, object]] = []

    def data(self, path: str) -> bytes | None:
        found = self.fs.stat(path)
        data = None if found is None else found.data
        self.seen.append(("file", path, data))
        return data

    def exists(self, path: str) -> bool:
        found = self.fs.exists(path)
        self.seen.append(("exists", path, found))
        return found

    def matching(self, pattern: str) -> list[str]:
        names = _glob(self.fs, pattern)
        self.seen.append(("glob", pattern, names))
        return list(names)


def _glob(fs: FileSystem, pattern: str) -> tuple[str, ...]:
    """The files ``pattern`` names, in order (only those under its folder can match)."""
    fixed = pattern[:min((pattern.find(c) for c in "*?[" if c in pattern), default=len(pattern))]
    under = fixed[:fixed.rfind("/") + 1]
    return tuple(p for p in fs.all_files(under) if fnmatch.fnmatchcase(p, pattern))


def _same(fs: FileSystem, seen: tuple) -> bool:
    """Whether ``fs`` holds what a build read, as the build read it."""
    for kind, arg, was in seen:
        if kind == "file":
            found = fs.stat(arg)
            now = None if found is None else found.data
            if now is not was and now != was:
                return False
        elif kind == "exists":
            if fs.exists(arg) != was:
                return False
        elif _glob(fs, arg) != was:
            return False
    return True


def _expand(reading: _Reading, statements: list, errors: list[str], depth: int = 0) -> list:
    """The statements with each ``include`` replaced by what its files say."""
    out: list = []
    for stmt in statements:
        if stmt["directive"] == "include" and stmt.get("args"):
            pattern = stmt["args"][0]
            if not pattern.startswith("/"):
                pattern = posixpath.join(PREFIX, pattern)
            glob = any(c in pattern for c in "*?[")
            for name in reading.matching(pattern) if glob else [pattern]:
                data = reading.data(name)
                if data is None:
                    if not glob and not reading.exists(name):
                        errors.append(f'open() "{pattern}" failed (2: No such file or directory)')
                    continue
                if depth > 10:
                    continue
                parsed, problems = _parse_text(name, data)
                errors.extend(problems)
                out.extend(_expand(reading, parsed, errors, depth + 1))
            continue
        if stmt.get("block") is not None:
            stmt = dict(stmt, block=_expand(reading, stmt["block"], errors, depth))
        out.append(stmt)
    return out


def _directives(block: list) -> dict[str, list[list[str]]]:
    found: dict[str, list[list[str]]] = {}
    for stmt in block:
        if stmt.get("block") is None:
            found.setdefault(stmt["directive"], []).append(list(stmt.get("args") or []))
    return found


def _listen(args: list[str]) -> tuple[int, bool, bool] | None:
    if not args:
        return None
    where = args[0]
    port_text = where.rsplit("]:", 1)[-1] if where.startswith("[") else where.rsplit(":", 1)[-1]
    if not port_text.isdigit():
        if where.startswith("[") or "." in where or where in ("localhost", "*"):
            port_text = "80"
        else:
            return None
    return int(port_text), "ssl" in args[1:], "default_server" in args[1:] or "default" in args[1:]


def _server(block: list, http: dict, upstreams: dict[str, list[str]]) -> ServerBlock:
    directives = _directives(block)
    listen = [found for args in directives.get("listen", []) if (found := _listen(args))]
    if not listen:
        listen = [(80, False, False)]
    if "on" in [a[0] for a in directives.get("ssl", []) if a]:
        listen = [(p, True, d) for p, _, d in listen]
    names = [name for args in directives.get("server_name", []) for name in args]
    locations = [Location(*(stmt["args"] if len(stmt["args"]) > 1 else ["", stmt["args"][0]]),
                          directives=_directives(stmt["block"]))
                 for stmt in block if stmt["directive"] == "location" and stmt.get("args")]
    return ServerBlock(listen, names, directives, locations, http, upstreams)


def _build(reading: _Reading) -> Config:
    errors: list[str] = []
    main = reading.data(MAIN)
    if main is None:
        return Config([], [f'open() "{MAIN}" failed (2: No such file or directory)'])
    parsed, problems = _parse_text(MAIN, main)
    errors.extend(problems)
    statements = _expand(reading, parsed, errors)
    servers: list[ServerBlock] = []
    for stmt in statements:
        if stmt["directive"] != "http":
            continue
        http = _directives(stmt["block"])
        upstreams = {s["args"][0]: [a["args"][0] for a in s["block"] if a["directive"] == "server"]
                     for s in stmt["block"] if s["directive"] == "upstream" and s.get("args")}
        for inner in stmt["block"]:
            if inner["directive"] == "server" and inner.get("block") is not None:
                servers.append(_server(inner["block"], http, upstreams))
    return Config(servers, errors)


# the configurations built, by the text of nginx.conf, each with what its build read
_BUILT: OrderedDict[bytes | None, list[tuple[tuple, Config]]] = OrderedDict()
_BUILT_TEXTS = 64        # nginx.conf texts remembered
_BUILT_EACH = 8          # configurations remembered per text
_BUILT_LOCK = threading.Lock()


def _shared(fs: FileSystem) -> Config:
    """The configuration of ``fs``: one built before from files that read the same (one
    parse for all the containers of a Deployment), else built now. (Configurations are
    never changed once built.)"""
    found = fs.stat(MAIN)
    main = None if found is None else found.data
    with _BUILT_LOCK:
        known = list(_BUILT.get(main) or ())
        if known:
            _BUILT.move_to_end(main)
    for seen, built in known:
        if _same(fs, seen):
            return built
    reading = _Reading(fs)
    built = _build(reading)
    with _BUILT_LOCK:
        known = _BUILT.setdefault(main, [])
        _BUILT.move_to_end(main)
        known.insert(0, (tuple(reading.seen), built))
        del known[_BUILT_EACH:]
        while len(_BUILT) > _BUILT_TEXTS:
            _BUILT.popitem(last=False)
    return built


def config(fs: FileSystem) -> Config:
    """The configuration nginx reads from ``fs`` now (looked up again when a file changed)."""
    cached = fs.note("nginx")
    generation = fs.generation
    if cached is not None and cached[0] == generation:
        return cached[1]
    built = _shared(fs)
    fs.keep("nginx", (generation, built))
    return built


def listening(fs: FileSystem) -> dict[int, bool]:
    """{port: whether it speaks TLS} for every ``listen`` of the configuration."""
    return config(fs).listening()


def certificate_path(fs: FileSystem, port: int, host: str = "") -> str | None:
    server = config(fs).server_for(port, host)
    if server is None:
        return None
    found = server.first("ssl_certificate")
    return found[0] if found else None


def key_path(fs: FileSystem, port: int, host: str = "") -> str | None:
    """The private key nginx uses on ``port`` (its ``ssl_certificate_key``)."""
    server = config(fs).server_for(port, host)
    if server is None:
        return None
    found = server.first("ssl_certificate_key")
    return found[0] if found else None
