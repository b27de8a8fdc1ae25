"""Bad input fails the bakeManifest stage with a message naming what was wrong: an artifact that cannot be
fetched (artifact, account and the server's answer), Helm's own template error, the stage JSON's mistakes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bake.charts import write_chart
from tests.support.engine_peer import EnginePeer
from tests.support.helm_repo import index_repository, package_chart, serve_directory
from tests.support.http_peer import HttpPeer, Response

GOOD_TEMPLATE = {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"}


@pytest.fixture
def charts(engine: EnginePeer, peer: HttpPeer, tmp_path: Path) -> str:
    repo = tmp_path / "repo"
    package_chart(write_chart(tmp_path / "src", "good", "1.0.0", GOOD_TEMPLATE, ""), repo)
    broken = {"bad.yaml": "kind: ConfigMap\nvalue: {{ .Values.missing.deeper }}\n"}
    package_chart(write_chart(tmp_path / "src", "broken", "1.0.0", broken, ""), repo)
    url = f"{peer.url}/charts"
    index_repository(repo, base_url=url)
    serve_directory(peer, repo, prefix="/charts")
    engine.accounts.put({"name": "charts", "type": "helm", "settings": {"repository": url}}, principal="t")
    engine.accounts.put({"name": "web-files", "type": "http"}, principal="t")
    return url


def _run(engine: EnginePeer, **stage: Any) -> list[str]:
    body: dict[str, Any] = {
        "refId": "1",
        "type": "bakeManifest",
        "templateRenderer": "HELM3",
        "outputName": "web",
        "inputArtifacts": [{"account": "charts", "artifact": {"type": "helm/chart", "name": "good"}}],
        "expectedArtifacts": [{"id": "out", "matchArtifact": {"type": "embedded/base64", "name": "out"}}],
    }
    body.update(stage)
    body = {k: v for k, v in body.items() if v is not None}
    config = engine.save({"name": "bad-bake", "stages": [body]})
    execution = engine.wait(engine.svc.start_pipeline_config(config, principal="t"))
    assert execution["status"] == "TERMINAL"
    errors: list[str] = execution["stages"][0]["context"]["exception"]["details"]["errors"]
    return errors


def test_a_values_file_that_cannot_be_fetched_names_artifact_account_and_answer(
    engine: EnginePeer, peer: HttpPeer, charts: str
) -> None:
    peer.route("GET", "/values/gone.yaml", lambda r, m: Response(404, '{"error": "no such values file"}'))
    errors = _run(
        engine,
        inputArtifacts=[
            {"account": "charts", "artifact": {"type": "helm/chart", "name": "good"}},
            {
                "account": "web-files",
                "artifact": {"type": "http/file", "reference": f"{peer.url}/values/gone.yaml"},
            },
        ],
    )
    (message,) = errors
    assert "Could not fetch artifact" in message
    assert f"{peer.url}/values/gone.yaml" in message
    assert "account 'web-files'" in message
    assert "HTTP 404" in message and "no such values file" in message


def test_a_chart_version_missing_from_the_repository(engine: EnginePeer, charts: str) -> None:
    (message,) = _run(
        engine,
        inputArtifacts=[
            {"account": "charts", "artifact": {"type": "helm/chart", "name": "good", "version": "9.9.9"}}
        ],
    )
    assert "account 'charts'" in message and "9.9.9" in message


def test_helm_template_errors_are_shown_as_helm_reports_them(engine: EnginePeer, charts: str) -> None:
    (message,) = _run(
        engine, inputArtifacts=[{"account": "charts", "artifact": {"type": "helm/chart", "name": "broken"}}]
    )
    assert "broken/templates/bad.yaml" in message
    assert "nil pointer evaluating interface {}.deeper" in message


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ({"expectedArtifacts": []}, "must hold exactly one artifact, not 0"),
        (
            {"expectedArtifacts": [{"id": "a", "matchArtifact": {}}, {"id": "b", "matchArtifact": {}}]},
            "must hold exactly one artifact, not 2",
        ),
        ({"templateRenderer": "HELM2"}, "templateRenderer HELM2 is not supported"),
        ({"templateRenderer": "HELMFILE"}, "templateRenderer HELMFILE is not supported"),
        ({"templateRenderer": "JINJA"}, "Invalid template renderer 'JINJA'"),
        ({"outputName": None}, "outputName (the Helm release name) is required"),
        ({"outputName": "Bad_Name"}, "outputName 'Bad_Name' is not a valid Helm release name"),
        ({"inputArtifacts": [{"id": "nowhere", "account": "charts"}]}, "Input artifact (id: nowhere"),
        ({"inputArtifacts": []}, "At least one input artifact"),
        ({"overrides": {"a": "b,c"}}, "overrides['a'] (--set-string): key \"c\" has no value"),
        ({"overrides": {"x": "${nope.nope}"}, "evaluateOverrideExpressions": True}, "overrides: expressions"),
    ],
)
def test_stage_json_mistakes_name_the_field(
    engine: EnginePeer, charts: str, stage: dict[str, Any], expected: str
) -> None:
    (message,) = _run(engine, **stage)
    assert expected in message


def test_an_account_that_serves_another_type(engine: EnginePeer, charts: str) -> None:
    (message,) = _run(
        engine, inputArtifacts=[{"account": "web-files", "artifact": {"type": "helm/chart", "name": "good"}}]
    )
    assert "artifact account 'web-files' (type http) cannot fetch" in message
