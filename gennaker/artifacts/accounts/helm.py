"""``helm/chart`` (and ``helm/index``) artifacts: charts from a Helm chart repository.

Who calls it: bakeManifest (the chart to render) and stages that list charts. Spinnaker's
``HelmArtifactCredentials``: read ``<repository>/index.yaml``, find the entry for the artifact's ``name``
(the chart) and ``version`` (latest when empty), download its first URL; a ``helm/index`` artifact returns
the index itself. Differences, on purpose: "latest" is SemVer order, stable versions first (as ``helm pull``
does), where Spinnaker used Maven order; the archive is checked against the index's sha256 ``digest``; the
account's credentials go only to the repository's own origin unless ``passCredentials`` (Helm's
``--pass-credentials``) is set.

``repository`` may also be ``oci://host/path``: charts are then pulled from an OCI registry through the Helm
SDK (``helm_oci``); ``plainHttp`` talks HTTP to that registry. ``helm/index`` and ``names()`` need an HTTP
repository (OCI has no index).

Settings: ``repository`` (required), ``username``, ``plainHttp``, ``passCredentials``, ``verifyDigest``
(default true). Secrets: ``password``.
"""

from __future__ import annotations

import hashlib

from pydantic import Field, field_validator

from gennaker.artifacts.accounts._auth import basic_auth
from gennaker.artifacts.accounts._scm import same_origin
from gennaker.artifacts.accounts.base import AccountSettings, AccountType, ArtifactAccount
from gennaker.artifacts.accounts.config import AccountConfig
from gennaker.artifacts.accounts.helm_oci import OciChartError, list_tags, pull_chart
from gennaker.artifacts.errors import ArtifactFetchError
from gennaker.artifacts.helm_index import ChartIndex, ChartIndexError, parse_index
from gennaker.artifacts.semver import latest
from gennaker.artifacts.transport import http_get
from gennaker.model.artifacts import Artifact


class HelmSettings(AccountSettings):
    """Settings of a ``helm`` account."""

    repository: str
    username: str | None = None
    plain_http: bool = Field(default=False, alias="plainHttp")
    pass_credentials: bool = Field(default=False, alias="passCredentials")
    verify_digest: bool = Field(default=True, alias="verifyDigest")

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "oci://")):
            raise ValueError(f"repository {value!r} must be an http://, https:// or oci:// URL")
        return value.rstrip("/")


class HelmChartAccount(ArtifactAccount[HelmSettings]):
    """Fetches charts (and the index) from one Helm chart repository."""

    artifact_types = ("helm/chart", "helm/index")

    @property
    def is_oci(self) -> bool:
        """Whether the repository is an OCI registry rather than an HTTP chart repository."""
        return self.settings.repository.startswith("oci://")

    def _index_bytes(self, artifact: Artifact) -> bytes:
        return http_get(
            f"{self.settings.repository}/index.yaml",
            artifact=artifact,
            account=self.name,
            limits=self.limits,
            auth=basic_auth(self.config, self.settings.username),
            what="read the chart index",
        ).content

    def index(self) -> ChartIndex:
        """The repository's parsed index (HTTP repositories only)."""
        probe = Artifact(type="helm/index", name="index.yaml", reference=self.settings.repository)
        if self.is_oci:
            raise ArtifactFetchError(probe, self.name, "an OCI registry has no index.yaml")
        try:
            return parse_index(self._index_bytes(probe), self.settings.repository)
        except ChartIndexError as exc:
            raise ArtifactFetchError(probe, self.name, str(exc)) from None

    def names(self) -> list[str]:
        """The chart names of the repository (Spinnaker's ``getArtifactNames``)."""
        return self.index().names()

    def versions(self, name: str) -> list[str]:
        """The versions of one chart, highest first (Spinnaker's ``getArtifactVersions``)."""
        if self.is_oci:
            probe = Artifact(type="helm/chart", name=name, reference=self.settings.repository)
            try:
                return self._oci_tags(name)
            except OciChartError as exc:
                raise ArtifactFetchError(probe, self.name, str(exc)) from None
        try:
            return self.index().versions(name)
        except ChartIndexError as exc:
            probe = Artifact(type="helm/chart", name=name, reference=self.settings.repository)
            raise ArtifactFetchError(probe, self.name, str(exc)) from None

    def _oci_tags(self, name: str) -> list[str]:
        return list_tags(
            self.settings.repository,
            name,
            plain_http=self.settings.plain_http,
            username=self.settings.username,
            password=self.config.secret("password"),
            limits=self.limits,
        )

    def _fetch(self, artifact: Artifact) -> bytes:
        if artifact.type == "helm/index":
            if self.is_oci:
                raise ArtifactFetchError(artifact, self.name, "an OCI registry has no index.yaml")
            return self._index_bytes(artifact)
        if self.is_oci:
            return self._fetch_oci(artifact)
        try:
            entry = parse_index(self._index_bytes(artifact), self.settings.repository).find(
                artifact.name or "", artifact.version
            )
        except ChartIndexError as exc:
            raise ArtifactFetchError(
                artifact, self.name, f"{exc} in repository {self.settings.repository}"
            ) from None
        url = entry.urls[0]
        send_credentials = self.settings.pass_credentials or same_origin(url, self.settings.repository)
        content = http_get(
            url,
            artifact=artifact,
            account=self.name,
            limits=self.limits,
            auth=basic_auth(self.config, self.settings.username) if send_credentials else None,
            what=f"download chart {entry.name} {entry.version} from",
        ).content
        if self.settings.verify_digest and entry.digest:
            actual = hashlib.sha256(content).hexdigest()
            if actual != entry.digest.removeprefix("sha256:"):
                raise ArtifactFetchError(
                    artifact,
                    self.name,
                    f"chart {entry.name} {entry.version} from {url} has sha256 {actual}, but the index "
                    f"says {entry.digest}",
                )
        return content

    def _fetch_oci(self, artifact: Artifact) -> bytes:
        name = artifact.name or ""
        if not name:
            raise ArtifactFetchError(artifact, self.name, "a helm/chart artifact needs a name (the chart)")
        try:
            version = artifact.version or latest(self._oci_tags(name))
            if not version:
                raise ArtifactFetchError(
                    artifact, self.name, f"chart {name!r} has no versions in {self.settings.repository}"
                )
            return pull_chart(
                self.settings.repository,
                name,
                version,
                plain_http=self.settings.plain_http,
                username=self.settings.username,
                password=self.config.secret("password"),
                limits=self.limits,
            )
        except OciChartError as exc:
            raise ArtifactFetchError(artifact, self.name, str(exc)) from None


def _build(config: AccountConfig, settings: HelmSettings) -> HelmChartAccount:
    if config.secret("password") is not None and not settings.username:
        raise ValueError("secrets.password needs settings.username")
    return HelmChartAccount(config, settings)


ACCOUNT_TYPE = AccountType(
    name="helm",
    artifact_types=HelmChartAccount.artifact_types,
    settings_model=HelmSettings,
    factory=_build,
    secret_keys=frozenset({"password"}),
    description="Fetches helm/chart artifacts from an HTTP chart repository or an OCI registry.",
)
