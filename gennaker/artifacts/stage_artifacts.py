"""Artifacts as stages see them: finding the artifact bound to an expected-artifact id, and binding the
artifacts a stage produced to the stage's own ``expectedArtifacts``.

Who calls it: stages that consume artifacts by id (bakeManifest's ``inputArtifacts``, deployManifest's
``manifestArtifactId`` and ``requiredArtifactIds``) and stages that produce artifacts (bakeManifest,
deployManifest, findArtifactsFromResource) before they finish. Orca's ``ArtifactUtils`` reproduced:

- ``bound_artifact_for_stage(execution, stage_id, id, inline)``: with an id, the ``boundArtifact`` of the
  expected artifact with that id, looked up in the trigger's ``resolvedExpectedArtifacts`` and then in the
  ``resolvedExpectedArtifacts`` outputs of the stage's ancestors (nearest first); without an id, the inline
  artifact. An artifact without a ``type`` counts as none.
- ``bind_produced_artifacts(expected, produced)``: each of a stage's ``expectedArtifacts`` must match
  exactly one produced artifact (or fall back to its default artifact); the result is the stage's
  ``resolvedExpectedArtifacts`` (Orca's ``BindProducedArtifactsTask``).
Nothing here persists; it reads the execution JSON the engine hands to tasks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gennaker.engine.stageops import ancestors
from gennaker.model.artifacts import Artifact, ExpectedArtifact, resolve_expected_artifact
from gennaker.store.executions import StageRecord


def _records(execution: Mapping[str, Any]) -> list[StageRecord]:
    out = []
    for i, s in enumerate(execution.get("stages") or []):
        out.append(
            StageRecord(
                id=str(s.get("id")),
                execution_id=str(execution.get("id") or ""),
                seq=i,
                ref_id=s.get("refId"),
                type=str(s.get("type") or ""),
                name=str(s.get("name") or ""),
                status=str(s.get("status") or "NOT_STARTED"),
                parent_stage_id=s.get("parentStageId"),
                synthetic_stage_owner=s.get("syntheticStageOwner"),
                requisite_stage_ref_ids=list(s.get("requisiteStageRefIds") or []),
                outputs=dict(s.get("outputs") or {}),
            )
        )
    return out


def resolved_expected_artifacts(execution: Mapping[str, Any], stage_id: str) -> list[dict[str, Any]]:
    """Every resolved expected artifact visible to the stage: the trigger's, then its ancestors' outputs
    (the stage itself first, nearest ancestors next)."""
    found: list[dict[str, Any]] = []
    stages = _records(execution)
    current = next((s for s in stages if s.id == stage_id), None)
    if current is not None:
        for stage in ancestors(stages, current):
            for item in stage.outputs.get("resolvedExpectedArtifacts") or []:
                if isinstance(item, Mapping):
                    found.append(dict(item))
    trigger = execution.get("trigger") or {}
    for item in trigger.get("resolvedExpectedArtifacts") or []:
        if isinstance(item, Mapping):
            found.append(dict(item))
    return found


def bound_artifact_for_stage(
    execution: Mapping[str, Any],
    stage_id: str,
    expected_artifact_id: str | None,
    inline: Mapping[str, Any] | None = None,
) -> Artifact | None:
    """The artifact a stage refers to by expected-artifact id (or inline); None when there is none."""
    candidate: Mapping[str, Any] | None = None
    if expected_artifact_id:
        for item in resolved_expected_artifacts(execution, stage_id):
            if item.get("id") == expected_artifact_id and isinstance(item.get("boundArtifact"), Mapping):
                candidate = item["boundArtifact"]
                break
    else:
        candidate = inline
    if not candidate or not candidate.get("type"):
        return None
    return Artifact.model_validate(dict(candidate))


def bind_produced_artifacts(
    expected_artifacts: Sequence[Mapping[str, Any]], produced: Sequence[Mapping[str, Any] | Artifact]
) -> list[dict[str, Any]]:
    """The stage's ``resolvedExpectedArtifacts``: each expected artifact bound to the one produced artifact
    it matches (or its default). Raises ``ArtifactResolutionError`` naming the expected artifact."""
    received = [a if isinstance(a, Artifact) else Artifact.model_validate(dict(a)) for a in produced]
    resolved = []
    for raw in expected_artifacts:
        expected = ExpectedArtifact.model_validate(dict(raw))
        expected.bound_artifact = None
        resolve_expected_artifact(expected, received)
        resolved.append(expected.to_json())
    return resolved
