"""``ArtifactAccountService``: the server's artifact accounts, persisted, changeable at run time, and the
one ``fetch`` that stages call.

Who calls it: the server start-up (``apply_settings`` with the settings file's ``artifacts.accounts``), the
API (``put``/``remove``/``get``/``list``: artifact account CRUD), stages that read artifact content
(bakeManifest, deployManifest with ``source: artifact``: ``fetch`` / ``account_for``), the Helm trigger
(``account`` for a repository's index).

Persisted: each account is one row of the accounts table (``gennaker.store.accounts``) of kind
``artifacts``: ``type`` = the account type, ``settings`` = ``{"settings": {...}, "timeoutSeconds": ..,
"maxBytes": ..}``, the secrets encrypted. The built-in ``embedded-artifact`` account is never stored and
cannot be replaced or removed.

Invariants:
- a bad config (unknown type, unknown setting, a credential under settings...) raises
  ``AccountConfigError`` naming the account and the field, and changes nothing, stored or in memory;
- public views never contain a secret value (``**********`` in their place); a secret sent back as
  ``**********`` (a client editing the public view) keeps the stored value;
- accounts are cached as built ``ArtifactAccount`` objects; before each lookup the service compares the
  table's fingerprint (count, newest update) with the one it built from, so a change made by another
  server process is seen at the next fetch, and only changed accounts are rebuilt.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from gennaker.artifacts.accounts import BUILTIN_ACCOUNTS, DEFAULT_REGISTRY, REDACTED, AccountConfig
from gennaker.artifacts.accounts.base import ArtifactAccount
from gennaker.artifacts.accounts.registry import AccountSet, AccountTypeRegistry
from gennaker.artifacts.errors import AccountConfigError, AccountNotFoundError
from gennaker.model.artifacts import Artifact
from gennaker.model.validation import validation_problems
from gennaker.store import Database
from gennaker.store import accounts as account_repo
from gennaker.store.accounts import AccountRecord
from gennaker.store.secrets import SecretBox
from gennaker.store.settings import apply_settings_accounts

KIND = "artifacts"


def config_from_json(data: Mapping[str, Any], where: str = "artifact account") -> AccountConfig:
    """An ``AccountConfig`` from its JSON; ``AccountConfigError`` naming ``where`` and the field."""
    if not isinstance(data, Mapping):
        raise AccountConfigError(f"{where}: must be an object with name, type, settings and secrets")
    try:
        return AccountConfig.model_validate(dict(data))
    except ValidationError as exc:
        problems = validation_problems(exc)
        name = data.get("name")
        label = f"{where} {name!r}" if isinstance(name, str) else where
        raise AccountConfigError(f"{label} is invalid: {problems}") from None


def _to_record(config: AccountConfig, source: str) -> AccountRecord:
    return AccountRecord(
        kind=KIND,
        name=config.name,
        type=config.type,
        settings={
            "settings": dict(config.settings),
            "timeoutSeconds": config.timeout_seconds,
            "maxBytes": config.max_bytes,
        },
        secrets=config.secret_values(),
        source=source,
    )


def _from_record(record: AccountRecord) -> AccountConfig:
    stored = record.settings
    return AccountConfig.model_validate(
        {
            "name": record.name,
            "type": record.type,
            "settings": stored.get("settings") or {},
            "secrets": dict(record.secrets),
            "timeoutSeconds": stored.get("timeoutSeconds", 30),
            "maxBytes": stored.get("maxBytes", 100 * 1024 * 1024),
        }
    )


class ArtifactAccountService:
    """Artifact accounts backed by the accounts table. Thread-safe; one per process."""

    def __init__(
        self,
        db: Database,
        *,
        box: SecretBox | None = None,
        registry: AccountTypeRegistry = DEFAULT_REGISTRY,
    ) -> None:
        self._db = db
        self._box = box or SecretBox()
        self._registry = registry
        self._lock = threading.RLock()
        self._set = AccountSet(registry)
        for builtin in BUILTIN_ACCOUNTS:
            self._set.put(builtin)
        self._builtin = {c.name for c in BUILTIN_ACCOUNTS}
        self._records: dict[str, AccountRecord] = {}
        self._errors: dict[str, str] = {}
        self._fingerprint: tuple[int, int] | None = None

    # ------------------------------------------------------------ cache

    def refresh(self, *, force: bool = False) -> None:
        """Re-read the stored accounts if they changed (in this process or another)."""
        with self._db.read() as conn:
            fingerprint = account_repo.accounts_fingerprint(conn, KIND)
            if not force and fingerprint == self._fingerprint:
                return
            records = {r.name: r for r in account_repo.list_accounts(conn, self._box, KIND)}
        with self._lock:
            for name in set(self._records) - set(records):
                self._set.remove(name)
                self._errors.pop(name, None)
            for name, record in records.items():
                old = self._records.get(name)
                if old is not None and old.updated_ts == record.updated_ts:
                    continue
                try:
                    self._set.put(_from_record(record))
                    self._errors.pop(name, None)
                except (AccountConfigError, ValueError) as exc:
                    # A stored account that no longer validates (e.g. an account type was removed) is
                    # left out; ``list`` shows it with the problem, and using it raises the problem.
                    self._set.remove(name)
                    self._errors[name] = str(exc)
            self._records = records
            self._fingerprint = fingerprint

    # ------------------------------------------------------------ management (the API)

    def _validated(self, config: AccountConfig) -> AccountConfig:
        if config.name in self._builtin:
            raise AccountConfigError(f"artifact account '{config.name}' is built in and cannot be changed")
        account = self._registry.create(config)  # validates type, settings and secrets
        account.close()
        return config

    def _keep_redacted_secrets(self, config: AccountConfig) -> AccountConfig:
        redacted = [k for k, v in config.secrets.items() if v.get_secret_value() == REDACTED]
        if not redacted:
            return config
        with self._db.read() as conn:
            existing = account_repo.get_account(conn, self._box, KIND, config.name)
        kept = dict(config.secret_values())
        for key in redacted:
            if existing is None or key not in existing.secrets:
                raise AccountConfigError(
                    f"artifact account '{config.name}': secrets.{key} is '{REDACTED}' but no stored value "
                    "exists to keep; send the real value"
                )
            kept[key] = existing.secrets[key]
        data = config.model_dump(by_alias=True, exclude={"secrets"})
        data["secrets"] = kept
        return AccountConfig.model_validate(data)

    def put(self, config: Mapping[str, Any] | AccountConfig, *, principal: str) -> dict[str, Any]:
        """Create or replace an account (source ``api``); returns its public view."""
        parsed = config if isinstance(config, AccountConfig) else config_from_json(config)
        parsed = self._validated(self._keep_redacted_secrets(parsed))
        with self._db.write() as conn:
            account_repo.put_account(conn, self._box, _to_record(parsed, "api"), principal=principal)
        self.refresh(force=True)
        return self.get(parsed.name) or {}

    def remove(self, name: str, *, principal: str) -> bool:
        """Delete an account; False when there was none. Built-in accounts cannot be removed."""
        if name in self._builtin:
            raise AccountConfigError(f"artifact account '{name}' is built in and cannot be removed")
        with self._db.write() as conn:
            deleted = account_repo.delete_account(conn, KIND, name, principal=principal)
        self.refresh(force=True)
        return deleted

    def apply_settings(self, entries: Sequence[Mapping[str, Any]]) -> list[str]:
        """Make the settings-sourced accounts exactly ``entries`` (``load_settings().accounts("artifacts")``).
        Every entry is validated first: one bad entry applies nothing. Returns the names removed."""
        configs = []
        for i, entry in enumerate(entries):
            where = f"settings artifacts.accounts[{i}]"
            try:
                configs.append(self._validated(config_from_json(entry, where)))
            except AccountConfigError as exc:
                message = str(exc)
                raise AccountConfigError(message if where in message else f"{where}: {message}") from None
        with self._db.write() as conn:
            applied = apply_settings_accounts(
                conn, self._box, KIND, [_to_record(c, "settings") for c in configs]
            )
        self.refresh(force=True)
        return applied.removed

    def _public(self, record: AccountRecord) -> dict[str, Any]:
        view: dict[str, Any]
        try:
            config = _from_record(record)
            view = config.to_public_json()
            view["types"] = list(self._registry.get(config.type).artifact_types)
        except (AccountConfigError, ValueError) as exc:
            view = {"name": record.name, "type": record.type, "error": str(exc)}
        with self._lock:
            if record.name in self._errors:
                view["error"] = self._errors[record.name]
        view.update(source=record.source, updatedTs=record.updated_ts, updatedBy=record.updated_by)
        return view

    def get(self, name: str) -> dict[str, Any] | None:
        """The public view of one account (built-in ones included), or None."""
        self.refresh()
        with self._lock:
            record = self._records.get(name)
        if record is not None:
            return self._public(record)
        for builtin in BUILTIN_ACCOUNTS:
            if builtin.name == name:
                return {**self._set.get(name).to_public_json(), "source": "builtin"}
        return None

    def list_accounts(self) -> list[dict[str, Any]]:
        """Public views of every account, built-in first, then by name."""
        self.refresh()
        builtin = [{**self._set.get(c.name).to_public_json(), "source": "builtin"} for c in BUILTIN_ACCOUNTS]
        with self._lock:
            records = [self._records[n] for n in sorted(self._records)]
        return builtin + [self._public(r) for r in records]

    def types(self) -> list[dict[str, Any]]:
        """The account types that can be configured (for the API and UI)."""
        return [
            {
                "type": t.name,
                "artifactTypes": list(t.artifact_types),
                "secretKeys": sorted(t.secret_keys),
                "description": t.description,
            }
            for t in self._registry.types()
        ]

    # ------------------------------------------------------------ use (stages, triggers)

    def account(self, name: str) -> ArtifactAccount:
        """The built account called ``name``; ``AccountNotFoundError`` listing the configured ones."""
        self.refresh()
        try:
            return self._set.get(name)
        except AccountNotFoundError:
            with self._lock:
                problem = self._errors.get(name)
            if problem is None:
                raise
            raise AccountConfigError(f"artifact account '{name}' is stored but unusable: {problem}") from None

    def account_for(
        self, artifact: Artifact | Mapping[str, Any], account: str | None = None
    ) -> ArtifactAccount:
        """The account that fetches ``artifact``: ``account`` (a stage's ``...ArtifactAccount`` or an input
        artifact's ``account``), else ``artifact.artifactAccount``, else the only account serving its type."""
        self.refresh()
        parsed = artifact if isinstance(artifact, Artifact) else Artifact.model_validate(dict(artifact))
        return self._set.for_artifact(parsed, account)

    def fetch(self, artifact: Artifact | Mapping[str, Any], account: str | None = None) -> bytes:
        """The artifact's content. Raises ``ArtifactFetchError`` naming the artifact, the account and the
        server's answer, or ``AccountNotFoundError`` when no account can fetch it."""
        parsed = artifact if isinstance(artifact, Artifact) else Artifact.model_validate(dict(artifact))
        return self.account_for(parsed, account).fetch(parsed)

    def close(self) -> None:
        """Release every built account (clients, caches)."""
        self._set.close()


# ---------------------------------------------------------------- the process's service

_default_lock = threading.Lock()
_installed: dict[str, ArtifactAccountService] = {}
_by_url: dict[str, ArtifactAccountService] = {}


def install_default_service(service: ArtifactAccountService | None) -> None:
    """Make ``service`` the one stages of this process use (a server may install the service it built at
    start; None forgets it)."""
    with _default_lock:
        _installed.clear()
        if service is not None:
            _installed["service"] = service


def default_service(db: Database | None = None) -> ArtifactAccountService:
    """The installed service; else the one for ``db``'s URL (stages pass the engine's database, so a worker
    process on any database finds its accounts); else one on the default database
    (``GENNAKER_DATABASE_URL`` or the SQLite file under ``GENNAKER_HOME``). Created on first use."""
    with _default_lock:
        if "service" in _installed:
            return _installed["service"]
        database = db if db is not None else Database()
        service = _by_url.get(database.url)
        if service is None:
            service = _by_url[database.url] = ArtifactAccountService(database)
        return service
