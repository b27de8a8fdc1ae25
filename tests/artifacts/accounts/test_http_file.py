"""http/file against a real local HTTP server: auth, redirects, errors, timeouts, size limits."""

from __future__ import annotations

import base64
import time

import pytest

from gennaker.artifacts.accounts import AccountConfig, create_account
from gennaker.artifacts.errors import ArtifactFetchError, ArtifactTimeoutError, ArtifactTooLargeError
from gennaker.model.artifacts import Artifact
from tests.support.http_peer import HttpPeer, Response

MANIFEST = b"apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"


def _artifact(url: str) -> Artifact:
    return Artifact(type="http/file", name="web-svc", reference=url)


def test_fetches_with_basic_auth(peer: HttpPeer) -> None:
    good = "Basic " + base64.b64encode(b"deploy:pa55").decode()
    peer.route(
        "GET",
        "/manifests/web.yaml",
        lambda r, m: Response(200, MANIFEST) if r.header("authorization") == good else Response(401, "no"),
    )
    account = create_account(
        AccountConfig(name="web", type="http", settings={"username": "deploy"}, secrets={"password": "pa55"})
    )
    assert account.fetch(_artifact(f"{peer.url}/manifests/web.yaml")) == MANIFEST


def test_fetches_with_a_bearer_token_and_follows_redirects_on_the_same_origin(peer: HttpPeer) -> None:
    peer.route("GET", "/old", lambda r, m: Response(302, "", {"Location": "/new"}))
    peer.route(
        "GET",
        "/new",
        lambda r, m: (
            Response(200, MANIFEST) if r.header("authorization") == "Bearer tok" else Response(403, "x")
        ),
    )
    account = create_account(AccountConfig(name="web", type="http", secrets={"token": "tok"}))
    assert account.fetch(_artifact(f"{peer.url}/old")) == MANIFEST


def test_credentials_are_not_sent_to_another_origin_on_redirect(peer: HttpPeer) -> None:
    from tests.support.http_peer import running_peer

    with running_peer() as other:
        other.route("GET", "/file", lambda r, m: Response(200, repr(r.header("authorization"))))
        peer.route("GET", "/go", lambda r, m: Response(302, "", {"Location": f"{other.url}/file"}))
        account = create_account(AccountConfig(name="web", type="http", secrets={"token": "tok"}))
        assert account.fetch(_artifact(f"{peer.url}/go")) == b"None"


def test_a_server_error_names_artifact_account_status_and_trimmed_body(peer: HttpPeer) -> None:
    peer.route("GET", "/missing", lambda r, m: Response(404, "Not here.\n" + "x" * 2000))
    account = create_account(AccountConfig(name="web", type="http", secrets={"token": "tok"}))
    with pytest.raises(ArtifactFetchError) as info:
        account.fetch(_artifact(f"{peer.url}/missing"))
    message = str(info.value)
    assert "name='web-svc'" in message
    assert "account 'web'" in message
    assert "HTTP 404: Not here. xxx" in message
    assert len(message) < 700
    assert info.value.status == 404
    assert "tok" not in message


def test_refused_connection_and_non_http_references_are_clear_errors() -> None:
    account = create_account(AccountConfig(name="web", type="http"))
    with pytest.raises(ArtifactFetchError, match=r"could not download http://127.0.0.1:9/x: ConnectError"):
        account.fetch(_artifact("http://127.0.0.1:9/x"))
    with pytest.raises(ArtifactFetchError, match="is not an http:// or https:// URL"):
        account.fetch(_artifact("file:///etc/passwd"))


def test_user_info_in_a_url_never_reaches_the_message(peer: HttpPeer) -> None:
    peer.route("GET", "/x", lambda r, m: Response(500, "boom"))
    account = create_account(AccountConfig(name="web", type="http"))
    with pytest.raises(ArtifactFetchError) as info:
        account.fetch(_artifact(f"http://bob:sekret@{peer.url.removeprefix('http://')}/x"))
    assert "sekret" not in str(info.value)
    assert "bob" not in str(info.value)


def test_size_limit_from_content_length_and_while_streaming(peer: HttpPeer) -> None:
    peer.route("GET", "/big", lambda r, m: Response(200, b"y" * 5000))
    peer.route(
        "GET",
        "/liar",
        lambda r, m: Response(200, b"z" * 5000, {"Transfer-Encoding": "identity", "Content-Length": "5000"}),
    )
    account = create_account(AccountConfig(name="web", type="http", maxBytes=4096))
    with pytest.raises(ArtifactTooLargeError, match="5000 bytes, more than the account's limit of 4096"):
        account.fetch(_artifact(f"{peer.url}/big"))
    small = create_account(AccountConfig(name="web", type="http", maxBytes=5000))
    assert len(small.fetch(_artifact(f"{peer.url}/big"))) == 5000


def test_slow_servers_hit_the_timeout(peer: HttpPeer) -> None:
    def slow(r: object, m: object) -> Response:
        time.sleep(1.5)
        return Response(200, MANIFEST)

    peer.route("GET", "/slow", slow)
    account = create_account(AccountConfig(name="web", type="http", timeoutSeconds=0.3))
    started = time.monotonic()
    with pytest.raises(ArtifactTimeoutError, match=r"took longer than 0.3 s"):
        account.fetch(_artifact(f"{peer.url}/slow"))
    assert time.monotonic() - started < 1.4
