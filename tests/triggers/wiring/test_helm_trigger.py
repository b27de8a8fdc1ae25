"""Helm triggers end to end against a real chart repository served over HTTP: a newly published chart version
matching the trigger starts the pipeline with the helm/chart artifact; versions that were there before, or
that do not match, start nothing."""

from __future__ import annotations

import time
from pathlib import Path

from gennaker.triggers.runtime import TriggerRuntime
from tests.support.engine_peer import EnginePeer
from tests.support.helm_repo import index_repository, make_chart, package_chart, serve_directory
from tests.support.http_peer import HttpPeer
from tests.support.waiting import wait_until


def _publish(repo: Path, src: Path, version: str, url: str) -> None:
    package_chart(make_chart(src, "web", version), repo)
    index_repository(repo, base_url=url)


def test_a_new_chart_version_starts_the_pipeline_with_the_chart_artifact(
    engine: EnginePeer, runtime: TriggerRuntime, peer: HttpPeer, tmp_path: Path
) -> None:
    repo, src = tmp_path / "repo", tmp_path / "src"
    url = f"{peer.url}/charts"
    _publish(repo, src, "1.0.0", url)
    serve_directory(peer, repo, prefix="/charts")
    engine.accounts.put({"name": "charts", "type": "helm", "settings": {"repository": url}}, principal="t")
    config = engine.save(
        {
            "name": "deploy-chart",
            "triggers": [
                {
                    "type": "helm",
                    "account": "charts",
                    "chart": "web",
                    "version": r"1\..*",
                    "expectedArtifactIds": ["chart"],
                }
            ],
            "expectedArtifacts": [{"id": "chart", "matchArtifact": {"type": "helm/chart", "name": "web"}}],
            "stages": [{"refId": "1", "type": "wait", "waitTime": 0}],
        }
    )
    runtime.start()
    wait_until(lambda: any(p.get("lastSuccessTs") for p in runtime.status()["pollers"]))

    _publish(repo, src, "2.0.0", url)
    _publish(repo, src, "1.1.0", url)
    (execution,) = wait_until(lambda: engine.executions(config["id"]))
    time.sleep(2.0)
    assert len(engine.executions(config["id"])) == 1
    trigger = engine.wait(execution["id"])["trigger"]
    assert trigger["version"] == "1.1.0" and trigger["digest"]
    (resolved,) = trigger["resolvedExpectedArtifacts"]
    assert resolved["boundArtifact"] == {
        "type": "helm/chart",
        "name": "web",
        "version": "1.1.0",
        "artifactAccount": "charts",
        "metadata": {"digest": trigger["digest"]},
    }
    reasons = [o.get("reason") for e in runtime.triggers.list_events(type="helm") for o in e["outcomes"]]
    assert "trigger 0: version '2.0.0' does not match '1\\\\..*'" in reasons
