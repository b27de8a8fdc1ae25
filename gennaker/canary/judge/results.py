"""The judge's output: Kayenta's ``CanaryJudgeResult`` JSON, plus the test statistics Kayenta never exposed.

Who uses it: every judge returns a :class:`CanaryJudgeResult`; the API, the stage and ``RemoteJudge-v1.0``
serialise it with :meth:`CanaryJudgeResult.to_json`. The shape is Kayenta's::

    {"judgeName": "NetflixACAJudge-v1.0",
     "score": {"score": 87.5, "classification": "Pass", "classificationReason": ""},
     "groupScores": [{"name": "errors", "score": 100.0, "classification": "", "classificationReason": ""}],
     "results": [{"name", "id", "tags", "groups", "classification", "classificationReason",
                  "critical", "muted",
                  "experimentMetadata": {"stats": {"min", "max", "mean", "std", "count"}},
                  "controlMetadata": {"stats": {...}},
                  "resultMetadata": {"ratio": 1.02, "mannWhitney": {...}}}]}

Kayenta-compatible conventions: absent values (``null`` in Kayenta) are left out, as Kayenta's JSON mapper
does; NaN and infinities are written as the strings ``"NaN"``/``"Infinity"``/``"-Infinity"``, as Jackson
writes them.

The extra statistics sit in ``resultMetadata.mannWhitney`` — a free-form map in Kayenta's model, so Kayenta,
its UI and anything that reads Kayenta's results are not disturbed by it::

    {"uStatistic": 418.0, "z": 2.1, "pValue": 0.035, "confidenceInterval": {"low": 0.1, "high": 0.9},
     "estimate": 0.5, "confidenceLevel": 0.98, "tolerance": 0.25, "bound": 0.125,
     "effectSize": {"measure": "meanRatio", "value": 1.4}}

It is present whenever the rank-sum test ran (not for Nodata, identical or single-valued samples, or errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gennaker.canary.judge.mannwhitney import MannWhitneyResult
from gennaker.canary.judge.stats import MetricStatistics
from gennaker.canary.metrics.model import json_double


@dataclass(frozen=True)
class TestStatistics:
    """What the rank-sum test and the bounds computed for one metric (the ``mannWhitney`` extra)."""

    test: MannWhitneyResult
    tolerance: float
    bound: float
    effect_measure: str
    effect_size: float

    def to_json(self) -> dict[str, Any]:
        t = self.test
        return {
            "uStatistic": json_double(t.u_statistic),
            "z": json_double(t.z),
            "pValue": json_double(t.p_value),
            "confidenceInterval": {"low": json_double(t.ci_low), "high": json_double(t.ci_high)},
            "estimate": json_double(t.estimate),
            "confidenceLevel": t.confidence_level,
            "tolerance": self.tolerance,
            "bound": json_double(self.bound),
            "effectSize": {"measure": self.effect_measure, "value": json_double(self.effect_size)},
        }


def _stats_json(stats: MetricStatistics) -> dict[str, Any]:
    return {key: json_double(value) for key, value in stats.to_dict().items()}


@dataclass(frozen=True)
class CanaryAnalysisResult:
    """One metric's (one series') result."""

    name: str
    id: str | None
    tags: dict[str, str]
    groups: list[str]
    classification: str
    classification_reason: str | None
    critical: bool
    muted: bool
    experiment_stats: MetricStatistics
    control_stats: MetricStatistics
    ratio: float | None
    statistics: TestStatistics | None = None

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"name": self.name}
        if self.id is not None:
            document["id"] = self.id
        document["tags"] = dict(self.tags)
        document["groups"] = list(self.groups)
        document["classification"] = self.classification
        if self.classification_reason is not None:
            document["classificationReason"] = self.classification_reason
        document["critical"] = self.critical
        document["muted"] = self.muted
        document["experimentMetadata"] = {"stats": _stats_json(self.experiment_stats)}
        document["controlMetadata"] = {"stats": _stats_json(self.control_stats)}
        if self.ratio is not None:
            metadata: dict[str, Any] = {"ratio": json_double(self.ratio)}
            if self.statistics is not None:
                metadata["mannWhitney"] = self.statistics.to_json()
            document["resultMetadata"] = metadata
        return document


@dataclass(frozen=True)
class CanaryJudgeGroupScore:
    name: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "score": json_double(self.score),
            "classification": "",
            "classificationReason": "",
        }


@dataclass(frozen=True)
class CanaryJudgeScore:
    score: float
    classification: str  # Pass | Marginal | Fail
    classification_reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "score": json_double(self.score),
            "classification": self.classification,
            "classificationReason": self.classification_reason,
        }


@dataclass(frozen=True)
class CanaryJudgeResult:
    judge_name: str
    score: CanaryJudgeScore
    results: list[CanaryAnalysisResult] = field(default_factory=list)
    group_scores: list[CanaryJudgeGroupScore] = field(default_factory=list)

    def result(self, name: str) -> CanaryAnalysisResult | None:
        """The first result for the metric ``name``."""
        return next((r for r in self.results if r.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "judgeName": self.judge_name,
            "results": [r.to_json() for r in self.results],
            "groupScores": [g.to_json() for g in self.group_scores],
            "score": self.score.to_json(),
        }
