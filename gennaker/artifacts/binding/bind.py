"""Binding artifacts into manifests, as a deploy or patch does before it applies them.

Who calls it: deployManifest, patchManifest and runJobManifest (through the Kubernetes provider) with the
stage's required artifacts (``requiredArtifactIds`` / ``requiredArtifacts``, resolved) and the optional ones
(every artifact of the execution: trigger plus upstream ``outputs.artifacts``). Pure functions over manifest
dicts: the input is never modified; the result holds new manifests and the artifacts that were bound
(the stage's ``outputs.boundArtifacts``).

Rules (Spinnaker's ``ArtifactReplacer``):
- required and optional artifacts are merged by (type, name, location); on a collision the required one
  wins;
- a ``kubernetes/*`` artifact binds into a manifest only if its ``location`` equals the manifest's namespace
  and its ``metadata.account`` is empty or equals the target account;
- each artifact type has one binder (``binders.BINDERS``); docker images match by name and tag by default
  (``ImageBindingMode``);
- every required artifact must bind somewhere in the manifests, or ``UnboundArtifactsError`` lists each one
  that did not and why (what the manifests contain instead); optional artifacts bind silently.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gennaker.artifacts.binding.binders import BINDERS, BindAttempt
from gennaker.artifacts.binding.images import ImageBindingMode, binding_name
from gennaker.artifacts.errors import ArtifactError, describe_artifact
from gennaker.model.artifacts import Artifact

ArtifactKey = tuple[str | None, str | None, str | None]


class UnboundArtifactsError(ArtifactError):
    """Required artifacts that did not bind; ``unbound`` pairs each with the reason."""

    def __init__(self, unbound: list[tuple[Artifact, str]]) -> None:
        self.unbound = unbound
        lines = [f"- {describe_artifact(a)}: {why}" for a, why in unbound]
        hint = ""
        if any(a.type == "docker/image" for a, _ in unbound):
            hint = (
                "\nCheck that each Docker image name above matches the name used in the image field of your "
                "manifests (the image without its tag or digest)."
            )
        super().__init__(
            f"The following required artifacts could not be bound ({len(unbound)}):\n"
            + "\n".join(lines)
            + hint
        )


@dataclass
class BindingResult:
    """The manifests with artifacts bound, and the artifacts that were bound (required ones first)."""

    manifests: list[dict[str, Any]]
    bound: list[Artifact] = field(default_factory=list)

    @property
    def manifest(self) -> dict[str, Any]:
        """The single manifest, when one was bound."""
        return self.manifests[0]

    def bound_json(self) -> list[dict[str, Any]]:
        """``bound`` as Spinnaker's JSON, for ``outputs.boundArtifacts``."""
        return [a.to_json() for a in self.bound]


def artifact_key(artifact: Artifact) -> ArtifactKey:
    """What makes two artifacts collide: (type, name, location)."""
    return (artifact.type, artifact.name, artifact.location)


def _namespace_of(manifest: Mapping[str, Any], default_namespace: str | None) -> str:
    metadata = manifest.get("metadata")
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    return str(namespace or default_namespace or "")


def _kubernetes_mismatch(artifact: Artifact, namespace: str, account: str | None) -> str | None:
    if not (artifact.type or "").startswith("kubernetes/"):
        return None
    if (artifact.location or "") != namespace:
        return f"its location {artifact.location or ''!r} is not the manifest's namespace {namespace!r}"
    artifact_account = (artifact.metadata or {}).get("account")
    if artifact_account and account is not None and artifact_account != account:
        return f"its metadata.account {artifact_account!r} is not the target account {account!r}"
    return None


@dataclass
class _Tally:
    bound: bool = False
    seen: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)


def bind_artifacts(
    manifests: Sequence[Mapping[str, Any]],
    required: Sequence[Artifact] = (),
    optional: Sequence[Artifact] = (),
    *,
    account: str | None = None,
    default_namespace: str | None = None,
    image_mode: ImageBindingMode = ImageBindingMode.MATCH_NAME_AND_TAG,
) -> BindingResult:
    """Bind ``required`` and ``optional`` artifacts into copies of ``manifests``.

    ``account`` is the target Kubernetes account; ``default_namespace`` is used for manifests without
    ``metadata.namespace`` (apply ``namespaceOverride`` to the manifests before calling). Raises
    ``UnboundArtifactsError`` when a required artifact binds nowhere.
    """
    merged: dict[ArtifactKey, tuple[Artifact, bool]] = {}
    for artifact in required:
        merged[artifact_key(artifact)] = (artifact, True)
    for artifact in optional:
        merged.setdefault(artifact_key(artifact), (artifact, False))

    result = BindingResult([copy.deepcopy(dict(m)) for m in manifests])
    tallies = {key: _Tally() for key in merged}
    bound_keys: list[ArtifactKey] = []
    for manifest in result.manifests:
        namespace = _namespace_of(manifest, default_namespace)
        for key, (artifact, _required) in merged.items():
            binder = BINDERS.get(artifact.type or "")
            if binder is None or not artifact.name:
                continue
            mismatch = _kubernetes_mismatch(artifact, namespace, account)
            tally = tallies[key]
            if mismatch is not None:
                tally.mismatches.append(mismatch)
                continue
            attempt: BindAttempt = binder(manifest, artifact, image_mode)
            tally.seen.extend(attempt.seen)
            if attempt.replaced:
                tally.bound = True
                if key not in bound_keys:
                    bound_keys.append(key)
    result.bound = [merged[k][0] for k in bound_keys]

    unbound = [
        (artifact, _why_unbound(artifact, tallies[key], image_mode))
        for key, (artifact, is_required) in merged.items()
        if is_required and not tallies[key].bound
    ]
    if unbound:
        raise UnboundArtifactsError(unbound)
    return result


def bind_manifest(
    manifest: Mapping[str, Any],
    required: Sequence[Artifact] = (),
    optional: Sequence[Artifact] = (),
    *,
    account: str | None = None,
    default_namespace: str | None = None,
    image_mode: ImageBindingMode = ImageBindingMode.MATCH_NAME_AND_TAG,
) -> BindingResult:
    """``bind_artifacts`` for one manifest."""
    return bind_artifacts(
        [manifest],
        required,
        optional,
        account=account,
        default_namespace=default_namespace,
        image_mode=image_mode,
    )


def _listed(values: list[str], limit: int = 8) -> str:
    distinct = list(dict.fromkeys(values))
    shown = ", ".join(repr(v) for v in distinct[:limit])
    return shown + (f" and {len(distinct) - limit} more" if len(distinct) > limit else "")


def _why_unbound(artifact: Artifact, tally: _Tally, mode: ImageBindingMode) -> str:
    kind = artifact.type or ""
    if kind not in BINDERS:
        known = ", ".join(sorted(BINDERS))
        return f"artifacts of type {kind!r} are never bound into manifests (bindable types: {known})"
    if not artifact.name:
        return "it has no name, and binding matches on the name"
    if tally.mismatches and not tally.seen:
        return "no manifest can take it: " + "; ".join(dict.fromkeys(tally.mismatches))
    what = {
        "docker/image": "container image",
        "kubernetes/configMap": "ConfigMap reference",
        "kubernetes/secret": "Secret reference",
        "kubernetes/deployment": "HorizontalPodAutoscaler target (kind Deployment)",
        "kubernetes/replicaSet": "HorizontalPodAutoscaler target (kind ReplicaSet)",
    }.get(kind, "bindable field")
    if not tally.seen:
        reason = f"the manifests contain no {what} for it to replace"
    elif kind == "docker/image":
        names = [f"{image} (name {binding_name(image, mode)!r})" for image in tally.seen]
        reason = f"no {what} is named {artifact.name!r}; images found: {', '.join(dict.fromkeys(names))}"
        if mode is ImageBindingMode.MATCH_NAME_ONLY:
            reason += " (match-name-only mode: the image must equal the name exactly, without a tag)"
    else:
        reason = f"no {what} is named {artifact.name!r}; found: {_listed(tally.seen)}"
    if tally.mismatches:
        reason += "; other manifests were skipped: " + "; ".join(dict.fromkeys(tally.mismatches))
    return reason
