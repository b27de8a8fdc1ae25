"""The kubelet's plan for a pod it admits: when each container starts, runs, exits, and becomes Ready.

Who calls it: :class:`gennaker.sandbox.kubelet.kubelet.Kubelet` once per pod (plans are kept in memory and
rebuilt after a restart from ``status.startTime``), and the log provider.

Timing (all from :class:`gennaker.sandbox.simulation.SimulationSettings`, overridable per pod by the
``sandbox.gennaker.io/*`` annotations of its template):
- the pod is admitted at ``admitted``; each init container pulls for ``start_delay``, runs and exits 0 at
  once (a sidecar, an init container with ``restartPolicy: Always``, keeps running); the app containers
  then pull for ``start_delay`` and start together;
- a container is Ready ``ready_delay`` seconds into its run, plus its readiness probe's
  ``initialDelaySeconds`` times ``time_scale``;
- containers of Job pods (owned by a Job, or with a ``run-seconds`` annotation) exit 0 after
  ``run_seconds``; others run until deleted;
- faults (:mod:`gennaker.sandbox.kubelet.faults`) change that plan per container;
- the restart policy decides restarts: Always restarts every exit, OnFailure non-zero exits, Never none.
Also the image identity the kubelet reports (``docker.io/library/nginx:1.25``, ``imageID`` and
``containerID`` digests). Nothing here persists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ..simulation import PREFIX, SimulationSettings, annotation_float
from .faults import Fault
from .timeline import ContainerPlan, finished_at

Obj = dict[str, Any]


def normalize_image(image: str) -> str:
    """The fully qualified reference containerd reports (``nginx`` -> ``docker.io/library/nginx:latest``)."""
    name, digest = [*image.split("@", 1), ""][:2]
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    if digest:
        return f"{name}@{digest}"
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def image_id(image: str) -> str:
    full = normalize_image(image)
    repo = full.split("@", 1)[0].rsplit(":", 1)[0] if "@" not in full else full.split("@", 1)[0]
    digest = hashlib.sha256(full.encode()).hexdigest()
    return f"{repo}@sha256:{digest}"


def container_id(pod_uid: str, container: str, restart: int) -> str:
    return "containerd://" + hashlib.sha256(f"{pod_uid}/{container}/{restart}".encode()).hexdigest()


def image_size(image: str) -> int:
    """A plausible, stable image size in bytes (for the ``Pulled`` event)."""
    return 5_000_000 + int(hashlib.sha256(image.encode()).hexdigest()[:6], 16) * 40


def is_job_pod(pod: Mapping[str, Any]) -> bool:
    if PREFIX + "run-seconds" in ((pod.get("metadata") or {}).get("annotations") or {}):
        return True
    return any(r.get("kind") == "Job" for r in (pod.get("metadata") or {}).get("ownerReferences") or [])


def _restarts(policy: str, exit_code: int) -> bool:
    if policy == "Always":
        return True
    if policy == "OnFailure":
        return exit_code != 0
    return False


def plan_pod(
    pod: Mapping[str, Any], admitted: float, settings: SimulationSettings, faults: Mapping[str, Fault]
) -> tuple[list[ContainerPlan], list[ContainerPlan]]:
    """(init container plans, app container plans) for a pod admitted at ``admitted``."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    spec = pod.get("spec") or {}
    policy = str(spec.get("restartPolicy") or "Always")
    start_delay = annotation_float(annotations, "start-delay", settings.start_delay)
    ready_delay = annotation_float(annotations, "ready-delay", settings.ready_delay)
    job = is_job_pod(pod)
    run_seconds = annotation_float(annotations, "run-seconds", settings.run_seconds) if job else None
    scale = settings.time_scale

    def plan(c: Mapping[str, Any], start: float, *, init: bool) -> ContainerPlan:
        name, image = str(c.get("name")), str(c.get("image") or "")
        fault = faults.get(name) or Fault()
        sidecar = init and c.get("restartPolicy") == "Always"
        probe = c.get("readinessProbe") if isinstance(c.get("readinessProbe"), dict) else None
        probe_delay = float((probe or {}).get("initialDelaySeconds") or 0) * scale
        ready_after: float | None = ready_delay + probe_delay
        run_for: float | None = None  # app containers of long-running pods, and sidecars
        if init and not sidecar:
            run_for = 0.0
        elif not init and job:
            run_for = run_seconds or 0.0
        exit_code = 0
        container_policy = "Always" if sidecar else ("OnFailure" if init and policy == "Always" else policy)
        if fault.kind == "never-ready":
            ready_after = None
        elif fault.kind == "slow-start":
            ready_after = fault.seconds if fault.seconds is not None else settings.slow_start_seconds
        elif fault.kind == "crash-loop":
            run_for, exit_code, ready_after = settings.crash_run_seconds, fault.exit_code, None
        elif fault.kind == "fail":
            run_for = fault.seconds if fault.seconds is not None else (run_seconds or settings.run_seconds)
            exit_code = fault.exit_code
        return ContainerPlan(
            name=name,
            image=image,
            start_at=start,
            ready_after=ready_after,
            run_for=run_for,
            exit_code=exit_code,
            restarts=_restarts(container_policy, exit_code),
            pull_fails=fault.kind == "image-pull-backoff",
            time_scale=scale,
            sidecar=sidecar,
        )

    inits: list[ContainerPlan] = []
    t: float | None = admitted
    for c in spec.get("initContainers") or []:
        if t is None:
            inits.append(plan(c, float("inf"), init=True))
            continue
        p = plan(c, t + start_delay, init=True)
        inits.append(p)
        t = p.start_at if p.sidecar and not p.pull_fails else finished_at(p)
    start = float("inf") if t is None else t + start_delay
    apps = [plan(c, start, init=False) for c in spec.get("containers") or []]
    return inits, apps
