"""The objects ``kubectl create <generator>`` and ``kubectl run`` build, client side.

Each builder returns the object as kubectl serialises it (empty Go structs such as
``status: {}`` included, omitted empty fields left out); errors carry kubectl's texts.
"""

from __future__ import annotations

import base64
import os
import re
from typing import Any, Callable

from sim.kubectl import localfs
from sim.kubectl.errors import fail

_KEY_RE = re.compile(r"^[-._a-zA-Z0-9]+$")
_KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
            "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
            "'[-._a-zA-Z0-9]+')")


def _ns(meta: dict, namespace: str | None) -> dict:
    if namespace:
        meta["namespace"] = namespace
    return meta


def container_name(image: str, rand: Callable[[int], str]) -> str:
    name = image.split("/")[-1]
    if ":" in name:
        name = name.split(":")[0]
    if "@" in name:
        name = name.split("@")[0]
    if "_" in name or "." in name:
        name = name.replace("_", "-").replace(".", "-") + "-" + rand(5)
    return name


def deployment(name: str, images: list[str], replicas: int, port: int,
               command: list[str], namespace: str | None,
               rand: Callable[[int], str]) -> dict:
    labels = {"app": name}
    containers = []
    for image in images:
        c: dict[str, Any] = {"image": image, "name": container_name(image, rand)}
        if command:
            c["command"] = list(command)
        c["resources"] = {}
        containers.append(c)
    if port >= 0 and containers:
        containers[0]["ports"] = [{"containerPort": port}]
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": _ns({"labels": dict(labels), "name": name}, namespace),
        "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                 "strategy": {},
                 "template": {"metadata": {"labels": dict(labels)},
                              "spec": {"containers": containers}}},
        "status": {},
    }


def _port_number(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise fail(f'strconv.Atoi: parsing "{text}": invalid syntax') from None
    if not 0 < value < 65536:
        raise fail(f'invalid port "{text}"' if value else f'invalid port "{text}"')
    return value


def parse_tcp(spec: str) -> tuple[int, int | str]:
    port_text, _, target = spec.partition(":")
    port = _port_number(port_text)
    if target == "":
        return port, port
    if target.isdigit():
        number = int(target)
        if not 1 <= number <= 65535:
            raise fail("must be between 1 and 65535, inclusive")
        return port, number
    return port, target


def service(name: str, svc_type: str, tcp: list[str], cluster_ip: str, node_port: int,
            external_name: str, namespace: str | None) -> dict:
    if cluster_ip == "None" and svc_type != "ClusterIP":
        raise fail("ClusterIP=None can only be used with ClusterIP service type")
    if cluster_ip != "None" and not tcp and svc_type != "ExternalName":
        raise fail("at least one tcp port specifier must be provided")
    if svc_type == "ExternalName" and not _dns1123_subdomain(external_name):
        raise fail(f"invalid service external name {external_name}")
    ports = []
    for spec in tcp:
        port, target = parse_tcp(spec)
        entry: dict[str, Any] = {"name": spec.replace(":", "-")}
        if node_port:
            entry["nodePort"] = node_port
        entry.update({"port": port, "protocol": "TCP", "targetPort": target})
        ports.append(entry)
    spec_: dict[str, Any] = {}
    if cluster_ip:
        spec_["clusterIP"] = cluster_ip
    if external_name:
        spec_["externalName"] = external_name
    if ports:
        spec_["ports"] = ports
    spec_["selector"] = {"app": name}
    spec_["type"] = svc_type
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": _ns({"labels": {"app": name}, "name": name}, namespace),
            "spec": spec_, "status": {"loadBalancer": {}}}


def _dns1123_subdomain(value: str) -> bool:
    return bool(value) and len(value) <= 253 and re.fullmatch(
        r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", value) is not None


def namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name},
            "spec": {}, "status": {}}


def parse_literal(source: str) -> tuple[str, str]:
    key, eq, value = source.partition("=")
    if not eq:
        raise fail(f"invalid literal source {source}, expected key=value")
    return key, value


def parse_file_source(source: str) -> tuple[str, str]:
    if "=" not in source:
        return os.path.basename(source.rstrip("/")) or source, source
    key, _, path = source.partition("=")
    if not key:
        raise fail(f"key name for file path {path} missing")
    if not path:
        raise fail(f"file path for key name {key} missing")
    return key, path


def _file_entries(sources: list[str], io: Any) -> list[tuple[str, bytes]]:
    out = []
    for source in sources:
        key, path = parse_file_source(source)
        if not localfs.exists(io, path):
            raise fail(f"error reading {path}: no such file or directory")
        if localfs.is_dir(io, path):
            if "=" in source:
                raise fail("cannot give a key name for a directory path")
            for item in localfs.list_dir(io, path):
                item_path = os.path.join(path, item)
                if not localfs.is_dir(io, item_path):
                    out.append((item, localfs.read(io, item_path)))
        else:
            out.append((key, localfs.read(io, path)))
    return out


_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_ENV_MSG = ("a valid environment variable name must consist of alphabetic characters, digits, "
            "'_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or "
            "'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
            "'[-._a-zA-Z][-._a-zA-Z0-9]*')")


def env_file_entries(sources: list[str], io: Any, what: str) -> list[tuple[str, str]]:
    """cmdutil.AddFromEnvFile: KEY=VALUE lines; a bare KEY takes the caller's variable."""
    out = []
    for path in sources:
        if not localfs.exists(io, path):
            raise fail(f"error reading {path}: no such file or directory")
        if localfs.is_dir(io, path):
            raise fail(f"env {what} file cannot be a directory")
        raw = localfs.read(io, path)
        for number, line_bytes in enumerate(raw.split(b"\n")):
            try:
                line = line_bytes.decode("utf-8")
            except UnicodeDecodeError:
                raise fail(f"env file {path} contains invalid utf8 bytes at line "
                           f"{number + 1}: {list(line_bytes)}") from None
            if number == 0:
                line = line.removeprefix("\ufeff")
            line = line.lstrip().rstrip("\r")
            if not line or line.startswith("#"):
                continue
            key, eq, value = line.partition("=")
            if not _ENV_NAME.match(key):
                raise fail(f'"{key}" is not a valid key name: {_ENV_MSG}')
            out.append((key, value if eq else (getattr(io, "env", {}) or {}).get(key, "")))
    return out


def _check_key(key: str, what: str) -> None:
    if not _KEY_RE.match(key) or len(key) > 253 or key in (".", "..") or key.startswith(".."):
        if what == "ConfigMap":
            raise fail(f'"{key}" is not a valid key name for a ConfigMap: {_KEY_MSG}')
        raise fail(f'"{key}" is not valid key name for a Secret {_KEY_MSG}')


def configmap(name: str, from_file: list[str], from_literal: list[str], io: Any,
              namespace: str | None, from_env_file: list[str] = ()) -> dict:
    data: dict[str, str] = {}
    binary: dict[str, str] = {}

    def add(key: str, raw: bytes | str) -> None:
        _check_key(key, "ConfigMap")
        if key in data:
            raise fail(f'cannot add key "{key}", another key by that name already exists in '
                       f'Data for ConfigMap "{name}"')
        if key in binary:
            raise fail(f'cannot add key "{key}", another key by that name already exists in '
                       f'BinaryData for ConfigMap "{name}"')
        if isinstance(raw, str):
            data[key] = raw
            return
        try:
            data[key] = raw.decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = base64.b64encode(raw).decode()

    for key, raw in _file_entries(from_file, io):
        add(key, raw)
    for source in from_literal:
        key, value = parse_literal(source)
        add(key, value)
    for key, value in env_file_entries(list(from_env_file), io, "config"):
        add(key, value)
    obj: dict[str, Any] = {"apiVersion": "v1"}
    if binary:
        obj["binaryData"] = binary
    if data:
        obj["data"] = data
    obj["kind"] = "ConfigMap"
    obj["metadata"] = _ns({"name": name}, namespace)
    return obj


def secret_generic(name: str, from_file: list[str], from_literal: list[str], secret_type: str,
                   io: Any, namespace: str | None, from_env_file: list[str] = ()) -> dict:
    data: dict[str, str] = {}

    def add(key: str, raw: bytes) -> None:
        _check_key(key, "Secret")
        if key in data:
            raise fail(f"cannot add key {key}, another key by that name already exists")
        data[key] = base64.b64encode(raw).decode()

    for key, raw in _file_entries(from_file, io):
        add(key, raw)
    for source in from_literal:
        key, value = parse_literal(source)
        add(key, value.encode())
    for key, value in env_file_entries(list(from_env_file), io, "secret"):
        add(key, value.encode())
    return _secret(name, data, secret_type, namespace)


def _secret(name: str, data: dict[str, str], secret_type: str, namespace: str | None) -> dict:
    obj: dict[str, Any] = {"apiVersion": "v1"}
    if data:
        obj["data"] = data
    obj["kind"] = "Secret"
    obj["metadata"] = _ns({"name": name}, namespace)
    if secret_type:
        obj["type"] = secret_type
    return obj


def secret_tls(name: str, cert: bytes, key: bytes, namespace: str | None) -> dict:
    from sim.kubectl.tlspair import check_key_pair
    check_key_pair(cert, key)
    data = {"tls.crt": base64.b64encode(cert).decode(), "tls.key": base64.b64encode(key).decode()}
    return _secret(name, data, "kubernetes.io/tls", namespace)


_RULE_RE = re.compile(r"^(?P<host>[\w\*\-\.]*)(?P<path>/.*)=(?P<svcname>[\w\-]+):"
                      r"(?P<svcport>[\w\-]+)(,(?P<istls>tls)=?(?P<secretname>[\w\-]+)?)?")


def _backend(service_spec: str) -> dict:
    parts = service_spec.split(":")
    svc_name, svc_port = parts[0], parts[1]
    port: dict[str, Any] = {}
    if re.fullmatch(r"-?\d+", svc_port):
        port["number"] = int(svc_port)
    else:
        port["name"] = svc_port
    return {"service": {"name": svc_name, "port": port}}


def ingress(name: str, rules: list[str], ingress_class: str, default_backend: str,
            annotations: list[str], namespace: str | None) -> dict:
    if not default_backend and not rules:
        raise fail("not enough information provided: every ingress has to either specify a "
                   "default-backend (which catches all traffic) or a list of rules (which "
                   "catch specific paths)")
    for rule in rules:
        if not _RULE_RE.match(rule):
            raise fail(f"rule {rule} is invalid and should be in format "
                       f"host/path=svcname:svcport[,tls[=secret]]")
    for a in annotations:
        if "=" not in a:
            raise fail(f"annotation {a} is invalid and should be in format key=[value]")
    if default_backend and len(default_backend.split(":")) != 2:
        raise fail("default-backend should be in format servicename:serviceport")
    spec: dict[str, Any] = {}
    if default_backend:
        spec["defaultBackend"] = _backend(default_backend)
    if ingress_class:
        spec["ingressClassName"] = ingress_class
    out_rules: list[dict] = []
    for rule in rules:
        host, _, rest = rule.split(",")[0].partition("/")
        path_part, _, svc = rest.partition("=")
        path = "/" + path_part
        path_type = "Exact"
        if path.endswith("*"):
            path_type, path = "Prefix", path[:-1]
        entry = {"backend": _backend(svc), "path": path, "pathType": path_type}
        existing = next((r for r in out_rules if r.get("host", "") == host), None)
        if existing is not None:
            existing["http"]["paths"].append(entry)
            continue
        r: dict[str, Any] = {}
        if host:
            r["host"] = host
        r["http"] = {"paths": [entry]}
        out_rules.append(r)
    if out_rules:
        spec["rules"] = out_rules
    tls = _tls(rules)
    if tls:
        spec["tls"] = tls
    meta: dict[str, Any] = {}
    if annotations:
        meta["annotations"] = {a.partition("=")[0]: a.partition("=")[2] for a in annotations}
    meta["name"] = name
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": _ns(meta, namespace), "spec": spec,
            "status": {"loadBalancer": {}}}


def _tls(rules: list[str]) -> list[dict]:
    seen_hosts: set[str] = set()
    out: list[dict] = []
    for rule in rules:
        parts = rule.split(",")
        if len(parts) != 2:
            continue
        host = rule.split("/", 1)[0]
        name_parts = parts[1].split("=")
        secret = name_parts[1] if len(name_parts) > 1 else ""
        idx = next((i for i, t in enumerate(out) if t.get("secretName", "") == secret), -1)
        if host in seen_hosts:
            continue
        if idx > -1:
            out[idx].setdefault("hosts", []).append(host)
            seen_hosts.add(host)
            continue
        entry: dict[str, Any] = {}
        if host:
            entry["hosts"] = [host]
        if secret:
            entry["secretName"] = secret
        if entry:
            out.append(entry)
        seen_hosts.add(host)
    return out
