"""What keeps the kubelet from setting up a pod's volumes: a Secret or ConfigMap that does
not exist (unless the volume or projection is ``optional``), or a key its ``items`` name
that the object lacks. The messages are the kubelet's ``MountVolume.SetUp failed`` ones;
the kubelet retries with its back-off (0.5 s, doubling, at most 2 min 2 s) until the
objects appear."""

from __future__ import annotations

from typing import Any

RETRY_INITIAL = 0.5
RETRY_MAX = 122.0


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
