"""What comes in and what became of it: ``TriggerEvent`` (one event, whatever its source), ``Outcome`` (what
happened for one candidate pipeline) and the redaction applied before anything is written to the log.

Who uses it: every trigger type builds ``TriggerEvent`` objects (webhook and git push handlers, the docker
and helm pollers, the cron scheduler, the pipeline-completion watcher); the dispatcher records
``Outcome`` lists in the event log.

Invariants:
- ``key`` is the event's idempotency key: the same event seen twice (a redelivered webhook, a tag seen by
  two pollers, a firing recomputed after a crash) has the same key, and a pipeline is started at most once
  per key;
- ``log_payload`` never contains a credential: keys that name one (password, token, secret, authorization,
  signature...) are replaced with ``**********`` at any depth, and the payload is cut to
  ``MAX_LOG_PAYLOAD`` characters of JSON.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gennaker.model.artifacts import Artifact

MAX_LOG_PAYLOAD = 16_384
REDACTED = "**********"
_SECRET_KEY = re.compile(r"(pass(word)?|secret|token|authorization|signature|api[-_]?key|credential)", re.I)
#: Request headers worth keeping in the log (never credentials or signatures).
LOGGED_HEADERS = (
    "content-type",
    "user-agent",
    "x-github-event",
    "x-github-delivery",
    "x-gitlab-event",
    "x-gitlab-event-uuid",
    "x-event-key",
    "x-request-uuid",
    "idempotency-key",
    "x-event-id",
)


def redact(value: Any) -> Any:
    """``value`` with every credential-looking key's value replaced by ``**********``."""
    if isinstance(value, Mapping):
        return {
            str(k): (REDACTED if _SECRET_KEY.search(str(k)) and v not in (None, "") else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def log_payload(value: Any) -> Any:
    """What the event log keeps of a payload: redacted, and cut when its JSON is too long."""
    cleaned = redact(value)
    text = json.dumps(cleaned, default=str)
    if len(text) <= MAX_LOG_PAYLOAD:
        return cleaned
    return {"truncated": True, "size": len(text), "preview": text[:MAX_LOG_PAYLOAD]}


def logged_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers kept in the log."""
    return {k.lower(): v for k, v in headers.items() if k.lower() in LOGGED_HEADERS}


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A request header, case-insensitively."""
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


@dataclass
class TriggerEvent:
    """One event for the dispatcher. ``data`` is the type's own object (a push, a tag, a firing...)."""

    type: str
    key: str
    source: str
    summary: str
    data: Any = None
    artifacts: list[Artifact] = field(default_factory=list)
    payload: Any = None
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class Outcome:
    """What happened for one candidate pipeline of an event."""

    pipeline_config_id: str
    application: str
    pipeline: str
    result: str  # started | skipped | duplicate | failed
    reason: str | None = None
    trigger_index: int | None = None
    execution_id: str | None = None
    unauthorized: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "pipelineConfigId": self.pipeline_config_id,
            "application": self.application,
            "pipeline": self.pipeline,
            "result": self.result,
        }
        if self.trigger_index is not None:
            out["triggerIndex"] = self.trigger_index
        if self.execution_id is not None:
            out["executionId"] = self.execution_id
        if self.reason:
            out["reason"] = self.reason
        if self.unauthorized:
            out["unauthorized"] = True
        return out


@dataclass
class DispatchResult:
    """The outcomes of one event and where it is in the log."""

    event: TriggerEvent
    log_id: int | None
    outcomes: list[Outcome]

    @property
    def started(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result == "started"]

    @property
    def unauthorized(self) -> bool:
        """Some candidate refused the event's credentials and nothing was started."""
        return not self.started and any(o.unauthorized for o in self.outcomes)
