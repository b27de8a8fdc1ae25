"""The HTTP API as raw requests: discovery, OpenAPI, watch-list, bookmarks, timeouts, and robustness against
malformed requests (the server must answer with a Status and keep serving)."""

from __future__ import annotations

import http.client
import json
import socket
import time
from typing import Any

import pytest

from gennaker.sandbox import SandboxCluster

pytestmark = pytest.mark.timeout(60)


def request(
    cluster: SandboxCluster,
    method: str,
    path: str,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def watch_lines(cluster: SandboxCluster, path: str, count: int, timeout: float = 15) -> list[dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=timeout)
    conn.request("GET", path)
    resp = conn.getresponse()
    assert resp.status == 200, resp.read()
    out = []
    try:
        while len(out) < count:
            line = resp.readline()
            if not line:
                break
            out.append(json.loads(line))
    finally:
        conn.close()
    return out


def test_aggregated_and_legacy_discovery(cluster: SandboxCluster) -> None:
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    status, headers, body = request(cluster, "GET", "/apis?timeout=32s", headers={"Accept": accept})
    assert status == 200
    assert headers["content-type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    doc = json.loads(body)
    apps = next(g for g in doc["items"] if g["metadata"]["name"] == "apps")
    deploy = next(r for r in apps["versions"][0]["resources"] if r["resource"] == "deployments")
    assert deploy["responseKind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert {s["subresource"] for s in deploy["subresources"]} == {"scale", "status"}
    scale = next(s for s in deploy["subresources"] if s["subresource"] == "scale")
    assert scale["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    legacy = json.loads(request(cluster, "GET", "/apis/apps/v1")[2])
    assert legacy["kind"] == "APIResourceList"
    assert {
        "name": "deployments/scale",
        "group": "autoscaling",
        "version": "v1",
        "kind": "Scale",
    }.items() <= next(r for r in legacy["resources"] if r["name"] == "deployments/scale").items()
    assert json.loads(request(cluster, "GET", "/api")[2])["versions"] == ["v1"]
    version = json.loads(request(cluster, "GET", "/version")[2])
    assert (version["major"], version["minor"]) == ("1", "37")


def test_openapi_v3_index_and_documents(cluster: SandboxCluster) -> None:
    index = json.loads(request(cluster, "GET", "/openapi/v3")[2])
    url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
    doc = json.loads(request(cluster, "GET", url)[2])
    op = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert op["x-kubernetes-group-version-kind"]["kind"] == "Deployment"
    assert "application/strategic-merge-patch+json" not in op["requestBody"]["content"]
    assert request(cluster, "GET", "/openapi/v2")[0] == 404


def test_watch_list_sends_initial_events_then_the_end_bookmark(cluster: SandboxCluster) -> None:
    request(
        cluster,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        json.dumps({"metadata": {"name": "wl"}}),
        {"Content-Type": "application/json"},
    )
    events = watch_lines(
        cluster,
        "/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true"
        "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
        "&fieldSelector=metadata.name%3Dwl&timeoutSeconds=5",
        2,
    )
    assert events[0]["type"] == "ADDED" and events[0]["object"]["metadata"]["name"] == "wl"
    assert events[1]["type"] == "BOOKMARK"
    assert events[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(events[1]["object"]["metadata"]["resourceVersion"]) >= int(
        events[0]["object"]["metadata"]["resourceVersion"]
    )


def test_watch_list_without_not_older_than_is_422(cluster: SandboxCluster) -> None:
    status, _, body = request(
        cluster, "GET", "/api/v1/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
    )
    assert status == 422
    assert json.loads(body)["reason"] == "Invalid"


def test_watch_resumes_from_a_resource_version_and_ends_at_timeout(cluster: SandboxCluster) -> None:
    _, _, body = request(cluster, "GET", "/api/v1/namespaces/default/configmaps")
    rv = json.loads(body)["metadata"]["resourceVersion"]
    for name in ("r1", "r2"):
        request(
            cluster,
            "POST",
            "/api/v1/namespaces/default/configmaps",
            json.dumps({"metadata": {"name": name}}),
            {"Content-Type": "application/json"},
        )
    started = time.monotonic()
    events = watch_lines(
        cluster, f"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=1", 10
    )
    assert [e["object"]["metadata"]["name"] for e in events] == ["r1", "r2"]
    assert time.monotonic() - started < 10, "timeoutSeconds must end the stream"


def test_bookmarks_arrive_on_idle_watches(cluster: SandboxCluster) -> None:
    events = watch_lines(
        cluster,
        "/api/v1/namespaces/kube-public/configmaps?watch=1&allowWatchBookmarks=true&timeoutSeconds=4",
        1,
    )
    assert events and events[0]["type"] == "BOOKMARK" and events[0]["object"]["kind"] == "ConfigMap"


@pytest.mark.parametrize(
    ("method", "path", "body", "ctype", "code"),
    [
        ("POST", "/api/v1/namespaces/default/configmaps", b"{not json", "application/json", 400),
        ("POST", "/api/v1/namespaces/default/configmaps", b"a: [unclosed", "application/yaml", 400),
        ("POST", "/api/v1/namespaces/default/configmaps", b"<xml/>", "application/xml", 415),
        (
            "POST",
            "/api/v1/namespaces/default/configmaps",
            b"k8s\x00\xff\xff\xff",
            "application/vnd.kubernetes.protobuf",
            400,
        ),
        ("POST", "/api/v1/namespaces/default/configmaps", b"[1,2]", "application/json", 400),
        ("POST", "/api/v1/namespaces/default/configmaps", b'{"metadata": 5}', "application/json", 400),
        (
            "POST",
            "/api/v1/namespaces/default/configmaps",
            b'{"metadata": {"name": "x"}, "data": {"a": 1}}',
            "application/json",
            400,
        ),
        ("PATCH", "/api/v1/namespaces/default/configmaps/kube-root", b"{}", "text/plain", 415),
        (
            "PATCH",
            "/api/v1/namespaces/default/services/kubernetes",
            b"[{]",
            "application/json-patch+json",
            400,
        ),
        ("GET", "/apis/nope/v1/things", None, "", 404),
        ("GET", "/api/v1/namespaces/default/configmaps?labelSelector=%3D%3D%3D", None, "", 400),
        ("GET", "/api/v1/namespaces/default/configmaps?limit=abc", None, "", 400),
        ("GET", "/api/v1/namespaces/default/configmaps?continue=garbage", None, "", 400),
        ("GET", "/totally/unknown", None, "", 404),
        ("PUT", "/api/v1/namespaces/default/configmaps", b"{}", "application/json", 405),
    ],
)
def test_malformed_requests_get_a_status_and_the_server_survives(
    cluster: SandboxCluster, method: str, path: str, body: bytes | None, ctype: str, code: int
) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    status, _, raw = request(cluster, method, path, body, headers)
    assert status == code, raw
    parsed = json.loads(raw)
    assert parsed["kind"] == "Status" and parsed["code"] == code
    assert request(cluster, "GET", "/version")[0] == 200


def test_garbage_on_the_socket_does_not_kill_the_server(cluster: SandboxCluster) -> None:
    with socket.create_connection(("127.0.0.1", cluster.port), timeout=5) as s:
        s.sendall(b"\x16\x03\x01 this is not http\r\n\r\n")
        s.recv(1024)
    assert request(cluster, "GET", "/version")[0] == 200


def test_expired_continue_token_is_410() -> None:
    with SandboxCluster(port=0, log_size=3) as small:
        status, _, body = request(small, "GET", "/api/v1/namespaces?limit=1")
        token = json.loads(body)["metadata"]["continue"]
        for i in range(6):
            request(
                small,
                "POST",
                "/api/v1/namespaces",
                json.dumps({"metadata": {"name": f"n{i}"}}),
                {"Content-Type": "application/json"},
            )
        status, _, body = request(small, "GET", f"/api/v1/namespaces?limit=1&continue={token}")
        assert status == 410 and json.loads(body)["reason"] == "Expired"


def test_an_abandoned_watch_releases_its_subscription(cluster: SandboxCluster) -> None:
    # identities, not counts: other watches (controllers, earlier tests) may come and go meanwhile
    def subscriptions() -> set[int]:
        return {id(s) for s in list(cluster.api.store._subs)}

    before = subscriptions()
    conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=10)
    conn.request("GET", "/api/v1/namespaces/kube-system/secrets?watch=1&timeoutSeconds=600")
    resp = conn.getresponse()
    assert resp.status == 200
    deadline = time.monotonic() + 5
    while not (subscriptions() - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    mine = subscriptions() - before
    assert mine
    conn.sock.close()  # type: ignore[union-attr]
    conn.close()
    deadline = time.monotonic() + 10
    while mine & subscriptions() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not mine & subscriptions()
