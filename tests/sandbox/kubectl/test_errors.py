"""What kubectl prints for API errors: the sandbox's Status replies must read like kube-apiserver's."""

from __future__ import annotations

import pytest

from ..conftest import Kubectl
from .test_apply import deployment

pytestmark = [pytest.mark.kubectl, pytest.mark.timeout(120)]


def test_not_found_and_already_exists(kubectl: Kubectl, ns: str) -> None:
    proc = kubectl.fails("get", "deploy", "nope", "-n", ns)
    assert 'Error from server (NotFound): deployments.apps "nope" not found' in proc.stderr
    kubectl("create", "configmap", "dup", "-n", ns)
    proc = kubectl.fails("create", "configmap", "dup", "-n", ns)
    assert 'error: failed to create configmap: configmaps "dup" already exists' in proc.stderr
    proc = kubectl.fails(
        "create", "-n", ns, "-f", "-", input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup}\n"
    )
    assert (
        'Error from server (AlreadyExists): error when creating "STDIN": configmaps "dup" already exists'
        in (proc.stderr)
    )


def test_selector_must_match_template_labels(kubectl: Kubectl, ns: str) -> None:
    bad = deployment("bad").replace("labels: {app: bad}\n    spec:", "labels: {app: other}\n    spec:")
    proc = kubectl.fails("apply", "-n", ns, "-f", "-", input=bad)
    assert (
        'The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value: '
        'map[string]string{"app":"other"}: `selector` does not match template `labels`'
    ) in proc.stderr


def test_required_fields_and_names(kubectl: Kubectl, ns: str) -> None:
    no_image = deployment("noimg").replace("        image: nginx:1.25\n", "")
    proc = kubectl.fails("apply", "-n", ns, "-f", "-", input=no_image)
    assert (
        'The Deployment "noimg" is invalid: spec.template.spec.containers[0].image: Required value'
        in proc.stderr
    )
    proc = kubectl.fails("create", "configmap", "Bad_Name", "-n", ns)
    assert (
        'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 '
        "subdomain must consist of lower case alphanumeric characters" in proc.stderr
    )


def test_job_restart_policy(kubectl: Kubectl, ns: str) -> None:
    job = """
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      restartPolicy: Always
      containers: [{name: j, image: busybox}]
"""
    proc = kubectl.fails("apply", "-n", ns, "-f", "-", input=job)
    assert (
        'The Job "j" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": '
        'supported values: "OnFailure", "Never"'
    ) in proc.stderr


def test_immutable_selector(kubectl: Kubectl, ns: str) -> None:
    kubectl("apply", "-n", ns, "-f", "-", input=deployment("imm"))
    changed = deployment("imm").replace("{app: imm}", "{app: imm2}")
    proc = kubectl.fails("apply", "-n", ns, "-f", "-", input=changed)
    assert 'The Deployment "imm" is invalid: spec.selector: Invalid value:' in proc.stderr
    assert "field is immutable" in proc.stderr


def test_strict_field_validation_and_warnings(kubectl: Kubectl, ns: str) -> None:
    unknown = deployment("unk").replace("  replicas: 2\n", "  replicas: 2\n  foo: bar\n")
    proc = kubectl.fails("apply", "-n", ns, "-f", "-", input=unknown)
    assert (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field '
        '"spec.foo"'
    ) in proc.stderr
    proc = kubectl.fails("apply", "--server-side", "-n", ns, "-f", "-", input=unknown)
    assert ".spec.foo: field not declared in schema" in proc.stderr
    warned = kubectl.run("apply", "--validate=warn", "-n", ns, "-f", "-", input=unknown)
    assert 'Warning: unknown field "spec.foo"' in warned.stderr
    assert "foo" not in kubectl.json("get", "deploy", "unk", "-n", ns)["spec"], "unknown fields are dropped"


def test_service_cluster_ip_is_allocated_and_immutable(kubectl: Kubectl, ns: str) -> None:
    kubectl("create", "service", "clusterip", "s", "-n", ns, "--tcp=80:8080")
    svc = kubectl.json("get", "svc", "s", "-n", ns)
    ip = svc["spec"]["clusterIP"]
    assert ip.startswith("10.") and svc["spec"]["clusterIPs"] == [ip]
    proc = kubectl.fails("patch", "svc", "s", "-n", ns, "-p", '{"spec":{"clusterIP":"10.96.200.200"}}')
    assert 'The Service "s" is invalid: spec.clusterIP' in proc.stderr and "field is immutable" in proc.stderr
