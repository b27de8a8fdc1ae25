"""Docker registry accounts (kind ``dockerRegistry``): what the docker trigger polls, persisted in the one
accounts table with the password encrypted.

Who calls it: the API (CRUD), the server start-up (``apply_settings`` with the settings file's
``dockerRegistry.accounts``) and the trigger runtime's docker pollers (``client(name)``).

Account JSON (Clouddriver's ``dockerRegistry`` account fields)::

    {"name": "ghcr", "address": "https://ghcr.io", "username": "ci-bot", "password": "...",
     "email": "ci@acme.io", "repositories": ["acme/web"], "trackDigests": false, "timeoutSeconds": 10}

``address`` is an ``http(s)://`` URL or a bare host (https). ``trackDigests`` makes a tag pushed again with
another image fire again. Stored as: ``type`` ``dockerRegistry``, ``settings`` = the fields above without
the password, ``secrets`` = ``{"password": ...}``. Public views show ``password: "**********"`` when one is
set; a change that sends ``**********`` back keeps the stored password. Bad input raises
``RegistryAccountError`` naming the account and the field, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from gennaker.model.validation import validation_problems
from gennaker.store import Database
from gennaker.store import accounts as account_repo
from gennaker.store.accounts import AccountRecord
from gennaker.store.secrets import SecretBox
from gennaker.store.settings import apply_settings_accounts
from gennaker.triggers.docker.client import RegistryClient

KIND = "dockerRegistry"
REDACTED = "**********"


class RegistryAccountError(ValueError):
    """A docker registry account is invalid or unknown; the message names it and the field."""


class DockerRegistryConfig(BaseModel):
    """One Docker registry account."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
    address: str
    username: str | None = None
    password: SecretStr | None = None
    email: str | None = None
    repositories: list[str] = Field(default_factory=list)
    track_digests: bool = Field(default=False, alias="trackDigests")
    timeout_seconds: float = Field(default=10.0, gt=0, le=300, alias="timeoutSeconds")

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        parts = urlsplit(value if "://" in value else f"https://{value}")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"address {value!r} must be an http:// or https:// URL or a host")
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def registry(self) -> str:
        """The registry's host (and port), as image names carry it: ``ghcr.io``, ``127.0.0.1:5000``."""
        return urlsplit(self.address).netloc

    def public_json(self) -> dict[str, Any]:
        data = self.model_dump(by_alias=True, exclude={"password"}, exclude_none=True)
        if self.password is not None:
            data["password"] = REDACTED
        return data


def parse_config(data: Mapping[str, Any], where: str = "docker registry account") -> DockerRegistryConfig:
    """A config from JSON; ``RegistryAccountError`` naming the place and the field."""
    if not isinstance(data, Mapping):
        raise RegistryAccountError(f"{where} must be an object with name and address")
    try:
        return DockerRegistryConfig.model_validate(dict(data))
    except ValidationError as exc:
        problems = validation_problems(exc)
        name = data.get("name")
        label = f"{where} {name!r}" if isinstance(name, str) else where
        raise RegistryAccountError(f"{label} is invalid: {problems}") from None


def _record(config: DockerRegistryConfig, source: str) -> AccountRecord:
    settings = config.model_dump(by_alias=True, exclude={"name", "password"}, exclude_none=True)
    secrets = {"password": config.password.get_secret_value()} if config.password is not None else {}
    return AccountRecord(
        kind=KIND, name=config.name, type=KIND, settings=settings, secrets=secrets, source=source
    )


def config_from_record(record: AccountRecord) -> DockerRegistryConfig:
    """The account a stored row describes (password included)."""
    return DockerRegistryConfig.model_validate(
        {
            "name": record.name,
            **record.settings,
            **({"password": record.secrets["password"]} if "password" in record.secrets else {}),
        }
    )


class DockerRegistryAccounts:
    """Docker registry accounts backed by the accounts table."""

    def __init__(self, db: Database, *, box: SecretBox | None = None) -> None:
        self._db = db
        self._box = box or SecretBox()

    def _keep_password(self, config: DockerRegistryConfig) -> DockerRegistryConfig:
        if config.password is None or config.password.get_secret_value() != REDACTED:
            return config
        with self._db.read() as conn:
            existing = account_repo.get_account(conn, self._box, KIND, config.name)
        if existing is None or "password" not in existing.secrets:
            raise RegistryAccountError(
                f"docker registry account {config.name!r}: password is '{REDACTED}' but no stored password "
                "exists to keep; send the real value"
            )
        return config.model_copy(update={"password": SecretStr(existing.secrets["password"])})

    def put(self, config: Mapping[str, Any], *, principal: str) -> dict[str, Any]:
        """Create or replace an account; returns its public view."""
        parsed = self._keep_password(parse_config(config))
        with self._db.write() as conn:
            account_repo.put_account(conn, self._box, _record(parsed, "api"), principal=principal)
        return self.get(parsed.name) or {}

    def remove(self, name: str, *, principal: str) -> bool:
        with self._db.write() as conn:
            return account_repo.delete_account(conn, KIND, name, principal=principal)

    def apply_settings(self, entries: Sequence[Mapping[str, Any]]) -> list[str]:
        """Make the settings-sourced accounts exactly ``entries`` (all validated first)."""
        configs = [parse_config(e, f"settings dockerRegistry.accounts[{i}]") for i, e in enumerate(entries)]
        with self._db.write() as conn:
            applied = apply_settings_accounts(
                conn, self._box, KIND, [_record(c, "settings") for c in configs]
            )
        return applied.removed

    def records(self) -> list[AccountRecord]:
        with self._db.read() as conn:
            return account_repo.list_accounts(conn, self._box, KIND)

    def get(self, name: str) -> dict[str, Any] | None:
        with self._db.read() as conn:
            record = account_repo.get_account(conn, self._box, KIND, name)
        if record is None:
            return None
        return {
            **config_from_record(record).public_json(),
            "source": record.source,
            "updatedTs": record.updated_ts,
        }

    def list_accounts(self) -> list[dict[str, Any]]:
        return [
            {**config_from_record(r).public_json(), "source": r.source, "updatedTs": r.updated_ts}
            for r in self.records()
        ]

    def config(self, name: str) -> DockerRegistryConfig:
        """The account with its password; ``RegistryAccountError`` when there is none."""
        with self._db.read() as conn:
            record = account_repo.get_account(conn, self._box, KIND, name)
        if record is None:
            raise RegistryAccountError(f"no docker registry account named {name!r}")
        return config_from_record(record)

    def fingerprint(self) -> tuple[int, int]:
        with self._db.read() as conn:
            return account_repo.accounts_fingerprint(conn, KIND)


def client_for(config: DockerRegistryConfig) -> RegistryClient:
    """A registry client with the account's credentials."""
    return RegistryClient(
        config.address,
        username=config.username,
        password=config.password.get_secret_value() if config.password is not None else None,
        timeout=config.timeout_seconds,
    )
