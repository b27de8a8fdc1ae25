"""Shared data for the expression tests: a realistic Orca execution and the evaluation context a stage
of it would get (its context keys, execution, trigger, parameters)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gennaker.expressions import EvaluationContext, ExpressionEvaluator, HttpxUrlFetcher

TRIGGER: dict[str, Any] = {
    "type": "manual",
    "user": "alice@example.com",
    "parameters": {
        "env": "prod",
        "replicas": "3",
        "deploy": "true",
        "region": "us-east-1",
        "tag": "v1.2.3-rc_4",
    },
    "buildNumber": 100,
    "tag": "release/v1.2.3",
    "artifacts": [{"type": "docker/image", "name": "gcr.io/app/api", "reference": "gcr.io/app/api:v1.2.3"}],
    "resolvedExpectedArtifacts": [
        {
            "id": "ea-1",
            "matchArtifact": {"type": "docker/image", "name": "gcr.io/app/api"},
            "boundArtifact": {
                "type": "docker/image",
                "name": "gcr.io/app/api",
                "reference": "gcr.io/app/api:v1.2.3",
                "version": "v1.2.3",
            },
        },
        {
            "id": "ea-2",
            "matchArtifact": {"type": "helm/chart", "name": "api-chart"},
            "boundArtifact": {"type": "helm/chart", "name": "api-chart", "version": "0.4.0"},
        },
        {"id": "ea-3", "matchArtifact": {"type": "http/file", "name": "unbound"}, "boundArtifact": None},
    ],
}

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "api", "namespace": "prod"},
    "spec": {
        "template": {
            "metadata": {"labels": {"app": "api", "version": "v1.2.3", "app.kubernetes.io/name": "api"}}
        }
    },
}

EXECUTION: dict[str, Any] = {
    "id": "01HEXECUTION0000000000000",
    "type": "PIPELINE",
    "application": "shop",
    "name": "Deploy to prod",
    "status": "RUNNING",
    "trigger": TRIGGER,
    "stages": [
        {
            "id": "01HSTAGEBAKE",
            "refId": "1",
            "type": "bakeManifest",
            "name": "Bake",
            "status": "SUCCEEDED",
            "context": {"outputName": "api", "namespace": "prod"},
            "outputs": {"artifacts": [{"type": "embedded/base64", "name": "api"}]},
        },
        {
            "id": "01HSTAGEDEPLOY",
            "refId": "2",
            "type": "deployManifest",
            "name": "Deploy",
            "status": "SUCCEEDED",
            "requisiteStageRefIds": ["1"],
            "context": {
                "account": "prod-cluster",
                "deploy.server.groups": {"us-east-1": ["api-v003"], "us-west-2": ["api-v007"]},
                "manifests": [DEPLOYMENT],
            },
            "outputs": {
                "manifests": [DEPLOYMENT],
                "outputs.manifestNamesByNamespace": {"prod": ["deployment api"]},
            },
        },
        {
            "id": "01HSTAGEJUDGE",
            "refId": "3",
            "type": "manualJudgment",
            "name": "Approve",
            "status": "SUCCEEDED",
            "requisiteStageRefIds": ["2"],
            "context": {"judgmentStatus": "continue", "judgmentInput": "Ship it", "lastModifiedBy": "bob"},
            "outputs": {},
        },
        {
            "id": "01HSTAGEWAIT",
            "refId": "4",
            "type": "wait",
            "name": "Soak",
            "status": "RUNNING",
            "requisiteStageRefIds": ["3"],
            "context": {"waitTime": "${trigger.parameters.replicas}"},
            "outputs": {},
        },
        {
            "id": "01HSTAGEFAILED",
            "refId": "5",
            "type": "deployManifest",
            "name": "Canary",
            "status": "TERMINAL",
            "context": {},
            "outputs": {},
        },
    ],
}


def make_context(
    extra_roots: dict[str, Any] | None = None, *, current: str = "01HSTAGEWAIT"
) -> EvaluationContext:
    execution = copy.deepcopy(EXECUTION)
    trigger = execution["trigger"]
    roots: dict[str, Any] = {
        "waitTime": 30,
        "skipRemainingWait": False,
        "execution": execution,
        "trigger": trigger,
        "parameters": trigger["parameters"],
    }
    roots.update(extra_roots or {})
    return EvaluationContext(roots=roots, execution=execution, current_stage_id=current)


@pytest.fixture(scope="session")
def evaluator() -> ExpressionEvaluator:
    return ExpressionEvaluator(url_fetcher=HttpxUrlFetcher(allow_loopback=True))


@pytest.fixture
def ctx() -> EvaluationContext:
    return make_context()
