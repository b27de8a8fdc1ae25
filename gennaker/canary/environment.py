"""What canary analysis needs from its process: metrics accounts, the metrics transport, the database, a clock
and (optionally) a remote judge.

Who uses it: the ``kayentaCanary`` stage's planners and tasks (:mod:`gennaker.canary.stage`) and
:class:`~gennaker.canary.service.CanaryService`. The process that builds the service installs its
environment with :func:`set_default_environment` so the stages (loaded through entry points, which cannot
be handed objects) use the same accounts; without one, :func:`default_environment` builds it from settings:

* ``GENNAKER_METRICS_ACCOUNTS``: a JSON/YAML file listing metrics accounts (:mod:`gennaker.canary.accounts`);
* ``GENNAKER_CANARY_REMOTE_JUDGE_URL``: judge through a ``RemoteJudge-v1.0`` endpoint instead of in-process.

``database`` None means "the engine's database" (the stage tasks take it from the engine facade they are
given). ``clock`` returns epoch milliseconds; it defaults to the engine's clock, and tests may pass their own
to plan windows at a chosen "now".
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from gennaker.canary.accounts import MetricsAccountSet, load_metrics_accounts
from gennaker.canary.metrics.registry import MetricsTransport
from gennaker.canary.run import RemoteJudgeClient
from gennaker.engine.clock import now_ms
from gennaker.store import Database

REMOTE_JUDGE_ENV = "GENNAKER_CANARY_REMOTE_JUDGE_URL"


@dataclass
class CanaryEnvironment:
    accounts: MetricsAccountSet
    transport: MetricsTransport
    database: Database | None = None
    clock: Callable[[], int] = field(default=now_ms)
    remote_judge: RemoteJudgeClient | None = None
    #: How many times a judgement is tried when a metrics backend cannot be reached, and the pause between.
    fetch_attempts: int = 3
    retry_backoff_ms: int = 2_000

    @classmethod
    def create(
        cls,
        accounts: MetricsAccountSet | None = None,
        *,
        database: Database | None = None,
        clock: Callable[[], int] | None = None,
        remote_judge_url: str | None = None,
        fetch_attempts: int = 3,
        retry_backoff_ms: int = 2_000,
    ) -> CanaryEnvironment:
        """An environment whose transport is the HTTP adapter over ``accounts``."""
        from gennaker.canary.transport import HttpMetricsTransport

        account_set = accounts if accounts is not None else MetricsAccountSet()
        return cls(
            accounts=account_set,
            transport=HttpMetricsTransport(account_set),
            database=database,
            clock=clock or now_ms,
            remote_judge=RemoteJudgeClient(remote_judge_url) if remote_judge_url else None,
            fetch_attempts=fetch_attempts,
            retry_backoff_ms=retry_backoff_ms,
        )


class _Default:
    lock = threading.Lock()
    environment: CanaryEnvironment | None = None


def set_default_environment(environment: CanaryEnvironment | None) -> None:
    """Make ``environment`` the one stages use when they were registered without one (None resets)."""
    with _Default.lock:
        _Default.environment = environment


def default_environment() -> CanaryEnvironment:
    """The installed environment, or one built from the settings (once)."""
    with _Default.lock:
        if _Default.environment is None:
            _Default.environment = CanaryEnvironment.create(
                load_metrics_accounts(), remote_judge_url=os.environ.get(REMOTE_JUDGE_ENV) or None
            )
        return _Default.environment


EnvironmentSource = CanaryEnvironment | Callable[[], CanaryEnvironment]


def resolve_environment(source: EnvironmentSource | None) -> CanaryEnvironment:
    if source is None:
        return default_environment()
    if isinstance(source, CanaryEnvironment):
        return source
    return source()
