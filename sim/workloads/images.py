"""The images the simulation knows: what each one ships (files, environment, programs)
and what its main process does (servers, shell, prompt)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.workloads import pages

DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BUSYBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CENTOS_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

NGINX_VERSION = "1.27.3"
# Kubernetes' own registries: their images (control plane, add-ons) all exist.
OFFICIAL_REGISTRIES = frozenset({"registry.k8s.io", "k8s.gcr.io"})

BUSYBOX_APPLETS = frozenset({
    "sh", "ash", "cat", "cp", "mv", "rm", "mkdir", "rmdir", "ls", "echo", "printf", "env",
    "printenv", "hostname", "sleep", "true", "false", "grep", "head", "tail", "wc", "wget",
    "nslookup", "base64", "touch", "pwd", "id", "whoami", "uname", "date", "test", "[",
    "sort", "uniq", "tr", "cut", "seq", "yes", "ps", "kill", "ping", "tee", "sed", "which",
    "basename", "dirname", "expr", "ip", "ifconfig", "netstat", "nc", "telnet", "vi", "top",
})
COREUTILS = frozenset({
    "sh", "bash", "cat", "cp", "mv", "rm", "mkdir", "rmdir", "ls", "echo", "printf", "env",
    "printenv", "hostname", "sleep", "true", "false", "grep", "head", "tail", "wc", "base64",
    "touch", "pwd", "id", "whoami", "uname", "date", "test", "[", "sort", "uniq", "tr", "cut",
    "seq", "yes", "kill", "tee", "sed", "basename", "dirname", "expr",
})


@dataclass(frozen=True)
class Server:
    """What listens on one port of a container running this image."""

    kind: str            # nginx | elasticsearch | kibana | grafana | heapster | dns | ingress | health
    tls: bool = False


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
    servers: dict[int, Server] = field(default_factory=dict)
    daemon: bool = False           # the main process serves forever
    curl_version: str = "7.64.0"


def _split(image: str) -> tuple[str, str]:
    """Repository path without registry (docker.io/library/nginx -> nginx) and tag."""
    ref = image.split("@", 1)[0]
    tag = "latest"
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref, tag = ref.rsplit(":", 1)
    parts = ref.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if parts[:1] == ["library"]:
        parts = parts[1:]
    return "/".join(parts), tag


def _nginx() -> Image:
    return Image(
        family="nginx",
        env=(("PATH", DEBIAN_PATH), ("NGINX_VERSION", NGINX_VERSION), ("NJS_VERSION", "0.8.7"),
             ("NJS_RELEASE", "1~bookworm"), ("PKG_RELEASE", "1~bookworm"),
             ("DYNPKG_RELEASE", "1~bookworm")),
        entrypoint=("/docker-entrypoint.sh",),
        cmd=("nginx", "-g", "daemon off;"),
        programs=COREUTILS | {"nginx", "curl", "dash"},
        shell="dash",
        prompt="# ",
        files={
            "/usr/share/nginx/html/index.html": pages.NGINX_INDEX,
            "/usr/share/nginx/html/50x.html": pages.NGINX_50X,
            "/etc/nginx/conf.d/default.conf": pages.NGINX_DEFAULT_CONF,
            "/etc/nginx/nginx.conf": pages.NGINX_CONF,
            "/var/log/nginx/": "",
        },
        servers={80: Server("nginx")},
        daemon=True,
        curl_version="7.88.1",
    )


def _nginxhttps() -> Image:
    return Image(
        family="nginxhttps",
        env=(("PATH", DEBIAN_PATH), ("NGINX_VERSION", "1.9.1-1~jessie")),
        entrypoint=("/home/auto-reload-nginx.sh",),
        cmd=(),
        programs=COREUTILS | {"nginx", "dash"},
        shell="dash",
        prompt="# ",
        files={
            "/usr/share/nginx/html/index.html": pages.NGINX_INDEX,
            "/usr/share/nginx/html/50x.html": pages.NGINX_50X,
            "/etc/nginx/conf.d/default.conf": pages.NGINXHTTPS_DEFAULT_CONF,
            "/etc/nginx/nginx.conf": pages.NGINX_CONF,
        },
        servers={80: Server("nginx"), 443: Server("nginx", tls=True)},
        daemon=True,
    )


def _busybox(plus: bool) -> Image:
    return Image(
        family="busyboxplus" if plus else "busybox",
        env=(("PATH", BUSYBOX_PATH),),
        entrypoint=(),
        cmd=("/bin/sh",) if plus else ("sh",),
        programs=BUSYBOX_APPLETS | ({"curl", "git", "vi"} if plus else set()),
        shell="busybox",
        prompt="[ root@{host}:{cwd} ]$ " if plus else "{cwd} # ",
        curl_version="7.37.1",
    )


def _centos(tag: str) -> Image:
    return Image(
        family="centos",
        env=(("PATH", CENTOS_PATH),),
        entrypoint=(),
        cmd=("/bin/bash",),
        programs=COREUTILS | {"curl", "dig", "nslookup", "host", "ping"},
        shell="bash",
        prompt="[root@{host} {base}]# ",
        curl_version="7.19.7",
    )


def _addon(family: str, port: int, kind: str, extra_ports: dict[int, Server] | None = None) -> Image:
    servers = {port: Server(kind)}
    servers.update(extra_ports or {})
    return Image(
        family=family,
        env=(("PATH", DEBIAN_PATH),),
        entrypoint=(f"/{family}",),
        cmd=(),
        programs=COREUTILS | {"dash"},
        shell="dash",
        prompt="# ",
        servers=servers,
        daemon=True,
    )


def lookup(image: str) -> Image | None:
    """The image behind a reference, or None when no registry would have it."""
    repo, tag = _split(image)
    name = repo.rsplit("/", 1)[-1]
    if repo == "nginx" or repo.endswith("/nginx") and not repo.startswith("ingress"):
        return _nginx()
    if repo == "bprashanth/nginxhttps" and tag == "1.0":
        return _nginxhttps()
    if repo == "radial/busyboxplus" and tag in {"curl", "latest", "base", "git"}:
        return _busybox(plus=True)
    if repo in {"busybox", "alpine"}:
        return _busybox(plus=False)
    if repo == "centos" and tag in {"6", "7", "8", "latest", "centos6", "centos7"}:
        return _centos(tag)
    if "fluentd" in name or "fluent-bit" in name:
        return _addon("fluentd", 0, "none")
    if "elasticsearch" in name:
        return _addon("elasticsearch", 9200, "elasticsearch", {9300: Server("transport")})
    if "kibana" in name:
        return _addon("kibana", 5601, "kibana")
    if "influxdb" in name:
        return _addon("influxdb", 8086, "health")
    if "grafana" in name:
        return _addon("grafana", 3000, "grafana")
    if "heapster" in name:
        return _addon("heapster", 8082, "heapster")
    if name == "coredns" or "kube-dns" in name or "k8s-dns" in name:
        return _addon("coredns", 53, "dns", {8080: Server("health"), 8181: Server("health"),
                                             9153: Server("health")})
    if "ingress-nginx" in repo or "nginx-ingress-controller" in name:
        return _addon("ingress-nginx", 80, "ingress",
                      {443: Server("ingress", tls=True), 10254: Server("health")})
    if name in {"pause", "kube-proxy"}:
        return _addon(name, 0, "none")
    if name == "kube-apiserver":
        return _addon(name, 6443, "health")
    if image.split("/", 1)[0] in OFFICIAL_REGISTRIES or repo.startswith(("google_containers/", "google-containers/")):
        return _addon(name, 0, "none")
    return None


def fallback(image: str) -> Image:
    """What a container of an image with nothing simulated does: it runs, and serves nothing."""
    return lookup(image) or _addon(_split(image)[0].rsplit("/", 1)[-1] or "unknown", 0, "none")


def known(image: str) -> bool:
    """Whether pulling ``image`` succeeds; the kubelet shows ErrImagePull otherwise."""
    return lookup(image) is not None


def node_image() -> Image:
    """What a node's own shell offers (``node $`` lines): a distribution's userland."""
    return Image(
        family="node",
        env=(("PATH", DEBIAN_PATH), ("HOME", "/root")),
        entrypoint=(),
        cmd=("/bin/sh",),
        programs=COREUTILS | {"curl", "dig", "nslookup", "dash", "ping"},
        shell="dash",
        prompt="root@{host}:{cwd}# ",
        curl_version="7.64.0",
    )
