"""embedded/base64: decoded from the reference, with clear errors and the size limit."""

from __future__ import annotations

import base64

import pytest

from gennaker.artifacts.accounts import AccountConfig, create_account
from gennaker.artifacts.errors import ArtifactFetchError, ArtifactTooLargeError
from gennaker.model.artifacts import Artifact


def _artifact(reference: str) -> Artifact:
    return Artifact(type="embedded/base64", name="baked", reference=reference)


def test_decodes_standard_urlsafe_wrapped_and_unpadded_base64() -> None:
    account = create_account(AccountConfig(name="embedded-artifact", type="embedded"))
    manifest = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
    encoded = base64.b64encode(manifest).decode()
    assert account.fetch(_artifact(encoded)) == manifest
    assert (
        account.fetch(_artifact("\n".join(encoded[i : i + 20] for i in range(0, len(encoded), 20))))
        == manifest
    )
    assert account.fetch(_artifact(base64.urlsafe_b64encode(b"\xfb\xff").decode().rstrip("="))) == b"\xfb\xff"


def test_invalid_or_empty_references_name_the_artifact_and_account() -> None:
    account = create_account(AccountConfig(name="embedded-artifact", type="embedded"))
    with pytest.raises(
        ArtifactFetchError, match=r"name='baked'.*'embedded-artifact': its reference is not valid"
    ):
        account.fetch(_artifact("not base64 at all!"))
    with pytest.raises(ArtifactFetchError, match="reference is empty"):
        account.fetch(_artifact(""))
    with pytest.raises(ArtifactFetchError, match="fetches only embedded/base64, not 'http/file'"):
        account.fetch(Artifact(type="http/file", reference="aGk="))


def test_the_size_limit_applies_to_decoded_content() -> None:
    account = create_account(AccountConfig(name="e", type="embedded", maxBytes=10))
    assert account.fetch(_artifact(base64.b64encode(b"0123456789").decode())) == b"0123456789"
    with pytest.raises(ArtifactTooLargeError, match="limit of 10 bytes"):
        account.fetch(_artifact(base64.b64encode(b"0123456789A").decode()))
