"""A cache of bare git mirrors, one per (account, repository URL), driven by the real ``git``.

Who calls it: the ``git/repo`` account. Spinnaker clones the repository for every fetch (newer versions keep
clones for ``clone-retention-minutes``); we keep a bare mirror and fetch into it, so the second fetch of a
repository moves only new objects, and a commit already in the mirror needs no network at all.

Invariants:
- one writer per mirror at a time, across threads (a lock) and processes (``flock`` on ``<mirror>.lock``);
- credentials are passed to git as configuration in its environment (``GIT_CONFIG_*``), never in the
  URL, the command line or the mirror's config file; git never prompts (``GIT_TERMINAL_PROMPT=0``);
- only the transports the account allows run (``protocol.allow=never`` plus an allow-list), so a reference
  like ``ext::sh -c ...`` is refused by git itself;
- every git call has a timeout; git's stderr (trimmed, URLs without user-info) is in the error;
- mirrors unused for longer than the retention are deleted when the cache is next used.
What it persists: bare repositories under the cache directory, and a ``<mirror>.used`` stamp per mirror.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from gennaker.artifacts.errors import safe_url, trim_body

_HEX = re.compile(r"^[0-9a-fA-F]{7,64}$")
_URL_IN_TEXT = re.compile(r"[a-z][a-z0-9+.-]*://[^\s'\"]+")


#: What git prints when the server could not be reached or failed for now (git exits 128 for everything).
_TRANSIENT = re.compile(
    r"Failed to connect|Could not resolve host|Connection (refused|reset|timed out)|timed out|"
    r"returned error: (5\d\d|408|429)|RPC failed|early EOF|took longer than",
    re.IGNORECASE,
)


class GitError(Exception):
    """A git command failed or timed out; the message is git's own (trimmed, without credentials).
    ``transient``: the server was down, unreachable, slow or failing (asking again later may work)."""

    @property
    def transient(self) -> bool:
        return bool(_TRANSIENT.search(str(self)))


def _scrub(text: str) -> str:
    return _URL_IN_TEXT.sub(lambda m: safe_url(m.group(0)), text)


class GitMirrorCache:
    """Bare mirrors under ``root``, kept for ``retention_seconds`` after their last use."""

    _locks: dict[str, threading.Lock] = {}
    _locks_guard = threading.Lock()

    def __init__(self, root: Path, retention_seconds: float) -> None:
        self.root = root
        self.retention_seconds = retention_seconds

    def mirror_path(self, url: str) -> Path:
        """Where the mirror of ``url`` lives."""
        return self.root / hashlib.sha256(url.encode()).hexdigest()[:32]

    @contextlib.contextmanager
    def locked(self, mirror: Path) -> Iterator[None]:
        """Hold the mirror for writing (thread lock and process lock)."""
        with self._locks_guard:
            lock = self._locks.setdefault(str(mirror), threading.Lock())
        with lock:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(f"{mirror}.lock", "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def run(
        self, args: list[str], *, cwd: Path | None, env: Mapping[str, str], timeout: float
    ) -> subprocess.CompletedProcess[bytes]:
        """Run ``git <args>``; raise ``GitError`` with git's message on failure or timeout."""
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=cwd,
                env={**_base_env(), **env},
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took longer than {timeout:g} s") from None
        except FileNotFoundError:
            raise GitError("the git executable is not installed") from None
        if done.returncode != 0:
            message = _scrub(trim_body(done.stderr or done.stdout, 400))
            raise GitError(f"git {args[0]} failed: {message}")
        return done

    def resolve(self, url: str, version: str, *, env: Mapping[str, str], timeout: float) -> tuple[Path, str]:
        """Make the mirror of ``url`` hold ``version`` (branch, tag or commit) and return (mirror, commit).

        Branches and tags are fetched every time (they move); a commit already in the mirror is used as is.
        """
        mirror = self.mirror_path(url)
        deadline = time.monotonic() + timeout
        with self.locked(mirror):
            if not (mirror / "HEAD").exists():
                shutil.rmtree(mirror, ignore_errors=True)
                self.run(["init", "--quiet", "--bare", str(mirror)], cwd=None, env=env, timeout=timeout)
            if _HEX.match(version):
                commit = self._local_commit(mirror, version, env)
                if commit is not None:
                    self._touch(mirror)
                    return mirror, commit
            self.run(
                [
                    "fetch",
                    "--quiet",
                    "--prune",
                    "--no-tags",
                    "--",
                    url,
                    "+refs/heads/*:refs/heads/*",
                    "+refs/tags/*:refs/tags/*",
                ],
                cwd=mirror,
                env=env,
                timeout=max(1.0, deadline - time.monotonic()),
            )
            for candidate in (f"refs/heads/{version}", f"refs/tags/{version}"):
                commit = self._local_commit(mirror, candidate, env)
                if commit is not None:
                    self._touch(mirror)
                    return mirror, commit
            if _HEX.match(version):
                commit = self._local_commit(mirror, version, env)
                if commit is None and len(version) == 40:
                    with contextlib.suppress(GitError):
                        self.run(
                            ["fetch", "--quiet", "--", url, version],
                            cwd=mirror,
                            env=env,
                            timeout=max(1.0, deadline - time.monotonic()),
                        )
                    commit = self._local_commit(mirror, version, env)
                if commit is not None:
                    self._touch(mirror)
                    return mirror, commit
            raise GitError(f"{safe_url(url)} has no branch, tag or commit named {version!r}")

    def _local_commit(self, mirror: Path, rev: str, env: Mapping[str, str]) -> str | None:
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
            cwd=mirror,
            env={**_base_env(), **env},
            capture_output=True,
            timeout=30,
            check=False,
        )
        if done.returncode != 0:
            return None
        return done.stdout.decode().strip() or None

    def _touch(self, mirror: Path) -> None:
        Path(f"{mirror}.used").touch()

    def prune_expired(self) -> list[Path]:
        """Delete mirrors not used within the retention; mirrors in use are left alone."""
        removed: list[Path] = []
        if not self.root.is_dir():
            return removed
        now = time.time()
        for stamp in self.root.glob("*.used"):
            mirror = Path(str(stamp)[: -len(".used")])
            try:
                if now - stamp.stat().st_mtime <= self.retention_seconds:
                    continue
                with open(f"{mirror}.lock", "a+") as handle:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue
                    try:
                        shutil.rmtree(mirror, ignore_errors=True)
                        stamp.unlink(missing_ok=True)
                        removed.append(mirror)
                    finally:
                        fcntl.flock(handle, fcntl.LOCK_UN)
            except FileNotFoundError:
                continue
        return removed


def _base_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "SSH_AUTH_SOCK")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "true",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "LC_ALL": "C",
        }
    )
    return env


def git_config_env(settings: Mapping[str, str]) -> dict[str, str]:
    """Git configuration passed through the environment (``GIT_CONFIG_COUNT``, git >= 2.31)."""
    env = {"GIT_CONFIG_COUNT": str(len(settings))}
    for i, (key, value) in enumerate(settings.items()):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    return env
