"""Pollers: one thread per watched thing (a repository of a Docker registry account, a chart of a Helm
repository) that reports new tags and versions to the dispatcher, survives a peer that is down, and keeps
its state in the database.

Who calls it: the trigger runtime reconciles the set of pollers with the enabled docker and helm triggers
(``PollerSet.reconcile``) while it holds the scheduling lease, and stops them all when it loses it.

Per poller (state key ``docker:<account>:<repository>`` or ``helm:<account>:<chart>`` in ``trigger_state``):
``{"data": <TagPollState / ChartWatchState JSON>, "status": {lastPollTs, lastSuccessTs, lastError,
consecutiveFailures, nextPollTs}}``.
- Each poll: new tags/versions become events, dispatched (each start guarded by its once-per-event key),
  then the new ``data`` is stored. A crash between the two re-reports the same tags after the restart;
  their keys are the same, so nothing starts twice, and nothing is missed.
- A failing poll (registry down, 5xx after the client's own retries, bad credentials, an index that cannot
  be read) never ends the thread: the state is kept, ``status`` records the error, the next poll waits
  twice as long (up to ``max_backoff``), the first failure and the recovery are written to the event log
  (type ``docker``/``helm``, status ``error``/``processed``) and the runtime's status view shows it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from gennaker.artifacts.accounts.helm import HelmChartAccount
from gennaker.artifacts.errors import ArtifactError
from gennaker.artifacts.service import ArtifactAccountService
from gennaker.engine.clock import now_ms
from gennaker.store import triggers as trigger_repo
from gennaker.triggers.dispatch import TriggerDispatcher
from gennaker.triggers.docker.accounts import DockerRegistryConfig, client_for
from gennaker.triggers.docker.poller import TagPoller, TagPollState
from gennaker.triggers.events import TriggerEvent
from gennaker.triggers.helm import ChartWatchState, diff_chart_versions
from gennaker.triggers.types.docker import tag_event
from gennaker.triggers.types.helm import chart_event

log = logging.getLogger(__name__)


@dataclass
class PollOutcome:
    """One poll: the state to keep, the events to dispatch, or the error."""

    data: dict[str, Any] | None
    events: list[TriggerEvent] = field(default_factory=list)
    error: str | None = None


class PollTarget(Protocol):
    """Something a poller watches."""

    type: str
    key: str
    label: str

    def poll(self, data: dict[str, Any] | None) -> PollOutcome: ...

    def close(self) -> None: ...


class DockerTarget:
    """One repository of one Docker registry account."""

    type = "docker"

    def __init__(self, config: DockerRegistryConfig, repository: str) -> None:
        self.config = config
        self.repository = repository
        self.key = f"docker:{config.name}:{repository}"
        self.label = f"{config.registry}/{repository} (account {config.name})"
        self.client = client_for(config)
        self.poller = TagPoller(
            self.client,
            repository,
            tag_pattern=".*",  # every tag; each trigger's own pattern is applied when matching
            track_digests=config.track_digests,
            registry_name=config.registry,
        )

    def poll(self, data: dict[str, Any] | None) -> PollOutcome:
        result = self.poller.poll(TagPollState.from_json(data))
        if result.error:
            return PollOutcome(data, error=result.error)
        events = [tag_event(self.config.name, e) for e in result.events]
        return PollOutcome(result.state.to_json(), events)

    def close(self) -> None:
        self.client.close()


class HelmTarget:
    """One chart of one ``helm`` artifact account (an HTTP chart repository)."""

    type = "helm"

    def __init__(self, accounts: ArtifactAccountService, account: str, chart: str) -> None:
        self.accounts = accounts
        self.account = account
        self.chart = chart
        self.key = f"helm:{account}:{chart}"
        self.label = f"chart {chart} of account {account}"

    def poll(self, data: dict[str, Any] | None) -> PollOutcome:
        try:
            found = self.accounts.account(self.account)
            if not isinstance(found, HelmChartAccount):
                return PollOutcome(data, error=f"artifact account {self.account!r} is not a helm account")
            index = found.index()
        except ArtifactError as exc:
            return PollOutcome(data, error=str(exc))
        state, versions = diff_chart_versions(
            ChartWatchState.from_json(data), index, self.chart, account=self.account
        )
        return PollOutcome(state.to_json(), [chart_event(v) for v in versions])

    def close(self) -> None:
        return


class Poller:
    """A thread polling one target every ``interval`` seconds (longer after failures)."""

    def __init__(
        self,
        target: PollTarget,
        dispatcher: TriggerDispatcher,
        *,
        interval: float,
        max_backoff: float = 60.0,
        fingerprint: Any = None,
    ) -> None:
        self.target = target
        self.dispatcher = dispatcher
        self.db = dispatcher.db
        self.interval = interval
        self.max_backoff = max_backoff
        self.fingerprint = fingerprint
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"gennaker-poll-{target.key}", daemon=True)
        self.polls = 0

    def start(self) -> Poller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _store(self, value: dict[str, Any]) -> None:
        with self.db.write() as conn:
            trigger_repo.put_state(conn, self.target.key, value, now_ms())

    def _report(self, status: str, reason: str) -> None:
        event = TriggerEvent(
            type=self.target.type,
            key=f"{self.target.key}:{status}:{now_ms()}",
            source=self.target.key.split(":", 1)[1],
            summary=f"polling {self.target.label}",
        )
        self.dispatcher.record(event, status=status, reason=reason)

    def poll_once(self, state: dict[str, Any], started_ms: int | None = None) -> tuple[dict[str, Any], bool]:
        """One poll with its bookkeeping; returns the new state and whether it failed. The next poll is
        due ``interval`` (or the backoff) after ``started_ms``. Raises only if the state cannot be stored."""
        started_ms = started_ms if started_ms is not None else now_ms()
        status = dict(state.get("status") or {})
        failures = int(status.get("consecutiveFailures") or 0)
        try:
            outcome = self.target.poll(state.get("data"))
        except Exception as exc:  # a target must never end its poller
            log.exception("polling %s failed", self.target.label)
            outcome = PollOutcome(state.get("data"), error=f"{type(exc).__name__}: {exc}")
        now = now_ms()
        status["lastPollStartedTs"] = started_ms
        status["lastPollTs"] = now
        if outcome.error:
            failures += 1
            status.update(lastError=outcome.error, consecutiveFailures=failures, lastErrorTs=now)
            if failures == 1:
                self._report("error", f"failed, retrying with backoff: {outcome.error}")
        else:
            for event in outcome.events:
                self.dispatcher.dispatch(event)
            if failures:
                self._report("processed", f"works again after {failures} failed poll(s)")
            failures = 0
            status.update(lastSuccessTs=now, consecutiveFailures=0, lastError=None)
        delay = min(self.max_backoff, self.interval * 2**failures) if failures else self.interval
        status["nextPollTs"] = started_ms + int(delay * 1000)
        new_state = {"data": outcome.data, "status": status, "label": self.target.label}
        self._store(new_state)
        return new_state, bool(outcome.error)

    def _run(self) -> None:
        try:
            try:
                with self.db.read() as conn:
                    state = trigger_repo.get_state(conn, self.target.key) or {}
            except Exception:
                log.exception("reading the state of %s failed", self.target.label)
                state = {}
            while not self._stop.is_set():
                started = now_ms()
                try:
                    state, _failed = self.poll_once(state, started)
                    next_at = int((state.get("status") or {}).get("nextPollTs") or 0)
                except Exception:  # the state could not be stored (database down): try again later
                    log.exception("poller %s could not store its state", self.target.label)
                    next_at = started + int(self.max_backoff * 1000)
                self.polls += 1
                self._stop.wait(max(0.0, (next_at - now_ms()) / 1000))
        finally:
            self.target.close()


TargetFactory = Callable[[], PollTarget]


class PollerSet:
    """The running pollers, by state key."""

    def __init__(self, dispatcher: TriggerDispatcher, *, max_backoff: float = 60.0) -> None:
        self.dispatcher = dispatcher
        self.max_backoff = max_backoff
        self.pollers: dict[str, Poller] = {}

    def reconcile(self, wanted: dict[str, tuple[Any, float, TargetFactory]]) -> None:
        """Run exactly the pollers in ``wanted`` (key -> (fingerprint, interval, target factory)); a poller
        whose fingerprint (e.g. its account's last update) changed is restarted."""
        for key in list(self.pollers):
            entry = wanted.get(key)
            if entry is None or entry[0] != self.pollers[key].fingerprint:
                self.pollers.pop(key).stop()
        for key, (fingerprint, interval, factory) in wanted.items():
            if key in self.pollers:
                continue
            try:
                target = factory()
            except Exception:
                log.exception("cannot poll %s", key)
                continue
            self.pollers[key] = Poller(
                target,
                self.dispatcher,
                interval=interval,
                max_backoff=self.max_backoff,
                fingerprint=fingerprint,
            ).start()

    def stop_all(self, timeout: float = 5.0) -> None:
        pollers = list(self.pollers.values())
        self.pollers.clear()
        for poller in pollers:
            poller.stop()
        deadline = time.monotonic() + timeout
        for poller in pollers:
            poller.join(max(0.0, deadline - time.monotonic()))
