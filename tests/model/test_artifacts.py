"""Expected-artifact matching and resolution, in Orca's order (gennaker.model.artifacts)."""

from __future__ import annotations

from typing import Any

import pytest

from gennaker.model.artifacts import (
    Artifact,
    ArtifactResolutionError,
    ExpectedArtifact,
    artifact_matches,
    artifacts_of_execution,
    resolve_expected_artifact,
    resolve_trigger_artifacts,
)

IMAGE = {
    "type": "docker/image",
    "name": "ghcr.io/acme/web",
    "reference": "ghcr.io/acme/web:1.2.3",
    "version": "1.2.3",
}


@pytest.mark.parametrize(
    ("match", "candidate", "expected"),
    [
        ({}, IMAGE, True),
        ({"type": "docker/image"}, IMAGE, True),
        ({"type": "docker/image", "name": "ghcr.io/acme/web"}, IMAGE, True),
        ({"name": "ghcr.io/acme/.*"}, IMAGE, True),
        ({"name": "acme"}, IMAGE, False),  # a regex must match the whole field
        ({"name": "ghcr.io/acme/api"}, IMAGE, False),
        ({"version": "1\\.2\\..*"}, IMAGE, True),
        ({"location": "prod"}, IMAGE, False),  # the candidate has no location
        ({"reference": "ghcr.io/acme/web:1.2.3"}, IMAGE, True),
        ({"name": "[unclosed"}, {"name": "[unclosed"}, True),  # an invalid regex still matches by equality
        ({"name": "[unclosed"}, {"name": "other"}, False),
        ({"artifactAccount": "x", "uuid": "u"}, IMAGE, True),  # account and uuid are never compared
    ],
)
def test_match_rules(match: dict[str, Any], candidate: dict[str, Any], expected: bool) -> None:
    assert artifact_matches(Artifact.model_validate(match), Artifact.model_validate(candidate)) is expected


def expected(**kw: Any) -> dict[str, Any]:
    return {
        "id": "img",
        "displayName": "web image",
        "matchArtifact": {"type": "docker/image", "name": "ghcr.io/acme/web"},
        **kw,
    }


def test_trigger_artifact_binds_and_is_recorded() -> None:
    trigger = {"type": "docker", "artifacts": [IMAGE], "expectedArtifactIds": ["img"]}
    out = resolve_trigger_artifacts([expected()], trigger)
    assert out["resolvedExpectedArtifacts"][0]["boundArtifact"]["reference"] == "ghcr.io/acme/web:1.2.3"
    assert out["artifacts"] == [IMAGE]
    assert trigger == {"type": "docker", "artifacts": [IMAGE], "expectedArtifactIds": ["img"]}  # not mutated


def test_only_listed_expected_artifacts_are_resolved() -> None:
    other = {"id": "chart", "matchArtifact": {"type": "helm/chart"}}
    out = resolve_trigger_artifacts(
        [expected(), other], {"artifacts": [IMAGE], "expectedArtifactIds": ["img"]}
    )
    assert [e["id"] for e in out["resolvedExpectedArtifacts"]] == ["img"]


def test_unmatched_without_fallback_names_the_artifact() -> None:
    with pytest.raises(ArtifactResolutionError) as err:
        resolve_trigger_artifacts([expected()], {"artifacts": [], "expectedArtifactIds": ["img"]})
    assert "'web image'" in str(err.value)
    assert "could not be resolved" in str(err.value)
    assert err.value.expected_artifact_id == "img"


def test_default_artifact_is_used_when_nothing_matches() -> None:
    default = {**IMAGE, "reference": "ghcr.io/acme/web:stable", "version": "stable"}
    out = resolve_trigger_artifacts(
        [expected(useDefaultArtifact=True, defaultArtifact=default)], {"expectedArtifactIds": ["img"]}
    )
    assert out["resolvedExpectedArtifacts"][0]["boundArtifact"]["version"] == "stable"
    assert out["artifacts"] == [default]


def test_prior_artifact_beats_default_and_is_read_lazily() -> None:
    calls: list[int] = []
    prior_image = {**IMAGE, "version": "1.0.0", "reference": "ghcr.io/acme/web:1.0.0"}

    def prior() -> list[Artifact]:
        calls.append(1)
        return [Artifact.model_validate(prior_image)]

    exp = ExpectedArtifact.model_validate(
        expected(
            usePriorArtifact=True, useDefaultArtifact=True, defaultArtifact={**IMAGE, "version": "stable"}
        )
    )
    assert resolve_expected_artifact(exp, [], prior).version == "1.0.0"
    assert calls == [1]
    # a received match never consults the previous execution
    exp2 = ExpectedArtifact.model_validate(expected(usePriorArtifact=True))
    assert resolve_expected_artifact(exp2, [Artifact.model_validate(IMAGE)], prior).version == "1.2.3"
    assert calls == [1]


def test_two_received_matches_are_an_error() -> None:
    two = [IMAGE, {**IMAGE, "version": "2", "reference": "ghcr.io/acme/web:2"}]
    with pytest.raises(ArtifactResolutionError, match="matches 2 received artifacts"):
        resolve_trigger_artifacts([expected()], {"artifacts": two})


def test_received_artifacts_are_deduplicated() -> None:
    out = resolve_trigger_artifacts([], {"artifacts": [IMAGE, dict(IMAGE)]}, received_from_pipeline=[IMAGE])
    assert out["artifacts"] == [IMAGE]


def test_unknown_keys_survive() -> None:
    raw = {**IMAGE, "customField": {"a": 1}}
    assert Artifact.model_validate(raw).to_json() == raw


def test_artifacts_of_execution_puts_later_stages_first_then_trigger() -> None:
    execution = {
        "trigger": {"artifacts": [{"type": "git/repo", "name": "t"}]},
        "stages": [
            {"outputs": {"artifacts": [{"type": "a", "name": "first"}]}},
            {"outputs": {}},
            {"outputs": {"artifacts": [{"type": "a", "name": "second"}]}},
        ],
    }
    assert [a.name for a in artifacts_of_execution(execution)] == ["second", "first", "t"]
