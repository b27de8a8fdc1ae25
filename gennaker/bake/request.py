"""The bakeManifest stage's JSON (Orca's ``BakeManifestContext``), checked, and the request a renderer gets.

Who calls it: the bakeManifest stage (``gennaker.bake.stage``) parses its context with ``parse_context``;
renderers receive a ``BakeRequest`` (inputs already fetched into a workspace directory).

Fields (Spinnaker's names): ``templateRenderer`` (HELM2|HELM3|KUSTOMIZE|KUSTOMIZE4|HELMFILE, any case),
``outputName`` (the Helm release name), ``namespace``, ``inputArtifacts`` ``[{id, account, artifact}]``
(Helm: the chart first, then values files), ``inputArtifact`` (Kustomize's single input; the first of
``inputArtifacts`` is used when it is absent), ``overrides`` (``--set``), ``evaluateOverrideExpressions``,
``rawOverrides``, ``includeCRDs``, ``apiVersions`` (a comma-separated string or a list), ``kubeVersion``,
``helmChartFilePath``, ``kustomizeFilePath``, and ``expectedArtifacts`` (exactly one: the output).
Every problem raises ``BakeConfigError`` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gennaker.bake.errors import BakeConfigError
from gennaker.model.artifacts import Artifact


@dataclass(frozen=True)
class InputArtifactRef:
    """One entry of ``inputArtifacts``: an expected-artifact id or an inline artifact, and the account."""

    id: str | None
    account: str | None
    artifact: dict[str, Any] | None
    where: str


@dataclass(frozen=True)
class BakeContext:
    """The stage's fields, typed."""

    template_renderer: str
    output_name: str | None
    namespace: str | None
    inputs: list[InputArtifactRef]
    overrides: dict[str, Any]
    evaluate_override_expressions: bool
    raw_overrides: bool
    include_crds: bool
    api_versions: list[str]
    kube_version: str | None
    helm_chart_file_path: str | None
    kustomize_file_path: str | None
    expected_artifact: dict[str, Any]


@dataclass
class FetchedInput:
    """An input artifact once fetched: where its content is in the workspace."""

    artifact: Artifact
    account: str | None
    path: Path
    is_directory: bool = False


@dataclass
class BakeRequest:
    """What a renderer gets: the context, the fetched inputs (in order) and a private work directory."""

    context: BakeContext
    inputs: list[FetchedInput]
    workspace: Path
    overrides: dict[str, Any] = field(default_factory=dict)


def _str(ctx: Mapping[str, Any], key: str) -> str | None:
    value = ctx.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BakeConfigError(f"{key} must be a string, not {type(value).__name__}")
    return value


def _bool(ctx: Mapping[str, Any], key: str) -> bool:
    value = ctx.get(key)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BakeConfigError(f"{key} must be true or false, not {value!r}")


def _input(raw: Any, where: str) -> InputArtifactRef:
    if not isinstance(raw, Mapping):
        raise BakeConfigError(f"{where} must be an object with id (or artifact) and account")
    artifact_id = raw.get("id")
    inline = raw.get("artifact")
    if artifact_id is not None and not isinstance(artifact_id, str):
        raise BakeConfigError(f"{where}.id must be a string")
    if inline is not None and not isinstance(inline, Mapping):
        raise BakeConfigError(f"{where}.artifact must be an artifact object")
    if not artifact_id and not inline:
        raise BakeConfigError(f"{where} names neither an expected artifact id nor an inline artifact")
    account = raw.get("account")
    if account is not None and not isinstance(account, str):
        raise BakeConfigError(f"{where}.account must be a string")
    return InputArtifactRef(artifact_id or None, account or None, dict(inline) if inline else None, where)


def _api_versions(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise BakeConfigError("apiVersions must be a comma-separated string or a list of strings")


def parse_context(ctx: Mapping[str, Any]) -> BakeContext:
    """The stage context as a ``BakeContext``; ``BakeConfigError`` naming the first bad field."""
    renderer = _str(ctx, "templateRenderer")
    if renderer is None:
        raise BakeConfigError("templateRenderer is required (HELM3, KUSTOMIZE, KUSTOMIZE4...)")
    expected = ctx.get("expectedArtifacts")
    if not isinstance(expected, list) or len(expected) != 1 or not isinstance(expected[0], Mapping):
        count = len(expected) if isinstance(expected, list) else 0
        raise BakeConfigError(
            "The Bake (Manifest) stage produces one embedded base64 artifact: its expectedArtifacts "
            f"(Produces Artifacts) must hold exactly one artifact, not {count}"
        )
    raw_inputs = ctx.get("inputArtifacts")
    inputs: list[InputArtifactRef] = []
    if raw_inputs is not None:
        if not isinstance(raw_inputs, list):
            raise BakeConfigError("inputArtifacts must be a list")
        inputs = [_input(r, f"inputArtifacts[{i}]") for i, r in enumerate(raw_inputs)]
    if ctx.get("inputArtifact") is not None:
        single = _input(ctx.get("inputArtifact"), "inputArtifact")
        inputs = [single, *inputs[1:]] if renderer.upper().startswith("KUSTOMIZE") else [single, *inputs]
    if not inputs:
        raise BakeConfigError("At least one input artifact to bake must be supplied (inputArtifacts)")
    overrides = ctx.get("overrides") or {}
    if not isinstance(overrides, Mapping):
        raise BakeConfigError("overrides must be an object of key: value")
    return BakeContext(
        template_renderer=renderer.upper(),
        output_name=_str(ctx, "outputName"),
        namespace=_str(ctx, "namespace"),
        inputs=inputs,
        overrides=dict(overrides),
        evaluate_override_expressions=_bool(ctx, "evaluateOverrideExpressions"),
        raw_overrides=_bool(ctx, "rawOverrides"),
        include_crds=_bool(ctx, "includeCRDs"),
        api_versions=_api_versions(ctx.get("apiVersions")),
        kube_version=_str(ctx, "kubeVersion"),
        helm_chart_file_path=_str(ctx, "helmChartFilePath"),
        kustomize_file_path=_str(ctx, "kustomizeFilePath"),
        expected_artifact=dict(expected[0]),
    )


def output_artifact_name(context: BakeContext) -> str:
    """The produced artifact's name: the expected artifact's ``matchArtifact.name`` (Orca's
    ``outputArtifactName``), else ``outputName``."""
    match = context.expected_artifact.get("matchArtifact") or {}
    name = match.get("name") if isinstance(match, Mapping) else None
    if isinstance(name, str) and name:
        return name
    if context.output_name:
        return context.output_name
    raise BakeConfigError(
        "the produced artifact needs a name: set expectedArtifacts[0].matchArtifact.name (or outputName)"
    )
