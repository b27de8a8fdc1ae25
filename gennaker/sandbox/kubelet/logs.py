"""Container logs of simulated pods: what ``kubectl logs`` prints.

Who calls it: the ``pods/<name>/log`` handler, through ``SandboxCluster.set_log_provider`` (installed by
:func:`gennaker.sandbox.kubelet.install`). Stateless: the lines are derived from the pod's status (when the
current and previous runs started and ended, their exit codes) and its annotations, so they are stable
between calls and survive a restart.

Each run writes a few start-up lines, then (while it runs) one request-summary line every 10 seconds,
and, when it ended, a last line with its outcome (``task completed successfully``, ``exiting with code
N``). Options honoured: ``container``, ``previous`` (the last terminated run), ``tailLines``,
``sinceSeconds``, ``sinceTime``, ``timestamps`` (RFC 3339 with nanoseconds before each line),
``limitBytes``; ``follow`` returns what exists now. Errors are the kubelet's: a container that never
started is ``is waiting to start: ContainerCreating`` (or ``trying and failing to pull image``), and
``previous`` without a terminated run is ``previous terminated container ... not found``. Nothing
persists.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .. import errors
from ..simulation import annotation_float
from ..web.types import Request
from ..workloads.common import parse_time

Obj = dict[str, Any]
SUMMARY_EVERY = 10
MAX_LINES = 5000


def _stamp(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _nano(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def _port(pod: Mapping[str, Any], container: str) -> int:
    for c in (pod.get("spec") or {}).get("containers") or []:
        if c.get("name") == container:
            for p in c.get("ports") or []:
                if isinstance(p.get("containerPort"), int):
                    return int(p["containerPort"])
    return 8080


def _run_lines(
    pod: Mapping[str, Any],
    container: str,
    image: str,
    *,
    started: float,
    ended: float | None,
    exit_code: int,
    now: float,
) -> list[tuple[float, str]]:
    m = pod.get("metadata") or {}
    annotations = m.get("annotations") or {}
    ident = f"{m.get('namespace')}/{m.get('name')}"
    rps = annotation_float(annotations, "metrics-rps", 10.0)
    error_rate = min(1.0, annotation_float(annotations, "metrics-error-rate", 0.01))
    latency = annotation_float(annotations, "metrics-latency-ms", 50.0)
    job = any(r.get("kind") == "Job" for r in m.get("ownerReferences") or [])
    lines = [
        (started, f"{_stamp(started)} INFO  starting {image} (container {container} of pod {ident})"),
        (started, f"{_stamp(started)} INFO  configuration loaded, log level info"),
    ]
    if job:
        lines.append((started, f"{_stamp(started)} INFO  processing work items"))
    else:
        lines.append((started, f"{_stamp(started)} INFO  listening on 0.0.0.0:{_port(pod, container)}"))
    until = min(now, ended) if ended is not None else now
    seed = hashlib.sha256(f"{m.get('uid')}/{container}/{started}".encode()).digest()
    tick = started + SUMMARY_EVERY
    i = 0
    while tick <= until and not job:
        jitter = (seed[i % len(seed)] - 128) / 1280.0
        served = max(0, round(rps * SUMMARY_EVERY * (1 + jitter)))
        failed = round(served * error_rate)
        p50 = max(1, round(latency * (1 + jitter / 2)))
        lines.append(
            (
                tick,
                f"{_stamp(tick)} INFO  served {served} requests ({failed} errors) "
                f"in the last 10s, p50 {p50}ms",
            )
        )
        tick += SUMMARY_EVERY
        i += 1
        if len(lines) > MAX_LINES:
            del lines[3:4]
    if ended is not None and ended <= now:
        if exit_code == 0:
            lines.append((ended, f"{_stamp(ended)} INFO  task completed successfully"))
        else:
            lines.append((ended, f"{_stamp(ended)} ERROR unrecoverable error: exiting with code {exit_code}"))
    return lines


def _find_status(pod: Mapping[str, Any], container: str) -> Obj | None:
    status = pod.get("status") or {}
    for s in [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]:
        if s.get("name") == container:
            return dict(s)
    return None


def pod_logs(pod: Obj, container: str, request: Request) -> str:
    """The log text of ``container`` in ``pod`` for a ``pods/log`` request."""
    m = pod.get("metadata") or {}
    name = m.get("name")
    now = time.time()
    cs = _find_status(pod, container) or {}
    image = str(cs.get("image") or "")
    state = cs.get("state") or {}
    previous = (request.param("previous") or "").lower() in ("true", "1")
    if previous:
        term = (cs.get("lastState") or {}).get("terminated")
        if not term:
            raise errors.bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
        run = term
    elif "running" in state:
        run = state["running"]
    elif "terminated" in state:
        run = state["terminated"]
    else:
        reason = (state.get("waiting") or {}).get("reason") or "ContainerCreating"
        if reason in ("ErrImagePull", "ImagePullBackOff"):
            reason = "trying and failing to pull image"
        elif reason == "CrashLoopBackOff":
            term = (cs.get("lastState") or {}).get("terminated")
            if term:
                run = term
                return _render(pod, container, image, run, now=now, request=request)
        raise errors.bad_request(f'container "{container}" in pod "{name}" is waiting to start: {reason}')
    return _render(pod, container, image, run, now=now, request=request)


def _render(
    pod: Obj, container: str, image: str, run: Mapping[str, Any], *, now: float, request: Request
) -> str:
    started = parse_time(run.get("startedAt")) or now
    ended = parse_time(run.get("finishedAt"))
    exit_code = int(run.get("exitCode") or 0)
    lines = _run_lines(pod, container, image, started=started, ended=ended, exit_code=exit_code, now=now)
    since = request.param("sinceSeconds")
    if since and since.isdigit():
        lines = [(t, text) for t, text in lines if t >= now - int(since)]
    since_time = parse_time(request.param("sinceTime"))
    if since_time is not None:
        lines = [(t, text) for t, text in lines if t >= since_time]
    tail = request.param("tailLines")
    if tail is not None and tail.lstrip("-").isdigit() and int(tail) >= 0:
        lines = lines[len(lines) - int(tail) :] if int(tail) else []
    timestamps = (request.param("timestamps") or "").lower() in ("true", "1")
    text = "".join(f"{_nano(t)} {line}\n" if timestamps else f"{line}\n" for t, line in lines)
    limit = request.param("limitBytes")
    if limit and limit.isdigit():
        text = text.encode()[: int(limit)].decode("utf-8", "ignore")
    return text
