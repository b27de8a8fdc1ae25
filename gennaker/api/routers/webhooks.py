"""Incoming webhooks (Echo's ``/webhooks/...`` through Gate), the trigger event log and the trigger runtime's
status.

Who calls it: CI systems and Git servers (webhooks), the CLI (``gennaker webhook send``, ``gennaker trigger
events|event|status``) and the UI. Everything goes through the trigger runtime's ``TriggerService``
(``gennaker.triggers.service``), which matches the event against every pipeline's triggers, checks secrets
and signatures, starts the pipelines (at most once per event) and records the event.

The body reaches the service as the exact bytes received: signatures (GitHub ``X-Hub-Signature-256``,
Bitbucket ``X-Hub-Signature``) are computed over them. The answer is the service's ``WebhookResponse``:
200 ``{"eventProcessed": true, "eventId", "logId", "executionIds"}``; 400 for a body that is no usable
event; 401 when the matching triggers refused the secret or signature and nothing started; a git ``ping``
is 200 ``{"eventProcessed": false, "ping": true}``. Bodies over ``MAX_BODY_BYTES`` get 413.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from gennaker.api.errors import error_body
from gennaker.api.routers.deps import Triggers
from gennaker.engine.errors import NotFoundError

if TYPE_CHECKING:
    from gennaker.triggers.service import WebhookResponse

router = APIRouter(tags=["triggers"])

MAX_BODY_BYTES = 10 * 1024 * 1024
GIT_PROVIDERS = ("github", "gitlab", "bitbucket", "stash")


async def _body(request: Request) -> bytes | JSONResponse:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        message = f"the webhook body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}"
        return JSONResponse(error_body(413, message), status_code=413)
    return body


def _answer(response: WebhookResponse) -> JSONResponse:
    return JSONResponse(response.body, status_code=response.status)


@router.post(
    "/webhooks/webhook/{source}",
    summary="A generic webhook: starts the pipelines whose webhook trigger has this source",
    responses={400: {"description": "not a usable event"}, 401: {"description": "secret refused"}},
)
async def webhook(source: str, request: Request, triggers: Triggers) -> JSONResponse:
    body = await _body(request)
    if isinstance(body, JSONResponse):
        return body
    headers = dict(request.headers)
    return _answer(await run_in_threadpool(triggers.triggers.handle_webhook, source, headers, body))


@router.post(
    "/webhooks/git/{provider}",
    summary="A Git push webhook (github, gitlab, bitbucket): starts pipelines with a matching git trigger",
    responses={400: {"description": "not a push"}, 401: {"description": "signature refused"}},
)
async def git_webhook(provider: str, request: Request, triggers: Triggers) -> JSONResponse:
    if provider.lower() not in GIT_PROVIDERS:
        message = f"unknown git provider '{provider}'; use one of github, gitlab, bitbucket"
        return JSONResponse(error_body(400, message), status_code=400)
    body = await _body(request)
    if isinstance(body, JSONResponse):
        return body
    headers = dict(request.headers)
    return _answer(await run_in_threadpool(triggers.triggers.handle_git_push, provider, headers, body))


@router.get("/triggers/events", summary="The trigger event log, newest first (without payloads)")
def trigger_events(
    triggers: Triggers,
    type: str | None = Query(None, description="webhook, git, docker, cron, pipeline, helm"),
    source: str | None = Query(None, description="the event's source, e.g. the webhook's"),
    before: int | None = Query(None, description="page: events with an id below this"),
    limit: int = Query(50, ge=1, le=500),
) -> list[dict[str, Any]]:
    return triggers.triggers.list_events(type=type, source=source, before_id=before, limit=limit)


@router.get("/triggers/events/{event_id}", summary="One trigger event: its payload (redacted) and outcomes")
def trigger_event(event_id: int, triggers: Triggers) -> dict[str, Any]:
    found = triggers.triggers.get_event(event_id)
    if found is None:
        raise NotFoundError(f"no trigger event {event_id}")
    return found


@router.get("/triggers/status", summary="The trigger runtime: scheduling lease, pollers, problems, next cron")
def trigger_status(triggers: Triggers) -> dict[str, Any]:
    return triggers.status()
