"""The caller (X-Spinnaker-User / X-Gennaker-User, else anonymous) is recorded on executions,
judgments, cancellations, configs and the audit log."""

from __future__ import annotations

from tests.realserver import RealServer, run_pipeline, stage, wait_execution, wait_until


def test_principal_is_recorded_everywhere(server: RealServer) -> None:
    with server.client("alice") as alice, server.client() as anon:
        stages = [
            {"refId": "1", "type": "manualJudgment", "name": "Go"},
            {"refId": "2", "type": "wait", "waitTime": 300, "requisiteStageRefIds": ["1"]},
        ]
        eid = run_pipeline(alice, stages, app="principals", name="p")
        ex = alice.get(f"/pipelines/{eid}").json()
        assert ex["authentication"]["user"] == "alice"
        assert ex["trigger"]["user"] == "alice"
        assert alice.get("/applications/principals/pipelineConfigs/p").json()["lastModifiedBy"] == "alice"
        sid = wait_until(
            lambda: (
                stage(alice.get(f"/pipelines/{eid}").json(), "1")["status"] == "RUNNING"
                and stage(alice.get(f"/pipelines/{eid}").json(), "1")["id"]
            ),
            what="judgment running",
        )
        r = anon.patch(
            f"/pipelines/{eid}/stages/{sid}",
            json={"judgmentStatus": "continue"},
            headers={"X-Gennaker-User": "bob"},
        )
        assert r.status_code == 200, r.text
        wait_until(
            lambda: stage(alice.get(f"/pipelines/{eid}").json(), "2")["status"] == "RUNNING",
            what="wait running",
        )
        judged = stage(alice.get(f"/pipelines/{eid}").json(), "1")
        assert judged["context"]["lastModifiedBy"] == "bob"
        assert judged["lastModified"]["user"] == "bob"
        assert anon.put(f"/pipelines/{eid}/cancel", params={"reason": "enough"}).status_code == 200
        ex = wait_execution(alice, eid)
        assert (ex["canceledBy"], ex["cancellationReason"]) == ("anonymous", "enough")
        audit = alice.get("/audit", params={"application": "principals"}).json()
        actions = {(a["principal"], a["action"]) for a in audit}
        assert {
            ("alice", "pipeline.save"),
            ("alice", "execution.start"),
            ("bob", "stage.update"),
            ("anonymous", "execution.cancel"),
        } <= actions
