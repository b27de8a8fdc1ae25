"""The errors the canary package raises, each naming what was wrong and where.

Who uses it: every module of :mod:`gennaker.canary`; the API and stage layers catch these to answer 400s or to
fail a stage with a clear message. All derive from :class:`CanaryError` (a ``ValueError``), so callers that
only need "bad canary input" catch one class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class CanaryError(ValueError):
    """Base of every error about canary configs, metric data, queries or judging. ``status_code`` and
    ``to_json()`` are what the API answers (400 unless a subclass says otherwise)."""

    status_code = 400

    def to_json(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": str(self)}


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a canary config: where (a JSON path), which metric (if any), and what."""

    path: str
    message: str
    metric_index: int | None = None
    metric_name: str | None = None

    def __str__(self) -> str:
        if self.metric_name is not None:
            return f"{self.path} (metric {self.metric_name!r}): {self.message}"
        return f"{self.path}: {self.message}"


class CanaryConfigError(CanaryError):
    """A canary config failed validation. ``issues`` lists every problem found, in document order."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = issues
        lines = "; ".join(str(issue) for issue in issues)
        super().__init__(f"invalid canary config: {lines}")

    def to_json(self) -> dict[str, Any]:
        """``{"error", "message", "issues": [{"path", "message", "metricIndex"?, "metricName"?}]}``."""
        issues = []
        for issue in self.issues:
            entry: dict[str, Any] = {"path": issue.path, "message": issue.message}
            if issue.metric_index is not None:
                entry["metricIndex"] = issue.metric_index
            if issue.metric_name is not None:
                entry["metricName"] = issue.metric_name
            issues.append(entry)
        return {"error": "Invalid canary config", "message": str(self), "issues": issues}


class UnknownJudgeError(CanaryError):
    """No judge is registered under the requested name (Kayenta: "Unable to resolve canary judge")."""


class UnknownMetricSourceError(CanaryError):
    """No metric source handles the requested query ``type``."""


class QueryBuildError(CanaryError):
    """A metric's query could not be built (missing resource type or location, undefined template
    variable...)."""


class MetricDataError(CanaryError):
    """Metric sets or metric set pairs are inconsistent (names or tags that cannot be paired, missing
    sides...)."""


class MetricSourceResponseError(CanaryError):
    """A metric source answered with an error or with a body that is not what its API promises."""


class JudgeInputError(CanaryError):
    """A judge request is malformed (missing thresholds, a pair whose metric is not in the config...)."""


class MetricSourceUnavailableError(CanaryError):
    """A metrics account could not be reached (connection refused, timeout, TLS...)."""

    status_code = 502


class MetricsAccountError(CanaryError):
    """A metrics account is unknown, misconfigured, or cannot serve the requested query type."""
