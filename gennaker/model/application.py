"""Applications (Front50's ``Application``): the unit that owns pipelines and executions.

Who uses it: the engine facade (save/get/list/delete) and the API (native ``POST /applications`` and
Gate's ``createApplication`` task). Unknown keys are kept and returned unchanged.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from gennaker.model.base import SpinnakerModel

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class Application(SpinnakerModel):
    """An application. ``name`` is compared case-insensitively and stored lower-case."""

    name: str
    email: str | None = None
    description: str | None = None
    cloud_providers: str | list[str] | None = None
    permissions: dict[str, list[str]] | None = None
    created_by: str | None = Field(default=None, alias="createdBy")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError(
                "must start with a letter or digit and contain only letters, digits, '-' and '_'"
            )
        return v.lower()
