"""The API core's write rules, called in-process: generation, no-op updates, status writes, dry runs,
generateName, preconditions and graceful pod deletion."""

from __future__ import annotations

import pytest

from gennaker.sandbox.apiserver import MERGE_PATCH, ApiServer, WriteOptions
from gennaker.sandbox.errors import ApiError
from gennaker.sandbox.objectmeta import GENERATE_ALPHABET

pytestmark = pytest.mark.timeout(30)
OPTS = WriteOptions(manager="test")


@pytest.fixture
def api() -> ApiServer:
    a = ApiServer()
    ns = a.registry.by_key(("", "namespaces"))
    assert ns is not None
    a.create(ns, "", {"metadata": {"name": "default"}}, OPTS)
    return a


def rt(api: ApiServer, group: str, kind: str):  # type: ignore[no-untyped-def]
    r = api.registry.by_kind(group, kind)
    assert r is not None
    return r


def deploy(name: str = "web") -> dict:  # type: ignore[type-arg]
    return {
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def test_generation_moves_on_spec_changes_only(api: ApiServer) -> None:
    d = rt(api, "apps", "Deployment")
    created = api.create(d, "default", deploy(), OPTS).obj
    assert created["metadata"]["generation"] == 1
    labelled = api.patch(
        d, "default", "web", MERGE_PATCH, b'{"metadata":{"labels":{"x":"y"}}}', opts=OPTS
    ).obj
    assert labelled["metadata"]["generation"] == 1
    with_status = api.patch(
        d, "default", "web", MERGE_PATCH, b'{"status":{"replicas":3}}', opts=OPTS, subresource="status"
    ).obj
    assert with_status["metadata"]["generation"] == 1 and with_status["status"] == {"replicas": 3}
    status_entry = [e for e in with_status["metadata"]["managedFields"] if e.get("subresource") == "status"]
    assert status_entry and status_entry[0]["fieldsV1"] == {"f:status": {"f:replicas": {}}}
    scaled = api.patch(d, "default", "web", MERGE_PATCH, b'{"spec":{"replicas":4}}', opts=OPTS).obj
    assert scaled["metadata"]["generation"] == 2 and scaled["status"] == {"replicas": 3}


def test_no_op_updates_keep_the_resource_version(api: ApiServer) -> None:
    cm = rt(api, "", "ConfigMap")
    created = api.create(cm, "default", {"metadata": {"name": "c"}, "data": {"a": "b"}}, OPTS).obj
    rv = api.store.resource_version
    same = api.update(cm, "default", "c", created, OPTS).obj
    assert same["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    assert api.store.resource_version == rv


def test_dry_run_persists_nothing(api: ApiServer) -> None:
    cm = rt(api, "", "ConfigMap")
    rv = api.store.resource_version
    result = api.create(cm, "default", {"metadata": {"name": "dry"}}, WriteOptions(manager="t", dry_run=True))
    assert result.code == 201 and "resourceVersion" not in result.obj["metadata"]
    assert api.store.resource_version == rv
    with pytest.raises(ApiError) as e:
        api.get(cm, "default", "dry")
    assert e.value.code == 404


def test_generate_name(api: ApiServer) -> None:
    cm = rt(api, "", "ConfigMap")
    obj = api.create(cm, "default", {"metadata": {"generateName": "job-"}}, OPTS).obj
    name = obj["metadata"]["name"]
    assert name.startswith("job-") and len(name) == 9 and set(name[4:]) <= set(GENERATE_ALPHABET)


def test_delete_preconditions(api: ApiServer) -> None:
    cm = rt(api, "", "ConfigMap")
    api.create(cm, "default", {"metadata": {"name": "p"}}, OPTS)
    with pytest.raises(ApiError) as e:
        api.delete(cm, "default", "p", {"preconditions": {"uid": "other"}}, OPTS)
    assert e.value.code == 409 and "Precondition failed: UID in precondition: other" in e.value.message


def test_graceful_pod_deletion_waits_for_a_zero_grace_delete(api: ApiServer) -> None:
    api.graceful_pod_deletion = True
    pod = rt(api, "", "Pod")
    api.create(
        pod,
        "default",
        {
            "metadata": {"name": "p"},
            "spec": {"nodeName": "sandbox-node-1", "containers": [{"name": "c", "image": "nginx"}]},
        },
        OPTS,
    )
    marked = api.delete(pod, "default", "p", {}, OPTS).obj
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 30 and marked["metadata"]["deletionTimestamp"]
    assert api.get(pod, "default", "p")
    api.delete(pod, "default", "p", {"gracePeriodSeconds": 0}, OPTS)
    with pytest.raises(ApiError):
        api.get(pod, "default", "p")
    # unscheduled pods go at once
    api.create(
        pod,
        "default",
        {"metadata": {"name": "q"}, "spec": {"containers": [{"name": "c", "image": "x"}]}},
        OPTS,
    )
    api.delete(pod, "default", "q", {}, OPTS)
    with pytest.raises(ApiError):
        api.get(pod, "default", "q")
