"""Shared Pydantic base for Spinnaker-shaped JSON documents.

Spinnaker's JSON is camelCase and open-ended: every document keeps keys it does not know and returns
them unchanged (Front50 stores them in an "any" map). ``SpinnakerModel`` does the same: snake_case
attributes with camelCase aliases, ``extra="allow"``, and ``to_json()`` dumps only what was given (or
set) so a document round-trips byte-for-byte in meaning.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class SpinnakerModel(BaseModel):
    """Base of every Spinnaker JSON document: camelCase aliases, unknown keys kept."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        validate_assignment=False,
    )

    def to_json(self) -> dict[str, Any]:
        """The document as Spinnaker JSON: aliases, unknown keys as given, unset defaults left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
