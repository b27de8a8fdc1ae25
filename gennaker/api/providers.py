"""The providers a server process runs beside the engine: sandbox, Kubernetes, artifacts, canary, triggers.

Who calls it: :func:`gennaker.api.server.serve` (``gennaker server``), ``gennaker demo`` and end-to-end
tests. Only a surface may start an embedded sandbox (the import contract says so), which is why this
lives in ``gennaker.api`` and not in a provider.

    providers = Providers(service, ProvidersConfig(sandbox=True))
    providers.start_in_background()        # the API answers at once; /health reports "providers"
    providers.wait_ready(30)               # raises ProvidersError with the first failure
    ...
    providers.stop()

Why in the background: the server must answer within its start-up budget (2 s), and starting a sandbox,
loading accounts and starting watches takes longer on a busy machine. Requests that need a provider
before it is ready get a 503 that says so (:func:`require`), never a half-initialised object.

What it starts, in order (each optional piece can be turned off in :class:`ProvidersConfig`):
0. the stage types' packages (the engine's registry loads its entry points lazily);
1. the embedded sandbox cluster (state kept in ``$GENNAKER_HOME/sandbox-state.json`` so a restarted
   server finds its objects again), registered as Kubernetes account ``sandbox`` and as the ``sandbox``
   metrics account (its simulated pod metrics at ``<url>/metrics``, held in memory: not stored); each
   extra sandbox (``extra_sandboxes``) likewise as Kubernetes and metrics account of its own name;
2. artifact accounts (settings ``artifacts.accounts`` + the ones stored through the API);
3. the Kubernetes provider (settings ``kubernetes.accounts`` + stored + the sandbox);
4. the canary service (configs, judge, reports, metrics accounts: ``GENNAKER_METRICS_ACCOUNTS`` + settings
   ``canary.accounts`` + the ones stored through the API);
5. the trigger runtime (docker/helm polling, cron, pipeline completions, webhooks).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gennaker.engine.service import PipelineService
from gennaker.store.database import gennaker_home
from gennaker.store.settings import Settings, load_settings

if TYPE_CHECKING:
    from gennaker.artifacts.service import ArtifactAccountService
    from gennaker.canary.service import CanaryService
    from gennaker.kubernetes.service import KubernetesService
    from gennaker.sandbox.cluster import SandboxCluster
    from gennaker.triggers.runtime import TriggerRuntime

log = logging.getLogger(__name__)

SANDBOX_ACCOUNT = "sandbox"


def sandbox_state_file(account: str) -> Path:
    """Where an extra embedded sandbox keeps its objects: ``$GENNAKER_HOME/sandbox-<account>-state.json``."""
    return gennaker_home() / f"sandbox-{account}-state.json"


class ProvidersError(RuntimeError):
    """A provider could not start (the message names which and why), or one is used before it is ready."""


@dataclass
class ProvidersConfig:
    """What to start. ``sandbox_state_file`` None keeps the sandbox in memory only."""

    sandbox: bool = True
    sandbox_account: str = SANDBOX_ACCOUNT
    sandbox_state_file: Path | None = field(default_factory=lambda: gennaker_home() / "sandbox-state.json")
    #: Extra embedded sandboxes (account name -> state file or None), e.g. ``staging`` and ``prod`` for
    #: the promotion demo; each is registered as a Kubernetes account of that name.
    extra_sandboxes: dict[str, Path | None] = field(default_factory=dict)
    kubernetes: bool = True
    canary: bool = True
    triggers: bool = True
    settings: Settings | None = None


class Providers:
    """The started providers of one process (see the module docstring). Thread-safe to read."""

    def __init__(self, service: PipelineService, config: ProvidersConfig | None = None) -> None:
        self.service = service
        self.config = config or ProvidersConfig()
        self.sandboxes: dict[str, SandboxCluster] = {}
        self.artifacts: ArtifactAccountService | None = None
        self.kubernetes: KubernetesService | None = None
        self.canary: CanaryService | None = None
        self.triggers: TriggerRuntime | None = None
        self.error: str | None = None
        self.ready = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Providers:
        """Start everything now, in this thread. Raises ``ProvidersError`` naming the part that failed
        (what did start is stopped again)."""
        try:
            self._start()
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"
            log.error("providers failed to start: %s", self.error)
            self.stop()
            raise ProvidersError(self.error) from error
        finally:
            self.ready.set()
        return self

    def start_in_background(self) -> threading.Thread:
        """Start on a daemon thread; failures are logged and kept in ``error`` (the API stays up, so the
        user can read what went wrong from ``/health``)."""

        def run() -> None:
            with contextlib.suppress(ProvidersError):  # kept in self.error, reported by /health
                self.start()

        self._thread = threading.Thread(target=run, name="gennaker-providers", daemon=True)
        self._thread.start()
        return self._thread

    def wait_ready(self, timeout_s: float = 60.0) -> Providers:
        """Block until started; raise ``ProvidersError`` on failure or timeout."""
        if not self.ready.wait(timeout_s):
            raise ProvidersError(f"providers not ready after {timeout_s:.0f} s")
        if self.error:
            raise ProvidersError(self.error)
        return self

    def _start(self) -> None:
        from gennaker.artifacts.service import ArtifactAccountService, install_default_service

        settings = self.config.settings if self.config.settings is not None else load_settings()
        db = self.service.runtime.db
        self.service.runtime.registry.ensure_loaded()  # the stage packages, off the start-up path
        if self.config.sandbox:
            self._start_sandbox(self.config.sandbox_account, self.config.sandbox_state_file)
        for name, state in self.config.extra_sandboxes.items():
            self._start_sandbox(name, state)
        self._check_stopping()

        artifacts = ArtifactAccountService(db)
        artifacts.apply_settings(settings.accounts("artifacts"))
        install_default_service(artifacts)
        self.artifacts = artifacts

        if self.config.kubernetes:
            self._start_kubernetes(settings, artifacts)
        self._check_stopping()
        if self.config.canary:
            self._start_canary(settings)
        if self.config.triggers:
            from gennaker.triggers.runtime import start_trigger_runtime

            self.triggers = start_trigger_runtime(
                self.service, artifact_accounts=artifacts, settings=settings
            )
        log.info("providers ready: %s", ", ".join(self.status()["started"]))

    def _start_sandbox(self, name: str, state_file: Path | None) -> None:
        from gennaker.sandbox.cluster import SandboxCluster

        if state_file is not None:
            state_file.parent.mkdir(parents=True, exist_ok=True)
        cluster = SandboxCluster(port=0, state_file=state_file, name=name)
        self.sandboxes[name] = cluster.start()

    def _start_kubernetes(self, settings: Settings, artifacts: ArtifactAccountService) -> None:
        from gennaker.kubernetes.bootstrap import start_provider

        names = list(self.sandboxes)
        first = self.sandboxes[names[0]] if names else None
        service = start_provider(
            self.service.runtime.db,
            sandbox_kubeconfig=first.kubeconfig(context=names[0]) if first else None,
            sandbox_account=names[0] if names else SANDBOX_ACCOUNT,
            settings=settings,
            artifact_accounts=artifacts,
            work_dir=gennaker_home() / "kubernetes",
        )
        for name in names[1:]:
            service.accounts.register_sandbox(self.sandboxes[name].kubeconfig(context=name), name=name)
        self.kubernetes = service

    def _start_canary(self, settings: Settings) -> None:
        from gennaker.canary.environment import default_environment
        from gennaker.canary.service import CanaryService

        canary = CanaryService(self.service.runtime.db, default_environment())
        try:
            # Every embedded sandbox is a metrics account of its own name (the one its Kubernetes account
            # has), so a canary deployed into any of them (``staging``, ``prod``) can be judged from its
            # simulated pod metrics; the primary one keeps the name ``sandbox``.
            for name, cluster in self.sandboxes.items():
                embedded = {"baseUrl": f"{cluster.url}/metrics"}
                canary.metrics_accounts.add_fixed(
                    {"name": name, "type": "sandbox", "settings": embedded}, source="embedded"
                )
            canary.metrics_accounts.apply_settings(settings.accounts("canary"))
        except Exception:
            canary.close()
            raise
        self.canary = canary

    def _check_stopping(self) -> None:
        if self._stopping.is_set():
            raise ProvidersError("stopped while starting")

    def stop(self) -> None:
        """Stop everything that started, last started first. Safe to call more than once."""
        self._stopping.set()
        with self._lock:
            steps: list[tuple[str, Callable[[], Any]]] = []
            if self.triggers is not None:
                steps.append(("triggers", self.triggers.stop))
            if self.canary is not None:
                from gennaker.canary.metrics.sandbox import stop_sandbox_collectors

                canary = self.canary

                def stop_canary() -> None:
                    canary.close()
                    stop_sandbox_collectors()

                steps.append(("canary", stop_canary))
            if self.kubernetes is not None:
                from gennaker.kubernetes.bootstrap import stop_provider

                kubernetes = self.kubernetes
                steps.append(("kubernetes", lambda: stop_provider(kubernetes)))
            if self.artifacts is not None:
                from gennaker.artifacts.service import install_default_service

                artifacts = self.artifacts

                def stop_artifacts() -> None:
                    install_default_service(None)
                    artifacts.close()

                steps.append(("artifacts", stop_artifacts))
            for name, cluster in reversed(list(self.sandboxes.items())):
                steps.append((f"sandbox {name}", cluster.stop))
            self.triggers = self.canary = self.kubernetes = self.artifacts = None
            self.sandboxes = {}
        for name, step in steps:
            try:
                step()
            except Exception:  # one failing stop must not keep the others running
                log.exception("stopping %s failed", name)

    # ------------------------------------------------------------ reading

    def status(self) -> dict[str, Any]:
        """For ``/health``: ready or not, what started, the error if any, the sandboxes' URLs."""
        started = [
            name
            for name, part in (
                ("artifacts", self.artifacts),
                ("kubernetes", self.kubernetes),
                ("canary", self.canary),
                ("triggers", self.triggers),
            )
            if part is not None
        ]
        started[:0] = [f"sandbox:{name}" for name in self.sandboxes]
        return {
            "ready": self.ready.is_set() and self.error is None,
            "started": started,
            "error": self.error,
            "sandboxes": {name: cluster.url for name, cluster in self.sandboxes.items()},
        }


def require(providers: Providers | None, part: str) -> Any:
    """The started provider ``part`` (``kubernetes``, ``canary``, ``artifacts``, ``triggers``), or
    ``ProvidersError`` saying why it is not there (not started yet, turned off, failed)."""
    if providers is None:
        raise ProvidersError(f"this server runs no {part} provider")
    value = getattr(providers, part, None)
    if value is not None:
        return value
    if providers.error:
        raise ProvidersError(f"the {part} provider failed to start: {providers.error}")
    if not providers.ready.is_set():
        raise ProvidersError(f"the {part} provider is still starting; try again in a moment")
    raise ProvidersError(f"this server runs no {part} provider (turned off)")
