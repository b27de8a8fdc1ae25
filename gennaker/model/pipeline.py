"""Pipeline configs in Spinnaker's pipeline JSON (what Front50 stores and ``spin pipeline save`` sends).

Who uses it: the engine facade validates and stores configs with these models, the API returns
``PipelineConfig.to_json()`` unchanged (unknown keys included, at top level and inside stages, triggers,
parameters...). Structural checks (refIds, cycles, stage types) live in ``gennaker.model.validation``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from gennaker.model.artifacts import ExpectedArtifact
from gennaker.model.base import SpinnakerModel


def _as_ref(value: Any) -> Any:
    """Spinnaker refIds are strings; old exports sometimes carry numbers. Accept both, store strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


class StageEnabled(SpinnakerModel):
    """``stageEnabled``: run the stage only when ``expression`` (SpEL without ``${}``) is true."""

    type: str = "expression"
    expression: str | None = None


class StageConfig(SpinnakerModel):
    """One stage of a pipeline config. Type-specific keys are kept as extras and become the context."""

    ref_id: str
    type: str
    name: str | None = None
    requisite_stage_ref_ids: list[str] = Field(default_factory=list)
    stage_enabled: StageEnabled | None = None
    fail_pipeline: bool | None = None
    continue_pipeline: bool | None = None
    complete_other_branches_then_fail: bool | None = None
    stage_timeout_ms: int | None = None
    fail_on_failed_expressions: bool | None = None

    @field_validator("ref_id", mode="before")
    @classmethod
    def _ref(cls, v: Any) -> Any:
        return _as_ref(v)

    @field_validator("requisite_stage_ref_ids", mode="before")
    @classmethod
    def _refs(cls, v: Any) -> Any:
        if v is None:
            return []
        return [_as_ref(x) for x in v] if isinstance(v, list) else v


class Trigger(SpinnakerModel):
    """A trigger of a pipeline config (cron, git, docker, webhook, pipeline...); type-specific keys kept."""

    type: str
    enabled: bool = True
    id: str | None = None
    expected_artifact_ids: list[str] | None = None
    run_as_user: str | None = None


class ParameterOption(SpinnakerModel):
    """One allowed value of a parameter that ``hasOptions``."""

    value: Any = None


class ParameterConfig(SpinnakerModel):
    """A ``parameterConfig`` entry: at launch its value (supplied, else ``default``) lands in
    ``trigger.parameters[name]``."""

    name: str
    label: str | None = None
    description: str | None = None
    default: Any = None
    required: bool = False
    has_options: bool = False
    options: list[ParameterOption] = Field(default_factory=list)
    pinned: bool = False


class Notification(SpinnakerModel):
    """A notification target: ``type`` (email, slack...), ``address``, ``when`` events, ``message``."""

    type: str
    address: str | None = None
    level: str | None = None
    when: list[str] = Field(default_factory=list)


class PipelineConfig(SpinnakerModel):
    """A Spinnaker pipeline config. ``id`` is assigned on first save when missing."""

    id: str | None = None
    name: str
    application: str
    stages: list[StageConfig] = Field(default_factory=list)
    triggers: list[Trigger] = Field(default_factory=list)
    parameter_config: list[ParameterConfig] = Field(default_factory=list)
    expected_artifacts: list[ExpectedArtifact] = Field(default_factory=list)
    notifications: list[Notification] = Field(default_factory=list)
    limit_concurrent: bool = False  # Orca reads a missing key as false (Deck writes true for new pipelines)
    max_concurrent_executions: int = 0
    keep_waiting_pipelines: bool = False
    disabled: bool = False
    spel_evaluator: str | None = None
    description: str | None = None
    index: int | None = None
    update_ts: str | None = None
