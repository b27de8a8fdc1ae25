"""Fail fast: a rollout whose pods cannot pull their image (or crash) fails the stage soon after the grace,
with the pod's reason, instead of waiting out Spinnaker's 30-minute timeout. The grace is set as a user
sets it: the stage's ``failFastGraceSeconds``, or the account's (``POST /credentials``)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from gennaker.sandbox import SandboxCluster
from tests.kubernetes.conftest import error_of, stage
from tests.kubernetes.e2e.conftest import Pipelines
from tests.kubernetes.objects import deployment
from tests.sandbox.conftest import Kubectl

pytestmark = [pytest.mark.e2e, pytest.mark.kubectl, pytest.mark.slow]

GRACE_S = 3


def broken(ns: str, fault: str) -> dict[str, Any]:
    return deployment(
        ns, "ghcr.io/acme/web:does-not-exist", template_annotations={"sandbox.gennaker.io/fault": fault}
    )


def deploy(ns: str, fault: str) -> dict[str, Any]:
    return {
        "refId": "1",
        "type": "deployManifest",
        "account": "sandbox",
        "cloudProvider": "kubernetes",
        "manifests": [broken(ns, fault)],
        "failFastGraceSeconds": GRACE_S,
    }


def test_image_pull_backoff_fails_the_stage_soon_after_the_grace(
    pipelines: Pipelines, kubectl: Kubectl, ns: str
) -> None:
    started = time.monotonic()
    done = pipelines.execute([deploy(ns, "image-pull-backoff")], timeout_s=60)
    took = time.monotonic() - started
    assert done["status"] == "TERMINAL"
    error = error_of(done)
    assert error.startswith(f"'deployment web' in {ns}: pod web-")
    assert "container web: ImagePullBackOff" in error or "container web: ErrImagePull" in error
    assert "ghcr.io/acme/web:does-not-exist" in error
    assert took < GRACE_S + 20  # generous for a loaded machine; Spinnaker would wait 30 minutes
    ctx = stage(done, "1")["context"]
    assert ctx["failedManifests"] == [{"manifestName": "deployment web", "location": ns}]


def test_crash_loops_fail_too(pipelines: Pipelines, ns: str) -> None:
    done = pipelines.execute([deploy(ns, "crash-loop")], timeout_s=60)
    assert done["status"] == "TERMINAL"
    assert "container web: CrashLoopBackOff" in error_of(done) or "container web: Error" in error_of(done)


def test_without_fail_fast_the_stage_waits_for_its_timeout(pipelines: Pipelines, ns: str) -> None:
    stage_json = {
        **deploy(ns, "image-pull-backoff"),
        "failFast": False,
        "stageTimeoutMs": GRACE_S * 1000 + 2000,
    }
    done = pipelines.execute([stage_json], timeout_s=60)
    assert done["status"] == "TERMINAL"
    assert "timed out" in error_of(done)


def test_the_accounts_grace_applies_when_the_stage_sets_none(
    pipelines: Pipelines, sandbox: SandboxCluster, ns: str
) -> None:
    # Given the cluster added once more, as an account whose fail-fast grace is 3 s instead of 60 s
    pipelines.add_account("strict", sandbox, failFastGraceSeconds=GRACE_S)
    assert pipelines.client.get("/credentials/strict").json()["failFastGraceSeconds"] == GRACE_S
    stage_json = {**deploy(ns, "image-pull-backoff"), "account": "strict"}
    del stage_json["failFastGraceSeconds"]
    started = time.monotonic()
    # When a broken rollout is deployed without a grace of its own
    done = pipelines.execute([stage_json], timeout_s=60)
    # Then the account's grace decides: failed soon after 3 s, not after the default 60 s
    assert done["status"] == "TERMINAL"
    assert "container web: ImagePullBackOff" in error_of(done) or "container web: ErrImagePull" in error_of(
        done
    )
    assert time.monotonic() - started < GRACE_S + 20
