"""The HorizontalPodAutoscaler controller, with simulated CPU utilization.

Who calls it: registered on every sandbox by :mod:`gennaker.sandbox.builtin`; reconciles every HPA on its
events and every 2 seconds (a real one every 15 s).

For each HPA (``autoscaling/v2``): read the target's ``scale`` (any kind with a scale subresource); the
pods are those its ``status.selector`` picks. Simulated load: the pods' ``sandbox.gennaker.io/cpu-load``
annotation (from their template) is the workload's total CPU load in percent of one pod's request
(``"240"``: the work of 2.4 fully busy pods), shared by the target's replicas, so utilization = load /
replicas and scaling out lowers it, as with real traffic; without the annotation the pods sit exactly at the
target (the HPA is stable until someone adds load). For ``Resource`` metrics with an
``averageUtilization`` target the desired count is ``ceil(current x utilization / target)`` unless the
ratio is within the 10 % tolerance; other metric types keep the current count. The result is clamped to
``[minReplicas, maxReplicas]``; when it differs the target is scaled through its scale subresource
(``SuccessfulRescale`` "New size: 4; reason: cpu resource utilization (percentage of request) above
target"). Status: ``observedGeneration``, ``currentReplicas``, ``desiredReplicas``, ``currentMetrics``,
``lastScaleTime`` and the ``AbleToScale`` / ``ScalingActive`` / ``ScalingLimited`` conditions.
Not simulated: stabilization windows and ``behavior`` policies (scaling is immediate). Nothing persists
beyond the objects written.
"""

from __future__ import annotations

import math
import time
from typing import Any

from ..controllers import Controller, ControllerContext, ObjectRef
from ..errors import ApiError
from ..selectors import parse_label_selector
from ..simulation import PREFIX
from ..store import deep_copy
from .common import PODS, get_condition, is_ready, meta, pod_phase, rfc3339
from .events import NORMAL, WARNING, EventRecorder

Obj = dict[str, Any]
HPAS = ("autoscaling", "horizontalpodautoscalers")
TOLERANCE = 0.1
VALID_METRIC = (
    "the HPA was able to successfully calculate a replica count from cpu resource utilization "
    "(percentage of request)"
)


class HorizontalPodAutoscalerController(Controller):
    name = "horizontalpodautoscaler"
    primary = HPAS
    watches = (HPAS,)
    resync_seconds = 2.0

    def __init__(self, *, events: bool = True) -> None:
        self._events = events
        self._recorder: EventRecorder | None = None

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        stored = ctx.api.store.get(HPAS, ref.namespace, ref.name)
        if stored is None:
            return
        if self._recorder is None:
            self._recorder = EventRecorder(ctx.client, "horizontal-pod-autoscaler", enabled=self._events)
        hpa = deep_copy(stored)
        spec = hpa.get("spec") or {}
        target_ref = spec.get("scaleTargetRef") or {}
        group = str(target_ref.get("apiVersion") or "").rpartition("/")[0]
        rt = next(
            (
                r
                for r in ctx.api.registry.all()
                if r.group == group and r.kind == target_ref.get("kind") and r.scale
            ),
            None,
        )
        now = rfc3339(time.time())
        status: Obj = deep_copy(hpa.get("status") or {})
        status["observedGeneration"] = int(meta(hpa).get("generation") or 1)
        target = ctx.api.store.get(rt.key, ref.namespace, str(target_ref.get("name"))) if rt else None
        if rt is None or target is None:
            message = (
                f"the HPA controller was unable to get the target's current scale: "
                f'{str(target_ref.get("kind", "")).lower()}s "{target_ref.get("name")}" not found'
            )
            if _set(status, ("AbleToScale", "False", "FailedGetScale", message), now):
                self._recorder.event(hpa, WARNING, "FailedGetScale", message)
            self._write(ctx, hpa, status)
            return
        _set(
            status,
            (
                "AbleToScale",
                "True",
                "SucceededGetScale",
                "the HPA controller was able to get the target's current scale",
            ),
            now,
        )
        scale = ctx.api.scale_of(rt, target)
        current = int((scale.get("spec") or {}).get("replicas") or 0)
        selector = parse_label_selector((scale.get("status") or {}).get("selector") or "")
        pods = [
            p
            for p in ctx.api.store.list_objects(PODS, ref.namespace)
            if selector.requirements and selector.matches(meta(p).get("labels")) and pod_phase(p) == "Running"
        ]
        low = int(spec.get("minReplicas") or 1)
        high = int(spec.get("maxReplicas") or max(low, current))
        desired, reason, metrics = self.desired(spec, current, pods)
        status["currentReplicas"] = current
        if current == 0 and low > 0:
            desired = 0
            _set(
                status,
                (
                    "ScalingActive",
                    "False",
                    "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero",
                ),
                now,
            )
        else:
            _set(status, ("ScalingActive", "True", "ValidMetricFound", VALID_METRIC), now)
            if desired < low:
                desired, reason = low, "Current number of replicas below Spec.MinReplicas"
                _set(
                    status,
                    (
                        "ScalingLimited",
                        "True",
                        "TooFewReplicas",
                        "the desired replica count is less than the minimum replica count",
                    ),
                    now,
                )
            elif desired > high:
                desired, reason = high, "Current number of replicas above Spec.MaxReplicas"
                _set(
                    status,
                    (
                        "ScalingLimited",
                        "True",
                        "TooManyReplicas",
                        "the desired replica count is more than the maximum replica count",
                    ),
                    now,
                )
            else:
                _set(
                    status,
                    (
                        "ScalingLimited",
                        "False",
                        "DesiredWithinRange",
                        "the desired count is within the acceptable range",
                    ),
                    now,
                )
        status["desiredReplicas"] = desired
        if metrics:
            status["currentMetrics"] = metrics
        if desired != current and current > 0:
            try:
                ctx.client.scale_replicas(rt.key, ref.namespace, str(target_ref.get("name")), desired)
                status["lastScaleTime"] = now
                self._recorder.event(
                    hpa, NORMAL, "SuccessfulRescale", f"New size: {desired}; reason: {reason}"
                )
            except ApiError as e:
                self._recorder.event(
                    hpa,
                    WARNING,
                    "FailedRescale",
                    f"New size: {desired}; reason: {reason}; error: {e.message}",
                )
        self._write(ctx, hpa, status)

    def desired(self, spec: Obj, current: int, pods: list[Obj]) -> tuple[int, str, list[Obj]]:
        """(desired replicas, reason, currentMetrics) from the HPA's Resource utilization metrics."""
        desired, reason, metrics = current, "", []
        for metric in spec.get("metrics") or []:
            resource = metric.get("resource") or {}
            target = resource.get("target") or {}
            if metric.get("type") != "Resource" or target.get("type") != "Utilization":
                continue
            goal = int(target.get("averageUtilization") or 80)
            ready = [p for p in pods if is_ready(p)]
            if not ready or current <= 0:
                continue
            # the load is spread over the target's replicas (pods still starting count, as the real HPA
            # counts unready pods at zero usage when scaling up, so scale-outs do not overshoot)
            utilization = round(_load(ready, goal, current) / current)
            metrics.append(
                {
                    "type": "Resource",
                    "resource": {
                        "name": resource.get("name", "cpu"),
                        "current": {"averageUtilization": utilization},
                    },
                }
            )
            ratio = utilization / goal
            if abs(ratio - 1.0) <= TOLERANCE:
                continue
            proposal = math.ceil(current * ratio)
            if proposal > desired or not reason:
                direction = "above" if ratio > 1 else "below"
                desired = proposal
                name = resource.get("name", "cpu")
                reason = f"{name} resource utilization (percentage of request) {direction} target"
        return desired, reason, metrics

    def _write(self, ctx: ControllerContext, hpa: Obj, status: Obj) -> None:
        if status != (hpa.get("status") or {}):
            hpa["status"] = status
            ctx.client.update_status(HPAS, hpa)


def _load(pods: list[Obj], goal: int, replicas: int) -> float:
    """The total load (percent of one pod's request): the annotation, or ``goal`` per replica without one."""
    for pod in pods:
        raw = (meta(pod).get("annotations") or {}).get(PREFIX + "cpu-load")
        if raw is not None:
            try:
                return max(0.0, float(raw))
            except ValueError:
                break
    return float(goal * replicas)


def _set(status: Obj, cond: tuple[str, str, str, str], now: str) -> bool:
    """Set condition ``(type, status, reason, message)``; True when it changed."""
    ctype, value, reason, message = cond
    current = get_condition(status, ctype)
    if current is not None and current.get("status") == value and current.get("reason") == reason:
        return False
    entry = {
        "type": ctype,
        "status": value,
        "lastTransitionTime": now
        if current is None or current.get("status") != value
        else current.get("lastTransitionTime"),
        "reason": reason,
        "message": message,
    }
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != ctype]
    order = ["AbleToScale", "ScalingActive", "ScalingLimited"]
    conditions.append(entry)
    conditions.sort(key=lambda c: order.index(c["type"]) if c.get("type") in order else len(order))
    status["conditions"] = conditions
    return True
