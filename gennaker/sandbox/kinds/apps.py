"""``apps/v1`` kinds: deployments, replicasets, statefulsets, daemonsets, controllerrevisions.

Who calls it: :func:`gennaker.sandbox.kinds.register_builtins`. Defaults follow kube-apiserver 1.37
(``SetDefaults_Deployment`` ...): controllers and ``kubectl rollout`` read these fields, and ``rollout
undo`` only reuses an old ReplicaSet because templates are defaulted the same way on every write.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..defaulting import default_template
from ..errors import FieldError
from ..registry import Column, Registry, ResourceType, ScaleSpec
from ..selectors import label_selector_string
from ..semantic import equal
from ..tables import AGE, dig, field, joined_containers
from ..validation import immutable_fields, non_negative, validate_selector_matches, validate_template

Obj = dict[str, Any]

TEMPLATE_CONTAINERS = ("spec", "template", "spec", "containers")


def _spec(obj: Obj) -> Obj:
    spec = obj.setdefault("spec", {})
    return spec if isinstance(spec, dict) else {}


def default_deployment(obj: Obj) -> None:
    spec = _spec(obj)
    spec.setdefault("replicas", 1)
    strategy = spec.get("strategy")
    if not isinstance(strategy, dict):
        strategy = spec["strategy"] = {}
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        ru = strategy.get("rollingUpdate")
        if not isinstance(ru, dict):
            ru = strategy["rollingUpdate"] = {}
        ru.setdefault("maxUnavailable", "25%")
        ru.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    default_template(spec.get("template"))


def default_replicaset(obj: Obj) -> None:
    spec = _spec(obj)
    spec.setdefault("replicas", 1)
    default_template(spec.get("template"))


def default_statefulset(obj: Obj) -> None:
    spec = _spec(obj)
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.get("updateStrategy")
    if not isinstance(strategy, dict):
        strategy = spec["updateStrategy"] = {}
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        ru = strategy.get("rollingUpdate")
        if not isinstance(ru, dict):
            ru = strategy["rollingUpdate"] = {}
        ru.setdefault("partition", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    policy = spec.get("persistentVolumeClaimRetentionPolicy")
    if not isinstance(policy, dict):
        policy = spec["persistentVolumeClaimRetentionPolicy"] = {}
    policy.setdefault("whenDeleted", "Retain")
    policy.setdefault("whenScaled", "Retain")
    default_template(spec.get("template"))
    for claim in spec.get("volumeClaimTemplates") or []:
        if isinstance(claim, dict):
            claim.setdefault("apiVersion", "v1")
            claim.setdefault("kind", "PersistentVolumeClaim")
            cspec = claim.setdefault("spec", {})
            if isinstance(cspec, dict):
                cspec.setdefault("volumeMode", "Filesystem")
            claim.setdefault("status", {"phase": "Pending"})


def default_daemonset(obj: Obj) -> None:
    spec = _spec(obj)
    strategy = spec.get("updateStrategy")
    if not isinstance(strategy, dict):
        strategy = spec["updateStrategy"] = {}
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        ru = strategy.get("rollingUpdate")
        if not isinstance(ru, dict):
            ru = strategy["rollingUpdate"] = {}
        ru.setdefault("maxUnavailable", 1)
        ru.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    default_template(spec.get("template"))


def _restart_policy_always(obj: Obj) -> list[FieldError]:
    policy = dig(obj, "spec", "template", "spec", "restartPolicy")
    if policy is not None and policy != "Always":
        return [errors.not_supported("spec.template.spec.restartPolicy", policy, ["Always"])]
    return []


def validate_workload(kind_word: str) -> Any:
    def check(obj: Obj, old: Obj | None) -> list[FieldError]:
        out = validate_selector_matches(obj, kind_word)
        out += validate_template(dig(obj, "spec", "template"), "spec.template")
        out += _restart_policy_always(obj)
        out += non_negative(obj, "spec.replicas")
        out += non_negative(obj, "spec.minReadySeconds")
        out += non_negative(obj, "spec.revisionHistoryLimit")
        return out

    return check


def validate_deployment(obj: Obj, old: Obj | None) -> list[FieldError]:
    out = validate_workload("deployment")(obj, old)
    strategy = dig(obj, "spec", "strategy") or {}
    stype = strategy.get("type")
    if stype not in ("Recreate", "RollingUpdate"):
        out.append(errors.not_supported("spec.strategy.type", stype, ["Recreate", "RollingUpdate"]))
    elif stype == "Recreate" and strategy.get("rollingUpdate") is not None:
        out.append(
            errors.forbidden(
                "spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"
            )
        )
    deadline, min_ready = (
        dig(obj, "spec", "progressDeadlineSeconds"),
        dig(obj, "spec", "minReadySeconds") or 0,
    )
    if isinstance(deadline, int) and deadline <= min_ready:
        out.append(
            errors.invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds")
        )
    out += immutable_fields(obj, old, ("spec.selector",))
    return out


def validate_replicaset(obj: Obj, old: Obj | None) -> list[FieldError]:
    return validate_workload("replicaset")(obj, old) + immutable_fields(obj, old, ("spec.selector",))


_STS_MUTABLE = (
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
)


def validate_statefulset(obj: Obj, old: Obj | None) -> list[FieldError]:
    out = validate_workload("statefulset")(obj, old)
    policy = dig(obj, "spec", "podManagementPolicy")
    if policy not in ("OrderedReady", "Parallel"):
        out.append(errors.not_supported("spec.podManagementPolicy", policy, ["OrderedReady", "Parallel"]))
    if old is not None:
        new_rest = {k: v for k, v in (obj.get("spec") or {}).items() if k not in _STS_MUTABLE}
        old_rest = {k: v for k, v in (old.get("spec") or {}).items() if k not in _STS_MUTABLE}
        if not equal(new_rest, old_rest):
            out.append(
                errors.forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                    "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
                    "'minReadySeconds' are forbidden",
                )
            )
    return out


def validate_daemonset(obj: Obj, old: Obj | None) -> list[FieldError]:
    return validate_workload("daemonset")(obj, old) + immutable_fields(obj, old, ("spec.selector",))


def validate_controller_revision(obj: Obj, old: Obj | None) -> list[FieldError]:
    out = non_negative(obj, "revision")
    if old is not None and not equal(obj.get("data"), old.get("data")):
        out.append(errors.immutable("data", obj.get("data")))
    return out


def _ready(o: Obj) -> str:
    return f"{dig(o, 'status', 'readyReplicas', default=0)}/{dig(o, 'spec', 'replicas', default=0)}"


def _selector(o: Obj) -> str:
    return label_selector_string(dig(o, "spec", "selector")) or "<none>"


WIDE = [
    Column("Containers", "string", joined_containers(TEMPLATE_CONTAINERS, "name"), priority=1),
    Column("Images", "string", joined_containers(TEMPLATE_CONTAINERS, "image"), priority=1),
    Column("Selector", "string", _selector, priority=1),
]


def register(reg: Registry) -> None:
    scale = ScaleSpec()
    reg.add(
        ResourceType(
            "apps",
            "v1",
            "Deployment",
            "deployments",
            "deployment",
            True,
            short_names=("deploy",),
            categories=("all",),
            status=True,
            scale=scale,
            status_writes_annotations=True,
            defaulters=[default_deployment],
            validators=[validate_deployment],
            columns=[
                Column("Ready", "string", _ready),
                Column("Up-to-date", "integer", field("status", "updatedReplicas")),
                Column("Available", "integer", field("status", "availableReplicas")),
                AGE,
                *WIDE,
            ],
        )
    )
    reg.add(
        ResourceType(
            "apps",
            "v1",
            "ReplicaSet",
            "replicasets",
            "replicaset",
            True,
            short_names=("rs",),
            categories=("all",),
            status=True,
            scale=scale,
            status_zero={"replicas": 0},
            defaulters=[default_replicaset],
            validators=[validate_replicaset],
            columns=[
                Column("Desired", "integer", field("spec", "replicas")),
                Column("Current", "integer", field("status", "replicas")),
                Column("Ready", "integer", field("status", "readyReplicas")),
                AGE,
                *WIDE,
            ],
        )
    )
    reg.add(
        ResourceType(
            "apps",
            "v1",
            "StatefulSet",
            "statefulsets",
            "statefulset",
            True,
            short_names=("sts",),
            categories=("all",),
            status=True,
            scale=scale,
            status_zero={"replicas": 0, "availableReplicas": 0},
            defaulters=[default_statefulset],
            validators=[validate_statefulset],
            columns=[Column("Ready", "string", _ready), AGE, *WIDE[:2]],
        )
    )
    reg.add(
        ResourceType(
            "apps",
            "v1",
            "DaemonSet",
            "daemonsets",
            "daemonset",
            True,
            short_names=("ds",),
            categories=("all",),
            status=True,
            status_zero={
                "currentNumberScheduled": 0,
                "numberMisscheduled": 0,
                "desiredNumberScheduled": 0,
                "numberReady": 0,
            },
            defaulters=[default_daemonset],
            validators=[validate_daemonset],
            columns=[
                Column("Desired", "integer", field("status", "desiredNumberScheduled")),
                Column("Current", "integer", field("status", "currentNumberScheduled")),
                Column("Ready", "integer", field("status", "numberReady")),
                Column("Up-to-date", "integer", field("status", "updatedNumberScheduled")),
                Column("Available", "integer", field("status", "numberAvailable")),
                Column(
                    "Node Selector",
                    "string",
                    lambda o: (
                        ",".join(
                            f"{k}={v}"
                            for k, v in sorted(
                                (dig(o, "spec", "template", "spec", "nodeSelector") or {}).items()
                            )
                        )
                        or "<none>"
                    ),
                ),
                AGE,
                *WIDE,
            ],
        )
    )
    reg.add(
        ResourceType(
            "apps",
            "v1",
            "ControllerRevision",
            "controllerrevisions",
            "controllerrevision",
            True,
            track_generation=False,
            validators=[validate_controller_revision],
            columns=[
                Column(
                    "Controller",
                    "string",
                    lambda o: next(
                        (
                            f"{r.get('kind', '').lower()}.{r.get('apiVersion', '').split('/')[0]}"
                            f"/{r.get('name')}"
                            for r in dig(o, "metadata", "ownerReferences", default=[]) or []
                            if r.get("controller")
                        ),
                        "<none>",
                    ),
                ),
                Column("Revision", "integer", field("revision")),
                AGE,
            ],
        )
    )
