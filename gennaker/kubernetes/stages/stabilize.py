"""waitForManifestToStabilize: the task every stage that changes a workload ends with (Orca's
WaitForManifestStableTask), woken by the cache instead of polling every 5 s.

Who calls it: deployManifest, scaleManifest, patchManifest, undoRolloutManifest, enableManifest,
disableManifest and runJobManifest list it after their operation task. It reads the names the operation
wrote to ``outputs.manifestNamesByNamespace`` and judges each from the cache (``stability.evaluate``).

- all stable: SUCCEEDED, with ``stableManifests`` (``[{manifestName, location}]``) and ``messages``;
- any failed (the kind's rule, or fail fast: a pod problem older than the grace): TERMINAL at once, with
  ``failedManifests`` and the pods' reasons in ``exception.details.errors``. Spinnaker instead waits for
  every manifest to finish and, for bad images, for its 30-minute timeout;
- otherwise RUNNING: the execution is registered with the wake-up router for the account and namespaces
  involved, so the next watch event re-runs the task; the returned backoff (15 s, or the moment a pending
  problem's grace runs out) is only a safety net. Orca's 30-minute timeout applies (``stageTimeoutMs``
  overrides it);
- the account's cluster unreachable for longer than the grace fails with "account X is unreachable: ...".
"""

from __future__ import annotations

from typing import Any

from gennaker.engine.stagedef import TaskDefinition, TaskInput, TaskResult
from gennaker.kubernetes.errors import AccountUnreachableError, KubernetesError
from gennaker.kubernetes.kinds import KINDS
from gennaker.kubernetes.manifests.names import parse_manifest_name
from gennaker.kubernetes.service import STABILITY_TIMEOUT_MS
from gennaker.kubernetes.stability import evaluate
from gennaker.kubernetes.stages.common import Locate, account_of, failure, guarded

SAFETY_BACKOFF_MS = 15_000
UNREACHABLE_KEY = "__unreachable__"
NAMES_KEY = "outputs.manifestNamesByNamespace"


def names_by_namespace(task: TaskInput) -> dict[str, list[str]]:
    value = task.context.get(NAMES_KEY) or task.context.get("manifestNamesByNamespace") or {}
    return {str(ns): [str(n) for n in names] for ns, names in dict(value).items()}


def wake_key(task: TaskInput) -> str:
    return f"{task.execution_id}/{task.stage_id}"


def _register_wakeup(task: TaskInput, service: Any, account: str, namespaces: list[str]) -> bool:
    services = task.services
    if service.wakeups is None or services is None or not hasattr(services, "wake"):
        return False
    execution_id = task.execution_id
    service.wakeups.register(wake_key(task), account, namespaces, lambda: services.wake(execution_id))
    return True


class ManifestFailedError(KubernetesError):
    """A deployed manifest failed (its kind's rule, or a pod problem past the grace)."""


def _done(task: TaskInput, service: Any) -> None:
    if service.wakeups is not None:
        service.wakeups.unregister(wake_key(task))


def wait_task(locate: Locate) -> TaskDefinition:
    """The task definition, bound to a service locator."""

    @guarded
    def run(task: TaskInput) -> TaskResult:
        service = locate()
        account = account_of(task)
        names = names_by_namespace(task)
        registered = _register_wakeup(task, service, account, list(names))
        cache = service.ready(account)
        grace_s = service.fail_fast_grace_s(account, task.context.get("failFastGraceSeconds"))
        if task.context.get("failFast") is False:
            grace_s = None
        grace_ms = None if grace_s is None else int(grace_s * 1000)
        first_seen: dict[str, int] = dict(task.context.own.get("failFastObservations") or {})
        if cache.health.reachable is False:
            since = first_seen.setdefault(UNREACHABLE_KEY, task.now)
            limit = grace_ms if grace_ms is not None else 60_000
            if task.now - since >= limit:
                _done(task, service)
                return failure(task, AccountUnreachableError(account, cache.health.error or "no answer"))
            return TaskResult.running(
                {"failFastObservations": first_seen, "messages": [f"account {account} is unreachable"]},
                backoff_ms=min(SAFETY_BACKOFF_MS, limit),
            )
        first_seen.pop(UNREACHABLE_KEY, None)
        stable: list[dict[str, str]] = []
        failed: list[dict[str, str]] = []
        messages: list[str] = []
        errors: list[str] = []
        next_check: int | None = None
        for namespace, manifest_names in names.items():
            for name in manifest_names:
                kind, obj_name = parse_manifest_name(name)
                handler = KINDS.find(kind)
                obj = service.live_object(account, kind, namespace, obj_name) if handler else None
                entry = {"manifestName": name, "location": namespace}
                if handler is None:
                    stable.append(entry)  # a kind without rules is stable once applied
                    continue
                if obj is None:
                    messages.append(f"'{name}' in {namespace or 'the cluster'}: waiting for it to exist")
                    continue
                verdict = evaluate(
                    obj,
                    handler,
                    cache.index,
                    key=f"{namespace}/{name}",
                    first_seen=first_seen,
                    now_ms=task.now,
                    grace_ms=grace_ms,
                )
                status = verdict.status
                if status.failed.state:
                    failed.append(entry)
                    errors.append(f"'{name}' in {namespace}: {status.failed.message}")
                elif status.stable.state:
                    stable.append(entry)
                else:
                    messages.append(f"'{name}' in {namespace}: {status.stable.message}")
                if verdict.next_check_ms is not None:
                    next_check = (
                        verdict.next_check_ms
                        if next_check is None
                        else min(next_check, verdict.next_check_ms)
                    )
        context: dict[str, Any] = {
            "stableManifests": stable,
            "failedManifests": failed,
            "messages": messages + errors,
            "failFastObservations": first_seen,
        }
        if failed:
            _done(task, service)
            result = failure(task, ManifestFailedError("; ".join(errors)), **context)
            result.context["exception"]["details"]["errors"] = errors
            return result
        if not messages:
            _done(task, service)
            return TaskResult.succeeded(context)
        backoff = SAFETY_BACKOFF_MS if registered else 1_000
        if next_check is not None:
            backoff = max(0, min(backoff, next_check - task.now + 50))
        return TaskResult.running(context, backoff_ms=backoff)

    return TaskDefinition(
        name="waitForManifestToStabilize",
        run=run,
        implementing_class="gennaker.kubernetes.stages.stabilize.WaitForManifestStableTask",
        backoff_ms=SAFETY_BACKOFF_MS,
        timeout_ms=STABILITY_TIMEOUT_MS,
        timeout_overridable=True,
    )
