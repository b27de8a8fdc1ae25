"""``PipelineService``: the facade the API, the CLI and stage tasks call. Nothing above the engine
touches handlers, the queue or the tables directly.

Every write takes ``principal`` (the user; "anonymous" until authentication) and records it: on the
audit log, on executions (``authentication.user``, ``canceledBy``), on stages (``lastModified``).
Errors: ``NotFoundError`` (404), ``InvalidRequestError`` (400), ``ConflictError`` (409),
``ConfigValidationError`` (400, ``issues`` name stage and field).

User operations are recorded and then carried out by messages, in one transaction: cancel/pause/resume
flag the execution and push Cancel/Pause/ResumeExecution; restart pushes RestartStage; skip and context
patches (manual judgment) update the stage and deliver its RunTask now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from gennaker.engine.clock import now_ms
from gennaker.engine.configs import ConfigService
from gennaker.engine.errors import (
    ConflictError,
    ExpressionEvaluationError,
    InvalidRequestError,
    NotFoundError,
)
from gennaker.engine.events import EngineEvent, Subscription
from gennaker.engine.expressions import build_roots
from gennaker.engine.launch import build_trigger, new_orchestration, new_pipeline_execution
from gennaker.engine.messages import (
    CancelExecution,
    Message,
    PauseExecution,
    RescheduleExecution,
    RestartStage,
    ResumeExecution,
    RunTask,
    SkipStage,
    StartExecution,
)
from gennaker.engine.processor import QUEUE_CHANNEL
from gennaker.engine.runtime import EngineRuntime
from gennaker.model import (
    Artifact,
    ConfigValidationError,
    ExecutionStatus,
    PipelineConfig,
    ValidationIssue,
    parse_pipeline_config,
)
from gennaker.model.artifacts import artifacts_of_execution
from gennaker.store import audit
from gennaker.store import configs as config_repo
from gennaker.store import executions as repo
from gennaker.store import queue as queue_repo
from gennaker.store.executions import ExecutionRecord, StageRecord

S = ExecutionStatus


class PipelineService(ConfigService):
    """The engine's facade. One per process, thread-safe; also set as ``runtime.services`` so tasks
    (e.g. the pipeline stage) can start and cancel executions."""

    def __init__(self, runtime: EngineRuntime) -> None:
        self.runtime = runtime
        runtime.services = self

    # ------------------------------------------------------------ plumbing

    def _push(self, conn: Connection, messages: Sequence[Message], now: int) -> None:
        for m in messages:
            queue_repo.push(conn, m.KIND, m.payload(), deliver_at=now, now=now, execution_id=m.execution_id)
        if messages and conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_notify(%(c)s, '')", {"c": QUEUE_CHANNEL})

    def _wake(self) -> None:
        self.runtime.waker.notify_all()

    def _locked(self, conn: Connection, execution_id: str) -> ExecutionRecord:
        ex = repo.get_execution(conn, execution_id, lock=True)
        if ex is None:
            raise NotFoundError(f"no execution {execution_id!r}")
        return ex

    def _stage(self, conn: Connection, ex: ExecutionRecord, stage_id: str) -> StageRecord:
        stage = repo.get_stage(conn, stage_id)
        if stage is None or stage.execution_id != ex.id:
            raise NotFoundError(f"execution {ex.id} has no stage {stage_id!r}")
        return stage

    # ------------------------------------------------------------ starting executions

    def start_pipeline(
        self,
        application: str,
        name: str,
        *,
        trigger: Mapping[str, Any] | None = None,
        principal: str = "anonymous",
    ) -> str:
        """Start the saved config ``application``/``name`` (Gate's ``POST /pipelines/{app}/{name}``).
        ``trigger`` defaults to ``{"type": "manual"}``; its ``parameters`` are checked against
        ``parameterConfig``. Returns the execution id (the execution may wait behind limitConcurrent)."""
        with self.runtime.db.read() as conn:
            body = config_repo.find_config(conn, application, name)
        if body is None:
            raise NotFoundError(f"no pipeline {name!r} in application {application!r}")
        return self.start_pipeline_config(body, trigger=trigger, principal=principal)

    def start_pipeline_by_id(
        self, config_id: str, *, trigger: Mapping[str, Any] | None = None, principal: str = "anonymous"
    ) -> str:
        """Start a saved config by id (the pipeline stage uses this)."""
        with self.runtime.db.read() as conn:
            body = config_repo.get_config(conn, config_id)
        if body is None:
            raise NotFoundError(f"no pipeline config {config_id!r}")
        return self.start_pipeline_config(body, trigger=trigger, principal=principal)

    def start_pipeline_config(
        self,
        config: Mapping[str, Any] | PipelineConfig,
        *,
        trigger: Mapping[str, Any] | None = None,
        principal: str = "anonymous",
        start_time_expiry: int | None = None,
        before_commit: Callable[[Connection, str], None] | None = None,
    ) -> str:
        """Start an execution of ``config`` (saved or not; validated again). Returns its id.

        ``before_commit(conn, execution_id)`` runs inside the transaction that inserts the execution,
        before anything else is written: what it writes commits with the execution, and if it raises
        (e.g. a unique key shows a trigger already started this pipeline for the same event) nothing is
        started and the exception propagates."""
        raw = config.to_json() if isinstance(config, PipelineConfig) else config
        model = parse_pipeline_config(raw, is_known_stage_type=self.runtime.registry.is_known)
        if model.disabled:
            raise InvalidRequestError(f"pipeline {model.name!r} is disabled", field="disabled")
        now = now_ms()
        runtime_trigger = build_trigger(model, trigger, principal, lambda: self._prior_artifacts(model.id))
        record, stages = new_pipeline_execution(
            model, runtime_trigger, principal, now=now, start_time_expiry=start_time_expiry
        )
        self._insert(record, stages, principal, now, before_commit)
        return record.id

    def start_orchestration(
        self,
        application: str,
        stages: list[dict[str, Any]],
        *,
        name: str | None = None,
        principal: str = "anonymous",
    ) -> str:
        """Start an ORCHESTRATION (an ad-hoc task of stages, e.g. Gate's ``POST /tasks``)."""
        issues = []
        for i, s in enumerate(stages):
            if not isinstance(s, Mapping) or not isinstance(s.get("type"), str):
                issues.append(ValidationIssue(field=f"job[{i}].type", message="is required"))
            elif not self.runtime.registry.is_known(s["type"]):
                issues.append(
                    ValidationIssue(field=f"job[{i}].type", message=f"unknown stage type {s['type']!r}")
                )
        if issues:
            raise ConfigValidationError(issues)
        now = now_ms()
        record, rows = new_orchestration(application, name, stages, principal, now=now)
        self._insert(record, rows, principal, now)
        return record.id

    def _prior_artifacts(self, config_id: str | None) -> list[Artifact]:
        """Artifacts of the config's most recent successful execution (for ``usePriorArtifact``)."""
        if not config_id:
            return []
        with self.runtime.db.read() as conn:
            rows = repo.list_executions(conn, config_ids=[config_id], statuses=[S.SUCCEEDED.value], limit=1)
            if not rows:
                return []
            stages = repo.get_stages(conn, rows[0].id)
        return artifacts_of_execution(repo.to_model(rows[0], stages).to_orca_json())

    def _insert(
        self,
        record: ExecutionRecord,
        stages: list[StageRecord],
        principal: str,
        now: int,
        before_commit: Callable[[Connection, str], None] | None = None,
    ) -> None:
        with self.runtime.db.write() as conn:
            if before_commit is not None:
                before_commit(conn, record.id)
            repo.insert_execution(conn, record, stages)
            self._push(conn, [StartExecution(record.id)], now)
            audit.record(
                conn,
                principal=principal,
                action="execution.start",
                target_type="execution",
                target_id=record.id,
                application=record.application,
                details={"pipelineConfigId": record.pipeline_config_id, "name": record.name},
            )
        self._wake()

    # ------------------------------------------------------------ reading executions

    def get_execution(self, execution_id: str) -> dict[str, Any] | None:
        """The execution in Orca's JSON shape, or None."""
        with self.runtime.db.read() as conn:
            ex = repo.get_execution(conn, execution_id)
            if ex is None:
                return None
            stages = repo.get_stages(conn, execution_id)
        return repo.to_model(ex, stages).to_orca_json()

    def get_execution_status(self, execution_id: str) -> str | None:
        """Just the status (cheap; for polling loops)."""
        with self.runtime.db.read() as conn:
            ex = repo.get_execution(conn, execution_id)
        return ex.status if ex else None

    def list_executions(
        self,
        *,
        application: str | None = None,
        pipeline_config_ids: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
        execution_type: str | None = "PIPELINE",
        limit: int = 25,
        include_stages: bool = True,
    ) -> list[dict[str, Any]]:
        """Executions newest first, filtered by application, config ids, statuses (Orca names) and type."""
        wanted = [s.upper() for s in statuses] if statuses else None
        with self.runtime.db.read() as conn:
            rows = repo.list_executions(
                conn,
                application=application.lower() if application else None,
                config_ids=pipeline_config_ids,
                statuses=wanted,
                execution_type=execution_type,
                limit=limit,
            )
            out = []
            for ex in rows:
                stages = repo.get_stages(conn, ex.id) if include_stages else []
                out.append(repo.to_model(ex, stages).to_orca_json())
        return out

    def find_execution_by_correlation_id(self, correlation_id: str, *, limit: int = 200) -> str | None:
        """The id of an execution whose trigger has this ``correlationId`` (the pipeline stage's
        idempotence key ``<parent>_<stage>_<configId>_<stageStart>``), among that config's latest."""
        parts = correlation_id.split("_")
        config_ids = [parts[2]] if len(parts) >= 4 else None
        with self.runtime.db.read() as conn:
            rows = repo.list_executions(conn, config_ids=config_ids, limit=limit)
        return next((r.id for r in rows if (r.trigger or {}).get("correlationId") == correlation_id), None)

    def evaluate_expression(self, execution_id: str, expression: str) -> dict[str, Any]:
        """Orca's ``evaluateExpression``: evaluate ``${...}`` in ``expression`` against an execution (roots:
        the execution's own fields, ``execution``, ``trigger``, ``parameters``; helpers such as
        ``#stage`` see the execution). Returns ``{"result", "detail"}``; an expression that fails raises
        ``InvalidRequestError`` naming the error (its summary in ``detail``)."""
        if not isinstance(expression, str) or not expression.strip():
            raise InvalidRequestError(
                "expression is required, e.g. ${trigger.parameters.env}", field="expression"
            )
        execution = self.get_execution(execution_id)
        if execution is None:
            raise NotFoundError(f"no execution {execution_id!r}")
        roots = build_roots(context=execution, execution=execution, trigger=execution.get("trigger") or {})
        evaluated = self.runtime.evaluator.evaluate_object(expression, roots, execution, None)
        detail = evaluated.summary
        if evaluated.failed:
            errors = [
                str(e.get("description"))
                for entries in detail.values()
                for e in entries
                if e.get("level") == "ERROR"
            ]
            raise ExpressionEvaluationError(
                "; ".join(errors) or "the expression could not be evaluated", detail=detail
            )
        return {"result": evaluated.value, "detail": detail}

    # ------------------------------------------------------------ user operations

    def cancel_execution(self, execution_id: str, *, principal: str, reason: str | None = None) -> None:
        """Cancel: running stages end CANCELED (their cancel hooks run); a waiting execution is canceled
        at once. Cancelling a finished execution does nothing."""
        now = now_ms()
        with self.runtime.db.write() as conn:
            ex = self._locked(conn, execution_id)
            if S(ex.status).is_complete:
                return
            values: dict[str, Any] = {
                "canceled": True,
                "canceled_by": principal,
                "cancellation_reason": reason,
            }
            if ex.status == S.NOT_STARTED:
                values.update(status=S.CANCELED.value, end_time=now, waiting=False)
            repo.update_execution(conn, execution_id, **values)
            if ex.status != S.NOT_STARTED:
                self._push(conn, [CancelExecution(execution_id)], now)
            else:
                self._push(conn, _parent_wake_up(ex), now)
            audit.record(
                conn,
                principal=principal,
                action="execution.cancel",
                target_type="execution",
                target_id=execution_id,
                application=ex.application,
                details={"reason": reason},
            )
        if ex.status == S.NOT_STARTED:
            self.runtime.events.publish(
                [EngineEvent("execution", execution_id, S.CANCELED.value, now, application=ex.application)]
            )
        self._wake()

    def pause_execution(self, execution_id: str, *, principal: str) -> None:
        """Pause a RUNNING execution: running tasks stop being invoked; the paused time does not count
        towards timeouts."""
        now = now_ms()
        with self.runtime.db.write() as conn:
            ex = self._locked(conn, execution_id)
            if ex.status != S.RUNNING:
                raise ConflictError(
                    f"execution {execution_id} is {ex.status}, not RUNNING: it cannot be paused"
                )
            paused = dict(ex.paused or {"pausedMs": 0})
            paused.update(pauseTime=now, resumeTime=None)
            intervals = [*list(ex.pause_intervals or []), [now, 0]]
            repo.update_execution(
                conn, execution_id, status=S.PAUSED.value, paused=paused, pause_intervals=intervals
            )
            self._push(conn, [PauseExecution(execution_id)], now)
            audit.record(
                conn,
                principal=principal,
                action="execution.pause",
                target_type="execution",
                target_id=execution_id,
                application=ex.application,
            )
        self.runtime.events.publish(
            [EngineEvent("execution", execution_id, S.PAUSED.value, now, application=ex.application)]
        )
        self._wake()

    def resume_execution(self, execution_id: str, *, principal: str) -> None:
        """Resume a PAUSED execution."""
        now = now_ms()
        with self.runtime.db.write() as conn:
            ex = self._locked(conn, execution_id)
            if ex.status != S.PAUSED:
                raise ConflictError(
                    f"execution {execution_id} is {ex.status}, not PAUSED: it cannot be resumed"
                )
            intervals = [list(i) for i in ex.pause_intervals or []]
            if intervals and not intervals[-1][1]:
                intervals[-1][1] = now
            paused = dict(ex.paused or {})
            total = sum(max(0, e - b) for b, e in intervals)
            paused.update(resumeTime=now, pausedMs=total)
            repo.update_execution(
                conn, execution_id, status=S.RUNNING.value, paused=paused, pause_intervals=intervals
            )
            self._push(conn, [ResumeExecution(execution_id)], now)
            audit.record(
                conn,
                principal=principal,
                action="execution.resume",
                target_type="execution",
                target_id=execution_id,
                application=ex.application,
            )
        self.runtime.events.publish(
            [EngineEvent("execution", execution_id, S.RUNNING.value, now, application=ex.application)]
        )
        self._wake()

    def restart_stage(self, execution_id: str, stage_id: str, *, principal: str) -> None:
        """Restart a finished stage (its top-level stage if synthetic) and everything downstream."""
        now = now_ms()
        with self.runtime.db.write() as conn:
            ex = self._locked(conn, execution_id)
            stage = self._stage(conn, ex, stage_id)
            top = stage
            while top.parent_stage_id:
                parent = repo.get_stage(conn, top.parent_stage_id)
                if parent is None:
                    break
                top = parent
            if not S(top.status).is_complete:
                raise ConflictError(
                    f"stage {top.name!r} ({top.id}) is {top.status}: only a finished stage can be restarted"
                )
            self._push(conn, [RestartStage(execution_id, stage_id, user=principal)], now)
            audit.record(
                conn,
                principal=principal,
                action="stage.restart",
                target_type="execution",
                target_id=execution_id,
                application=ex.application,
                details={"stageId": stage_id, "refId": stage.ref_id},
            )
        self._wake()

    def skip_stage(self, execution_id: str, stage_id: str, *, principal: str) -> None:
        """Skip a stage that has not finished (Orca's ``manualSkip``): it ends SKIPPED, what follows runs."""
        self.patch_stage_context(execution_id, stage_id, {"manualSkip": True}, principal=principal)

    def patch_stage_context(
        self, execution_id: str, stage_id: str, patch: Mapping[str, Any], *, principal: str
    ) -> dict[str, Any]:
        """A user operation on a stage (Orca's ``PATCH /pipelines/{id}/stages/{stageId}``): merge ``patch``
        into the stage context, record ``lastModified``, and run the stage's task now so it sees the
        change (manual judgment: ``judgmentStatus``/``judgmentInput``; wait: ``skipRemainingWait``;
        ``manualSkip: true`` skips the stage). Returns the stage as Orca JSON."""
        if not isinstance(patch, Mapping):
            raise InvalidRequestError("the stage patch must be an object")
        now = now_ms()
        with self.runtime.db.write() as conn:
            ex = self._locked(conn, execution_id)
            stage = self._stage(conn, ex, stage_id)
            if S(ex.status).is_complete:
                raise ConflictError(f"execution {execution_id} is {ex.status}: its stages cannot be changed")
            if S(stage.status).is_complete:
                raise ConflictError(f"stage {stage.name!r} is {stage.status}: it cannot be changed")
            context = {**stage.context, **dict(patch)}
            last_modified = {"user": principal, "allowedAccounts": [], "lastModifiedTime": now}
            context["lastModifiedBy"] = principal
            repo.update_stage(conn, stage_id, context=context, last_modified=last_modified)
            stage.context, stage.last_modified = context, last_modified
            messages: list[Message] = []
            if patch.get("manualSkip") is True:
                messages.append(SkipStage(execution_id, stage_id))
            self._push(conn, messages, now)
            queue_repo.reschedule(conn, execution_id=execution_id, kinds=[RunTask.KIND], deliver_at=now)
            audit.record(
                conn,
                principal=principal,
                action="stage.update",
                target_type="execution",
                target_id=execution_id,
                application=ex.application,
                details={"stageId": stage_id, "keys": sorted(patch)},
            )
        self._wake()
        return repo.stage_model(stage).to_orca_json()

    # ------------------------------------------------------------ events

    def subscribe(self, callback: Callable[[EngineEvent], None]) -> Subscription:
        """Call ``callback(event)`` for every execution/stage/task transition committed from now on
        (on the worker thread that made it: keep it quick). ``Subscription.close()`` stops it."""
        return self.runtime.events.subscribe(callback)

    def listen(
        self, *, execution_id: str | None = None, timeout_s: float = 30.0
    ) -> Iterator[EngineEvent | None]:
        """Blocking iterator of events (None after ``timeout_s`` idle), e.g. for server-sent events."""
        return self.runtime.events.listen(execution_id=execution_id, timeout_s=timeout_s)


def _parent_wake_up(ex: ExecutionRecord) -> list[Message]:
    """A child pipeline that ends without running still wakes its parent's monitor."""
    trigger = ex.trigger or {}
    parent = trigger.get("parentPipelineId")
    if trigger.get("type") == "pipeline" and isinstance(parent, str) and parent:
        return [RescheduleExecution(parent)]
    return []
