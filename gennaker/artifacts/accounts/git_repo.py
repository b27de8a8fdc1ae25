"""``git/repo`` artifacts: a git repository at a branch, tag or commit, optionally one sub-directory.

Who calls it: bakeManifest (Helm charts and Kustomize overlays kept in git). Spinnaker's
``GitRepoArtifactCredentials``: the reference is the clone URL, ``version`` the branch or tag (default
``master``), ``metadata.subPath`` limits the content to a directory; the content is a gzipped tarball of
the tree (``git archive --format=tgz <version> [subPath]``), paths kept relative to the repository root.

``fetch`` returns that tarball; ``checkout(artifact, destination)`` writes the same tree into a directory,
for renderers that need files. ``version`` may also be a commit id (full or abbreviated).

Settings: ``username`` (with ``secrets.password``; with ``secrets.token`` the user defaults to ``token`` as
in Spinnaker), ``defaultBranch`` (``master``), ``cacheDir`` (default: a ``gennaker-git`` directory in the
system temp dir), ``cloneRetentionMinutes`` (60), ``allowFileUrls`` (false: ``file://`` and local paths are
refused unless set, so a pipeline cannot read the server's own disk). Secrets: ``password`` or ``token``.
Credentials are used only for ``http(s)`` URLs. SSH URLs work with the server's own ssh configuration;
per-account SSH keys are not supported yet.
"""

from __future__ import annotations

import base64
import io
import re
import tarfile
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field

from gennaker.artifacts.accounts.base import AccountSettings, AccountType, ArtifactAccount
from gennaker.artifacts.accounts.config import AccountConfig
from gennaker.artifacts.accounts.git_cache import GitError, GitMirrorCache, git_config_env
from gennaker.artifacts.errors import ArtifactFetchError, ArtifactTooLargeError, safe_url
from gennaker.model.artifacts import Artifact

_REMOTE_HELPER = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)::")


class GitRepoSettings(AccountSettings):
    """Settings of a ``gitrepo`` account."""

    username: str | None = None
    default_branch: str = Field(default="master", alias="defaultBranch")
    cache_dir: str | None = Field(default=None, alias="cacheDir")
    clone_retention_minutes: float = Field(default=60, ge=0, alias="cloneRetentionMinutes")
    allow_file_urls: bool = Field(default=False, alias="allowFileUrls")


class GitRepoAccount(ArtifactAccount[GitRepoSettings]):
    """Fetches ``git/repo`` artifacts with the real git, through a mirror cache."""

    artifact_types = ("git/repo",)

    def __init__(self, config: AccountConfig, settings: GitRepoSettings) -> None:
        super().__init__(config, settings)
        root = (
            Path(settings.cache_dir) if settings.cache_dir else Path(tempfile.gettempdir()) / "gennaker-git"
        )
        self.cache = GitMirrorCache(root / config.name, settings.clone_retention_minutes * 60)

    def _check_url(self, artifact: Artifact) -> str:
        url = (artifact.reference or "").strip()
        if not url:
            raise ArtifactFetchError(artifact, self.name, "its reference (the repository URL) is empty")
        if url.startswith("-"):
            raise ArtifactFetchError(artifact, self.name, f"reference {url!r} is not a repository URL")
        helper = _REMOTE_HELPER.match(url)
        if helper:
            raise ArtifactFetchError(
                artifact,
                self.name,
                f"git transport {helper.group(1)!r} (remote helper syntax) is not allowed",
            )
        scheme = urlsplit(url).scheme if "://" in url else ("ssh" if "@" in url.split(":")[0] else "file")
        if scheme == "file" and not self.settings.allow_file_urls:
            raise ArtifactFetchError(
                artifact,
                self.name,
                f"reference {url!r} is a local repository; set allowFileUrls on the account to allow it",
            )
        if scheme not in ("http", "https", "ssh", "git", "file"):
            raise ArtifactFetchError(artifact, self.name, f"git transport {scheme!r} is not allowed")
        return url

    def _env(self, url: str) -> dict[str, str]:
        config = {
            "protocol.allow": "never",
            "protocol.https.allow": "always",
            "protocol.http.allow": "always",
            "protocol.ssh.allow": "always",
            "protocol.git.allow": "always",
            "protocol.file.allow": "always" if self.settings.allow_file_urls else "never",
            "credential.helper": "",
        }
        password = self.config.secret("password")
        token = self.config.secret("token")
        if urlsplit(url).scheme in ("http", "https") and (password is not None or token is not None):
            user = self.settings.username or "token"
            secret = password if password is not None else token
            pair = base64.b64encode(f"{user}:{secret}".encode()).decode()
            config["http.extraHeader"] = f"Authorization: Basic {pair}"
        return git_config_env(config)

    def _resolve(self, artifact: Artifact) -> tuple[Path, str, str, dict[str, str]]:
        url = self._check_url(artifact)
        version = artifact.version or self.settings.default_branch
        env = self._env(url)
        self.cache.prune_expired()
        try:
            mirror, commit = self.cache.resolve(url, version, env=env, timeout=self.limits.timeout_seconds)
        except GitError as exc:
            raise ArtifactFetchError(
                artifact, self.name, f"cannot get {safe_url(url)}: {exc}", transient=exc.transient
            ) from None
        return mirror, commit, version, env

    def _archive(self, artifact: Artifact, fmt: str) -> bytes:
        mirror, commit, _version, env = self._resolve(artifact)
        sub_path = str((artifact.metadata or {}).get("subPath") or "").strip("/")
        args = ["archive", f"--format={fmt}", commit]
        if sub_path:
            args += ["--", sub_path]
        started = time.monotonic()
        try:
            done = self.cache.run(args, cwd=mirror, env=env, timeout=self.limits.timeout_seconds)
        except GitError as exc:
            where = f" (subPath {sub_path!r})" if sub_path else ""
            raise ArtifactFetchError(
                artifact, self.name, f"cannot archive commit {commit}{where}: {exc}"
            ) from None
        if len(done.stdout) > self.limits.max_bytes:
            raise ArtifactTooLargeError(
                artifact,
                self.name,
                f"the archive is {len(done.stdout)} bytes, more than the limit of {self.limits.max_bytes} "
                f"(took {time.monotonic() - started:.1f} s)",
            )
        return done.stdout

    def _fetch(self, artifact: Artifact) -> bytes:
        return self._archive(artifact, "tar.gz")

    def commit_of(self, artifact: Artifact) -> str:
        """The commit id the artifact's version resolves to right now."""
        return self._resolve(artifact)[1]

    def checkout(self, artifact: Artifact, destination: Path) -> Path:
        """Write the artifact's tree (paths relative to the repository root) into ``destination``."""
        if not self.serves(artifact.type):
            raise ArtifactFetchError(
                artifact, self.name, f"account type 'gitrepo' checks out only git/repo, not {artifact.type!r}"
            )
        data = self._archive(artifact, "tar")
        destination.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            archive.extractall(destination, filter="data")
        return destination


def _build(config: AccountConfig, settings: GitRepoSettings) -> GitRepoAccount:
    if config.secret("password") is not None and config.secret("token") is not None:
        raise ValueError("set either secrets.password or secrets.token, not both")
    if config.secret("password") is not None and not settings.username:
        raise ValueError("secrets.password needs settings.username")
    return GitRepoAccount(config, settings)


ACCOUNT_TYPE = AccountType(
    name="gitrepo",
    artifact_types=GitRepoAccount.artifact_types,
    settings_model=GitRepoSettings,
    factory=_build,
    secret_keys=frozenset({"password", "token"}),
    description="Fetches git/repo artifacts (a tarball of a branch, tag or commit) with the real git.",
)
