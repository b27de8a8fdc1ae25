"""Artifacts and expected artifacts, as Spinnaker models them, and how expected artifacts are resolved.

Who calls it: the engine when a pipeline is triggered (``resolve_trigger_artifacts``), stages that produce
or consume artifacts, the artifact accounts and the manifest binder (``gennaker.artifacts``).

Formats: an artifact is kork's ``Artifact`` JSON (``type``, ``customKind``, ``name``, ``version``,
``location``, ``reference``, ``metadata``, ``artifactAccount``, ``provenance``, ``uuid``); an expected
artifact is ``{id, displayName, matchArtifact, useDefaultArtifact, defaultArtifact, usePriorArtifact,
boundArtifact}``. Unknown keys are kept, so anything Spinnaker adds later survives a round trip.

Invariants (Orca's ArtifactResolver, reproduced):
- ``matchArtifact`` compares only ``type``, ``name``, ``version``, ``location`` and ``reference``; an empty
  field matches anything; a non-empty one must equal the candidate's field or match it in full as a
  regular expression. ``uuid``, ``provenance`` and ``artifactAccount`` are never compared.
- Resolution order for one expected artifact: an already bound artifact; else exactly one match among the
  received artifacts (several matches are an error); else, with ``usePriorArtifact``, one match among the
  artifacts of the pipeline's previous execution; else, with ``useDefaultArtifact``, the default artifact;
  else the trigger is rejected, naming the expected artifact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MATCHED_FIELDS: tuple[str, ...] = ("type", "name", "version", "location", "reference")


class Artifact(BaseModel):
    """One artifact: a Docker image, a file in GitHub or S3, a Helm chart, a Kubernetes object..."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    type: str | None = None
    custom_kind: bool | None = Field(default=None, alias="customKind")
    name: str | None = None
    version: str | None = None
    location: str | None = None
    reference: str | None = None
    metadata: dict[str, Any] | None = None
    artifact_account: str | None = Field(default=None, alias="artifactAccount")
    provenance: str | None = None
    uuid: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Spinnaker's JSON for this artifact (camelCase keys, unset fields left out)."""
        return self.model_dump(by_alias=True, exclude_none=True)

    def identity(self) -> tuple[Any, ...]:
        """What makes two artifacts the same one (Orca de-duplicates received artifacts by value)."""
        data = self.to_json()
        return tuple(sorted((k, repr(v)) for k, v in data.items()))

    def describe(self) -> str:
        """A short human description for error messages."""
        parts = [f"{f}={getattr(self, f)!r}" for f in MATCHED_FIELDS if getattr(self, f)]
        return "Artifact(" + ", ".join(parts) + ")"


class ExpectedArtifact(BaseModel):
    """An artifact a pipeline (or a stage) expects, with how to find it and what to fall back on."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: str
    display_name: str | None = Field(default=None, alias="displayName")
    match_artifact: Artifact = Field(default_factory=Artifact, alias="matchArtifact")
    use_default_artifact: bool = Field(default=False, alias="useDefaultArtifact")
    default_artifact: Artifact | None = Field(default=None, alias="defaultArtifact")
    use_prior_artifact: bool = Field(default=False, alias="usePriorArtifact")
    bound_artifact: Artifact | None = Field(default=None, alias="boundArtifact")

    def to_json(self) -> dict[str, Any]:
        """Spinnaker's JSON for this expected artifact."""
        return self.model_dump(by_alias=True, exclude_none=True)

    def describe(self) -> str:
        """A short human description for error messages: the display name or id, and what it matches."""
        label = self.display_name or self.id
        return f"'{label}' (id {self.id}, matching {self.match_artifact.describe()})"

    def matches(self, candidate: Artifact) -> bool:
        """Whether ``candidate`` satisfies this expected artifact's ``matchArtifact``."""
        return artifact_matches(self.match_artifact, candidate)


class ArtifactResolutionError(ValueError):
    """An expected artifact could not be bound; the message names it and says why."""

    def __init__(self, message: str, expected_artifact_id: str) -> None:
        super().__init__(message)
        self.expected_artifact_id = expected_artifact_id


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def field_matches(expected: str | None, actual: str | None) -> bool:
    """kork's rule for one field: empty matches anything, else equality or a full regex match."""
    if not expected:
        return True
    if actual is None:
        return False
    if expected == actual:
        return True
    compiled = _compiled(expected)
    return compiled is not None and compiled.fullmatch(actual) is not None


def artifact_matches(match: Artifact, candidate: Artifact) -> bool:
    """Whether ``candidate`` matches the pattern artifact ``match`` on every compared field."""
    return all(field_matches(getattr(match, f), getattr(candidate, f)) for f in MATCHED_FIELDS)


def _match_single(expected: ExpectedArtifact, candidates: Sequence[Artifact], source: str) -> Artifact | None:
    found = [a for a in candidates if expected.matches(a)]
    if not found:
        return None
    if len(found) > 1:
        listed = ", ".join(a.describe() for a in found)
        raise ArtifactResolutionError(
            f"Expected artifact {expected.describe()} matches {len(found)} {source} artifacts, "
            f"it must match exactly one: {listed}",
            expected.id,
        )
    return found[0]


def resolve_expected_artifact(
    expected: ExpectedArtifact,
    received: Sequence[Artifact],
    prior: Callable[[], Sequence[Artifact]] | None = None,
) -> Artifact:
    """Bind one expected artifact in Orca's order and return the bound artifact.

    ``prior`` is called lazily (it reads the previous execution) and only when ``usePriorArtifact`` is set
    and nothing received matched. Raises ``ArtifactResolutionError`` naming the artifact when nothing binds.
    """
    if expected.bound_artifact is not None:
        return expected.bound_artifact
    bound = _match_single(expected, received, "received")
    if bound is None and expected.use_prior_artifact and prior is not None:
        bound = _match_single(expected, list(prior()), "prior")
    if bound is None and expected.use_default_artifact and expected.default_artifact is not None:
        bound = expected.default_artifact
    if bound is None:
        reasons = [f"none of the {len(received)} received artifact(s) matched"]
        if expected.use_prior_artifact:
            reasons.append("no artifact of the previous execution matched")
        if not expected.use_default_artifact:
            reasons.append("no default artifact is enabled")
        elif expected.default_artifact is None:
            reasons.append("useDefaultArtifact is set but defaultArtifact is missing")
        raise ArtifactResolutionError(
            f"Unmatched expected artifact {expected.describe()} could not be resolved: " + "; ".join(reasons),
            expected.id,
        )
    expected.bound_artifact = bound
    return bound


def _distinct(artifacts: Iterable[Artifact]) -> list[Artifact]:
    seen: set[tuple[Any, ...]] = set()
    out: list[Artifact] = []
    for artifact in artifacts:
        key = artifact.identity()
        if key not in seen:
            seen.add(key)
            out.append(artifact)
    return out


def resolve_trigger_artifacts(
    expected_artifacts: Sequence[dict[str, Any]],
    trigger: dict[str, Any],
    received_from_pipeline: Sequence[dict[str, Any]] = (),
    prior: Callable[[], Sequence[Artifact]] | None = None,
) -> dict[str, Any]:
    """Resolve a pipeline's expected artifacts against a trigger, as Orca does when a pipeline starts.

    Only the expected artifacts whose ids the trigger lists in ``expectedArtifactIds`` are resolved (a
    manual trigger from the UI lists all of them). Returns a new trigger dict whose ``artifacts`` holds the
    received plus bound artifacts (distinct, received first) and whose ``resolvedExpectedArtifacts`` (and
    ``expectedArtifacts``) hold the expected artifacts with ``boundArtifact`` set. Nothing is mutated.
    """
    wanted = trigger.get("expectedArtifactIds")
    expected = [ExpectedArtifact.model_validate(e) for e in expected_artifacts]
    if wanted is not None:
        expected = [e for e in expected if e.id in set(wanted)]
    received = _distinct(
        Artifact.model_validate(a) for a in [*received_from_pipeline, *(trigger.get("artifacts") or [])]
    )
    result = dict(trigger)
    if not expected:
        result["artifacts"] = [a.to_json() for a in received]
        return result
    bound = [resolve_expected_artifact(e, received, prior) for e in expected]
    result["artifacts"] = [a.to_json() for a in _distinct([*received, *bound])]
    resolved = [e.to_json() for e in expected]
    result["expectedArtifacts"] = resolved
    result["resolvedExpectedArtifacts"] = resolved
    return result


def artifacts_of_execution(execution: dict[str, Any]) -> list[Artifact]:
    """Every artifact an execution holds: stage outputs (later stages first), then the trigger's.

    Orca's ``getAllArtifacts``: this is what ``usePriorArtifact`` searches in the previous execution. Stages
    are expected in execution order (topological order of the graph, as the engine stores them).
    """
    emitted: list[Artifact] = []
    for stage in execution.get("stages") or []:
        for raw in (stage.get("outputs") or {}).get("artifacts") or []:
            emitted.append(Artifact.model_validate(raw))
    emitted.reverse()
    trigger_artifacts = [
        Artifact.model_validate(a) for a in (execution.get("trigger") or {}).get("artifacts") or []
    ]
    return [*emitted, *trigger_artifacts]
