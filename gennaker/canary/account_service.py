"""``MetricsAccountService``: the server's metrics accounts, persisted, changeable at run time, and kept in
the :class:`~gennaker.canary.accounts.MetricsAccountSet` that metric sources and the ``kayentaCanary`` stage
read.

Who calls it: :class:`~gennaker.canary.service.CanaryService` builds one over its environment's account
set; the server start-up calls :meth:`apply_settings` (the settings file's ``canary.accounts``) and
:meth:`add_fixed` (the embedded sandbox); the API calls ``put``/``remove``/``get``/``list_accounts``.

Where accounts come from (``source`` in the public view):

* ``api`` and ``settings``: rows of the accounts table (``gennaker.store.accounts``) of kind ``metrics``:
  ``type`` = the account type, ``settings`` = ``{"settings": {...}, "timeoutSeconds": ..}``, the secrets
  encrypted with the store's ``SecretBox``. Settings-file accounts are re-applied at every start;
* ``file`` (``GENNAKER_METRICS_ACCOUNTS``, already in the set when the service is built) and ``embedded``
  (the sandbox's metrics): held in memory only, read-only through the API.

Invariants (those of ``ArtifactAccountService``, whose pattern this follows):

- a bad account (unknown type, unknown setting, a secret under settings, a missing key) raises
  ``MetricsAccountError`` naming the account and the key, and changes nothing, stored or in memory;
- public views never carry a secret value (``**********``); a secret sent back as ``**********`` keeps the
  stored value, and the view's read-only fields (``source``, ``updatedTs``...) may be sent back too;
- the set is refreshed before every lookup when the table's fingerprint (count, newest update) changed, so
  a change made through any server process is used by the next canary interval everywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from gennaker.canary.accounts import REDACTED, MetricsAccountConfig, MetricsAccountSet, parse_metrics_account
from gennaker.canary.errors import MetricsAccountError
from gennaker.canary.metrics.sandbox import start_sandbox_collectors
from gennaker.store import Database
from gennaker.store import accounts as account_repo
from gennaker.store.accounts import AccountRecord
from gennaker.store.secrets import SecretBox
from gennaker.store.settings import apply_settings_accounts

KIND = "metrics"
#: Fields of the public view that a client editing it may send back; they are ignored.
READ_ONLY_FIELDS = ("supportedTypes", "source", "updatedTs", "updatedBy", "error")


def _to_record(config: MetricsAccountConfig, source: str) -> AccountRecord:
    return AccountRecord(
        kind=KIND,
        name=config.name,
        type=config.type,
        settings={"settings": dict(config.settings), "timeoutSeconds": config.timeout_seconds},
        secrets={k: v.get_secret_value() for k, v in config.secrets.items()},
        source=source,
    )


def _from_record(record: AccountRecord) -> MetricsAccountConfig:
    return parse_metrics_account(
        {
            "name": record.name,
            "type": record.type,
            "settings": record.settings.get("settings") or {},
            "secrets": dict(record.secrets),
            "timeoutSeconds": record.settings.get("timeoutSeconds", 30),
        }
    )


class MetricsAccountService:
    """Metrics accounts backed by the accounts table, mirrored into ``accounts``. Thread-safe."""

    def __init__(self, db: Database, accounts: MetricsAccountSet, *, box: SecretBox | None = None) -> None:
        self._db = db
        self._box = box or SecretBox()
        self._set = accounts
        self._lock = threading.RLock()
        #: accounts held in memory only (name -> source): the ones already in the set (the file's) and
        #: :meth:`add_fixed` ones; the API cannot change them.
        self._fixed: dict[str, str] = dict.fromkeys(accounts.names(), "file")
        self._records: dict[str, AccountRecord] = {}
        self._errors: dict[str, str] = {}
        self._fingerprint: tuple[int, int] | None = None
        accounts.set_refresher(self.refresh)

    def close(self) -> None:
        """Stop refreshing the set from the table and take the stored accounts out of it (the set may be the
        process default, outliving this service)."""
        self._set.set_refresher(None)
        with self._lock:
            for name in self._records:
                if name not in self._fixed:
                    self._set.remove(name)
            self._records, self._fingerprint = {}, None

    # ------------------------------------------------------------ the set

    def refresh(self, *, force: bool = False) -> None:
        """Bring the set up to date with the table (a no-op when nothing changed)."""
        with self._db.read() as conn:
            fingerprint = account_repo.accounts_fingerprint(conn, KIND)
            if not force and fingerprint == self._fingerprint:
                return
            records = {r.name: r for r in account_repo.list_accounts(conn, self._box, KIND)}
        started: list[MetricsAccountConfig] = []
        with self._lock:
            for name in set(self._records) - set(records):
                if name not in self._fixed:
                    self._set.remove(name)
                self._errors.pop(name, None)
            for name, record in records.items():
                if name in self._fixed:
                    continue  # a stored account cannot shadow the file's or the embedded one
                old = self._records.get(name)
                if old is not None and old.updated_ts == record.updated_ts and name not in self._errors:
                    continue
                try:
                    started.append(self._set.put(_from_record(record)))
                    self._errors.pop(name, None)
                except MetricsAccountError as exc:
                    # A stored account that no longer validates (a type was removed...) is left out; the
                    # list shows the problem, and using it says it is unknown.
                    self._set.remove(name)
                    self._errors[name] = str(exc)
            self._records = records
            self._fingerprint = fingerprint
        start_sandbox_collectors(started)

    def add_fixed(
        self, raw: Mapping[str, Any] | MetricsAccountConfig, *, source: str
    ) -> MetricsAccountConfig:
        """Hold an account in memory only (``source`` e.g. ``embedded``): not stored, not changeable through
        the API, and it wins over a stored account of the same name."""
        config = self._set.put(raw)
        with self._lock:
            self._fixed[config.name] = source
        start_sandbox_collectors([config])
        return config

    # ------------------------------------------------------------ management (the API)

    def _refuse_fixed(self, name: str) -> None:
        source = self._fixed.get(name)
        if source is not None:
            raise MetricsAccountError(
                f"metrics account {name!r} comes from the {source} configuration "
                f"({'GENNAKER_METRICS_ACCOUNTS' if source == 'file' else 'the server'}) "
                "and cannot be changed through the API"
            )

    def _keep_redacted_secrets(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        data = {k: v for k, v in raw.items() if k not in READ_ONLY_FIELDS}
        secrets = data.get("secrets")
        if not isinstance(secrets, Mapping):
            return data
        redacted = [k for k, v in secrets.items() if v == REDACTED]
        if not redacted:
            return data
        with self._db.read() as conn:
            existing = account_repo.get_account(conn, self._box, KIND, str(data.get("name")))
        kept = dict(secrets)
        for key in redacted:
            if existing is None or key not in existing.secrets:
                raise MetricsAccountError(
                    f"metrics account {data.get('name')!r}: secrets.{key} is '{REDACTED}' but no stored "
                    "value exists to keep; send the real value"
                )
            kept[key] = existing.secrets[key]
        data["secrets"] = kept
        return data

    def put(self, raw: Mapping[str, Any], *, principal: str) -> dict[str, Any]:
        """Create or replace an account (source ``api``); its public view. Used by the next lookup."""
        if not isinstance(raw, Mapping):
            raise MetricsAccountError("a metrics account must be an object (name, type, settings, secrets)")
        self._refuse_fixed(str(raw.get("name")))
        config = parse_metrics_account(self._keep_redacted_secrets(raw))
        with self._db.write() as conn:
            account_repo.put_account(conn, self._box, _to_record(config, "api"), principal=principal)
        self.refresh(force=True)
        return self.get(config.name) or {}

    def remove(self, name: str, *, principal: str) -> bool:
        """Delete a stored account; False when there was none."""
        self._refuse_fixed(name)
        with self._db.write() as conn:
            deleted = account_repo.delete_account(conn, KIND, name, principal=principal)
        self.refresh(force=True)
        return deleted

    def apply_settings(self, entries: Sequence[Mapping[str, Any]]) -> list[str]:
        """Make the settings-sourced accounts exactly ``entries`` (``settings.accounts("canary")``). Every
        entry is validated first: one bad entry applies nothing. Returns the names removed."""
        configs = []
        for i, entry in enumerate(entries):
            where = f"settings canary.accounts[{i}]"
            try:
                self._refuse_fixed(str(entry.get("name")))
                configs.append(parse_metrics_account(entry))
            except MetricsAccountError as exc:
                raise MetricsAccountError(f"{where}: {exc}") from None
        with self._db.write() as conn:
            applied = apply_settings_accounts(
                conn, self._box, KIND, [_to_record(c, "settings") for c in configs]
            )
        self.refresh(force=True)
        return applied.removed

    def _public(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            record = self._records.get(name)
            fixed = self._fixed.get(name)
            error = self._errors.get(name)
        if fixed is not None:
            return {**self._set.get(name).to_public_json(), "source": fixed}
        if record is None:
            return None
        view: dict[str, Any]
        if error is not None:
            view = {"name": name, "type": record.type, "error": error}
        else:
            view = self._set.get(name).to_public_json()
        view.update(source=record.source, updatedTs=record.updated_ts, updatedBy=record.updated_by)
        return view

    def get(self, name: str) -> dict[str, Any] | None:
        """The public view of one account (secrets redacted), or None."""
        self.refresh()
        return self._public(name)

    def list_accounts(self) -> list[dict[str, Any]]:
        """Public views of every account, by name."""
        self.refresh()
        with self._lock:
            names = sorted(set(self._fixed) | set(self._records))
        return [view for view in (self._public(n) for n in names) if view is not None]
