"""``gitlab/file`` artifacts: a file read through GitLab's repository files API.

Who calls it: stages fetching manifests or values files from GitLab. Spinnaker's
``GitlabArtifactCredentials``: the reference is the raw-file API URL
(``https://gitlab.com/api/v4/projects/<id or url-encoded path>/repository/files/<url-encoded path>/raw``),
fetched with ``?ref=<version>`` (empty version -> ``settings.defaultRef``, ``master`` as in Spinnaker) and
the ``Private-Token`` header.

Settings: ``baseUrl`` (default ``https://gitlab.com``; the reference must be under it, or be a path
relative to it), ``defaultRef``. Secrets: ``token``.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from gennaker.artifacts.accounts._scm import ReferenceOutsideBaseUrl, normalize_base_url, resolve_reference
from gennaker.artifacts.accounts.base import AccountSettings, AccountType, ArtifactAccount
from gennaker.artifacts.accounts.config import AccountConfig
from gennaker.artifacts.errors import ArtifactFetchError
from gennaker.artifacts.transport import http_get
from gennaker.model.artifacts import Artifact


class GitLabSettings(AccountSettings):
    """Settings of a ``gitlab`` account."""

    base_url: str = Field(default="https://gitlab.com", alias="baseUrl")
    default_ref: str = Field(default="master", alias="defaultRef")

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        return normalize_base_url(value)


class GitLabFileAccount(ArtifactAccount[GitLabSettings]):
    """Reads raw files through GitLab's API."""

    artifact_types = ("gitlab/file",)

    def _fetch(self, artifact: Artifact) -> bytes:
        try:
            url = resolve_reference(artifact.reference, self.settings.base_url)
        except ReferenceOutsideBaseUrl as exc:
            raise ArtifactFetchError(artifact, self.name, str(exc)) from None
        headers: dict[str, str] = {}
        token = self.config.secret("token")
        if token is not None:
            headers["Private-Token"] = token
        ref = artifact.version or self.settings.default_ref
        return http_get(
            url,
            artifact=artifact,
            account=self.name,
            limits=self.limits,
            headers=headers,
            params={"ref": ref} if ref else None,
        ).content


def _build(config: AccountConfig, settings: GitLabSettings) -> GitLabFileAccount:
    return GitLabFileAccount(config, settings)


ACCOUNT_TYPE = AccountType(
    name="gitlab",
    artifact_types=GitLabFileAccount.artifact_types,
    settings_model=GitLabSettings,
    factory=_build,
    secret_keys=frozenset({"token"}),
    description="Reads gitlab/file artifacts through the GitLab repository files API.",
)
