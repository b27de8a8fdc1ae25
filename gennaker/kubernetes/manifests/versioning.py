"""Versioned objects (``web-v000``, ``web-v001``...): which version a deploy gets, and the old versions.

Who calls it: the deploy planner (``choose_version``), the cleanup after a stable deploy
(``versions_of`` with ``max-version-history``) and ``use-source-capacity``.

Rule (Spinnaker's ResourceVersioner, improved): among the live objects of the kind in the namespace whose
``artifact.spinnaker.io/name`` is the base name, reuse the version whose *content* equals the new
manifest's, the deploy then being an idempotent re-apply; otherwise take the highest number + 1, or 0.
Content is the manifest with ``metadata`` removed, after artifact binding and reference rewriting and
before Gennaker adds its labels (a new image makes a new version; a label or annotation change does not).
Gennaker records it as the annotation ``gennaker.io/content-hash`` (sha256 of canonical JSON), so a Secret's
content is compared without reading its data back; objects deployed by Spinnaker (no hash annotation) are
compared through their ``kubectl.kubernetes.io/last-applied-configuration``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gennaker.artifacts.produced import ANNOTATION_NAME, ANNOTATION_VERSION, split_versioned_name

CONTENT_HASH = "gennaker.io/content-hash"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
IGNORED_KEYS = ("metadata", "status", "__where__")


def content_hash(manifest: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` of the manifest without metadata and status."""
    body = {k: v for k, v in manifest.items() if k not in IGNORED_KEYS}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def live_hash(obj: Mapping[str, Any]) -> str | None:
    """The content hash of a live object: its annotation, else computed from last-applied."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if annotations.get(CONTENT_HASH):
        return str(annotations[CONTENT_HASH])
    last = annotations.get(LAST_APPLIED)
    if last:
        try:
            return content_hash(json.loads(last))
        except ValueError:
            return None
    return None


def version_number(obj: Mapping[str, Any]) -> int | None:
    """The version number of a live versioned object (annotation, else its name)."""
    metadata = obj.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    text = annotations.get(ANNOTATION_VERSION)
    if not text:
        text = split_versioned_name(str(metadata.get("name") or ""))[1]
    if text and str(text).startswith("v") and str(text)[1:].isdigit():
        return int(str(text)[1:])
    return None


def versions_of(base_name: str, live: Iterable[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any]]]:
    """``(number, object)`` of every live version of ``base_name``, oldest first (by creation time, then
    number)."""
    found = []
    for obj in live:
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if annotations.get(ANNOTATION_NAME) != base_name:
            continue
        number = version_number(obj)
        if number is not None:
            found.append((number, obj))
    found.sort(
        key=lambda pair: (str((pair[1].get("metadata") or {}).get("creationTimestamp") or ""), pair[0])
    )
    return found


@dataclass(frozen=True)
class VersionChoice:
    """The version a manifest gets; ``reused`` when an identical live version exists."""

    number: int
    reused: bool
    latest: Mapping[str, Any] | None = None


def choose_version(base_name: str, manifest_hash: str, live: Iterable[Mapping[str, Any]]) -> VersionChoice:
    """See the module docstring."""
    versions = versions_of(base_name, live)
    latest = versions[-1][1] if versions else None
    for number, obj in reversed(versions):
        if live_hash(obj) == manifest_hash:
            return VersionChoice(number, True, latest)
    if not versions:
        return VersionChoice(0, False, None)
    return VersionChoice(max(n for n, _ in versions) + 1, False, latest)
