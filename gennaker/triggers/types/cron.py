"""The ``cron`` trigger: a Quartz cron expression, fired by the trigger runtime's scheduler.

Trigger JSON (Echo's)::

    {"type": "cron", "enabled": true, "id": "3f1c...", "cronExpression": "0 0/30 9-17 ? * MON-FRI"}

Who calls it: the cron scheduler (``gennaker.triggers.scheduler``) computes the due firings of each
enabled cron trigger (``due_firings``) and dispatches one event per firing, for that trigger only; the
scheduled time is part of the event key (``cron:<pipeline id>:<trigger id or #index>:<ISO time>``), so a
firing recomputed after a crash or by a second scheduler starts nothing twice. Runtime trigger: the
configured trigger (``cronExpression``, ``id``) with ``user`` ``[anonymous]`` unless ``runAsUser``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gennaker.triggers.events import TriggerEvent
from gennaker.triggers.pipelines import TriggerRef
from gennaker.triggers.registry import Check


@dataclass(frozen=True)
class CronData:
    config_id: str
    trigger_key: str
    scheduled: datetime


def firing_key(ref: TriggerRef, scheduled: datetime) -> str:
    return f"cron:{ref.config_id}:{ref.key}:{scheduled.isoformat()}"


def firing_event(ref: TriggerRef, scheduled: datetime, *, missed: int = 0) -> TriggerEvent:
    """The event of one firing; ``missed`` counts the firings it stands for besides itself (misfires)."""
    expression = ref.trigger.get("cronExpression")
    name = f"{ref.config.get('application')}/{ref.config.get('name')}"
    return TriggerEvent(
        type="cron",
        key=firing_key(ref, scheduled),
        source=f"{ref.config_id}:{ref.key}",
        summary=f"cron {expression!r} of {name} scheduled at {scheduled.isoformat()}",
        data=CronData(ref.config_id, ref.key, scheduled),
        payload={"cronExpression": expression, "scheduledTime": scheduled.isoformat(), "missed": missed},
    )


class CronTrigger:
    type = "cron"
    secret_keys: frozenset[str] = frozenset()

    def addresses(self, trigger: Mapping[str, Any], event: TriggerEvent) -> bool:
        return False  # firings are dispatched to their own trigger only (explicit candidates)

    def check(self, trigger: Mapping[str, Any], event: TriggerEvent) -> Check:
        return Check.passed()

    def runtime_fields(self, trigger: Mapping[str, Any], event: TriggerEvent) -> dict[str, Any]:
        return {}


TRIGGER_TYPE = CronTrigger()
