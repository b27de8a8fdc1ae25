"""The canary analysis of ``gennaker demo``'s promotion: before prod gets a new version, a baseline (prod's
current version) and a canary (the version staging runs) of one pod each run beside prod and their
simulated error rate and latency are compared (Kayenta's judge); a failing canary stops the release.

Who uses it: :mod:`gennaker.cli.demo_promotion` (its pipeline has :func:`canary_stage` between the prod
lookup and the prod deploy, and the demo saves :func:`canary_config` through ``POST /canaryConfig``) and
``tests/e2e/test_promotion.py``. Metrics come from the ``prod`` metrics account, which the server registers
for the embedded sandbox of that name (``gennaker.api.providers``): nothing else needs to be installed.
:func:`canary_lines` is what the demo prints after a run with a canary (scores, the last judgement per
metric, where the report is), read through the API.
"""

from __future__ import annotations

from typing import Any

import httpx

from gennaker.cli.demo_promotion import APPLICATION, FIND_PROD_STAGE, FIND_STAGING_STAGE, NAMESPACE, RELEASE

CANARY_STAGE = "Canary in prod"
CANARY_CONFIG = "web-canary"
#: The simulated error rate ``--bad-canary`` bakes into the new version (the chart's default is 0.02).
BAD_ERROR_RATE = 0.2
SERVER_GROUPS = (f"{RELEASE}-baseline", f"{RELEASE}-canary")


def canary_config() -> dict[str, Any]:
    """The canary config the demo saves (``POST /canaryConfig``): error rate and mean latency of the pods,
    read from the ``sandbox`` metric source (the prod sandbox's simulated metrics).

    A higher error rate is critical (it fails the canary outright); latency counts for half the score. The
    effect-size gates keep chance out: a metric is High only when the canary's mean is also at least 1.5
    times (errors) or 1.2 times (latency) the baseline's, so two healthy server groups of a few seconds of
    noisy traffic never fail each other, while ten times the errors always does."""
    return {
        "name": CANARY_CONFIG,
        "applications": [APPLICATION],
        "description": "gennaker demo: error rate and latency of the canary vs the baseline",
        "judge": {"name": "NetflixACAJudge-v1.0", "judgeConfigurations": {}},
        "metrics": [
            {
                "name": "error rate",
                "query": {"type": "sandbox", "serviceType": "sandbox", "metric": "errorRate"},
                "groups": ["errors"],
                "analysisConfigurations": {
                    "canary": {
                        "direction": "increase",
                        "critical": True,
                        "effectSize": {"allowedIncrease": 1.5, "criticalIncrease": 1.5},
                    }
                },
                "scopeName": "default",
            },
            {
                "name": "latency",
                "query": {"type": "sandbox", "serviceType": "sandbox", "metric": "latency"},
                "groups": ["latency"],
                "analysisConfigurations": {
                    "canary": {"direction": "increase", "effectSize": {"allowedIncrease": 1.2}}
                },
                "scopeName": "default",
            },
        ],
        "classifier": {"groupWeights": {"errors": 50, "latency": 50}},
    }


def canary_stage(requisites: list[str]) -> dict[str, Any]:
    """``kayentaCanary`` with ``deployments`` in prod: a baseline (prod's current template) and a canary
    (the Deployment staging runs: new image and new chart values) of one pod each beside prod, judged twice
    in 20 s (growing windows of 10 and 20 one-second points) from the ``prod`` sandbox metrics account,
    then removed. Skipped when prod runs nothing yet (``stageEnabled`` on the prod lookup)."""
    return {
        "refId": "5",
        "requisiteStageRefIds": requisites,
        "type": "kayentaCanary",
        "name": CANARY_STAGE,
        "stageEnabled": {"type": "expression", "expression": f"#stage('{FIND_PROD_STAGE}').hasSucceeded"},
        "analysisType": "realTime",
        "canaryConfig": {
            "canaryConfigName": CANARY_CONFIG,
            "metricsAccountName": "prod",
            "scopes": [{"scopeName": "default", "step": 1}],
            "scoreThresholds": {"pass": 75, "marginal": 50},
            "lifetimeDuration": "PT20S",
            "beginCanaryAnalysisAfterMins": 0,
            "canaryAnalysisIntervalMins": 10 / 60,
        },
        "deployments": {
            "account": "prod",
            "namespace": NAMESPACE,
            "baseline": {"manifestName": f"deployment {RELEASE}"},
            "canary": {"manifest": f"${{#stage('{FIND_STAGING_STAGE}').outputs.manifest}}"},
            "replicas": 1,
        },
    }


def canary_of(execution: dict[str, Any]) -> dict[str, Any] | None:
    """The execution's ``kayentaCanary`` stage (None when the pipeline has none)."""
    return next((s for s in execution.get("stages") or [] if s.get("type") == "kayentaCanary"), None)


def server_groups_left(cluster_url: str, namespace: str = NAMESPACE) -> list[str]:
    """The canary's baseline and canary Deployments still in the cluster (none once it cleaned up)."""
    answer = httpx.get(f"{cluster_url}/apis/apps/v1/namespaces/{namespace}/deployments", timeout=10)
    answer.raise_for_status()
    return sorted(
        str(d["metadata"]["name"])
        for d in answer.json().get("items") or []
        if d["metadata"]["name"] in SERVER_GROUPS and not d["metadata"].get("deletionTimestamp")
    )


def _stats(side: dict[str, Any] | None, metric: str) -> str:
    mean = (side or {}).get("mean")
    if not isinstance(mean, int | float):
        return "-"
    return f"{mean * 1000:.1f} ms" if metric == "latency" else f"{mean:.2%}"


def canary_lines(client: Any, execution: dict[str, Any]) -> list[str]:
    """What the demo prints about the run's canary: skipped (and why), or its status, scores and message,
    the last judgement per metric (classification, canary vs baseline mean) and the report command."""
    stage = canary_of(execution)
    if stage is None:
        return []
    if stage["status"] == "SKIPPED":
        return [
            f"{CANARY_STAGE}: skipped: prod ran no version yet ({FIND_PROD_STAGE!r} found none and the "
            "pipeline went on), so there was nothing to compare with."
        ]
    context = stage.get("context") or {}
    scores = context.get("canaryScores") or []
    lines = [
        f"{CANARY_STAGE}: {stage['status']}, scores {', '.join(f'{s:g}' for s in scores) or '-'} "
        f"(pass 75, marginal 50): {context.get('canaryScoreMessage') or ''}".rstrip()
    ]
    try:
        report = client.get(f"/canary/reports/{execution['id']}/{stage['id']}")
    except Exception as error:  # the report is extra information; the demo's result does not depend on it
        lines.append(f"  (no report: {error})")
        report = {}
    judged = [i for i in report.get("intervals") or [] if i.get("metrics")]
    if judged:
        last = judged[-1]
        lines.append(f"  interval {last['index']} (score {last.get('score')}), canary vs baseline:")
        for metric in last["metrics"]:
            lines.append(
                f"    {metric['name']:<10} {metric['classification']:<5} "
                f"{_stats(metric.get('experiment'), metric['name'])} vs "
                f"{_stats(metric.get('control'), metric['name'])}"
            )
    lines.append(
        f"  report: gennaker canary report {execution['id']} {stage['id']} "
        "(with `gennaker demo --keep` and GENNAKER_API set to the demo server)"
    )
    return lines
