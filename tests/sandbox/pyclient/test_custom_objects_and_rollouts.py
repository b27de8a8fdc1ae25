"""More flows through the real ``kubernetes`` Python client: a CRD created through the client and its custom
objects through ``CustomObjectsApi`` (CRUD, status subresource, discovery), JSON patches, and StatefulSet
and DaemonSet rollouts observed with the client's watch."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import pytest
from kubernetes import client, dynamic, watch
from kubernetes.client.rest import ApiException

from gennaker.sandbox import SandboxCluster

pytestmark = pytest.mark.timeout(90)


def widget_crd(group: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {"size": {"type": "integer"}, "color": {"type": "string"}},
                                },
                                "status": {
                                    "type": "object",
                                    "properties": {"phase": {"type": "string"}},
                                },
                            },
                        }
                    },
                }
            ],
        },
    }


def cluster_scoped(list_fn: Callable[..., Any]) -> Callable[..., Any]:
    """A cluster-scoped list function in ``watch_until``'s namespaced shape. ``functools.wraps`` keeps its
    docstring: the client's watch reads the return type from it, and without one it yields plain dicts."""

    @functools.wraps(list_fn)
    def call(_namespace: str, **kwargs: Any) -> Any:
        return list_fn(**kwargs)

    return call


def watch_until(
    list_fn: Callable[..., Any], namespace: str, name: str, done: Callable[[Any], bool], timeout: int = 40
) -> list[Any]:
    """The objects the client's watch delivered for ``name`` until ``done`` held for one (from a list, so
    nothing is missed), failing if the watch ends first."""
    listed = list_fn(namespace, field_selector=f"metadata.name={name}")
    seen = list(listed.items)
    if seen and done(seen[-1]):
        return seen
    w = watch.Watch()
    for event in w.stream(
        list_fn,
        namespace,
        field_selector=f"metadata.name={name}",
        resource_version=listed.metadata.resource_version,
        timeout_seconds=timeout,
    ):
        assert event["type"] in ("ADDED", "MODIFIED"), event["type"]
        seen.append(event["object"])
        if done(event["object"]):
            w.stop()
            return seen
    raise AssertionError(f"{name}: the watch ended before the condition held; last: {seen[-1:]}")


def test_custom_objects_of_a_crd_created_through_the_client(api_client: Any, namespace: str) -> None:
    group = f"{namespace}.example.com"
    ext = client.ApiextensionsV1Api(api_client)
    created = ext.create_custom_resource_definition(widget_crd(group))
    assert created.metadata.uid
    established = watch_until(
        cluster_scoped(ext.list_custom_resource_definition),
        "",
        f"widgets.{group}",
        lambda crd: any(
            c.type == "Established" and c.status == "True" for c in (crd.status.conditions or [])
        ),
    )[-1]
    assert established.status.accepted_names.kind == "Widget"

    # Discovery: the group and the resource, as the client's typed and dynamic discovery see them.
    groups = {g.name: g for g in client.ApisApi(api_client).get_api_versions().groups}
    assert [v.version for v in groups[group].versions] == ["v1"]
    assert groups[group].preferred_version.group_version == f"{group}/v1"
    resources = {
        r.name: r for r in client.CustomObjectsApi(api_client).get_api_resources(group, "v1").resources
    }
    assert set(resources) == {"widgets", "widgets/status"}
    assert resources["widgets"].kind == "Widget" and resources["widgets"].namespaced is True
    assert resources["widgets"].short_names == ["wd"]
    assert "patch" in resources["widgets"].verbs and "watch" in resources["widgets"].verbs
    by_dynamic = dynamic.DynamicClient(api_client).resources.get(api_version=f"{group}/v1", kind="Widget")
    assert by_dynamic.name == "widgets"

    custom = client.CustomObjectsApi(api_client)
    args = (group, "v1", namespace, "widgets")
    for name, size, color in (("small", 1, "red"), ("large", 9, "blue")):
        body = {
            "apiVersion": f"{group}/v1",
            "kind": "Widget",
            "metadata": {"name": name, "labels": {"size": "big" if size > 5 else "little"}},
            "spec": {"size": size, "color": color},
        }
        obj = custom.create_namespaced_custom_object(*args, body)
        assert obj["metadata"]["uid"] and obj["metadata"]["generation"] == 1
        assert obj["metadata"]["namespace"] == namespace
    got = custom.get_namespaced_custom_object(*args, "small")
    assert got["spec"] == {"size": 1, "color": "red"} and got["kind"] == "Widget"
    listed = custom.list_namespaced_custom_object(*args)
    assert listed["kind"] == "WidgetList" and listed["apiVersion"] == f"{group}/v1"
    assert sorted(i["metadata"]["name"] for i in listed["items"]) == ["large", "small"]
    selected = custom.list_namespaced_custom_object(*args, label_selector="size=big")
    assert [i["metadata"]["name"] for i in selected["items"]] == ["large"]
    everywhere = custom.list_cluster_custom_object(group, "v1", "widgets")
    assert {i["metadata"]["name"] for i in everywhere["items"]} >= {"large", "small"}

    # The client sends a merge patch for custom objects; a JSON patch needs its content type.
    merged = custom.patch_namespaced_custom_object(*args, "small", {"spec": {"color": None, "size": 2}})
    assert merged["spec"] == {"size": 2} and merged["metadata"]["generation"] == 2
    json_patched = custom.patch_namespaced_custom_object(
        *args,
        "small",
        [{"op": "add", "path": "/spec/color", "value": "green"}],
        _content_type="application/json-patch+json",
    )
    assert (
        json_patched["spec"] == {"size": 2, "color": "green"} and json_patched["metadata"]["generation"] == 3
    )
    # The status subresource: written only there, without a generation bump; status in the main
    # resource is ignored.
    status = custom.patch_namespaced_custom_object_status(*args, "small", {"status": {"phase": "Ready"}})
    assert status["status"] == {"phase": "Ready"} and status["metadata"]["generation"] == 3
    ignored = custom.patch_namespaced_custom_object(*args, "small", {"status": {"phase": "Broken"}})
    assert ignored["status"] == {"phase": "Ready"}

    custom.delete_namespaced_custom_object(*args, "small")
    with pytest.raises(ApiException) as gone:
        custom.get_namespaced_custom_object(*args, "small")
    assert gone.value.status == 404
    assert f'widgets.{group} \\"small\\" not found' in gone.value.body

    # Deleting the CRD removes its objects and its discovery entry.
    ext.delete_custom_resource_definition(f"widgets.{group}")
    with pytest.raises(ApiException) as removed:
        for _ in range(100):
            custom.list_namespaced_custom_object(*args)
            time.sleep(0.05)
    assert removed.value.status == 404
    assert group not in {g.name for g in client.ApisApi(api_client).get_api_versions().groups}


def test_json_patches_through_the_client(api_client: Any, namespace: str) -> None:
    core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "c", "labels": {"tier": "web"}}, "data": {"a": "1", "b": "2"}}
    )
    # A list body makes the client send application/json-patch+json.
    patched = core.patch_namespaced_config_map(
        "c",
        namespace,
        [
            {"op": "test", "path": "/data/a", "value": "1"},
            {"op": "replace", "path": "/data/a", "value": "10"},
            {"op": "remove", "path": "/data/b"},
            {"op": "add", "path": "/metadata/labels/app.kubernetes.io~1name", "value": "shop"},
            {"op": "copy", "from": "/data/a", "path": "/data/c"},
            {"op": "move", "from": "/data/c", "path": "/data/d"},
        ],
    )
    assert patched.data == {"a": "10", "d": "10"}
    assert patched.metadata.labels == {"tier": "web", "app.kubernetes.io/name": "shop"}
    # A failed test operation is a 422 and changes nothing.
    with pytest.raises(ApiException) as failed:
        core.patch_namespaced_config_map("c", namespace, [{"op": "test", "path": "/data/a", "value": "1"}])
    assert failed.value.status == 422
    assert core.read_namespaced_config_map("c", namespace).data == {"a": "10", "d": "10"}

    d = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]},
            },
        },
    }
    apps.create_namespaced_deployment(namespace, d)
    # Appending to a list with "-", and an index path into containers.
    deployed = apps.patch_namespaced_deployment(
        "web",
        namespace,
        [
            {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:1.26"},
            {
                "op": "add",
                "path": "/spec/template/spec/containers/-",
                "value": {"name": "s", "image": "envoy:1"},
            },
        ],
    )
    assert [(c.name, c.image) for c in deployed.spec.template.spec.containers] == [
        ("c", "nginx:1.26"),
        ("s", "envoy:1"),
    ]
    assert deployed.metadata.generation == 2


def test_statefulset_rollout_observed_through_the_clients_watch(api_client: Any, namespace: str) -> None:
    core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    body = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {
            "replicas": 3,
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [{"name": "db", "image": "postgres:16"}]},
            },
        },
    }
    pods_rv = core.list_namespaced_pod(namespace).metadata.resource_version
    apps.create_namespaced_stateful_set(namespace, body)

    def rolled_out(s: Any) -> bool:
        st = s.status
        return bool(
            st
            and (st.observed_generation or 0) >= s.metadata.generation
            and st.ready_replicas == 3
            and st.updated_replicas == 3
            and st.current_revision == st.update_revision
        )

    first = watch_until(apps.list_namespaced_stateful_set, namespace, "db", rolled_out)
    assert len(first) > 1  # the watch saw the progress, not only the end state
    revision = first[-1].status.update_revision
    assert revision.startswith("db-")
    # Pods were created in order (OrderedReady): db-0, db-1, db-2.
    added = [
        e["object"].metadata.name
        for e in watch.Watch().stream(
            core.list_namespaced_pod, namespace, resource_version=pods_rv, timeout_seconds=1
        )
        if e["type"] == "ADDED"
    ]
    assert added == ["db-0", "db-1", "db-2"]

    apps.patch_namespaced_stateful_set(
        "db",
        namespace,
        {"spec": {"template": {"spec": {"containers": [{"name": "db", "image": "postgres:17"}]}}}},
    )
    second = watch_until(apps.list_namespaced_stateful_set, namespace, "db", rolled_out)
    final = second[-1]
    assert final.metadata.generation == 2 and final.status.update_revision != revision
    assert any(s.status.update_revision != s.status.current_revision for s in second)  # mid-rollout seen
    images = {p.metadata.name: p.spec.containers[0].image for p in core.list_namespaced_pod(namespace).items}
    assert images == {"db-0": "postgres:17", "db-1": "postgres:17", "db-2": "postgres:17"}
    revisions = apps.list_namespaced_controller_revision(namespace).items
    assert {r.metadata.name for r in revisions} == {revision, final.status.update_revision}


def test_daemonset_rollout_observed_through_the_clients_watch(
    api_client: Any, namespace: str, cluster: SandboxCluster
) -> None:
    core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    nodes = [n.metadata.name for n in core.list_node().items]
    assert len(nodes) >= 2
    body = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"name": "agent", "image": "fluent-bit:2"}]},
            },
        },
    }
    apps.create_namespaced_daemon_set(namespace, body)

    def rolled_out(d: Any) -> bool:
        st = d.status
        return bool(
            st
            and (st.observed_generation or 0) >= d.metadata.generation
            and st.desired_number_scheduled == len(nodes)
            and st.updated_number_scheduled == len(nodes)
            and st.number_ready == len(nodes)
            and st.number_available == len(nodes)
        )

    first = watch_until(apps.list_namespaced_daemon_set, namespace, "agent", rolled_out)
    assert first[-1].status.current_number_scheduled == len(nodes)
    pods = core.list_namespaced_pod(namespace, label_selector="app=agent").items
    assert sorted(p.spec.node_name for p in pods) == sorted(nodes)  # one pod per node

    apps.patch_namespaced_daemon_set(
        "agent",
        namespace,
        {"spec": {"template": {"spec": {"containers": [{"name": "agent", "image": "fluent-bit:3"}]}}}},
    )
    second = watch_until(apps.list_namespaced_daemon_set, namespace, "agent", rolled_out)
    assert second[-1].metadata.generation == 2
    assert any((s.status.updated_number_scheduled or 0) < len(nodes) for s in second)  # mid-rollout seen
    pods = core.list_namespaced_pod(namespace, label_selector="app=agent").items
    running = [p for p in pods if p.metadata.deletion_timestamp is None]
    assert sorted(p.spec.node_name for p in running) == sorted(nodes)
    assert {p.spec.containers[0].image for p in running} == {"fluent-bit:3"}
