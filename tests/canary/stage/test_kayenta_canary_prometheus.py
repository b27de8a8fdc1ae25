"""The ``kayentaCanary`` stage end to end: the real engine on SQLite, a real Prometheus scraping an exporter
whose values the test sets, seconds-scale intervals.

Given a baseline and a canary whose series the exporter serves, when a pipeline runs ``kayentaCanary``, then
the stage fails or passes as Orca's would, with the per-interval results recorded for the report.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.canary.conftest import CanaryEngine
from tests.canary.peers import Exporter

pytestmark = pytest.mark.slow

NOISE = (0.0, 0.0004, -0.0003, 0.0002, -0.0001, 0.0003, -0.0004, 0.0001)


def canary_config(prefix: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"web-{prefix}",
        "applications": ["app"],
        "judge": {"name": "NetflixACAJudge-v1.0", "judgeConfigurations": {}},
        "metrics": [
            {
                "name": "error rate",
                "query": {
                    "type": "prometheus",
                    "customInlineTemplate": 'PromQL:avg(app_error_ratio{pod=~"${scope}-.*"})',
                },
                "groups": ["errors"],
                "analysisConfigurations": {"canary": {"direction": "increase"}},
                "scopeName": "default",
            },
            {
                "name": "latency",
                "query": {
                    "type": "prometheus",
                    "metricName": "app_latency_seconds",
                    "customFilterTemplate": "pods",
                },
                "groups": ["latency"],
                "analysisConfigurations": {"canary": {"direction": "increase"}},
                "scopeName": "default",
            },
        ],
        "templates": {"pods": 'pod=~"${scope}-.*"'},
        "classifier": {"groupWeights": {"errors": 50, "latency": 50}},
        **extra,
    }


def serve(exporter: Exporter, prefix: str, *, baseline_errors: float, canary_errors: float) -> None:
    for role, errors in (("baseline", baseline_errors), ("canary", canary_errors)):
        for pod in range(2):
            labels = {"pod": f"{prefix}-{role}-{pod}"}
            exporter.add("app_error_ratio", labels, errors, NOISE)
            exporter.add("app_latency_seconds", labels, 0.120, tuple(10 * n for n in NOISE))


def stage(config_id: str, prefix: str, **canary: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "scopeName": "default",
        "controlScope": f"{prefix}-baseline",
        "controlLocation": "default",
        "experimentScope": f"{prefix}-canary",
        "experimentLocation": "default",
        "step": 0.25,
        "extendedScopeParams": {},
    }
    scope.update(canary.pop("scope", {}))
    body = {
        "canaryConfigId": config_id,
        "metricsAccountName": "prom",
        "storageAccountName": "db",
        "scopes": [scope],
        "scoreThresholds": {"pass": 95, "marginal": 75},
        **canary,
    }
    return {"refId": "1", "type": "kayentaCanary", "name": "Canary Analysis", "canaryConfig": body}


def stages_of(execution: dict[str, Any], stage_type: str) -> list[dict[str, Any]]:
    return [s for s in execution["stages"] if s["type"] == stage_type]


def test_a_canary_with_a_higher_error_rate_fails_on_the_first_interval(
    prometheus_engine: CanaryEngine, exporter: Exporter
) -> None:
    prefix = "e" + uuid.uuid4().hex[:8]
    serve(exporter, prefix, baseline_errors=0.010, canary_errors=0.080)
    config_id = prometheus_engine.canary.create_config(canary_config(prefix), principal="tester")[
        "canaryConfigId"
    ]
    execution_id = prometheus_engine.run_pipeline(
        [stage(config_id, prefix, lifetimeDuration="PT6S", canaryAnalysisIntervalMins=0.05)]
    )
    execution = prometheus_engine.wait(execution_id)

    assert execution["status"] == "TERMINAL"
    (canary,) = stages_of(execution, "kayentaCanary")
    assert canary["status"] == "TERMINAL"
    runs = stages_of(execution, "runCanary")
    assert [r["name"] for r in runs] == ["Run Canary #1", "Run Canary #2"]
    assert runs[0]["status"] == "TERMINAL"
    assert (
        runs[0]["context"]["canaryScoreMessage"] == "Canary score is not above the marginal score threshold."
    )
    assert runs[1]["status"] == "NOT_STARTED"  # early stop: the second interval never ran
    assert canary["context"]["canaryScores"] == [50.0]

    report = prometheus_engine.canary.get_canary_report(execution_id, canary["id"])
    first = report["intervals"][0]
    assert first["score"] == 50.0
    metrics = {m["name"]: m for m in first["metrics"]}
    assert metrics["error rate"]["classification"] == "High"
    assert metrics["latency"]["classification"] == "Pass"
    stats = metrics["error rate"]["statistics"]
    assert stats["confidenceInterval"]["low"] > 0
    assert stats["pValue"] < 0.02
    assert metrics["error rate"]["experiment"]["count"] >= 8
    svg = prometheus_engine.canary.metric_plot_svg(first["runId"], metrics["error rate"]["id"])
    assert svg.startswith("<svg") and ">High</text>" in svg


def test_equal_series_pass_every_interval(prometheus_engine: CanaryEngine, exporter: Exporter) -> None:
    prefix = "q" + uuid.uuid4().hex[:8]
    serve(exporter, prefix, baseline_errors=0.010, canary_errors=0.010)
    config_id = prometheus_engine.canary.create_config(canary_config(prefix), principal="tester")[
        "canaryConfigId"
    ]
    execution_id = prometheus_engine.run_pipeline(
        [stage(config_id, prefix, lifetimeDuration="PT4S", canaryAnalysisIntervalMins=2 / 60)]
    )
    execution = prometheus_engine.wait(execution_id)

    assert execution["status"] == "SUCCEEDED"
    (canary,) = stages_of(execution, "kayentaCanary")
    assert canary["context"]["canaryScores"] == [100.0, 100.0]
    assert canary["context"]["canaryScoreMessage"] == (
        "Final canary score 100.0 met or exceeded the pass score threshold."
    )
    assert [s["name"] for s in stages_of(execution, "wait")] == ["Interval Wait #1", "Interval Wait #2"]
    runs = stages_of(execution, "runCanary")
    windows = [r["context"]["scopes"]["default"]["experimentScope"] for r in runs]
    assert windows[0]["start"] == windows[1]["start"]  # a growing window
    assert windows[1]["end"] > windows[0]["end"]


def test_retrospective_mode_judges_a_given_past_window_without_waiting(
    prometheus_engine: CanaryEngine, exporter: Exporter
) -> None:
    prefix = "r" + uuid.uuid4().hex[:8]
    serve(exporter, prefix, baseline_errors=0.010, canary_errors=0.010)
    import time

    time.sleep(4.5)  # let Prometheus collect a few seconds of these series
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(seconds=4)
    config_id = prometheus_engine.canary.create_config(canary_config(prefix), principal="tester")[
        "canaryConfigId"
    ]
    execution_id = prometheus_engine.run_pipeline(
        [
            stage(
                config_id,
                prefix,
                canaryAnalysisIntervalMins=2 / 60,
                scope={"startTimeIso": start.isoformat(), "endTimeIso": end.isoformat()},
            )
        ]
    )
    execution = prometheus_engine.wait(execution_id)

    assert execution["status"] == "SUCCEEDED", execution
    assert stages_of(execution, "wait") == []
    runs = stages_of(execution, "runCanary")
    windows = [r["context"]["scopes"]["default"]["experimentScope"] for r in runs]
    assert [(w["start"], w["end"]) for w in windows] == [
        (start.strftime("%Y-%m-%dT%H:%M:%SZ"), (start + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")),
        (start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")),
    ]
    (canary,) = stages_of(execution, "kayentaCanary")
    assert canary["context"]["canaryScores"] == [100.0, 100.0]
