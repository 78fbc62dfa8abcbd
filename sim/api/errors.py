"""API errors shaped like metav1.Status, with apimachinery's field-error wording."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


def _value_text(value: Any) -> str:
    # field.Error prints strings quoted and numbers/bools bare (apimachinery field/errors.go).
    if type(value).__name__ == "GoValue":
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


@dataclass
class FieldError:
    """One cause of an Invalid error: ``spec.x: Invalid value: 80: detail``."""

    field: str
    type: str  # FieldValueInvalid, FieldValueRequired, FieldValueDuplicate, ...
    value: Any = None
    detail: str = ""

    def body(self) -> str:
        if self.type == "FieldValueRequired":
            text = "Required value"
        elif self.type == "FieldValueInvalid":
            text = f"Invalid value: {_value_text(self.value)}"
        elif self.type == "FieldValueDuplicate":
            text = f"Duplicate value: {_value_text(self.value)}"
        elif self.type == "FieldValueNotSupported":
            text = f"Unsupported value: {_value_text(self.value)}"
        elif self.type == "FieldValueForbidden":
            text = "Forbidden"
        elif self.type == "FieldValueNotFound":
            text = f"Not found: {_value_text(self.value)}"
        elif self.type == "FieldValueTooLong":
            text = "Too long"
        else:
            text = "Internal error"
        return f"{text}: {self.detail}" if self.detail else text

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"

    def cause(self) -> dict:
        return {"reason": self.type, "message": self.body(), "field": self.field}


def invalid(field_path: str, value: Any, detail: str = "") -> FieldError:
    return FieldError(field_path, "FieldValueInvalid", value, detail)


def required(field_path: str, detail: str = "") -> FieldError:
    return FieldError(field_path, "FieldValueRequired", None, detail)


def duplicate(field_path: str, value: Any) -> FieldError:
    return FieldError(field_path, "FieldValueDuplicate", value)


def not_supported(field_path: str, value: Any, supported: list[str]) -> FieldError:
    detail = "supported values: " + ", ".join(json.dumps(s) for s in supported)
    return FieldError(field_path, "FieldValueNotSupported", value, detail)


def forbidden(field_path: str, detail: str) -> FieldError:
    return FieldError(field_path, "FieldValueForbidden", None, detail)


@dataclass
class ApiError(Exception):
    """What the API server answers with a failure (a metav1.Status).

    ``details`` follows StatusDetails: ``name``, ``group``, ``kind``, ``causes``.
    kubectl renders it as ``Error from server (Reason): message``, or for ``Invalid``
    as ``The Kind "name" is invalid: field: body`` (see ``kubectl_text``).
    """

    code: int
    reason: str
    message: str
    details: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def status(self) -> dict:
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}
        if self.details:
            body["details"] = self.details
        return body

    def kubectl_text(self) -> str:
        """The line kubectl's cmdutil.CheckErr prints for this error."""
        if self.reason == "Invalid" and self.details.get("causes"):
            head = f'The {self.details.get("kind", "")} "{self.details.get("name", "")}" is invalid'
            causes = [f'{c["field"]}: {c["message"]}' if c.get("field") else c["message"]
                      for c in self.details["causes"]]
            if len(causes) == 1:
                return f"{head}: {causes[0]}"
            return f"{head}: \n" + "\n".join(f"* {c}" for c in causes)
        return f"Error from server ({self.reason}): {self.message}"


def _resource_ref(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, group: str, name: str) -> ApiError:
    ref = _resource_ref(resource, group)
    return ApiError(404, "NotFound", f'{ref} "{name}" not found',
                    {"name": name, "group": group, "kind": resource})


def already_exists(resource: str, group: str, name: str) -> ApiError:
    ref = _resource_ref(resource, group)
    return ApiError(409, "AlreadyExists", f'{ref} "{name}" already exists',
                    {"name": name, "group": group, "kind": resource})


def conflict(resource: str, group: str, name: str, detail: str) -> ApiError:
    ref = _resource_ref(resource, group)
    return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {ref} "{name}": {detail}',
                    {"name": name, "group": group, "kind": resource})


def invalid_object(kind: str, group: str, name: str, errors: list[FieldError]) -> ApiError:
    """StatusReasonInvalid as apimachinery's errors.NewInvalid builds it."""
    qualified = f"{kind}.{group}" if group else kind
    if len(errors) == 1:
        aggregate = str(errors[0])
    else:
        aggregate = "[" + ", ".join(str(e) for e in errors) + "]"
    return ApiError(422, "Invalid", f'{qualified} "{name}" is invalid: {aggregate}',
                    {"name": name, "group": group, "kind": kind,
                     "causes": [e.cause() for e in errors]})


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def namespace_not_found(namespace: str) -> ApiError:
    return not_found("namespaces", "", namespace)
