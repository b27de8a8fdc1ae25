"""Quartz cron expressions with a time zone, and the pure "which firings are due" core of the cron trigger.

Modules: ``fields`` (parsing, ``CronSyntaxError``), ``expression`` (``CronExpression``: next fire time,
iteration, DST rules), ``schedule`` (``due_firings`` and ``MisfirePolicy``, for restart-safe scheduling).
"""

from gennaker.triggers.cron.expression import CronExpression
from gennaker.triggers.cron.fields import CronSyntaxError
from gennaker.triggers.cron.schedule import (
    DEFAULT_MISFIRE_THRESHOLD,
    DueFirings,
    MisfirePolicy,
    due_firings,
    last_fire_at_or_before,
)

__all__ = [
    "DEFAULT_MISFIRE_THRESHOLD",
    "CronExpression",
    "CronSyntaxError",
    "DueFirings",
    "MisfirePolicy",
    "due_firings",
    "last_fire_at_or_before",
]
