"""The server's settings file, and applying the accounts it declares to the one accounts table.

Who calls it: each provider's account service at start-up (artifact accounts, Docker registries, later
Kubernetes clusters and metric stores): ``load_settings()`` once, ``account_entries(settings, kind)`` for
its kind, then ``sync_settings_accounts`` with the records it built from those entries.

Where the file is: ``GENNAKER_SETTINGS`` if set, else ``$GENNAKER_HOME/settings.yaml``; a missing file
is an empty configuration. Format (YAML or JSON)::

    accounts:
      artifacts:            # kind -> list of entries, each shaped as that provider documents
        - {name: github-main, type: github, secrets: {token: ghp_...}}
      dockerRegistry:
        - {name: ghcr, address: https://ghcr.io, username: bot, password: ...}

Invariants:
- a malformed file raises ``SettingsError`` naming the file and the place (nothing is applied);
- ``sync_settings_accounts`` makes the stored settings-sourced accounts of a kind exactly the given
  records: it creates or replaces them (``source='settings'``) and removes settings-sourced accounts that
  left the file; accounts added through the API are never touched unless the file names them (then the
  file wins, at every start). It runs in the caller's transaction.
What it persists: through ``gennaker.store.accounts`` only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection

from gennaker.store import accounts as account_repo
from gennaker.store.accounts import AccountRecord
from gennaker.store.database import gennaker_home
from gennaker.store.schema import accounts as acc_t
from gennaker.store.secrets import SecretBox

SETTINGS_ENV = "GENNAKER_SETTINGS"
SETTINGS_PRINCIPAL = "settings"


class SettingsError(ValueError):
    """The settings file cannot be read or has the wrong shape; the message names the file and where."""


def settings_path() -> Path:
    """``GENNAKER_SETTINGS`` or ``$GENNAKER_HOME/settings.yaml`` (which may not exist)."""
    env = os.environ.get(SETTINGS_ENV)
    return Path(env).expanduser() if env else gennaker_home() / "settings.yaml"


def load_settings(path: str | Path | None = None) -> dict[str, Any]:
    """The parsed settings (``{}`` when the file does not exist)."""
    where = Path(path) if path is not None else settings_path()
    if not where.exists():
        return {}
    try:
        data = yaml.safe_load(where.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"settings file {where}: cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"settings file {where}: the top level must be a mapping")
    data.setdefault("_path", str(where))
    return data


def account_entries(settings: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    """The entries under ``accounts.<kind>`` (each a mapping), or ``SettingsError`` naming the place."""
    where = settings.get("_path", "settings")
    section = settings.get("accounts") or {}
    if not isinstance(section, Mapping):
        raise SettingsError(f"settings file {where}: 'accounts' must be a mapping of kind -> list")
    entries = section.get(kind) or []
    if not isinstance(entries, list):
        raise SettingsError(f"settings file {where}: 'accounts.{kind}' must be a list")
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise SettingsError(
                f"settings file {where}: 'accounts.{kind}[{i}]' must be a mapping with a name"
            )
    return [dict(e) for e in entries]


def sync_settings_accounts(
    conn: Connection, box: SecretBox, kind: str, records: Sequence[AccountRecord]
) -> list[str]:
    """Store ``records`` as the settings-sourced accounts of ``kind``; returns the names removed."""
    names = [r.name for r in records]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise SettingsError(f"settings: accounts.{kind} names {', '.join(dupes)} more than once")
    for record in records:
        if record.kind != kind:
            raise ValueError(f"account {record.name!r} is of kind {record.kind!r}, not {kind!r}")
        existing = account_repo.get_account(conn, box, kind, record.name)
        if (
            existing is not None
            and existing.source == "settings"
            and (existing.type, existing.settings, existing.secrets)
            == (record.type, record.settings, record.secrets)
        ):
            continue  # unchanged since the last start: no write, no audit entry
        stored = AccountRecord(
            kind=kind,
            name=record.name,
            type=record.type,
            settings=record.settings,
            secrets=record.secrets,
            source="settings",
        )
        account_repo.put_account(conn, box, stored, principal=SETTINGS_PRINCIPAL)
    stale = [
        row[0]
        for row in conn.execute(
            sa.select(acc_t.c.name).where(acc_t.c.kind == kind, acc_t.c.source == "settings")
        )
        if row[0] not in set(names)
    ]
    for name in stale:
        account_repo.delete_account(conn, kind, name, principal=SETTINGS_PRINCIPAL)
    return stale
