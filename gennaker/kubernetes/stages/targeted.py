"""The shape shared by every stage that acts on existing objects (delete, scale, patch, undo, restart,
pause, resume, enable, disable): resolve the target, run the operation, maybe wait for stability.

Who calls it: each such stage module builds its ``StageDefinition`` with ``targeted_stage``. Tasks:

1. ``resolveTargetManifest``: resolves a static, dynamic or label target from the cache (``targets``) and
   records the result in the context (``manifestName`` + ``location`` for one object, Orca's
   ``DynamicResolveManifestTask``; ``resolvedTargets`` for a label target), so a re-run acts on the same
   objects even if a newer one appeared meanwhile;
2. the operation (``operation(service, task, account, targets) -> (context, outputs)``); it should record
   ``outputs.manifestNamesByNamespace`` for the wait;
3. ``waitForManifestToStabilize`` (``stabilize``) when ``wait`` is set.

``rollout_stage`` and ``traffic_stage`` build the rollout (restart, pause, resume) and traffic (enable,
disable) stages, which differ only in their action.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gennaker.artifacts.retry import retry_transient_fetches
from gennaker.engine.stagedef import StageDefinition, TaskDefinition, TaskInput, TaskResult
from gennaker.kubernetes import operations
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.stages.common import Locate, StageFieldError, account_of, guarded
from gennaker.kubernetes.stages.stabilize import NAMES_KEY, wait_task
from gennaker.kubernetes.targets import Target

Operation = Callable[
    [KubernetesService, TaskInput, str, list[Target]], tuple[Mapping[str, Any], Mapping[str, Any]]
]


def names_by_namespace(targets: list[Target]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for t in targets:
        out.setdefault(t.namespace, []).append(t.manifest_name)
    return out


def recorded_targets(task: TaskInput) -> list[Target]:
    """The targets ``resolveTargetManifest`` recorded."""
    ctx = task.context
    resolved = ctx.get("resolvedTargets")
    if isinstance(resolved, list):
        return [Target(str(t["kind"]), str(t["name"]), str(t.get("namespace") or "")) for t in resolved]
    return []


def resolve_task(locate: Locate, *, allow_label: bool = True) -> TaskDefinition:
    @guarded
    def run(task: TaskInput) -> TaskResult:
        service = locate()
        account = account_of(task)
        spec = service.target_spec(task.context, account, task.application)
        if spec.is_label and not allow_label:
            raise StageFieldError(f"{task.stage_type} takes a static or dynamic target, not a label target")
        targets = service.targets(account, spec)
        context: dict[str, Any] = {
            "resolvedTargets": [{"kind": t.kind, "name": t.name, "namespace": t.namespace} for t in targets]
        }
        if spec.cluster and targets:
            context.update(manifestName=targets[0].manifest_name, location=targets[0].namespace)
        return TaskResult.succeeded(context)

    return TaskDefinition(
        name="resolveTargetManifest",
        run=run,
        implementing_class="gennaker.kubernetes.stages.targeted.ResolveTargetManifestTask",
    )


def operation_task(locate: Locate, name: str, operation: Operation) -> TaskDefinition:
    """The stage's operation on its resolved targets. patchManifest fetches its artifact body here, before
    patching anything, so a transient fetch failure retries the whole task with a backoff."""

    @guarded
    @retry_transient_fetches
    def run(task: TaskInput) -> TaskResult:
        service = locate()
        account = account_of(task)
        targets = recorded_targets(task)
        context, outputs = operation(service, task, account, targets)
        context = {NAMES_KEY: names_by_namespace(targets), **context}
        outputs = {"manifestNamesByNamespace": names_by_namespace(targets), **outputs}
        return TaskResult.succeeded(context, outputs)

    return TaskDefinition(name=name, run=run, implementing_class=f"gennaker.kubernetes.stages.{name}")


def targeted_stage(
    stage_type: str,
    locate: Locate,
    task_name: str,
    operation: Operation,
    *,
    wait: bool,
    description: str,
    allow_label: bool = True,
) -> StageDefinition:
    tasks = [resolve_task(locate, allow_label=allow_label), operation_task(locate, task_name, operation)]
    if wait:
        tasks.append(wait_task(locate))
    return StageDefinition(type=stage_type, tasks=tuple(tasks), description=description)


def rollout_stage(stage_type: str, locate: Locate, action: str, description: str) -> StageDefinition:
    """rollingRestartManifest, pauseRolloutManifest, resumeRolloutManifest: ``kubectl rollout <action>``
    on each target, no wait."""

    def run(
        service: KubernetesService, task: TaskInput, account: str, targets: list[Target]
    ) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        for target in targets:
            operations.rollout(service, account, target, action)
        return {}, {}

    return targeted_stage(
        stage_type, locate, stage_type, run, wait=False, allow_label=False, description=description
    )


def traffic_stage(stage_type: str, locate: Locate, *, enable: bool, description: str) -> StageDefinition:
    """enableManifest, disableManifest: add or remove the Services' selector labels, then wait."""

    def run(
        service: KubernetesService, task: TaskInput, account: str, targets: list[Target]
    ) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        load_balancers = task.context.get("loadBalancers") or None
        if load_balancers is not None and not isinstance(load_balancers, list):
            raise StageFieldError('loadBalancers must be a list like ["service web"]')
        patched: list[str] = []
        for target in targets:
            patched += operations.set_traffic(
                service, account, target, enable=enable, load_balancers=load_balancers
            )
        return {"patchedManifests": patched}, {"patchedManifests": patched}

    return targeted_stage(
        stage_type, locate, stage_type, run, wait=True, allow_label=False, description=description
    )
