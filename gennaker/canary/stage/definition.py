"""The ``kayentaCanary`` stage and its synthetic stages, built as Orca builds them.

Who uses it: the stage registry — ``register(registry)`` is the ``gennaker.stages`` entry point; tests call
:func:`register_canary_stages` with their own :class:`~gennaker.canary.environment.CanaryEnvironment`.

Graph (all synthetic stages are the engine's; nothing polls in a thread)::

    kayentaCanary                       task: aggregateCanaryResults; cancel hook: early-stop summary
      ├ deployCanaryServerGroups (before, only with ``deployments``: see :mod:`.deployments`)
      └ runCanaryIntervals (before)     no tasks; plans, when it starts:
          ├ Warmup Wait (wait)          beginCanaryAnalysisAfterMins > 0
          ├ Interval Wait #1 (wait)     real time only
          ├ Run Canary #1 (runCanary)   task: runCanary (fetch, judge, record; TERMINAL if ≤ marginal)
          ├ Interval Wait #2 ...
          └ Run Canary #N
      └ cleanupCanaryClusters (after, and on failure; on cancel through the cancel hook)

The interval plan (:mod:`.plan`) is made when ``runCanaryIntervals`` starts, with the environment's clock as
"now"; each ``runCanary`` stage's context holds its window as Kayenta request scopes (ISO times), so the
plan is visible in the execution JSON and survives restarts. A bad ``canaryConfig`` fails the stage at
planning with a message naming the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gennaker.canary.environment import EnvironmentSource, resolve_environment
from gennaker.canary.metrics.sandbox import start_sandbox_collectors
from gennaker.canary.stage.context import parse_canary_context
from gennaker.canary.stage.deployments import (
    cleanup_on_cancel,
    cleanup_stage,
    deploy_stage,
    parse_deployments,
    with_scopes,
)
from gennaker.canary.stage.plan import plan_intervals, request_scopes
from gennaker.canary.stage.tasks import (
    RUN_CANARY_TYPE,
    RUN_INTERVALS_TYPE,
    aggregate_canary_results,
    early_stop_summary,
    run_canary,
)
from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import (
    PlanInput,
    StageDefinition,
    SyntheticStage,
    TaskDefinition,
    TaskInput,
    TaskResult,
)

STAGE_TYPE = "kayentaCanary"
RUN_CANARY_NAME_PREFIX = "Run Canary #"
#: Orca's MonitorKayentaCanaryTask times out after 12 hours.
RUN_CANARY_TIMEOUT_MS = 12 * 3_600_000


def _plan_canary(plan: PlanInput) -> Sequence[SyntheticStage]:
    deployments = parse_deployments(plan.context)
    config = plan.context.get("canaryConfig")
    if deployments is not None and isinstance(config, dict):
        config = with_scopes(config, deployments)
    parse_canary_context({"canaryConfig": config})  # fail fast, as Orca's KayentaCanaryStage does
    context: dict[str, Any] = {"canaryConfig": config, "canaryStageId": plan.stage_id}
    if "continuePipeline" in plan.context:
        context["continuePipeline"] = plan.context["continuePipeline"]
    runs = SyntheticStage(type=RUN_INTERVALS_TYPE, name="Run Canary Intervals", context=context)
    return [runs] if deployments is None else [deploy_stage(deployments), runs]


def _plan_cleanup(plan: PlanInput) -> Sequence[SyntheticStage]:
    deployments = parse_deployments(plan.context)
    return [] if deployments is None else [cleanup_stage(deployments)]


def _on_halt(task: TaskInput) -> dict[str, Any] | None:
    """The cancel hook: the early-stop summary, and the cleanup of a canceled canary deployment."""
    out = dict(early_stop_summary(task) or {})
    out.update(cleanup_on_cancel(task) or {})
    return out or None


def _interval_planner(source: EnvironmentSource | None) -> Any:
    def plan_runs(plan: PlanInput) -> Sequence[SyntheticStage]:
        env = resolve_environment(source)
        canary = parse_canary_context(plan.context)
        start_sandbox_collectors(env.accounts)  # sandbox metrics exist only from when they are scraped
        intervals = plan_intervals(canary, env.clock())
        raw = plan.context["canaryConfig"]
        specs: list[SyntheticStage] = []
        if intervals.warmup_ms > 0:
            specs.append(SyntheticStage("wait", "Warmup Wait", {"waitTime": intervals.warmup_ms / 1000}))
        for window in intervals.windows:
            if intervals.realtime:
                specs.append(
                    SyntheticStage(
                        "wait", f"Interval Wait #{window.index}", {"waitTime": intervals.interval_ms / 1000}
                    )
                )
            run_context: dict[str, Any] = {
                "metricsAccountName": canary.metrics_account_name,
                "storageAccountName": canary.storage_account_name,
                "canaryConfigId": canary.canary_config_id,
                "canaryConfigName": canary.canary_config_name,
                "scopes": request_scopes(canary, window),
                "scoreThresholds": canary.thresholds.to_json()
                if "scoreThresholds" in raw
                else {"pass": 75.0, "marginal": 50.0},
                "intervalIndex": window.index,
                "canaryStageId": plan.context.get("canaryStageId"),
            }
            if "continuePipeline" in plan.context:
                run_context["continuePipeline"] = plan.context["continuePipeline"]
            specs.append(
                SyntheticStage(RUN_CANARY_TYPE, f"{RUN_CANARY_NAME_PREFIX}{window.index}", run_context)
            )
        return specs

    return plan_runs


def canary_stage_definitions(source: EnvironmentSource | None = None) -> list[StageDefinition]:
    """The three stage types, bound to an environment (None: the default environment, resolved when used)."""

    def run(task: TaskInput) -> TaskResult:
        return run_canary(task, resolve_environment(source))

    return [
        StageDefinition(
            type=STAGE_TYPE,
            tasks=(
                TaskDefinition(
                    name="aggregateCanaryResults",
                    run=aggregate_canary_results,
                    implementing_class="gennaker.canary.stage.AggregateCanaryResultsTask",
                ),
            ),
            before_stages=_plan_canary,
            after_stages=_plan_cleanup,
            on_failure_stages=_plan_cleanup,
            cancel=_on_halt,
            description="Automated canary analysis (Kayenta): judge canary vs baseline metrics in intervals.",
        ),
        StageDefinition(
            type=RUN_INTERVALS_TYPE,
            before_stages=_interval_planner(source),
            description="Synthetic: the warmup wait, interval waits and one runCanary per interval.",
        ),
        StageDefinition(
            type=RUN_CANARY_TYPE,
            tasks=(
                TaskDefinition(
                    name="runCanary",
                    run=run,
                    implementing_class="gennaker.canary.stage.RunCanaryTask",
                    timeout_ms=RUN_CANARY_TIMEOUT_MS,
                ),
            ),
            description="Synthetic: one canary judgement (fetch metrics, judge, record the run).",
        ),
    ]


def register_canary_stages(
    registry: StageRegistry, source: EnvironmentSource | None = None, *, replace: bool = False
) -> None:
    """Register the canary stage types bound to ``source`` (tests pass their own environment)."""
    for definition in canary_stage_definitions(source):
        registry.register(definition, replace=replace)


def register(registry: StageRegistry) -> None:
    """The ``gennaker.stages`` entry point: the canary stages on the default environment."""
    register_canary_stages(registry)
