"""HELM3 bakes through the real engine: a chart with a dependency from a real chart repository served over
HTTP (index.yaml + archives), values files from further artifacts, overrides with expressions, release name,
namespace, CRDs, capabilities; and a chart kept in a real git repository with a ``file://`` dependency."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.bake.charts import redis_chart, web_chart, write_chart
from tests.support.engine_peer import EnginePeer
from tests.support.git_repo import make_repo
from tests.support.helm_repo import index_repository, package_chart, serve_directory
from tests.support.http_peer import HttpPeer, Request, Response

PROD_VALUES = "replicaCount: 3\nenv:\n- name: MODE\n  value: prod\n- name: LEVEL\n  value: warn\n"


def _embedded(name: str, text: str) -> dict[str, Any]:
    return {"type": "embedded/base64", "name": name, "reference": base64.b64encode(text.encode()).decode()}


def _docs(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def _by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d.get("kind") == kind]


@pytest.fixture
def chart_repo(peer: HttpPeer, tmp_path: Path) -> str:
    """A chart repository at ``<peer>/charts`` holding redis 1.2.0 and web 0.1.0, which depends on redis from
    the same repository and was packaged as CI does it (``helm dependency update`` then ``helm package``)."""
    import helm_python

    repo = tmp_path / "repo"
    url = f"{peer.url}/charts"
    package_chart(redis_chart(tmp_path / "src"), repo)
    index_repository(repo, base_url=url)
    serve_directory(peer, repo, prefix="/charts")
    web = web_chart(tmp_path / "src", url)
    helm_python.dependency_update(str(web))
    package_chart(web, repo)
    index_repository(repo, base_url=url)
    return url


def _bake_pipeline(stage: dict[str, Any], expected: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "name": "bake-web",
        "expectedArtifacts": expected,
        "stages": [
            {
                "refId": "1",
                "type": "bakeManifest",
                "name": "Bake web",
                "expectedArtifacts": [
                    {"id": "baked", "matchArtifact": {"type": "embedded/base64", "name": "web-rendered"}}
                ],
                **stage,
            },
            {
                "refId": "2",
                "requisiteStageRefIds": ["1"],
                "type": "readBakedManifest",
                "manifestArtifactId": "baked",
            },
        ],
        **extra,
    }


def test_chart_from_a_chart_repository_with_dependency_values_files_and_overrides(
    engine: EnginePeer, peer: HttpPeer, chart_repo: str
) -> None:
    # given a helm account on the chart repository and an http account serving a values file
    engine.accounts.put(
        {"name": "charts", "type": "helm", "settings": {"repository": chart_repo}}, principal="t"
    )
    engine.accounts.put({"name": "web-files", "type": "http"}, principal="t")
    peer.route("GET", "/values/region.yaml", lambda r, m: Response(200, "region: eu-west-1\n"))
    expected = [
        {
            "id": "chart",
            "matchArtifact": {"type": "helm/chart", "name": "web"},
            "useDefaultArtifact": True,
            "defaultArtifact": {"type": "helm/chart", "name": "web", "version": "0.1.0"},
        },
        {
            "id": "values-prod",
            "matchArtifact": {"type": "embedded/base64", "name": "values-prod"},
            "useDefaultArtifact": True,
            "defaultArtifact": _embedded("values-prod", PROD_VALUES),
        },
        {
            "id": "values-region",
            "matchArtifact": {"type": "http/file"},
            "useDefaultArtifact": True,
            "defaultArtifact": {"type": "http/file", "reference": f"{peer.url}/values/region.yaml"},
        },
    ]
    stage = {
        "templateRenderer": "HELM3",
        "outputName": "web",
        "namespace": "shop-prod",
        "inputArtifacts": [
            {"id": "chart", "account": "charts"},
            {"id": "values-prod", "account": "embedded-artifact"},
            {"id": "values-region", "account": "web-files"},
        ],
        "overrides": {
            "image.tag": "${trigger.parameters.tag}",
            "env[1].value": "debug",
            "annotations.acme\\.io/owner": "team-a\\,team-b",
            "redis.replicaCount": "${1 + 1}",
        },
        "evaluateOverrideExpressions": True,
        "includeCRDs": True,
        "apiVersions": "monitoring.coreos.com/v1",
        "kubeVersion": "v1.30.2",
    }
    config = engine.save(_bake_pipeline(stage, expected, parameterConfig=[{"name": "tag", "default": "dev"}]))

    # when the pipeline runs with a tag parameter
    execution_id = engine.svc.start_pipeline_config(
        config, trigger={"type": "manual", "parameters": {"tag": "2.3.4"}}, principal="t"
    )
    execution = engine.wait(execution_id)

    # then the bake succeeded and produced exactly one embedded/base64 artifact, bound downstream
    assert execution["status"] == "SUCCEEDED", execution["stages"][0]["context"].get("exception")
    bake, read = execution["stages"][0], execution["stages"][1]
    produced = bake["outputs"]["artifacts"]
    assert [(a["type"], a["name"]) for a in produced] == [("embedded/base64", "web-rendered")]
    assert bake["context"]["artifacts"] == produced
    assert bake["outputs"]["cloudProvider"] == "kubernetes"
    assert bake["outputs"]["resolvedExpectedArtifacts"][0]["boundArtifact"] == produced[0]
    text = read["outputs"]["manifestText"]
    assert base64.b64decode(produced[0]["reference"]).decode() == text
    docs = _docs(text)

    # the CRD comes first, the hook last, and the chart's test pod is gone
    assert docs[0]["kind"] == "CustomResourceDefinition"
    assert docs[-1]["kind"] == "Job" and docs[-1]["metadata"]["name"] == "web-migrate"
    assert not _by_kind(docs, "Pod")
    # the dependency came from the chart repository, with the parent's override for it
    (redis,) = _by_kind(docs, "StatefulSet")
    assert redis["metadata"]["name"] == "web-redis" and redis["spec"]["replicas"] == 2
    (deployment,) = _by_kind(docs, "Deployment")
    assert deployment["metadata"]["namespace"] == "shop-prod"
    assert deployment["spec"]["replicas"] == 3  # the prod values file
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/acme/web:2.3.4"  # the override's expression
    assert container["env"] == [{"name": "MODE", "value": "prod"}, {"name": "LEVEL", "value": "debug"}]
    assert deployment["metadata"]["annotations"] == {"acme.io/owner": "team-a,team-b"}
    (config_map,) = _by_kind(docs, "ConfigMap")
    assert config_map["data"] == {"region": "eu-west-1", "kube": "1.30", "feature": "on"}
    assert _by_kind(docs, "ServiceMonitor"), "apiVersions should make the ServiceMonitor render"


def test_raw_overrides_are_typed_and_string_overrides_are_not(engine: EnginePeer, chart_repo: str) -> None:
    engine.accounts.put(
        {"name": "charts", "type": "helm", "settings": {"repository": chart_repo}}, principal="t"
    )
    chart = {"type": "helm/chart", "name": "web", "version": "0.1.0", "artifactAccount": "charts"}
    results = {}
    for raw in (False, True):
        stage = {
            "templateRenderer": "HELM3",
            "outputName": "web",
            "inputArtifacts": [{"account": "charts", "artifact": chart}],
            "overrides": {"feature.enabled": False},
            "rawOverrides": raw,
        }
        config = engine.save(_bake_pipeline(stage, [], name=f"raw-{raw}"))
        execution = engine.wait(engine.svc.start_pipeline_config(config, principal="t"))
        assert execution["status"] == "SUCCEEDED", execution["stages"][0]["context"].get("exception")
        docs = _docs(execution["stages"][1]["outputs"]["manifestText"])
        results[raw] = _by_kind(docs, "ConfigMap")[0]["data"]
    # --set-string makes "false", a non-empty string: the template sees it as true (Helm's semantics)
    assert results[False]["feature"] == "on"
    assert results[True]["feature"] == "off"
    assert results[False]["kube"] != "1.30"  # no kubeVersion: Helm's default capabilities


def test_chart_in_a_git_repository_with_dependencies_resolved_at_bake_time(
    engine: EnginePeer, chart_repo: str, tmp_path: Path
) -> None:
    # given a repository holding two charts: web depends on common through a relative file:// path and on
    # redis from the chart repository; neither is vendored in charts/
    src = tmp_path / "gitsrc"
    common = write_chart(
        src / "charts",
        "common",
        "0.3.0",
        {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-common\n"},
        "",
    )
    web = write_chart(
        src / "charts",
        "web",
        "1.0.0",
        {
            "svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n"
            "  labels: {tier: {{ .Values.tier | quote }}}\n"
        },
        "tier: backend\n",
        dependencies=[
            {"name": "common", "version": "0.3.0", "repository": "file://../common"},
            {"name": "redis", "version": "~1.2", "repository": chart_repo},
        ],
    )
    files = {str(p.relative_to(src)): p.read_text() for p in src.rglob("*") if p.is_file()}
    assert common.exists() and web.exists()
    repo, commit = make_repo(tmp_path / "git" / "deploy.git", files)
    engine.accounts.put(
        {"name": "deploy-repo", "type": "gitrepo", "settings": {"allowFileUrls": True}}, principal="t"
    )
    stage = {
        "templateRenderer": "HELM3",
        "outputName": "shop",
        "helmChartFilePath": "charts/web/Chart.yaml",
        "inputArtifacts": [
            {
                "account": "deploy-repo",
                "artifact": {"type": "git/repo", "reference": f"file://{repo}", "version": "master"},
            }
        ],
        "overrides": {"tier": "frontend"},
    }
    config = engine.save(_bake_pipeline(stage, []))
    execution = engine.wait(engine.svc.start_pipeline_config(config, principal="t"))
    assert execution["status"] == "SUCCEEDED", execution["stages"][0]["context"].get("exception")
    docs = _docs(execution["stages"][1]["outputs"]["manifestText"])
    assert {(d["kind"], d["metadata"]["name"]) for d in docs} == {
        ("ConfigMap", "shop-common"),
        ("Service", "shop"),
        ("StatefulSet", "shop-redis"),
    }
    assert _by_kind(docs, "Service")[0]["metadata"]["labels"] == {"tier": "frontend"}
    assert commit


def test_values_file_served_with_basic_auth_through_its_account(
    engine: EnginePeer, peer: HttpPeer, chart_repo: str
) -> None:
    seen: list[Request] = []

    def values(request: Request, _m: object) -> Response:
        seen.append(request)
        if request.header("authorization") != "Basic " + base64.b64encode(b"ci:pw").decode():
            return Response(401, "no")
        return Response(200, "region: private\n")

    peer.route("GET", "/private/values.yaml", values)
    engine.accounts.put(
        {"name": "charts", "type": "helm", "settings": {"repository": chart_repo}}, principal="t"
    )
    engine.accounts.put(
        {"name": "private", "type": "http", "settings": {"username": "ci"}, "secrets": {"password": "pw"}},
        principal="t",
    )
    stage = {
        "templateRenderer": "HELM3",
        "outputName": "web",
        "inputArtifacts": [
            {"account": "charts", "artifact": {"type": "helm/chart", "name": "web"}},
            {
                "account": "private",
                "artifact": {"type": "http/file", "reference": f"{peer.url}/private/values.yaml"},
            },
        ],
    }
    config = engine.save(_bake_pipeline(stage, []))
    execution = engine.wait(engine.svc.start_pipeline_config(config, principal="t"))
    assert execution["status"] == "SUCCEEDED", execution["stages"][0]["context"].get("exception")
    docs = _docs(execution["stages"][1]["outputs"]["manifestText"])
    assert _by_kind(docs, "ConfigMap")[0]["data"]["region"] == "private"
    assert seen and "pw" not in str(execution)
