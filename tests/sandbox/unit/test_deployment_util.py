"""The Deployment controller's arithmetic against upstream's numbers (``deployment/util`` tests and the
RollingUpdate examples of the Kubernetes documentation)."""

from __future__ import annotations

from typing import Any

import pytest

from gennaker.sandbox.workloads import deployment_util as du

Obj = dict[str, Any]


def dep(
    replicas: int = 10, surge: Any = "25%", unavailable: Any = "25%", strategy: str = "RollingUpdate"
) -> Obj:
    spec: Obj = {"replicas": replicas, "strategy": {"type": strategy}}
    if strategy == "RollingUpdate":
        spec["strategy"]["rollingUpdate"] = {"maxSurge": surge, "maxUnavailable": unavailable}
    return {"metadata": {"name": "d", "generation": 1, "annotations": {}}, "spec": spec}


def rs(
    name: str, replicas: int, available: int = 0, created: str = "2026-01-01T00:00:00Z", **ann: str
) -> Obj:
    annotations = {k.replace("_", "-"): v for k, v in ann.items()}
    return {
        "metadata": {"name": name, "uid": name, "creationTimestamp": created, "annotations": annotations},
        "spec": {"replicas": replicas, "template": {"metadata": {"labels": {"app": "x"}}}},
        "status": {"replicas": replicas, "availableReplicas": available, "readyReplicas": available},
    }


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable", "expected"),
    [
        (10, "25%", "25%", (3, 2)),  # surge rounds up, unavailable down
        (1, "25%", "25%", (1, 0)),
        (3, 0, 0, (0, 1)),  # both zero: unavailable becomes 1
        (4, "50%", 1, (2, 1)),
        (5, 2, "10%", (2, 0)),
    ],
)
def test_fenceposts(replicas: int, surge: Any, unavailable: Any, expected: tuple[int, int]) -> None:
    assert du.fenceposts(dep(replicas, surge, unavailable)) == expected


def test_max_unavailable_is_capped_and_zero_for_recreate() -> None:
    assert du.max_unavailable(dep(2, 0, 5)) == 2
    assert du.max_unavailable(dep(0)) == 0
    assert du.max_unavailable(dep(3, strategy="Recreate")) == 0
    assert du.max_surge(dep(3, strategy="Recreate")) == 0


def test_new_replicaset_grows_within_surge() -> None:
    d = dep(10)
    old, new = rs("old", 10, 10), rs("new", 0)
    assert du.new_rs_new_replicas(d, [old, new], new) == 3  # 10 + 3 surge - 10 running
    old["spec"]["replicas"] = 8
    new["spec"]["replicas"] = 3
    assert du.new_rs_new_replicas(d, [old, new], new) == 5
    assert du.new_rs_new_replicas(dep(10, strategy="Recreate"), [new], new) == 10


def test_find_new_replicaset_ignores_the_hash_label_and_prefers_the_oldest() -> None:
    d = {
        "spec": {"template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c"}]}}}
    }
    a = rs("a", 1, created="2026-01-02T00:00:00Z")
    b = rs("b", 1, created="2026-01-01T00:00:00Z")
    for r in (a, b):
        r["spec"]["template"] = {
            "metadata": {"labels": {"app": "x", "pod-template-hash": r["metadata"]["name"]}},
            "spec": {"containers": [{"name": "c", "resources": {}}]},  # {} equals absent
        }
    found = du.find_new_rs(d, [a, b])
    assert found is not None and found["metadata"]["name"] == "b"


def test_revision_annotations_of_a_reused_replicaset() -> None:
    d = dep(3)
    d["metadata"]["annotations"] = {
        "kubernetes.io/change-cause": "undo",
        du.LAST_APPLIED: "{}",
        du.REVISION: "2",
    }
    old = rs("old", 0, revision="1")
    old["metadata"]["annotations"] = {du.REVISION: "1"}
    assert du.set_new_rs_annotations(d, old, 3, exists=True)
    ann = old["metadata"]["annotations"]
    assert ann[du.REVISION] == "3" and ann[du.REVISION_HISTORY] == "1"
    assert ann["kubernetes.io/change-cause"] == "undo" and du.LAST_APPLIED not in ann
    assert du.DESIRED_REPLICAS not in ann  # only brand-new ReplicaSets get the size annotations here
    again = rs("again", 0)
    again["metadata"]["annotations"] = {du.REVISION: "3", du.REVISION_HISTORY: "1"}
    du.set_new_rs_annotations(d, again, 5, exists=True)
    assert again["metadata"]["annotations"][du.REVISION_HISTORY] == "1,3"
    fresh = rs("fresh", 0)
    fresh["metadata"]["annotations"] = {}
    du.set_new_rs_annotations(d, fresh, 1, exists=False)
    assert fresh["metadata"]["annotations"][du.DESIRED_REPLICAS] == "3"
    assert fresh["metadata"]["annotations"][du.MAX_REPLICAS] == "4"


def test_proportional_scaling_splits_new_replicas_by_size() -> None:
    # a rollout in flight (old 8, new 5 of a 10-replica deployment at max 13) is scaled to 20:
    # allowed 20 + 5 = 25, 12 to add, shared in proportion to each max-replicas annotation
    d = dep(20)
    old = rs("old", 8, 8, created="2026-01-01T00:00:00Z", deployment_kubernetes_io_max_replicas="13")
    new = rs("new", 5, 0, created="2026-01-02T00:00:00Z", deployment_kubernetes_io_max_replicas="13")
    old["metadata"]["annotations"] = {du.MAX_REPLICAS: "13"}
    new["metadata"]["annotations"] = {du.MAX_REPLICAS: "13"}
    plan, operation = du.proportional_sizes(d, [old, new])
    sizes = {r["metadata"]["name"]: size for r, size in plan}
    assert operation == "up" and sum(sizes.values()) == 25
    assert sizes == {"old": 15, "new": 10}


def test_conditions_keep_transition_time_when_only_the_reason_changes() -> None:
    status: Obj = {}
    du.set_condition(status, du.new_condition("Progressing", "True", du.NEW_RS_CREATED, "a", "T1"))
    du.set_condition(status, du.new_condition("Available", "True", du.MIN_AVAILABLE, "b", "T1"))
    du.set_condition(status, du.new_condition("Progressing", "True", du.NEW_RS_AVAILABLE, "c", "T2"))
    progressing = status["conditions"][-1]
    assert [c["type"] for c in status["conditions"]] == ["Available", "Progressing"]
    assert progressing["lastTransitionTime"] == "T1" and progressing["lastUpdateTime"] == "T2"
    du.set_condition(status, du.new_condition("Progressing", "True", du.NEW_RS_AVAILABLE, "again", "T3"))
    assert status["conditions"][-1]["message"] == "c"  # same status and reason: no change


def test_status_counts_and_availability() -> None:
    d = dep(4)
    old, new = rs("old", 2, 2), rs("new", 3, 1)
    status = du.calculate_status(d, [old, new], new, "T")
    assert status["replicas"] == 5 and status["updatedReplicas"] == 3
    assert status["availableReplicas"] == 3 and status["unavailableReplicas"] == 2
    assert status["conditions"][0]["reason"] == du.MIN_AVAILABLE  # 3 >= 4 - 1
    assert not du.deployment_complete(d, status)
    status = du.calculate_status(dep(4), [rs("new", 4, 0)], None, "T")
    assert status["conditions"][0]["reason"] == du.MIN_UNAVAILABLE


def test_progress_deadline() -> None:
    d = dep(1)
    d["spec"]["progressDeadlineSeconds"] = 10
    status = {
        "conditions": [du.new_condition("Progressing", "True", du.RS_UPDATED, "m", "2026-01-01T00:00:00Z")]
    }
    start = 1767225600.0  # 2026-01-01T00:00:00Z
    assert not du.deployment_timed_out(d, status, start + 9)
    assert du.deployment_timed_out(d, status, start + 11)
    status["conditions"][0]["reason"] = du.NEW_RS_AVAILABLE
    assert not du.deployment_timed_out(d, status, start + 100)
