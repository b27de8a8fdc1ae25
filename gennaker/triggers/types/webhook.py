"""The ``webhook`` trigger: ``POST /webhooks/webhook/{source}`` with a JSON body.

Trigger JSON (Echo's, plus an optional shared secret)::

    {"type": "webhook", "enabled": true, "source": "shop-ci",
     "payloadConstraints": {"env": "^prod$", "$.build.branch": "^main$"},
     "expectedArtifactIds": ["image"], "secret": "..."}

Who calls it: ``gennaker.triggers.service.TriggerService.handle_webhook`` builds the event with
``webhook_event`` (a body that is not a JSON object, or whose ``parameters``/``artifacts`` have the wrong
shape, raises ``WebhookPayloadError``: answer 400); the dispatcher matches it.
Matching: the trigger's ``source`` equals the path's; with a ``secret``, the request's
``X-Webhook-Secret`` header must equal it (constant time; otherwise the candidate fails as unauthorized,
and the endpoint answers 401 when nothing started); ``payloadConstraints`` hold (Echo's rules,
``gennaker.triggers.webhooks.constraints``). Runtime trigger: ``parameters`` and ``artifacts`` from the
body (Echo's ``content.parameters`` / ``content.artifacts``), ``payload`` = the whole body.
Event key: ``webhook:<source>:<Idempotency-Key or X-Event-Id header>``, else a fresh id per request.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from gennaker.model.artifacts import Artifact
from gennaker.triggers.events import TriggerEvent, header, logged_headers
from gennaker.triggers.registry import Check
from gennaker.triggers.webhooks.constraints import payload_constraints_match
from gennaker.triggers.webhooks.signatures import verify_shared_secret

SECRET_HEADER = "X-Webhook-Secret"  # noqa: S105 - a header name, not a secret
IDEMPOTENCY_HEADERS = ("Idempotency-Key", "X-Event-Id")


class WebhookPayloadError(ValueError):
    """The webhook's body cannot be used (answer 400); the message says what is wrong."""


@dataclass(frozen=True)
class WebhookData:
    source: str
    payload: dict[str, Any]
    parameters: dict[str, Any]
    secret: str | None


def webhook_event(source: str, headers: Mapping[str, str], body: bytes) -> TriggerEvent:
    """The event for one webhook request; ``WebhookPayloadError`` for a body that cannot be used."""
    try:
        payload = json.loads(body or b"{}")
    except ValueError as exc:
        raise WebhookPayloadError(f"the webhook body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise WebhookPayloadError("the webhook body must be a JSON object")
    parameters = payload.get("parameters")
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise WebhookPayloadError("'parameters' in the webhook body must be an object")
    raw_artifacts = payload.get("artifacts")
    if raw_artifacts is None:
        raw_artifacts = []
    if not isinstance(raw_artifacts, list):
        raise WebhookPayloadError("'artifacts' in the webhook body must be a list")
    artifacts = []
    for i, raw in enumerate(raw_artifacts):
        if not isinstance(raw, dict):
            raise WebhookPayloadError(f"artifacts[{i}] in the webhook body must be an object")
        try:
            artifacts.append(Artifact.model_validate(raw))
        except ValidationError as exc:
            raise WebhookPayloadError(
                f"artifacts[{i}] in the webhook body is not an artifact: {exc}"
            ) from None
    given = next((header(headers, h) for h in IDEMPOTENCY_HEADERS if header(headers, h)), None)
    key = f"webhook:{source}:{given or uuid.uuid4()}"
    return TriggerEvent(
        type="webhook",
        key=key,
        source=source,
        summary=f"webhook {source}",
        data=WebhookData(source, payload, dict(parameters), header(headers, SECRET_HEADER)),
        artifacts=artifacts,
        payload={"headers": logged_headers(headers), "body": payload},
    )


class WebhookTrigger:
    type = "webhook"
    secret_keys = frozenset({"secret"})

    def addresses(self, trigger: Mapping[str, Any], event: TriggerEvent) -> bool:
        return isinstance(event.data, WebhookData) and trigger.get("source") == event.data.source

    def check(self, trigger: Mapping[str, Any], event: TriggerEvent) -> Check:
        data: WebhookData = event.data
        secret = trigger.get("secret")
        verified = verify_shared_secret(secret if isinstance(secret, str) else None, data.secret)
        if not verified:
            return Check.failed(verified.reason, unauthorized=True)
        constraints = trigger.get("payloadConstraints")
        if constraints:
            if not isinstance(constraints, Mapping):
                return Check.failed("payloadConstraints must be an object of key: pattern")
            result = payload_constraints_match(constraints, data.payload)
            if not result:
                return Check.failed("payload constraints not satisfied: " + "; ".join(result.failures))
        return Check.passed()

    def runtime_fields(self, trigger: Mapping[str, Any], event: TriggerEvent) -> dict[str, Any]:
        data: WebhookData = event.data
        return {"parameters": dict(data.parameters), "payload": data.payload, "source": data.source}


TRIGGER_TYPE = WebhookTrigger()
