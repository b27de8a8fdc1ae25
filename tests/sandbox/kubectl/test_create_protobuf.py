"""``kubectl create <kind>`` sends protobuf bodies; what the sandbox decodes must equal the same object sent
as JSON (kubectl's own ``--dry-run=client -o json`` rendering of the command, created through ``create -f``).
"""

from __future__ import annotations

import json
import uuid

import pytest

from ..conftest import Kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.timeout(120)]

VOLATILE = ("uid", "resourceVersion", "creationTimestamp", "namespace", "managedFields", "generation")


def comparable(obj: dict, drop_uid_labels: bool = False) -> dict:  # type: ignore[type-arg]
    """What the client sent, defaulted: without server-set metadata, and without what controllers write
    (status, the deployment controller's revision annotation), which depends on timing."""
    meta = {k: v for k, v in obj["metadata"].items() if k not in VOLATILE}
    annotations = {
        k: v
        for k, v in (meta.pop("annotations", None) or {}).items()
        if k != "deployment.kubernetes.io/revision"
    }
    if annotations:
        meta["annotations"] = annotations
    out = {k: v for k, v in obj.items() if k != "status"}
    out["metadata"] = meta
    text = json.dumps(out, sort_keys=True)
    if drop_uid_labels:
        text = text.replace(obj["metadata"]["uid"], "UID")
    return json.loads(text)


CASES = [
    ("configmap", ["configmap", "cfg", "--from-literal=a=b", "--from-literal=c=d"], "cm", "cfg"),
    ("secret", ["secret", "generic", "sec", "--from-literal=password=s3cret"], "secret", "sec"),
    (
        "tls-type secret",
        [
            "secret",
            "docker-registry",
            "reg",
            "--docker-server=r.example.com",
            "--docker-username=u",
            "--docker-password=p",
        ],
        "secret",
        "reg",
    ),
    ("deployment", ["deployment", "web", "--image=nginx:1.25", "--replicas=3", "--port=80"], "deploy", "web"),
    (
        "deployment with zero replicas",
        ["deployment", "zero", "--image=nginx", "--replicas=0"],
        "deploy",
        "zero",
    ),
    ("job", ["job", "once", "--image=busybox", "--", "echo", "hi"], "job", "once"),
    ("cronjob", ["cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *"], "cronjob", "tick"),
    ("service", ["service", "clusterip", "svc", "--tcp=80:8080", "--tcp=443:8443"], "svc", "svc"),
    ("service account", ["serviceaccount", "robot"], "sa", "robot"),
]


@pytest.mark.parametrize(("label", "args", "kind", "name"), CASES, ids=[c[0] for c in CASES])
def test_protobuf_create_equals_json_create(
    kubectl: Kubectl, label: str, args: list[str], kind: str, name: str
) -> None:
    proto_ns, json_ns = "pb-" + uuid.uuid4().hex[:6], "js-" + uuid.uuid4().hex[:6]
    kubectl("create", "namespace", proto_ns)
    kubectl("create", "namespace", json_ns)
    verbose = kubectl.run("-v=8", "create", "-n", proto_ns, *args)
    assert "application/vnd.kubernetes.protobuf" in verbose.stderr, "kubectl should have sent protobuf"
    rendered = kubectl("create", "-n", json_ns, "--dry-run=client", "-o", "json", *args)
    kubectl("create", "-n", json_ns, "-f", "-", input=rendered)
    via_proto = kubectl.json("get", kind, name, "-n", proto_ns)
    via_json = kubectl.json("get", kind, name, "-n", json_ns)
    if kind == "svc":  # cluster IPs are allocated per object
        for o in (via_proto, via_json):
            o["spec"].pop("clusterIP")
            o["spec"].pop("clusterIPs")
    uid_based = kind == "job"
    assert comparable(via_proto, uid_based) == comparable(via_json, uid_based)


def test_create_namespace_sends_protobuf_and_gets_defaults(kubectl: Kubectl) -> None:
    name = "proto-" + uuid.uuid4().hex[:6]
    verbose = kubectl.run("create", "namespace", name, "-v=8")
    assert "application/vnd.kubernetes.protobuf" in verbose.stderr
    live = kubectl.json("get", "ns", name)
    assert live["status"]["phase"] == "Active"
    assert live["spec"]["finalizers"] == ["kubernetes"]
    assert live["metadata"]["labels"] == {"kubernetes.io/metadata.name": name}
    entry = (
        live["metadata"].get("managedFields")
        or kubectl.json("get", "ns", name, "--show-managed-fields")["metadata"]["managedFields"]
    )
    assert entry[0]["manager"] == "kubectl-create"
