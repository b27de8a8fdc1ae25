"""The classic view and classic actions end to end: a real ``gennaker server`` with its embedded sandbox,
the real kubectl, Gate's paths.

Given a classic ``deploy`` stage (clusters[] with a load balancer, red/black), when it runs twice with a
new image, then v000 and v001 exist, v000 is disabled, and the clusters / serverGroups / loadBalancers
endpoints show it with instance health; resize, disable, enable, rollback and destroy through
``POST /tasks`` change the cluster as the view then shows.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.realserver import (
    ROOT,
    RealServer,
    gennaker_command,
    run_pipeline,
    server_env,
    wait_execution,
    wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.kubectl, pytest.mark.slow]

APP = "shop"
NS = "default"
SG = "/applications/shop/serverGroups/sandbox/default"


@pytest.fixture
def api(providers_server: RealServer) -> Iterator[httpx.Client]:
    with providers_server.client("classic-tester") as client:
        yield client


def deploy_stage(image: str, *, strategy: str = "redblack", replicas: int = 2) -> dict[str, Any]:
    return {
        "refId": "1",
        "type": "deploy",
        "clusters": [
            {
                "account": "sandbox",
                "application": APP,
                "stack": "prod",
                "freeFormDetails": "web",
                "namespace": NS,
                "capacity": {"min": replicas, "max": replicas, "desired": replicas},
                "containers": [
                    {
                        "image": image,
                        "ports": [{"containerPort": 8080, "name": "http"}],
                        "env": {"MODE": "prod"},
                        "resources": {"requests": {"cpu": "100m"}},
                        "readinessProbe": {"httpGet": {"path": "/health", "port": 8080}},
                    }
                ],
                "loadBalancers": ["shop-prod"],
                "strategy": strategy,
            }
        ],
    }


def run_deploy(api: httpx.Client, image: str, name: str) -> dict[str, Any]:
    ex = wait_execution(api, run_pipeline(api, [deploy_stage(image)], app=APP, name=name), timeout_s=90)
    assert ex["status"] == "SUCCEEDED", [s.get("context", {}).get("exception") for s in ex["stages"]]
    return ex


def run_task(api: httpx.Client, job: dict[str, Any]) -> dict[str, Any]:
    posted = api.post("/tasks", json={"application": APP, "description": job["type"], "job": [job]})
    assert posted.status_code == 200, posted.text
    ref = posted.json()["ref"]
    assert ref.startswith("/tasks/")
    deadline_task: dict[str, Any] = wait_until(
        lambda: (t := api.get(ref).json())["status"] in ("SUCCEEDED", "TERMINAL", "CANCELED") and t,
        timeout_s=60,
        what=f"task {job['type']}",
    )
    assert deadline_task["status"] == "SUCCEEDED", [
        s.get("context", {}).get("exception") for s in deadline_task["stages"]
    ]
    return deadline_task


def server_group(api: httpx.Client, name: str) -> dict[str, Any]:
    got = api.get(f"{SG}/{name}")
    assert got.status_code == 200, got.text
    return dict(got.json())


def settled(api: httpx.Client, name: str, **counts: int) -> dict[str, Any]:
    """The server group once its instance counts are ``counts``."""
    return dict(
        wait_until(
            lambda: (
                (sg := server_group(api, name))
                and all(sg["instanceCounts"][k] == v for k, v in counts.items())
                and sg
            ),
            timeout_s=30,
            what=f"{name} with {counts}",
        )
    )


JOB = {"cloudProvider": "kubernetes", "credentials": "sandbox", "region": NS}


def test_classic_deploy_view_and_actions(api: httpx.Client) -> None:
    # Given a classic deploy stage, when it runs: v000 and its Service exist and serve
    ex = run_deploy(api, "ghcr.io/acme/web:1", "classic")
    deploy = next(s for s in ex["stages"] if s["type"] == "deploy")
    assert deploy["outputs"]["deploy.server.groups"] == {NS: ["shop-prod-web-v000"]}
    assert [s["type"] for s in ex["stages"] if s.get("parentStageId") == deploy["id"]] == ["deployManifest"]
    v000 = settled(api, "shop-prod-web-v000", up=2, total=2)
    assert v000["name"] == "replicaSet shop-prod-web-v000" and v000["region"] == NS
    assert v000["cluster"] == "replicaSet shop-prod-web"
    assert v000["moniker"] == {
        "app": "shop",
        "cluster": "replicaSet shop-prod-web",
        "stack": "prod",
        "detail": "web",
        "sequence": 0,
    }
    assert v000["capacity"] == {"min": 2, "max": 2, "desired": 2}
    assert v000["disabled"] is False and v000["loadBalancers"] == ["service shop-prod"]
    assert v000["buildInfo"]["images"] == ["ghcr.io/acme/web:1"]
    assert {i["healthState"] for i in v000["instances"]} == {"Up"}
    assert api.get("/applications/shop/clusters").json() == {"sandbox": ["replicaSet shop-prod-web"]}

    # When redeployed with a new image (red/black): v001 serves, v000 is disabled and out of service
    run_deploy(api, "ghcr.io/acme/web:2", "classic")
    v001 = settled(api, "shop-prod-web-v001", up=2)
    v000 = settled(api, "shop-prod-web-v000", outOfService=2)
    assert v000["disabled"] is True and v001["disabled"] is False
    assert v001["buildInfo"]["images"] == ["ghcr.io/acme/web:2"]
    cluster = api.get(f"/applications/shop/clusters/sandbox/{quote('replicaSet shop-prod-web')}").json()
    assert [sorted(g["displayName"] for g in c["serverGroups"]) for c in cluster] == [
        ["shop-prod-web-v000", "shop-prod-web-v001"]
    ]
    lbs = api.get("/applications/shop/loadBalancers").json()
    assert [lb["name"] for lb in lbs] == ["service shop-prod"]
    assert {g["displayName"]: g["isDisabled"] for g in lbs[0]["serverGroups"]} == {
        "shop-prod-web-v000": True,
        "shop-prod-web-v001": False,
    }
    assert lbs[0]["selector"] == {"load-balancer-shop-prod": "true"}

    # resize v001 to 3 through Gate's task
    done = run_task(
        api,
        {
            "type": "resizeServerGroup",
            **JOB,
            "serverGroupName": "shop-prod-web-v001",
            "capacity": {"min": 3, "max": 3, "desired": 3},
        },
    )
    assert [s["type"] for s in done["stages"]] == ["scaleManifest"]
    assert settled(api, "shop-prod-web-v001", up=3)["capacity"]["desired"] == 3

    # roll back: v000 serves again, v001 is disabled
    run_task(
        api,
        {
            "type": "rollbackServerGroup",
            **JOB,
            "rollbackType": "EXPLICIT",
            "rollbackContext": {
                "rollbackServerGroupName": "shop-prod-web-v001",
                "restoreServerGroupName": "shop-prod-web-v000",
            },
        },
    )
    assert settled(api, "shop-prod-web-v000", up=2)["disabled"] is False
    assert settled(api, "shop-prod-web-v001", outOfService=3)["disabled"] is True

    # disable then enable v000
    run_task(api, {"type": "disableServerGroup", **JOB, "serverGroupName": "replicaSet shop-prod-web-v000"})
    assert settled(api, "shop-prod-web-v000", outOfService=2)["disabled"] is True
    run_task(api, {"type": "enableServerGroup", **JOB, "serverGroupName": "shop-prod-web-v000"})
    assert settled(api, "shop-prod-web-v000", up=2)["disabled"] is False

    # the manifest as Clouddriver shows it
    manifest = api.get(f"/manifests/sandbox/{NS}/{quote('replicaSet shop-prod-web-v000')}").json()
    assert manifest["status"]["stable"]["state"] is True
    assert manifest["moniker"]["cluster"] == "replicaSet shop-prod-web"
    assert manifest["manifest"]["spec"]["replicas"] == 2

    # destroy v001: gone from the view
    run_task(api, {"type": "destroyServerGroup", **JOB, "serverGroupName": "shop-prod-web-v001"})
    wait_until(lambda: api.get(f"{SG}/shop-prod-web-v001").status_code == 404, what="v001 gone")
    names = [g["displayName"] for g in api.get("/applications/shop/serverGroups").json()]
    assert names == ["shop-prod-web-v000"]


def test_missing_things_are_named(api: httpx.Client) -> None:
    missing = api.get(f"{SG}/nothing-v000")
    assert missing.status_code == 404 and "nothing-v000" in missing.json()["message"]
    account = api.get("/applications/shop/clusters/nowhere/web")
    assert account.status_code == 404 and "nowhere" in account.json()["message"]
    manifest = api.get(f"/manifests/sandbox/{NS}/{quote('replicaSet ghost')}")
    assert manifest.status_code == 404 and "ghost" in manifest.json()["message"]
    task = api.post(
        "/tasks",
        json={
            "application": APP,
            "job": [{"type": "enableServerGroup", **JOB, "serverGroupName": "ghost-v000"}],
        },
    )
    assert task.status_code == 400 and "ghost-v000" in task.text and "job[0].serverGroupName" in task.text


def deployment_stage(image: str) -> dict[str, Any]:
    return {
        "refId": "1",
        "type": "deployManifest",
        "account": "sandbox",
        "cloudProvider": "kubernetes",
        "moniker": {"app": APP},
        "source": "text",
        "manifests": [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "api", "namespace": NS},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"app": "api"}},
                    "template": {
                        "metadata": {"labels": {"app": "api"}},
                        "spec": {"containers": [{"name": "api", "image": image}]},
                    },
                },
            }
        ],
    }


def test_deployment_is_a_server_group_manager_and_rolls_back_by_undo(api: httpx.Client) -> None:
    # Given a Deployment deployed twice (two revisions, two ReplicaSets)
    for image in ("ghcr.io/acme/api:1", "ghcr.io/acme/api:2"):
        ex = wait_execution(
            api, run_pipeline(api, [deployment_stage(image)], app=APP, name="api"), timeout_s=90
        )
        assert ex["status"] == "SUCCEEDED"
    managers = wait_until(
        lambda: [
            m for m in api.get("/applications/shop/serverGroupManagers").json() if len(m["serverGroups"]) == 2
        ],
        what="deployment api with two ReplicaSets",
    )
    assert [m["name"] for m in managers] == ["deployment api"]
    assert "deployment api" in api.get("/applications/shop/clusters").json()["sandbox"]
    groups = [
        g for g in api.get("/applications/shop/serverGroups").json() if g["cluster"] == "deployment api"
    ]
    newest = max(groups, key=lambda g: g["moniker"]["sequence"])
    assert newest["serverGroupManagers"][0]["name"] == "deployment api"
    assert newest["buildInfo"]["images"] == ["ghcr.io/acme/api:2"]
    # When its newest ReplicaSet is rolled back through Gate's task: the Deployment runs the old image again
    done = run_task(
        api,
        {
            "type": "rollbackServerGroup",
            **JOB,
            "rollbackContext": {"rollbackServerGroupName": newest["displayName"]},
        },
    )
    assert [s["type"] for s in done["stages"]] == ["undoRolloutManifest"]
    manifest = api.get(f"/manifests/sandbox/{NS}/{quote('deployment api')}").json()
    assert manifest["manifest"]["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/api:1"
    # and a rolling restart of the Deployment is the manifest stage itself
    restarted = run_task(api, {"type": "rollingRestartManifest", **JOB, "serverGroupName": "deployment api"})
    assert [s["type"] for s in restarted["stages"]] == ["rollingRestartManifest"]


def gk(server: RealServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = server_env(server.home, {"GENNAKER_API": server.url, "GENNAKER_USER": "cli-user", "COLUMNS": "200"})
    return subprocess.run(
        [gennaker_command(), *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_lists_and_acts_on_server_groups(providers_server: RealServer) -> None:
    server = providers_server
    # Given the module's classic cluster (v000 serving after the earlier tests)
    clusters = json.loads(gk(server, "cluster", "list", APP, "-o", "json").stdout)
    assert "replicaSet shop-prod-web" in clusters["sandbox"]
    listed = gk(server, "server-group", "list", APP, "--cluster", "replicaSet shop-prod-web", "-o", "json")
    assert [g["displayName"] for g in json.loads(listed.stdout)] == ["shop-prod-web-v000"]
    table = gk(server, "server-group", "list", APP)
    assert table.returncode == 0 and "shop-prod-web-v000" in table.stdout
    # When resized and disabled from the CLI
    resized = gk(
        server, "server-group", "resize", APP, "sandbox", NS, "shop-prod-web-v000", "--replicas", "1"
    )
    assert resized.returncode == 0, resized.stderr
    disabled = gk(server, "server-group", "disable", APP, "sandbox", NS, "shop-prod-web-v000")
    assert disabled.returncode == 0, disabled.stderr
    got = json.loads(
        gk(server, "server-group", "get", APP, "sandbox", NS, "shop-prod-web-v000", "-o", "json").stdout
    )
    assert got["capacity"]["desired"] == 1 and got["disabled"] is True
    lbs = json.loads(gk(server, "load-balancer", "list", APP, "-o", "json").stdout)
    assert [lb["name"] for lb in lbs] == ["service shop-prod"]
    manifest = json.loads(
        gk(server, "manifest", "get", "sandbox", NS, "replicaSet shop-prod-web-v000").stdout
    )
    assert manifest["manifest"]["spec"]["replicas"] == 1
    # and errors name what is missing
    missing = gk(server, "server-group", "enable", APP, "sandbox", NS, "ghost-v000")
    assert missing.returncode == 1 and "ghost-v000 does not exist" in missing.stderr
