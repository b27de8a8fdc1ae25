"""The dispatcher: matches one event against the triggers of saved pipelines, starts the pipelines it fires
(at most once per event each, in any number of processes) and records the event in the log.

Who calls it: every trigger source (``gennaker.triggers.service`` for webhooks and git pushes, the cron
scheduler, the docker and helm pollers, the pipeline-completion watcher) with a ``TriggerEvent``.

For each event:
1. the event is appended to the log (``trigger_events``, status ``received``; the payload redacted);
2. candidates are the triggers of its type that ``address`` it (``gennaker.triggers.registry``), grouped by
   pipeline; for each pipeline, in order: a disabled pipeline is skipped; each of its triggers is tried
   (disabled, the type's ``check``, then Echo's artifact constraint: with ``expectedArtifactIds``, at least
   one artifact of the event must match one of those expected artifacts); the first that passes starts the
   pipeline, and a pipeline none passes is recorded with every reason;
3. a start builds the runtime trigger (the configured trigger without its secrets, plus the type's runtime
   fields, ``user``, ``eventId``, ``correlationId``, ``artifacts``, ``parameters``) and calls
   ``PipelineService.start_pipeline_config`` with a ``before_commit`` hook that inserts
   (event key, pipeline id) into ``trigger_starts`` in the same transaction as the execution: a second
   start for the same event fails on the key and is recorded as ``duplicate`` with the first execution;
   the caller may add its own writes to that transaction (the cron scheduler stores ``last_fired`` there);
4. the log entry gets the outcomes and status ``processed``.
A launch refused by the engine (a required parameter missing, an expected artifact that cannot be
resolved...) is recorded as ``failed`` with the engine's message; nothing here raises for one pipeline's
problem.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from gennaker.engine.clock import now_ms
from gennaker.engine.errors import InvalidRequestError, NotFoundError
from gennaker.engine.service import PipelineService
from gennaker.model import ConfigValidationError
from gennaker.model.artifacts import Artifact, ExpectedArtifact
from gennaker.store import triggers as trigger_repo
from gennaker.triggers.events import DispatchResult, Outcome, TriggerEvent, log_payload
from gennaker.triggers.pipelines import PipelineIndex, TriggerRef
from gennaker.triggers.registry import TriggerType, TriggerTypeRegistry

log = logging.getLogger(__name__)

BeforeCommit = Callable[[Connection], None]


def artifact_constraint_failure(
    trigger: Mapping[str, Any], config: Mapping[str, Any], artifacts: Sequence[Artifact]
) -> str | None:
    """Echo's rule: with ``expectedArtifactIds``, some artifact of the event must match one of those
    expected artifacts; the reason when none does, else None."""
    ids = trigger.get("expectedArtifactIds") or []
    if not ids:
        return None
    expected = [
        ExpectedArtifact.model_validate(e)
        for e in config.get("expectedArtifacts") or []
        if isinstance(e, Mapping) and e.get("id") in ids
    ]
    if any(e.matches(a) for e in expected for a in artifacts):
        return None
    wanted = (
        ", ".join(e.describe() for e in expected)
        or f"ids {list(ids)} (not in the pipeline's expectedArtifacts)"
    )
    count = len(artifacts)
    return f"artifact constraints not satisfied: none of the event's {count} artifact(s) matches {wanted}"


def build_runtime_trigger(trigger_type: TriggerType, ref: TriggerRef, event: TriggerEvent) -> dict[str, Any]:
    """The trigger an execution starts with (Echo's ``Trigger`` after ``at...`` calls)."""
    out = {k: copy.deepcopy(v) for k, v in ref.trigger.items() if k not in trigger_type.secret_keys}
    out.update(trigger_type.runtime_fields(ref.trigger, event))
    out["type"] = ref.trigger["type"]
    out["user"] = ref.trigger.get("runAsUser") or "[anonymous]"
    out["eventId"] = event.event_id
    out["correlationId"] = f"{event.key}:{ref.config_id}"
    # Orca resolves only the expected artifacts a trigger lists; a trigger that lists none binds none
    # (only a manual start resolves every expected artifact).
    out.setdefault("expectedArtifactIds", [])
    out.setdefault("artifacts", [a.to_json() for a in event.artifacts])
    out.setdefault("parameters", {})
    return out


class TriggerDispatcher:
    """Matches events to pipeline triggers and starts pipelines, once per (event, pipeline)."""

    def __init__(
        self,
        service: PipelineService,
        types: TriggerTypeRegistry,
        *,
        index: PipelineIndex | None = None,
        owner: str | None = None,
    ) -> None:
        self.service = service
        self.db = service.runtime.db
        self.types = types
        self.index = index or PipelineIndex(self.db)
        self.owner = owner or service.runtime.owner

    def candidates(self, event: TriggerEvent) -> list[TriggerRef]:
        """The triggers of the event's type that address it."""
        trigger_type = self.types.get(event.type)
        return [r for r in self.index.triggers(event.type) if trigger_type.addresses(r.trigger, event)]

    def dispatch(
        self,
        event: TriggerEvent,
        *,
        candidates: Sequence[TriggerRef] | None = None,
        before_commit: BeforeCommit | None = None,
    ) -> DispatchResult:
        """Handle one event: start what it fires, record everything. ``candidates`` replaces the lookup
        (the cron scheduler fires one known trigger)."""
        trigger_type = self.types.get(event.type)
        refs = list(candidates) if candidates is not None else self.candidates(event)
        with self.db.write() as conn:
            log_id = trigger_repo.insert_event(
                conn,
                event_key=event.key,
                type=event.type,
                source=event.source,
                received_ts=now_ms(),
                summary=event.summary,
                payload=log_payload(event.payload),
                handled_by=self.owner,
            )
        groups: dict[str, list[TriggerRef]] = {}
        for ref in refs:
            groups.setdefault(ref.config_id, []).append(ref)
        outcomes = [self._pipeline(trigger_type, group, event, before_commit) for group in groups.values()]
        summary = event.summary
        if not outcomes:
            summary = f"{summary} (no pipeline has a {event.type} trigger for it)"
        with self.db.write() as conn:
            trigger_repo.finish_event(
                conn, log_id, status="processed", outcomes=[o.to_json() for o in outcomes], summary=summary
            )
        return DispatchResult(event, log_id, outcomes)

    def record(self, event: TriggerEvent, *, status: str, reason: str) -> int:
        """Log an event that was refused before matching (a bad signature, a malformed body, a registry
        that is down); returns its log id."""
        with self.db.write() as conn:
            return trigger_repo.insert_event(
                conn,
                event_key=event.key,
                type=event.type,
                source=event.source,
                received_ts=now_ms(),
                summary=f"{event.summary}: {reason}",
                payload=log_payload(event.payload),
                status=status,
                handled_by=self.owner,
            )

    def already_started(self, event_key: str, config_id: str) -> str | None:
        """The execution this event already started for the pipeline (a cheap check before building a
        start; the guarantee itself is the key written with the execution)."""
        with self.db.read() as conn:
            return trigger_repo.started_execution(conn, event_key, config_id)

    # ------------------------------------------------------------ one pipeline

    def _pipeline(
        self,
        trigger_type: TriggerType,
        group: list[TriggerRef],
        event: TriggerEvent,
        before_commit: BeforeCommit | None,
    ) -> Outcome:
        config = group[0].config
        base = Outcome(
            pipeline_config_id=group[0].config_id,
            application=str(config.get("application") or ""),
            pipeline=str(config.get("name") or ""),
            result="skipped",
        )
        if config.get("disabled"):
            return replace(base, result="skipped", reason="the pipeline is disabled")
        reasons: list[str] = []
        unauthorized = False
        for ref in group:
            label = f"trigger {ref.index}"
            if ref.trigger.get("enabled", True) is False:
                reasons.append(f"{label} is disabled")
                continue
            check = trigger_type.check(ref.trigger, event)
            if not check.ok:
                reasons.append(f"{label}: {check.reason}")
                unauthorized = unauthorized or check.unauthorized
                continue
            failure = artifact_constraint_failure(ref.trigger, config, event.artifacts)
            if failure is not None:
                reasons.append(f"{label}: {failure}")
                continue
            return self._start(trigger_type, ref, event, before_commit, base)
        return replace(base, result="skipped", reason="; ".join(reasons), unauthorized=unauthorized)

    def _start(
        self,
        trigger_type: TriggerType,
        ref: TriggerRef,
        event: TriggerEvent,
        before_commit: BeforeCommit | None,
        base: Outcome,
    ) -> Outcome:
        config_id = ref.config_id
        existing = self.already_started(event.key, config_id)
        if existing is not None:
            return replace(
                base,
                result="duplicate",
                reason="this event already started the pipeline",
                trigger_index=ref.index,
                execution_id=existing,
            )
        runtime = build_runtime_trigger(trigger_type, ref, event)
        principal = str(ref.trigger.get("runAsUser") or "anonymous")

        def claim(conn: Connection, execution_id: str) -> None:
            trigger_repo.claim_start(conn, event.key, config_id, execution_id, now_ms())
            if before_commit is not None:
                before_commit(conn)

        try:
            execution_id = self.service.start_pipeline_config(
                ref.config, trigger=runtime, principal=principal, before_commit=claim
            )
        except IntegrityError:
            with self.db.read() as conn:
                existing = trigger_repo.started_execution(conn, event.key, config_id)
            if existing is None:
                log.exception("starting pipeline %s for event %s failed", config_id, event.key)
                return replace(
                    base, result="failed", reason="the start could not be recorded", trigger_index=ref.index
                )
            return replace(
                base,
                result="duplicate",
                reason="another process started the pipeline for this event",
                trigger_index=ref.index,
                execution_id=existing,
            )
        except (InvalidRequestError, ConfigValidationError, NotFoundError) as exc:
            return replace(base, result="failed", reason=str(exc), trigger_index=ref.index)
        except Exception as exc:
            log.exception("starting pipeline %s for event %s failed", config_id, event.key)
            return replace(
                base, result="failed", reason=f"{type(exc).__name__}: {exc}", trigger_index=ref.index
            )
        return replace(base, result="started", trigger_index=ref.index, execution_id=execution_id)
