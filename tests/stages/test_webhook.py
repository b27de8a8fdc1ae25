"""The webhook stage against a real HTTP server on 127.0.0.1: request, retries, fail-fast, status
polling (every statusUrlResolution), status lists, percentages, cancel endpoint, planning errors."""

from __future__ import annotations

from tests.engine.conftest import Engine
from tests.engine.teststages import DONE, stage_by_ref, wait_for, wait_status
from tests.localhttp import LocalHTTPServer, Reply


def run_webhook(engine: Engine, **context: object) -> dict:
    eid = engine.run([{"refId": "1", "type": "webhook", "name": "Call", **context}])
    return wait_status(engine.svc, eid, DONE)


def test_request_is_sent_with_method_payload_and_headers(engine: Engine, http: LocalHTTPServer) -> None:
    # given an endpoint answering 200 with JSON
    http.route("PUT", "/deploy", Reply(200, {"accepted": True}))
    # when a webhook stage PUTs a payload with a custom header
    ex = run_webhook(
        engine,
        url=http.url("/deploy"),
        method="put",
        payload={"version": "${trigger.user}"},
        customHeaders={"X-Token": "abc"},
    )
    # then the request carried them and the response is recorded in context.webhook
    assert ex["status"] == "SUCCEEDED"
    [req] = http.hits("PUT", "/deploy")
    assert req.body == {"version": "tester"}
    assert req.headers["X-Token"] == "abc"
    webhook = ex["stages"][0]["context"]["webhook"]
    assert webhook["statusCodeValue"] == 200
    assert webhook["statusCode"] == "OK"
    assert webhook["body"] == {"accepted": True}


def test_5xx_is_retried_until_success(engine: Engine, http: LocalHTTPServer) -> None:
    http.sequence("POST", "/flaky", [Reply(503), Reply(502), Reply(200, {"ok": 1})])
    ex = run_webhook(engine, url=http.url("/flaky"))
    assert ex["status"] == "SUCCEEDED"
    assert len(http.hits("POST", "/flaky")) == 3


def test_retry_status_codes_and_max_attempts(engine: Engine, http: LocalHTTPServer) -> None:
    # given 409 listed in retryStatusCodes, and 503 limited to 2 attempts
    http.sequence("POST", "/conflict", [Reply(409), Reply(200)])
    assert run_webhook(engine, url=http.url("/conflict"), retryStatusCodes=[409])["status"] == "SUCCEEDED"
    http.route("POST", "/down", Reply(503))
    ex = run_webhook(engine, url=http.url("/down"), retries={"503": {"maxAttempts": 2}})
    assert ex["status"] == "TERMINAL"
    assert len(http.hits("POST", "/down")) == 2
    assert "gave up" in ex["stages"][0]["context"]["webhook"]["error"]


def test_fail_fast_and_client_errors_fail_at_once(engine: Engine, http: LocalHTTPServer) -> None:
    http.route("POST", "/gateway", Reply(504))
    http.route("POST", "/bad", Reply(400, {"why": "bad"}))
    http.route("POST", "/teapot", Reply(503))
    assert run_webhook(engine, url=http.url("/gateway"))["status"] == "TERMINAL"  # 504 fails fast by default
    ex = run_webhook(engine, url=http.url("/bad"))
    assert ex["status"] == "TERMINAL"
    assert ex["stages"][0]["context"]["webhook"]["body"] == {"why": "bad"}
    ex = run_webhook(engine, url=http.url("/teapot"), failFastStatusCodes=[503])
    assert ex["status"] == "TERMINAL"
    assert len(http.hits("POST", "/gateway")) == len(http.hits("POST", "/teapot")) == 1


def test_failure_options_apply(engine: Engine, http: LocalHTTPServer) -> None:
    http.route("POST", "/bad", Reply(400))
    ex = run_webhook(engine, url=http.url("/bad"), failPipeline=False)
    assert (ex["status"], ex["stages"][0]["status"]) == ("SUCCEEDED", "STOPPED")
    ex = run_webhook(engine, url=http.url("/bad"), continuePipeline=True)
    assert (ex["status"], ex["stages"][0]["status"]) == ("SUCCEEDED", "FAILED_CONTINUE")


def test_polls_location_header_until_a_success_status(engine: Engine, http: LocalHTTPServer) -> None:
    # given a job API: POST answers 202 with Location, the status runs then succeeds
    http.route("POST", "/jobs", Reply(202, {"id": 7}, {"Location": "/jobs/7"}))
    http.sequence(
        "GET",
        "/jobs/7",
        [
            Reply(200, {"state": "running", "msg": "building"}),
            Reply(200, {"state": "running", "msg": "testing"}),
            Reply(200, {"state": "done", "msg": "finished"}),
        ],
    )
    ex = run_webhook(
        engine,
        url=http.url("/jobs"),
        waitForCompletion=True,
        statusUrlResolution="locationHeader",
        statusJsonPath="$.state",
        progressJsonPath="$.msg",
        successStatuses="DONE",
    )
    assert ex["status"] == "SUCCEEDED"
    webhook = ex["stages"][0]["context"]["webhook"]
    assert webhook["statusEndpoint"] == http.url("/jobs/7")
    assert webhook["monitor"]["progressMessage"] == "finished"
    assert len(http.hits("GET", "/jobs/7")) == 3


def test_status_url_from_response_and_status_lists(engine: Engine, http: LocalHTTPServer) -> None:
    http.route("POST", "/start", Reply(200, {"links": {"status": http.url("/s")}}))
    http.route("GET", "/s", Reply(200, {"phase": "Failed"}))
    ex = run_webhook(
        engine,
        url=http.url("/start"),
        waitForCompletion=True,
        statusUrlResolution="webhookResponse",
        statusUrlJsonPath="links.status",
        statusJsonPath="$.phase",
        successStatuses="SUCCEEDED",
        terminalStatuses="FAILED,ERROR",
    )
    assert ex["status"] == "TERMINAL"
    http.route("GET", "/s", Reply(200, {"phase": "aborted"}))
    ex = run_webhook(
        engine,
        url=http.url("/start"),
        waitForCompletion=True,
        statusUrlResolution="webhookResponse",
        statusUrlJsonPath="links.status",
        statusJsonPath="$.phase",
        successStatuses="SUCCEEDED",
        canceledStatuses="ABORTED",
    )
    assert ex["stages"][0]["status"] == "CANCELED"


def test_numeric_status_is_percent_complete(engine: Engine, http: LocalHTTPServer) -> None:
    http.route("GET", "/p", Reply(200))
    http.sequence("GET", "/progress", [Reply(200, {"pct": 40}), Reply(200, {"pct": 100})])
    ex = run_webhook(
        engine,
        url=http.url("/progress"),
        method="GET",
        waitForCompletion=True,
        statusUrlResolution="getMethod",
        statusJsonPath="pct",
    )
    assert ex["status"] == "SUCCEEDED"
    assert ex["stages"][0]["context"]["webhook"]["monitor"]["percentComplete"] == 100


def test_monitor_only_polls_the_status_endpoint(engine: Engine, http: LocalHTTPServer) -> None:
    http.route("GET", "/health", Reply(200, {"ok": True}))
    ex = run_webhook(engine, monitorOnly=True, waitForCompletion=True, statusEndpoint=http.url("/health"))
    assert ex["status"] == "SUCCEEDED"
    assert [t["name"] for t in ex["stages"][0]["tasks"]] == ["monitorWebhook"]


def test_monitor_only_without_wait_is_a_planning_error(engine: Engine) -> None:
    ex = run_webhook(engine, monitorOnly=True, statusEndpoint="http://127.0.0.1:9/x")
    assert ex["status"] == "TERMINAL"
    errors = ex["stages"][0]["context"]["exception"]["details"]["errors"]
    assert "monitorOnly" in errors[0]


def test_dns_failure_is_retried_and_cancel_calls_the_cancel_endpoint(
    engine: Engine, http: LocalHTTPServer
) -> None:
    # given a job that keeps running, with a cancel endpoint
    http.route("POST", "/long", Reply(202, {}, {"Location": "/long/1"}))
    http.route("GET", "/long/1", Reply(200, {"s": "RUNNING"}))
    http.route("DELETE", "/long/1", Reply(204))
    eid = engine.run(
        [
            {
                "refId": "1",
                "type": "webhook",
                "url": http.url("/long"),
                "waitForCompletion": True,
                "statusUrlResolution": "locationHeader",
                "statusJsonPath": "s",
                "successStatuses": "OK",
                "cancelEndpoint": http.url("/long/1"),
                "cancelMethod": "DELETE",
            },
            {"refId": "2", "type": "webhook", "url": "http://gennaker-no-such-host.invalid/x"},
        ]
    )
    wait_for(lambda: len(http.hits("GET", "/long/1")) >= 2, what="polling")
    ex = wait_for(
        lambda: (
            (e := engine.svc.get_execution(eid))
            and "resolution" in str(stage_by_ref(e, "2")["context"].get("webhook", {}).get("error", ""))
            and e
        ),
        what="dns failure recorded and retried",
    )
    assert stage_by_ref(ex, "2")["status"] == "RUNNING"
    # when the execution is canceled
    engine.svc.cancel_execution(eid, principal="tester")
    wait_status(engine.svc, eid, {"CANCELED"})
    # then the stage ends CANCELED and the cancel endpoint is called
    wait_for(lambda: http.hits("DELETE", "/long/1"), what="cancel endpoint called")
    wait_for(
        lambda: stage_by_ref(engine.svc.get_execution(eid), "1")["status"] == "CANCELED",
        what="stage canceled",
    )
