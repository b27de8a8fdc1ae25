"""The Registry v2 client against a real docker-registry: tags with pagination, digests, the catalog, basic
auth (htpasswd), bearer tokens through the WWW-Authenticate challenge, and retries with backoff."""

from __future__ import annotations

import json
import re

import pytest

from gennaker.triggers.docker import (
    RegistryAuthError,
    RegistryClient,
    RegistryNotFoundError,
    RegistryUnavailableError,
    RetryPolicy,
    push_image,
)
from gennaker.triggers.docker.local_registry import LocalRegistry
from tests.support.http_peer import HttpPeer, Request, Response, running_peer
from tests.support.token_service import TokenService
from tests.triggers.docker.conftest import PASSWORD, USER


def test_tags_are_listed_across_pages_and_digests_match_the_push(registry: LocalRegistry) -> None:
    with RegistryClient(registry.url) as client:
        pushed = {
            t: push_image(client, "acme/pages", t).digest
            for t in ("1.0.0", "1.1.0", "1.2.0", "2.0.0", "latest")
        }
        assert sorted(client.list_tags("acme/pages")) == sorted(pushed)
        assert sorted(client.list_tags("acme/pages", page_size=2)) == sorted(pushed)  # 3 pages via Link
        assert client.manifest_digest("acme/pages", "1.1.0") == pushed["1.1.0"]
        assert "acme/pages" in client.list_repositories(page_size=1)
        client.ping()


def test_unknown_repository_is_not_found_with_the_registry_code(registry: LocalRegistry) -> None:
    with RegistryClient(registry.url) as client, pytest.raises(RegistryNotFoundError) as info:
        client.list_tags("acme/none")
    assert "listing the tags of acme/none failed (HTTP 404): NAME_UNKNOWN" in str(info.value)
    with (
        RegistryClient(registry.url) as client,
        pytest.raises(RegistryNotFoundError, match="MANIFEST_UNKNOWN"),
    ):
        push_image(client, "acme/m", "1")
        client.manifest_digest("acme/m", "2")


def test_basic_auth_with_htpasswd(basic_registry: LocalRegistry) -> None:
    with RegistryClient(basic_registry.url, username=USER, password=PASSWORD) as client:
        digest = push_image(client, "team/api", "3.1").digest
        assert client.list_tags("team/api") == ["3.1"]
        assert client.manifest_digest("team/api", "3.1") == digest
    with RegistryClient(basic_registry.url, username=USER, password="wrong") as client:
        with pytest.raises(RegistryAuthError) as info:
            client.list_tags("team/api")
        assert "HTTP 401" in str(info.value) and "UNAUTHORIZED" in str(info.value)
        assert "wrong" not in str(info.value)
    with (
        RegistryClient(basic_registry.url) as anonymous,
        pytest.raises(RegistryAuthError, match="none are configured"),
    ):
        anonymous.list_tags("team/api")


def test_bearer_tokens_through_the_challenge(token_registry: tuple[LocalRegistry, TokenService]) -> None:
    registry, service = token_registry
    with RegistryClient(registry.url, username=USER, password=PASSWORD) as pusher:
        digest = push_image(pusher, "team/web", "1.0").digest
    issued = service.issued
    with RegistryClient(registry.url, username=USER, password=PASSWORD) as client:
        assert client.list_tags("team/web") == ["1.0"]
        assert client.manifest_digest("team/web", "1.0") == digest
        for _ in range(3):
            client.list_tags("team/web")
    assert service.issued == issued + 1  # one pull token, cached and reused
    with (
        RegistryClient(registry.url, username=USER, password="nope") as bad,
        pytest.raises(RegistryAuthError) as info,
    ):
        bad.list_tags("team/web")
    assert "the token service" in str(info.value) and "refused" in str(info.value)
    with RegistryClient(registry.url) as anonymous, pytest.raises(RegistryAuthError):
        anonymous.list_tags("team/web")


def test_a_registry_that_is_down_is_retried_then_reported() -> None:
    waits: list[float] = []
    client = RegistryClient(
        "http://127.0.0.1:9", retry=RetryPolicy(attempts=4, initial=0.1), sleep=waits.append
    )
    with pytest.raises(RegistryUnavailableError) as info:
        client.list_tags("acme/web")
    assert "ConnectError" in str(info.value) and "after 4 attempts" in str(info.value)
    assert len(waits) == 3
    assert waits[0] < waits[1] < waits[2]  # exponential backoff (jitter is at most 20%)


def test_transient_5xx_and_429_are_retried_honouring_retry_after() -> None:
    answers = [
        Response(503, "maintenance", {"Retry-After": "2"}),
        Response(429, json.dumps({"errors": [{"code": "TOOMANYREQUESTS", "message": "slow down"}]})),
        Response(
            200, json.dumps({"name": "acme/web", "tags": ["1", "2"]}), {"Content-Type": "application/json"}
        ),
    ]

    def flaky(request: Request, match: re.Match[str]) -> Response:
        return answers.pop(0)

    waits: list[float] = []
    with running_peer() as peer:
        peer.route("GET", "/v2/acme/web/tags/list", flaky)
        client = RegistryClient(
            peer.url, retry=RetryPolicy(attempts=4, initial=0.1, maximum=5), sleep=waits.append
        )
        assert client.list_tags("acme/web") == ["1", "2"]
    assert len(waits) == 2 and waits[0] >= 2 * 0.8  # Retry-After honoured


def test_a_registry_that_keeps_failing_reports_its_answer(peer: HttpPeer) -> None:
    body = json.dumps({"errors": [{"code": "UNAVAILABLE", "message": "backend down"}]})
    peer.route("GET", "/v2/acme/web/tags/list", lambda r, m: Response(503, body))
    client = RegistryClient(peer.url, retry=RetryPolicy(attempts=2), sleep=lambda s: None)
    with pytest.raises(RegistryUnavailableError, match=r"\(HTTP 503\): UNAVAILABLE: backend down"):
        client.list_tags("acme/web")
