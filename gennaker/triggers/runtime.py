"""The trigger runtime: the background work of triggers in a server (or worker) process, and the handle the
server starts and stops.

Who calls it: ``gennaker server`` (the API layer) calls ``start_trigger_runtime(service, ...)`` once the
engine is up and ``runtime.stop()`` at shutdown; the API serves webhooks and the event log through
``runtime.triggers`` (a ``TriggerService``) and the status view through ``runtime.status()``.

What runs: one thread (``gennaker-triggers``) that every ``tick`` seconds renews the scheduling lease
(``gennaker.triggers.lease``; one process schedules at a time, another takes over ``lease_ttl`` seconds
after it dies) and, while it holds it: fires due cron triggers (``scheduler``), keeps one poller thread
per watched Docker repository and Helm chart (``polling``), and starts pipelines whose ``pipeline``
trigger names a pipeline that just ended (``completions``: engine events, plus a periodic catch-up).
Webhooks are handled in whichever process receives them.

Start-up cost: ``start()`` reads nothing and starts one thread; accounts and configs are read by that
thread. Idle cost: one thread waking once per ``tick`` for two small queries; pollers only for triggers
that exist. Persisted: through ``gennaker.store.triggers`` only.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gennaker.artifacts.service import ArtifactAccountService, default_service
from gennaker.engine.clock import now_ms
from gennaker.engine.events import Subscription
from gennaker.engine.service import PipelineService
from gennaker.store import triggers as trigger_repo
from gennaker.store.secrets import SecretBox
from gennaker.store.settings import Settings
from gennaker.triggers.completions import CompletionWatcher
from gennaker.triggers.cron import MisfirePolicy
from gennaker.triggers.dispatch import TriggerDispatcher
from gennaker.triggers.docker.accounts import (
    DockerRegistryAccounts,
    DockerRegistryConfig,
    RegistryAccountError,
    config_from_record,
)
from gennaker.triggers.events import TriggerEvent
from gennaker.triggers.lease import Lease
from gennaker.triggers.polling import DockerTarget, HelmTarget, PollerSet, TargetFactory
from gennaker.triggers.registry import TriggerTypeRegistry
from gennaker.triggers.scheduler import DEFAULT_TIMEZONE, CronScheduler
from gennaker.triggers.service import TriggerService
from gennaker.triggers.types import TRIGGER_TYPES

log = logging.getLogger(__name__)

LEASE_NAME = "triggers"


@dataclass
class TriggerRuntimeConfig:
    """Settings of the trigger runtime (``GENNAKER_DOCKER_POLL_SECONDS``, ``GENNAKER_CRON_TIMEZONE``...)."""

    docker_poll_interval: float = 30.0
    helm_poll_interval: float = 60.0
    max_poll_backoff: float = 60.0
    cron_timezone: str = DEFAULT_TIMEZONE
    cron_misfire_policy: MisfirePolicy = MisfirePolicy.FIRE_ONCE_NOW
    lease_ttl: float = 15.0
    tick: float = 1.0
    catch_up_interval: float = 5.0
    completion_lookback: float = 600.0
    event_retention_days: float = 30.0

    @classmethod
    def from_environment(cls) -> TriggerRuntimeConfig:
        config = cls()
        env = os.environ
        if env.get("GENNAKER_DOCKER_POLL_SECONDS"):
            config.docker_poll_interval = float(env["GENNAKER_DOCKER_POLL_SECONDS"])
        if env.get("GENNAKER_HELM_POLL_SECONDS"):
            config.helm_poll_interval = float(env["GENNAKER_HELM_POLL_SECONDS"])
        if env.get("GENNAKER_CRON_TIMEZONE"):
            config.cron_timezone = env["GENNAKER_CRON_TIMEZONE"]
        if env.get("GENNAKER_CRON_MISFIRE_POLICY"):
            config.cron_misfire_policy = MisfirePolicy(env["GENNAKER_CRON_MISFIRE_POLICY"])
        return config


class TriggerRuntime:
    """Background trigger work for one process. ``start()`` returns self; ``stop()`` ends it."""

    def __init__(
        self,
        service: PipelineService,
        *,
        artifact_accounts: ArtifactAccountService | None = None,
        docker_accounts: DockerRegistryAccounts | None = None,
        config: TriggerRuntimeConfig | None = None,
        types: TriggerTypeRegistry = TRIGGER_TYPES,
        owner: str | None = None,
    ) -> None:
        self.service = service
        self.db = service.runtime.db
        self.config = config or TriggerRuntimeConfig()
        self.artifact_accounts = artifact_accounts or default_service(self.db)
        self.docker_accounts = docker_accounts or DockerRegistryAccounts(self.db)
        self.owner = owner or service.runtime.owner
        self.dispatcher = TriggerDispatcher(service, types, owner=self.owner)
        self.triggers = TriggerService(self.dispatcher)
        self.cron = CronScheduler(
            self.dispatcher, timezone=self.config.cron_timezone, policy=self.config.cron_misfire_policy
        )
        self._wake = threading.Event()
        self.completions = CompletionWatcher(
            self.dispatcher, service, lookback_s=self.config.completion_lookback, wake=self._wake.set
        )
        self.pollers = PollerSet(self.dispatcher, max_backoff=self.config.max_poll_backoff)
        self.lease = Lease(self.db, LEASE_NAME, self.owner, ttl_s=self.config.lease_ttl)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._subscription: Subscription | None = None
        self._last_catch_up = 0.0
        self._last_prune = 0.0
        self._problems: dict[str, str] = {}

    # ------------------------------------------------------------ lifecycle

    def start(self) -> TriggerRuntime:
        """Start the background thread (cheap: nothing is read before the thread runs)."""
        if self._thread is not None:
            return self
        self._stop.clear()
        self._subscription = self.service.subscribe(self.completions.on_engine_event)
        self._thread = threading.Thread(target=self._loop, name="gennaker-triggers", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop scheduling and polling, and give the lease up so another process takes over at once."""
        self._stop.set()
        self._wake.set()
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.pollers.stop_all(timeout)
        self.lease.release()

    @property
    def is_leader(self) -> bool:
        return self.lease.held

    # ------------------------------------------------------------ the loop

    def _loop(self) -> None:
        while not self._stop.is_set():
            wait = self.config.tick
            try:
                wait = self.run_once()
            except Exception:
                log.exception("trigger runtime tick failed")
            self._wake.wait(max(0.0, wait))
            self._wake.clear()

    def run_once(self) -> float:
        """One tick (the loop calls it; tests may too); returns how long to sleep."""
        if not self.lease.renew():
            self.completions.listening = False
            if self.pollers.pollers:
                self.pollers.stop_all()
            return self.config.tick
        self.completions.listening = True
        self.pollers.reconcile(self._wanted_pollers())
        self.cron.tick()
        self.completions.drain()
        clock = time.monotonic()
        if clock - self._last_catch_up >= self.config.catch_up_interval:
            self._last_catch_up = clock
            self.completions.catch_up()
        if clock - self._last_prune >= 3600:
            self._last_prune = clock
            self._prune()
        wait = self.config.tick
        following = self.cron.next_due()
        if following is not None:
            wait = min(wait, max(0.0, (following - datetime.now(UTC)).total_seconds()))
        return wait

    def _prune(self) -> None:
        horizon = now_ms() - int(self.config.event_retention_days * 86_400_000)
        with self.db.write() as conn:
            removed = trigger_repo.prune_events(conn, horizon)
        if removed:
            log.info("pruned %d trigger events older than %s days", removed, self.config.event_retention_days)

    def _problem(self, key: str, reason: str) -> None:
        """Report a target that cannot be polled (once per distinct reason) in the log and the status."""
        if self._problems.get(key) == reason:
            return
        self._problems[key] = reason
        kind = key.split(":", 1)[0]
        event = TriggerEvent(kind, f"{key}:config", key.split(":", 1)[1], f"cannot poll {key}")
        self.dispatcher.record(event, status="error", reason=reason)

    def _wanted_pollers(self) -> dict[str, tuple[Any, float, TargetFactory]]:
        index = self.dispatcher.index
        wanted: dict[str, tuple[Any, float, TargetFactory]] = {}
        docker_refs = [r for r in index.triggers("docker") if r.enabled]
        records = {r.name: r for r in self.docker_accounts.records()} if docker_refs else {}
        for ref in docker_refs:
            account, repository = ref.trigger.get("account"), ref.trigger.get("repository")
            if not isinstance(account, str) or not isinstance(repository, str) or not repository:
                continue
            key = f"docker:{account}:{repository}"
            record = records.get(account)
            if record is None:
                self._problem(
                    key, f"docker trigger of {ref.config.get('name')}: no docker registry account {account!r}"
                )
                continue
            try:
                config = config_from_record(record)
            except (RegistryAccountError, ValueError) as exc:
                self._problem(key, str(exc))
                continue
            self._problems.pop(key, None)
            wanted[key] = (
                record.updated_ts,
                self.config.docker_poll_interval,
                _docker_target(config, repository),
            )
        for ref in index.triggers("helm", refresh=False):
            account, chart = ref.trigger.get("account"), ref.trigger.get("chart")
            if not ref.enabled or not isinstance(account, str) or not isinstance(chart, str) or not chart:
                continue
            key = f"helm:{account}:{chart}"
            wanted[key] = (
                None,
                self.config.helm_poll_interval,
                _helm_target(self.artifact_accounts, account, chart),
            )
        return wanted

    # ------------------------------------------------------------ status

    def status(self) -> dict[str, Any]:
        """What the trigger runtime is doing: who schedules, and each poller's last result."""
        with self.db.read() as conn:
            holder = trigger_repo.lease_holder(conn, LEASE_NAME, now=now_ms())
            pollers = {
                **trigger_repo.states_with_prefix(conn, "docker:"),
                **trigger_repo.states_with_prefix(conn, "helm:"),
            }
        following = self.cron.next_due()
        return {
            "owner": self.owner,
            "leader": holder,
            "isLeader": self.is_leader,
            "pollers": [
                {"key": key, "label": value.get("label"), **(value.get("status") or {})}
                for key, value in sorted(pollers.items())
            ],
            "problems": [{"key": k, "reason": v} for k, v in sorted(self._problems.items())],
            "cronNextFire": following.isoformat() if following is not None else None,
        }


def _docker_target(config: DockerRegistryConfig, repository: str) -> TargetFactory:
    return lambda: DockerTarget(config, repository)


def _helm_target(accounts: ArtifactAccountService, account: str, chart: str) -> TargetFactory:
    return lambda: HelmTarget(accounts, account, chart)


def start_trigger_runtime(
    service: PipelineService,
    *,
    artifact_accounts: ArtifactAccountService | None = None,
    settings: Settings | None = None,
    config: TriggerRuntimeConfig | None = None,
    box: SecretBox | None = None,
) -> TriggerRuntime:
    """Start the trigger runtime of this process: apply the settings file's ``dockerRegistry.accounts``
    (when ``settings`` is given), then start the background thread. Returns the handle (``.triggers`` for
    the webhook endpoints and the event log, ``.status()``, ``.stop()``)."""
    docker_accounts = DockerRegistryAccounts(service.runtime.db, box=box)
    if settings is not None:
        docker_accounts.apply_settings(settings.accounts("dockerRegistry"))
    runtime = TriggerRuntime(
        service,
        artifact_accounts=artifact_accounts,
        docker_accounts=docker_accounts,
        config=config or TriggerRuntimeConfig.from_environment(),
    )
    return runtime.start()
