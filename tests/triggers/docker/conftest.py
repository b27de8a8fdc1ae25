"""Real docker-registry processes on loopback: open, behind htpasswd basic auth, and behind bearer tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bcrypt
import pytest

from gennaker.triggers.docker.local_registry import LocalRegistry, TokenAuthConfig
from tests.support.http_peer import running_peer
from tests.support.token_service import ISSUER, SERVICE, TokenService

USER, PASSWORD = "ci-bot", "registry-pass"


@pytest.fixture(scope="module")
def registry() -> Iterator[LocalRegistry]:
    with LocalRegistry() as local:
        yield local


@pytest.fixture(scope="module")
def basic_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRegistry]:
    directory = tmp_path_factory.mktemp("htpasswd")
    htpasswd = directory / "htpasswd"
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    htpasswd.write_text(f"{USER}:{hashed}\n")
    with LocalRegistry(htpasswd_file=htpasswd) as local:
        yield local


@pytest.fixture(scope="module")
def token_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalRegistry, TokenService]]:
    directory: Path = tmp_path_factory.mktemp("token")
    with running_peer() as peer:
        service = TokenService(peer, directory, username=USER, password=PASSWORD)
        auth = TokenAuthConfig(
            realm=service.realm, service=SERVICE, issuer=ISSUER, root_cert_bundle=service.cert_path
        )
        with LocalRegistry(token_auth=auth) as local:
            yield local, service
