"""Artifact accounts and Docker registry accounts over HTTP: list, read, add or replace, remove.

Who calls it: the CLI (``gennaker account artifact|docker ...``), the UI and scripts. Artifact accounts go
through the artifact provider's ``ArtifactAccountService``, Docker registry accounts (what ``docker``
triggers poll) through the trigger runtime's ``DockerRegistryAccounts``; both persist secrets encrypted and
show them as ``**********``. Sending ``**********`` back keeps the stored secret, so a client may edit a
public view and PUT it back (read-only fields such as ``source`` and ``updatedTs`` are ignored).

Routes:
- ``GET /artifacts/credentials`` (Gate's), ``GET /artifacts/credentials/{name}``, ``PUT`` and ``DELETE``
  ``/artifacts/credentials/{name}``; ``GET /artifacts/types``: the account types and their secret keys;
- ``GET|POST /dockerRegistry/accounts`` (POST adds: 409 if the name is taken),
  ``GET|PUT|DELETE /dockerRegistry/accounts/{name}``.

Errors: 400 naming the account and the field (an unknown type, an unknown setting, a credential under
``settings``...; nothing is stored), 404 unknown, 409 for the built-in ``embedded-artifact`` account.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from gennaker.api.routers.deps import Artifacts, Caller, Triggers
from gennaker.artifacts.errors import AccountConfigError
from gennaker.engine.errors import ConflictError, InvalidRequestError, NotFoundError

router = APIRouter(tags=["artifact and docker registry accounts"])

READ_ONLY_FIELDS = ("source", "updatedTs", "updatedBy", "types", "error")
ARTIFACT_EXAMPLE = {
    "type": "github",
    "settings": {"baseUrl": "https://ghe.example.com/api/v3"},
    "secrets": {"token": "ghp_..."},
}
DOCKER_EXAMPLE = {
    "address": "https://ghcr.io",
    "username": "ci-bot",
    "password": "...",
    "repositories": ["acme/web"],
}


def _named_body(body: dict[str, Any], name: str) -> dict[str, Any]:
    data = {k: v for k, v in body.items() if k not in READ_ONLY_FIELDS}
    if data.get("name") not in (None, name):
        raise InvalidRequestError(
            f"the body's name '{data.get('name')}' differs from the path's '{name}'", field="name"
        )
    data["name"] = name
    return data


# ---------------------------------------------------------------- artifact accounts


def _refuse_builtin(artifacts: Any, name: str, verb: str) -> None:
    found = artifacts.get(name)
    if found is not None and found.get("source") == "builtin":
        raise ConflictError(f"artifact account '{name}' is built in and cannot be {verb}")


@router.get("/artifacts/credentials", summary="Artifact accounts (secrets redacted)")
def list_artifact_accounts(artifacts: Artifacts) -> list[dict[str, Any]]:
    return artifacts.list_accounts()


@router.get("/artifacts/types", summary="Artifact account types: artifact types served, secret keys")
def artifact_account_types(artifacts: Artifacts) -> list[dict[str, Any]]:
    return artifacts.types()


@router.get("/artifacts/credentials/{name}", summary="One artifact account (secrets redacted)")
def get_artifact_account(name: str, artifacts: Artifacts) -> dict[str, Any]:
    found = artifacts.get(name)
    if found is None:
        raise NotFoundError(f"no artifact account named '{name}'")
    return found


@router.put("/artifacts/credentials/{name}", summary="Add or replace an artifact account")
def put_artifact_account(
    name: str,
    artifacts: Artifacts,
    caller: Caller,
    body: dict[str, Any] = Body(..., examples=[ARTIFACT_EXAMPLE]),
) -> dict[str, Any]:
    _refuse_builtin(artifacts, name, "changed")
    try:
        return artifacts.put(_named_body(body, name), principal=caller.name)
    except AccountConfigError as exc:
        raise InvalidRequestError(str(exc)) from None


@router.delete("/artifacts/credentials/{name}", summary="Remove an artifact account")
def delete_artifact_account(name: str, artifacts: Artifacts, caller: Caller) -> dict[str, Any]:
    _refuse_builtin(artifacts, name, "removed")
    if not artifacts.remove(name, principal=caller.name):
        raise NotFoundError(f"no artifact account named '{name}'")
    return {"deleted": name}


# ---------------------------------------------------------------- docker registry accounts


@router.get("/dockerRegistry/accounts", summary="Docker registry accounts (passwords redacted)")
def list_docker_accounts(triggers: Triggers) -> list[dict[str, Any]]:
    return triggers.docker_accounts.list_accounts()


@router.get("/dockerRegistry/accounts/{name}", summary="One Docker registry account (password redacted)")
def get_docker_account(name: str, triggers: Triggers) -> dict[str, Any]:
    found = triggers.docker_accounts.get(name)
    if found is None:
        raise NotFoundError(f"no docker registry account named '{name}'")
    return found


@router.post("/dockerRegistry/accounts", status_code=201, summary="Add a Docker registry account")
def add_docker_account(
    triggers: Triggers,
    caller: Caller,
    body: dict[str, Any] = Body(..., examples=[{"name": "ghcr", **DOCKER_EXAMPLE}]),
) -> dict[str, Any]:
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidRequestError("a docker registry account needs a 'name'", field="name")
    if triggers.docker_accounts.get(name) is not None:
        raise ConflictError(
            f"a docker registry account named '{name}' already exists; PUT /dockerRegistry/accounts/{name} "
            "replaces it"
        )
    return put_docker_account(name, triggers, caller, body)


@router.put("/dockerRegistry/accounts/{name}", summary="Add or replace a Docker registry account")
def put_docker_account(
    name: str, triggers: Triggers, caller: Caller, body: dict[str, Any] = Body(..., examples=[DOCKER_EXAMPLE])
) -> dict[str, Any]:
    from gennaker.triggers.docker.accounts import RegistryAccountError  # not needed to start the server

    try:
        return triggers.docker_accounts.put(_named_body(body, name), principal=caller.name)
    except RegistryAccountError as exc:
        raise InvalidRequestError(str(exc)) from None


@router.delete("/dockerRegistry/accounts/{name}", summary="Remove a Docker registry account")
def delete_docker_account(name: str, triggers: Triggers, caller: Caller) -> dict[str, Any]:
    if not triggers.docker_accounts.remove(name, principal=caller.name):
        raise NotFoundError(f"no docker registry account named '{name}'")
    return {"deleted": name}
