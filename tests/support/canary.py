"""Canary helpers shared by the API and CLI tests: a config judging the sandbox's simulated pod metrics, and
a real ``kayentaCanary`` run on a real server's embedded sandbox (a baseline pod at 1 % errors, a canary pod
at 30 %), through a metrics account added through the API."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.realserver import RealServer, run_pipeline, wait_execution

CONFIG: dict[str, Any] = {
    "name": "web-errors",
    "applications": ["canaryapi"],
    "judge": {"name": "NetflixACAJudge-v1.0", "judgeConfigurations": {}},
    "metrics": [
        {
            "name": "error rate",
            "query": {"type": "sandbox", "metric": "errorRate"},
            "groups": ["errors"],
            "analysisConfigurations": {"canary": {"direction": "increase"}},
            "scopeName": "default",
        },
        {
            "name": "latency",
            "query": {"type": "sandbox", "metric": "latency"},
            "groups": ["latency"],
            "analysisConfigurations": {"canary": {"direction": "increase"}},
            "scopeName": "default",
        },
    ],
    "classifier": {"groupWeights": {"errors": 50, "latency": 50}},
}


def pod(name: str, error_rate: float) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "labels": {"app": "web"},
            "annotations": {
                "sandbox.gennaker.io/metrics-rps": "400",
                "sandbox.gennaker.io/metrics-error-rate": str(error_rate),
            },
        },
        "spec": {"containers": [{"name": "web", "image": "web:1"}]},
    }


def run_sandbox_canary(
    api: httpx.Client, sandbox_server: RealServer, prefix: str, *, app: str = "canaryapi"
) -> tuple[str, str, str]:
    """Run a canary whose canary pod has the higher error rate; (execution id, canary stage id, config id)."""
    sandbox_url = sandbox_server.wait_providers()["sandboxes"]["sandbox"]
    for name, error_rate in ((f"{prefix}-baseline-0", 0.01), (f"{prefix}-canary-0", 0.3)):
        created = httpx.post(f"{sandbox_url}/api/v1/namespaces/default/pods", json=pod(name, error_rate))
        assert created.status_code == 201, created.text
    # a metrics account added through the API is used by the stage at run time
    fast = {"name": "sandbox-fast", "type": "sandbox"}
    fast["settings"] = {"baseUrl": f"{sandbox_url}/metrics", "scrapeIntervalSeconds": 0.25}
    assert api.put("/v2/canaries/credentials/sandbox-fast", json=fast).status_code == 200
    config = dict(CONFIG, name=f"{prefix}-run", applications=[app])
    config_id = api.post("/canaryConfig", json=config).json()["canaryConfigId"]
    stage = {
        "refId": "1",
        "type": "kayentaCanary",
        "name": "Canary Analysis",
        "canaryConfig": {
            "canaryConfigId": config_id,
            "metricsAccountName": "sandbox-fast",
            "scopes": [
                {
                    "scopeName": "default",
                    "controlScope": f"{prefix}-baseline",
                    "controlLocation": "default",
                    "experimentScope": f"{prefix}-canary",
                    "experimentLocation": "default",
                    "step": 0.5,
                }
            ],
            "scoreThresholds": {"pass": 95, "marginal": 75},
            "lifetimeDuration": "PT8S",
            "canaryAnalysisIntervalMins": 4 / 60,
        },
    }
    execution_id = run_pipeline(api, [stage], app=app, name=f"{prefix}-canary")
    execution = wait_execution(api, execution_id, timeout_s=60)
    assert execution["status"] == "TERMINAL", json.dumps(execution)[:3000]
    canary_stage = next(s for s in execution["stages"] if s["type"] == "kayentaCanary")
    return execution_id, canary_stage["id"], config_id
