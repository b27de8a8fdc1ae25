"""ArtifactAccountService on a real database: accounts persisted with encrypted secrets, redacted views,
changes at run time seen by another service (another server process), the settings file applied at start,
bad configs refused without changing anything, and fetch through the stored accounts."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from gennaker.artifacts.errors import AccountConfigError, AccountNotFoundError, ArtifactFetchError
from gennaker.artifacts.service import ArtifactAccountService
from gennaker.store import Database
from gennaker.store.schema import accounts as acc_t
from gennaker.store.secrets import SecretBox
from gennaker.store.settings import SettingsError, load_settings
from tests.support.http_peer import HttpPeer, Request, Response


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'g.db'}")
    database.upgrade()
    return database


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(Fernet.generate_key())


def test_secrets_are_encrypted_at_rest_and_never_shown(db: Database, box: SecretBox) -> None:
    service = ArtifactAccountService(db, box=box)
    view = service.put(
        {
            "name": "gh",
            "type": "github",
            "settings": {"baseUrl": "http://127.0.0.1:1/api"},
            "secrets": {"token": "ghp_supersecret"},
        },
        principal="alice",
    )
    assert view["secrets"] == {"token": "**********"}
    assert view["source"] == "api" and view["updatedBy"] == "alice"
    assert view["types"] == ["github/file"]
    with db.read() as conn:
        raw = conn.execute(sa.select(acc_t)).all()
    assert "ghp_supersecret" not in repr(raw)
    assert all("ghp_supersecret" not in repr(v) for v in service.list_accounts())
    assert service.account("gh").config.secret("token") == "ghp_supersecret"


def test_a_redacted_secret_sent_back_keeps_the_stored_value(db: Database, box: SecretBox) -> None:
    service = ArtifactAccountService(db, box=box)
    service.put(
        {"name": "files", "type": "http", "settings": {"username": "ci"}, "secrets": {"password": "pw"}},
        principal="t",
    )
    edited = {**service.get("files"), "settings": {"username": "deploy"}}  # type: ignore[dict-item]
    for key in ("types", "source", "updatedTs", "updatedBy"):
        edited.pop(key)
    service.put(edited, principal="t")
    account = service.account("files")
    assert account.config.secret("password") == "pw"
    assert account.config.settings == {"username": "deploy"}
    with pytest.raises(AccountConfigError, match="no stored value exists to keep"):
        service.put({"name": "other", "type": "http", "secrets": {"token": "**********"}}, principal="t")


def test_another_process_sees_changes_at_its_next_lookup(db: Database, box: SecretBox) -> None:
    writer, reader = ArtifactAccountService(db, box=box), ArtifactAccountService(db, box=box)
    assert [a["name"] for a in reader.list_accounts()] == ["embedded-artifact"]
    writer.put({"name": "files", "type": "http"}, principal="t")
    assert reader.account("files").config.type == "http"
    writer.put({"name": "files", "type": "http", "timeoutSeconds": 5}, principal="t")
    assert reader.account("files").config.timeout_seconds == 5
    assert writer.remove("files", principal="t") is True
    with pytest.raises(AccountNotFoundError, match="no artifact account named 'files'"):
        reader.account("files")
    assert writer.remove("files", principal="t") is False


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"name": "x", "type": "nope"}, "unknown artifact account type 'nope'"),
        ({"name": "x", "type": "http", "settings": {"usrname": "a"}}, "settings.usrname"),
        ({"name": "x", "type": "github", "settings": {"token": "t"}}, "put it under 'secrets'"),
        ({"name": "bad name", "type": "http"}, "must start with a letter or digit"),
        ({"name": "embedded-artifact", "type": "embedded"}, "is built in"),
    ],
)
def test_bad_configs_change_nothing(
    db: Database, box: SecretBox, config: dict[str, object], message: str
) -> None:
    service = ArtifactAccountService(db, box=box)
    service.put({"name": "x", "type": "http"}, principal="t")
    before = service.list_accounts()
    with pytest.raises(AccountConfigError, match=message):
        service.put(config, principal="t")
    assert service.list_accounts() == before


def test_settings_file_accounts_are_applied_and_removed_when_they_leave_it(
    db: Database, box: SecretBox, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text(
        "artifacts:\n  accounts:\n"
        "  - {name: charts, type: helm, settings: {repository: 'http://127.0.0.1:1/charts'}}\n"
        "  - {name: files, type: http, secrets: {token: tok}}\n"
    )
    service = ArtifactAccountService(db, box=box)
    service.put({"name": "from-api", "type": "http"}, principal="t")
    service.apply_settings(load_settings(settings).accounts("artifacts"))
    assert {a["name"]: a["source"] for a in service.list_accounts()} == {
        "embedded-artifact": "builtin",
        "charts": "settings",
        "files": "settings",
        "from-api": "api",
    }
    settings.write_text(
        "artifacts:\n  accounts:\n  - {name: charts, type: helm, settings: {repository: 'http://h/c'}}\n"
    )
    removed = service.apply_settings(load_settings(settings).accounts("artifacts"))
    assert removed == ["files"]
    assert {a["name"] for a in service.list_accounts()} == {"embedded-artifact", "charts", "from-api"}
    # one bad entry applies nothing
    with pytest.raises(AccountConfigError, match=r"settings artifacts.accounts\[1\]"):
        service.apply_settings([{"name": "ok", "type": "http"}, {"name": "bad", "type": "nope"}])
    assert {a["name"] for a in service.list_accounts()} == {"embedded-artifact", "charts", "from-api"}


def test_settings_file_shape_errors_name_the_place(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("artifacts:\n  accounts: {name: x}\n")
    with pytest.raises(SettingsError, match=r"'artifacts\.accounts' must be a list"):
        load_settings(path).accounts("artifacts")
    path.write_text("artifacts: [")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings(path)
    with pytest.raises(SettingsError, match="cannot read the settings file"):
        load_settings(tmp_path / "missing.yaml")


def test_fetch_goes_through_the_stored_account_and_names_it_on_failure(
    db: Database, box: SecretBox, tmp_path: Path
) -> None:
    from tests.support.http_peer import running_peer

    service = ArtifactAccountService(db, box=box)
    service.put({"name": "files", "type": "http", "secrets": {"token": "s3cr3t"}}, principal="t")
    seen: list[Request] = []

    def handler(request: Request, _m: object) -> Response:
        seen.append(request)
        return Response(200, "hello") if request.path == "/ok" else Response(503, "try later")

    with running_peer() as peer:
        peer.route("GET", "/.*", handler)
        peer_ref: HttpPeer = peer
        assert service.fetch({"type": "http/file", "reference": f"{peer_ref.url}/ok"}) == b"hello"
        assert seen[0].header("authorization") == "Bearer s3cr3t"
        with pytest.raises(ArtifactFetchError) as failure:
            service.fetch({"type": "http/file", "reference": f"{peer_ref.url}/down"}, "files")
    message = str(failure.value)
    assert "account 'files'" in message and "HTTP 503" in message and "try later" in message
    assert "s3cr3t" not in message
    embedded = {"type": "embedded/base64", "reference": base64.b64encode(b"x: 1").decode()}
    assert service.fetch(embedded) == b"x: 1"
