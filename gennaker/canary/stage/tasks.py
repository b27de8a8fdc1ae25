"""The tasks of the canary stages: ``runCanary`` (one judgement) and ``aggregateCanaryResults``.

Who calls them: the engine, through the stage definitions of :mod:`.definition`.

``runCanary`` (Orca's RunKayentaCanaryTask + MonitorKayentaCanaryTask in one, since the judgement runs
here rather than in a remote Kayenta): loads the canary config (by id, or by name within the application),
fetches every metric for the interval's scopes, judges, and records a ``canary_runs`` row (its id is the
context's ``canaryPipelineExecutionId``, as Orca names Kayenta's execution id). Then, as Orca's monitor:
score ≤ marginal → TERMINAL "Canary score is not above the marginal score threshold." (the early stop: later
intervals never run); otherwise SUCCEEDED with ``canaryScore``. Idempotent: a re-run (after a crash) finds
the run its stage already recorded and reuses its result. A backend that cannot be reached is retried
``fetch_attempts`` times ``retry_backoff_ms`` apart (engine backoff, no sleeping), then fails the stage; every
other error (unknown source type, template variable, PromQL error...) fails it at once with the message in
``context.exception`` and on the run.

``aggregateCanaryResults`` (Orca's AggregateCanaryResultsTask): the scores of every interval, in order, as
``canaryScores``; only the last counts: ≤ marginal fails, < pass fails, else succeeds; no thresholds
succeed. ``canaryScoreMessage`` says which rule applied.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ulid import ULID

from gennaker.canary.config import CanaryConfig, ScoreThresholds, parse_canary_config
from gennaker.canary.environment import CanaryEnvironment
from gennaker.canary.errors import CanaryError, MetricSourceUnavailableError
from gennaker.canary.metrics.prometheus import iso_from_millis
from gennaker.canary.run import fetch_metric_set_pairs, judge_pairs, parse_request_scopes
from gennaker.engine.stagedef import TaskInput, TaskResult
from gennaker.engine.stageops import exception_details
from gennaker.model import ExecutionStatus
from gennaker.store import Database
from gennaker.store import canary as repo
from gennaker.store.canary import CanaryRunRecord

log = logging.getLogger(__name__)

RUN_CANARY_TYPE = "runCanary"
RUN_INTERVALS_TYPE = "runCanaryIntervals"
MARGINAL_MESSAGE = "Canary score is not above the marginal score threshold."


class CanaryConfigNotFoundError(CanaryError):
    status_code = 404


def database_for(task: TaskInput, env: CanaryEnvironment) -> Database:
    """The environment's database, or the engine's (the facade handed to tasks carries its runtime)."""
    if env.database is not None:
        return env.database
    runtime = getattr(task.services, "runtime", None)
    db = getattr(runtime, "db", None)
    if not isinstance(db, Database):
        raise CanaryError("the canary stage has no database: build the CanaryEnvironment with one")
    return db


def load_config(
    db: Database, config_id: str | None, config_name: str | None, application: str
) -> CanaryConfig:
    """The stored canary config by id, or by name among the application's configs (then any config)."""
    with db.read() as conn:
        row = repo.get_config(conn, config_id) if config_id else None
        if row is None and config_name:
            found = repo.find_configs_by_name(conn, config_name, application) or repo.find_configs_by_name(
                conn, config_name
            )
            row = found[0] if found else None
    if row is None:
        what = f"id {config_id!r}" if config_id else f"name {config_name!r}"
        raise CanaryConfigNotFoundError(f"canary config with {what} was not found")
    return parse_canary_config(row.body)


def judge_thresholds(thresholds: Mapping[str, Any]) -> ScoreThresholds:
    """Thresholds for the judge's label (it needs both): a missing marginal is 0, a missing pass the
    marginal. The stage's pass/fail decision uses the thresholds as given."""
    marginal = thresholds.get("marginal")
    passing = thresholds.get("pass")
    marginal_value = float(marginal) if marginal is not None else 0.0
    pass_value = float(passing) if passing is not None else marginal_value
    return ScoreThresholds.model_validate({"pass": pass_value, "marginal": marginal_value})


def _score_result(run: CanaryRunRecord, thresholds: Mapping[str, Any] | None) -> TaskResult:
    score = float(run.score if run.score is not None else 0.0)
    context: dict[str, Any] = {
        "canaryPipelineExecutionId": run.id,
        "canaryPipelineStatus": "SUCCEEDED",
        "canaryScore": score,
        "lastUpdated": run.end_ts,
        "lastUpdatedIso": iso_from_millis(run.end_ts) if run.end_ts else None,
        "durationString": f"PT{(run.end_ts or run.start_ts) - run.start_ts}MS",
    }
    if not thresholds:
        context["canaryScoreMessage"] = "No score thresholds were specified."
        return TaskResult.succeeded(context)
    marginal = thresholds.get("marginal")
    if marginal is None:
        context["canaryScoreMessage"] = "No marginal score threshold was specified."
        return TaskResult.succeeded(context)
    if score <= float(marginal):
        context["canaryScoreMessage"] = MARGINAL_MESSAGE
        context["exception"] = exception_details(
            MARGINAL_MESSAGE,
            [f"{MARGINAL_MESSAGE} (score {score:g}, marginal {float(marginal):g})"],
            exception_type="CanaryScoreBelowMarginal",
            operation=RUN_CANARY_TYPE,
        )
        return TaskResult.terminal(context)
    return TaskResult.succeeded(context)


def _failed(run_id: str, error: str, kind: str) -> TaskResult:
    return TaskResult.terminal(
        {
            "canaryPipelineExecutionId": run_id,
            "canaryPipelineStatus": "TERMINAL",
            "exception": exception_details(error, [error], exception_type=kind, operation=RUN_CANARY_TYPE),
        }
    )


def run_canary(task: TaskInput, env: CanaryEnvironment) -> TaskResult:
    ctx = task.context.own
    db = database_for(task, env)
    thresholds = ctx.get("scoreThresholds")
    thresholds = dict(thresholds) if isinstance(thresholds, Mapping) else None
    with db.read() as conn:
        run = repo.run_for_interval_stage(conn, task.stage_id)
    if run is not None and run.status == ExecutionStatus.SUCCEEDED.value:
        return _score_result(run, thresholds)
    if run is not None and run.status == ExecutionStatus.TERMINAL.value:
        error = (run.error or {}).get("message", "the canary run failed")
        return _failed(run.id, str(error), str((run.error or {}).get("type", "CanaryError")))
    now = env.clock()
    request = {
        "scopes": ctx.get("scopes") or {},
        "thresholds": thresholds or {},
        "metricsAccountName": ctx.get("metricsAccountName"),
        "canaryConfigId": ctx.get("canaryConfigId"),
        "canaryConfigName": ctx.get("canaryConfigName"),
    }
    if run is None:
        run = CanaryRunRecord(
            id=str(ULID()),
            status=ExecutionStatus.RUNNING.value,
            request=request,
            start_ts=now,
            application=task.application,
            execution_id=task.execution_id,
            stage_id=ctx.get("canaryStageId"),
            interval_stage_id=task.stage_id,
            interval_index=ctx.get("intervalIndex"),
            config_id=ctx.get("canaryConfigId"),
            created_by=task.principal,
        )
        with db.write() as conn:
            repo.insert_run(conn, run)
    try:
        config = load_config(db, ctx.get("canaryConfigId"), ctx.get("canaryConfigName"), task.application)
        scopes = parse_request_scopes(ctx.get("scopes") or {})
        pairs = fetch_metric_set_pairs(
            config,
            scopes,
            accounts=env.accounts,
            transport=env.transport,
            metrics_account_name=ctx.get("metricsAccountName"),
        )
        result = judge_pairs(config, judge_thresholds(thresholds or {}), pairs, remote=env.remote_judge)
    except MetricSourceUnavailableError as error:
        attempts = int(ctx.get("fetchAttempts") or 0) + 1
        if attempts < env.fetch_attempts:
            log.warning("canary run %s: %s (attempt %d of %d)", run.id, error, attempts, env.fetch_attempts)
            return TaskResult.running(
                {"fetchAttempts": attempts, "lastFetchError": str(error)}, backoff_ms=env.retry_backoff_ms
            )
        return _record_failure(db, run, f"{error} (tried {attempts} times)", type(error).__name__, env)
    except CanaryError as error:
        return _record_failure(db, run, str(error), type(error).__name__, env)
    end = env.clock()
    score = float(result["score"]["score"])
    with db.write() as conn:
        repo.update_run(
            conn,
            run.id,
            status=ExecutionStatus.SUCCEEDED.value,
            score=score,
            classification=str(result["score"].get("classification") or ""),
            judge_result=result,
            metric_pairs=[p.to_json() for p in pairs],
            config_id=config.id or ctx.get("canaryConfigId"),
            end_ts=end,
        )
    run.score, run.end_ts, run.status = score, end, ExecutionStatus.SUCCEEDED.value
    return _score_result(run, thresholds)


def _record_failure(
    db: Database, run: CanaryRunRecord, message: str, kind: str, env: CanaryEnvironment
) -> TaskResult:
    with db.write() as conn:
        repo.update_run(
            conn,
            run.id,
            status=ExecutionStatus.TERMINAL.value,
            error={"type": kind, "message": message},
            end_ts=env.clock(),
        )
    return _failed(run.id, message, kind)


# ---------------------------------------------------------------- aggregation


def interval_stages(execution: Mapping[str, Any], canary_stage_id: str) -> list[Mapping[str, Any]]:
    """The ``runCanary`` stages of one ``kayentaCanary`` stage, in interval order."""
    stages = [s for s in execution.get("stages") or [] if isinstance(s, Mapping)]
    parents = {
        s.get("id")
        for s in stages
        if s.get("type") == RUN_INTERVALS_TYPE and s.get("parentStageId") == canary_stage_id
    }
    runs = [s for s in stages if s.get("type") == RUN_CANARY_TYPE and s.get("parentStageId") in parents]
    return sorted(runs, key=lambda s: int((s.get("context") or {}).get("intervalIndex") or 0))


def interval_scores(execution: Mapping[str, Any], canary_stage_id: str) -> list[float]:
    scores = []
    for stage in interval_stages(execution, canary_stage_id):
        score = (stage.get("context") or {}).get("canaryScore")
        if isinstance(score, int | float):
            scores.append(float(score))
    return scores


def _fmt(score: float) -> str:
    return repr(float(score))


def aggregate_scores(scores: list[float], thresholds: Mapping[str, Any] | None) -> tuple[bool, str]:
    """Orca's decision on the last score: (succeeded, canaryScoreMessage)."""
    marginal = (thresholds or {}).get("marginal")
    passing = (thresholds or {}).get("pass")
    if marginal is None and passing is None:
        return True, "No score thresholds were specified."
    if not scores:
        return False, "No canary interval produced a score."
    final = scores[-1]
    if marginal is not None and final <= float(marginal):
        return False, f"Final canary score {_fmt(final)} is not above the marginal score threshold."
    if passing is None:
        return True, "No pass score threshold was specified."
    if final < float(passing):
        return False, f"Final canary score {_fmt(final)} is below the pass score threshold."
    return True, f"Final canary score {_fmt(final)} met or exceeded the pass score threshold."


def aggregate_canary_results(task: TaskInput) -> TaskResult:
    thresholds = _stage_thresholds(task.context.own)
    scores = interval_scores(task.execution_json(), task.stage_id)
    succeeded, message = aggregate_scores(scores, thresholds)
    values = {"canaryScores": scores, "canaryScoreMessage": message}
    if succeeded:
        return TaskResult.succeeded(values, outputs=values)
    failure: dict[str, Any] = dict(values)
    failure["exception"] = exception_details(
        message, [message], exception_type="CanaryAnalysisFailed", operation="kayentaCanary"
    )
    return TaskResult(ExecutionStatus.TERMINAL, failure, values)


def _stage_thresholds(context: Mapping[str, Any]) -> dict[str, Any] | None:
    canary = context.get("canaryConfig")
    if not isinstance(canary, Mapping):
        return None
    if "scoreThresholds" not in canary:
        return {"pass": 75.0, "marginal": 50.0}
    given = canary.get("scoreThresholds")
    return dict(given) if isinstance(given, Mapping) else None


def early_stop_summary(task: TaskInput) -> dict[str, Any] | None:
    """On a halted ``kayentaCanary`` stage (cancel hook): the scores judged so far and why it stopped, so the
    stage shows ``canaryScores`` even when an interval stopped it early (Orca leaves them out)."""
    if "canaryScores" in task.context.own:
        return None
    execution = task.execution_json()
    stages = interval_stages(execution, task.stage_id)
    scores = interval_scores(execution, task.stage_id)
    message = next(
        (
            str((s.get("context") or {}).get("canaryScoreMessage"))
            for s in reversed(stages)
            if s.get("status") == "TERMINAL" and (s.get("context") or {}).get("canaryScoreMessage")
        ),
        None,
    )
    if message is None:
        failed = next((s for s in reversed(stages) if s.get("status") == "TERMINAL"), None)
        details = ((failed or {}).get("context") or {}).get("exception") or {}
        message = str((details.get("details") or {}).get("error") or "") or None
    out: dict[str, Any] = {"canaryScores": scores}
    if message:
        out["canaryScoreMessage"] = message
    return out
