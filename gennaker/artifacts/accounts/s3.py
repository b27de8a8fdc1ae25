"""``s3/object`` artifacts: an object in Amazon S3 or any S3-compatible store (MinIO, Ceph, moto...).

Who calls it: stages fetching manifests, values files or charts kept in a bucket. Spinnaker's
``S3ArtifactCredentials``: the reference is ``s3://<bucket>/<key>``; ``version`` is not used. With
``apiEndpoint`` set, path-style addressing is used (what S3-compatible servers expect).

Settings: ``apiEndpoint`` (e.g. ``http://127.0.0.1:9000``), ``apiRegion`` (the endpoint's signing region),
``region`` (for AWS itself), ``awsAccessKeyId``. Secrets: ``awsSecretAccessKey``, ``awsSessionToken``.
Without keys, boto3's default credential chain (environment, instance profile) is used.
Invariants: the object's size is checked against ``maxBytes`` before and while reading; connect and read
timeouts come from ``timeoutSeconds``; S3's error code and message are in the error.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from pydantic import Field

from gennaker.artifacts.accounts.base import AccountSettings, AccountType, ArtifactAccount
from gennaker.artifacts.accounts.config import AccountConfig
from gennaker.artifacts.errors import ArtifactFetchError, ArtifactTimeoutError, ArtifactTooLargeError
from gennaker.model.artifacts import Artifact

_CHUNK = 1024 * 1024


class S3Settings(AccountSettings):
    """Settings of an ``s3`` account."""

    api_endpoint: str | None = Field(default=None, alias="apiEndpoint")
    api_region: str | None = Field(default=None, alias="apiRegion")
    region: str | None = None
    aws_access_key_id: str | None = Field(default=None, alias="awsAccessKeyId")


def parse_s3_reference(reference: str | None) -> tuple[str, str]:
    """``s3://bucket/key`` (the ``s3://`` is optional, as in Spinnaker) -> (bucket, key)."""
    ref = (reference or "").strip()
    if ref.startswith("s3://"):
        ref = ref[len("s3://") :]
    bucket, _, key = ref.partition("/")
    if not bucket or not key:
        raise ValueError(f"S3 references must look like s3://<bucket>/<key>, got {reference!r}")
    return bucket, key


class S3ObjectAccount(ArtifactAccount[S3Settings]):
    """Reads objects with boto3."""

    artifact_types = ("s3/object",)

    def __init__(self, config: AccountConfig, settings: S3Settings) -> None:
        super().__init__(config, settings)
        self._client: Any = None
        self._lock = threading.Lock()

    def _s3(self) -> Any:
        import boto3  # imported on first use: boto3 costs ~0.3 s, too much for every server start
        from botocore.config import Config as BotoConfig

        with self._lock:
            if self._client is None:
                s = self.settings
                boto_config = BotoConfig(
                    connect_timeout=self.limits.timeout_seconds,
                    read_timeout=self.limits.timeout_seconds,
                    retries={"max_attempts": 2, "mode": "standard"},
                    s3={"addressing_style": "path"} if s.api_endpoint else None,
                )
                self._client = boto3.session.Session().client(
                    "s3",
                    endpoint_url=s.api_endpoint or None,
                    region_name=(s.api_region if s.api_endpoint else s.region) or s.region or "us-east-1",
                    aws_access_key_id=s.aws_access_key_id,
                    aws_secret_access_key=self.config.secret("awsSecretAccessKey"),
                    aws_session_token=self.config.secret("awsSessionToken"),
                    config=boto_config,
                )
            return self._client

    def _fetch(self, artifact: Artifact) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            bucket, key = parse_s3_reference(artifact.reference)
        except ValueError as exc:
            raise ArtifactFetchError(artifact, self.name, str(exc)) from None
        deadline = time.monotonic() + self.limits.timeout_seconds
        try:
            answer = self._s3().get_object(Bucket=bucket, Key=key)
            size = int(answer.get("ContentLength") or 0)
            if size > self.limits.max_bytes:
                answer["Body"].close()
                raise ArtifactTooLargeError(
                    artifact,
                    self.name,
                    f"s3://{bucket}/{key} is {size} bytes, more than the limit of {self.limits.max_bytes}",
                )
            chunks: list[bytes] = []
            total = 0
            body = answer["Body"]
            try:
                while True:
                    if time.monotonic() > deadline:
                        raise ArtifactTimeoutError(
                            artifact,
                            self.name,
                            f"reading s3://{bucket}/{key} took longer than {self.limits.timeout_seconds:g} s",
                        )
                    chunk = body.read(_CHUNK)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    total += len(chunk)
                    if total > self.limits.max_bytes:
                        raise ArtifactTooLargeError(
                            artifact,
                            self.name,
                            f"s3://{bucket}/{key} is larger than the limit of {self.limits.max_bytes} bytes",
                        )
            finally:
                body.close()
            return b"".join(chunks)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            raise ArtifactFetchError(
                artifact,
                self.name,
                f"could not read s3://{bucket}/{key}",
                status=status,
                body=f"{error.get('Code', '')}: {error.get('Message', '')}",
            ) from None
        except BotoCoreError as exc:
            raise ArtifactFetchError(
                artifact,
                self.name,
                f"could not read s3://{bucket}/{key}: {type(exc).__name__}: {exc}",
                transient=True,
            ) from None

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


def _build(config: AccountConfig, settings: S3Settings) -> S3ObjectAccount:
    if (settings.aws_access_key_id is None) != (config.secret("awsSecretAccessKey") is None):
        raise ValueError("set both settings.awsAccessKeyId and secrets.awsSecretAccessKey, or neither")
    return S3ObjectAccount(config, settings)


ACCOUNT_TYPE = AccountType(
    name="s3",
    artifact_types=S3ObjectAccount.artifact_types,
    settings_model=S3Settings,
    factory=_build,
    secret_keys=frozenset({"awsSecretAccessKey", "awsSessionToken"}),
    description="Reads s3/object artifacts from S3 or an S3-compatible endpoint (boto3).",
)
