"""The Go types of the typed fields a manifest most often gets wrong, for the API server's
JSON decoding: a value of the wrong JSON type fails the whole request before defaulting
or validation looks at it, with encoding/json's message naming the innermost Go struct and
the field's path without list indices."""

from __future__ import annotations

from .errors import ApiError

# path (list items as "[]") -> (Go struct holding the field, Go type)
_CONTAINER = {
    "ports[].containerPort": ("ContainerPort", "int32"),
    "ports[].hostPort": ("ContainerPort", "int32"),
    "stdin": ("Container", "bool"),
    "tty": ("Container", "bool"),
}
_POD_SPEC = {
    "terminationGracePeriodSeconds": ("PodSpec", "int64"),
    "hostNetwork": ("PodSpec", "bool"),
    **{f"containers[].{k}": v for k, v in _CONTAINER.items()},
    **{f"initContainers[].{k}": v for k, v in _CONTAINER.items()},
}


def _workload(spec_struct: str, *ints: str) -> dict[str, tuple[str, str]]:
    fields = {f"spec.{name}": (spec_struct, "int32") for name in ints}
    fields.update({f"spec.template.spec.{k}": v for k, v in _POD_SPEC.items()})
    return fields


FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "Deployment": {**_workload("DeploymentSpec", "replicas", "minReadySeconds",
                               "revisionHistoryLimit", "progressDeadlineSeconds"),
                   "spec.paused": ("DeploymentSpec", "bool")},
    "ReplicaSet": _workload("ReplicaSetSpec", "replicas", "minReadySeconds"),
    "StatefulSet": _workload("StatefulSetSpec", "replicas", "minReadySeconds",
                             "revisionHistoryLimit"),
    "DaemonSet": _workload("DaemonSetSpec", "minReadySeconds", "revisionHistoryLimit"),
    "Pod": {f"spec.{k}": v for k, v in _POD_SPEC.items()},
    "Service": {"spec.ports[].port": ("ServicePort", "int32"),
                "spec.ports[].nodePort": ("ServicePort", "int32")},
}


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _fits(value, go_type: str) -> bool:
    if value is None:
        return True
    if go_type == "bool":
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool)


def _values(obj, parts: list[str]):
    """(value, field path) for every place ``parts`` reaches in ``obj``."""
    if not parts:
        yield obj
        return
    head, rest = parts[0], parts[1:]
    many = head.endswith("[]")
    key = head[:-2] if many else head
    if not isinstance(obj, dict) or key not in obj:
        return
    if many:
        for item in obj[key] if isinstance(obj[key], list) else []:
            yield from _values(item, rest)
    else:
        yield from _values(obj[key], rest)


def check_types(kind: str, version: str, obj: dict) -> None:
    """Raise the API server's BadRequest when a known typed field holds the wrong JSON type
    (whole numbers of another width, and fractions, are left to validation)."""
    for path, (struct, go_type) in FIELDS.get(kind, {}).items():
        for value in _values(obj, path.split(".")):
            if _fits(value, go_type) or (go_type != "bool" and isinstance(value, float)):
                continue
            field = path.replace("[]", "")
            raise ApiError(400, "BadRequest",
                           f'{kind} in version "{version}" cannot be handled as a {kind}: '
                           f"json: cannot unmarshal {_json_kind(value)} into Go struct field "
                           f"{struct}.{field} of type {go_type}")
