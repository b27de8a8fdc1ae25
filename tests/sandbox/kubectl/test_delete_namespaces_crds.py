"""kubectl delete with cascading GC, finalizers, namespaces with contents, CRDs and custom resources."""

from __future__ import annotations

import json
import time

import pytest

from ..conftest import Kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.timeout(120)]


def until(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def owned_configmap(name: str, owner: dict, ns: str) -> str:  # type: ignore[type-arg]
    ref = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "blockOwnerDeletion": True,
    }
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": ns, "ownerReferences": [ref]},
        }
    )


def names(kubectl: Kubectl, kind: str, ns: str) -> set[str]:
    return {n.split("/", 1)[1] for n in kubectl("get", kind, "-n", ns, "-o", "name").split()}


def test_background_delete_collects_dependents_by_owner_reference(kubectl: Kubectl, ns: str) -> None:
    kubectl("create", "configmap", "root", "-n", ns)
    root = kubectl.json("get", "cm", "root", "-n", ns)
    kubectl("apply", "-f", "-", input=owned_configmap("child", root, ns))
    child = kubectl.json("get", "cm", "child", "-n", ns)
    kubectl("apply", "-f", "-", input=owned_configmap("grandchild", child, ns))
    assert {"root", "child", "grandchild"} <= names(kubectl, "cm", ns)
    kubectl("delete", "cm", "root", "-n", ns)
    until(lambda: not ({"child", "grandchild"} & names(kubectl, "cm", ns)))


def test_orphan_delete_keeps_dependents_without_the_reference(kubectl: Kubectl, ns: str) -> None:
    kubectl("create", "configmap", "parent", "-n", ns)
    parent = kubectl.json("get", "cm", "parent", "-n", ns)
    kubectl("apply", "-f", "-", input=owned_configmap("kid", parent, ns))
    kubectl("delete", "cm", "parent", "-n", ns, "--cascade=orphan")
    until(lambda: "parent" not in names(kubectl, "cm", ns))
    kid = kubectl.json("get", "cm", "kid", "-n", ns)
    assert not kid["metadata"].get("ownerReferences")


def test_foreground_delete_waits_for_dependents(kubectl: Kubectl, ns: str) -> None:
    kubectl("create", "configmap", "fg", "-n", ns)
    parent = kubectl.json("get", "cm", "fg", "-n", ns)
    kubectl("apply", "-f", "-", input=owned_configmap("fg-kid", parent, ns))
    out = kubectl("delete", "cm", "fg", "-n", ns, "--cascade=foreground", "--wait=true", "--timeout=30s")
    assert 'configmap "fg" deleted' in out
    assert not ({"fg", "fg-kid"} & names(kubectl, "cm", ns))


def test_finalizers_hold_deletion_until_removed(kubectl: Kubectl, ns: str) -> None:
    kubectl(
        "apply",
        "-f",
        "-",
        input=json.dumps(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "held", "namespace": ns, "finalizers": ["example.com/hold"]},
            }
        ),
    )
    kubectl("delete", "cm", "held", "-n", ns, "--wait=false")
    live = kubectl.json("get", "cm", "held", "-n", ns)
    assert live["metadata"]["deletionTimestamp"]
    kubectl(
        "patch",
        "cm",
        "held",
        "-n",
        ns,
        "--type",
        "json",
        "-p",
        '[{"op":"remove","path":"/metadata/finalizers"}]',
    )
    assert "held" not in names(kubectl, "cm", ns)


def test_namespace_delete_removes_contents(kubectl: Kubectl) -> None:
    kubectl("create", "namespace", "doomed")
    kubectl("create", "configmap", "c1", "-n", "doomed")
    kubectl("create", "secret", "generic", "s1", "-n", "doomed", "--from-literal=a=b")
    assert kubectl.json("get", "sa", "default", "-n", "doomed")["metadata"]["name"] == "default"
    out = kubectl("delete", "namespace", "doomed", "--timeout=30s")
    assert 'namespace "doomed" deleted' in out
    assert kubectl.run("get", "ns", "doomed", check=False).returncode == 1
    # creating in a namespace that does not exist is the API server's 404
    proc = kubectl.fails("create", "configmap", "c2", "-n", "doomed")
    assert 'namespaces "doomed" not found' in proc.stderr


CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              tags: {type: array, items: {type: string}}
          status:
            type: object
            properties:
              ready: {type: boolean}
"""


def widget(size: int) -> str:
    return (
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\n"
        f"spec: {{size: {size}, tags: [a]}}\n"
    )


def test_crd_serves_custom_resources(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-f", "-", input=CRD)
    kubectl("wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=20s")
    assert "widget.example.com/w1 created" in kubectl("apply", "-n", ns, "-f", "-", input=widget(3))
    rows = kubectl("get", "wd", "-n", ns).splitlines()
    assert rows[0].split() == ["NAME", "SIZE", "AGE"] and rows[1].split()[:2] == ["w1", "3"]
    assert "configured" in kubectl("apply", "-n", ns, "-f", "-", input=widget(4))
    assert "serverside-applied" in kubectl(
        "apply", "--server-side", "--force-conflicts", "-n", ns, "-f", "-", input=widget(5)
    )
    kubectl("patch", "widget", "w1", "-n", ns, "--type", "merge", "-p", '{"spec":{"size":9}}')
    kubectl(
        "patch",
        "widget",
        "w1",
        "-n",
        ns,
        "--type",
        "json",
        "-p",
        '[{"op":"add","path":"/spec/tags/-","value":"b"}]',
    )
    live = kubectl.json("get", "widget", "w1", "-n", ns)
    assert live["spec"] == {"size": 9, "tags": ["a", "b"]}
    assert live["metadata"]["generation"] == 5
    # status is a subresource: a main-resource write does not touch it
    kubectl("patch", "widget", "w1", "-n", ns, "--type", "merge", "-p", '{"status":{"ready":true}}')
    assert "status" not in kubectl.json("get", "widget", "w1", "-n", ns)
    kubectl(
        "patch",
        "widget",
        "w1",
        "-n",
        ns,
        "--subresource=status",
        "--type",
        "merge",
        "-p",
        '{"status":{"ready":true}}',
    )
    assert kubectl.json("get", "widget", "w1", "-n", ns)["status"] == {"ready": True}
    # strategic merge is not for custom resources
    proc = kubectl.fails(
        "patch", "widget", "w1", "-n", ns, "--type", "strategic", "-p", '{"spec":{"size":1}}'
    )
    assert "application/strategic-merge-patch+json is not supported" in proc.stderr
    # deleting the CRD deletes its resources and its API
    kubectl("delete", "crd", "widgets.example.com", "--timeout=30s")
    assert kubectl.run("get", "widgets", "-n", ns, check=False).returncode != 0
