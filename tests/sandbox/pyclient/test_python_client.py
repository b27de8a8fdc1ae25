"""The real ``kubernetes`` Python client against the sandbox: typed CRUD, patches, watches (incl. 410),
pagination, and the DynamicClient with server-side apply."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from kubernetes import client, dynamic, watch
from kubernetes.client.rest import ApiException

pytestmark = pytest.mark.timeout(90)


def deployment(name: str, replicas: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]},
            },
        },
    }


def test_core_and_apps_crud(api_client: Any, namespace: str) -> None:
    core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    cm = core.create_namespaced_config_map(namespace, {"metadata": {"name": "c"}, "data": {"a": "1"}})
    assert cm.metadata.uid and cm.metadata.resource_version
    cm.data["b"] = "2"
    updated = core.replace_namespaced_config_map("c", namespace, cm)
    assert updated.data == {"a": "1", "b": "2"}
    assert int(updated.metadata.resource_version) > int(cm.metadata.resource_version)
    # a stale resourceVersion is a 409
    with pytest.raises(ApiException) as e:
        core.replace_namespaced_config_map("c", namespace, cm)
    assert e.value.status == 409
    d = apps.create_namespaced_deployment(namespace, deployment("web", 2))
    assert d.spec.strategy.type == "RollingUpdate" and d.metadata.generation == 1
    # the Python client's default patch is a strategic merge patch
    patched = apps.patch_namespaced_deployment(
        "web",
        namespace,
        {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.26"}]}}}},
    )
    assert patched.spec.template.spec.containers[0].image == "nginx:1.26"
    assert patched.metadata.generation == 2
    scale = apps.read_namespaced_deployment_scale("web", namespace)
    assert scale.spec.replicas == 2 and scale.status.selector == "app=web"
    apps.patch_namespaced_deployment_scale("web", namespace, {"spec": {"replicas": 4}})
    assert apps.read_namespaced_deployment("web", namespace).spec.replicas == 4
    listed = apps.list_namespaced_deployment(namespace, label_selector="app=web")
    assert [i.metadata.name for i in listed.items] == ["web"]
    apps.delete_namespaced_deployment("web", namespace)
    with pytest.raises(ApiException) as e:
        apps.read_namespaced_deployment("web", namespace)
    assert e.value.status == 404 and e.value.reason == "Not Found"


def test_namespace_mismatch_and_missing_namespace(api_client: Any, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    with pytest.raises(ApiException) as e:
        core.create_namespaced_config_map(namespace, {"metadata": {"name": "x", "namespace": "elsewhere"}})
    assert e.value.status == 400
    assert (
        "the namespace of the provided object does not match the namespace sent on the request"
        in e.value.body
    )
    with pytest.raises(ApiException) as e:
        core.create_namespaced_config_map("no-such-ns", {"metadata": {"name": "x"}})
    assert e.value.status == 404 and 'namespaces \\"no-such-ns\\" not found' in e.value.body


def test_pagination_with_limit_and_continue(api_client: Any, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    for i in range(7):
        core.create_namespaced_config_map(namespace, {"metadata": {"name": f"cm-{i}"}})
    seen, token, pages = [], None, 0
    while True:
        page = core.list_namespaced_config_map(namespace, limit=3, _continue=token)
        seen += [i.metadata.name for i in page.items]
        pages += 1
        token = page.metadata._continue
        if not token:
            break
    assert pages == 3 and seen == [f"cm-{i}" for i in range(7)]


def test_watch_streams_changes_and_selector_transitions(api_client: Any, namespace: str) -> None:
    core = client.CoreV1Api(api_client)
    rv = core.list_namespaced_config_map(namespace).metadata.resource_version
    events: list[tuple[str, str]] = []

    def consume() -> None:
        w = watch.Watch()
        for ev in w.stream(
            core.list_namespaced_config_map,
            namespace,
            label_selector="keep=yes",
            resource_version=rv,
            timeout_seconds=5,
        ):
            events.append((ev["type"], ev["object"].metadata.name))
            if len(events) == 3:
                w.stop()

    t = threading.Thread(target=consume)
    t.start()
    time.sleep(0.5)
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "a", "labels": {"keep": "yes"}}})
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "ignored"}})
    core.patch_namespaced_config_map("ignored", namespace, {"metadata": {"labels": {"keep": "yes"}}})
    core.patch_namespaced_config_map("a", namespace, {"metadata": {"labels": {"keep": "no"}}})
    t.join(timeout=20)
    assert events == [("ADDED", "a"), ("ADDED", "ignored"), ("DELETED", "a")]


def test_watch_from_a_compacted_resource_version_is_410() -> None:
    # given a sandbox whose bounded event log has moved past resourceVersion 2
    from gennaker.sandbox import SandboxCluster

    with SandboxCluster(port=0, log_size=5) as small:
        cfg = client.Configuration()
        cfg.host = small.url
        with client.ApiClient(cfg) as c:
            small_core = client.CoreV1Api(c)
            for i in range(10):
                small_core.create_namespaced_config_map("default", {"metadata": {"name": f"x{i}"}})
            with pytest.raises(ApiException) as err:
                for _ in watch.Watch().stream(
                    small_core.list_namespace, resource_version="2", timeout_seconds=2
                ):
                    pass
            assert err.value.status == 410
            assert "too old resource version: 2" in str(err.value)


def test_dynamic_client_server_side_apply(api_client: Any, namespace: str) -> None:
    dyn = dynamic.DynamicClient(api_client)
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    body = deployment("dyn", 1)
    body["metadata"]["namespace"] = namespace
    created = deployments.server_side_apply(body=body, field_manager="py", namespace=namespace)
    assert created.spec.replicas == 1
    body["spec"]["replicas"] = 3
    again = deployments.server_side_apply(body=body, field_manager="py", namespace=namespace)
    assert again.spec.replicas == 3
    fields = {m.manager: m.operation for m in again.metadata.managedFields}
    assert fields == {"py": "Apply"}
    # another manager changing the same field conflicts unless forced
    body["spec"]["replicas"] = 5
    with pytest.raises(Exception) as e:
        deployments.server_side_apply(body=body, field_manager="other", namespace=namespace)
    assert 'conflict with \\"py\\"' in str(e.value) or 'conflict with "py"' in str(e.value)
    forced = deployments.server_side_apply(
        body=body, field_manager="other", namespace=namespace, force_conflicts=True
    )
    assert forced.spec.replicas == 5
    # the DynamicClient uses legacy discovery; CRUD works through it
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    cms.create(body={"metadata": {"name": "d"}, "data": {"k": "v"}}, namespace=namespace)
    assert cms.get(name="d", namespace=namespace).data.k == "v"
    cms.patch(
        name="d", namespace=namespace, body={"data": {"k": "w"}}, content_type="application/merge-patch+json"
    )
    assert cms.get(name="d", namespace=namespace).data.k == "w"
