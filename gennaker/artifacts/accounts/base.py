"""What an artifact account is: the ``ArtifactAccount`` interface and the ``AccountType`` registry entry.

Who calls it: each account type module (``http_file``, ``github``, ... ) subclasses ``ArtifactAccount`` and
declares one ``AccountType``; the registry (``gennaker.artifacts.accounts.registry``) builds accounts from
``AccountConfig`` through it; stages call ``ArtifactAccount.fetch`` (and ``GitRepoAccount.checkout``).

Invariants:
- an account only fetches the artifact types its type declares; anything else is refused with a message
  naming the artifact, the account and the types it serves;
- settings are validated by the type's pydantic ``settings_model`` (unknown keys are errors, so a typo
  never silently disables a setting); secrets are limited to the type's ``secret_keys``;
- ``fetch`` returns the artifact's bytes, within the account's timeout and size limit, or raises
  ``ArtifactFetchError``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from gennaker.artifacts.accounts.config import AccountConfig
from gennaker.artifacts.errors import ArtifactFetchError
from gennaker.artifacts.transport import FetchLimits
from gennaker.model.artifacts import Artifact


class AccountSettings(BaseModel):
    """Base of every type's settings model: camelCase keys, unknown keys refused, immutable."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


SettingsT = TypeVar("SettingsT", bound=AccountSettings)


class ArtifactAccount(ABC, Generic[SettingsT]):
    """A configured account that can fetch the content of some artifact types."""

    #: The artifact types this account can fetch (set by each subclass).
    artifact_types: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: AccountConfig, settings: SettingsT) -> None:
        self.config = config
        self.settings = settings

    @property
    def name(self) -> str:
        """The account's name, as artifacts refer to it in ``artifactAccount``."""
        return self.config.name

    @property
    def limits(self) -> FetchLimits:
        """Timeout and size limit applied to every fetch of this account."""
        return self.config.limits

    def serves(self, artifact_type: str | None) -> bool:
        """Whether this account can fetch artifacts of ``artifact_type``."""
        return artifact_type in self.artifact_types

    def fetch(self, artifact: Artifact) -> bytes:
        """The artifact's content. Raises ``ArtifactFetchError`` naming the artifact and this account."""
        if not self.serves(artifact.type):
            raise ArtifactFetchError(
                artifact,
                self.name,
                f"account type '{self.config.type}' fetches only {', '.join(self.artifact_types)}, "
                f"not {artifact.type!r}",
            )
        return self._fetch(artifact)

    @abstractmethod
    def _fetch(self, artifact: Artifact) -> bytes:
        """Fetch an artifact whose type this account serves."""

    def to_public_json(self) -> dict[str, Any]:
        """The account as the API shows it (Spinnaker's ``/artifacts/credentials`` plus our config)."""
        return {**self.config.to_public_json(), "types": list(self.artifact_types)}

    def close(self) -> None:
        """Release what the account holds (clients, caches). Safe to call twice."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} types={list(self.artifact_types)}>"


AccountFactory = Callable[[AccountConfig, Any], ArtifactAccount]


@dataclass(frozen=True)
class AccountType:
    """One kind of artifact account, as registered: what it serves and how to build it."""

    #: The account type name used in ``AccountConfig.type`` (Spinnaker's settings section: "github").
    name: str
    #: The artifact types accounts of this type fetch ("github/file").
    artifact_types: tuple[str, ...]
    #: Validates ``AccountConfig.settings``.
    settings_model: type[AccountSettings]
    #: Builds the account from a config and its validated settings.
    factory: AccountFactory
    #: Secret keys this type accepts under ``AccountConfig.secrets``.
    secret_keys: frozenset[str] = field(default_factory=frozenset)
    #: One line for documentation and the API.
    description: str = ""
