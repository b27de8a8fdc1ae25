"""Artifacts of Kubernetes objects: what a live object uses (findArtifactsFromResource) and what a deploy
produces (the object's own artifact, ``name-vNNN`` for versioned kinds).

Who calls it: the findArtifactsFromResource stage (``artifacts_from_resource`` on the live object it read),
deployManifest (``versioned_artifact`` / ``artifact_for_object`` for ``outputs.createdArtifacts``) and the
manifest versioning code (``split_versioned_name``, ``versioned_name``).

Formats (Spinnaker's ``ArtifactConverter`` and replacers):
- the object itself: ``type: kubernetes/<kind in lowerCamel>`` (``kubernetes/replicaSet``), ``name`` = the
  unversioned name, ``version`` = ``vNNN`` or empty, ``reference`` = ``metadata.name``, ``location`` = the
  namespace (empty for cluster-scoped kinds), ``metadata.account`` = the account;
- images: ``docker/image`` with ``name`` = the image without tag or digest, ``version`` = the tag (or the
  digest when there is no tag), ``reference`` = the image as written;
- ConfigMaps and Secrets the pod specs refer to: ``kubernetes/configMap`` / ``kubernetes/secret`` with the
  reference split into name and version the same way (Spinnaker puts the versioned name in ``name`` too; we
  split it, so an expected artifact matching ``name: web-config`` finds it), location and account as above;
- an HPA's scale target: ``kubernetes/deployment`` / ``kubernetes/replicaSet``.
Names and versions come from the ``artifact.spinnaker.io/name`` and ``/version`` annotations when present.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gennaker.artifacts.binding.binders import config_map_slots, image_slots, scale_target_slots, secret_slots
from gennaker.artifacts.binding.images import parse_image
from gennaker.model.artifacts import Artifact

_VERSIONED = re.compile(r"^(?P<base>.+)-v(?P<number>\d{3,})$")
ANNOTATION_NAME = "artifact.spinnaker.io/name"
ANNOTATION_VERSION = "artifact.spinnaker.io/version"


def lower_camel(kind: str) -> str:
    """``ReplicaSet`` -> ``replicaSet`` (Spinnaker's spelling of kinds in artifact types and names)."""
    return kind[:1].lower() + kind[1:]


def versioned_name(base: str, number: int) -> str:
    """``web``, 3 -> ``web-v003`` (past 999 the number just widens: ``web-v1000``)."""
    if number < 0:
        raise ValueError(f"version number must be >= 0, got {number}")
    return f"{base}-v{number:03d}"


def split_versioned_name(name: str) -> tuple[str, str | None]:
    """``web-v003`` -> (``web``, ``v003``); an unversioned name -> (name, None)."""
    match = _VERSIONED.match(name)
    if match is None:
        return name, None
    return match.group("base"), f"v{match.group('number')}"


def _metadata(account: str | None) -> dict[str, Any] | None:
    return {"account": account} if account else None


def versioned_artifact(
    kind: str, base_name: str, number: int | None, namespace: str | None, account: str | None
) -> Artifact:
    """The artifact of an object deployed as ``base_name`` at version ``number`` (None: unversioned)."""
    return Artifact(
        type=f"kubernetes/{lower_camel(kind)}",
        name=base_name,
        version=f"v{number:03d}" if number is not None else None,
        reference=versioned_name(base_name, number) if number is not None else base_name,
        location=namespace or "",
        metadata=_metadata(account),
    )


def artifact_for_object(obj: Mapping[str, Any], account: str | None) -> Artifact:
    """The artifact of a (live or deployed) object itself."""
    metadata = obj.get("metadata") or {}
    full_name = str(metadata.get("name") or "")
    annotations = metadata.get("annotations") or {}
    base, version = split_versioned_name(full_name)
    if annotations.get(ANNOTATION_NAME):
        base = str(annotations[ANNOTATION_NAME])
        version = str(annotations.get(ANNOTATION_VERSION) or "") or (version if full_name != base else None)
    return Artifact(
        type=f"kubernetes/{lower_camel(str(obj.get('kind') or ''))}",
        name=base,
        version=version,
        reference=full_name,
        location=str(metadata.get("namespace") or ""),
        metadata=_metadata(account),
    )


def _reference_artifact(kind: str, value: str, namespace: str, account: str | None) -> Artifact:
    base, version = split_versioned_name(value)
    return Artifact(
        type=f"kubernetes/{kind}",
        name=base,
        version=version,
        reference=value,
        location=namespace,
        metadata=_metadata(account),
    )


def artifacts_from_resource(obj: Mapping[str, Any], account: str | None = None) -> list[Artifact]:
    """Every artifact a live object uses, then the object itself (distinct, in that order)."""
    manifest = dict(obj)
    namespace = str((obj.get("metadata") or {}).get("namespace") or "")
    found: list[Artifact] = []
    for holder, key in image_slots(manifest):
        image = holder.get(key)
        if isinstance(image, str) and image:
            parsed = parse_image(image)
            found.append(
                Artifact(
                    type="docker/image",
                    name=parsed.name,
                    version=parsed.tag or parsed.digest,
                    reference=image,
                )
            )
    for kind, slots in (("configMap", config_map_slots(manifest)), ("secret", secret_slots(manifest))):
        for holder, key in slots:
            value = holder.get(key)
            if isinstance(value, str) and value:
                found.append(_reference_artifact(kind, value, namespace, account))
    for target_kind, kinds in (
        ("deployment", ("Deployment", "deployment")),
        ("replicaSet", ("ReplicaSet", "replicaSet")),
    ):
        for holder, key in scale_target_slots(manifest, kinds):
            value = holder.get(key)
            if isinstance(value, str) and value:
                found.append(_reference_artifact(target_kind, value, namespace, account))
    found.append(artifact_for_object(obj, account))
    distinct: list[Artifact] = []
    for artifact in found:
        if all(artifact.identity() != seen.identity() for seen in distinct):
            distinct.append(artifact)
    return distinct
