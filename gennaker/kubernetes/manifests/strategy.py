"""Strategy annotations (``strategy.spinnaker.io/*``) of a manifest, read once and checked.

Who calls it: the deploy planner. The annotations (on ``metadata.annotations``):

- ``versioned``: ``"true"|"false"``; wins over the operation's ``versioned`` and the kind's default;
- ``max-version-history``: ``"N"``; after the stage is stable, only the newest N versions are kept;
- ``recreate``: ``"true"``; delete the object (errors ignored) before applying it;
- ``replace``: ``"true"``; ``kubectl replace`` (``create`` when missing) instead of ``apply``;
- ``server-side-apply``: ``"true"`` (the default here), ``"false"`` (client-side apply) or
  ``"force-conflicts"`` (server-side, taking over fields other managers own);
- ``use-source-capacity``: ``"true"``; keep the live replica count (of the latest version when versioned).

A value that is not one of those is a ``ManifestError`` naming the annotation and the manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gennaker.kubernetes.errors import ManifestError

PREFIX = "strategy.spinnaker.io/"
VERSIONED = PREFIX + "versioned"
MAX_VERSION_HISTORY = PREFIX + "max-version-history"
RECREATE = PREFIX + "recreate"
REPLACE = PREFIX + "replace"
SERVER_SIDE_APPLY = PREFIX + "server-side-apply"
USE_SOURCE_CAPACITY = PREFIX + "use-source-capacity"


@dataclass(frozen=True)
class Strategy:
    """The strategy of one manifest."""

    versioned: bool | None = None
    max_version_history: int | None = None
    recreate: bool = False
    replace: bool = False
    server_side: bool = True
    force_conflicts: bool = False
    use_source_capacity: bool = False

    @property
    def apply_mode(self) -> str:
        if self.replace:
            return "replace"
        if not self.server_side:
            return "client-side apply"
        return "server-side apply (force conflicts)" if self.force_conflicts else "server-side apply"


def _bool(annotations: Mapping[str, Any], key: str, where: str) -> bool | None:
    value = annotations.get(key)
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise ManifestError(f'{where}: annotation {key} must be "true" or "false", not {value!r}')


def read_strategy(manifest: Mapping[str, Any], where: str) -> Strategy:
    """The manifest's strategy annotations."""
    annotations = (manifest.get("metadata") or {}).get("annotations") or {}
    history = annotations.get(MAX_VERSION_HISTORY)
    max_history: int | None = None
    if history is not None:
        try:
            max_history = int(str(history).strip())
        except ValueError:
            raise ManifestError(
                f"{where}: annotation {MAX_VERSION_HISTORY} must be a number, not {history!r}"
            ) from None
        if max_history < 1:
            raise ManifestError(
                f"{where}: annotation {MAX_VERSION_HISTORY} must be at least 1, not {history!r}"
            )
    ssa = annotations.get(SERVER_SIDE_APPLY)
    server_side, force = True, False
    if ssa is not None:
        text = str(ssa).strip().lower()
        if text == "force-conflicts":
            force = True
        elif text in ("true", "false"):
            server_side = text == "true"
        else:
            raise ManifestError(
                f'{where}: annotation {SERVER_SIDE_APPLY} must be "true", "false" or "force-conflicts", '
                f"not {ssa!r}"
            )
    replace = bool(_bool(annotations, REPLACE, where))
    return Strategy(
        versioned=_bool(annotations, VERSIONED, where),
        max_version_history=max_history,
        recreate=bool(_bool(annotations, RECREATE, where)),
        replace=replace,
        server_side=server_side,
        force_conflicts=force,
        use_source_capacity=bool(_bool(annotations, USE_SOURCE_CAPACITY, where)),
    )
