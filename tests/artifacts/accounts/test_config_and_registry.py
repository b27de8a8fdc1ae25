"""Account configs keep secrets out of every public view; the registry validates before it builds."""

from __future__ import annotations

import json
import logging

import pytest

from gennaker.artifacts.accounts import (
    DEFAULT_REGISTRY,
    AccountConfig,
    AccountSet,
    AccountTypeRegistry,
    create_account,
    default_account_set,
)
from gennaker.artifacts.accounts.base import AccountSettings, AccountType, ArtifactAccount
from gennaker.artifacts.errors import AccountConfigError, AccountNotFoundError, UnknownAccountTypeError
from gennaker.model.artifacts import Artifact

SECRET = "hunter2-very-secret"


def test_every_builtin_type_is_registered_by_the_artifact_types_it_serves() -> None:
    expected = {
        "embedded/base64": "embedded",
        "http/file": "http",
        "github/file": "github",
        "gitlab/file": "gitlab",
        "bitbucket/file": "bitbucket",
        "git/repo": "gitrepo",
        "s3/object": "s3",
        "helm/chart": "helm",
        "helm/index": "helm",
    }
    assert {t: DEFAULT_REGISTRY.for_artifact_type(t).name for t in expected} == expected


def test_secrets_never_appear_in_repr_str_json_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    config = AccountConfig(
        name="gh",
        type="github",
        settings={"baseUrl": "https://ghe.example.com/api/v3"},
        secrets={"token": SECRET},
    )
    account = create_account(config)
    logging.getLogger("test").warning("config %s account %r %s", config, account, config)
    views = [
        repr(config),
        str(config),
        json.dumps(config.to_public_json()),
        json.dumps(config.redacted()),
        json.dumps(account.to_public_json()),
        config.model_dump_json(),
        repr(account),
        caplog.text,
    ]
    for view in views:
        assert SECRET not in view
    assert config.to_public_json()["secrets"] == {"token": "**********"}
    assert account.to_public_json()["types"] == ["github/file"]
    assert config.secret("token") == SECRET
    assert config.secret_values() == {"token": SECRET}
    # The store rebuilds the config from the public view plus the decrypted secrets.
    rebuilt = AccountConfig.model_validate({**config.to_public_json(), "secrets": config.secret_values()})
    assert rebuilt == config


def test_a_secret_put_under_settings_is_refused_so_it_is_never_shown() -> None:
    with pytest.raises(AccountConfigError, match=r"'token' is a credential, put it under 'secrets'"):
        create_account(AccountConfig(name="gh", type="github", settings={"token": SECRET}))


def test_unknown_settings_and_secrets_name_the_account_and_the_field() -> None:
    with pytest.raises(AccountConfigError, match=r"'gh'.*settings.baseURL: Extra inputs are not permitted"):
        create_account(AccountConfig(name="gh", type="github", settings={"baseURL": "https://x"}))
    with pytest.raises(
        AccountConfigError, match=r"unknown secret\(s\) apiKey; this type accepts: password, token"
    ):
        create_account(AccountConfig(name="gh", type="github", secrets={"apiKey": "x"}))
    with pytest.raises(AccountConfigError, match=r"settings.baseUrl: Value error, baseUrl 'ftp://x' must be"):
        create_account(AccountConfig(name="gh", type="github", settings={"baseUrl": "ftp://x"}))
    with pytest.raises(AccountConfigError, match=r"either secrets\.password"):
        create_account(
            AccountConfig(
                name="h", type="http", settings={"username": "u"}, secrets={"password": "p", "token": "t"}
            )
        )
    with pytest.raises(UnknownAccountTypeError, match="unknown artifact account type 'gcs'"):
        create_account(AccountConfig(name="g", type="gcs"))


def test_account_names_are_validated() -> None:
    with pytest.raises(ValueError, match="account name"):
        AccountConfig(name="bad name!", type="http")


def test_a_type_or_an_artifact_type_cannot_be_registered_twice() -> None:
    class _S(AccountSettings):
        pass

    class _A(ArtifactAccount[_S]):
        artifact_types = ("custom/thing",)

        def _fetch(self, artifact: Artifact) -> bytes:
            return b"thing:" + (artifact.reference or "").encode()

    registry = AccountTypeRegistry()
    custom = AccountType("custom", ("custom/thing",), _S, _A)
    registry.register(custom)
    with pytest.raises(ValueError, match="already registered"):
        registry.register(custom)
    with pytest.raises(ValueError, match="already served by account type 'custom'"):
        registry.register(AccountType("other", ("custom/thing",), _S, _A))
    # A third-party type works through the same path as the built-ins.
    account = registry.create(AccountConfig(name="c", type="custom"))
    assert account.fetch(Artifact(type="custom/thing", reference="x")) == b"thing:x"


def test_account_set_picks_the_account_for_an_artifact_or_says_why_not() -> None:
    accounts = default_account_set()
    accounts.put(AccountConfig(name="web-a", type="http"))
    embedded = Artifact(type="embedded/base64", reference="aGk=")
    assert accounts.fetch(embedded) == b"hi"
    assert accounts.for_artifact(embedded).name == "embedded-artifact"

    http_artifact = Artifact(type="http/file", reference="http://127.0.0.1:1/x")
    assert accounts.for_artifact(http_artifact).name == "web-a"
    accounts.put(AccountConfig(name="web-b", type="http"))
    with pytest.raises(
        AccountNotFoundError, match=r"several accounts fetch type 'http/file' \(web-a, web-b\)"
    ):
        accounts.for_artifact(http_artifact)
    assert accounts.for_artifact(http_artifact, "web-b").name == "web-b"
    with pytest.raises(AccountNotFoundError, match="no artifact account named 'nope'"):
        accounts.for_artifact(http_artifact, "nope")
    with pytest.raises(AccountNotFoundError, match="cannot fetch"):
        accounts.for_artifact(http_artifact, "embedded-artifact")
    with pytest.raises(AccountNotFoundError, match="no configured artifact account fetches"):
        accounts.for_artifact(Artifact(type="s3/object", reference="s3://b/k"))
    accounts.remove("web-a")
    assert accounts.for_artifact(http_artifact).name == "web-b"


def test_a_bad_config_leaves_the_account_set_unchanged() -> None:
    accounts = AccountSet(DEFAULT_REGISTRY)
    accounts.put(AccountConfig(name="gh", type="github"))
    with pytest.raises(AccountConfigError):
        accounts.put(AccountConfig(name="gh", type="github", settings={"baseUrl": "nope"}))
    assert accounts.get("gh").config.settings == {}
