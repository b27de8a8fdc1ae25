"""Trigger types, one module each, in one registry (``TRIGGER_TYPES``): ``webhook``, ``git``, ``docker``,
``cron``, ``pipeline``, ``helm``. Each module declares ``TRIGGER_TYPE`` (see ``gennaker.triggers.registry``)
and the function that turns what comes in into a ``TriggerEvent``. ``manual`` is the engine's own."""

from __future__ import annotations

from gennaker.triggers.registry import TriggerTypeRegistry
from gennaker.triggers.types import cron, docker, git, helm, pipeline, webhook

TRIGGER_TYPES = TriggerTypeRegistry()
for _module in (webhook, git, docker, cron, pipeline, helm):
    TRIGGER_TYPES.register(_module.TRIGGER_TYPE)

__all__ = ["TRIGGER_TYPES"]
