"""FieldsV1 encoding and the server-side apply algorithm, at the core level."""

from __future__ import annotations

import pytest

from gennaker.sandbox.apply import path_string, server_side_apply
from gennaker.sandbox.errors import ApiError
from gennaker.sandbox.managedfields import decode, encode, fields_of, record_update
from gennaker.sandbox.schema import ObjectSchema, builtin_schema

pytestmark = pytest.mark.timeout(30)
DEPLOY = ObjectSchema(builtin_schema("apps", "v1", "Deployment"))  # type: ignore[arg-type]
NOW = "2026-11-21T00:00:00Z"


def config(replicas: int = 2, image: str = "nginx", extra_label: bool = False) -> dict:  # type: ignore[type-arg]
    labels = {"app": "web", **({"extra": "x"} if extra_label else {})}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80}]}]},
            },
        },
    }


def apply(live: dict | None, cfg: dict, manager: str, force: bool = False) -> dict:  # type: ignore[type-arg]
    return server_side_apply(
        live,
        cfg,
        DEPLOY,
        manager=manager,
        api_version="apps/v1",
        force=force,
        now=NOW,
        scope="main",
        subresource="",
        resource="deployments",
        group="apps",
        kind="Deployment",
    )


def test_fields_v1_encoding_matches_the_api_servers() -> None:
    fields = fields_of(config(), DEPLOY, "main")
    encoded = encode(fields)
    assert encoded == {
        "f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"web"}': {
                            ".": {},
                            "f:image": {},
                            "f:name": {},
                            "f:ports": {
                                'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}
                            },
                        }
                    }
                },
            },
        },
    }
    assert decode(encoded) == fields


def test_path_strings() -> None:
    path = ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"web"}', "f:image")
    assert path_string(path) == '.spec.template.spec.containers[name="web"].image'
    assert path_string(("f:metadata", "f:finalizers", 'v:"a"')) == '.metadata.finalizers[="a"]'


def test_apply_removes_fields_the_manager_stopped_applying() -> None:
    live = apply(None, config(extra_label=True), "m")
    assert live["metadata"]["labels"] == {"app": "web", "extra": "x"}
    after = apply(live, config(extra_label=False), "m")
    assert after["metadata"]["labels"] == {"app": "web"}


def test_shared_fields_do_not_conflict_and_stay_when_one_manager_leaves() -> None:
    live = apply(None, config(), "a")
    live = apply(live, config(), "b")  # same values: shared ownership, no conflict
    assert {e["manager"] for e in live["metadata"]["managedFields"]} == {"a", "b"}
    minimal = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}
    after = apply(live, minimal, "a")  # a stops applying everything; b still owns it all
    assert (
        after["spec"]["replicas"] == 2
        and after["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"
    )


def test_conflicts_name_the_owner_and_force_takes_ownership() -> None:
    live = apply(None, config(replicas=2, image="nginx"), "a")
    with pytest.raises(ApiError) as e:
        apply(live, config(replicas=3, image="httpd"), "b")
    assert e.value.code == 409
    assert e.value.message == (
        'Apply failed with 2 conflicts: conflicts with "a":\n'
        '- .spec.replicas\n- .spec.template.spec.containers[name="web"].image'
    )
    assert {c["field"] for c in e.value.details["causes"]} == {  # type: ignore[index]
        ".spec.replicas",
        '.spec.template.spec.containers[name="web"].image',
    }
    forced = apply(live, config(replicas=3, image="httpd"), "b", force=True)
    assert forced["spec"]["replicas"] == 3
    owners = {e["manager"]: decode(e["fieldsV1"]) for e in forced["metadata"]["managedFields"]}
    assert ("f:spec", "f:replicas") in owners["b"] and ("f:spec", "f:replicas") not in owners["a"]


def test_update_managers_gain_changed_fields_and_others_lose_them() -> None:
    old = apply(None, config(replicas=2), "applier")
    new = {**old, "spec": {**old["spec"], "replicas": 5}}
    entries = record_update(old, new, DEPLOY, manager="kubectl", api_version="apps/v1", now=NOW, scope="main")
    owners = {(e["manager"], e["operation"]): decode(e["fieldsV1"]) for e in entries}
    assert owners[("kubectl", "Update")] == {("f:spec", "f:replicas")}
    assert ("f:spec", "f:replicas") not in owners[("applier", "Apply")]


def test_apply_removes_list_items_it_stopped_applying() -> None:
    two_ports = config()
    two_ports["spec"]["template"]["spec"]["containers"][0]["ports"].append(
        {"containerPort": 9090, "name": "m"}
    )
    live = apply(None, two_ports, "m")
    after = apply(live, config(), "m")
    assert after["spec"]["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 80}]


def test_apply_prunes_maps_its_removals_emptied() -> None:
    rolling = config()
    rolling["spec"]["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    live = apply(None, rolling, "m")
    recreate = config()
    recreate["spec"]["strategy"] = {"type": "Recreate"}
    after = apply(live, recreate, "m")
    assert after["spec"]["strategy"] == {"type": "Recreate"}
