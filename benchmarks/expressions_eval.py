"""Expression evaluation speed on a realistic stage context (prints figures; never pass/fail).

Measures, in one run on this machine:
- stage contexts evaluated per second (evaluate_object on a deployManifest-like context with 12
  expressions: parameters, #stage, #judgment, selection/projection, #toJson, a date, mixed text);
- single expressions evaluated per second for a few typical shapes (parse cache warm);
- the cost of a first (uncached) parse+compile per expression.

Run: .venv/bin/python benchmarks/expressions_eval.py
"""

from __future__ import annotations

import time
from typing import Any

from gennaker.expressions import EvaluationContext, ExpressionEvaluator

STAGES: list[dict[str, Any]] = [
    {
        "id": f"01HSTAGE{i:04d}",
        "refId": str(i),
        "type": "deployManifest" if i % 3 == 0 else "wait",
        "name": f"Stage {i}",
        "status": "SUCCEEDED",
        "context": {"account": "prod", "deploy.server.groups": {"us-east-1": [f"api-v{i:03d}"]}},
        "outputs": {},
    }
    for i in range(30)
]
STAGES.append(
    {
        "id": "01HJUDGE",
        "refId": "99",
        "type": "manualJudgment",
        "name": "Approve",
        "status": "SUCCEEDED",
        "context": {"judgmentInput": "Ship it"},
        "outputs": {},
    }
)
TRIGGER = {
    "type": "manual",
    "user": "alice",
    "parameters": {"env": "prod", "replicas": "3", "tag": "v1.2.3-rc_4", "canary": "true"},
    "buildNumber": 1234,
}
EXECUTION = {"id": "01HEXEC", "application": "shop", "name": "Deploy", "trigger": TRIGGER, "stages": STAGES}
ROOTS = {"execution": EXECUTION, "trigger": TRIGGER, "parameters": TRIGGER["parameters"], "account": "prod"}

PREVIOUS = "${#stage('Stage 3')['context']['deploy.server.groups']['us-east-1'][0]}"
DEPLOYS = "${#toJson(execution.stages.?[type == 'deployManifest'].![name])}"
PREVIOUS = "${#stage('Stage 3')['context']['deploy.server.groups']['us-east-1'][0]}"
DEPLOYS = "${#toJson(execution.stages.?[type == 'deployManifest'].![name])}"
STAGE_CONTEXT = {
    "account": "prod-${parameters.env}",
    "namespace": "${trigger.parameters.env}",
    "cloudProvider": "kubernetes",
    "source": "text",
    "manifests": [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "api-${#alphanumerical(trigger.parameters.tag)}",
                "labels": {"app": "api", "build": "${trigger.buildNumber}"},
                "annotations": {"deployed-by": "${trigger.user}", "approval": "${#judgment('Approve')}"},
            },
            "spec": {
                "replicas": "${#toInt(parameters.replicas) * (parameters.env == 'prod' ? 2 : 1)}",
                "template": {
                    "metadata": {"labels": {"app": "api"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "api",
                                "image": "gcr.io/shop/api:${trigger.parameters.tag}",
                                "env": [
                                    {
                                        "name": "PREVIOUS",
                                        "value": PREVIOUS,
                                    },
                                    {
                                        "name": "DEPLOYS",
                                        "value": DEPLOYS,
                                    },
                                    {
                                        "name": "CANARY",
                                        "value": "${parameters.canary and #stageExists('Approve')}",
                                    },
                                    {"name": "PLAIN", "value": "no expression here"},
                                ],
                            }
                        ]
                    },
                },
            },
        }
    ],
    "trafficManagement": {
        "enabled": False,
        "options": {"strategy": "${parameters.strategy ?: 'highlander'}"},
    },
}

SINGLE = {
    "parameter": "trigger.parameters.env == 'prod'",
    "stage lookup": "#stage('Stage 3')['context']['deploy.server.groups']['us-east-1'][0]",
    "selection+projection": "execution.stages.?[type == 'deployManifest'].![name]",
    "string methods": "trigger.parameters.tag.split('-')[0].toUpperCase().replace('.', '_')",
    "arithmetic": "#toInt(parameters.replicas) * 2 + 1",
}


def rate(fn: Any, seconds: float = 1.0) -> float:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            fn()
        count += 50
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def main() -> None:
    evaluator = ExpressionEvaluator()
    ctx = EvaluationContext(roots=ROOTS, execution=EXECUTION, current_stage_id="01HSTAGE0001")
    result = evaluator.evaluate_object(STAGE_CONTEXT, ctx)
    assert not result.summary, result.summary
    contexts_per_s = rate(lambda: evaluator.evaluate_object(STAGE_CONTEXT, ctx))
    print(
        f"stage context (12 expressions, {len(STAGES)} stages in the execution): "
        f"{contexts_per_s:,.0f} contexts/s = {1e6 / contexts_per_s:,.0f} us per context"
    )
    for name, expression in SINGLE.items():
        per_s = rate(lambda e=expression: evaluator.evaluate_expression(e, ctx), 0.5)
        print(f"expression [{name}]: {per_s:,.0f} evaluations/s = {1e6 / per_s:.1f} us each")
    cold = ExpressionEvaluator(cache_size=1)
    texts = [f"trigger.parameters.env == 'prod' and {i} > 0" for i in range(2000)]
    start = time.perf_counter()
    for text in texts:
        cold.compile(text)
    elapsed = time.perf_counter() - start
    per_s = len(texts) / elapsed
    print(f"first parse+compile: {per_s:,.0f} expressions/s = {1e6 / per_s:.1f} us each")


if __name__ == "__main__":
    main()
