"""Accounts keep their secrets encrypted at rest and out of every public view and audit entry."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from gennaker.store import Database, audit
from gennaker.store.accounts import AccountRecord, delete_account, get_account, list_accounts, put_account
from gennaker.store.secrets import SecretBox, SecretKeyError

TOKEN = "ghp_verysecretvalue123"


def github(**kw: object) -> AccountRecord:
    base = dict(
        kind="artifacts", name="gh", type="github/file", settings={"baseUrl": "https://api.github.com"}
    )
    base.update(kw)
    return AccountRecord(secrets={"token": TOKEN}, **base)  # type: ignore[arg-type]


def test_round_trip_and_update(db: Database) -> None:
    box = SecretBox(Fernet.generate_key())
    with db.write() as conn:
        put_account(conn, box, github(), principal="alice")
    with db.write() as conn:
        put_account(conn, box, github(settings={"baseUrl": "https://ghe.example/api/v3"}), principal="bob")
    with db.read() as conn:
        got = get_account(conn, box, "artifacts", "gh")
        assert got is not None
        assert got.secrets == {"token": TOKEN}
        assert got.settings == {"baseUrl": "https://ghe.example/api/v3"}
        assert got.updated_by == "bob"
        assert [a.name for a in list_accounts(conn, box, "artifacts")] == ["gh"]
        assert list_accounts(conn, box, "kubernetes") == []


def test_secrets_are_encrypted_at_rest_and_hidden(db: Database) -> None:
    box = SecretBox(Fernet.generate_key())
    with db.write() as conn:
        stored = put_account(conn, box, github(), principal="alice")
    with db.read() as conn:
        raw = conn.exec_driver_sql("SELECT secrets, settings FROM accounts").one()
        entries = audit.entries(conn, target_type="account")
    assert TOKEN not in str(raw)
    assert TOKEN not in repr(stored)
    assert TOKEN not in str(stored.public_json())
    assert stored.public_json()["secretFields"] == ["token"]
    assert all(TOKEN not in str(e) for e in entries)
    assert [e.action for e in entries] == ["account.create"]


def test_wrong_key_is_reported_as_a_key_problem(db: Database) -> None:
    with db.write() as conn:
        put_account(conn, SecretBox(Fernet.generate_key()), github(), principal="alice")
    with db.read() as conn, pytest.raises(SecretKeyError, match="differs from the key"):
        get_account(conn, SecretBox(Fernet.generate_key()), "artifacts", "gh")


def test_malformed_key_is_rejected() -> None:
    with pytest.raises(SecretKeyError, match="not a valid key"):
        SecretBox("short")


def test_key_file_is_created_private_and_reused(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GENNAKER_SECRET_KEY", raising=False)
    monkeypatch.setenv("GENNAKER_HOME", str(tmp_path))
    token = SecretBox().seal({"a": "b"})
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
    assert SecretBox().open(token) == {"a": "b"}


def test_delete(db: Database) -> None:
    box = SecretBox(Fernet.generate_key())
    with db.write() as conn:
        put_account(conn, box, github(), principal="alice")
    with db.write() as conn:
        assert delete_account(conn, "artifacts", "gh", principal="alice") is True
        assert delete_account(conn, "artifacts", "gh", principal="alice") is False
    with db.read() as conn:
        assert get_account(conn, box, "artifacts", "gh") is None
