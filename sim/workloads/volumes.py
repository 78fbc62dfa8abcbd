"""A container's volume mounts as the kubelet sets them up: the files of secret,
configMap, downwardAPI and projected volumes (read-only, ``items``, modes, ``optional``),
emptyDir volumes shared by the pod's containers, claims that outlive their pods, and
``subPath`` mounts of one file or folder of a volume."""

from __future__ import annotations

import base64
import math
import re
import sys
from typing import Any

from sim.net import addresses as addr
from sim.printers.quantity import Quantity
from sim.workloads.fs import FileSystem

Payload = dict[str, tuple[bytes, int]]      # path in the volume -> (data, mode)
DEFAULT_MODE = 0o644


def _mode(value: Any, default: int) -> int:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else default


def _pick(data: dict[str, bytes], items: list[dict] | None, mode: int) -> Payload:
    if not items:
        return {key: (value, mode) for key, value in data.items()}
    return {i.get("path") or i["key"]: (data[i["key"]], _mode(i.get("mode"), mode))
            for i in items if i.get("key") in data}


_DECODED = "volume-data"       # cluster.runtime[_DECODED]: {(uid, resourceVersion): files}


def _decoded(cluster: Any, obj: dict | None, decode: Any) -> dict[str, bytes]:
    """The files of a Secret or ConfigMap, decoded once per version of the object: the
    containers that mount it share the bytes."""
    if obj is None:
        return {}
    meta = obj.get("metadata") or {}
    key = (meta.get("uid"), meta.get("resourceVersion"))
    if key[0] is None or key[1] is None:
        return decode(obj)
    cache = cluster.runtime.get(_DECODED)
    if cache is None:
        cache = cluster.runtime[_DECODED] = {}
    found = cache.get(key)
    if found is None:
        if len(cache) > 1024:
            cache.clear()
        found = cache[key] = decode(obj)
    return found


def _secret_data(obj: dict) -> dict[str, bytes]:
    data = {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
    data.update({k: str(v).encode() for k, v in (obj.get("stringData") or {}).items()})
    return data


def _config_map_data(obj: dict) -> dict[str, bytes]:
    data = {k: str(v).encode() for k, v in (obj.get("data") or {}).items()}
    data.update({k: base64.b64decode(v) for k, v in (obj.get("binaryData") or {}).items()})
    return data


def _secret(cluster: Any, ns: str, ref: dict, mode: int) -> Payload:
    obj = addr.get(cluster, "secrets", ns, ref.get("secretName") or ref.get("name") or "")
    data = _decoded(cluster, obj, _secret_data)
    return _pick(data, ref.get("items"), _mode(ref.get("defaultMode"), mode))


def _config_map(cluster: Any, ns: str, ref: dict, mode: int) -> Payload:
    obj = addr.get(cluster, "configmaps", ns, ref.get("name") or "")
    data = _decoded(cluster, obj, _config_map_data)
    return _pick(data, ref.get("items"), _mode(ref.get("defaultMode"), mode))


def field_value(pod: dict, path: str) -> str:
    """A downward API ``fieldPath`` of ``pod``: labels and annotations as ``key="value"``
    lines sorted by key, one of them by ``metadata.labels['key']``."""
    found = re.fullmatch(r"metadata\.(labels|annotations)\['([^']*)'\]", path)
    meta = pod.get("metadata") or {}
    if found:
        return str((meta.get(found.group(1)) or {}).get(found.group(2), ""))
    if path in ("metadata.labels", "metadata.annotations"):
        pairs = sorted((meta.get(path.split(".", 1)[1]) or {}).items())
        return "\n".join(f'{k}="{v}"' for k, v in pairs)
    value: Any = pod
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def resource_value(cluster: Any, pod: dict, container: str, resource: str,
                   divisor: Any = None) -> str:
    """A downward API ``resourceFieldRef``: the container's request or limit divided by the
    divisor and rounded up; a limit not set is the node's allocatable amount."""
    spec = next((c for c in (pod.get("spec") or {}).get("containers") or []
                 if c.get("name") == container), None) or \
        ((pod.get("spec") or {}).get("containers") or [{}])[0]
    kind, _, name = resource.partition(".")
    amount = ((spec.get("resources") or {}).get(kind) or {}).get(name)
    if amount is None and kind == "requests":
        amount = ((spec.get("resources") or {}).get("limits") or {}).get(name)
    if amount is None and kind == "limits":
        node = addr.get(cluster, "nodes", None, (pod.get("spec") or {}).get("nodeName") or "")
        amount = ((node or {}).get("status") or {}).get("allocatable", {}).get(name)
    if amount is None:
        return "0"
    try:
        value = Quantity.parse(str(amount)).value
        scale = Quantity.parse(str(divisor)).value if divisor not in (None, "", 0, "0") else 1
    except (ValueError, ArithmeticError):
        return "0"
    return str(math.ceil(value / scale))


_SMALL: dict[bytes, bytes] = {}


def _same_bytes(data: bytes) -> bytes:
    """One object for each short value many pods' files hold (their namespace, their
    template's labels)."""
    if len(data) > 1024:
        return data
    if len(_SMALL) > 4096:
        _SMALL.clear()
    return _SMALL.setdefault(data, data)


def _downward(cluster: Any, pod: dict, spec: dict, mode: int) -> Payload:
    found: Payload = {}
    default = _mode(spec.get("defaultMode"), mode)
    for item in spec.get("items") or []:
        if "fieldRef" in item:
            text = field_value(pod, (item["fieldRef"] or {}).get("fieldPath", ""))
        elif "resourceFieldRef" in item:
            ref = item["resourceFieldRef"] or {}
            text = resource_value(cluster, pod, ref.get("containerName", ""), ref.get("resource", ""),
                                  ref.get("divisor"))
        else:
            continue
        found[item.get("path", "")] = (_same_bytes(text.encode()), _mode(item.get("mode"), default))
    return found


def token(pod: dict) -> bytes:
    """The projected service account token (a JWT's shape; not signed for real)."""
    header = base64.urlsafe_b64encode(b'{"alg":"RS256","kid":"sim"}').rstrip(b"=")
    claims = base64.urlsafe_b64encode(
        ('{"sub":"system:serviceaccount:%s:%s"}' % (addr.meta(pod, "namespace"),
         (pod.get("spec") or {}).get("serviceAccountName", "default"))).encode()).rstrip(b"=")
    signature = base64.urlsafe_b64encode(str(addr.meta(pod, "uid")).encode()).rstrip(b"=")
    return header + b"." + claims + b"." + signature


def payload(cluster: Any, pod: dict, volume: dict) -> Payload | None:
    """The files of a volume the kubelet writes (secret, configMap, downwardAPI,
    projected); None for a volume that is a folder of its own (emptyDir, claims …)."""
    ns = addr.meta(pod, "namespace") or "default"
    if "secret" in volume:
        return _secret(cluster, ns, volume["secret"] or {}, DEFAULT_MODE)
    if "configMap" in volume:
        return _config_map(cluster, ns, volume["configMap"] or {}, DEFAULT_MODE)
    if "downwardAPI" in volume:
        return _downward(cluster, pod, volume["downwardAPI"] or {}, DEFAULT_MODE)
    if "projected" in volume:
        spec = volume["projected"] or {}
        mode = _mode(spec.get("defaultMode"), DEFAULT_MODE)
        merged: Payload = {}
        for source in spec.get("sources") or []:
            if "serviceAccountToken" in source:
                merged[(source["serviceAccountToken"] or {}).get("path", "token")] = (token(pod), mode)
            if "downwardAPI" in source:
                merged.update(_downward(cluster, pod, dict(source["downwardAPI"] or {}, defaultMode=mode), mode))
            if "secret" in source:
                merged.update(_secret(cluster, ns, dict(source["secret"] or {}, defaultMode=mode), mode))
            if "configMap" in source:
                merged.update(_config_map(cluster, ns, dict(source["configMap"] or {}, defaultMode=mode), mode))
        return merged
    return None


def shared(cluster: Any, pod: dict, volume: dict) -> FileSystem:
    """The folder an emptyDir (one per pod) or a claim (one per claim, kept after the
    pod) volume is: the same object in every container that mounts it. A hostPath volume
    is the node's own file system (what ``node $`` lines see)."""
    ns = addr.meta(pod, "namespace") or "default"
    if "hostPath" in volume:
        from sim.workloads.host import _node_container

        node = addr.get(cluster, "nodes", None, (pod.get("spec") or {}).get("nodeName") or "")
        if node is not None:
            return _node_container(cluster, node).fs
    claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
    key: tuple = ("claim", ns, claim) if claim else ("volume", addr.meta(pod, "uid"), volume.get("name"))
    found = cluster.runtime.get(key)
    if found is None:
        found = cluster.runtime[key] = FileSystem()
        if key[0] == "volume":
            cluster.runtime.setdefault(_OF_POD, {}).setdefault(key[1], []).append(key)
    return found


_OF_POD = "pod-volumes"        # cluster.runtime[_OF_POD]: {pod uid: its emptyDir keys}


def forget_pod(cluster: Any, uid: str) -> None:
    """Drop the emptyDir volumes of a pod that is gone (claims stay)."""
    for key in (cluster.runtime.get(_OF_POD) or {}).pop(uid, ()):
        cluster.runtime.pop(key, None)


def forget_pods(cluster: Any, alive: set[str]) -> None:
    """Drop the emptyDir volumes of pods that are gone (claims stay)."""
    for key in [k for k in cluster.runtime if isinstance(k, tuple) and k[0] == "volume"
                and k[1] not in alive]:
        del cluster.runtime[key]
    index = cluster.runtime.get(_OF_POD) or {}
    for uid in [u for u in index if u not in alive]:
        del index[uid]


def mount_all(cluster: Any, pod: dict, spec: dict, fs: FileSystem, now: float) -> None:
    """Set up every volumeMount of the container ``spec`` in ``fs``."""
    volumes = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or []}
    for mount in spec.get("volumeMounts") or []:
        volume = volumes.get(mount.get("name"))
        if volume is None:
            continue
        target = sys.intern(FileSystem.norm(mount.get("mountPath", "/")))
        sub = (mount.get("subPath") or "").strip("/")
        files = payload(cluster, pod, volume)
        if files is None:
            folder = shared(cluster, pod, volume)
            base = "/"
            if "hostPath" in volume:
                base = FileSystem.norm((volume["hostPath"] or {}).get("path") or "/")
            if sub:
                base = base.rstrip("/") + "/" + sub
            if not folder.exists(base):
                folder.mkdir(base, now, parents=True)
            fs.mount(target, folder, now, base)
            if mount.get("readOnly"):
                fs.protect(target)
            continue
        if sub:
            if sub in files:
                data, mode = files[sub]
                if fs.is_dir(target):
                    fs.remove(target, recursive=True)
                fs.write(target, data, now, force=True, mode=mode)
                fs.protect(target)
                continue
            files = {k[len(sub) + 1:]: v for k, v in files.items() if k.startswith(sub + "/")}
        _write_payload(fs, target, files, now)
        if not sub:
            _synced(fs, target, volume, now)


def _synced(fs: FileSystem, target: str, volume: dict, at: float) -> None:
    """The kubelet wrote the volume mounted at ``target`` at ``at``: ``fs.note("synced")``
    holds a (target, volume, when) for each (a tuple: one small object per container)."""
    kept = fs.note("synced", ())
    entry = (target, volume, at)
    if any(old[0] == target for old in kept):
        fs.keep("synced", tuple(entry if old[0] == target else old for old in kept))
    else:
        fs.keep("synced", kept + (entry,))


def _write_payload(fs: FileSystem, target: str, files: Payload, now: float) -> None:
    fs.unprotect(target)
    if fs.exists(target) and target != "/":
        fs.remove(target, recursive=True)     # a mount hides what the image had there
    fs.mkdir(target, now, parents=True)
    for key, (data, mode) in files.items():
        fs.write(f"{target}/{key}", data, now, force=True, mode=mode)
    fs.protect(target)


SYNC_SECONDS = 60.0


def refresh(cluster: Any, pod: dict, fs: FileSystem, now: float) -> None:
    """The kubelet's periodic sync of the pod: a mounted Secret, ConfigMap, downwardAPI or
    projected volume (not one mounted by subPath) shows the objects' current data once a
    sync period has passed since it was last written."""
    for target, volume, written in fs.note("synced", ()):
        if now - written < SYNC_SECONDS:
            continue
        files = payload(cluster, pod, volume)
        if files is None:
            continue
        current = {k[len(target) + 1:]: (fs.read(k), fs.stat(k).mode)
                   for k in fs.all_files(target + "/")}
        if current != files:
            _write_payload(fs, target, files, now)
        _synced(fs, target, volume, now - (now - written) % SYNC_SECONDS)
