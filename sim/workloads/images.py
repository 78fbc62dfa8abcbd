"""The images the simulation knows, read from one data file per image in ``sim/images/``:
what each one ships (files, environment, programs, user) and what its main process does
(which ports it serves, what it answers and logs).

A reference names a file when its repository path (without the registry and ``library/``)
matches one of the file's ``references`` (exact names first, then patterns, the longest
first) and, when the file lists ``tags``, its tag is one of them. What a reference no file
names does is the profile's choice (``images: {unknown: pull | fail}``): by default a
well-formed reference pulls and its container runs with ``_default.yaml``'s userland (its
command if the pod gives one, else nothing); with ``fail`` the pull fails as for a
repository that does not exist.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent.parent / "images"
UNKNOWN_POLICIES = ("pull", "fail")

# distribution/reference's grammar (reference/regexp.go), as containerd parses a reference
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?"
REFERENCE = re.compile(rf"^(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*(?::[\w][\w.-]{{0,127}})?"
                       r"(?:@sha256:[0-9a-f]{64})?$")


@dataclass(frozen=True)
class Server:
    """What listens on one port of a container running this image."""

    kind: str            # nginx | echoserver | netexec | serve-hostname | text | static | redis | …
    tls: bool = False
    process: "Process | None" = None


@dataclass(frozen=True)
class User:
    uid: int = 0
    gid: int = 0
    name: str = "root"
    group: str = ""

    @property
    def group_name(self) -> str:
        return self.group or self.name


@dataclass(frozen=True)
class Process:
    """A program of the image that serves: when the container's main process is it."""

    program: str                       # basename of argv[0]; "*" any program the shell lacks
    args: tuple[str, ...] = ()         # leading arguments (agnhost's subcommand)
    serves: str = "nothing"
    ports: tuple[int, ...] = ()
    tls_ports: frozenset[int] = frozenset()
    extra: tuple[tuple[int, str], ...] = ()
    port_flag: str | None = None       # --http-port=N / --port N moves the first port
    port_env: str | None = None        # $PORT moves the first port
    log: tuple[Any, ...] = ()          # startup lines (templates; {when:, lines:} entries)
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def flag_values(self, argv: list[str]) -> dict[str, str]:
        """The values of the ``flags`` the image file names (``{name: flag}``), as Go's
        flag package reads them (``-text=x``, ``-text x``, ``--text=x``)."""
        found: dict[str, str] = {}
        for name, flag in (self.options.get("flags") or {}).items():
            value = _flag_value(argv, str(flag))
            if value is None and str(flag).startswith("-") and not str(flag).startswith("--"):
                value = _flag_value(argv, "-" + str(flag))
            found[str(name)] = value if value is not None else str(
                (self.options.get("flag_defaults") or {}).get(name, ""))
        return found

    def matches(self, argv: list[str]) -> bool:
        if not argv:
            return False
        if self.program != "*" and argv[0].rsplit("/", 1)[-1] != self.program:
            return False
        return list(argv[1:1 + len(self.args)]) == list(self.args)


@dataclass(frozen=True)
class Image:
    family: str
    env: tuple[tuple[str, str], ...]
    entrypoint: tuple[str, ...]
    cmd: tuple[str, ...]
    programs: frozenset[str]
    shell: str                     # busybox | dash | bash: messages and prompt style
    prompt: str                    # the interactive prompt, {host} and {cwd} filled in
    files: dict[str, str] = field(default_factory=dict)
    processes: tuple[Process, ...] = ()
    wrappers: frozenset[str] = frozenset()   # entrypoints that run their arguments
    wrapper_runs: str | None = None          # … or this program, when given options only
    user: User = User()
    workdir: str = "/"
    curl_version: str = "7.64.0"
    name: str = ""                 # the data file
    tag: str = "latest"
    vars: dict[str, str] = field(default_factory=dict)

    def unwrap(self, argv: list[str]) -> list[str]:
        """What an entrypoint script that ends in ``exec "$@"`` runs (curl's prepends
        ``curl`` to arguments that start with ``-`` or name no program)."""
        while argv and argv[0] in self.wrappers:
            rest = argv[1:]
            if self.wrapper_runs and (not rest or rest[0].startswith("-")
                                      or rest[0].rsplit("/", 1)[-1] not in self.programs):
                rest = [self.wrapper_runs] + rest
            if not rest:
                break
            argv = rest
        return argv

    def process_for(self, argv: list[str]) -> Process | None:
        """The serving process that ``argv`` starts, if any (wildcards not considered)."""
        argv = self.unwrap(argv)
        for process in self.processes:
            if process.program != "*" and process.matches(argv):
                return process
        return None

    def wildcard(self) -> Process | None:
        return next((p for p in self.processes if p.program == "*"), None)


def _flag_value(argv: list[str], flag: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
        if arg == flag and index + 1 < len(argv):
            return argv[index + 1]
    return None


def ports_of(process: Process | None, env: dict[str, str], argv: list[str]) -> dict[int, Server]:
    """The ports ``process`` listens on when started as ``argv`` with ``env``."""
    if process is None:
        return {}
    ports = list(process.ports)
    moved = None
    if process.port_flag:
        moved = _flag_value(argv, process.port_flag)
        if moved is None and process.port_flag.startswith("-") and not process.port_flag.startswith("--"):
            moved = _flag_value(argv, "-" + process.port_flag)
    if moved is None and process.port_env:
        moved = env.get(process.port_env)
    if moved is not None:
        moved = moved.rsplit(":", 1)[-1]          # -listen=:5678, --port 6380
    if moved is not None and moved.isdigit() and ports:
        ports[0] = int(moved)
    found = {port: Server(process.serves, port in process.tls_ports, process) for port in ports}
    for port, kind in process.extra:
        found.setdefault(port, Server(kind, False, process))
    return found


# -- the data ---------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _raw(name: str) -> dict:
    with open(DATA / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _merged(name: str) -> dict:
    raw = dict(_raw(name))
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    base = _merged(parent)
    for key in ("references", "tags", "registries"):
        base.pop(key, None)
    files = dict(base.get("files") or {})
    files.update(raw.pop("files", None) or {})
    base.update(raw)
    base["files"] = files
    return base


@lru_cache(maxsize=None)
def _groups() -> dict[str, frozenset[str]]:
    return {k: frozenset(str(p) for p in v) for k, v in _raw("_groups").items()}


def _programs(names: list) -> frozenset[str]:
    found: set[str] = set()
    for name in names or []:
        name = str(name)
        found |= _groups()[name[1:]] if name.startswith("@") else {name}
    return frozenset(found)


def _process(data: dict) -> Process:
    known = {"program", "args", "serves", "ports", "tls_ports", "extra", "port_flag", "port_env", "log"}
    return Process(
        program=str(data["program"]), args=tuple(str(a) for a in data.get("args") or ()),
        serves=str(data.get("serves", "nothing")),
        ports=tuple(int(p) for p in data.get("ports") or ()),
        tls_ports=frozenset(int(p) for p in data.get("tls_ports") or ()),
        extra=tuple((int(p), str(k)) for p, k in (data.get("extra") or {}).items()),
        port_flag=data.get("port_flag"), port_env=data.get("port_env"),
        log=tuple(line if isinstance(line, dict) else str(line) for line in data.get("log") or ()),
        options={k: v for k, v in data.items() if k not in known})


@lru_cache(maxsize=None)
def _image(name: str, tag: str) -> Image:
    data = _merged(name)
    user = data.get("user") or {}
    env = tuple((str(k), str(v)) for k, v in (data.get("env") or {}).items())
    return Image(
        family=str(data.get("family", name)), env=env,
        entrypoint=tuple(str(a) for a in data.get("entrypoint") or ()),
        cmd=tuple(str(a) for a in data.get("cmd") or ()),
        programs=_programs(data.get("programs") or []),
        shell=str(data.get("shell", "dash")), prompt=str(data.get("prompt", "# ")),
        files={str(k): str(v) for k, v in (data.get("files") or {}).items()},
        processes=tuple(_process(p) for p in data.get("processes") or ()),
        wrappers=frozenset(str(w) for w in data.get("wrappers") or ()),
        wrapper_runs=data.get("wrapper_runs"),
        user=User(int(user.get("uid", 0)), int(user.get("gid", 0)), str(user.get("name", "root")),
                  str(user.get("group", ""))),
        workdir=str(data.get("workdir", "/")), curl_version=str(data.get("curl_version", "7.64.0")),
        name=name, tag=tag,
        vars={str(k): str(v) for k, v in ((data.get("vars") or {}).get(tag) or {}).items()})


@lru_cache(maxsize=None)
def catalogue() -> tuple[tuple[str, dict], ...]:
    """Every image file (name, its merged data), ``_`` files (shared parts) left out."""
    return tuple((path.stem, _merged(path.stem)) for path in sorted(DATA.glob("*.yaml"))
                 if not path.stem.startswith("_"))


def split(image: str) -> tuple[str, str, str]:
    """(registry, repository path without registry and ``library/``, tag)."""
    ref = image.split("@", 1)[0]
    tag = "latest"
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref, tag = ref.rsplit(":", 1)
    parts = ref.split("/")
    registry = "docker.io"
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, parts = parts[0], parts[1:]
    if parts[:1] == ["library"]:
        parts = parts[1:]
    return registry, "/".join(parts), tag


@lru_cache(maxsize=4096)
def _find(image: str) -> tuple[str, bool] | None:
    """(file name, whether the tag is one the image has) for the file naming ``image``
    (remembered per reference: the catalogue does not change, and every pod's start asks)."""
    registry, repo, tag = split(image)
    best: tuple[int, str, dict] | None = None
    for name, data in catalogue():
        registries = data.get("registries")
        if registries and registry not in registries:
            continue
        for pattern in data.get("references") or []:
            pattern = str(pattern)
            exact = not any(c in pattern for c in "*?[")
            if (repo == pattern) if exact else fnmatch.fnmatchcase(repo, pattern):
                rank = 100000 if exact else len(pattern.replace("*", ""))
                rank -= 1000 if registries else 0      # a registry's catch-all comes last
                if best is None or rank > best[0]:
                    best = (rank, name, data)
    if best is None:
        return None
    tags = best[2].get("tags")
    return best[1], tags is None or tag in [str(t) for t in tags]


def well_formed(image: str) -> bool:
    return bool(image) and REFERENCE.match(image) is not None


def reference_error(image: str) -> str | None:
    """Why the kubelet cannot use ``image`` as a reference (its InvalidImageName message),
    or None for a well-formed one."""
    if well_formed(image):
        return None
    remote = image.split("@", 1)[0]
    last = remote.rsplit("/", 1)[-1]
    if ":" in last:
        remote = remote[: remote.rfind(":")]
    parts = remote.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    elif len(parts) == 1:
        parts = ["library"] + parts
    name = "/".join(parts)
    reason = "invalid reference format"
    if name.lower() != name:
        reason += f": repository name ({name}) must be lowercase"
    return (f'Failed to apply default image tag "{image}": couldn\'t parse image name '
            f'"{image}": {reason}')


def lookup(image: str) -> Image | None:
    """The image behind a reference, or None when no image file names it (or its tag)."""
    found = _find(image)
    if found is None or not found[1]:
        return None
    return _image(found[0], split(image)[2])


def fallback(image: str) -> Image:
    """What a container of ``image`` runs: its file's, else the default userland."""
    return lookup(image) or _image("_default", split(image)[2])


def known(image: str) -> bool:
    """Whether an image file describes ``image`` (its repository and tag)."""
    return lookup(image) is not None


def public_registry(registry: str) -> bool:
    return any(fnmatch.fnmatchcase(registry, str(p)) for p in _raw("_registries").get("public") or [])


def pulls(image: str, unknown: str = "pull") -> bool:
    """Whether pulling ``image`` succeeds; the kubelet shows ErrImagePull otherwise. A
    repository with a file but a tag it does not have fails; a reference no file names
    pulls when it is well formed and on a public registry, unless the profile says
    ``unknown: fail``."""
    found = _find(image)
    if found is not None:
        return found[1]
    return unknown != "fail" and well_formed(image) and public_registry(split(image)[0])


def node_image() -> Image:
    """What a node's own shell offers (``node $`` lines): a distribution's userland."""
    return _image("_node", "latest")
