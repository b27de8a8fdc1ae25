"""The one typed registry of artifact account types, and the set of configured accounts.

Who calls it: ``gennaker.artifacts.accounts`` registers the built-in types at import; a plugin registers its
own the same way (``DEFAULT_REGISTRY.register(MY_TYPE)``). The integrator (server start-up, API) builds
accounts with ``create(config)`` and keeps them in an ``AccountSet``; stages find the account for an
artifact with ``AccountSet.for_artifact`` and call ``fetch``.

Invariants:
- an account type name is registered once, and each artifact type is served by exactly one account type
  (so "which type fetches ``github/file``?" has one answer);
- ``create`` never returns a half-validated account: settings and secrets are checked first, and a bad one
  raises ``AccountConfigError`` naming the account and the field;
- ``AccountSet`` lookups never guess between two accounts: an artifact without ``artifactAccount`` is
  fetched by the only account serving its type, or the lookup fails naming the candidates.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from pydantic import ValidationError

from gennaker.artifacts.accounts.base import AccountType, ArtifactAccount
from gennaker.artifacts.accounts.config import AccountConfig
from gennaker.artifacts.errors import (
    AccountConfigError,
    AccountNotFoundError,
    UnknownAccountTypeError,
)
from gennaker.model.artifacts import Artifact
from gennaker.model.validation import validation_problems


class AccountTypeRegistry:
    """Account types by name and by the artifact types they serve."""

    def __init__(self) -> None:
        self._by_name: dict[str, AccountType] = {}
        self._by_artifact_type: dict[str, AccountType] = {}

    def register(self, account_type: AccountType) -> AccountType:
        """Add an account type. Raises ``ValueError`` if its name or an artifact type is already taken."""
        if account_type.name in self._by_name:
            raise ValueError(f"artifact account type {account_type.name!r} is already registered")
        for artifact_type in account_type.artifact_types:
            owner = self._by_artifact_type.get(artifact_type)
            if owner is not None:
                raise ValueError(
                    f"artifact type {artifact_type!r} is already served by account type {owner.name!r}"
                )
        self._by_name[account_type.name] = account_type
        for artifact_type in account_type.artifact_types:
            self._by_artifact_type[artifact_type] = account_type
        return account_type

    def get(self, name: str) -> AccountType:
        """The account type called ``name``; raises ``UnknownAccountTypeError`` listing the known ones."""
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownAccountTypeError(
                f"unknown artifact account type {name!r}; known types: {', '.join(sorted(self._by_name))}"
            ) from None

    def for_artifact_type(self, artifact_type: str) -> AccountType:
        """The account type that fetches artifacts of ``artifact_type`` ("github/file" -> github)."""
        try:
            return self._by_artifact_type[artifact_type]
        except KeyError:
            raise UnknownAccountTypeError(
                f"no artifact account type fetches artifacts of type {artifact_type!r}; fetchable types: "
                f"{', '.join(sorted(self._by_artifact_type))}"
            ) from None

    def types(self) -> list[AccountType]:
        """Every registered account type, by name."""
        return [self._by_name[n] for n in sorted(self._by_name)]

    def artifact_types(self) -> list[str]:
        """Every artifact type some registered account type can fetch."""
        return sorted(self._by_artifact_type)

    def create(self, config: AccountConfig) -> ArtifactAccount:
        """Validate ``config`` against its account type and build the account."""
        account_type = self.get(config.type)
        settings_fields = account_type.settings_model.model_fields
        aliases = {f.alias or n for n, f in settings_fields.items()} | set(settings_fields)
        for key in config.settings:
            if key in account_type.secret_keys and key not in aliases:
                raise AccountConfigError(
                    f"artifact account '{config.name}' (type {config.type}): '{key}' is a credential, "
                    "put it under 'secrets', not 'settings'"
                )
        unknown_secrets = sorted(set(config.secrets) - account_type.secret_keys)
        if unknown_secrets:
            allowed = ", ".join(sorted(account_type.secret_keys)) or "none"
            raise AccountConfigError(
                f"artifact account '{config.name}' (type {config.type}): unknown secret(s) "
                f"{', '.join(unknown_secrets)}; this type accepts: {allowed}"
            )
        try:
            settings = account_type.settings_model.model_validate(config.settings)
        except ValidationError as exc:
            problems = validation_problems(exc, "settings.")
            raise AccountConfigError(
                f"artifact account '{config.name}' (type {config.type}) is misconfigured: {problems}"
            ) from None
        try:
            return account_type.factory(config, settings)
        except AccountConfigError:
            raise
        except ValueError as exc:
            raise AccountConfigError(
                f"artifact account '{config.name}' (type {config.type}) is misconfigured: {exc}"
            ) from None


class AccountSet:
    """The configured artifact accounts of a server, by name; safe to change while in use."""

    def __init__(self, registry: AccountTypeRegistry, accounts: Iterable[ArtifactAccount] = ()) -> None:
        self._registry = registry
        self._lock = threading.Lock()
        self._accounts: dict[str, ArtifactAccount] = {}
        for account in accounts:
            self._accounts[account.name] = account

    def put(self, config: AccountConfig) -> ArtifactAccount:
        """Create (or replace) the account ``config.name``. A bad config leaves the set unchanged."""
        account = self._registry.create(config)
        with self._lock:
            old = self._accounts.get(config.name)
            self._accounts[config.name] = account
        if old is not None:
            old.close()
        return account

    def remove(self, name: str) -> None:
        """Forget an account; unknown names are ignored."""
        with self._lock:
            old = self._accounts.pop(name, None)
        if old is not None:
            old.close()

    def get(self, name: str) -> ArtifactAccount:
        """The account called ``name``; raises ``AccountNotFoundError`` listing the configured ones."""
        with self._lock:
            account = self._accounts.get(name)
            names = sorted(self._accounts)
        if account is None:
            raise AccountNotFoundError(
                f"no artifact account named '{name}'; configured accounts: {', '.join(names) or 'none'}"
            )
        return account

    def __iter__(self) -> Iterator[ArtifactAccount]:
        with self._lock:
            return iter(list(self._accounts.values()))

    def for_artifact(self, artifact: Artifact, account: str | None = None) -> ArtifactAccount:
        """The account that fetches ``artifact``.

        ``account`` (e.g. a stage's ``manifestArtifactAccount``) wins over ``artifact.artifactAccount``; with
        neither, the only account serving the artifact's type is used.
        """
        wanted = account or artifact.artifact_account
        if wanted:
            found = self.get(wanted)
            if not found.serves(artifact.type):
                raise AccountNotFoundError(
                    f"artifact account '{wanted}' (type {found.config.type}) cannot fetch "
                    f"{artifact.describe()}: it fetches only {', '.join(found.artifact_types)}"
                )
            return found
        candidates = [a for a in self if a.serves(artifact.type)]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise AccountNotFoundError(
                f"no configured artifact account fetches {artifact.describe()} (type {artifact.type!r})"
            )
        names = ", ".join(sorted(a.name for a in candidates))
        raise AccountNotFoundError(
            f"{artifact.describe()} names no artifactAccount and several accounts fetch type "
            f"{artifact.type!r} ({names}); set artifactAccount"
        )

    def fetch(self, artifact: Artifact, account: str | None = None) -> bytes:
        """Fetch ``artifact`` through the account ``for_artifact`` picks."""
        return self.for_artifact(artifact, account).fetch(artifact)

    def close(self) -> None:
        """Close every account."""
        with self._lock:
            accounts = list(self._accounts.values())
            self._accounts.clear()
        for account in accounts:
            account.close()
