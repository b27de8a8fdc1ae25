"""runJobManifest: a Job runs to completion, its logs are captured, and the properties its container
prints are used downstream through expressions; a failing Job fails the stage with its reason and logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gennaker.sandbox import SandboxCluster
from gennaker.sandbox.kubelet.logs import pod_logs
from gennaker.sandbox.web.types import Request
from tests.kubernetes.conftest import error_of, stage
from tests.kubernetes.e2e.conftest import Pipelines
from tests.sandbox.conftest import Kubectl

pytestmark = [pytest.mark.e2e, pytest.mark.kubectl]

BASE = {"account": "sandbox", "cloudProvider": "kubernetes"}


@pytest.fixture(autouse=True, scope="module")
def containers_print_their_args(sandbox: SandboxCluster) -> Iterator[None]:
    """The sandbox's kubelet logs, plus each container's ``args`` as the lines the program printed (what a
    real migration container would write to stdout)."""

    def logs(pod: dict[str, Any], container: str, request: Request) -> str:
        args = next((c.get("args") or [] for c in pod["spec"]["containers"] if c["name"] == container), [])
        return pod_logs(pod, container, request) + "".join(f"{a}\n" for a in args)

    sandbox.set_log_provider(logs)
    yield
    sandbox.set_log_provider(pod_logs)


def job(
    ns: str, *, generate: bool = True, args: list[str] | None = None, fault: str | None = None
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"namespace": ns}
    metadata["generateName" if generate else "name"] = "migrate-" if generate else "migrate"
    template_meta = {"annotations": {"sandbox.gennaker.io/fault": fault}} if fault else {}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "spec": {
            "backoffLimit": 0,
            "template": {
                "metadata": template_meta,
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {"name": "migrate", "image": "ghcr.io/acme/migrate:1", "args": args or []}
                    ],
                },
            },
        },
    }


def test_properties_flow_downstream(pipelines: Pipelines, kubectl: Kubectl, ns: str) -> None:
    run = {
        "refId": "1",
        "type": "runJobManifest",
        "alias": "runJob",
        **BASE,
        "application": "shop",
        "source": "text",
        "consumeArtifactSource": "propertyFile",
        "propertyFile": "migrate",
        "manifest": job(
            ns,
            args=[
                "SPINNAKER_PROPERTY_SCHEMA_VERSION=42",
                'SPINNAKER_CONFIG_JSON={"replicas": 2, "color": "teal"}',
            ],
        ),
    }
    record = {
        "refId": "2",
        "type": "deployManifest",
        **BASE,
        "requisiteStageRefIds": ["1"],
        "versioned": False,
        "manifests": [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "release", "namespace": ns},
                "data": {
                    "schema": "${schema_version}",
                    "color": "${color}",
                    "replicas": "${#toJson(replicas)}",
                },
            }
        ],
    }
    done = pipelines.execute([run, record])
    assert done["status"] == "SUCCEEDED", error_of(done) + error_of(done, "2")
    outputs = stage(done, "1")["outputs"]
    assert outputs["propertyFileContents"] == {"schema_version": "42", "replicas": 2, "color": "teal"}
    assert outputs["schema_version"] == "42"
    job_name = stage(done, "1")["context"]["jobName"]
    assert job_name.startswith("migrate-")
    assert outputs["deploy.jobs"] == {ns: [f"job {job_name}"]}
    assert outputs["jobStatus"]["succeeded"] == 1
    logs = outputs["jobLogs"]
    assert any("SPINNAKER_PROPERTY_SCHEMA_VERSION=42" in text for text in logs.values())
    assert kubectl.json("get", "configmap/release", "-n", ns)["data"] == {
        "schema": "42",
        "color": "teal",
        "replicas": "2",
    }


def test_a_named_job_is_recreated_each_run(pipelines: Pipelines, kubectl: Kubectl, ns: str) -> None:
    run = {
        "refId": "1",
        "type": "runJobManifest",
        **BASE,
        "application": "shop",
        "manifest": job(ns, generate=False),
    }
    first = pipelines.execute([run])
    assert first["status"] == "SUCCEEDED", error_of(first)
    uid = kubectl.json("get", "job/migrate", "-n", ns)["metadata"]["uid"]
    second = pipelines.execute([run])
    assert second["status"] == "SUCCEEDED", error_of(second)
    assert kubectl.json("get", "job/migrate", "-n", ns)["metadata"]["uid"] != uid


def test_a_failing_job_fails_the_stage_with_its_reason_and_logs(pipelines: Pipelines, ns: str) -> None:
    run = {
        "refId": "1",
        "type": "runJobManifest",
        **BASE,
        "application": "shop",
        "manifest": job(ns, fault="fail", args=["about to fail"]),
    }
    done = pipelines.execute([run])
    assert done["status"] == "TERMINAL"
    assert "Job failed (BackoffLimitExceeded)" in error_of(done)
    ctx = stage(done, "1")["context"]
    assert any("about to fail" in text for text in ctx["jobLogs"].values())


def test_a_missing_property_file_fails_as_in_orca(pipelines: Pipelines, ns: str) -> None:
    run = {
        "refId": "1",
        "type": "runJobManifest",
        **BASE,
        "application": "shop",
        "manifest": job(ns),
        "consumeArtifactSource": "propertyFile",
        "propertyFile": "migrate",
    }
    done = pipelines.execute([run])
    assert done["status"] == "TERMINAL"
    assert error_of(done) == (
        "Expected properties file migrate but it was either missing, empty or contained invalid syntax"
    )


def test_only_one_job_is_accepted(pipelines: Pipelines, ns: str) -> None:
    run = {
        "refId": "1",
        "type": "runJobManifest",
        **BASE,
        "application": "shop",
        "manifests": [job(ns), {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}],
    }
    done = pipelines.execute([run])
    assert error_of(done).startswith("runJobManifest needs exactly one manifest of kind Job; got 2:")
