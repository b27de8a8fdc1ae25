"""``GET /pipelines/{id}/events``: live transitions of an execution as server-sent events (see
``gennaker.api.sse`` for the stream's format)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from gennaker.api.routers.deps import Service
from gennaker.api.sse import execution_events
from gennaker.engine.errors import NotFoundError

router = APIRouter(tags=["events"])


@router.get(
    "/pipelines/{execution_id}/events",
    summary="Server-sent events: a snapshot, then every transition, then 'end'",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "an event stream"}},
)
def events(
    execution_id: str,
    service: Service,
    poll: float = Query(2.0, ge=0.1, le=60, description="re-read interval, s"),
) -> StreamingResponse:
    if service.get_execution_status(execution_id) is None:
        raise NotFoundError(f"no execution {execution_id!r}")
    return StreamingResponse(
        execution_events(service, execution_id, poll_s=poll),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
