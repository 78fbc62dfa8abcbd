"""A container's environment as the kubelet and the runtime build it."""

from __future__ import annotations

import base64
import random
import re
from typing import Any

from sim.net import addresses as addr


def _env_name(name: str) -> str:
    return name.upper().replace("-", "_")


def service_variables(services: list[dict]) -> list[tuple[str, str]]:
    """pkg/kubelet/envvars FromServices: headless and ExternalName Services give nothing."""
    result: list[tuple[str, str]] = []
    for svc in services:
        if not addr.service_ip_set(svc):
            continue
        spec = svc.get("spec") or {}
        ports = spec.get("ports") or []
        if not ports:
            continue
        prefix = _env_name(addr.meta(svc, "name"))
        ip = spec["clusterIP"]
        result.append((f"{prefix}_SERVICE_HOST", ip))
        result.append((f"{prefix}_SERVICE_PORT", str(ports[0]["port"])))
        for port in ports:
            if port.get("name"):
                result.append((f"{prefix}_SERVICE_PORT_{_env_name(port['name'])}", str(port["port"])))
        for index, port in enumerate(ports):
            proto = port.get("protocol") or "TCP"
            url = f"{proto.lower()}://{ip}:{port['port']}"
            if index == 0:
                result.append((f"{prefix}_PORT", url))
            base = f"{prefix}_PORT_{port['port']}_{proto.upper()}"
            result += [(base, url), (f"{base}_PROTO", proto.lower()),
                       (f"{base}_PORT", str(port["port"])), (f"{base}_ADDR", ip)]
    return result


def visible_services(cluster: Any, pod: dict) -> list[dict]:
    """The kubelet's service map: the pod's namespace (if links are on) and ``kubernetes``."""
    ns = addr.meta(pod, "namespace") or "default"
    links = (pod.get("spec") or {}).get("enableServiceLinks", True) is not False
    chosen: dict[str, dict] = {}
    for svc in addr.services(cluster):
        name, svc_ns = addr.meta(svc, "name"), addr.meta(svc, "namespace")
        if not addr.service_ip_set(svc):
            continue
        if svc_ns == "default" and name == "kubernetes":
            chosen.setdefault(name, svc)
        elif svc_ns == ns and links:
            chosen[name] = svc
    return [chosen[k] for k in sorted(chosen)]


def _field(pod: dict, path: str) -> str:
    value: Any = pod
    for part in re.findall(r"[^.\[\]']+", path):
        value = (value or {}).get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def _lookup_key(cluster: Any, resource: str, ns: str, ref: dict) -> str | None:
    obj = addr.get(cluster, resource, ns, ref.get("name", ""))
    if obj is None:
        return None
    if resource == "secrets":
        raw = (obj.get("data") or {}).get(ref.get("key"))
        if raw is not None:
            return base64.b64decode(raw).decode("utf-8", "replace")
        return (obj.get("stringData") or {}).get(ref.get("key"))
    return (obj.get("data") or {}).get(ref.get("key"))


def _expand(value: str, env: dict[str, str]) -> str:
    """$(VAR) references to earlier variables; $$( escapes, unknown ones stay as written."""
    def repl(match: re.Match) -> str:
        if match.group(0).startswith("$$"):
            return match.group(0)[1:]
        return env.get(match.group(1), match.group(0))
    return re.sub(r"\$\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", repl, value)


def spec_variables(cluster: Any, pod: dict, container: dict) -> dict[str, str]:
    ns = addr.meta(pod, "namespace") or "default"
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            obj = addr.get(cluster, "configmaps", ns, source["configMapRef"].get("name", ""))
            for key, value in ((obj or {}).get("data") or {}).items():
                env[prefix + key] = value
        if "secretRef" in source:
            obj = addr.get(cluster, "secrets", ns, source["secretRef"].get("name", ""))
            for key, value in ((obj or {}).get("data") or {}).items():
                env[prefix + key] = base64.b64decode(value).decode("utf-8", "replace")
    for var in container.get("env") or []:
        name = var.get("name")
        if "value" in var:
            env[name] = _expand(str(var["value"]), env)
        elif "valueFrom" in var:
            source = var["valueFrom"]
            value: str | None = ""
            if "fieldRef" in source:
                value = _field(pod, source["fieldRef"].get("fieldPath", ""))
            elif "secretKeyRef" in source:
                value = _lookup_key(cluster, "secrets", ns, source["secretKeyRef"])
            elif "configMapKeyRef" in source:
                value = _lookup_key(cluster, "configmaps", ns, source["configMapKeyRef"])
            elif "resourceFieldRef" in source:
                from sim.workloads.volumes import resource_value

                ref = source["resourceFieldRef"] or {}
                value = resource_value(cluster, pod, ref.get("containerName") or container.get("name", ""),
                                       ref.get("resource", ""), ref.get("divisor"))
            env[name] = value or ""
        else:
            env[name] = ""
    return env


def service_links(cluster: Any, pod: dict, cache: dict | None = None) -> dict[str, str]:
    """The Services' variables a container of ``pod`` gets if it starts now. ``cache``
    keeps them per namespace (and links on or off) until a Service is written: the same
    dict for every container started in between (never to be changed)."""
    ns = addr.meta(pod, "namespace") or "default"
    links = (pod.get("spec") or {}).get("enableServiceLinks", True) is not False
    revision = None
    if cache is not None:
        store = getattr(cluster, "store", None)
        revision_of = getattr(store, "table_revision", None)
        revision = revision_of("services") if callable(revision_of) else None
        found = cache.get((ns, links))
        if revision is not None and found is not None and found[0] == revision:
            return found[1]
    variables = dict(service_variables(visible_services(cluster, pod)))
    if revision is not None and cache is not None:
        cache[(ns, links)] = (revision, variables)
    return variables


def kubelet_variables(cluster: Any, pod: dict, container: dict,
                      cache: dict | None = None) -> tuple[dict[str, str], dict[str, str] | None]:
    """The kubelet's part of a container's environment as it starts: (the Services'
    variables, the container's own ``env`` and ``envFrom`` or None when it has none)."""
    own = spec_variables(cluster, pod, container) if container.get("env") or container.get("envFrom") else {}
    return service_links(cluster, pod, cache), own or None


def environment(image_env: tuple[tuple[str, str], ...], hostname: str, seed: str,
                services: dict[str, str], own: dict[str, str] | None) -> list[tuple[str, str]]:
    """environ order of a real container: PATH, HOSTNAME, the image's own, then the
    kubelet's list (built from a Go map, so in no fixed order: shuffled by ``seed``),
    then HOME."""
    kubelet = dict(services)
    kubelet.update(own or {})
    names = sorted(kubelet)
    random.Random(seed).shuffle(names)
    image = [(k, v) for k, v in image_env if k not in kubelet]
    result: list[tuple[str, str]] = []
    path = next((v for k, v in image if k == "PATH"), None)
    if path is not None and "PATH" not in kubelet:
        result.append(("PATH", path))
    result.append(("HOSTNAME", hostname))
    result += [(k, v) for k, v in image if k != "PATH"]
    result += [(k, kubelet[k]) for k in names]
    if "HOME" not in kubelet and not any(k == "HOME" for k, _ in image):
        result.append(("HOME", "/root"))
    return result


def container_environment(cluster: Any, pod: dict, container: dict,
                          image_env: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """The environment of ``container`` of ``pod`` started now."""
    services, own = kubelet_variables(cluster, pod, container)
    return environment(image_env, addr.pod_kernel_hostname(cluster, pod),
                       f"{addr.meta(pod, 'uid')}/{container.get('name')}", services, own)
