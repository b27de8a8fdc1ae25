"""The typed registry of trigger types: how an event of a type is matched against a pipeline's trigger and
what the runtime trigger carries.

Who calls it: the dispatcher (``gennaker.triggers.dispatch``) for every event; each module of
``gennaker.triggers.types`` declares one ``TriggerType`` and ``gennaker.triggers.types`` registers them in
``TRIGGER_TYPES`` (a plugin registers its own the same way).

A trigger type answers three questions for a configured trigger (Spinnaker's trigger JSON) and an event:
- ``addresses``: is this trigger about the event at all (the same webhook source, repository, registry
  account and repository, parent pipeline...)? Only addressed pipelines are candidates, logged with why
  they did or did not start;
- ``check``: does the event satisfy the trigger's constraints (signature, branch or tag pattern, payload
  constraints, status...)? A failed check carries the reason, and ``unauthorized`` when it is about
  credentials (so an endpoint answers 401 when nothing started);
- ``runtime_fields``: what the runtime trigger adds for this event (``hash``/``branch``, ``tag``/``digest``,
  ``parameters``/``payload``, ``parentExecution``...).
The checks common to every type (pipeline disabled, trigger disabled, artifact constraints through
``expectedArtifactIds``) are the dispatcher's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from gennaker.triggers.events import TriggerEvent


@dataclass(frozen=True)
class Check:
    """A check's answer."""

    ok: bool
    reason: str | None = None
    unauthorized: bool = False

    @classmethod
    def passed(cls) -> Check:
        return cls(True)

    @classmethod
    def failed(cls, reason: str, *, unauthorized: bool = False) -> Check:
        return cls(False, reason, unauthorized)


class TriggerType(Protocol):
    """One trigger type (``webhook``, ``git``, ``docker``, ``cron``, ``pipeline``, ``helm``...)."""

    type: str
    #: Keys of the configured trigger never copied into the runtime trigger (credentials).
    secret_keys: frozenset[str]

    def addresses(self, trigger: Mapping[str, Any], event: TriggerEvent) -> bool: ...

    def check(self, trigger: Mapping[str, Any], event: TriggerEvent) -> Check: ...

    def runtime_fields(self, trigger: Mapping[str, Any], event: TriggerEvent) -> dict[str, Any]: ...


class TriggerTypeRegistry:
    """Trigger types by name."""

    def __init__(self) -> None:
        self._types: dict[str, TriggerType] = {}

    def register(self, trigger_type: TriggerType, *, replace: bool = False) -> TriggerType:
        if trigger_type.type in self._types and not replace:
            raise ValueError(f"trigger type {trigger_type.type!r} is already registered")
        self._types[trigger_type.type] = trigger_type
        return trigger_type

    def get(self, name: str) -> TriggerType:
        try:
            return self._types[name]
        except KeyError:
            known = ", ".join(sorted(self._types))
            raise KeyError(f"unknown trigger type {name!r}; known types: {known}") from None

    def types(self) -> list[str]:
        return sorted(self._types)
