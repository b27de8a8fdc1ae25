"""Docker registry accounts persisted in the accounts table: password encrypted and redacted, kept when sent
back redacted, settings-file accounts, bad input refused without changes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from gennaker.store import Database
from gennaker.store.schema import accounts as acc_t
from gennaker.store.secrets import SecretBox
from gennaker.triggers.docker.accounts import DockerRegistryAccounts, RegistryAccountError


@pytest.fixture
def accounts(tmp_path: Path) -> DockerRegistryAccounts:
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.upgrade()
    return DockerRegistryAccounts(db, box=SecretBox(Fernet.generate_key()))


def test_password_is_encrypted_redacted_and_kept(accounts: DockerRegistryAccounts) -> None:
    view = accounts.put(
        {"name": "ghcr", "address": "ghcr.io", "username": "bot", "password": "pa55", "trackDigests": True},
        principal="t",
    )
    assert view["address"] == "https://ghcr.io" and view["password"] == "**********"
    assert view["trackDigests"] is True and view["source"] == "api"
    with accounts._db.read() as conn:
        assert "pa55" not in repr(conn.execute(sa.select(acc_t)).all())
    edited = {"name": "ghcr", "address": "ghcr.io", "username": "bot2", "password": view["password"]}
    accounts.put(edited, principal="t")
    config = accounts.config("ghcr")
    assert config.username == "bot2" and config.password is not None
    assert config.password.get_secret_value() == "pa55"
    assert config.registry == "ghcr.io"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"name": "x", "address": "ftp://h"}, "must be an http:// or https:// URL"),
        ({"name": "x"}, "address"),
        ({"name": "x", "address": "h", "passwrd": "p"}, "passwrd"),
        ({"name": "new", "address": "h", "password": "**********"}, "no stored password exists"),
    ],
)
def test_bad_accounts_are_refused(
    accounts: DockerRegistryAccounts, config: dict[str, object], message: str
) -> None:
    with pytest.raises(RegistryAccountError, match=message):
        accounts.put(config, principal="t")
    assert accounts.list_accounts() == []


def test_settings_accounts(accounts: DockerRegistryAccounts) -> None:
    accounts.put({"name": "api-one", "address": "h1"}, principal="t")
    accounts.apply_settings([{"name": "ghcr", "address": "ghcr.io", "password": "p"}])
    assert {a["name"]: a["source"] for a in accounts.list_accounts()} == {
        "api-one": "api",
        "ghcr": "settings",
    }
    assert accounts.apply_settings([]) == ["ghcr"]
    with pytest.raises(RegistryAccountError, match=r"settings dockerRegistry.accounts\[0\]"):
        accounts.apply_settings([{"name": "bad"}])
    assert accounts.remove("api-one", principal="t") is True
    assert accounts.list_accounts() == []
