"""Kubernetes accounts over HTTP (Gate's and Clouddriver's ``/credentials``): list, read, add, replace,
remove at run time, and each account's watch health.

Who calls it: the CLI (``gennaker account kubernetes ...``), the UI and scripts. Everything goes through the
provider's ``AccountRegistry`` (``gennaker.kubernetes.registry``), which persists the account (the inline
kubeconfig encrypted) and tells its listeners: the watch cache starts watching an added account and stops
watching a removed one, the connection pool drops a changed account's kubectl configuration.

Routes:
- ``GET /credentials``, ``GET /credentials/{account}``: public views (``public_json``: name, type
  ``kubernetes``, environment, namespaces, permissions, ``secretFields``...). Never the kubeconfig's
  content, tokens or keys.
- ``POST /credentials``: add a new account (201); 409 when the name is taken (use PUT to replace).
- ``PUT /credentials/{account}``: add or replace (200). A body that is a public view sent back works:
  read-only fields (``type``, ``providerVersion``, ``source``, ``secretFields``) are ignored, and
  ``kubeconfigContents: "**********"`` keeps the stored kubeconfig.
- ``DELETE /credentials/{account}``: remove (200); 404 unknown.
- ``GET /credentials/{account}/health``: the watch cache's view (reachable, synced, error).

Errors: 400 for a bad account (the message names the account and the field; the kubeconfig is read and its
context resolved before anything is stored), 404 for an unknown one, 409 for the embedded sandbox account,
which belongs to the server process and can be neither replaced nor removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from gennaker.api.routers.deps import Caller, Kubernetes
from gennaker.engine.errors import ConflictError, InvalidRequestError, NotFoundError
from gennaker.kubernetes.errors import AccountConfigError

if TYPE_CHECKING:  # the provider's modules are imported on first use, not to start the server
    from gennaker.kubernetes.accounts import KubernetesAccount
    from gennaker.kubernetes.registry import AccountRegistry
    from gennaker.kubernetes.service import KubernetesService

router = APIRouter(tags=["kubernetes accounts"])

REDACTED = "**********"
READ_ONLY_FIELDS = ("type", "providerVersion", "source", "secretFields")
ACCOUNT_EXAMPLE = {
    "name": "staging",
    "kubeconfigContents": "apiVersion: v1\nkind: Config\n...",
    "context": "staging",
    "namespaces": ["shop"],
    "environment": "staging",
    "permissions": {"READ": ["team-a"], "WRITE": ["team-a"]},
}


def _known(registry: AccountRegistry, name: str) -> KubernetesAccount:
    account = registry.find(name)
    if account is None:
        try:
            account = registry.get(name)  # reloads from the store: another process may have added it
        except LookupError as exc:
            raise NotFoundError(str(exc)) from None
    return account


def _refuse_sandbox(account: KubernetesAccount | None, verb: str) -> None:
    from gennaker.kubernetes.registry import EPHEMERAL

    if account is not None and account.source == EPHEMERAL:
        raise ConflictError(
            f"account '{account.name}' is the server's embedded sandbox and cannot be {verb}; "
            "choose another name"
        )


def _field_of(message: str) -> str | None:
    for name in ("kubeconfigContents", "kubeconfigFile", "context", "namespaces", "permissions", "name"):
        if name in message:
            return name
    return "kubeconfigFile" if "kubeconfig" in message else None


def _parse(registry: AccountRegistry, body: dict[str, Any], name: str | None) -> KubernetesAccount:
    """The account a request describes, validated (kubeconfig included); 400 naming the field."""
    data = {k: v for k, v in body.items() if k not in READ_ONLY_FIELDS}
    if name is not None:
        if data.get("name") not in (None, name):
            raise InvalidRequestError(
                f"the body's name '{data.get('name')}' differs from the path's '{name}'", field="name"
            )
        data["name"] = name
    elif not isinstance(data.get("name"), str) or not data["name"]:
        raise InvalidRequestError("a Kubernetes account needs a 'name'", field="name")
    if data.get("kubeconfigContents") == REDACTED:
        existing = registry.find(str(data["name"]))
        if existing is None or existing.kubeconfig_contents is None:
            raise InvalidRequestError(
                f"Kubernetes account '{data['name']}': kubeconfigContents is '{REDACTED}' but no stored "
                "kubeconfig exists to keep; send the real one",
                field="kubeconfigContents",
            )
        data["kubeconfigContents"] = existing.kubeconfig_contents.get_secret_value()
    try:
        from gennaker.kubernetes.accounts import KubernetesAccount
        from gennaker.kubernetes.kubeconfig import check_kubeconfig

        account = KubernetesAccount.parse(data)
        check_kubeconfig(account)
    except AccountConfigError as exc:
        raise InvalidRequestError(str(exc), field=_field_of(str(exc))) from None
    return account


def _put(service: KubernetesService, account: KubernetesAccount, principal: str) -> dict[str, Any]:
    try:
        stored = service.accounts.put(account, principal=principal)
    except AccountConfigError as exc:  # the registry refuses (e.g. a sandbox registered meanwhile)
        raise ConflictError(str(exc)) from None
    return stored.public_json()


@router.get("/credentials", summary="Kubernetes accounts (credentials never included)")
def list_credentials(kubernetes: Kubernetes) -> list[dict[str, Any]]:
    return kubernetes.accounts.public_json()


@router.get("/credentials/{account}", summary="One Kubernetes account (credentials never included)")
def get_credentials(account: str, kubernetes: Kubernetes) -> dict[str, Any]:
    return _known(kubernetes.accounts, account).public_json()


@router.get("/credentials/{account}/health", summary="Whether the account's cluster is watched and reachable")
def credentials_health(account: str, kubernetes: Kubernetes) -> dict[str, Any]:
    _known(kubernetes.accounts, account)
    found = kubernetes.cache.health(account)
    if not found:
        return {"account": account, "watched": False, "reachable": False, "synced": False, "error": None}
    return {"watched": True, **found[0].to_json()}


@router.post("/credentials", status_code=201, summary="Add a Kubernetes account (409 if the name is taken)")
def add_credentials(
    kubernetes: Kubernetes, caller: Caller, body: dict[str, Any] = Body(..., examples=[ACCOUNT_EXAMPLE])
) -> JSONResponse:
    name = body.get("name")
    if isinstance(name, str) and kubernetes.accounts.find(name) is not None:
        raise ConflictError(
            f"a Kubernetes account named '{name}' already exists; PUT /credentials/{name} replaces it"
        )
    account = _parse(kubernetes.accounts, body, None)
    return JSONResponse(_put(kubernetes, account, caller.name), status_code=201)


@router.put("/credentials/{account}", summary="Add or replace a Kubernetes account")
def put_credentials(
    account: str,
    kubernetes: Kubernetes,
    caller: Caller,
    body: dict[str, Any] = Body(..., examples=[ACCOUNT_EXAMPLE]),
) -> dict[str, Any]:
    _refuse_sandbox(kubernetes.accounts.find(account), "replaced")
    return _put(kubernetes, _parse(kubernetes.accounts, body, account), caller.name)


@router.delete("/credentials/{account}", summary="Remove a Kubernetes account (its watches stop)")
def delete_credentials(account: str, kubernetes: Kubernetes, caller: Caller) -> dict[str, Any]:
    found = _known(kubernetes.accounts, account)
    _refuse_sandbox(found, "removed")
    kubernetes.accounts.remove(account, principal=caller.name)
    body: dict[str, Any] = {"deleted": account}
    if found.source == "settings":
        body["note"] = (
            "this account comes from the settings file and returns at the next start unless removed there"
        )
    return body
