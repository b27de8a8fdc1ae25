"""``http/file`` artifacts: a file at any HTTP(S) URL, the artifact's ``reference``.

Who calls it: stages fetching manifests, values files or charts published on a plain web server. Spinnaker's
``HttpArtifactCredentials``: GET the reference, optionally with basic auth; we add bearer tokens.

Settings: ``username`` (with ``secrets.password`` for basic auth); secrets: ``password`` or ``token``
(sent as ``Authorization: Bearer``). ``version`` is ignored, as in Spinnaker.
Invariant: only ``http`` and ``https`` references are fetched; credentials are dropped on redirects that
leave the reference's origin (see ``gennaker.artifacts.transport``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from gennaker.artifacts.accounts._auth import basic_auth, check_basic_or_token
from gennaker.artifacts.accounts.base import AccountSettings, AccountType, ArtifactAccount
from gennaker.artifacts.accounts.config import AccountConfig
from gennaker.artifacts.errors import ArtifactFetchError
from gennaker.artifacts.transport import http_get
from gennaker.model.artifacts import Artifact


class HttpSettings(AccountSettings):
    """Settings of an ``http`` account."""

    username: str | None = None


class HttpFileAccount(ArtifactAccount[HttpSettings]):
    """Fetches ``http/file`` artifacts with an optional basic or bearer credential."""

    artifact_types = ("http/file",)

    def _fetch(self, artifact: Artifact) -> bytes:
        url = artifact.reference or ""
        if urlsplit(url).scheme not in ("http", "https"):
            raise ArtifactFetchError(
                artifact, self.name, f"reference {url!r} is not an http:// or https:// URL"
            )
        headers: dict[str, str] = {}
        token = self.config.secret("token")
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        answer = http_get(
            url,
            artifact=artifact,
            account=self.name,
            limits=self.limits,
            headers=headers,
            auth=basic_auth(self.config, self.settings.username),
        )
        return answer.content


def _build(config: AccountConfig, settings: HttpSettings) -> HttpFileAccount:
    check_basic_or_token(config, settings.username)
    return HttpFileAccount(config, settings)


ACCOUNT_TYPE = AccountType(
    name="http",
    artifact_types=HttpFileAccount.artifact_types,
    settings_model=HttpSettings,
    factory=_build,
    secret_keys=frozenset({"password", "token"}),
    description="Fetches http/file artifacts from any HTTP(S) URL, with basic or bearer auth.",
)
