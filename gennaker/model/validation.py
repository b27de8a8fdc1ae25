"""Validation of pipeline configs on save: every problem named by stage and field.

Who calls it: the engine facade before storing a config (``PipelineService.save_pipeline``); the API
turns ``ConfigValidationError.issues`` into a 400 body. Nothing is stored when this raises.

Checks: the document's shape (Pydantic), missing ``name``/``application``, duplicate ``refId``, a
``requisiteStageRefIds`` entry naming no stage, a cycle between stages, an unknown stage ``type`` (checked
against the caller's stage registry), and a malformed ``stageEnabled``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError

from gennaker.model.pipeline import PipelineConfig


@dataclass(frozen=True)
class ValidationIssue:
    """One problem: ``field`` is a JSON path such as ``stages[2].requisiteStageRefIds``; ``stage`` is the
    stage's refId (or its name/index when it has none) or None for top-level problems."""

    field: str
    message: str
    stage: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class ConfigValidationError(ValueError):
    """A pipeline config (or application) was rejected; ``issues`` says what and where."""

    def __init__(self, issues: list[ValidationIssue]) -> None:
        self.issues = issues
        super().__init__("; ".join(_describe(i) for i in issues))

    def to_json(self) -> dict[str, Any]:
        return {
            "error": "Invalid pipeline",
            "message": str(self),
            "issues": [i.to_json() for i in self.issues],
        }


def _describe(issue: ValidationIssue) -> str:
    where = f"stage {issue.stage!r}, " if issue.stage is not None else ""
    return f"{where}{issue.field}: {issue.message}"


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validation_problems(exc: ValidationError, prefix: str = "") -> str:
    """A pydantic error as one line, ``<prefix><field path>: <message>`` per problem joined with ``; ``
    (used by account services to name the bad field)."""
    return "; ".join(f"{prefix}{_path(tuple(e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors())


def _stage_label(raw: Mapping[str, Any], index: int) -> str:
    stages = raw.get("stages")
    if isinstance(stages, list) and index < len(stages) and isinstance(stages[index], Mapping):
        s = stages[index]
        for key in ("refId", "name"):
            if s.get(key) not in (None, ""):
                return str(s[key])
    return f"#{index}"


def _shape_issues(raw: Mapping[str, Any], err: ValidationError) -> list[ValidationIssue]:
    issues = []
    for e in err.errors():
        loc = tuple(e["loc"])
        stage = (
            _stage_label(raw, loc[1])
            if len(loc) >= 2 and loc[0] == "stages" and isinstance(loc[1], int)
            else None
        )
        message = "is required" if e["type"] == "missing" else e["msg"]
        issues.append(ValidationIssue(field=_path(loc), message=message, stage=stage))
    return issues


def parse_pipeline_config(
    raw: Any, *, is_known_stage_type: Callable[[str], bool] | None = None
) -> PipelineConfig:
    """Parse and validate ``raw`` (a pipeline config dict). Raises ``ConfigValidationError`` listing
    every problem found; returns the model otherwise."""
    if not isinstance(raw, Mapping):
        raise ConfigValidationError(
            [ValidationIssue(field="$", message="a pipeline config must be a JSON object")]
        )
    issues: list[ValidationIssue] = []
    for key in ("name", "application"):
        value = raw.get(key)
        if value is not None and isinstance(value, str) and not value.strip():
            issues.append(ValidationIssue(field=key, message="must not be empty"))
    try:
        config = PipelineConfig.model_validate(raw)
    except ValidationError as e:
        raise ConfigValidationError(issues + _shape_issues(raw, e)) from None
    issues += graph_issues(config, is_known_stage_type)
    if issues:
        raise ConfigValidationError(issues)
    return config


def graph_issues(
    config: PipelineConfig, is_known_stage_type: Callable[[str], bool] | None = None
) -> list[ValidationIssue]:
    """Structural problems of the stage graph (duplicate refIds, dangling requisites, cycles, types)."""
    issues: list[ValidationIssue] = []
    seen: dict[str, int] = {}
    for i, stage in enumerate(config.stages):
        if not stage.ref_id:
            issues.append(
                ValidationIssue(field=f"stages[{i}].refId", message="must not be empty", stage=f"#{i}")
            )
        elif stage.ref_id in seen:
            issues.append(
                ValidationIssue(
                    field=f"stages[{i}].refId",
                    message=f"duplicate refId {stage.ref_id!r} (also stages[{seen[stage.ref_id]}])",
                    stage=stage.ref_id,
                )
            )
        else:
            seen[stage.ref_id] = i
        if not stage.type:
            issues.append(
                ValidationIssue(field=f"stages[{i}].type", message="must not be empty", stage=stage.ref_id)
            )
        elif is_known_stage_type is not None and not is_known_stage_type(stage.type):
            issues.append(
                ValidationIssue(
                    field=f"stages[{i}].type",
                    message=f"unknown stage type {stage.type!r}",
                    stage=stage.ref_id,
                )
            )
        enabled = stage.stage_enabled
        if enabled is not None and enabled.type == "expression" and not (enabled.expression or "").strip():
            issues.append(
                ValidationIssue(
                    field=f"stages[{i}].stageEnabled.expression",
                    message="an expression is required when stageEnabled.type is 'expression'",
                    stage=stage.ref_id,
                )
            )
    for i, stage in enumerate(config.stages):
        for j, parent in enumerate(stage.requisite_stage_ref_ids):
            if parent not in seen:
                issues.append(
                    ValidationIssue(
                        field=f"stages[{i}].requisiteStageRefIds[{j}]",
                        message=f"names no stage: there is no stage with refId {parent!r}",
                        stage=stage.ref_id,
                    )
                )
            elif parent == stage.ref_id:
                issues.append(
                    ValidationIssue(
                        field=f"stages[{i}].requisiteStageRefIds[{j}]",
                        message="a stage cannot depend on itself",
                        stage=stage.ref_id,
                    )
                )
    issues += _cycle_issues(config)
    return issues


def _cycle_issues(config: PipelineConfig) -> list[ValidationIssue]:
    index = {s.ref_id: i for i, s in enumerate(config.stages)}
    parents = {
        s.ref_id: [p for p in s.requisite_stage_ref_ids if p in index and p != s.ref_id]
        for s in config.stages
    }
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    issues: list[ValidationIssue] = []
    reported: set[frozenset[str]] = set()

    def visit(ref: str, stack: list[str]) -> None:
        state[ref] = 1
        stack.append(ref)
        for p in parents.get(ref, []):
            if state.get(p) == 1:
                cycle = [*stack[stack.index(p) :], p]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    i = index[ref]
                    issues.append(
                        ValidationIssue(
                            field=f"stages[{i}].requisiteStageRefIds",
                            message="cycle between stages: " + " -> ".join(reversed(cycle)),
                            stage=ref,
                        )
                    )
            elif state.get(p) is None:
                visit(p, stack)
        stack.pop()
        state[ref] = 2

    for s in config.stages:
        if state.get(s.ref_id) is None:
            visit(s.ref_id, [])
    return issues
