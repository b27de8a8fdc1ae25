"""The settings file: one YAML file configuring the server, with one section per provider.

Who calls it: each provider's account registry at start (``gennaker.kubernetes`` for ``kubernetes``,
later ``artifacts``, ``canary``...), through ``load_settings()`` and ``apply_settings_accounts``; the
server decides when (at start, and again on reload).

Where it is: ``GENNAKER_SETTINGS`` (a path) if set, else ``$GENNAKER_HOME/settings.yaml`` if that file
exists; no file means empty settings. Format (Spinnaker's halconfig spirit: a section per provider, each
with its ``accounts`` list)::

    kubernetes:
      accounts:
        - name: prod
          kubeconfigFile: ~/.kube/config
          context: prod-cluster
    artifacts:
      accounts: [...]

Invariants:
- a settings file that cannot be read or parsed raises ``SettingsError`` naming the file and, for YAML
  errors, the line and column; nothing is applied from a broken file;
- ``apply_settings_accounts`` makes the stored accounts of one kind whose ``source`` is ``settings`` equal
  the file's list: new and changed ones are written, ones no longer in the file are deleted; accounts
  added through the API (``source`` ``api``) are never touched, except when the file names the same
  account, in which case the file wins (it is re-applied at every start anyway).
What it persists: nothing itself; ``apply_settings_accounts`` writes through ``gennaker.store.accounts``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Connection

from gennaker.store.accounts import AccountRecord, delete_account, list_accounts, put_account
from gennaker.store.database import gennaker_home
from gennaker.store.secrets import SecretBox

SETTINGS_ENV = "GENNAKER_SETTINGS"
SETTINGS_SOURCE = "settings"


class SettingsError(ValueError):
    """The settings file is unreadable or malformed; the message names the file and the place."""


def settings_path() -> Path | None:
    """``GENNAKER_SETTINGS``, else ``$GENNAKER_HOME/settings.yaml`` when it exists, else None."""
    explicit = os.environ.get(SETTINGS_ENV)
    if explicit:
        return Path(explicit).expanduser()
    default = gennaker_home() / "settings.yaml"
    return default if default.exists() else None


@dataclass(frozen=True)
class Settings:
    """A parsed settings file (``path`` None: no file, empty settings)."""

    data: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def where(self) -> str:
        return str(self.path) if self.path else "the settings"

    def section(self, name: str) -> Mapping[str, Any]:
        """The top-level section ``name`` ({} when absent); anything but a mapping is an error."""
        value = self.data.get(name)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise SettingsError(f"{self.where()}: '{name}' must be a mapping, not {type(value).__name__}")
        return value

    def accounts(self, section: str) -> list[Mapping[str, Any]]:
        """The ``accounts`` list of a section; each entry must be a mapping with a ``name``."""
        raw = self.section(section).get("accounts")
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise SettingsError(f"{self.where()}: '{section}.accounts' must be a list")
        seen: set[str] = set()
        for i, entry in enumerate(raw):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str) or not entry["name"]:
                raise SettingsError(
                    f"{self.where()}: '{section}.accounts[{i}]' must be a mapping with a non-empty 'name'"
                )
            if entry["name"] in seen:
                raise SettingsError(
                    f"{self.where()}: '{section}.accounts[{i}]': account '{entry['name']}' is listed twice"
                )
            seen.add(entry["name"])
        return list(raw)


def parse_settings(text: str, path: Path | None = None) -> Settings:
    """Parse settings YAML (``path`` only names the source in errors)."""
    where = str(path) if path else "settings"
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise SettingsError(f"{where}: not valid YAML{place}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"{where}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise SettingsError(
            f"{where}: the top level must be a mapping of sections, not {type(data).__name__}"
        )
    return Settings(dict(data), path)


def load_settings(path: str | Path | None = None) -> Settings:
    """The settings file at ``path`` (default: ``settings_path()``); empty settings when there is none."""
    resolved = Path(path).expanduser() if path is not None else settings_path()
    if resolved is None:
        return Settings()
    try:
        text = resolved.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"cannot read the settings file {resolved}: {exc.strerror or exc}") from None
    return parse_settings(text, resolved)


@dataclass
class AppliedAccounts:
    """What ``apply_settings_accounts`` changed, by account name."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def apply_settings_accounts(
    conn: Connection,
    box: SecretBox,
    kind: str,
    records: Sequence[AccountRecord],
    *,
    principal: str = "settings",
) -> AppliedAccounts:
    """Make the stored ``settings`` accounts of ``kind`` equal ``records`` (in one transaction: the caller's).

    Records are written with ``source`` ``settings``; an identical stored account is left alone (no audit
    noise at every start)."""
    result = AppliedAccounts()
    stored = {a.name: a for a in list_accounts(conn, box, kind)}
    wanted = {r.name for r in records}
    for record in records:
        if record.kind != kind:
            raise ValueError(f"account {record.name!r} is of kind {record.kind!r}, not {kind!r}")
        current = stored.get(record.name)
        if (
            current is not None
            and current.source == SETTINGS_SOURCE
            and current.type == record.type
            and current.settings == record.settings
            and current.secrets == record.secrets
        ):
            result.unchanged.append(record.name)
            continue
        put_account(
            conn,
            box,
            AccountRecord(
                kind=kind,
                name=record.name,
                type=record.type,
                settings=dict(record.settings),
                secrets=dict(record.secrets),
                source=SETTINGS_SOURCE,
            ),
            principal=principal,
        )
        result.written.append(record.name)
    for name, current in stored.items():
        if current.source == SETTINGS_SOURCE and name not in wanted:
            delete_account(conn, kind, name, principal=principal)
            result.removed.append(name)
    return result
