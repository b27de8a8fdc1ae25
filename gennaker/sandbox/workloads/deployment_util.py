"""The Deployment controller's arithmetic, as pure functions (``pkg/controller/deployment/util``).

Who calls it: :mod:`gennaker.sandbox.workloads.deployment` (the reconciler that writes) and the unit tests
that check the numbers against upstream's. Every function takes plain JSON-shaped objects and returns
values or mutates the copy it is given; none reads the store or the clock.

Covered: max surge / max unavailable with upstream's fencepost rules; the new ReplicaSet (semantic
template equality ignoring ``pod-template-hash``) and its revision; revision, revision-history,
desired-replicas and max-replicas annotations and which Deployment annotations a ReplicaSet copies;
the new ReplicaSet's next size; proportional scaling; ``calculateStatus``; the condition setter and the
complete / progressing / timed-out predicates ``kubectl rollout status`` relies on. Nothing persists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..semantic import equal
from .common import (
    get_condition,
    int_or_percent,
    meta,
    name_of,
    parse_time,
    spec_int,
    status_int,
    sum_spec,
    sum_status,
)
from .hashing import HASH_LABEL

Obj = dict[str, Any]

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
ROLLBACK_TO = "deprecated.deployment.rollback.to"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
SKIP_COPY = frozenset({LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO})
MAX_HISTORY_CHARS = 2000

# Condition reasons (``deploymentutil``).
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
RS_UPDATED = "ReplicaSetUpdated"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
MIN_AVAILABLE = "MinimumReplicasAvailable"
MIN_UNAVAILABLE = "MinimumReplicasUnavailable"


# -- strategy arithmetic
def is_rolling(d: Mapping[str, Any]) -> bool:
    return ((d.get("spec") or {}).get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"


def replicas_of(d: Mapping[str, Any]) -> int:
    return spec_int(d, "replicas", 1)


def fenceposts(d: Mapping[str, Any]) -> tuple[int, int]:
    """``ResolveFenceposts``: (surge rounded up, unavailable rounded down); both 0 -> unavailable 1."""
    ru = ((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    desired = replicas_of(d)
    surge = int_or_percent(ru.get("maxSurge", "25%"), desired, round_up=True)
    unavailable = int_or_percent(ru.get("maxUnavailable", "25%"), desired, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(d: Mapping[str, Any]) -> int:
    return fenceposts(d)[0] if is_rolling(d) else 0


def max_unavailable(d: Mapping[str, Any]) -> int:
    """``MaxUnavailable``: 0 for Recreate or zero replicas, never more than ``replicas``."""
    if not is_rolling(d) or replicas_of(d) == 0:
        return 0
    return min(fenceposts(d)[1], replicas_of(d))


def has_progress_deadline(d: Mapping[str, Any]) -> bool:
    deadline = (d.get("spec") or {}).get("progressDeadlineSeconds")
    return isinstance(deadline, int) and deadline != 2**31 - 1


# -- replica sets
def by_creation(rss: list[Obj]) -> list[Obj]:
    """Oldest first (``ReplicaSetsByCreationTimestamp``; ties by name)."""
    return sorted(rss, key=lambda r: (parse_time(meta(r).get("creationTimestamp")) or 0.0, name_of(r)))


def revision_of(obj: Mapping[str, Any]) -> int:
    try:
        return int((meta(obj).get("annotations") or {}).get(REVISION, 0))
    except (TypeError, ValueError):
        return 0


def template_without_hash(template: Any) -> Any:
    if not isinstance(template, dict):
        return template
    labels = (template.get("metadata") or {}).get("labels") or {}
    if HASH_LABEL not in labels:
        return template
    out = dict(template)
    out["metadata"] = {**template["metadata"], "labels": {k: v for k, v in labels.items() if k != HASH_LABEL}}
    return out


def equal_ignore_hash(a: Any, b: Any) -> bool:
    """``EqualIgnoreHash``: semantic equality of two pod templates ignoring ``pod-template-hash``."""
    return equal(template_without_hash(a), template_without_hash(b))


def find_new_rs(d: Mapping[str, Any], rss: list[Obj]) -> Obj | None:
    """The oldest ReplicaSet whose template equals the Deployment's (``FindNewReplicaSet``)."""
    template = (d.get("spec") or {}).get("template")
    for rs in by_creation(rss):
        if equal_ignore_hash((rs.get("spec") or {}).get("template"), template):
            return rs
    return None


def active(rss: list[Obj]) -> list[Obj]:
    return [r for r in rss if spec_int(r, "replicas") > 0]


def new_rs_new_replicas(d: Mapping[str, Any], all_rss: list[Obj], new_rs: Mapping[str, Any]) -> int:
    """``NewRSNewReplicas``: how big the new ReplicaSet may be now."""
    desired = replicas_of(d)
    current_new = spec_int(new_rs, "replicas")
    if not is_rolling(d):
        return desired
    max_total = desired + max_surge(d)
    current = sum_spec(all_rss)
    if current >= max_total:
        return current_new
    scale_up = min(max_total - current, desired - current_new)
    return current_new + max(0, scale_up)


def is_saturated(d: Mapping[str, Any], rs: Mapping[str, Any] | None) -> bool:
    if rs is None:
        return False
    desired = (meta(rs).get("annotations") or {}).get(DESIRED_REPLICAS)
    return (
        spec_int(rs, "replicas") == replicas_of(d)
        and desired == str(replicas_of(d))
        and status_int(rs, "availableReplicas") == replicas_of(d)
    )


def find_active_or_latest(new_rs: Obj | None, old_rss: list[Obj]) -> Obj | None:
    """``FindActiveOrLatest``: the only active ReplicaSet, else the newest when none is active."""
    newest_first = list(reversed(by_creation(old_rss)))
    candidates = active(newest_first + ([new_rs] if new_rs is not None else []))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        if new_rs is not None:
            return new_rs
        return newest_first[0] if newest_first else None
    return None


def _max_replicas_annotation(rs: Mapping[str, Any]) -> int | None:
    try:
        return int((meta(rs).get("annotations") or {})[MAX_REPLICAS])
    except (KeyError, TypeError, ValueError):
        return None


def proportion(d: Mapping[str, Any], rs: Mapping[str, Any], to_add: int, added: int) -> int:
    """``GetProportion``: this ReplicaSet's share of ``to_add`` replicas (``added`` already handed out)."""
    size = spec_int(rs, "replicas")
    if size == 0 or to_add in (0, added):
        return 0
    if replicas_of(d) == 0:
        fraction = -size
    else:
        deployment_replicas = replicas_of(d) + max_surge(d)
        annotated = _max_replicas_annotation(rs)
        if annotated is None or annotated == 0:
            annotated = status_int(d, "replicas") or 1
        new_size = size * deployment_replicas / annotated
        fraction = math.floor(new_size + 0.5) - size  # math.Round: half away from zero (sizes >= 0)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def proportional_sizes(d: Mapping[str, Any], active_rss: list[Obj]) -> tuple[list[tuple[Obj, int]], str]:
    """The proportional scaling plan of ``scale()`` for a rolling Deployment: [(rs, new size)], verb."""
    total = sum_spec(active_rss)
    allowed = replicas_of(d) + max_surge(d) if replicas_of(d) > 0 else 0
    to_add = allowed - total
    ordered = list(active_rss)
    operation = ""
    if to_add > 0:  # bigger first; among equals, newer first
        ordered = sorted(
            ordered,
            key=lambda r: (-spec_int(r, "replicas"), -(parse_time(meta(r).get("creationTimestamp")) or 0.0)),
        )
        operation = "up"
    elif to_add < 0:  # bigger first; among equals, older first
        ordered = sorted(
            ordered,
            key=lambda r: (-spec_int(r, "replicas"), parse_time(meta(r).get("creationTimestamp")) or 0.0),
        )
        operation = "down"
    added = 0
    sizes: list[int] = []
    for rs in ordered:
        if to_add != 0:
            share = proportion(d, rs, to_add, added)
            sizes.append(spec_int(rs, "replicas") + share)
            added += share
        else:
            sizes.append(spec_int(rs, "replicas"))
    if ordered and to_add != 0:
        sizes[0] = max(0, sizes[0] + to_add - added)
    return list(zip(ordered, sizes, strict=True)), operation


# -- annotations
def copy_annotations_to_rs(d: Mapping[str, Any], rs: Obj) -> bool:
    """``copyDeploymentAnnotationsToReplicaSet``: adds/overwrites, never deletes; True when changed."""
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for k, v in (meta(d).get("annotations") or {}).items():
        if k in SKIP_COPY or annotations.get(k) == v:
            continue
        annotations[k] = v
        changed = True
    return changed


def set_replicas_annotations(rs: Obj, desired: int, max_replicas: int) -> bool:
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for k, v in ((DESIRED_REPLICAS, str(desired)), (MAX_REPLICAS, str(max_replicas))):
        if annotations.get(k) != v:
            annotations[k] = v
            changed = True
    return changed


def set_new_rs_annotations(d: Mapping[str, Any], rs: Obj, new_revision: int, exists: bool) -> bool:
    """``SetNewReplicaSetAnnotations``: copy annotations, move the revision up (recording the old one in
    ``revision-history`` when a ReplicaSet is reused), and size annotations on a brand-new one."""
    changed = copy_annotations_to_rs(d, rs)
    annotations = rs["metadata"]["annotations"]
    had_revision = REVISION in annotations
    try:
        old_revision = int(annotations.get(REVISION) or 0)
    except (TypeError, ValueError):
        return changed
    if old_revision < new_revision:
        annotations[REVISION] = str(new_revision)
        changed = True
        if had_revision:
            history = annotations.get(REVISION_HISTORY, "")
            entries = [e for e in history.split(",") if e] if history else []
            entries.append(str(old_revision))
            while len(",".join(entries)) > MAX_HISTORY_CHARS and len(entries) > 1:
                entries.pop(0)
            annotations[REVISION_HISTORY] = ",".join(entries)
    if not exists and set_replicas_annotations(rs, replicas_of(d), replicas_of(d) + max_surge(d)):
        changed = True
    return changed


def set_deployment_revision(d: Obj, revision: str) -> bool:
    annotations = d["metadata"].setdefault("annotations", {})
    if annotations.get(REVISION) == revision:
        return False
    annotations[REVISION] = revision
    return True


# -- conditions and status
def new_condition(ctype: str, status: str, reason: str, message: str, now: str) -> Obj:
    return {
        "type": ctype,
        "status": status,
        "lastUpdateTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def set_condition(status: Obj, cond: Obj) -> None:
    """``SetDeploymentCondition``: no-op when status and reason are unchanged; keeps the transition time
    when only the reason changes; the condition moves to the end of the list."""
    current = get_condition(status, cond["type"])
    if (
        current is not None
        and current.get("status") == cond["status"]
        and current.get("reason") == cond["reason"]
    ):
        return
    if current is not None and current.get("status") == cond["status"]:
        cond["lastTransitionTime"] = current.get("lastTransitionTime")
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != cond["type"]]
    status["conditions"].append(cond)


def calculate_status(d: Mapping[str, Any], all_rss: list[Obj], new_rs: Obj | None, now: str) -> Obj:
    """``calculateStatus``: counts summed over the ReplicaSets plus the Available condition."""
    available = sum_status(all_rss, "availableReplicas")
    total = sum_spec(all_rss)
    old_status = d.get("status") or {}
    status: Obj = {"observedGeneration": int(meta(d).get("generation") or 1)}
    counts = {
        "replicas": sum_status(all_rss, "replicas"),
        "updatedReplicas": status_int(new_rs, "replicas") if new_rs is not None else 0,
        "readyReplicas": sum_status(all_rss, "readyReplicas"),
        "availableReplicas": available,
        "unavailableReplicas": max(0, total - available),
    }
    status.update({k: v for k, v in counts.items() if v})
    if old_status.get("collisionCount") is not None:
        status["collisionCount"] = old_status["collisionCount"]
    if old_status.get("conditions"):
        status["conditions"] = [dict(c) for c in old_status["conditions"]]
    if available >= replicas_of(d) - max_unavailable(d):
        set_condition(
            status,
            new_condition("Available", "True", MIN_AVAILABLE, "Deployment has minimum availability.", now),
        )
    else:
        set_condition(
            status,
            new_condition(
                "Available", "False", MIN_UNAVAILABLE, "Deployment does not have minimum availability.", now
            ),
        )
    return status


def deployment_complete(d: Mapping[str, Any], status: Mapping[str, Any]) -> bool:
    desired = replicas_of(d)
    return (
        status.get("updatedReplicas", 0) == desired
        and status.get("replicas", 0) == desired
        and status.get("availableReplicas", 0) == desired
        and status.get("observedGeneration", 0) >= int(meta(d).get("generation") or 1)
    )


def deployment_progressing(d: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    old = d.get("status") or {}
    old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
    new_old = new.get("replicas", 0) - new.get("updatedReplicas", 0)
    return (
        new.get("updatedReplicas", 0) > old.get("updatedReplicas", 0)
        or new_old < old_old
        or new.get("readyReplicas", 0) > old.get("readyReplicas", 0)
        or new.get("availableReplicas", 0) > old.get("availableReplicas", 0)
    )


def deployment_timed_out(d: Mapping[str, Any], status: Mapping[str, Any], now: float) -> bool:
    if not has_progress_deadline(d):
        return False
    cond = get_condition(status, "Progressing")
    if cond is None:
        return False
    if cond.get("reason") == NEW_RS_AVAILABLE:
        return False
    if cond.get("reason") == TIMED_OUT:
        return True
    since = parse_time(cond.get("lastUpdateTime"))
    deadline = spec_int(d, "progressDeadlineSeconds", 600)
    return since is not None and since + deadline < now
