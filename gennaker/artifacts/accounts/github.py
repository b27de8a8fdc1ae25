"""``github/file`` artifacts: a file read through GitHub's contents API (github.com or Enterprise).

Who calls it: stages fetching manifests or values files from GitHub; git push triggers produce these
artifacts (reference = the repository's ``contents_url`` with the path, version = the commit).

Behaviour (Spinnaker's ``GitHubArtifactCredentials``, plus fixes): GET ``reference?ref=<version>`` (version
empty -> ``settings.defaultRef``, ``master`` as in Spinnaker; an empty defaultRef lets GitHub use the
repository's default branch). The JSON answer's base64 ``content`` is decoded; a file too large for inline
content (GitHub leaves ``content`` empty above 1 MB) is downloaded from ``download_url``, sending
credentials only to ``baseUrl``'s origin or ``settings.downloadHosts``.

Settings: ``baseUrl`` (default ``https://api.github.com``; ``https://ghe.example.com/api/v3`` for
Enterprise), ``username`` (basic auth with ``secrets.password``), ``defaultRef``, ``downloadHosts``.
Secrets: ``token`` (sent as ``Authorization: token …``) or ``password``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from gennaker.artifacts.accounts._auth import basic_auth, check_basic_or_token
from gennaker.artifacts.accounts._scm import (
    ReferenceOutsideBaseUrl,
    normalize_base_url,
    resolve_reference,
    same_origin,
)
from gennaker.artifacts.accounts.base import AccountSettings, AccountType, ArtifactAccount
from gennaker.artifacts.accounts.config import AccountConfig
from gennaker.artifacts.errors import ArtifactFetchError, ArtifactTooLargeError
from gennaker.artifacts.transport import http_get
from gennaker.model.artifacts import Artifact

GITHUB_API = "https://api.github.com"


class GitHubSettings(AccountSettings):
    """Settings of a ``github`` account."""

    base_url: str = Field(default=GITHUB_API, alias="baseUrl")
    username: str | None = None
    default_ref: str = Field(default="master", alias="defaultRef")
    download_hosts: tuple[str, ...] | None = Field(default=None, alias="downloadHosts")

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        return normalize_base_url(value)


class GitHubFileAccount(ArtifactAccount[GitHubSettings]):
    """Reads files through GitHub's contents API."""

    artifact_types = ("github/file",)

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        token = self.config.secret("token")
        if token is not None:
            headers["Authorization"] = f"token {token}"
        return headers

    def _trusted_download_hosts(self) -> set[str]:
        if self.settings.download_hosts is not None:
            return set(self.settings.download_hosts)
        if self.settings.base_url == GITHUB_API:
            return {"raw.githubusercontent.com"}
        return set()

    def _fetch(self, artifact: Artifact) -> bytes:
        try:
            url = resolve_reference(artifact.reference, self.settings.base_url)
        except ReferenceOutsideBaseUrl as exc:
            raise ArtifactFetchError(artifact, self.name, str(exc)) from None
        ref = artifact.version or self.settings.default_ref
        answer = http_get(
            url,
            artifact=artifact,
            account=self.name,
            limits=self.limits,
            headers=self._headers(),
            auth=basic_auth(self.config, self.settings.username),
            params={"ref": ref} if ref else None,
            what="read the GitHub contents metadata at",
        )
        metadata = _parse_metadata(answer.content, artifact, self.name)
        content = metadata.get("content")
        if metadata.get("encoding") == "base64" and content:
            try:
                decoded = base64.b64decode("".join(str(content).split()), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ArtifactFetchError(
                    artifact, self.name, f"GitHub returned invalid base64 content ({exc})"
                ) from None
            if len(decoded) > self.limits.max_bytes:
                raise ArtifactTooLargeError(
                    artifact, self.name, f"the file exceeds the limit of {self.limits.max_bytes} bytes"
                )
            return decoded
        download_url = metadata.get("download_url")
        if not download_url:
            raise ArtifactFetchError(
                artifact,
                self.name,
                "GitHub returned neither inline content nor a download_url (check the account's "
                "credentials and the reference)",
            )
        trusted = same_origin(download_url, self.settings.base_url) or (
            urlsplit(download_url).hostname in self._trusted_download_hosts()
        )
        raw = http_get(
            download_url,
            artifact=artifact,
            account=self.name,
            limits=self.limits,
            headers=self._headers() if trusted else {},
            auth=basic_auth(self.config, self.settings.username) if trusted else None,
        )
        return raw.content


def _parse_metadata(body: bytes, artifact: Artifact, account: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        raise ArtifactFetchError(
            artifact, account, "GitHub's contents API did not answer JSON", body=body
        ) from None
    if isinstance(data, list):
        raise ArtifactFetchError(
            artifact, account, "the reference names a directory, not a file (GitHub returned a listing)"
        )
    if not isinstance(data, dict):
        raise ArtifactFetchError(artifact, account, "unexpected answer from GitHub's contents API", body=body)
    kind = data.get("type", "file")
    if kind != "file":
        raise ArtifactFetchError(
            artifact, account, f"the reference names a {kind}, not a file (GitHub type {kind!r})"
        )
    return data


def _build(config: AccountConfig, settings: GitHubSettings) -> GitHubFileAccount:
    check_basic_or_token(config, settings.username)
    return GitHubFileAccount(config, settings)


ACCOUNT_TYPE = AccountType(
    name="github",
    artifact_types=GitHubFileAccount.artifact_types,
    settings_model=GitHubSettings,
    factory=_build,
    secret_keys=frozenset({"token", "password"}),
    description="Reads github/file artifacts through the GitHub (Enterprise) contents API.",
)
