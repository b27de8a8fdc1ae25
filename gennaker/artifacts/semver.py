"""Semantic versions as Helm orders chart versions (Masterminds semver, SemVer 2.0 precedence).

Who calls it: the ``helm/chart`` account (latest version when an artifact's version is empty) and the Helm
repository watcher trigger. Accepted forms: ``1.2.3``, ``v1.2.3``, ``1.2`` and ``1`` (missing parts are 0),
with ``-prerelease`` and ``+build`` suffixes. Anything else is not a version (``parse_version`` -> None) and
never wins "latest".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import total_ordering

_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)(?:\.(?P<minor>0|[1-9]\d*))?(?:\.(?P<patch>0|[1-9]\d*))?"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)


@total_ordering
@dataclass(frozen=True)
class Version:
    """A parsed semantic version; ordered by SemVer 2.0 precedence (build metadata ignored)."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    text: str = ""

    @property
    def is_prerelease(self) -> bool:
        """Whether the version has a pre-release part (``1.0.0-rc.1``)."""
        return bool(self.prerelease)

    def _key(self) -> tuple[object, ...]:
        # A release sorts after all its pre-releases; numeric identifiers sort before alphanumeric ones.
        pre: tuple[tuple[int, int, str], ...] = tuple(
            (0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease
        )
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, pre)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


def parse_version(text: str) -> Version | None:
    """The version ``text`` denotes, or None if it is not a semantic version."""
    match = _SEMVER.match(text.strip())
    if not match:
        return None
    pre = match.group("pre")
    return Version(
        int(match.group("major")),
        int(match.group("minor") or 0),
        int(match.group("patch") or 0),
        tuple(pre.split(".")) if pre else (),
        text,
    )


def latest(versions: Iterable[str], *, include_prerelease: bool = False) -> str | None:
    """The highest version string; pre-releases only if asked, or if there is nothing else."""
    parsed = [v for v in (parse_version(t) for t in versions) if v is not None]
    stable = [v for v in parsed if not v.is_prerelease]
    pool = parsed if include_prerelease or not stable else stable
    return max(pool).text if pool else None


def sort_versions(versions: Iterable[str]) -> list[str]:
    """Version strings from highest to lowest; strings that are not versions come last, as given."""
    items = list(versions)
    parsed = [(parse_version(t), t) for t in items]
    good = sorted(((v, t) for v, t in parsed if v is not None), key=lambda p: p[0], reverse=True)
    return [t for _, t in good] + [t for v, t in parsed if v is None]
