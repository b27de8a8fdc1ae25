"""Metrics accounts (Gate's ``/v2/canaries/credentials``): list, read, create or replace, delete.

Secrets are never returned (``"**********"`` in their place; sending that value back keeps the stored
secret). Accounts from ``GENNAKER_METRICS_ACCOUNTS`` and the embedded sandbox are listed but read-only.
A change is used by the next canary interval. Errors: unknown account 404; a bad account 400 naming the
account and the key.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Response

from gennaker.api.routers.deps import Caller, Canary
from gennaker.engine.errors import InvalidRequestError

router = APIRouter(tags=["canary accounts"])

ACCOUNT_EXAMPLE = {
    "name": "prom",
    "type": "prometheus",
    "settings": {"baseUrl": "http://prometheus:9090", "scopeLabel": "instance"},
    "secrets": {"bearerToken": "..."},
    "timeoutSeconds": 30,
}


@router.get("/v2/canaries/credentials", summary="Metrics accounts (secrets redacted)")
def list_metrics_accounts(canary: Canary) -> list[dict[str, Any]]:
    return canary.list_metrics_accounts()


@router.get("/v2/canaries/credentials/{name}", summary="One metrics account (secrets redacted)")
def get_metrics_account(name: str, canary: Canary) -> dict[str, Any]:
    return canary.get_metrics_account(name)


@router.post("/v2/canaries/credentials", summary="Create or replace a metrics account (name from the body)")
def post_metrics_account(
    canary: Canary, caller: Caller, account: dict[str, Any] = Body(..., examples=[ACCOUNT_EXAMPLE])
) -> dict[str, Any]:
    return canary.put_metrics_account(account, principal=caller.name)


@router.put("/v2/canaries/credentials/{name}", summary="Create or replace the metrics account {name}")
def put_metrics_account(
    name: str, canary: Canary, caller: Caller, account: dict[str, Any] = Body(..., examples=[ACCOUNT_EXAMPLE])
) -> dict[str, Any]:
    body = dict(account)
    if body.setdefault("name", name) != name:
        raise InvalidRequestError(f"the body's name {body['name']!r} does not match {name!r}", field="name")
    return canary.put_metrics_account(body, principal=caller.name)


@router.delete("/v2/canaries/credentials/{name}", status_code=204, summary="Delete a stored metrics account")
def delete_metrics_account(name: str, canary: Canary, caller: Caller) -> Response:
    canary.delete_metrics_account(name, principal=caller.name)
    return Response(status_code=204)
