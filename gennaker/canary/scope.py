"""A canary scope: which server group, where, and over which time range (Kayenta's ``CanaryScope``).

Who uses it: metric sources (query building and time ranges), the canary run that builds one control and one
experiment scope per ``scopeName`` and interval. JSON shape (Kayenta's)::

    {"scope": "myapp-v002", "location": "us-east-1", "start": "2024-01-01T00:00:00Z",
     "end": "2024-01-01T01:00:00Z", "step": 60,
     "extendedScopeParams": {"project": "p", "resourceType": "..."}}

``step`` is in seconds (Kayenta's is a whole number; fractions are accepted so that tests can use
sub-second steps). ``extendedScopeParams`` values are strings; numbers and booleans given in JSON are
turned into the strings Kayenta's JSON mapper would make of them. Times without a zone are taken as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator


def _as_param_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise ValueError(f"extendedScopeParams values must be strings, got {value!r}")


ParamString = Annotated[str, BeforeValidator(_as_param_string)]


class CanaryScope(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    scope: str | None = None
    location: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    step: float = Field(default=60, gt=0)
    extended_scope_params: dict[str, ParamString] = Field(default_factory=dict, alias="extendedScopeParams")

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @property
    def project(self) -> str | None:
        """``extendedScopeParams.project`` (Kayenta's Prometheus scope factory reads it from there)."""
        return self.extended_scope_params.get("project")

    @property
    def resource_type(self) -> str | None:
        """``extendedScopeParams.resourceType``."""
        return self.extended_scope_params.get("resourceType")

    def start_millis(self) -> int | None:
        return None if self.start is None else int(self.start.timestamp() * 1000)

    def end_millis(self) -> int | None:
        return None if self.end is None else int(self.end.timestamp() * 1000)

    @property
    def step_millis(self) -> int:
        return round(self.step * 1000)

    def step_text(self) -> str:
        """The step as a request parameter: ``60`` for whole seconds, ``0.5`` otherwise."""
        return f"{self.step:g}" if self.step != int(self.step) else str(int(self.step))
