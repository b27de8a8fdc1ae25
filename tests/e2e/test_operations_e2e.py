"""Through a real server, the engine behaviours that users drive or configure: pause and resume (paused
time does not count towards ``stageTimeoutMs``), ``limitConcurrent`` / ``maxConcurrentExecutions`` /
``keepWaitingPipelines``, synthetic stages in the execution JSON, restart of a stage and everything
downstream, ``stageEnabled`` and ``failOnFailedExpressions``, Gate's ``POST /tasks`` createApplication, and
the ``statuses`` filter of an application's executions."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.localhttp import LocalHTTPServer, Reply
from tests.realserver import run_pipeline, stage, wait_execution, wait_until

COMPLETE = {"SUCCEEDED", "TERMINAL", "CANCELED", "STOPPED"}


def get(api: httpx.Client, eid: str) -> dict[str, Any]:
    r = api.get(f"/pipelines/{eid}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def stage_status(api: httpx.Client, eid: str, ref: str, wanted: str) -> dict[str, Any]:
    """Wait (bounded) until stage ``ref`` of ``eid`` is ``wanted``; that stage."""
    return dict(
        wait_until(
            lambda: (s := stage(get(api, eid), ref))["status"] == wanted and s,
            timeout_s=60,
            what=f"stage {ref} of {eid} {wanted}",
        )
    )


def start(api: httpx.Client, app: str, name: str, **trigger: Any) -> str:
    """Trigger the saved pipeline ``app``/``name`` once more; the execution id."""
    r = api.post(f"/pipelines/{app}/{name}", json={"type": "manual", **trigger})
    assert r.status_code == 202, r.text
    return str(r.json()["ref"].rsplit("/", 1)[-1])


def judge(api: httpx.Client, eid: str, decision: str = "continue") -> None:
    """Judge the (only) manualJudgment stage ``hold`` of ``eid`` once it runs."""
    sid = stage_status(api, eid, "hold", "RUNNING")["id"]
    r = api.patch(f"/pipelines/{eid}/stages/{sid}", json={"judgmentStatus": decision})
    assert r.status_code == 200, r.text


HOLD = [{"refId": "hold", "type": "manualJudgment", "name": "Hold"}]


# ------------------------------------------------------------------------------------- pause / resume


def test_pause_and_resume_and_paused_time_does_not_count_towards_the_stage_timeout(api: httpx.Client) -> None:
    # given a 3 s wait whose stage times out after 4.5 s, followed by another stage
    stages = [
        {"refId": "1", "type": "wait", "name": "Soak", "waitTime": 3, "stageTimeoutMs": 4500},
        {"refId": "2", "type": "wait", "name": "After", "waitTime": 0, "requisiteStageRefIds": ["1"]},
    ]
    eid = run_pipeline(api, stages, app="pausing", name="soak")
    stage_status(api, eid, "1", "RUNNING")
    # when it is paused while the wait runs
    r = api.put(f"/pipelines/{eid}/pause")
    assert (r.status_code, r.json()["status"]) == (200, "PAUSED"), r.text
    # then the execution and its running stage are PAUSED and nothing downstream starts
    soak = stage_status(api, eid, "1", "PAUSED")
    assert get(api, eid)["status"] == "PAUSED"
    assert soak["tasks"][0]["status"] == "PAUSED"
    # and pausing twice is a conflict that names the state
    again = api.put(f"/pipelines/{eid}/pause")
    assert again.status_code == 409 and "PAUSED, not RUNNING" in again.text
    # when it stays paused until more than the stage timeout has passed since the stage started
    time.sleep(max(0.0, soak["startTime"] / 1000 + 5.5 - time.time()))
    paused = get(api, eid)
    assert (paused["status"], stage(paused, "2")["status"]) == ("PAUSED", "NOT_STARTED")
    r = api.put(f"/pipelines/{eid}/resume")
    assert (r.status_code, r.json()["status"]) == (200, "RUNNING"), r.text
    # then the stage succeeds: over 5.5 s of wall time, but under 4.5 s of it not paused
    ex = wait_execution(api, eid)
    assert ex["status"] == "SUCCEEDED", stage(ex, "1")["context"].get("exception")
    soak = stage(ex, "1")
    assert soak["status"] == "SUCCEEDED" and stage(ex, "2")["status"] == "SUCCEEDED"
    assert soak["endTime"] - soak["startTime"] > 5500
    assert ex["paused"]["pausedMs"] > 5500 - 4500
    assert ex["paused"]["pauseTime"] < ex["paused"]["resumeTime"] <= soak["endTime"]
    # and a finished execution can be neither paused nor resumed
    assert api.put(f"/pipelines/{eid}/pause").status_code == 409
    assert api.put(f"/pipelines/{eid}/resume").status_code == 409


def test_a_stage_that_runs_past_its_timeout_without_a_pause_is_terminal(api: httpx.Client) -> None:
    # given a 60 s wait with a 1 s stage timeout
    stages = [{"refId": "1", "type": "wait", "name": "Too long", "waitTime": 60, "stageTimeoutMs": 1000}]
    # when it runs
    ex = wait_execution(api, run_pipeline(api, stages, app="pausing", name="timeout"), timeout_s=30)
    # then the stage times out (the control for the test above)
    assert (ex["status"], stage(ex, "1")["status"]) == ("TERMINAL", "TERMINAL")
    exception = stage(ex, "1")["context"]["exception"]
    assert exception["exceptionType"] == "TimeoutException"
    assert "timed out" in exception["details"]["error"]
    # and restarting it records the timeout as the previous exception and runs it (into its timeout) again
    r = api.put(f"/pipelines/{ex['id']}/stages/{stage(ex, '1')['id']}/restart")
    assert r.status_code == 200, r.text
    again = wait_until(
        lambda: (
            (e := get(api, ex["id"]))["status"] == "TERMINAL"
            and stage(e, "1")["startTime"] > stage(ex, "1")["endTime"]
            and e
        ),
        timeout_s=60,
        what="restarted stage timed out again",
    )
    context = stage(again, "1")["context"]
    assert context["restartDetails"]["previousException"] == exception
    assert context["exception"]["exceptionType"] == "TimeoutException"


def test_a_paused_execution_can_be_canceled(api: httpx.Client) -> None:
    # given a paused execution of a long wait
    stages = [
        {"refId": "1", "type": "wait", "waitTime": 120},
        {"refId": "2", "type": "wait", "waitTime": 0, "requisiteStageRefIds": ["1"]},
    ]
    eid = run_pipeline(api, stages, app="pausing", name="cancel")
    stage_status(api, eid, "1", "RUNNING")
    assert api.put(f"/pipelines/{eid}/pause").status_code == 200
    stage_status(api, eid, "1", "PAUSED")
    # when it is canceled
    assert api.put(f"/pipelines/{eid}/cancel", params={"reason": "not needed"}).status_code == 200
    # then it ends CANCELED without running what follows
    ex = wait_execution(api, eid, timeout_s=30)
    assert (ex["status"], ex["canceledBy"], ex["cancellationReason"]) == (
        "CANCELED",
        "e2e-tester",
        "not needed",
    )
    assert [stage(ex, "1")["status"], stage(ex, "2")["status"]] == ["CANCELED", "NOT_STARTED"]


def test_pausing_or_resuming_an_unknown_execution_is_a_404(api: httpx.Client) -> None:
    for op in ("pause", "resume"):
        r = api.put(f"/pipelines/01NOSUCHEXECUTION/{op}")
        assert r.status_code == 404 and "01NOSUCHEXECUTION" in r.text


# ------------------------------------------------------------------------------------------- concurrency


def save(api: httpx.Client, app: str, name: str, stages: list[dict[str, Any]], **options: Any) -> None:
    r = api.post("/pipelines", json={"application": app, "name": name, "stages": stages, **options})
    assert r.status_code == 200, r.text


def statuses(api: httpx.Client, *eids: str) -> list[str]:
    return [get(api, e)["status"] for e in eids]


def test_limit_concurrent_queues_the_second_execution_until_the_first_ends(api: httpx.Client) -> None:
    # given a pipeline that runs one execution at a time
    save(api, "queueing", "one", HOLD, limitConcurrent=True, keepWaitingPipelines=True)
    first = start(api, "queueing", "one")
    stage_status(api, first, "hold", "RUNNING")
    # when a second execution is triggered
    second = start(api, "queueing", "one")
    # then it waits NOT_STARTED while the first runs
    time.sleep(1)
    assert statuses(api, first, second) == ["RUNNING", "NOT_STARTED"]
    assert stage(get(api, second), "hold")["status"] == "NOT_STARTED"
    # when the first ends
    judge(api, first)
    assert wait_execution(api, first)["status"] == "SUCCEEDED"
    # then the second starts, after the first's end
    ex = wait_execution(api, second, {"RUNNING"})
    assert ex["startTime"] >= get(api, first)["endTime"]
    judge(api, second)
    assert wait_execution(api, second)["status"] == "SUCCEEDED"


def test_max_concurrent_executions_caps_the_running_ones(api: httpx.Client) -> None:
    # given a pipeline that runs at most two executions at once
    save(
        api,
        "queueing",
        "two",
        HOLD,
        limitConcurrent=False,
        maxConcurrentExecutions=2,
        keepWaitingPipelines=True,
    )
    # when three are triggered
    a, b = start(api, "queueing", "two"), start(api, "queueing", "two")
    stage_status(api, a, "hold", "RUNNING")
    stage_status(api, b, "hold", "RUNNING")
    c = start(api, "queueing", "two")
    # then two run and the third waits
    time.sleep(1)
    assert statuses(api, a, b, c) == ["RUNNING", "RUNNING", "NOT_STARTED"]
    # when one of the running ones ends, the third starts
    judge(api, b)
    wait_execution(api, c, {"RUNNING"})
    assert statuses(api, a, b) == ["RUNNING", "SUCCEEDED"]
    for eid in (a, c):
        judge(api, eid)
        assert wait_execution(api, eid)["status"] == "SUCCEEDED"


def test_without_keep_waiting_only_the_newest_waiting_execution_survives(api: httpx.Client) -> None:
    # given a limitConcurrent pipeline that does not keep waiting executions, one running and three waiting
    save(api, "queueing", "purge", HOLD, limitConcurrent=True, keepWaitingPipelines=False)
    running = start(api, "queueing", "purge")
    stage_status(api, running, "hold", "RUNNING")
    waiting = [start(api, "queueing", "purge") for _ in range(3)]
    wait_until(lambda: statuses(api, *waiting) == ["NOT_STARTED"] * 3, what="three waiting")
    # when the running one ends
    judge(api, running)
    # then the newest waiting one runs and the older waiting ones are canceled as superseded
    wait_execution(api, waiting[-1], {"RUNNING"})
    for eid in waiting[:-1]:
        ex = wait_execution(api, eid)
        assert ex["status"] == "CANCELED"
        assert "superceded" in ex["cancellationReason"]
        assert all(s["status"] == "NOT_STARTED" for s in ex["stages"]), "a superseded execution never ran"
    judge(api, waiting[-1])
    assert wait_execution(api, waiting[-1])["status"] == "SUCCEEDED"


def test_with_keep_waiting_every_waiting_execution_runs_oldest_first(api: httpx.Client) -> None:
    # given a limitConcurrent pipeline that keeps waiting executions, one running and two waiting
    save(api, "queueing", "keep", HOLD, limitConcurrent=True, keepWaitingPipelines=True)
    running = start(api, "queueing", "keep")
    stage_status(api, running, "hold", "RUNNING")
    older, newer = start(api, "queueing", "keep"), start(api, "queueing", "keep")
    wait_until(lambda: statuses(api, older, newer) == ["NOT_STARTED"] * 2, what="two waiting")
    # when the running one ends, the oldest waiting one runs and the newer one keeps waiting
    judge(api, running)
    wait_execution(api, older, {"RUNNING"})
    time.sleep(0.5)
    assert get(api, newer)["status"] == "NOT_STARTED"
    # when that one ends too, the last one runs; none was canceled
    judge(api, older)
    wait_execution(api, newer, {"RUNNING"})
    judge(api, newer)
    assert statuses(api, running, older) == ["SUCCEEDED", "SUCCEEDED"]
    assert wait_execution(api, newer)["status"] == "SUCCEEDED"


# ------------------------------------------------------------------------------------- synthetic stages


def test_check_preconditions_synthetic_stages_are_in_the_execution_json(api: httpx.Client) -> None:
    # given a checkPreconditions stage with two preconditions, and one whose failing precondition does
    # not fail the pipeline
    stages = [
        {"refId": "1", "type": "wait", "name": "Warm up", "waitTime": 0},
        {
            "refId": "2",
            "type": "checkPreconditions",
            "name": "Gate",
            "requisiteStageRefIds": ["1"],
            "preconditions": [
                {"type": "expression", "context": {"expression": "${trigger.parameters.go == 'yes'}"}},
                {"type": "stageStatus", "context": {"stageName": "Warm up", "stageStatus": "SUCCEEDED"}},
            ],
        },
        {
            "refId": "3",
            "type": "checkPreconditions",
            "name": "Soft gate",
            "requisiteStageRefIds": ["1"],
            "preconditions": [
                {
                    "type": "expression",
                    "failPipeline": False,
                    "context": {"expression": "false", "failureMessage": "not today"},
                }
            ],
        },
        {"refId": "4", "type": "wait", "waitTime": 0, "requisiteStageRefIds": ["3"]},
    ]
    # when it runs
    ex = wait_execution(
        api, run_pipeline(api, stages, app="synthetic", name="pre", trigger={"parameters": {"go": "yes"}})
    )
    # then each precondition is a synthetic stage under its parent, before it, with its own status
    gate = stage(ex, "2")
    children = sorted(
        (s for s in ex["stages"] if s.get("parentStageId") == gate["id"]), key=lambda s: s["refId"]
    )
    assert [(s["refId"], s["name"], s["syntheticStageOwner"], s["status"]) for s in children] == [
        ("2<1", "Check precondition (expression)", "STAGE_BEFORE", "SUCCEEDED"),
        ("2<2", "Check precondition (stageStatus)", "STAGE_BEFORE", "SUCCEEDED"),
    ]
    assert gate["status"] == "SUCCEEDED" and gate.get("syntheticStageOwner") is None
    # and the failing precondition with failPipeline false stops its branch only
    soft = stage(ex, "3")
    (failed,) = [s for s in ex["stages"] if s.get("parentStageId") == soft["id"]]
    assert (failed["refId"], failed["status"]) == ("3<1", "STOPPED")
    assert failed["context"]["context"]["failureMessage"] == "not today"
    assert (soft["status"], stage(ex, "4")["status"], ex["status"]) == ("STOPPED", "NOT_STARTED", "SUCCEEDED")


# ---------------------------------------------------------------------------------------------- restart


def test_restarting_a_failed_stage_runs_it_and_everything_downstream_again(
    api: httpx.Client, http: LocalHTTPServer
) -> None:
    # given a pipeline whose webhook stage fails (400) before a downstream stage
    http.route("POST", "/deploy", Reply(400, {"error": "not yet"}))
    stages = [
        {"refId": "1", "type": "wait", "name": "Before", "waitTime": 0},
        {
            "refId": "2",
            "type": "webhook",
            "name": "Deploy",
            "url": http.url("/deploy"),
            "requisiteStageRefIds": ["1"],
        },
        {"refId": "3", "type": "wait", "name": "After", "waitTime": 0, "requisiteStageRefIds": ["2"]},
    ]
    eid = run_pipeline(api, stages, app="restarting", name="fix")
    failed = wait_execution(api, eid)
    assert (failed["status"], stage(failed, "2")["status"], stage(failed, "3")["status"]) == (
        "TERMINAL",
        "TERMINAL",
        "NOT_STARTED",
    )
    # when the endpoint is fixed and the failed stage restarted
    http.route("POST", "/deploy", Reply(200, {"ok": True}))
    r = api.put(f"/pipelines/{eid}/stages/{stage(failed, '2')['id']}/restart")
    assert r.status_code == 200, r.text
    # then it and the stage after it run again and the pipeline succeeds
    ex = wait_until(
        lambda: (e := get(api, eid))["status"] == "SUCCEEDED" and e, timeout_s=60, what="restarted pipeline"
    )
    deploy = stage(ex, "2")
    assert deploy["status"] == stage(ex, "3")["status"] == "SUCCEEDED"
    assert len(http.hits("POST", "/deploy")) == 2
    assert deploy["startTime"] > stage(failed, "2")["endTime"]
    assert "error" not in deploy["context"]["webhook"], "the failed attempt's outputs are gone"
    details = deploy["context"]["restartDetails"]
    assert details["restartedBy"] == "e2e-tester"
    assert details["restartTime"] > stage(failed, "2")["endTime"]
    assert details["previousException"] is None  # a 400 is a TERMINAL result, not an exception (as Orca)
    # and the stage upstream of it did not run again
    assert stage(ex, "1")["startTime"] == stage(failed, "1")["startTime"]


def test_restarting_a_succeeded_stage_reruns_only_it_and_its_downstream(api: httpx.Client) -> None:
    # given a finished pipeline 1 -> 2 -> 3 with a side branch 1 -> side
    stages = [
        {"refId": "1", "type": "wait", "waitTime": 0},
        {
            "refId": "2",
            "type": "evaluateVariables",
            "requisiteStageRefIds": ["1"],
            "variables": [{"key": "run", "value": "${execution.stages.size()}"}],
        },
        {"refId": "3", "type": "wait", "waitTime": 0, "requisiteStageRefIds": ["2"]},
        {"refId": "side", "type": "wait", "waitTime": 0, "requisiteStageRefIds": ["1"]},
    ]
    eid = run_pipeline(api, stages, app="restarting", name="rerun")
    before = wait_execution(api, eid)
    assert before["status"] == "SUCCEEDED"
    # when stage 2 is restarted
    r = api.put(f"/pipelines/{eid}/stages/{stage(before, '2')['id']}/restart")
    assert r.status_code == 200, r.text
    # then 2 and 3 run again (new start times) while 1 and the side branch keep theirs
    ex = wait_until(
        lambda: (
            (e := get(api, eid))["status"] == "SUCCEEDED"
            and stage(e, "3")["startTime"] > stage(before, "3")["endTime"]
            and e
        ),
        timeout_s=60,
        what="stages 2 and 3 run again",
    )
    assert stage(ex, "2")["startTime"] > stage(before, "2")["endTime"]
    assert stage(ex, "2")["context"]["restartDetails"]["restartedBy"] == "e2e-tester"
    for ref in ("1", "side"):
        assert stage(ex, ref)["startTime"] == stage(before, ref)["startTime"]
        assert "restartDetails" not in stage(ex, ref)["context"]
    # and a running stage cannot be restarted
    hold = run_pipeline(api, HOLD, app="restarting", name="hold")
    sid = stage_status(api, hold, "hold", "RUNNING")["id"]
    conflict = api.put(f"/pipelines/{hold}/stages/{sid}/restart")
    assert conflict.status_code == 409 and "only a finished stage can be restarted" in conflict.text
    api.put(f"/pipelines/{hold}/cancel")


# ------------------------------------------------------------------------ stageEnabled, failed expressions


def test_stage_enabled_false_skips_the_stage_and_what_follows_runs(api: httpx.Client) -> None:
    # given a stage enabled only for prod
    stages = [
        {
            "refId": "1",
            "type": "wait",
            "name": "Prod only",
            "waitTime": 0,
            "stageEnabled": {"type": "expression", "expression": "parameters.env == 'prod'"},
        },
        {"refId": "2", "type": "wait", "name": "Always", "waitTime": 0, "requisiteStageRefIds": ["1"]},
    ]
    params = [{"name": "env", "default": "dev"}]
    dev = run_pipeline(api, stages, app="enabling", name="env", parameterConfig=params)
    prod = start(api, "enabling", "env", parameters={"env": "prod"})
    # when it runs for dev, then the stage is SKIPPED (its task never ran) and the next stage runs
    ex = wait_execution(api, dev)
    assert [ex["status"], stage(ex, "1")["status"], stage(ex, "2")["status"]] == [
        "SUCCEEDED",
        "SKIPPED",
        "SUCCEEDED",
    ]
    assert "startTime" not in stage(ex, "1")["context"]
    # and for prod it runs
    ex = wait_execution(api, prod)
    assert [ex["status"], stage(ex, "1")["status"]] == ["SUCCEEDED", "SUCCEEDED"]
    assert "startTime" in stage(ex, "1")["context"]


def test_a_failed_expression_is_recorded_and_fails_the_stage_only_when_asked(api: httpx.Client) -> None:
    # given the same bad expression in a stage's context, in a stage that tolerates it and in one with
    # failOnFailedExpressions (evaluateVariables is not used: it always fails on a bad variable)
    bad = "${trigger.parameters.nosuch.region}"
    stages = [
        {"refId": "lenient", "type": "wait", "waitTime": 0, "note": bad},
        {
            "refId": "strict",
            "type": "wait",
            "waitTime": 0,
            "requisiteStageRefIds": ["lenient"],
            "failOnFailedExpressions": True,
            "note": bad,
        },
        {"refId": "after", "type": "wait", "waitTime": 0, "requisiteStageRefIds": ["strict"]},
    ]
    # when it runs
    ex = wait_execution(api, run_pipeline(api, stages, app="expressions", name="bad"))
    # then the tolerant stage keeps the raw text, records the failure and succeeds
    lenient = stage(ex, "lenient")
    assert lenient["status"] == "SUCCEEDED"
    assert lenient["context"]["note"] == bad
    assert "trigger.parameters.nosuch.region" in str(lenient["context"]["expressionEvaluationSummary"])
    # and the strict stage is TERMINAL with the summary, failing the pipeline before the next stage
    strict = stage(ex, "strict")
    assert (strict["status"], ex["status"], stage(ex, "after")["status"]) == (
        "TERMINAL",
        "TERMINAL",
        "NOT_STARTED",
    )
    assert "trigger.parameters.nosuch.region" in str(strict["context"]["expressionEvaluationSummary"])
    assert "trigger.parameters.nosuch.region" in str(strict["context"]["exception"])
    assert "startTime" not in strict["context"], "the wait task never ran"


# ---------------------------------------------------------------------- Gate tasks and execution filters


def test_post_tasks_create_application_then_the_application_exists(api: httpx.Client) -> None:
    # given no application "tasked"
    assert api.get("/applications/tasked").status_code == 404
    # when Gate's createApplication task is posted
    r = api.post(
        "/tasks",
        json={
            "application": "tasked",
            "description": "Create Application: tasked",
            "job": [
                {
                    "type": "createApplication",
                    "application": {
                        "name": "tasked",
                        "email": "team@example.com",
                        "cloudProviders": "kubernetes",
                    },
                }
            ],
        },
    )
    assert r.status_code == 200, r.text
    ref = r.json()["ref"]
    assert ref.startswith("/tasks/")
    # then the task (an ORCHESTRATION) succeeds, by the caller
    task = wait_until(
        lambda: (t := api.get(ref).json())["status"] in COMPLETE and t, timeout_s=60, what="task done"
    )
    assert (task["status"], task["type"], task["application"]) == ("SUCCEEDED", "ORCHESTRATION", "tasked")
    assert task["name"] == "Create Application: tasked"
    assert stage(task, task["stages"][0]["refId"])["type"] == "createApplication"
    # and the application exists with its attributes, recorded as created by the caller
    app = api.get("/applications/tasked")
    assert app.status_code == 200, app.text
    attributes = app.json()["attributes"]
    assert attributes["email"] == "team@example.com"
    assert attributes["lastModifiedBy"] == "e2e-tester"
    assert "tasked" in [a["name"] for a in api.get("/applications").json()]


def test_application_executions_filtered_by_status(api: httpx.Client) -> None:
    # given one succeeded, one running and one terminal execution of an application
    ok = run_pipeline(api, [{"refId": "1", "type": "wait", "waitTime": 0}], app="filtering", name="ok")
    bad = run_pipeline(
        api,
        [
            {
                "refId": "1",
                "type": "checkPreconditions",
                "preconditions": [{"type": "expression", "context": {"expression": "false"}}],
            }
        ],
        app="filtering",
        name="bad",
    )
    running = run_pipeline(api, HOLD, app="filtering", name="hold")
    assert wait_execution(api, ok)["status"] == "SUCCEEDED"
    assert wait_execution(api, bad)["status"] == "TERMINAL"
    stage_status(api, running, "hold", "RUNNING")

    def listed(query: str) -> set[str]:
        r = api.get(f"/applications/filtering/pipelines{query}")
        assert r.status_code == 200, r.text
        return {e["id"] for e in r.json()}

    # when the executions are listed with and without a status filter, then each filter keeps its own
    assert listed("") == {ok, bad, running}
    assert listed("?statuses=RUNNING,SUCCEEDED") == {ok, running}
    assert listed("?statuses=terminal") == {bad}
    assert listed("?statuses=CANCELED") == set()
    # and an unknown status is a 400 that names it
    r = api.get("/applications/filtering/pipelines?statuses=RUNNING,DONE")
    assert r.status_code == 400 and "'DONE'" in r.text and "statuses" in r.text
    api.put(f"/pipelines/{running}/cancel")
    assert wait_execution(api, running)["status"] == "CANCELED"
