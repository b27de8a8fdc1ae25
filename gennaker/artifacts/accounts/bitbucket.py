"""``bitbucket/file`` artifacts: a raw file from Bitbucket Cloud or Bitbucket Server / Data Center.

Who calls it: stages fetching manifests or values files from Bitbucket. Spinnaker's
``BitbucketArtifactCredentials``: the reference is the raw-file URL with the commit or branch in it
(Cloud: ``https://api.bitbucket.org/2.0/repositories/<workspace>/<repo>/src/<commit>/<path>``; Server:
``https://bitbucket.example.com/rest/api/1.0/projects/<KEY>/repos/<repo>/raw/<path>?at=<ref>``), fetched as
is; ``version`` is not used. A token is sent as ``Authorization: Bearer``, else username + password as
basic auth.

Settings: ``baseUrl`` (default ``https://api.bitbucket.org``; the reference must be under it, or be a path
relative to it), ``username``. Secrets: ``token`` or ``password``.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from gennaker.artifacts.accounts._auth import basic_auth, check_basic_or_token
from gennaker.artifacts.accounts._scm import ReferenceOutsideBaseUrl, normalize_base_url, resolve_reference
from gennaker.artifacts.accounts.base import AccountSettings, AccountType, ArtifactAccount
from gennaker.artifacts.accounts.config import AccountConfig
from gennaker.artifacts.errors import ArtifactFetchError
from gennaker.artifacts.transport import http_get
from gennaker.model.artifacts import Artifact


class BitbucketSettings(AccountSettings):
    """Settings of a ``bitbucket`` account."""

    base_url: str = Field(default="https://api.bitbucket.org", alias="baseUrl")
    username: str | None = None

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        return normalize_base_url(value)


class BitbucketFileAccount(ArtifactAccount[BitbucketSettings]):
    """Reads raw files from Bitbucket."""

    artifact_types = ("bitbucket/file",)

    def _fetch(self, artifact: Artifact) -> bytes:
        try:
            url = resolve_reference(artifact.reference, self.settings.base_url)
        except ReferenceOutsideBaseUrl as exc:
            raise ArtifactFetchError(artifact, self.name, str(exc)) from None
        headers: dict[str, str] = {}
        token = self.config.secret("token")
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return http_get(
            url,
            artifact=artifact,
            account=self.name,
            limits=self.limits,
            headers=headers,
            auth=basic_auth(self.config, self.settings.username),
        ).content


def _build(config: AccountConfig, settings: BitbucketSettings) -> BitbucketFileAccount:
    check_basic_or_token(config, settings.username)
    return BitbucketFileAccount(config, settings)


ACCOUNT_TYPE = AccountType(
    name="bitbucket",
    artifact_types=BitbucketFileAccount.artifact_types,
    settings_model=BitbucketSettings,
    factory=_build,
    secret_keys=frozenset({"token", "password"}),
    description="Reads bitbucket/file artifacts (raw file URLs) from Bitbucket Cloud or Server.",
)
