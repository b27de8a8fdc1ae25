"""Metrics accounts: where a metric source fetches from, with which credentials.

Who uses it: the HTTP adapter (:mod:`gennaker.canary.transport`) to find an account's base URL and
authentication, the ``kayentaCanary`` stage to resolve ``metricsAccountName``, and the API (through
:class:`~gennaker.canary.service.CanaryService`) to list accounts — always through :meth:`to_public_json`.

Format (JSON or YAML, the same shape as artifact accounts)::

    {"name": "prom", "type": "prometheus",
     "settings": {"baseUrl": "http://127.0.0.1:9090", "scopeLabel": "instance"},
     "secrets": {"bearerToken": "..."},
     "timeoutSeconds": 30}

Account types (``type`` is the metric source type the account serves, as in Kayenta where an account
belongs to one metrics service):

* ``prometheus``: settings ``baseUrl`` (required), ``scopeLabel`` (``instance``), ``username``; secrets
  ``password`` (basic auth) or ``bearerToken``;
* ``datadog``: settings ``baseUrl`` (``https://api.datadoghq.com``); secrets ``apiKey`` and
  ``applicationKey`` (both required);
* ``http``: settings ``baseUrl`` (required), ``username``, ``headers`` (non-secret); secrets ``password``,
  ``bearerToken``;
* ``sandbox``: settings ``baseUrl`` (required: the exposition endpoint), ``scopeLabel``,
  ``scrapeIntervalSeconds`` (1), ``retentionSeconds`` (3600); no secrets.

Invariants: secrets are ``SecretStr`` (``repr``, ``str``, ``model_dump`` and :meth:`to_public_json` show
``**********``); a secret key put under ``settings`` is refused; unknown settings or secrets are errors naming
the account and the key; configs are immutable. Nothing here is persisted: accounts come from the file
(:func:`load_metrics_accounts`) or are put by the process; the stored ones (API, settings file) are kept in
this set by :class:`~gennaker.canary.account_service.MetricsAccountService`, which installs itself as the
set's refresher so every lookup sees changes made by any server process.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from gennaker.canary.errors import MetricsAccountError

REDACTED = "**********"
ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
#: Environment variable naming a JSON or YAML file with a list of metrics accounts.
ACCOUNTS_FILE_ENV = "GENNAKER_METRICS_ACCOUNTS"


class MetricsAccountConfig(BaseModel):
    """One metrics account: name, type (the metric source it serves), settings and secrets."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str
    type: str
    settings: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, SecretStr] = Field(default_factory=dict)
    timeout_seconds: float = Field(default=30.0, gt=0, le=600, alias="timeoutSeconds")

    @field_validator("name")
    @classmethod
    def _simple_name(cls, value: str) -> str:
        if not ACCOUNT_NAME.match(value):
            raise ValueError(
                f"account name {value!r} must start with a letter or digit and contain only letters, "
                "digits, '.', '_' and '-' (at most 128 characters)"
            )
        return value

    def secret(self, key: str) -> str | None:
        """One secret, revealed, for the adapter's own use. Never log or return it."""
        value = self.secrets.get(key)
        return value.get_secret_value() if value is not None else None

    def setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    @property
    def base_url(self) -> str:
        return str(self.settings.get("baseUrl") or "").rstrip("/")

    def to_public_json(self) -> dict[str, Any]:
        """What the API may show: settings, and which secrets are set (values redacted)."""
        return {
            "name": self.name,
            "type": self.type,
            "settings": dict(self.settings),
            "secrets": {k: REDACTED for k in sorted(self.secrets)},
            "timeoutSeconds": self.timeout_seconds,
            "supportedTypes": ["METRICS_STORE"],
        }


@dataclass(frozen=True)
class MetricsAccountType:
    """What settings and secrets one account type takes, and how its requests are authenticated."""

    name: str
    settings: frozenset[str]
    secrets: frozenset[str] = frozenset()
    required_settings: frozenset[str] = frozenset()
    required_secrets: frozenset[str] = frozenset()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    #: Extra request headers carrying credentials (e.g. Datadog's key headers).
    auth_headers: Callable[[MetricsAccountConfig], dict[str, str]] | None = None


def _basic_or_bearer(config: MetricsAccountConfig) -> dict[str, str]:
    import base64

    token = config.secret("bearerToken")
    if token:
        return {"Authorization": f"Bearer {token}"}
    password = config.secret("password")
    username = config.setting("username")
    if username or password:
        raw = f"{username or ''}:{password or ''}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
    return {}


def _datadog_headers(config: MetricsAccountConfig) -> dict[str, str]:
    return {
        "DD-API-KEY": config.secret("apiKey") or "",
        "DD-APPLICATION-KEY": config.secret("applicationKey") or "",
    }


_ACCOUNT_TYPES: dict[str, MetricsAccountType] = {}


def register_account_type(account_type: MetricsAccountType) -> MetricsAccountType:
    """Make ``account_type`` known (a new metric source registers its account type this way)."""
    _ACCOUNT_TYPES[account_type.name] = account_type
    return account_type


def account_type_for(name: str) -> MetricsAccountType:
    found = _ACCOUNT_TYPES.get(name)
    if found is None:
        known = ", ".join(sorted(_ACCOUNT_TYPES))
        raise MetricsAccountError(f"unknown metrics account type {name!r} (known: {known})")
    return found


register_account_type(
    MetricsAccountType(
        name="prometheus",
        settings=frozenset({"baseUrl", "scopeLabel", "username"}),
        secrets=frozenset({"password", "bearerToken"}),
        required_settings=frozenset({"baseUrl"}),
        auth_headers=_basic_or_bearer,
    )
)
register_account_type(
    MetricsAccountType(
        name="datadog",
        settings=frozenset({"baseUrl"}),
        secrets=frozenset({"apiKey", "applicationKey"}),
        required_secrets=frozenset({"apiKey", "applicationKey"}),
        defaults={"baseUrl": "https://api.datadoghq.com"},
        auth_headers=_datadog_headers,
    )
)
register_account_type(
    MetricsAccountType(
        name="http",
        settings=frozenset({"baseUrl", "username", "headers"}),
        secrets=frozenset({"password", "bearerToken"}),
        required_settings=frozenset({"baseUrl"}),
        auth_headers=_basic_or_bearer,
    )
)
register_account_type(
    MetricsAccountType(
        name="sandbox",
        settings=frozenset({"baseUrl", "scopeLabel", "scrapeIntervalSeconds", "retentionSeconds"}),
        required_settings=frozenset({"baseUrl"}),
    )
)


def parse_metrics_account(raw: Mapping[str, Any] | MetricsAccountConfig) -> MetricsAccountConfig:
    """Validate one account (generic shape, then its type's settings and secrets). Errors name the account
    and the key, never a secret's value."""
    if isinstance(raw, MetricsAccountConfig):
        config = raw
    else:
        name = raw.get("name") if isinstance(raw, Mapping) else None
        try:
            config = MetricsAccountConfig.model_validate(raw)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(account)'}: {e['msg']}"
                for e in error.errors(include_input=False)
            )
            raise MetricsAccountError(f"metrics account {name!r}: {problems}") from None
    kind = account_type_for(config.type)
    where = f"metrics account {config.name!r} ({config.type})"
    misplaced = sorted(set(config.settings) & kind.secrets)
    if misplaced:
        raise MetricsAccountError(f"{where}: {', '.join(misplaced)} must be under 'secrets', not 'settings'")
    unknown = sorted(set(config.settings) - kind.settings)
    if unknown:
        raise MetricsAccountError(
            f"{where}: unknown settings {', '.join(unknown)} (known: {', '.join(sorted(kind.settings))})"
        )
    unknown_secrets = sorted(set(config.secrets) - kind.secrets)
    if unknown_secrets:
        raise MetricsAccountError(
            f"{where}: unknown secrets {', '.join(unknown_secrets)} "
            f"(known: {', '.join(sorted(kind.secrets)) or 'none'})"
        )
    settings = {**kind.defaults, **config.settings}
    missing = sorted(k for k in kind.required_settings if not settings.get(k))
    if missing:
        raise MetricsAccountError(f"{where}: settings.{missing[0]} is required")
    missing_secrets = sorted(k for k in kind.required_secrets if not config.secret(k))
    if missing_secrets:
        raise MetricsAccountError(f"{where}: secrets.{missing_secrets[0]} is required")
    base_url = str(settings.get("baseUrl", ""))
    if base_url and not base_url.startswith(("http://", "https://")):
        raise MetricsAccountError(f"{where}: settings.baseUrl must be an http:// or https:// URL")
    if settings != config.settings:
        config = config.model_copy(update={"settings": settings})
    return config


class MetricsAccountSet:
    """The configured metrics accounts of a process, by name (thread-safe)."""

    def __init__(self, accounts: Iterable[Mapping[str, Any] | MetricsAccountConfig] = ()) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, MetricsAccountConfig] = {}
        self._refresher: Callable[[], None] | None = None
        for raw in accounts:
            self.put(raw)

    def set_refresher(self, refresher: Callable[[], None] | None) -> None:
        """Call ``refresher`` before every lookup (``get``, ``resolve``): the stored accounts' service uses it
        to bring this set up to date with the accounts table."""
        self._refresher = refresher

    def _refresh(self) -> None:
        if self._refresher is not None:
            self._refresher()

    def put(self, raw: Mapping[str, Any] | MetricsAccountConfig) -> MetricsAccountConfig:
        """Add or replace an account (validated first: a bad config changes nothing)."""
        config = parse_metrics_account(raw)
        with self._lock:
            self._accounts[config.name] = config
        return config

    def remove(self, name: str) -> bool:
        with self._lock:
            return self._accounts.pop(name, None) is not None

    def get(self, name: str) -> MetricsAccountConfig:
        self._refresh()
        return self._lookup(name)

    def _lookup(self, name: str) -> MetricsAccountConfig:
        with self._lock:
            found = self._accounts.get(name)
            known = sorted(self._accounts)
        if found is None:
            raise MetricsAccountError(
                f"unknown metrics account {name!r} (configured: {', '.join(known) or 'none'})"
            )
        return found

    def resolve(self, name: str | None, query_type: str) -> MetricsAccountConfig:
        """The account named ``name`` (which must serve ``query_type``), or — as Kayenta does when no name is
        given — the only account serving ``query_type``."""
        self._refresh()
        if name:
            account = self._lookup(name)
            if account.type != query_type:
                raise MetricsAccountError(
                    f"metrics account {name!r} is a {account.type} account; "
                    f"it cannot run {query_type} queries"
                )
            return account
        with self._lock:
            candidates = [a for a in self._accounts.values() if a.type == query_type]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise MetricsAccountError(f"no metrics account serves {query_type} queries; configure one")
        names = ", ".join(sorted(a.name for a in candidates))
        raise MetricsAccountError(
            f"several metrics accounts serve {query_type} queries ({names}): set metricsAccountName"
        )

    def names(self) -> list[str]:
        """The names of the accounts held now (no refresh)."""
        with self._lock:
            return sorted(self._accounts)

    def __iter__(self) -> Iterator[MetricsAccountConfig]:
        with self._lock:
            return iter(sorted(self._accounts.values(), key=lambda a: a.name))

    def public(self) -> list[dict[str, Any]]:
        """Every account as the API may show it (secrets redacted)."""
        return [a.to_public_json() for a in self]


def load_metrics_accounts(path: str | os.PathLike[str] | None = None) -> MetricsAccountSet:
    """Accounts from a JSON or YAML file holding a list (or ``{"accounts": [...]}``); ``path`` defaults to
    ``$GENNAKER_METRICS_ACCOUNTS``. No file configured gives an empty set."""
    where = path if path is not None else os.environ.get(ACCOUNTS_FILE_ENV)
    if not where:
        return MetricsAccountSet()
    text = Path(where).read_text()
    import yaml

    try:
        document = yaml.safe_load(text) if str(where).endswith((".yaml", ".yml")) else json.loads(text)
    except (ValueError, yaml.YAMLError) as error:
        raise MetricsAccountError(f"metrics accounts file {where}: cannot be parsed ({error})") from None
    if isinstance(document, dict):
        document = document.get("accounts")
    if not isinstance(document, list):
        raise MetricsAccountError(f"metrics accounts file {where}: expected a list of accounts")
    return MetricsAccountSet(document)
