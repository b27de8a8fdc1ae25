"""Bad input reaching the ``kayentaCanary`` stage gives a clear error in the stage (or NODATA, as Kayenta
would), never a crash: a source type nothing can fetch, an undefined template variable, a PromQL error, an
unreachable Prometheus, empty series, and a stage JSON missing what the plan needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gennaker.canary.errors import CanaryConfigError
from tests.canary.conftest import CanaryEngine, make_canary_engine
from tests.canary.peers import Exporter, PrometheusProcess
from tests.conftest import free_port

pytestmark = pytest.mark.slow


def config(name: str, *metrics: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "applications": ["app"], "metrics": list(metrics), "classifier": {}}


def metric(name: str, query: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "query": query, "groups": ["g"], "scopeName": "default"}


def retrospective_stage(config_id: str, prefix: str, account: str = "prom") -> dict[str, Any]:
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    scope = {
        "controlScope": f"{prefix}-baseline",
        "experimentScope": f"{prefix}-canary",
        "startTimeIso": (end - timedelta(seconds=3)).isoformat(),
        "endTimeIso": end.isoformat(),
        "step": 0.5,
    }
    body = {
        "canaryConfigId": config_id,
        "metricsAccountName": account,
        "scopes": [scope],
        "scoreThresholds": {"pass": 95, "marginal": 75},
    }
    return {"refId": "1", "type": "kayentaCanary", "name": "Canary", "canaryConfig": body}


def failure(execution: dict[str, Any]) -> str:
    """The error the failed runCanary stage shows."""
    (run,) = [s for s in execution["stages"] if s["type"] == "runCanary"]
    assert run["status"] == "TERMINAL"
    return str(run["context"]["exception"]["details"]["error"])


def run_and_wait(
    engine: CanaryEngine, body: dict[str, Any], prefix: str, account: str = "prom"
) -> dict[str, Any]:
    config_id = engine.canary.create_config(body, principal="tester")["canaryConfigId"]
    execution = engine.wait(engine.run_pipeline([retrospective_stage(config_id, prefix, account)]))
    assert execution["status"] == "TERMINAL"
    return execution


@pytest.fixture
def engine(tmp_path: Path, prometheus: PrometheusProcess) -> Iterator[CanaryEngine]:
    accounts = [
        {"name": "prom", "type": "prometheus", "settings": {"baseUrl": prometheus.url}},
        {"name": "down", "type": "prometheus", "settings": {"baseUrl": f"http://127.0.0.1:{free_port()}"}},
    ]
    yield from make_canary_engine(tmp_path, accounts, fetch_attempts=2, retry_backoff_ms=100)


def test_an_unknown_metric_source_type_is_refused_when_the_config_is_saved(engine: CanaryEngine) -> None:
    with pytest.raises(CanaryConfigError) as caught:
        engine.canary.create_config(
            config("pigeons", metric("m", {"type": "carrier-pigeon"})), principal="tester"
        )
    (issue,) = caught.value.issues
    assert issue.path == "metrics[0].query"
    assert issue.metric_name == "m"
    assert "unknown metric source type 'carrier-pigeon'" in issue.message


def test_a_source_type_that_cannot_be_fetched_fails_the_stage_naming_it(engine: CanaryEngine) -> None:
    execution = run_and_wait(engine, config("atlas", metric("m", {"type": "atlas", "q": "x"})), "a")
    assert "no metric source can fetch query type 'atlas'" in failure(execution)


def test_a_template_with_an_undefined_variable_fails_the_stage_naming_it(engine: CanaryEngine) -> None:
    query = {
        "type": "prometheus",
        "customInlineTemplate": 'PromQL:avg(x{pod=~"${scope}-.*",zone="${region}"})',
    }
    execution = run_and_wait(engine, config("tmpl", metric("errors", query)), "t")
    error = failure(execution)
    assert "metric 'errors'" in error and "undefined variable 'region'" in error


def test_a_promql_error_from_prometheus_fails_the_stage_with_its_message(engine: CanaryEngine) -> None:
    query = {"type": "prometheus", "customInlineTemplate": "PromQL:sum(app_error_ratio"}
    execution = run_and_wait(engine, config("promql", metric("errors", query)), "p")
    error = failure(execution)
    assert "Prometheus rejected the query for metric 'errors' (bad_data)" in error
    run_id = next(s for s in execution["stages"] if s["type"] == "runCanary")["context"][
        "canaryPipelineExecutionId"
    ]
    run = engine.canary.get_canary_run(run_id)
    assert run["executionStatus"] == "TERMINAL" and "bad_data" in run["exception"]["details"]["error"]


def test_an_unreachable_prometheus_is_retried_then_fails_the_stage(engine: CanaryEngine) -> None:
    query = {"type": "prometheus", "customInlineTemplate": "PromQL:up"}
    execution = run_and_wait(engine, config("down", metric("up", query)), "d", account="down")
    error = failure(execution)
    assert "metrics account 'down': cannot reach http://127.0.0.1:" in error
    assert "(tried 2 times)" in error


def test_empty_series_are_nodata_and_fail_the_canary_as_kayenta_does(
    engine: CanaryEngine, exporter: Exporter
) -> None:
    prefix = "n" + uuid.uuid4().hex[:8]
    for role in ("baseline", "canary"):
        exporter.add("app_requests", {"pod": f"{prefix}-{role}-0"}, 5.0)
    import time

    time.sleep(4.5)
    present = {"type": "prometheus", "customInlineTemplate": 'PromQL:avg(app_requests{pod=~"${scope}-.*"})'}
    missing = {"type": "prometheus", "customInlineTemplate": 'PromQL:avg(no_such_metric{pod=~"${scope}-.*"})'}
    execution = run_and_wait(
        engine, config("empty", metric("requests", present), metric("gone", missing)), prefix
    )
    (run,) = [s for s in execution["stages"] if s["type"] == "runCanary"]
    assert run["context"]["canaryScore"] == 0.0
    (canary,) = [s for s in execution["stages"] if s["type"] == "kayentaCanary"]
    report = engine.canary.get_canary_report(execution["id"], canary["id"])
    interval = report["intervals"][0]
    assert interval["classificationReason"] == "Canary Failed: 50% or more metrics returned NODATA"
    labels = {m["name"]: m["classification"] for m in interval["metrics"]}
    assert labels == {"requests": "Pass", "gone": "Nodata"}


def test_a_stage_without_lifetime_or_end_time_fails_at_planning(engine: CanaryEngine) -> None:
    stage = {
        "refId": "1",
        "type": "kayentaCanary",
        "canaryConfig": {"canaryConfigId": "x", "scopes": [{"controlScope": "a", "experimentScope": "b"}]},
    }
    execution = engine.wait(engine.run_pipeline([stage]))
    assert execution["status"] == "TERMINAL"
    (canary,) = [s for s in execution["stages"] if s["type"] == "kayentaCanary"]
    assert "must include either `endTime` or `lifetimeDuration`" in str(canary["context"]["exception"])


def test_a_missing_canary_config_fails_the_stage(engine: CanaryEngine) -> None:
    execution = engine.wait(engine.run_pipeline([retrospective_stage("no-such-config", "m")]))
    assert "canary config with id 'no-such-config' was not found" in failure(execution)
