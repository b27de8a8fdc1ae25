"""``KubernetesService``: the Kubernetes provider's facade, for stages, the API, the CLI and the classic view.

Who calls it: the server builds one per process (``KubernetesService(AccountRegistry(db))``), starts it,
installs it as the process default (``set_default_service``) so the stages registered through the
``gennaker.stages`` entry points find it, and hands it to the API. Tests build their own and bind stages to
it explicitly (``gennaker.kubernetes.stages.register_stages(registry, service)``).

What it owns: the account registry (``accounts``), per-account connections (kubectl runner, HTTP client,
working directory), the watch-based cache (``cache``), the wake-up router for waiting stages
(``wakeups``) and who fetches manifest artifacts (``artifact_accounts``: the server's artifact account
service by default).

Operations on clusters live in ``operations`` (delete, scale, patch, rollout, traffic, cleanup) and
``jobs`` (logs, property files); reads for the API in ``views``. Every method raises
``KubernetesError`` subclasses with messages fit for a stage's failure.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from gennaker.artifacts.accounts import default_account_set
from gennaker.kubernetes.accounts import KubernetesAccount
from gennaker.kubernetes.cache import AccountCache, KubernetesCache
from gennaker.kubernetes.client import KubeClient
from gennaker.kubernetes.connections import Connections
from gennaker.kubernetes.errors import KubernetesError
from gennaker.kubernetes.kinds import KINDS, KindHandler
from gennaker.kubernetes.kubectl import Kubectl
from gennaker.kubernetes.manifests.apply import DeployResult, apply_plan
from gennaker.kubernetes.manifests.names import parse_manifest_name
from gennaker.kubernetes.manifests.plan import DeployPlan, DeployRequest, plan_deploy
from gennaker.kubernetes.moniker import moniker_of
from gennaker.kubernetes.registry import AccountRegistry
from gennaker.kubernetes.targets import Target, TargetSpec, resolve
from gennaker.kubernetes.wakeups import WakeUps
from gennaker.model.artifacts import Artifact
from gennaker.store.database import gennaker_home

DEFAULT_FAIL_FAST_GRACE_S = 60.0


class ArtifactFetcher(Protocol):
    """What fetches artifact content: ``gennaker.artifacts.service.ArtifactAccountService`` or an
    ``AccountSet``."""

    def fetch(self, artifact: Artifact, account: str | None = None) -> bytes: ...


STABILITY_TIMEOUT_MS = 30 * 60 * 1000


class KubernetesService:
    """See the module docstring."""

    def __init__(
        self,
        accounts: AccountRegistry,
        *,
        work_dir: Path | None = None,
        artifact_accounts: ArtifactFetcher | None = None,
        kubectl_binary: str | None = None,
    ) -> None:
        self.accounts = accounts
        self.work_dir = work_dir or gennaker_home() / "kubernetes"
        self.connections = Connections(accounts, self.work_dir, kubectl_binary=kubectl_binary)
        self.cache = KubernetesCache(accounts, self._endpoint)
        self._artifact_accounts = artifact_accounts
        self.wakeups: WakeUps | None = None
        self._started = False
        self._lock = threading.Lock()

    @property
    def artifact_accounts(self) -> ArtifactFetcher:
        """Who fetches manifest artifacts: the given accounts, else the server's artifact account service on
        the registry's database (``gennaker.artifacts.service.default_service``), else only the built-in
        ``embedded-artifact`` account (a registry without a database, as in tests)."""
        if self._artifact_accounts is None:
            if self.accounts.db is not None:
                from gennaker.artifacts.service import default_service as artifact_service

                self._artifact_accounts = artifact_service(self.accounts.db)
            else:
                self._artifact_accounts = default_account_set()
        return self._artifact_accounts

    def _endpoint(self, account: KubernetesAccount) -> Any:
        return self.connections.endpoint(account)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> KubernetesService:
        """Start watching every account (and every account added later)."""
        with self._lock:
            if not self._started:
                self.cache.start()
                self.wakeups = WakeUps(self.cache)
                self._started = True
        return self

    def stop(self) -> None:
        with self._lock:
            if not self._started:
                return
            self._started = False
        if self.wakeups is not None:
            self.wakeups.stop()
        self.cache.stop()
        self.connections.close()

    def __enter__(self) -> KubernetesService:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ per-account access

    def account(self, name: str) -> KubernetesAccount:
        """The account (``UnknownAccountError`` listing the known ones)."""
        return self.accounts.get(name)

    def kubectl(self, name: str) -> Kubectl:
        return self.connections.kubectl(name)

    def client(self, name: str) -> KubeClient:
        return self.connections.client(name)

    def default_namespace(self, name: str) -> str:
        return self.connections.default_namespace(name)

    def ready(self, name: str, timeout_s: float = 10.0) -> AccountCache:
        """The account's synchronised cache, or ``AccountUnreachableError``."""
        self.account(name)
        return self.cache.ready(name, timeout_s)

    def fail_fast_grace_s(self, account: str, stage_value: Any = None) -> float | None:
        """The fail-fast grace: the stage's ``failFastGraceSeconds``, else the account's (None: off)."""
        if stage_value is False:
            return None
        if isinstance(stage_value, int | float) and not isinstance(stage_value, bool) and stage_value >= 0:
            return float(stage_value)
        return float(self.account(account).fail_fast_grace_seconds)

    # ------------------------------------------------------------ deploy

    def plan(self, request: DeployRequest) -> DeployPlan:
        """Everything a deploy would apply, without applying (every bad input fails here)."""
        account = self.account(request.account)
        client = self.client(request.account)
        return plan_deploy(request, account, client, self.default_namespace(request.account))

    def deploy(self, request: DeployRequest) -> DeployResult:
        """Plan, then apply through kubectl (see ``manifests.plan`` and ``manifests.apply``)."""
        plan = self.plan(request)
        cache = self.cache.account(request.account)
        for planned in plan.manifests:
            cache.ensure_kind(planned.handler)
        return apply_plan(
            plan,
            self.kubectl(request.account),
            observe=cache.observe,
            force_recreate=request.force_recreate,
        )

    # ------------------------------------------------------------ reads

    def handler(self, account: str, kind: str) -> KindHandler:
        """The handler of ``kind``: a registered one, else a custom resource the account's API server
        serves (found through discovery); ``KubernetesError`` when neither knows it."""
        handler = KINDS.find(kind) or self.client(account).find_kind(kind)
        if handler is None:
            raise KubernetesError(f"account {account} serves no kind {kind!r}")
        return handler

    def live_object(self, account: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The object from the cache when its kind is watched, else from the API server."""
        handler = self.handler(account, kind)
        cache = self.ready(account)
        if handler.kind in cache.watched_kinds():
            found = cache.index.get(handler.kind, namespace if handler.namespaced else "", name)
            if found is not None:
                return found
        return self.client(account).get(handler, namespace if handler.namespaced else None, name)

    def manifest(self, account: str, namespace: str, manifest_name: str) -> dict[str, Any] | None:
        """The live object named ``"<kind> <name>"``."""
        kind, name = parse_manifest_name(manifest_name)
        return self.live_object(account, kind, namespace, name)

    def select(
        self,
        account: str,
        *,
        kind: str,
        namespace: str | None = None,
        app: str | None = None,
        cluster: str | None = None,
    ) -> list[dict[str, Any]]:
        """Objects of ``kind`` (filtered by namespace and moniker) from the cache when the kind is watched,
        else from a live list."""
        cache = self.ready(account)
        handler = self.handler(account, kind)
        if handler.kind in cache.watched_kinds():
            return cache.index.select(kind=handler.kind, namespace=namespace, app=app, cluster=cluster)
        items, _ = self.client(account).list(handler, namespace if handler.namespaced else None)
        out = []
        for obj in items:
            moniker = moniker_of(obj)
            if app is not None and moniker.app != app:
                continue
            if cluster is not None and moniker.cluster != cluster:
                continue
            out.append(obj)
        return out

    def targets(self, account: str, spec: TargetSpec) -> list[Target]:
        """Resolve a stage's target (see ``targets``); the namespace must be in the account's scope."""
        self.account(account).check_namespace(spec.namespace, "target")
        return resolve(
            spec,
            lambda kind, namespace=None, app=None, cluster=None: self.select(
                account, kind=kind, namespace=namespace, app=app, cluster=cluster
            ),
            lambda kind: self.handler(account, kind),
        )

    def target_spec(self, ctx: Mapping[str, Any], account: str, application: str) -> TargetSpec:
        return TargetSpec.from_context(ctx, application, self.default_namespace(account))


_default: dict[str, KubernetesService] = {}
_default_lock = threading.Lock()


def set_default_service(service: KubernetesService | None) -> None:
    """Install the process's service (what entry-point-registered stages use); None uninstalls it."""
    with _default_lock:
        if service is None:
            _default.pop("service", None)
        else:
            _default["service"] = service


def default_service() -> KubernetesService:
    """The process's service; an error naming the fix when the server did not install one."""
    with _default_lock:
        service = _default.get("service")
    if service is None:
        raise KubernetesError(
            "the Kubernetes provider is not running in this process (the server installs it with "
            "gennaker.kubernetes.service.set_default_service)"
        )
    return service
