"""``TriggerService``: what the API calls for triggers: the webhook endpoints and the event log.

Who calls it: ``gennaker.api`` (routes ``POST /webhooks/webhook/{source}``, ``POST /webhooks/git/{provider}``,
``GET /triggers/events``, ``GET /triggers/events/{id}``) and tests. The trigger runtime
(``gennaker.triggers.runtime``) owns one and hands it to the API.

Answers (``WebhookResponse``: an HTTP status and a JSON body safe to return to the caller):
- 200 ``{"eventProcessed": true, "eventId", "logId", "executionIds": [...]}`` when the event was matched
  (whether or not it started anything; the log says why not);
- 400 ``{"eventProcessed": false, "error"}`` for a body that is not a usable event (not JSON, not a push,
  wrong ``parameters``/``artifacts`` shape, unknown git provider); nothing is started; logged as
  ``rejected``;
- 401 ``{"eventProcessed": false, "error"}`` when at least one matching trigger refused the event's
  signature or secret and no pipeline started; the log holds the details, the answer does not name
  pipelines;
- a git ``ping`` answers 200 ``{"eventProcessed": false, "ping": true}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gennaker.store import triggers as trigger_repo
from gennaker.triggers.dispatch import TriggerDispatcher
from gennaker.triggers.events import DispatchResult, TriggerEvent, logged_headers
from gennaker.triggers.types.git import git_push_event
from gennaker.triggers.types.webhook import WebhookPayloadError, webhook_event
from gennaker.triggers.webhooks.git_push import PayloadError, parse_git_push

MAX_REJECTED_BODY = 2048


@dataclass(frozen=True)
class WebhookResponse:
    """The HTTP answer to a webhook."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    log_id: int | None = None


def _accepted(result: DispatchResult) -> WebhookResponse:
    if result.unauthorized:
        return WebhookResponse(
            401,
            {
                "eventProcessed": False,
                "error": "the event's signature or secret was refused by the triggers it addresses",
            },
            result.log_id,
        )
    return WebhookResponse(
        200,
        {
            "eventProcessed": True,
            "eventId": result.event.event_id,
            "logId": result.log_id,
            "executionIds": [o.execution_id for o in result.started],
        },
        result.log_id,
    )


class TriggerService:
    """Webhook handling and the trigger event log."""

    def __init__(self, dispatcher: TriggerDispatcher) -> None:
        self.dispatcher = dispatcher
        self.db = dispatcher.db

    def _rejected(
        self, type: str, source: str, headers: Mapping[str, str], body: bytes, error: str
    ) -> WebhookResponse:
        text = body[:MAX_REJECTED_BODY].decode("utf-8", errors="replace")
        event = TriggerEvent(
            type=type,
            key=f"{type}:{source}:rejected",
            source=source,
            summary=f"{type} {source}",
            payload={"headers": logged_headers(headers), "bodyText": text},
        )
        log_id = self.dispatcher.record(event, status="rejected", reason=error)
        return WebhookResponse(400, {"eventProcessed": False, "error": error}, log_id)

    def handle_webhook(self, source: str, headers: Mapping[str, str], body: bytes) -> WebhookResponse:
        """``POST /webhooks/webhook/{source}``."""
        try:
            event = webhook_event(source, headers, body)
        except WebhookPayloadError as exc:
            return self._rejected("webhook", source, headers, body, str(exc))
        return _accepted(self.dispatcher.dispatch(event))

    def handle_git_push(self, provider: str, headers: Mapping[str, str], body: bytes) -> WebhookResponse:
        """``POST /webhooks/git/{provider}`` (github, gitlab, bitbucket)."""
        provider = provider.lower()
        try:
            push = parse_git_push(provider, body, headers)
        except PayloadError as exc:
            return self._rejected("git", provider, headers, body, str(exc))
        if push is None:
            return WebhookResponse(200, {"eventProcessed": False, "ping": True})
        payload: Any
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        return _accepted(self.dispatcher.dispatch(git_push_event(provider, push, headers, body, payload)))

    # ------------------------------------------------------------ the event log

    def list_events(
        self,
        *,
        type: str | None = None,
        source: str | None = None,
        before_id: int | None = None,
        limit: int = 50,
    ) -> list[dict[str, Any]]:
        """Trigger events newest first (without payloads); page with ``before_id``."""
        with self.db.read() as conn:
            return trigger_repo.list_events(conn, type=type, source=source, before_id=before_id, limit=limit)

    def get_event(self, event_id: int) -> dict[str, Any] | None:
        """One event with its (redacted) payload and outcomes, or None."""
        with self.db.read() as conn:
            return trigger_repo.get_event(conn, event_id)
