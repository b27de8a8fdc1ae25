"""The ``manualJudgment`` stage (Orca's ``ManualJudgmentStage``): waits until a person decides.

A person judges through ``PATCH /pipelines/{id}/stages/{stageId}`` with ``judgmentStatus`` ("continue"
or "stop") and optionally ``judgmentInput`` (one of ``judgmentInputs[].value``); the facade records who
(``lastModifiedBy``, ``lastModified``) and runs the task at once. "continue" → SUCCEEDED; "stop" →
TERMINAL, which the stage's failure options turn into TERMINAL/STOPPED/FAILED_CONTINUE. ``#judgment('<stage
name>')`` downstream returns ``judgmentInput``. ``instructions`` is shown to the judge. Restarting the stage
clears the judgment.

Roles: ``selectedStageRoles`` (Deck) or ``requiredJudgmentRoles`` list who may judge. Until
authentication exists no user has roles and every judgment counts; once ``gennaker.auth`` installs a
resolver with ``set_role_resolver``, a judgment by a user without one of the roles is ignored (recorded
under ``ignoredJudgments``) and the stage keeps waiting. ``propagateAuthenticationContext: true`` exports
``authentication {user}`` (the judge) to later stages. Notifications are not sent yet.

The task is re-run every 15 s (and at once on a judgment) and times out after 3 days unless
``stageTimeoutMs`` says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import StageDefinition, TaskDefinition, TaskInput, TaskResult

JUDGMENT_KEYS = ("judgmentStatus", "judgmentInput", "lastModifiedBy", "ignoredJudgments", "judgedBy")
RoleResolver = Callable[[str], frozenset[str]]
_role_resolver: list[RoleResolver] = []


def set_role_resolver(resolver: RoleResolver | None) -> None:
    """Install (or remove, with None) the function giving a user's roles; the auth package calls it."""
    _role_resolver[:] = [resolver] if resolver is not None else []


def required_roles(context: dict[str, Any] | Any) -> list[str]:
    roles = context.get("selectedStageRoles") or context.get("requiredJudgmentRoles") or []
    return [str(r) for r in roles] if isinstance(roles, list) else []


def run_wait_for_judgment(task: TaskInput) -> TaskResult:
    ctx = task.context.own
    status = str(ctx.get("judgmentStatus") or "").lower()
    if status not in ("continue", "stop"):
        return TaskResult.running()
    judge = str(ctx.get("lastModifiedBy") or task.principal)
    roles = required_roles(ctx)
    resolver = _role_resolver[0] if _role_resolver else None
    if roles and resolver is not None and not set(roles) & set(resolver(judge)):
        ignored = [
            *list(ctx.get("ignoredJudgments") or []),
            {
                "user": judge,
                "judgmentStatus": status,
                "time": task.now,
                "reason": f"user {judge!r} has none of the roles {roles}",
            },
        ]
        return TaskResult.running(
            {"judgmentStatus": None, "judgmentInput": None, "ignoredJudgments": ignored}
        )
    outputs: dict[str, Any] = {}
    if ctx.get("propagateAuthenticationContext") is True:
        outputs["authentication"] = {"user": judge, "allowedAccounts": []}
    context = {"judgedBy": judge}
    if status == "continue":
        return TaskResult.succeeded(context, outputs)
    return TaskResult.terminal(context)


def clear_judgment(context: dict[str, Any]) -> dict[str, Any]:
    """A restarted judgment stage waits for a new judgment."""
    return {k: v for k, v in context.items() if k not in JUDGMENT_KEYS}


MANUAL_JUDGMENT = StageDefinition(
    type="manualJudgment",
    tasks=(
        TaskDefinition(
            name="waitForJudgment",
            run=run_wait_for_judgment,
            implementing_class="gennaker.stages.manual_judgment.WaitForManualJudgmentTask",
            backoff_ms=15_000,
            timeout_ms=3 * 24 * 3_600_000,
        ),
    ),
    prepare_for_restart=clear_judgment,
    description="Wait for a person to continue or stop the pipeline; #judgment('name') gives the input.",
)


def register(registry: StageRegistry) -> None:
    registry.register(MANUAL_JUDGMENT)
