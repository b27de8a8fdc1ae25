"""API errors, shaped exactly as kube-apiserver shapes its ``metav1.Status`` replies.

Who calls it: every layer of the sandbox raises :class:`ApiError` (or builds :class:`FieldError` lists for
422 Invalid); the HTTP layer turns it into a Status body. kubectl prints these messages to users
(``Error from server (NotFound): deployments.apps "x" not found``, ``The Deployment "web" is invalid: ...``),
so the wording follows the API server's word for word.

Nothing here persists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Field error types (k8s.io/apimachinery/pkg/util/validation/field) -> cause reason.
REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
NOT_SUPPORTED = "FieldValueNotSupported"
FORBIDDEN = "FieldValueForbidden"
DUPLICATE = "FieldValueDuplicate"
TOO_LONG = "FieldValueTooLong"
NOT_FOUND = "FieldValueNotFound"

_OMIT = object()


def go_repr(value: Any) -> str:
    """A value as the API server prints it inside field error messages."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        inner = ", ".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(value.items()))
        return "map[string]string{" + inner + "}"
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


@dataclass
class FieldError:
    """One field validation error (a Status cause)."""

    reason: str
    field: str
    detail: str = ""
    value: Any = _OMIT

    @property
    def message(self) -> str:
        if self.reason == REQUIRED:
            head = "Required value"
        elif self.reason == FORBIDDEN:
            head = "Forbidden"
        elif self.reason == TOO_LONG:
            head = "Too long"
        elif self.reason == NOT_FOUND:
            head = "Not found"
        elif self.reason == DUPLICATE:
            head = "Duplicate value"
        elif self.reason == NOT_SUPPORTED:
            head = "Unsupported value"
        else:
            head = "Invalid value"
        if self.value is not _OMIT and self.reason not in (REQUIRED, FORBIDDEN, TOO_LONG):
            head += ": " + go_repr(self.value)
        if self.detail:
            return head + ": " + self.detail
        return head

    def cause(self) -> dict[str, Any]:
        return {"reason": self.reason, "message": self.message, "field": self.field}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def required(path: str, detail: str = "") -> FieldError:
    return FieldError(REQUIRED, path, detail)


def invalid(path: str, value: Any, detail: str) -> FieldError:
    return FieldError(INVALID, path, detail, value)


def immutable(path: str, value: Any) -> FieldError:
    return FieldError(INVALID, path, "field is immutable", value)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError(FORBIDDEN, path, detail)


def not_supported(path: str, value: Any, supported: list[str]) -> FieldError:
    return FieldError(
        NOT_SUPPORTED, path, "supported values: " + ", ".join(json.dumps(s) for s in supported), value
    )


@dataclass
class ApiError(Exception):
    """An error the API answers with a Status (code, reason, message, details)."""

    code: int
    reason: str
    message: str
    details: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def qualified(resource: str, group: str) -> str:
    """``deployments.apps`` for grouped resources, ``configmaps`` for core ones."""
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, group: str, name: str) -> ApiError:
    return ApiError(
        404,
        "NotFound",
        f'{qualified(resource, group)} "{name}" not found',
        {"name": name, "group": group, "kind": resource} if group else {"name": name, "kind": resource},
    )


def path_not_found() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(resource: str, group: str, name: str) -> ApiError:
    details: dict[str, Any] = {"name": name, "kind": resource}
    if group:
        details["group"] = group
    return ApiError(409, "AlreadyExists", f'{qualified(resource, group)} "{name}" already exists', details)


def conflict(resource: str, group: str, name: str, why: str = "") -> ApiError:
    why = why or "the object has been modified; please apply your changes to the latest version and try again"
    details: dict[str, Any] = {"name": name, "kind": resource}
    if group:
        details["group"] = group
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified(resource, group)} "{name}": {why}',
        details,
    )


def invalid_object(kind: str, group: str, name: str, errors: list[FieldError]) -> ApiError:
    """422 Invalid: ``Deployment.apps "web" is invalid: spec.x: Required value``."""
    qualified_kind = f"{kind}.{group}" if group else kind
    if len(errors) == 1:
        agg = str(errors[0])
    else:
        agg = "[" + ", ".join(str(e) for e in errors) + "]"
    details: dict[str, Any] = {"name": name, "kind": kind, "causes": [e.cause() for e in errors]}
    if group:
        details = {"name": name, "group": group, "kind": kind, "causes": details["causes"]}
    return ApiError(422, "Invalid", f'{qualified_kind} "{name}" is invalid: {agg}', details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def expired(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


def unsupported_media_type(accepted: list[str]) -> ApiError:
    return ApiError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        + ", ".join(accepted),
        {},
    )


def method_not_allowed(method: str) -> ApiError:
    return ApiError(
        405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}
    )


def internal(message: str) -> ApiError:
    return ApiError(
        500, "InternalError", f"Internal error occurred: {message}", {"causes": [{"message": message}]}
    )
