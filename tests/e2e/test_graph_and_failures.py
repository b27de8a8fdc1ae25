"""Through a real server: parallel branches really run in parallel, a join waits for all its parents, and
each failure option ends in the status Spinnaker gives (the failing stage is a webhook whose endpoint
answers 400)."""

from __future__ import annotations

import httpx
import pytest

from tests.localhttp import LocalHTTPServer, Reply
from tests.realserver import run_pipeline, stage, wait_execution


def test_parallel_branches_overlap_and_the_join_waits_for_all(api: httpx.Client) -> None:
    # given a fan-out of three 1.5 s waits and a join
    stages = [
        {"refId": "start", "type": "wait", "waitTime": 0},
        *[
            {"refId": f"b{i}", "type": "wait", "waitTime": 1.5, "requisiteStageRefIds": ["start"]}
            for i in range(3)
        ],
        {"refId": "join", "type": "wait", "waitTime": 0, "requisiteStageRefIds": ["b0", "b1", "b2"]},
    ]
    # when it runs
    ex = wait_execution(api, run_pipeline(api, stages, app="graph", name="fan"))
    # then the branches' run times overlap (parallel, not one after another)
    assert ex["status"] == "SUCCEEDED"
    branches = [stage(ex, f"b{i}") for i in range(3)]
    assert max(b["startTime"] for b in branches) < min(b["endTime"] for b in branches)
    # and the join started only after the last parent finished
    join = stage(ex, "join")
    assert join["startTime"] >= max(b["endTime"] for b in branches)


@pytest.mark.parametrize(
    ("options", "failed_status", "pipeline_status", "downstream", "other_branch"),
    [
        ({}, "TERMINAL", "TERMINAL", "NOT_STARTED", "CANCELED"),
        ({"continuePipeline": True}, "FAILED_CONTINUE", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"),
        ({"failPipeline": False}, "STOPPED", "SUCCEEDED", "NOT_STARTED", "SUCCEEDED"),
        (
            {"failPipeline": False, "completeOtherBranchesThenFail": True},
            "STOPPED",
            "TERMINAL",
            "NOT_STARTED",
            "SUCCEEDED",
        ),
    ],
)
def test_failure_options(
    api: httpx.Client,
    http: LocalHTTPServer,
    options: dict,
    failed_status: str,
    pipeline_status: str,
    downstream: str,
    other_branch: str,
) -> None:
    # given a branch whose webhook fails (400) next to a branch that takes a second
    http.route("POST", "/fail", Reply(400, {"error": "nope"}))
    stages = [
        {"refId": "bad", "type": "webhook", "url": http.url("/fail"), **options},
        {"refId": "after", "type": "wait", "waitTime": 0, "requisiteStageRefIds": ["bad"]},
        {"refId": "other", "type": "wait", "waitTime": 1},
    ]
    # when it runs
    ex = wait_execution(
        api, run_pipeline(api, stages, app="failures", name=f"f{len(options)}{failed_status}")
    )
    if other_branch == "CANCELED":  # the pipeline ends at once; the other branch is canceled right after
        from tests.realserver import wait_until

        ex = wait_until(
            lambda: (
                (e := api.get(f"/pipelines/{ex['id']}").json())
                and stage(e, "other")["status"] != "RUNNING"
                and e
            ),
            what="other branch canceled",
        )
    # then each stage and the pipeline end as Spinnaker's rules say
    assert stage(ex, "bad")["status"] == failed_status
    assert ex["status"] == pipeline_status
    assert stage(ex, "after")["status"] == downstream
    assert stage(ex, "other")["status"] == other_branch
    assert "400" in stage(ex, "bad")["context"]["webhook"]["error"]
