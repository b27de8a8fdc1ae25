"""Kayenta's canary config JSON as typed models, with the validation Kayenta applies (and clearer errors).

Who uses it: the judge (:mod:`gennaker.canary.judge`) reads metrics, groups, weights and each metric's
``analysisConfigurations.canary``; metric sources read ``query`` and ``templates``; the config store and the
``/canaryConfig`` API (built on top of this) call :func:`parse_canary_config` and
:func:`validate_for_storage`.

Shape (Kayenta ``CanaryConfig``)::

    {"name", "id", "description", "configVersion", "applications": [..],
     "createdTimestamp", "updatedTimestamp", "createdTimestampIso", "updatedTimestampIso",
     "judge": {"name": "NetflixACAJudge-v1.0", "judgeConfigurations": {}},
     "metrics": [{"name", "query": {"type": "prometheus", ...}, "groups": [..], "scopeName": "default",
                  "analysisConfigurations": {"canary": {"direction", "nanStrategy", "critical",
                                                        "mustHaveData", "muted", "effectSize": {..},
                                                        "outliers": {..}}}}],
     "templates": {"name": "template"},
     "classifier": {"groupWeights": {"group": 50}, "scoreThresholds": {"pass": 95, "marginal": 75}}}

Invariants:

* Unknown keys are kept at every level and written back by :meth:`CanaryConfig.to_json`, together with exactly
  the keys that were given (defaults are not materialised), so a config round-trips.
* ``analysisConfigurations.canary`` stays as written; :meth:`CanaryMetricConfig.analysis` resolves it with the
  defaults of Kayenta's ``NetflixACAJudge`` (unknown ``direction`` means ``either``, unknown ``nanStrategy``
  means ``remove``, effect-size thresholds default to 1.0, or 0.5 with ``cles``, ``outlierFactor`` to 3).
* Validation errors name the metric by index and name and the field, e.g.
  ``metrics[2].query.customFilter (metric 'errors'): customFilter is deprecated...``. All problems are
  reported at once in :class:`~gennaker.canary.errors.CanaryConfigError`.

Pure functions and models: nothing here stores or fetches anything.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, ValidationError, field_validator

from gennaker.canary.errors import CanaryConfigError, ConfigIssue
from gennaker.canary.queries import CanaryMetricSetQueryConfig, parse_query_config

DEFAULT_JUDGE_NAME = "NetflixACAJudge-v1.0"
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_\-]+$")


class _Open(BaseModel):
    """A Kayenta object: camelCase aliases, unknown keys preserved."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class EffectSizeConfig(_Open):
    measure: str | None = None
    allowed_increase: float | None = Field(default=None, alias="allowedIncrease")
    allowed_decrease: float | None = Field(default=None, alias="allowedDecrease")
    critical_increase: float | None = Field(default=None, alias="criticalIncrease")
    critical_decrease: float | None = Field(default=None, alias="criticalDecrease")


class OutlierConfig(_Open):
    strategy: str | None = None
    outlier_factor: float | None = Field(default=None, alias="outlierFactor")


class CanaryAnalysisConfig(_Open):
    direction: str | None = None
    nan_strategy: str | None = Field(default=None, alias="nanStrategy")
    critical: bool | None = None
    must_have_data: bool | None = Field(default=None, alias="mustHaveData")
    muted: bool | None = None
    effect_size: EffectSizeConfig | None = Field(default=None, alias="effectSize")
    outliers: OutlierConfig | None = None


class AnalysisConfigurations(_Open):
    canary: CanaryAnalysisConfig | None = None


@dataclass(frozen=True)
class MetricAnalysisSettings:
    """A metric's ``analysisConfigurations.canary`` with Kayenta's defaults applied."""

    direction: str = "either"  # increase | decrease | either
    nan_strategy: str = "remove"  # remove | replace
    critical: bool = False
    must_have_data: bool = False
    muted: bool = False
    effect_measure: str = "meanRatio"  # meanRatio | cles
    allowed_increase: float = 1.0
    allowed_decrease: float = 1.0
    critical_increase: float = 1.0
    critical_decrease: float = 1.0
    outlier_strategy: str = "keep"  # keep | remove
    outlier_factor: float = 3.0

    @property
    def outlier_removal_factor(self) -> float | None:
        """The IQR factor when outliers are removed, else None."""
        return self.outlier_factor if self.outlier_strategy == "remove" else None


def resolve_analysis(config: CanaryAnalysisConfig | None) -> MetricAnalysisSettings:
    """Kayenta's reading of ``analysisConfigurations.canary`` (absent or unknown values take the defaults)."""
    if config is None:
        return MetricAnalysisSettings()
    direction = config.direction if config.direction in ("increase", "decrease", "either") else "either"
    nan_strategy = "replace" if config.nan_strategy == "replace" else "remove"
    effect = config.effect_size or EffectSizeConfig()
    measure = "cles" if effect.measure == "cles" else "meanRatio"
    default_effect = 0.5 if measure == "cles" else 1.0

    def pick(value: float | None) -> float:
        return default_effect if value is None else float(value)

    outliers = config.outliers or OutlierConfig()
    return MetricAnalysisSettings(
        direction=direction,
        nan_strategy=nan_strategy,
        critical=bool(config.critical),
        must_have_data=bool(config.must_have_data),
        muted=bool(config.muted),
        effect_measure=measure,
        allowed_increase=pick(effect.allowed_increase),
        allowed_decrease=pick(effect.allowed_decrease),
        critical_increase=pick(effect.critical_increase),
        critical_decrease=pick(effect.critical_decrease),
        outlier_strategy="remove" if outliers.strategy == "remove" else "keep",
        outlier_factor=3.0 if outliers.outlier_factor is None else float(outliers.outlier_factor),
    )


class CanaryMetricConfig(_Open):
    name: str
    query: SerializeAsAny[CanaryMetricSetQueryConfig]
    groups: list[str] = Field(default_factory=list)
    analysis_configurations: AnalysisConfigurations | None = Field(
        default=None, alias="analysisConfigurations"
    )
    scope_name: str | None = Field(default=None, alias="scopeName")

    @field_validator("query", mode="before")
    @classmethod
    def _typed_query(cls, value: Any) -> CanaryMetricSetQueryConfig:
        return parse_query_config(value)

    def analysis(self) -> MetricAnalysisSettings:
        configurations = self.analysis_configurations
        return resolve_analysis(configurations.canary if configurations is not None else None)


class CanaryJudgeConfig(_Open):
    name: str | None = None
    judge_configurations: dict[str, Any] | None = Field(default=None, alias="judgeConfigurations")


class ScoreThresholds(_Open):
    """``{"pass": x, "marginal": y}``: from the execution request (the copy inside a config is ignored)."""

    pass_: float | None = Field(default=None, alias="pass")
    marginal: float | None = None


class CanaryClassifierConfig(_Open):
    group_weights: dict[str, float] | None = Field(default=None, alias="groupWeights")
    score_thresholds: ScoreThresholds | None = Field(default=None, alias="scoreThresholds")


class CanaryConfig(_Open):
    name: str | None = None
    id: str | None = None
    description: str | None = None
    config_version: str | int | None = Field(default=None, alias="configVersion")
    applications: list[str] | None = None
    created_timestamp: int | None = Field(default=None, alias="createdTimestamp")
    updated_timestamp: int | None = Field(default=None, alias="updatedTimestamp")
    created_timestamp_iso: str | None = Field(default=None, alias="createdTimestampIso")
    updated_timestamp_iso: str | None = Field(default=None, alias="updatedTimestampIso")
    judge: CanaryJudgeConfig | None = None
    metrics: list[CanaryMetricConfig] = Field(default_factory=list)
    templates: dict[str, str] | None = None
    classifier: CanaryClassifierConfig | None = None

    def metric(self, name: str) -> CanaryMetricConfig | None:
        """The metric config with this name (Kayenta pairs results to configs by name)."""
        for metric in self.metrics:
            if metric.name == name:
                return metric
        return None

    @property
    def judge_name(self) -> str:
        """The configured judge, or the default (Kayenta uses the first registered judge when the name is
        empty)."""
        if self.judge is not None and self.judge.name:
            return self.judge.name
        return DEFAULT_JUDGE_NAME

    @property
    def group_weights(self) -> dict[str, float]:
        if self.classifier is None or self.classifier.group_weights is None:
            return {}
        return dict(self.classifier.group_weights)

    def to_json(self) -> dict[str, Any]:
        """The config as Kayenta JSON: the keys that were given (plus unknown ones), camelCase."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")


# ------------------------------------------------------------------------------------------------ validation


def _metric_label(raw: Any, index: int) -> str | None:
    if isinstance(raw, dict):
        metrics = raw.get("metrics")
        if isinstance(metrics, list) and 0 <= index < len(metrics) and isinstance(metrics[index], dict):
            name = metrics[index].get("name")
            if isinstance(name, str):
                return name
    return None


def _issue(path_parts: list[str | int], message: str, raw: Any) -> ConfigIssue:
    path = ""
    for part in path_parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    metric_index: int | None = None
    if len(path_parts) >= 2 and path_parts[0] == "metrics" and isinstance(path_parts[1], int):
        metric_index = path_parts[1]
    metric_name = _metric_label(raw, metric_index) if metric_index is not None else None
    return ConfigIssue(
        path=path or "(config)", message=message, metric_index=metric_index, metric_name=metric_name
    )


def _pydantic_issues(error: ValidationError, raw: Any) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for detail in error.errors():
        loc = [part for part in detail["loc"] if not (isinstance(part, str) and part.startswith("function-"))]
        message = str(detail["msg"])
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        issues.append(_issue(list(loc), message, raw))
    return issues


def _semantic_issues(config: CanaryConfig, raw: Any) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    templates = config.templates or {}
    seen: dict[str, int] = {}
    for index, metric in enumerate(config.metrics):
        where: list[str | int] = ["metrics", index]
        if not metric.name.strip():
            issues.append(_issue([*where, "name"], "a metric needs a non-empty name", raw))
        elif metric.name in seen:
            issues.append(
                _issue([*where, "name"], f"duplicate metric name (also metrics[{seen[metric.name]}])", raw)
            )
        else:
            seen[metric.name] = index
        if not metric.scope_name:
            issues.append(
                _issue(
                    [*where, "scopeName"],
                    'scopeName is required (the UI uses "default"); null is rejected',
                    raw,
                )
            )
        query = metric.query
        if query.custom_filter is not None:
            issues.append(
                _issue(
                    [*where, "query", "customFilter"],
                    "customFilter is deprecated and rejected; use customInlineTemplate instead",
                    raw,
                )
            )
        if query.service_type is not None and query.service_type != query.type:
            issues.append(
                _issue(
                    [*where, "query", "serviceType"],
                    f"serviceType {query.service_type!r} does not match query type {query.type!r}",
                    raw,
                )
            )
        template_name = query.custom_filter_template
        if template_name and not query.custom_inline_template:
            if not templates:
                issues.append(
                    _issue(
                        [*where, "query", "customFilterTemplate"],
                        f"custom filter template {template_name!r} is referenced "
                        "but the config defines no templates",
                        raw,
                    )
                )
            elif template_name not in templates:
                known = ", ".join(sorted(templates))
                issues.append(
                    _issue(
                        [*where, "query", "customFilterTemplate"],
                        f"custom filter template {template_name!r} was not found (templates: {known})",
                        raw,
                    )
                )
        settings = metric.analysis()
        if settings.outlier_strategy == "remove" and not settings.outlier_factor > 0:
            issues.append(
                _issue(
                    [*where, "analysisConfigurations", "canary", "outliers", "outlierFactor"],
                    f"outlierFactor must be greater than zero, got {settings.outlier_factor}",
                    raw,
                )
            )
        for field, value in (
            ("allowedIncrease", settings.allowed_increase),
            ("allowedDecrease", settings.allowed_decrease),
            ("criticalIncrease", settings.critical_increase),
            ("criticalDecrease", settings.critical_decrease),
        ):
            if not math.isfinite(value):
                issues.append(
                    _issue(
                        [*where, "analysisConfigurations", "canary", "effectSize", field],
                        f"must be a finite number, got {value}",
                        raw,
                    )
                )
    for group, weight in config.group_weights.items():
        if not math.isfinite(weight) or weight < 0:
            issues.append(
                _issue(
                    ["classifier", "groupWeights", group], f"a group weight must be >= 0, got {weight}", raw
                )
            )
    if config.judge is not None and config.judge.name:
        from gennaker.canary.judge.registry import judge_names

        known_judges = judge_names()
        if config.judge.name not in known_judges:
            issues.append(
                _issue(
                    ["judge", "name"],
                    f"Unable to resolve canary judge {config.judge.name!r} "
                    f"(known: {', '.join(known_judges)})",
                    raw,
                )
            )
    return issues


def parse_canary_config(raw: dict[str, Any] | str | bytes) -> CanaryConfig:
    """Parse and validate a canary config; raises :class:`CanaryConfigError` listing every problem."""
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise CanaryConfigError([ConfigIssue("(config)", f"not valid JSON: {error}")]) from error
    if not isinstance(raw, dict):
        raise CanaryConfigError([ConfigIssue("(config)", "a canary config must be a JSON object")])
    try:
        config = CanaryConfig.model_validate(raw)
    except ValidationError as error:
        raise CanaryConfigError(_pydantic_issues(error, raw)) from error
    issues = _semantic_issues(config, raw)
    if issues:
        raise CanaryConfigError(issues)
    return config


def validate_for_storage(config: CanaryConfig) -> None:
    """The extra rules Kayenta applies when a config is saved: a name of letters, digits, ``-`` and ``_``, and
    at least one application."""
    issues: list[ConfigIssue] = []
    if not config.name:
        issues.append(ConfigIssue("name", "Canary config must specify a name."))
    elif not _NAME_PATTERN.match(config.name):
        issues.append(
            ConfigIssue(
                "name",
                f"Canary config cannot be named {config.name!r}. "
                "Names must contain only letters, numbers, dashes (-) and underscores (_).",
            )
        )
    if not config.applications:
        issues.append(ConfigIssue("applications", "Canary config must specify at least one application."))
    if issues:
        raise CanaryConfigError(issues)
