"""Canary reports: what a ``kayentaCanary`` stage judged, interval by interval and metric by metric.

Who calls it: :class:`~gennaker.canary.service.CanaryService` (``get_canary_report``, ``get_canary_run``,
``metric_plot_svg``). Input: the stage rows of the execution and the ``canary_runs`` rows the stage's
``runCanary`` tasks recorded. Pure functions.

Report shape::

    {"executionId", "stageId", "application", "status", "canaryConfigId", "scoreThresholds",
     "canaryScores", "canaryScoreMessage",
     "intervals": [{"index", "stageId", "status", "runId", "window": {"start", "end", "controlStart",
                    "controlEnd"}, "score", "classification", "classificationReason", "error",
                    "groupScores": [{"name", "score"}],
                    "metrics": [{"name", "id", "tags", "groups", "classification", "classificationReason",
                                 "critical", "muted", "ratio", "experiment": {stats}, "control": {stats},
                                 "statistics": {"uStatistic", "pValue", "confidenceInterval", ...},
                                 "plotPath": "/canary/<runId>/plots/<id>.svg"}]}]}

``statistics`` is the judge's ``resultMetadata.mannWhitney`` (absent when the rank-sum test did not run:
no data, identical samples...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gennaker.canary.metrics.model import MetricSetPair
from gennaker.canary.metrics.prometheus import iso_from_millis
from gennaker.canary.plot import BASELINE_COLOUR, CANARY_COLOUR, Series, plot_title, render_metric_plot
from gennaker.store.canary import CanaryRunRecord
from gennaker.store.executions import ExecutionRecord, StageRecord


def plot_path(run_id: str, pair_id: str) -> str:
    return f"/canary/{run_id}/plots/{pair_id}.svg"


def run_json(run: CanaryRunRecord) -> dict[str, Any]:
    """One judgement in the shape of Kayenta's ``GET /canary/{id}`` (CanaryExecutionStatusResponse)."""
    complete = run.status in ("SUCCEEDED", "TERMINAL")
    out: dict[str, Any] = {
        "id": run.id,
        "application": run.application,
        "parentPipelineExecutionId": run.execution_id,
        "stageId": run.stage_id,
        "intervalStageId": run.interval_stage_id,
        "canaryConfigId": run.config_id,
        "complete": complete,
        "status": run.status.lower(),
        "executionStatus": run.status,
        "startTimeMillis": run.start_ts,
        "startTimeIso": iso_from_millis(run.start_ts),
        "canaryExecutionRequest": run.request,
    }
    if run.end_ts is not None:
        out["endTimeMillis"] = run.end_ts
        out["endTimeIso"] = iso_from_millis(run.end_ts)
    if run.judge_result is not None:
        out["result"] = {
            "judgeResult": run.judge_result,
            "canaryDuration": f"PT{((run.end_ts or run.start_ts) - run.start_ts) / 1000:g}S",
        }
    if run.metric_pairs is not None:
        out["metricSetPairList"] = run.metric_pairs
    if run.error is not None:
        out["exception"] = {
            "details": {"error": run.error.get("message"), "errors": [run.error.get("message")]}
        }
    return out


def _metric_entry(run_id: str, result: Mapping[str, Any]) -> dict[str, Any]:
    metadata = result.get("resultMetadata") or {}
    entry: dict[str, Any] = {
        "name": result.get("name"),
        "id": result.get("id"),
        "tags": result.get("tags") or {},
        "groups": result.get("groups") or [],
        "classification": result.get("classification"),
        "classificationReason": result.get("classificationReason"),
        "critical": bool(result.get("critical")),
        "muted": bool(result.get("muted")),
        "ratio": metadata.get("ratio"),
        "experiment": (result.get("experimentMetadata") or {}).get("stats"),
        "control": (result.get("controlMetadata") or {}).get("stats"),
    }
    if metadata.get("mannWhitney") is not None:
        entry["statistics"] = metadata["mannWhitney"]
    if result.get("id"):
        entry["plotPath"] = plot_path(run_id, str(result["id"]))
    return entry


def _window(context: Mapping[str, Any]) -> dict[str, Any] | None:
    scopes = context.get("scopes")
    if not isinstance(scopes, Mapping) or not scopes:
        return None
    first = next(iter(scopes.values()))
    if not isinstance(first, Mapping):
        return None
    experiment = first.get("experimentScope") or {}
    control = first.get("controlScope") or {}
    return {
        "start": experiment.get("start"),
        "end": experiment.get("end"),
        "controlStart": control.get("start"),
        "controlEnd": control.get("end"),
        "step": experiment.get("step"),
    }


def interval_stage_rows(stages: Sequence[StageRecord], canary_stage_id: str) -> list[StageRecord]:
    holders = {
        s.id for s in stages if s.type == "runCanaryIntervals" and s.parent_stage_id == canary_stage_id
    }
    runs = [s for s in stages if s.type == "runCanary" and s.parent_stage_id in holders]
    return sorted(runs, key=lambda s: int(s.context.get("intervalIndex") or 0))


def build_report(
    execution: ExecutionRecord,
    stage: StageRecord,
    stages: Sequence[StageRecord],
    runs: Sequence[CanaryRunRecord],
) -> dict[str, Any]:
    """The report of one ``kayentaCanary`` stage (see the module docstring for the shape)."""
    by_stage = {r.interval_stage_id: r for r in runs}
    raw_canary = stage.context.get("canaryConfig")
    canary: Mapping[str, Any] = raw_canary if isinstance(raw_canary, Mapping) else {}
    intervals = []
    for row in interval_stage_rows(stages, stage.id):
        run = by_stage.get(row.id)
        interval: dict[str, Any] = {
            "index": row.context.get("intervalIndex"),
            "stageId": row.id,
            "status": row.status,
            "window": _window(row.context),
        }
        if run is not None:
            interval["runId"] = run.id
            interval["runStatus"] = run.status
            if run.error is not None:
                interval["error"] = run.error.get("message")
            result = run.judge_result or {}
            if result:
                score = result.get("score") or {}
                interval["score"] = score.get("score")
                interval["classification"] = score.get("classification")
                interval["classificationReason"] = score.get("classificationReason")
                interval["groupScores"] = [
                    {"name": g.get("name"), "score": g.get("score")} for g in result.get("groupScores") or []
                ]
                interval["metrics"] = [_metric_entry(run.id, r) for r in result.get("results") or []]
        intervals.append(interval)
    return {
        "executionId": execution.id,
        "stageId": stage.id,
        "stageName": stage.name,
        "application": execution.application,
        "status": stage.status,
        "canaryConfigId": canary.get("canaryConfigId"),
        "canaryConfigName": canary.get("canaryConfigName"),
        "scoreThresholds": canary.get("scoreThresholds"),
        "canaryScores": stage.context.get("canaryScores"),
        "canaryScoreMessage": stage.context.get("canaryScoreMessage"),
        "intervals": intervals,
    }


def metric_plot(run: CanaryRunRecord, pair_id: str) -> str | None:
    """The SVG of one metric series of a run, or None when the run has no such series."""
    raw = next((p for p in run.metric_pairs or [] if p.get("id") == pair_id), None)
    if raw is None:
        return None
    pair = MetricSetPair.model_validate(raw)
    results = (run.judge_result or {}).get("results") or []
    result: Mapping[str, Any] = next((r for r in results if r.get("id") == pair_id), {})

    def step(side: str) -> int:
        scope = pair.scopes.get(side)
        return (scope.step_millis if scope is not None else None) or 0

    series = [
        Series("canary (experiment)", pair.experiment, step("experiment"), CANARY_COLOUR),
        Series("baseline (control)", pair.control, step("control"), BASELINE_COLOUR),
    ]
    return render_metric_plot(
        plot_title(pair.name, pair.tags),
        series,
        classification=result.get("classification"),
        reason=result.get("classificationReason"),
    )
