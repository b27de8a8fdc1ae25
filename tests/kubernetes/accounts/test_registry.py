"""Kubernetes accounts: validated, persisted with the inline kubeconfig encrypted, never shown; loaded from
the settings file; changed at run time with listeners told; the embedded sandbox registered in memory."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from gennaker.kubernetes.accounts import KubernetesAccount
from gennaker.kubernetes.errors import AccountConfigError, NamespaceNotAllowedError, UnknownAccountError
from gennaker.kubernetes.registry import AccountChange, AccountRegistry
from gennaker.store import Database
from gennaker.store.secrets import SecretBox
from gennaker.store.settings import SettingsError, parse_settings

KUBECONFIG = yaml.safe_dump(
    {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": "https://10.0.0.1:6443"}}],
        "users": [{"name": "u", "user": {"token": "super-secret-token"}}],
        "contexts": [{"name": "prod", "context": {"cluster": "c", "user": "u", "namespace": "shop"}}],
        "current-context": "prod",
    }
)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'g.db'}")
    database.upgrade()
    return database


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(Fernet.generate_key())


def test_account_validation_names_the_field() -> None:
    with pytest.raises(AccountConfigError, match="exactly one of 'kubeconfigFile' and 'kubeconfigContents'"):
        KubernetesAccount.parse({"name": "prod"})
    with pytest.raises(AccountConfigError, match="'Shop!' is not a valid namespace name"):
        KubernetesAccount.parse({"name": "prod", "kubeconfigFile": "/k", "namespaces": ["Shop!"]})
    with pytest.raises(AccountConfigError, match="kubeconfigFlie"):
        KubernetesAccount.parse({"name": "prod", "kubeconfigFlie": "/k"})
    with pytest.raises(AccountConfigError, match="unknown permission type 'ADMIN'"):
        KubernetesAccount.parse({"name": "prod", "kubeconfigFile": "/k", "permissions": {"ADMIN": ["x"]}})


def test_scope_checks() -> None:
    account = KubernetesAccount.parse(
        {"name": "prod", "kubeconfigFile": "/k", "namespaces": ["shop"], "omitKinds": ["secrets"]}
    )
    assert account.namespace_allowed("shop") and not account.namespace_allowed("kube-system")
    with pytest.raises(
        NamespaceNotAllowedError, match="namespace 'kube-system' is not allowed for account 'prod'"
    ):
        account.check_namespace("kube-system")
    assert account.kind_omitted("Secret") and not account.kind_omitted("ConfigMap")


def test_inline_kubeconfig_is_encrypted_and_never_public(db: Database, box: SecretBox) -> None:
    registry = AccountRegistry(db, box)
    registry.put(
        {"name": "prod", "kubeconfigContents": KUBECONFIG, "namespaces": ["shop"]}, principal="alice"
    )
    with db.read() as conn:
        raw = conn.exec_driver_sql("SELECT settings, secrets FROM accounts").one()
    assert "super-secret-token" not in str(raw)
    public = registry.public_json()
    assert public[0]["name"] == "prod" and public[0]["secretFields"] == ["kubeconfigContents"]
    assert "super-secret-token" not in str(public)
    assert "super-secret-token" not in repr(registry.get("prod"))
    # Another process sees the same account, secret included.
    other = AccountRegistry(db, box)
    account = other.get("prod")
    assert account.kubeconfig_contents is not None
    assert "super-secret-token" in account.kubeconfig_contents.get_secret_value()
    assert account.namespaces == ["shop"]


def test_changes_reach_listeners(db: Database, box: SecretBox) -> None:
    registry = AccountRegistry(db, box)
    seen: list[AccountChange] = []
    registry.subscribe(seen.append)
    registry.put({"name": "prod", "kubeconfigFile": "/k1"})
    registry.put({"name": "prod", "kubeconfigFile": "/k2"})
    registry.remove("prod")
    assert [(c.action, c.name) for c in seen] == [("added", "prod"), ("changed", "prod"), ("removed", "prod")]
    with pytest.raises(
        UnknownAccountError, match="no Kubernetes account named 'prod'; configured accounts: none"
    ):
        registry.get("prod")


def test_unknown_name_reloads_from_the_store(db: Database, box: SecretBox) -> None:
    mine = AccountRegistry(db, box, refresh_s=3600)
    mine.load()
    AccountRegistry(db, box).put({"name": "late", "kubeconfigFile": "/k"})
    assert mine.get("late").kubeconfig_file == "/k"


def test_settings_accounts_are_applied_and_a_bad_one_applies_nothing(db: Database, box: SecretBox) -> None:
    registry = AccountRegistry(db, box)
    registry.put({"name": "from-api", "kubeconfigFile": "/k"})
    settings = parse_settings(
        "kubernetes:\n  accounts:\n    - {name: a, kubeconfigFile: /a}\n    - {name: b, kubeconfigFile: /b}\n"
    )
    assert registry.apply_settings(settings) == ["a", "b"]
    assert registry.names() == ["a", "b", "from-api"]
    bad = parse_settings("kubernetes:\n  accounts:\n    - {name: a, kubeconfigFile: /a}\n    - {name: c}\n")
    with pytest.raises(SettingsError, match=r"kubernetes.accounts\[1\].*exactly one of"):
        registry.apply_settings(bad)
    assert registry.names() == ["a", "b", "from-api"]
    registry.apply_settings(parse_settings("kubernetes: {accounts: [{name: a, kubeconfigFile: /a}]}"))
    assert registry.names() == ["a", "from-api"]
    assert registry.get("a").source == "settings"


def test_sandbox_is_ephemeral(db: Database, box: SecretBox) -> None:
    registry = AccountRegistry(db, box)
    registry.register_sandbox(yaml.safe_load(KUBECONFIG))
    assert registry.get("sandbox").source == "sandbox"
    with db.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM accounts").scalar() == 0
    with pytest.raises(AccountConfigError, match="embedded sandbox"):
        registry.put({"name": "sandbox", "kubeconfigFile": "/k"})
    registry.load()
    assert "sandbox" in registry.names()
