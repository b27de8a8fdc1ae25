"""The settings file: found through GENNAKER_SETTINGS or GENNAKER_HOME, parsed with clear errors, and its
accounts applied to the store without touching accounts added through the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from gennaker.store import Database
from gennaker.store.accounts import AccountRecord, list_accounts, put_account
from gennaker.store.secrets import SecretBox
from gennaker.store.settings import SettingsError, apply_settings_accounts, load_settings, parse_settings


def test_no_file_means_empty_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GENNAKER_SETTINGS", raising=False)
    monkeypatch.setenv("GENNAKER_HOME", str(tmp_path))
    settings = load_settings()
    assert settings.path is None
    assert settings.accounts("kubernetes") == []


def test_home_settings_file_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GENNAKER_SETTINGS", raising=False)
    monkeypatch.setenv("GENNAKER_HOME", str(tmp_path))
    (tmp_path / "settings.yaml").write_text("kubernetes:\n  accounts:\n    - name: prod\n")
    assert [a["name"] for a in load_settings().accounts("kubernetes")] == ["prod"]


def test_explicit_path_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "elsewhere.yaml"
    path.write_text("kubernetes: {accounts: [{name: a}, {name: b}]}\n")
    monkeypatch.setenv("GENNAKER_SETTINGS", str(path))
    assert [a["name"] for a in load_settings().accounts("kubernetes")] == ["a", "b"]


def test_yaml_errors_name_the_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("kubernetes:\n  accounts:\n    - name: [unclosed\n")
    with pytest.raises(SettingsError, match=r"settings.yaml: not valid YAML \(line 4, column 1\)"):
        load_settings(path)


def test_structure_errors_name_the_entry() -> None:
    with pytest.raises(
        SettingsError, match=r"'kubernetes.accounts\[1\]' must be a mapping with a non-empty 'name'"
    ):
        parse_settings("kubernetes: {accounts: [{name: a}, {context: x}]}").accounts("kubernetes")
    with pytest.raises(SettingsError, match="account 'a' is listed twice"):
        parse_settings("kubernetes: {accounts: [{name: a}, {name: a}]}").accounts("kubernetes")
    with pytest.raises(SettingsError, match="top level must be a mapping"):
        parse_settings("- a\n- b\n")
    with pytest.raises(SettingsError, match="cannot read the settings file"):
        load_settings("/nonexistent/settings.yaml")


def test_apply_keeps_api_accounts_and_removes_dropped_settings_ones(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.upgrade()
    box = SecretBox(Fernet.generate_key())

    def record(name: str, **settings: object) -> AccountRecord:
        return AccountRecord(kind="kubernetes", name=name, type="kubernetes", settings=dict(settings))

    with db.write() as conn:
        put_account(conn, box, record("from-api"), principal="alice")
        first = apply_settings_accounts(conn, box, "kubernetes", [record("a"), record("b")])
    assert first.written == ["a", "b"]
    with db.write() as conn:
        again = apply_settings_accounts(conn, box, "kubernetes", [record("a"), record("b", context="x")])
    assert again.unchanged == ["a"] and again.written == ["b"]
    with db.write() as conn:
        last = apply_settings_accounts(conn, box, "kubernetes", [record("b", context="x")])
        names = {a.name: a.source for a in list_accounts(conn, box, "kubernetes")}
    assert last.removed == ["a"]
    assert names == {"b": "settings", "from-api": "api"}
