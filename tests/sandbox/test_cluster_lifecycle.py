"""SandboxCluster lifecycle: persistence across restarts, several sandboxes at once, the standalone server,
and the controller extension point."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from gennaker.sandbox import Controller, ControllerContext, ObjectRef, SandboxCluster
from gennaker.sandbox.store import Event

pytestmark = pytest.mark.timeout(60)


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def post(url: str, obj: dict[str, Any]) -> Any:
    req = urllib.request.Request(
        url, json.dumps(obj).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_state_file_keeps_objects_and_the_resource_version_counter(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with SandboxCluster(port=0, state_file=state) as first:
        created = post(
            first.url + "/api/v1/namespaces/default/configmaps",
            {"metadata": {"name": "kept"}, "data": {"a": "b"}},
        )
        rv = int(created["metadata"]["resourceVersion"])
    with SandboxCluster(port=0, state_file=state) as second:
        again = get(second.url + "/api/v1/namespaces/default/configmaps/kept")
        assert again["data"] == {"a": "b"} and again["metadata"]["uid"] == created["metadata"]["uid"]
        newer = post(second.url + "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "next"}})
        assert int(newer["metadata"]["resourceVersion"]) > rv


def test_several_sandboxes_are_independent() -> None:
    with SandboxCluster(port=0) as a, SandboxCluster(port=0) as b:
        post(a.url + "/api/v1/namespaces", {"metadata": {"name": "only-in-a"}})
        names_b = {n["metadata"]["name"] for n in get(b.url + "/api/v1/namespaces")["items"]}
        assert "only-in-a" not in names_b and a.port != b.port


def test_standalone_server_writes_a_kubeconfig(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gennaker.sandbox", "serve", "--kubeconfig", str(kubeconfig)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert "listening on http://127.0.0.1:" in line
        url = line.strip().rsplit(" ", 1)[1]
        deadline = time.monotonic() + 10
        while not kubeconfig.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert url in kubeconfig.read_text()
        assert get(url + "/version")["gitVersion"] == "v1.37.1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0


class ReadyLabeler(Controller):
    """A toy controller: every ConfigMap labelled want=ready gets status-like data written by the system."""

    name = "ready-labeler"
    primary = ("", "configmaps")
    watches = (("", "configmaps"),)
    resync_seconds = 30.0

    def __init__(self) -> None:
        self.seen: list[ObjectRef] = []

    def map_event(self, event: Event) -> Any:
        yield from super().map_event(event)

    def reconcile(self, ctx: ControllerContext, ref: ObjectRef) -> None:
        self.seen.append(ref)
        cm = ctx.client.get(ref)
        if cm is None or (cm["metadata"].get("labels") or {}).get("want") != "ready":
            return
        if (cm.get("data") or {}).get("state") != "ready":
            cm.setdefault("data", {})["state"] = "ready"
            ctx.client.update(ref.key, cm)


def test_controllers_reconcile_on_writes_as_the_controller_manager() -> None:
    with SandboxCluster(port=0) as cluster:
        controller = ReadyLabeler()
        cluster.controllers.add(controller)
        post(
            cluster.url + "/api/v1/namespaces/default/configmaps",
            {"metadata": {"name": "c", "labels": {"want": "ready"}}},
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cm = get(cluster.url + "/api/v1/namespaces/default/configmaps/c")
            if (cm.get("data") or {}).get("state") == "ready":
                break
            time.sleep(0.05)
        assert cm["data"]["state"] == "ready"
        managers = {(e["manager"], e["operation"]) for e in cm["metadata"]["managedFields"]}
        assert ("kube-controller-manager", "Update") in managers
        assert ObjectRef(("", "configmaps"), "default", "c") in controller.seen


def test_serve_function_stops_on_request(tmp_path: Path) -> None:
    from gennaker.sandbox import serve

    ready, stop = threading.Event(), threading.Event()
    t = threading.Thread(target=serve, kwargs={"kubeconfig": tmp_path / "k", "ready": ready, "stop": stop})
    t.start()
    assert ready.wait(10)
    stop.set()
    t.join(10)
    assert not t.is_alive()


def test_extra_routes_and_owner_reference_helpers() -> None:
    from gennaker.sandbox.controllers import controller_of, owner_reference
    from gennaker.sandbox.web.types import Response

    with SandboxCluster(port=0) as cluster:
        cluster.add_route("/metrics", lambda req: Response.text("sandbox_up 1\n"))
        with urllib.request.urlopen(cluster.url + "/metrics", timeout=10) as r:
            assert r.read() == b"sandbox_up 1\n" and r.headers["Content-Type"] == "text/plain"
        with pytest.raises(ValueError):
            cluster.add_route("/apis/mine", lambda req: Response.text(""))
        owner = get(cluster.url + "/api/v1/namespaces/default")
        ref = owner_reference(owner)
        assert ref == {
            "apiVersion": "v1",
            "kind": "Namespace",
            "name": "default",
            "uid": owner["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
        assert controller_of({"metadata": {"ownerReferences": [ref]}}) == ref
