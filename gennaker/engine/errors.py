"""Errors the facade raises; the API maps them to HTTP statuses (404, 400, 409).

``ConfigValidationError`` (from ``gennaker.model``) is raised for invalid pipeline configs (400).
"""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """Base: ``to_json()`` is the error body the API returns."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": type(self).__name__, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body


class NotFoundError(EngineError):
    """No such application, pipeline config, execution or stage (404)."""

    status_code = 404


class InvalidRequestError(EngineError):
    """Bad input, e.g. a missing required parameter or a value not among a parameter's options (400)."""

    status_code = 400


class ConflictError(EngineError):
    """The operation does not apply in the current state, e.g. restarting a running stage (409)."""

    status_code = 409


class ExpressionEvaluationError(InvalidRequestError):
    """An expression given to ``evaluate_expression`` failed (400); ``detail`` is Orca's summary."""

    def __init__(self, message: str, *, detail: dict[str, Any]) -> None:
        super().__init__(message, field="expression")
        self.detail = detail

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "detail": self.detail}
