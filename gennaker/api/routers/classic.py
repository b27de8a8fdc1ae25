"""The classic infrastructure view (Gate's paths), read from the Kubernetes provider's watch cache.

- ``GET /applications/{app}/clusters``: ``{account: [cluster, ...]}``;
- ``GET /applications/{app}/clusters/{account}/{cluster}``: the cluster (a list, as Clouddriver answers:
  one entry for the Kubernetes provider) with its server groups, managers and load balancers;
- ``GET /applications/{app}/serverGroups`` and ``.../serverGroups/{account}/{region}/{name}`` (``name``:
  ``replicaSet web-v001`` or ``web-v001``);
- ``GET /applications/{app}/serverGroupManagers`` (Deployments), ``.../loadBalancers`` (Services,
  Ingresses), ``.../firewalls`` (NetworkPolicies; ``.../securityGroups`` is the same, Deck's older name);
- ``GET /manifests/{account}/{location}/{kind name}``: Clouddriver's manifest JSON.

Errors: an unknown account, cluster, server group or manifest is a 404 naming it; an unreachable
cluster a 503 saying why. Actions on server groups are Gate's ``POST /tasks`` jobs (``tasks``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import APIRouter, HTTPException, Query

from gennaker.api.routers.deps import Kubernetes
from gennaker.engine.errors import InvalidRequestError, NotFoundError
from gennaker.kubernetes.errors import (
    AccountUnreachableError,
    KubernetesError,
    ManifestError,
    TargetNotFoundError,
    UnknownAccountError,
)

if TYPE_CHECKING:
    from gennaker.kubernetes.classic.view import ClassicView as ClassicViewType
    from gennaker.kubernetes.service import KubernetesService

router = APIRouter(tags=["clusters"])
T = TypeVar("T")


@contextmanager
def kubernetes_errors() -> Iterator[None]:
    """Provider errors as HTTP errors (see the module docstring)."""
    try:
        yield
    except (UnknownAccountError, TargetNotFoundError) as exc:
        raise NotFoundError(str(exc)) from None
    except AccountUnreachableError as exc:
        raise HTTPException(503, str(exc)) from None
    except ManifestError as exc:
        raise InvalidRequestError(str(exc)) from None
    except KubernetesError as exc:
        raise NotFoundError(str(exc)) from None


def _read(fn: Callable[[], T]) -> T:
    with kubernetes_errors():
        return fn()


def _view(k8s: KubernetesService) -> ClassicViewType:
    """The view over ``k8s``'s cache (imported on first use: the view's modules are not needed to start)."""
    from gennaker.kubernetes.classic.view import ClassicView as View

    return View(k8s)


def _manifest_view(k8s: KubernetesService, account: str, location: str, name: str) -> dict[str, Any]:
    from gennaker.kubernetes.views import manifest_view as view

    return view(k8s, account, location, name)


@router.get("/applications/{application}/clusters", summary="The application's clusters, by account")
def cluster_names(application: str, k8s: Kubernetes) -> dict[str, list[str]]:
    return _read(lambda: _view(k8s).cluster_names(application))


@router.get(
    "/applications/{application}/clusters/{account}/{cluster}",
    summary="One cluster (e.g. 'replicaSet web') with its server groups and instances",
)
def cluster(application: str, account: str, cluster: str, k8s: Kubernetes) -> list[dict[str, Any]]:
    found = _read(lambda: _view(k8s).clusters(application, account, cluster))
    if not found:
        raise NotFoundError(f"application {application} has no cluster {cluster!r} in account {account}")
    return found


@router.get("/applications/{application}/serverGroups", summary="The application's server groups")
def server_groups(
    application: str,
    k8s: Kubernetes,
    expand: bool = Query(True, description="include each server group's instances"),
) -> list[dict[str, Any]]:
    return _read(lambda: _view(k8s).server_groups(application, with_instances=expand))


@router.get(
    "/applications/{application}/serverGroups/{account}/{region}/{name}",
    summary="One server group ('replicaSet web-v001' or 'web-v001') with its instances",
)
def server_group(application: str, account: str, region: str, name: str, k8s: Kubernetes) -> dict[str, Any]:
    found = _read(lambda: _view(k8s).server_group(application, account, region, name))
    if found is None:
        raise NotFoundError(
            f"application {application} has no server group {name!r} in namespace {region} "
            f"of account {account}"
        )
    return found


@router.get("/applications/{application}/serverGroupManagers", summary="The application's Deployments")
def server_group_managers(application: str, k8s: Kubernetes) -> list[dict[str, Any]]:
    return _read(lambda: _view(k8s).server_group_managers(application))


@router.get("/applications/{application}/loadBalancers", summary="The application's Services and Ingresses")
def load_balancers(application: str, k8s: Kubernetes) -> list[dict[str, Any]]:
    return _read(lambda: _view(k8s).load_balancers(application))


@router.get("/applications/{application}/firewalls", summary="The application's NetworkPolicies")
def firewalls(application: str, k8s: Kubernetes) -> list[dict[str, Any]]:
    return _read(lambda: _view(k8s).firewalls(application))


@router.get(
    "/applications/{application}/securityGroups", summary="The application's NetworkPolicies (Deck's name)"
)
def security_groups(application: str, k8s: Kubernetes) -> list[dict[str, Any]]:
    return firewalls(application, k8s)


@router.get(
    "/manifests/{account}/{location}/{name}",
    summary="A live manifest ('replicaSet web-v001') with status, moniker, artifacts and events",
)
def manifest(account: str, location: str, name: str, k8s: Kubernetes) -> dict[str, Any]:
    return _read(lambda: _manifest_view(k8s, account, location, name))
