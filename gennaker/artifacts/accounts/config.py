"""The configuration of one artifact account, the same small model for every account type.

Who calls it: whoever configures accounts (a settings file, the API, the store when it loads them) builds
an ``AccountConfig`` and hands it to ``AccountTypeRegistry.create`` (``gennaker.artifacts.accounts``),
which validates the type-specific part and returns a ready ``ArtifactAccount``.

Format (JSON, camelCase like Spinnaker's settings)::

    {"name": "github-main", "type": "github",
     "settings": {"baseUrl": "https://api.github.com"},     # type-specific, never secret
     "secrets": {"token": "ghp_..."},                        # type-specific credentials
     "timeoutSeconds": 30, "maxBytes": 104857600}

Invariants:
- secrets are held as ``pydantic.SecretStr``: ``repr``/``str`` of the config, ``model_dump(mode="json")``
  and ``to_public_json()`` show ``**********`` in their place; only ``secret()`` and ``secret_values()``
  reveal them (the account uses the first; the store encrypts the second);
- a known secret key put under ``settings`` by mistake is refused (it would otherwise be shown publicly);
- the config is immutable: change an account by building a new config.
What it persists: nothing itself. The store (later) keeps ``to_public_json()`` plus the encrypted
``secret_values()``, and rebuilds the config with ``AccountConfig.model_validate``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from gennaker.artifacts.transport import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_SECONDS, FetchLimits

REDACTED = "**********"
ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class AccountConfig(BaseModel):
    """One configured artifact account: a name, an account type, its settings and its secrets."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str
    type: str
    settings: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, SecretStr] = Field(default_factory=dict)
    timeout_seconds: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0, le=3600, alias="timeoutSeconds")
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, gt=0, alias="maxBytes")

    @field_validator("name")
    @classmethod
    def _name_is_simple(cls, value: str) -> str:
        if not ACCOUNT_NAME.match(value):
            raise ValueError(
                f"account name {value!r} must start with a letter or digit and contain only letters, "
                "digits, '.', '_' and '-' (at most 128 characters)"
            )
        return value

    @field_validator("secrets")
    @classmethod
    def _no_empty_secrets(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        return {k: v for k, v in value.items() if v.get_secret_value() != ""}

    @property
    def limits(self) -> FetchLimits:
        """The per-fetch timeout and size limit of this account."""
        return FetchLimits(timeout_seconds=self.timeout_seconds, max_bytes=self.max_bytes)

    def secret(self, key: str) -> str | None:
        """The revealed value of one secret, or None. For the account's own use only."""
        value = self.secrets.get(key)
        return value.get_secret_value() if value is not None else None

    def secret_values(self) -> dict[str, str]:
        """All secrets revealed, for the store to encrypt. Never log or return this."""
        return {k: v.get_secret_value() for k, v in self.secrets.items()}

    def to_public_json(self) -> dict[str, Any]:
        """The config as the API may show it: secrets present are listed, their values redacted."""
        return {
            "name": self.name,
            "type": self.type,
            "settings": dict(self.settings),
            "secrets": {k: REDACTED for k in sorted(self.secrets)},
            "timeoutSeconds": self.timeout_seconds,
            "maxBytes": self.max_bytes,
        }

    def redacted(self) -> dict[str, Any]:
        """Alias of ``to_public_json``: the view safe to log, return or put in an error."""
        return self.to_public_json()
