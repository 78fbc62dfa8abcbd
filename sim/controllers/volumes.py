"""What keeps the kubelet from setting up a pod's volumes: a Secret or ConfigMap that does
not exist (unless the volume or projection is ``optional``), or a key its ``items`` name
that the object lacks. The messages are the kubelet's ``MountVolume.SetUp failed`` ones;
the kubelet retries with its back-off (0.5 s, doubling, at most 2 min 2 s) until the
objects appear."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

RETRY_INITIAL = 0.5
RETRY_MAX = 122.0
MOUNT_TIMEOUT = 123.0      # how long a pod worker waits for the volumes (2 min 3 s)


def _mounted(pod: dict) -> set[str]:
    spec = pod.get("spec") or {}
    names: set[str] = set()
    for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        names.update(m.get("name") for m in container.get("volumeMounts") or [] if m.get("name"))
    return names


def _keys(obj: dict) -> set[str]:
    return set(obj.get("data") or {}) | set(obj.get("binaryData") or {}) | set(obj.get("stringData") or {})


def _source_error(store: Any, ns: str, kind: str, ref: dict) -> str | None:
    """The error of one secret or configMap source, None when it can be set up."""
    resource, noun = ("secrets", "secret") if kind == "secret" else ("configmaps", "configmap")
    name = ref.get("secretName") if kind == "secret" and "secretName" in ref else ref.get("name")
    optional = bool(ref.get("optional"))
    obj = store.find(resource, ns, name or "")
    if obj is None:
        return None if optional else f'{noun} "{name}" not found'
    keys = _keys(obj)
    for item in ref.get("items") or []:
        if item.get("key") not in keys and not optional:
            if kind == "secret":
                return f"references non-existent secret key: {item.get('key')}"
            return f"configmap references non-existent config key: {item.get('key')}"
    return None


def _volume_error(store: Any, ns: str, volume: dict) -> str | None:
    for kind in ("secret", "configMap"):
        if kind in volume:
            return _source_error(store, ns, "secret" if kind == "secret" else "configmap",
                                 volume[kind] or {})
    if "projected" in volume:
        errors = []
        for source in (volume["projected"] or {}).get("sources") or []:
            for kind in ("secret", "configMap"):
                if kind in source:
                    found = _source_error(store, ns, "secret" if kind == "secret" else "configmap",
                                          source[kind] or {})
                    if found:
                        errors.append(found)
        if len(errors) == 1:
            return errors[0]
        if errors:
            return "[" + ", ".join(errors) + "]"    # utilerrors.NewAggregate
    return None


def mount_errors(store: Any, pod: dict) -> list[tuple[str, str]]:
    """(volume name, the kubelet's event message) for each mounted volume that cannot be
    set up now, in the pod's volume order."""
    ns = (pod.get("metadata") or {}).get("namespace") or "default"
    used = _mounted(pod)
    found = []
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        name = volume.get("name")
        if name not in used:
            continue
        error = _volume_error(store, ns, volume)
        if error:
            found.append((name, f'MountVolume.SetUp failed for volume "{name}" : {error}'))
    return found


def next_retry(previous: float | None) -> float:
    """The volume manager's exponential back-off between two tries."""
    if previous is None:
        return RETRY_INITIAL
    return min(previous * 2, RETRY_MAX)


def env_error(store: Any, pod: dict, container: dict) -> str | None:
    """Why the kubelet cannot make the container's environment (CreateContainerConfigError):
    a Secret or ConfigMap that ``envFrom`` or ``valueFrom`` names is missing, or lacks the
    key; ``optional`` references may be missing."""
    ns = (pod.get("metadata") or {}).get("namespace") or "default"
    for source in container.get("envFrom") or []:
        for field, resource, noun in (("configMapRef", "configmaps", "configmap"),
                                      ("secretRef", "secrets", "secret")):
            ref = source.get(field)
            if ref and not ref.get("optional") and store.find(resource, ns, ref.get("name") or "") is None:
                return f'{noun} "{ref.get("name")}" not found'
    for var in container.get("env") or []:
        source = var.get("valueFrom") or {}
        for field, resource, noun, kind in (("configMapKeyRef", "configmaps", "configmap", "ConfigMap"),
                                            ("secretKeyRef", "secrets", "secret", "Secret")):
            ref = source.get(field)
            if not ref or ref.get("optional"):
                continue
            obj = store.find(resource, ns, ref.get("name") or "")
            if obj is None:
                return f'{noun} "{ref.get("name")}" not found'
            if ref.get("key") not in _keys(obj):
                return f"couldn't find key {ref.get('key')} in {kind} {ns}/{ref.get('name')}"
    return None


def volumes_blocked(cluster: Any, pod: dict, ps: dict, now: datetime,
                    after: Callable[[datetime, float], datetime],
                    record: Callable[[str], Any]) -> datetime | None:
    """The kubelet's sandbox waits for the pod's volumes (``ps`` is its state of the pod):
    while a Secret or ConfigMap they need is missing, a FailedMount event per volume at each
    try of the back-off, and when the pod worker's wait ends (every 2 min 3 s) the
    ``Unable to attach or mount volumes`` one. The time of the next try, or None once the
    volumes can be set up (the image pulls, planned from the sandbox's time, move later)."""
    errors = mount_errors(cluster.store, pod)
    if not errors:
        ps.pop("mount_timeout_at", None)
        if ps.pop("mount_wait", None) is not None:
            late = now - ps["sandbox_at"]
            for cs in ps["containers"].values():
                cs["pull_start"] += late
                cs["pulled_at"] += late
        return None
    retry_at = ps.get("mount_retry_at")
    if retry_at is None or now >= retry_at:
        for _, message in errors:
            record(message)
        ps["mount_wait"] = next_retry(ps.get("mount_wait"))
        retry_at = ps["mount_retry_at"] = after(now, ps["mount_wait"])
    gave_up = ps.setdefault("mount_timeout_at", after(now, MOUNT_TIMEOUT))
    if now >= gave_up:
        names = " ".join(sorted(name for name, _ in errors))
        record(f"Unable to attach or mount volumes: unmounted volumes=[{names}], unattached "
               "volumes=[], failed to process volumes=[]: context deadline exceeded")
        gave_up = ps["mount_timeout_at"] = after(now, MOUNT_TIMEOUT)
    wake = min(retry_at, gave_up)
    ps["rv"], ps["due"], ps["wake"] = pod["metadata"]["resourceVersion"], wake, wake
    return wake
