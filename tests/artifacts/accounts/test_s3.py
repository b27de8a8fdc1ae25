"""s3/object against a real S3-compatible server on loopback (moto's ThreadedMotoServer)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from gennaker.artifacts.accounts import AccountConfig, create_account
from gennaker.artifacts.errors import AccountConfigError, ArtifactFetchError, ArtifactTooLargeError
from gennaker.model.artifacts import Artifact

VALUES = b"replicaCount: 3\nimage:\n  tag: 1.4.2\n"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client: Any = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret-test",
    )
    client.create_bucket(Bucket="releases")
    client.put_object(Bucket="releases", Key="shop/prod/values.yaml", Body=VALUES)
    client.put_object(Bucket="releases", Key="shop/big.bin", Body=b"b" * 10_000)
    try:
        yield endpoint
    finally:
        server.stop()


def _account(endpoint: str, **extra: Any) -> Any:
    return create_account(
        AccountConfig(
            name="s3-releases",
            type="s3",
            settings={"apiEndpoint": endpoint, "apiRegion": "us-east-1", "awsAccessKeyId": "AKIDTEST"},
            secrets={"awsSecretAccessKey": "secret-test"},
            **extra,
        )
    )


def test_reads_an_object_by_s3_reference(s3_endpoint: str) -> None:
    account = _account(s3_endpoint)
    artifact = Artifact(type="s3/object", name="values", reference="s3://releases/shop/prod/values.yaml")
    assert account.fetch(artifact) == VALUES
    # The s3:// prefix is optional, as in Spinnaker.
    assert account.fetch(Artifact(type="s3/object", reference="releases/shop/prod/values.yaml")) == VALUES
    account.close()


def test_missing_objects_and_buckets_report_s3s_answer(s3_endpoint: str) -> None:
    account = _account(s3_endpoint)
    with pytest.raises(ArtifactFetchError) as info:
        account.fetch(Artifact(type="s3/object", reference="s3://releases/shop/nope.yaml"))
    message = str(info.value)
    assert "account 's3-releases'" in message
    assert "could not read s3://releases/shop/nope.yaml" in message
    assert "HTTP 404: NoSuchKey" in message
    with pytest.raises(ArtifactFetchError, match="HTTP 404: NoSuchBucket"):
        account.fetch(Artifact(type="s3/object", reference="s3://nobucket/x"))
    with pytest.raises(ArtifactFetchError, match="must look like s3://<bucket>/<key>"):
        account.fetch(Artifact(type="s3/object", reference="s3://releases"))


def test_size_limit(s3_endpoint: str) -> None:
    account = _account(s3_endpoint, maxBytes=4096)
    with pytest.raises(ArtifactTooLargeError, match="10000 bytes, more than the limit of 4096"):
        account.fetch(Artifact(type="s3/object", reference="s3://releases/shop/big.bin"))


def test_unreachable_endpoint_is_a_clear_error() -> None:
    account = _account("http://127.0.0.1:9", timeoutSeconds=2)
    with pytest.raises(ArtifactFetchError, match=r"could not read s3://releases/x: EndpointConnectionError"):
        account.fetch(Artifact(type="s3/object", reference="s3://releases/x"))


def test_keys_come_in_pairs() -> None:
    with pytest.raises(
        AccountConfigError, match=r"set both settings.awsAccessKeyId and secrets.awsSecretAccessKey"
    ):
        create_account(AccountConfig(name="s3", type="s3", settings={"awsAccessKeyId": "AKID"}))
