"""Canary analysis through a real ``gennaker server`` with its providers (embedded sandbox included):
Kayenta's ``/canaryConfig`` CRUD with history and restore (and Gate's ``/v2`` aliases), validation errors
naming the metric and field, ``POST /judge`` reproducing Kayenta's own numbers, metrics accounts whose
secrets never come back and are stored encrypted, and a real canary run on the sandbox's simulated pod
metrics read back as a report, a Kayenta run and an SVG plot."""

from __future__ import annotations

import copy
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.realserver import RealServer, wait_until
from tests.support.canary import CONFIG, run_sandbox_canary

FIXTURES = Path(__file__).parents[1] / "canary" / "judge" / "fixtures"


@pytest.fixture(scope="module")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    server = RealServer(tmp_path_factory.mktemp("canary-home"), sandbox=True).start()
    try:
        server.wait_providers()
        yield server
    finally:
        server.stop()


@pytest.fixture
def api(sandbox_server: RealServer) -> Iterator[httpx.Client]:
    with sandbox_server.client("canary-tester") as c:
        yield c


def test_config_crud_round_trip_with_history_and_restore(api: httpx.Client) -> None:
    created = api.post("/canaryConfig", json=dict(CONFIG, name="crud"))
    assert created.status_code == 200, created.text
    config_id = created.json()["canaryConfigId"]
    got = api.get(f"/canaryConfig/{config_id}").json()
    assert got["id"] == config_id and got["metrics"][0]["name"] == "error rate"
    assert got == api.get(f"/v2/canaryConfig/{config_id}").json()  # Gate's alias
    listed = api.get("/canaryConfig", params={"application": "canaryapi"}).json()
    assert {"id": config_id, "name": "crud"}.items() <= next(
        c for c in listed if c["id"] == config_id
    ).items()
    assert api.get("/v2/canaryConfig", params={"application": "nobody"}).json() == []

    changed = copy.deepcopy(got)
    changed["metrics"][0]["analysisConfigurations"]["canary"]["critical"] = True
    updated = api.put(f"/v2/canaryConfig/{config_id}", json=changed)
    assert updated.json() == {"canaryConfigId": config_id}, updated.text
    assert api.get(f"/canaryConfig/{config_id}").json()["metrics"][0]["analysisConfigurations"]["canary"][
        "critical"
    ]

    assert api.delete(f"/canaryConfig/{config_id}").status_code == 204
    assert api.get(f"/canaryConfig/{config_id}").status_code == 404
    history = api.get(f"/canaryConfig/{config_id}/history").json()
    assert [(h["version"], h["action"], h["savedBy"]) for h in history] == [
        (3, "delete", "canary-tester"),
        (2, "save", "canary-tester"),
        (1, "save", "canary-tester"),
    ]
    restored = api.post(f"/canaryConfig/{config_id}/history/1/restore")
    assert restored.status_code == 200, restored.text
    assert "critical" not in restored.json()["metrics"][0]["analysisConfigurations"]["canary"]
    assert api.get(f"/canaryConfig/{config_id}").json()["name"] == "crud"
    # a deletion cannot be restored; an unknown version or config is a 404
    assert api.post(f"/canaryConfig/{config_id}/history/3/restore").status_code == 400
    assert api.post(f"/canaryConfig/{config_id}/history/9/restore").status_code == 404
    for method, path in (
        ("GET", "/canaryConfig/nope"),
        ("PUT", "/canaryConfig/nope"),
        ("DELETE", "/canaryConfig/nope"),
        ("GET", "/canaryConfig/nope/history"),
    ):
        answer = api.request(method, path, json=CONFIG if method == "PUT" else None)
        assert answer.status_code == 404, (method, path, answer.text)
        assert "nope" in answer.json()["message"]
    # the same name twice in one application is a conflict
    assert api.post("/canaryConfig", json=dict(CONFIG, name="crud")).status_code == 409


def test_an_invalid_config_is_a_400_naming_the_metric_and_the_field(api: httpx.Client) -> None:
    bad = copy.deepcopy(dict(CONFIG, name="invalid"))
    outliers = {"strategy": "remove", "outlierFactor": 0}
    bad["metrics"][1]["analysisConfigurations"]["canary"]["outliers"] = outliers
    answer = api.post("/canaryConfig", json=bad)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    (issue,) = body["issues"]
    assert issue["metricName"] == "latency" and issue["metricIndex"] == 1
    assert issue["path"] == "metrics[1].analysisConfigurations.canary.outliers.outlierFactor"
    assert "outliers.outlierFactor (metric 'latency'): outlierFactor must be greater" in body["message"]
    assert [c for c in api.get("/canaryConfig").json() if c["name"] == "invalid"] == []


def test_post_judge_reproduces_kayentas_mann_whitney_problem_case(api: httpx.Client) -> None:
    # Kayenta's MannWhitneySuite "test problem case": R's interval at 0.98 confidence is
    # [-1.4808028936386108e-5, 1.808255910873413e-5] with estimate 1.808255910873413e-5; it contains 0: Pass.
    case = json.loads((FIXTURES / "mannwhitney_problem_case.json").read_text())
    request = {
        "canaryConfig": dict(
            CONFIG,
            judge={"name": "RemoteJudge-v1.0", "judgeConfigurations": {}},
            metrics=CONFIG["metrics"][:1],
            classifier={"groupWeights": {"errors": 100}},
        ),
        "scoreThresholds": {"pass": 95.0, "marginal": 75.0},
        "metricSetPairList": [
            {
                "name": "error rate",
                "id": "pair-1",
                "tags": {"pod": "web"},
                "values": {"control": case["control"], "experiment": case["experiment"]},
            }
        ],
    }
    answer = api.post("/judge", json=request)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["judgeName"] == "NetflixACAJudge-v1.0"
    (metric,) = result["results"]
    assert metric["id"] == "pair-1" and metric["classification"] == "Pass"
    mw = metric["resultMetadata"]["mannWhitney"]
    assert mw["confidenceLevel"] == 0.98
    assert mw["confidenceInterval"] == {"low": -1.4808028936386108e-5, "high": 1.808255910873413e-5}
    assert mw["estimate"] == 1.808255910873413e-5
    assert 0 < mw["pValue"] < 1 and mw["uStatistic"] > 0
    assert result["score"] == {"score": 100.0, "classification": "Pass", "classificationReason": ""}

    missing = api.post("/judge", json={k: v for k, v in request.items() if k != "scoreThresholds"})
    assert missing.status_code == 400 and "scoreThresholds" in missing.json()["message"]


def _stored_secrets(home: Path, name: str) -> str | None:
    with sqlite3.connect(home / "gennaker.db") as conn:
        row = conn.execute("SELECT secrets FROM accounts WHERE kind='metrics' AND name=?", (name,)).fetchone()
    return None if row is None else row[0]


def test_metrics_accounts_crud_never_return_secrets_and_store_them_encrypted(
    api: httpx.Client, sandbox_server: RealServer
) -> None:
    token = "prom-token-s3cr3t"
    account = {
        "name": "prom",
        "type": "prometheus",
        "settings": {"baseUrl": "http://127.0.0.1:9", "scopeLabel": "pod"},
        "secrets": {"bearerToken": token},
    }
    put = api.put("/v2/canaries/credentials/prom", json=account)
    assert put.status_code == 200, put.text
    assert put.json()["secrets"] == {"bearerToken": "**********"}
    assert put.json()["source"] == "api" and put.json()["updatedBy"] == "canary-tester"
    listed = api.get("/v2/canaries/credentials")
    assert token not in listed.text and token not in put.text
    by_name = {a["name"]: a for a in listed.json()}
    assert by_name["sandbox"]["source"] == "embedded"
    assert by_name["prom"]["settings"]["scopeLabel"] == "pod"
    sealed = _stored_secrets(sandbox_server.home, "prom")
    assert sealed and token not in sealed

    # sending the redacted view back keeps the stored secret; a change of settings is applied
    view = api.get("/v2/canaries/credentials/prom").json()
    view["settings"]["scopeLabel"] = "instance"
    again = api.put("/v2/canaries/credentials/prom", json=view)
    assert again.status_code == 200, again.text
    assert again.json()["settings"]["scopeLabel"] == "instance"
    assert _stored_secrets(sandbox_server.home, "prom") != sealed  # re-sealed, same value inside
    fresh = dict(account, name="other", secrets={"bearerToken": "**********"})
    refused = api.post("/v2/canaries/credentials", json=fresh)
    assert refused.status_code == 400 and "no stored value" in refused.json()["message"]

    bad = api.put("/v2/canaries/credentials/prom", json=dict(account, settings={"baseUrl": "ftp://x"}))
    assert bad.status_code == 400 and "settings.baseUrl" in bad.json()["message"]
    misplaced = dict(account, settings={"baseUrl": "http://x", "bearerToken": token})
    answer = api.put("/v2/canaries/credentials/prom", json=misplaced)
    assert answer.status_code == 400 and "must be under 'secrets'" in answer.json()["message"]
    assert token not in answer.text
    assert api.put("/v2/canaries/credentials/sandbox", json=dict(account, name="sandbox")).status_code == 400
    assert api.put("/v2/canaries/credentials/prom", json=dict(account, name="x")).status_code == 400

    assert api.delete("/v2/canaries/credentials/prom").status_code == 204
    assert api.get("/v2/canaries/credentials/prom").status_code == 404
    assert api.delete("/v2/canaries/credentials/prom").status_code == 404
    assert _stored_secrets(sandbox_server.home, "prom") is None


def test_a_canary_run_on_the_sandbox_is_reported_with_statistics_and_plots(
    api: httpx.Client, sandbox_server: RealServer
) -> None:
    execution_id, stage_id, config_id = run_sandbox_canary(api, sandbox_server, "cr")

    report_path = f"/canary/reports/{execution_id}/{stage_id}"
    # the stage's cancel hook writes canaryScores after the early stop; it may land just after TERMINAL
    report = wait_until(
        lambda: (r := api.get(report_path)).status_code == 200 and r.json()["canaryScores"] and r,
        timeout_s=15,
        what="the report's canaryScores",
    )
    beside = api.get(f"/pipelines/{execution_id}/stages/{stage_id}/canaryReport")
    assert beside.status_code == 200 and beside.json() == report.json()
    data = report.json()
    assert data["canaryConfigId"] == config_id and data["canaryScores"] == [50.0], json.dumps(data)[:4000]
    first = data["intervals"][0]
    assert first["score"] == 50.0 and first["classification"] == "Fail"
    metrics = {m["name"]: m for m in first["metrics"]}
    errors = metrics["error rate"]
    assert errors["classification"] == "High", errors
    assert metrics["latency"]["classification"] == "Pass", metrics["latency"]
    stats = errors["statistics"]
    # High: the 98% interval of canary - baseline lies above zero (and beyond the 25% tolerance)
    assert stats["confidenceInterval"]["low"] > 0 and 0 < stats["pValue"] < 0.5, stats
    assert stats["estimate"] > 0.1 and stats["uStatistic"] > 0
    assert errors["experiment"]["count"] >= 3 and errors["control"]["count"] >= 3, errors
    assert errors["experiment"]["mean"] > 0.2 > errors["control"]["mean"]

    run = api.get(f"/canary/{first['runId']}").json()
    assert run["complete"] is True and run["parentPipelineExecutionId"] == execution_id
    assert run["result"]["judgeResult"]["score"]["score"] == 50.0
    assert run == api.get(f"/v2/canaries/canary/{first['runId']}").json()

    plot = api.get(errors["plotPath"])
    assert plot.status_code == 200 and plot.headers["content-type"].startswith("image/svg+xml")
    assert plot.text.startswith("<svg") and ">High</text>" in plot.text
    assert api.get(f"/canary/{first['runId']}/plots/nope.svg").status_code == 404
    assert api.get("/canary/no-such-run").status_code == 404
    assert api.get(f"/canary/reports/{execution_id}/no-such-stage").status_code == 404


def test_without_a_sandbox_there_is_no_embedded_metrics_account(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "home").start()  # --no-sandbox --no-triggers: canary still starts
    try:
        deadline = time.monotonic() + 30
        with server.client() as c:
            while time.monotonic() < deadline:
                answer = c.get("/v2/canaries/credentials")
                if answer.status_code == 200:
                    break
                assert answer.status_code == 503 and "canary provider" in answer.json()["message"]
                time.sleep(0.1)
            assert answer.status_code == 200
            assert [a["name"] for a in answer.json()] == []  # no embedded sandbox account without a sandbox
    finally:
        server.stop()
