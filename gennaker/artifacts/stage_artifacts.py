"""The artifacts a stage can see and the ones it produces, as Orca's ArtifactUtils and
BindProducedArtifactsTask handle them.

Who calls it: every stage that consumes or produces artifacts (bakeManifest's ``inputArtifacts``;
deployManifest, patchManifest and runJobManifest's manifest, required and optional artifacts;
findArtifactsFromResource, bakeManifest and deployManifest binding what they produced).

- optional artifacts: the trigger's ``artifacts`` and ``resolvedExpectedArtifacts`` bound artifacts, and
  the ``artifacts`` and ``resolvedExpectedArtifacts`` of the stage's ancestors' outputs (nearest first);
- an expected artifact id resolves to its bound artifact from the trigger's or an ancestor's
  ``resolvedExpectedArtifacts``; an unknown id fails with Orca's message
  ("No artifact with id X could be found in the pipeline context.");
- ``requiredArtifacts: [{expectedArtifactId, artifact}]``: the inline ``artifact`` wins over the id;
- ``bind_produced``: each of the stage's own ``expectedArtifacts`` must match exactly one produced
  artifact (or fall back to its default); the result is the stage's ``resolvedExpectedArtifacts``.
Nothing here persists; it reads what the engine hands to tasks. Errors are ``ArtifactReferenceError``
(a stage field is wrong) and ``ArtifactResolutionError`` (an expected artifact did not bind), both
``ValueError``s whose message the stage shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from gennaker.artifacts.errors import ArtifactReferenceError
from gennaker.engine.stagedef import TaskInput
from gennaker.model.artifacts import Artifact, ExpectedArtifact, resolve_expected_artifact


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _sources(task: TaskInput) -> Iterator[Mapping[str, Any]]:
    """The trigger, then the outputs of the stage and its ancestors (nearest first)."""
    yield task.trigger
    yield from task.context.ancestor_outputs()


def execution_artifacts(task: TaskInput) -> list[Artifact]:
    """Every artifact the stage may bind optionally (distinct, nearest first, then the trigger's)."""
    seen: set[tuple[Any, ...]] = set()
    found: list[Artifact] = []
    sources = list(_sources(task))
    for source in [*sources[1:], sources[0]]:
        raws = _dicts(source.get("artifacts"))
        raws += [
            e["boundArtifact"]
            for e in _dicts(source.get("resolvedExpectedArtifacts"))
            if isinstance(e.get("boundArtifact"), Mapping)
        ]
        for raw in raws:
            artifact = Artifact.model_validate(raw)
            if artifact.identity() not in seen:
                seen.add(artifact.identity())
                found.append(artifact)
    return found


def bound_artifact_for_id(task: TaskInput, artifact_id: str) -> Artifact | None:
    """The artifact bound to the expected artifact ``artifact_id`` (trigger or ancestors)."""
    for source in _sources(task):
        for key in ("resolvedExpectedArtifacts", "expectedArtifacts"):
            for entry in _dicts(source.get(key)):
                if entry.get("id") == artifact_id and isinstance(entry.get("boundArtifact"), Mapping):
                    return Artifact.model_validate(entry["boundArtifact"])
    return None


def artifact_by_id(task: TaskInput, artifact_id: str) -> Artifact:
    found = bound_artifact_for_id(task, artifact_id)
    if found is None:
        raise ArtifactReferenceError(
            f"No artifact with id {artifact_id} could be found in the pipeline context."
        )
    return found


def required_artifacts(task: TaskInput) -> list[Artifact]:
    """``requiredArtifactIds`` and ``requiredArtifacts`` of the stage, resolved."""
    ctx = task.context
    found: list[Artifact] = []
    ids = ctx.get("requiredArtifactIds") or []
    if not isinstance(ids, list):
        raise ArtifactReferenceError("requiredArtifactIds must be a list of expected artifact ids")
    found += [artifact_by_id(task, str(i)) for i in ids if i]
    for i, entry in enumerate(_dicts(ctx.get("requiredArtifacts"))):
        if isinstance(entry.get("artifact"), Mapping) and entry["artifact"].get("type"):
            found.append(Artifact.model_validate(entry["artifact"]))
        elif entry.get("expectedArtifactId"):
            found.append(artifact_by_id(task, str(entry["expectedArtifactId"])))
        else:
            raise ArtifactReferenceError(f"requiredArtifacts[{i}] needs expectedArtifactId or artifact")
    return found


def manifest_artifact(task: TaskInput) -> tuple[Artifact, str | None]:
    """The manifest artifact of ``source: artifact`` and the account to fetch it with."""
    ctx = task.context
    artifact_id = ctx.get("manifestArtifactId")
    account = ctx.get("manifestArtifactAccount") or None
    inline = ctx.get("manifestArtifact")
    if artifact_id and account:
        raise ArtifactReferenceError(
            "Artifact account must not be set if referencing an artifact produced by a previous stage."
        )
    if isinstance(inline, Mapping) and inline.get("type"):
        artifact = Artifact.model_validate(inline)
    elif artifact_id:
        artifact = artifact_by_id(task, str(artifact_id))
    else:
        raise ArtifactReferenceError(
            "No manifest artifact was specified (set manifestArtifactId or manifestArtifact)."
        )
    return artifact, (str(account) if account else None)


def bind_produced(task: TaskInput, produced: Sequence[Artifact]) -> dict[str, Any]:
    """Orca's BindProducedArtifactsTask: the stage's own ``expectedArtifacts`` resolved against what it
    produced; outputs ``resolvedExpectedArtifacts`` and ``artifacts`` (produced + bound, distinct)."""
    expected = [ExpectedArtifact.model_validate(e) for e in _dicts(task.context.own.get("expectedArtifacts"))]
    if not expected:
        return {}
    bound = [resolve_expected_artifact(e, list(produced)) for e in expected]
    seen: set[tuple[Any, ...]] = set()
    artifacts = []
    for artifact in [*produced, *bound]:
        if artifact.identity() not in seen:
            seen.add(artifact.identity())
            artifacts.append(artifact.to_json())
    return {"resolvedExpectedArtifacts": [e.to_json() for e in expected], "artifacts": artifacts}
