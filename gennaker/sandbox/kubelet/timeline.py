"""Where a simulated container is at a given moment: a pure function of its plan and the time.

Who calls it: :mod:`gennaker.sandbox.kubelet.podstatus` (which turns the answers into a pod status) and
the log provider. The kubelet decides a :class:`ContainerPlan` once per container when it admits a pod
(delays from settings and annotations, the fault, the restart policy); from then on the container's state
at any time ``t`` is :func:`state_at` ``(plan, t)``, which also says when that state next changes, so the
kubelet can sleep until then instead of polling.

The sequences are the kubelet's:
- normal: ``ContainerCreating`` until ``start_at``, then running; ready ``ready_after`` seconds into each run;
- a container that exits (Job pods after ``run_for``; ``fail`` and ``crash-loop`` faults) is terminated
  ``Completed`` (exit 0) or ``Error``; if its restart policy restarts it, the first restart is immediate and
  later ones wait ``CrashLoopBackOff`` for 10 s, 20 s, 40 s ... 5 min (times ``time_scale``), with
  ``restartCount`` and ``lastState.terminated`` moving on;
- ``image-pull-backoff``: from ``start_at`` each pull attempt fails (``ErrImagePull``), then waits
  ``ImagePullBackOff`` for the same back-off sequence; the container never runs.
Nothing here persists.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MAX_BACKOFF = 300.0
INITIAL_BACKOFF = 10.0
_MAX_CYCLES = 100_000


@dataclass(frozen=True)
class Run:
    """One run of a container: when it started and, if it has, when and how it ended."""

    started: float
    finished: float | None = None
    exit_code: int = 0


@dataclass(frozen=True)
class ContainerPlan:
    """What will happen to one container (absolute epoch times, durations in seconds)."""

    name: str
    image: str
    start_at: float
    ready_after: float | None = 0.0  # None: never ready
    run_for: float | None = None  # None: runs until stopped
    exit_code: int = 0
    restarts: bool = False  # whether the kubelet restarts it after it exits (restart policy)
    pull_fails: bool = False
    time_scale: float = 0.1
    sidecar: bool = False
    restart_base: int = 0  # restarts before this plan (a container restarted for a new image)
    previous: Run | None = None  # the run that plan ended (its ``lastState.terminated``)


@dataclass(frozen=True)
class ContainerState:
    """The state at one moment: ``kind`` is ``waiting``, ``running`` or ``terminated``."""

    kind: str
    reason: str = ""
    restart_count: int = 0
    current: Run | None = None  # the run shown in ``state`` (running or terminated)
    last: Run | None = None  # the previous run (``lastState.terminated``)
    ready: bool = False
    backoff: float = 0.0  # the nominal back-off being waited out (for messages)
    next_change: float | None = None  # when this answer changes (None: never)
    pull_attempts: int = 0


def backoff(n: int, scale: float) -> tuple[float, float]:
    """(nominal, simulated) length of the n-th back-off (n >= 1): 10 s doubling to 5 min."""
    nominal = min(INITIAL_BACKOFF * 2 ** (n - 1), MAX_BACKOFF)
    return nominal, nominal * scale


def state_at(plan: ContainerPlan, now: float) -> ContainerState:
    """The container's state at ``now`` and when it next changes."""
    if now < plan.start_at:
        state = ContainerState("waiting", "ContainerCreating", next_change=plan.start_at)
    elif plan.pull_fails:
        state = _pull_state(plan, now)
    else:
        state = _run_state(plan, now)
    if plan.restart_base:
        state = replace(state, restart_count=state.restart_count + plan.restart_base)
    return state


def _pull_state(plan: ContainerPlan, now: float) -> ContainerState:
    attempt_at = plan.start_at
    for attempt in range(1, _MAX_CYCLES):
        nominal, wait = backoff(attempt, plan.time_scale)
        error_window = min(1.0, wait / 2)
        if now < attempt_at + error_window:
            return ContainerState(
                "waiting", "ErrImagePull", next_change=attempt_at + error_window, pull_attempts=attempt
            )
        if now < attempt_at + wait:
            return ContainerState(
                "waiting",
                "ImagePullBackOff",
                backoff=nominal,
                next_change=attempt_at + wait,
                pull_attempts=attempt,
            )
        attempt_at += wait
    return ContainerState("waiting", "ImagePullBackOff", backoff=MAX_BACKOFF)


def _run_state(plan: ContainerPlan, now: float) -> ContainerState:
    started = plan.start_at
    last: Run | None = plan.previous
    for count in range(_MAX_CYCLES):
        if plan.run_for is None:
            return _running(plan, started, count, last, now=now, ends=None)
        ends = started + plan.run_for
        if now < ends:
            return _running(plan, started, count, last, now=now, ends=ends)
        run = Run(started, ends, plan.exit_code)
        if not plan.restarts:
            reason = "Completed" if plan.exit_code == 0 else "Error"
            return ContainerState("terminated", reason, restart_count=count, current=run, last=last)
        if count == 0:
            wait, nominal = 0.0, 0.0
        else:
            nominal, wait = backoff(count, plan.time_scale)
        if now < ends + wait:
            return ContainerState(
                "waiting",
                "CrashLoopBackOff",
                restart_count=count,
                last=run,
                backoff=nominal,
                next_change=ends + wait,
            )
        started, last = ends + wait, run
    return ContainerState("waiting", "CrashLoopBackOff", restart_count=_MAX_CYCLES, backoff=MAX_BACKOFF)


def _running(
    plan: ContainerPlan, started: float, count: int, last: Run | None, *, now: float, ends: float | None
) -> ContainerState:
    ready_at = None if plan.ready_after is None else started + plan.ready_after
    ready = ready_at is not None and now >= ready_at and (ends is None or now < ends)
    changes = [t for t in (ready_at, ends) if t is not None and t > now]
    return ContainerState(
        "running",
        restart_count=count,
        current=Run(started),
        last=last,
        ready=ready,
        next_change=min(changes) if changes else None,
    )


def finished_at(plan: ContainerPlan) -> float | None:
    """When a container that runs to completion without restarting has exited 0 (init containers)."""
    if plan.pull_fails or plan.run_for is None or plan.exit_code != 0:
        return None
    return plan.start_at + plan.run_for
