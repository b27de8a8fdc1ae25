"""Helpers every workload controller shares: time stamps, conditions, pod predicates, owned objects.

Who calls it: the controllers in :mod:`gennaker.sandbox.workloads` and the simulated kubelet. The pod
predicates follow ``k8s.io/kubernetes/pkg/api/v1/pod`` and ``pkg/controller``: a pod is *active* until it
is terminal or being deleted, *ready* when its Ready condition is True, *available* once it has been ready
for ``minReadySeconds``. Nothing here persists.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..controllers import owner_reference
from ..selectors import from_label_selector
from ..store import Key, deep_copy

Obj = dict[str, Any]

PODS: Key = ("", "pods")
EVENTS: Key = ("", "events")
NODES: Key = ("", "nodes")
SERVICES: Key = ("", "services")
PVCS: Key = ("", "persistentvolumeclaims")
DEPLOYMENTS: Key = ("apps", "deployments")
REPLICASETS: Key = ("apps", "replicasets")
STATEFULSETS: Key = ("apps", "statefulsets")
DAEMONSETS: Key = ("apps", "daemonsets")
REVISIONS: Key = ("apps", "controllerrevisions")
JOBS: Key = ("batch", "jobs")
CRONJOBS: Key = ("batch", "cronjobs")


# -- time
def rfc3339(epoch: float) -> str:
    """The API server's timestamp format (whole seconds, UTC)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: Any) -> float | None:
    """Epoch seconds of an RFC 3339 timestamp (None when absent or malformed)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


# -- small accessors
def meta(obj: Mapping[str, Any]) -> Obj:
    return obj.get("metadata") or {}


def name_of(obj: Mapping[str, Any]) -> str:
    return str(meta(obj).get("name") or "")


def uid_of(obj: Mapping[str, Any]) -> str:
    return str(meta(obj).get("uid") or "")


def spec_int(obj: Mapping[str, Any], field: str, default: int = 0) -> int:
    value = (obj.get("spec") or {}).get(field)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def status_int(obj: Mapping[str, Any], field: str) -> int:
    value = (obj.get("status") or {}).get(field)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def int_or_percent(value: Any, total: int, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``: ``"25%"`` of ``total`` rounded up or down, or an int."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.endswith("%"):
        try:
            pct = float(text[:-1])
        except ValueError:
            return 0
        scaled = pct * total / 100.0
        return math.ceil(scaled) if round_up else math.floor(scaled)
    try:
        return int(text)
    except ValueError:
        return 0


# -- conditions
def get_condition(status: Mapping[str, Any] | None, ctype: str) -> Obj | None:
    for c in (status or {}).get("conditions") or []:
        if isinstance(c, dict) and c.get("type") == ctype:
            return c
    return None


def remove_condition(status: Obj, ctype: str) -> None:
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != ctype]
    if not status["conditions"]:
        del status["conditions"]


# -- pods
def pod_phase(pod: Mapping[str, Any]) -> str:
    return str((pod.get("status") or {}).get("phase") or "Pending")


def is_terminal(pod: Mapping[str, Any]) -> bool:
    return pod_phase(pod) in ("Succeeded", "Failed")


def is_terminating(obj: Mapping[str, Any]) -> bool:
    return bool(meta(obj).get("deletionTimestamp"))


def is_active(pod: Mapping[str, Any]) -> bool:
    """``controller.IsPodActive``: not terminal and not being deleted."""
    return not is_terminal(pod) and not is_terminating(pod)


def is_ready(pod: Mapping[str, Any]) -> bool:
    cond = get_condition(pod.get("status"), "Ready")
    return cond is not None and cond.get("status") == "True"


def ready_since(pod: Mapping[str, Any]) -> float | None:
    """When the pod's Ready condition last became True (None when not ready)."""
    cond = get_condition(pod.get("status"), "Ready")
    if cond is None or cond.get("status") != "True":
        return None
    return parse_time(cond.get("lastTransitionTime")) or 0.0


def is_available(pod: Mapping[str, Any], min_ready_seconds: int, now: float) -> bool:
    """``podutil.IsPodAvailable``: ready, and for at least ``minReadySeconds``."""
    since = ready_since(pod)
    if since is None:
        return False
    return min_ready_seconds <= 0 or since + min_ready_seconds <= now


def available_at(pod: Mapping[str, Any], min_ready_seconds: int) -> float | None:
    """When a ready pod becomes available (None when not ready)."""
    since = ready_since(pod)
    return None if since is None else since + max(0, min_ready_seconds)


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str] | None) -> bool:
    """Whether a LabelSelector object selects ``labels`` (an empty or missing selector selects nothing)."""
    if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        return False
    return from_label_selector(selector).matches(labels)


def controlled_by(obj: Mapping[str, Any], owner_uid: str) -> bool:
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller") and ref.get("uid") == owner_uid:
            return True
    return False


def controlled(client: Any, key: Key, owner: Mapping[str, Any]) -> tuple[list[Obj], list[Obj]]:
    """Objects of ``key`` that ``owner`` controls: (those its selector matches, those it no longer does).
    Shared objects: copy before changing."""
    uid = uid_of(owner)
    selector = (owner.get("spec") or {}).get("selector")
    matcher = (
        from_label_selector(selector)
        if selector and (selector.get("matchLabels") or selector.get("matchExpressions"))
        else None
    )
    selected, unselected = [], []
    for o in client.list_owned(key, uid):
        if not controlled_by(o, uid):
            continue
        if matcher is not None and matcher.matches(meta(o).get("labels")):
            selected.append(o)
        else:
            unselected.append(o)
    return selected, unselected


def owned(client: Any, key: Key, owner: Mapping[str, Any]) -> list[Obj]:
    """Objects of ``key`` whose controller owner is ``owner`` and that its selector still matches
    (the others are released by :mod:`.claims` where the controller does that). Shared: copy to change."""
    return controlled(client, key, owner)[0]


def pod_from_template(
    template: Mapping[str, Any],
    owner: Mapping[str, Any],
    *,
    name: str = "",
    generate_name: str = "",
    extra_labels: Mapping[str, str] | None = None,
    extra_annotations: Mapping[str, str] | None = None,
) -> Obj:
    """A Pod for ``owner`` from its template (``controller.GetPodFromTemplate``)."""
    tmeta = template.get("metadata") or {}
    labels = dict(tmeta.get("labels") or {})
    labels.update(extra_labels or {})
    annotations = dict(tmeta.get("annotations") or {})
    annotations.update(extra_annotations or {})
    metadata: Obj = {"namespace": meta(owner).get("namespace"), "labels": labels}
    if name:
        metadata["name"] = name
    else:
        metadata["generateName"] = generate_name
    if annotations:
        metadata["annotations"] = annotations
    if tmeta.get("finalizers"):
        metadata["finalizers"] = list(tmeta["finalizers"])
    metadata["ownerReferences"] = [owner_reference(dict(owner))]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": deep_copy(template.get("spec") or {}),
    }


def sum_status(objs: Iterable[Mapping[str, Any]], field: str) -> int:
    return sum(status_int(o, field) for o in objs)


def sum_spec(objs: Iterable[Mapping[str, Any]], field: str = "replicas") -> int:
    return sum(spec_int(o, field) for o in objs)
