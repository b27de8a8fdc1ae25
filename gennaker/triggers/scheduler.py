"""The cron scheduler: fires every enabled cron trigger at its Quartz times, with no missed and no doubled
firing across restarts and across processes.

Who calls it: the trigger runtime's loop calls ``tick()`` (only in the process holding the scheduling
lease) and sleeps until ``next_due()``.

State per trigger (``trigger_state`` key ``cron:<pipeline id>:<trigger id or #index>``): ``expression``,
``timezone``, ``lastFired`` (the *scheduled* time of the last firing handled, ISO 8601), ``disabled``.
- A trigger seen for the first time, re-enabled, or whose expression or zone changed starts from now: it
  does not fire for the past.
- Each tick computes ``due_firings(cron, lastFired, now)`` (``gennaker.triggers.cron.schedule``) and
  dispatches one event per firing; the new ``lastFired`` is written by the dispatcher's ``before_commit``
  hook, in the same transaction as the execution, next to the once-per-event key
  ``cron:<pipeline>:<trigger>:<scheduled time>``. A crash before that commit recomputes the same firing
  (same key) after the restart; after it, the firing is never due again. A firing whose start fails (a
  required parameter, an unresolvable artifact) still advances ``lastFired``.
- Firings missed while no process ran follow the misfire policy: ``fireOnceNow`` (default: coalesce into
  one), ``fireAll`` (catch up, oldest first), ``doNothing`` (drop those over 60 s late). The event of a
  firing says how many it stands for (``payload.missed``).
- An invalid expression is logged once (event status ``error``) and then ignored until it changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from gennaker.engine.clock import now_ms
from gennaker.store import triggers as trigger_repo
from gennaker.triggers.cron import CronExpression, CronSyntaxError, MisfirePolicy, due_firings
from gennaker.triggers.dispatch import TriggerDispatcher
from gennaker.triggers.events import DispatchResult, TriggerEvent
from gennaker.triggers.pipelines import TriggerRef
from gennaker.triggers.types.cron import firing_event

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "America/Los_Angeles"  # Echo's scheduler.cron.timezone default


def state_key(ref: TriggerRef) -> str:
    return f"cron:{ref.config_id}:{ref.key}"


class CronScheduler:
    """Fires cron triggers; one ``tick`` handles everything due."""

    def __init__(
        self,
        dispatcher: TriggerDispatcher,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        policy: MisfirePolicy = MisfirePolicy.FIRE_ONCE_NOW,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.dispatcher = dispatcher
        self.db = dispatcher.db
        self.timezone = timezone
        self.policy = policy
        self.clock = clock
        self._next: datetime | None = None
        self._compiled: dict[tuple[str, str], CronExpression] = {}

    def _cron(self, expression: str) -> CronExpression:
        key = (expression, self.timezone)
        cron = self._compiled.get(key)
        if cron is None:
            if len(self._compiled) > 1024:
                self._compiled.clear()
            cron = self._compiled[key] = CronExpression(expression, self.timezone)
        return cron

    def next_due(self) -> datetime | None:
        """The earliest next firing seen by the last tick (None when nothing is scheduled)."""
        return self._next

    def _put(self, key: str, value: dict[str, Any]) -> None:
        with self.db.write() as conn:
            trigger_repo.put_state(conn, key, value, now_ms())

    def tick(self) -> list[DispatchResult]:
        """Fire what is due now; returns the dispatch results (one per firing)."""
        refs = self.dispatcher.index.triggers("cron")
        now = self.clock()
        with self.db.read() as conn:
            states = trigger_repo.states_with_prefix(conn, "cron:")
        results: list[DispatchResult] = []
        upcoming: list[datetime] = []
        for ref in refs:
            try:
                results += self._trigger(ref, states.get(state_key(ref)), now, upcoming)
            except Exception:
                log.exception("cron trigger %s of pipeline %s failed", ref.key, ref.config_id)
        self._next = min(upcoming) if upcoming else None
        return results

    def _trigger(
        self, ref: TriggerRef, state: dict[str, Any] | None, now: datetime, upcoming: list[datetime]
    ) -> list[DispatchResult]:
        key = state_key(ref)
        expression = str(ref.trigger.get("cronExpression") or "")
        if not ref.enabled:
            if state is not None and not state.get("disabled"):
                self._put(key, {**state, "disabled": True})
            return []
        try:
            cron = self._cron(expression)
        except CronSyntaxError as exc:
            if state is None or state.get("invalid") != expression:
                event = TriggerEvent(
                    "cron",
                    f"{key}:invalid",
                    f"{ref.config_id}:{ref.key}",
                    f"cron trigger of {ref.config.get('name')}",
                )
                self.dispatcher.record(event, status="error", reason=str(exc))
                self._put(key, {"invalid": expression, "expression": expression, "timezone": self.timezone})
            return []
        fresh = {"expression": expression, "timezone": self.timezone, "lastFired": now.isoformat()}
        if (
            state is None
            or state.get("disabled")
            or state.get("expression") != expression
            or state.get("timezone") != self.timezone
            or not state.get("lastFired")
        ):
            self._put(key, fresh)
            following = cron.next_fire_after(now)
            if following is not None:
                upcoming.append(following)
            return []
        last_fired = datetime.fromisoformat(str(state["lastFired"]))
        due = due_firings(cron, last_fired, now, policy=self.policy)
        if due.next_fire is not None:
            upcoming.append(due.next_fire)
        results = []
        for position, scheduled in enumerate(due.fire):
            last = position == len(due.fire) - 1
            recorded = due.last_fired if last and due.last_fired is not None else scheduled
            value = {"expression": expression, "timezone": self.timezone, "lastFired": recorded.isoformat()}
            event = firing_event(ref, scheduled, missed=due.skipped if last else 0)

            def store(conn: Connection, value: dict[str, Any] = value) -> None:
                trigger_repo.put_state(conn, key, value, now_ms())

            result = self.dispatcher.dispatch(event, candidates=[ref], before_commit=store)
            if not result.started:
                self._put(key, value)  # a firing that started nothing is still handled
            results.append(result)
        if not due.fire and due.last_fired is not None and due.last_fired != last_fired:
            self._put(
                key,
                {
                    "expression": expression,
                    "timezone": self.timezone,
                    "lastFired": due.last_fired.isoformat(),
                },
            )
        if due.truncated:
            upcoming.append(now)  # more firings are due (fireAll in batches): come back at once
        return results
