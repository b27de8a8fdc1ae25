"""Fetching a bake's input artifacts into a private work directory.

Who calls it: the bakeManifest stage, before the renderer runs. Each input is fetched through the artifact
accounts (``ArtifactAccountService``): a ``git/repo`` artifact is checked out as a tree (its files keep
their paths relative to the repository root, ``metadata.subPath`` limiting what is written), anything else
(``helm/chart``, ``http/file``, ``s3/object``, ``github/file``, ``embedded/base64``...) becomes one file.
``resolve_inside`` turns a user path (``helmChartFilePath``, ``kustomizeFilePath``) into a path that cannot
leave the checkout.

Invariants: an artifact that cannot be fetched raises ``ArtifactFetchError`` (it names the artifact, the
account and the server's answer) or ``AccountNotFoundError``; the stage shows that message as is. Work
directories are removed by the caller (``tempfile.TemporaryDirectory``); nothing is persisted.
"""

from __future__ import annotations

from pathlib import Path

from gennaker.artifacts.accounts.git_repo import GitRepoAccount
from gennaker.artifacts.errors import ArtifactFetchError
from gennaker.artifacts.service import ArtifactAccountService
from gennaker.bake.errors import BakeConfigError
from gennaker.bake.request import FetchedInput
from gennaker.model.artifacts import Artifact


def fetch_input(
    accounts: ArtifactAccountService, artifact: Artifact, account: str | None, destination: Path
) -> FetchedInput:
    """Fetch one input into ``destination`` (a directory for git/repo, else a file)."""
    found = accounts.account_for(artifact, account)
    if artifact.type == "git/repo":
        if not isinstance(found, GitRepoAccount):
            raise ArtifactFetchError(artifact, found.name, "this account cannot check out a git repository")
        found.checkout(artifact, destination)
        return FetchedInput(artifact, found.name, destination, is_directory=True)
    content = found.fetch(artifact)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(content)
    return FetchedInput(artifact, found.name, destination)


def resolve_inside(root: Path, relative: str | None, field: str) -> Path:
    """``root / relative``, refused when it would leave ``root`` (``..``, absolute paths, symlinks)."""
    if not relative:
        return root
    candidate = (root / relative.lstrip("/")).resolve()
    base = root.resolve()
    if candidate != base and base not in candidate.parents:
        raise BakeConfigError(f"{field} {relative!r} points outside the repository")
    if not candidate.exists():
        raise BakeConfigError(f"{field} {relative!r} does not exist in the repository")
    return candidate
