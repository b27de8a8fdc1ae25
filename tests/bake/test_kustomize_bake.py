"""KUSTOMIZE / KUSTOMIZE4 bakes through the real engine: an overlay on a base in a real git repository,
rendered by kubectl's built-in kustomize, consumed downstream by expected-artifact id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.engine_peer import EnginePeer
from tests.support.git_repo import commit, make_repo

BASE = {
    "k8s/base/kustomization.yaml": "resources:\n- deployment.yaml\n- service.yaml\n",
    "k8s/base/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: ghcr.io/acme/api:dev
""",
    "k8s/base/service.yaml": """\
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports: [{port: 80}]
""",
    "k8s/overlays/prod/kustomization.yaml": """\
resources:
- ../../base
namespace: shop-prod
namePrefix: prod-
images:
- name: ghcr.io/acme/api
  newTag: "1.4.2"
replicas:
- name: api
  count: 4
configMapGenerator:
- name: api-config
  literals: [LEVEL=warn]
""",
}


def _pipeline(renderer: str, path: str | None, reference: str, name: str = "kustomize") -> dict[str, Any]:
    stage: dict[str, Any] = {
        "refId": "1",
        "type": "bakeManifest",
        "templateRenderer": renderer,
        "inputArtifact": {
            "account": "deploy-repo",
            "artifact": {"type": "git/repo", "reference": reference, "version": "master"},
        },
        "expectedArtifacts": [{"id": "baked", "matchArtifact": {"type": "embedded/base64", "name": "api"}}],
    }
    if path is not None:
        stage["kustomizeFilePath"] = path
    return {
        "name": name,
        "stages": [
            stage,
            {
                "refId": "2",
                "requisiteStageRefIds": ["1"],
                "type": "readBakedManifest",
                "manifestArtifactId": "baked",
            },
        ],
    }


@pytest.fixture
def repo(engine: EnginePeer, tmp_path: Path) -> Path:
    path, _ = make_repo(tmp_path / "git" / "shop.git", BASE)
    engine.accounts.put(
        {"name": "deploy-repo", "type": "gitrepo", "settings": {"allowFileUrls": True}}, principal="t"
    )
    return path


@pytest.mark.parametrize("renderer", ["KUSTOMIZE4", "KUSTOMIZE"])
def test_overlay_on_a_base_in_a_git_repository(engine: EnginePeer, repo: Path, renderer: str) -> None:
    config = engine.save(_pipeline(renderer, "k8s/overlays/prod/kustomization.yaml", f"file://{repo}"))
    execution = engine.wait(engine.svc.start_pipeline_config(config, principal="t"))
    assert execution["status"] == "SUCCEEDED", execution["stages"][0]["context"].get("exception")
    assert execution["stages"][1]["outputs"]["artifactName"] == "api"
    docs = [d for d in yaml.safe_load_all(execution["stages"][1]["outputs"]["manifestText"]) if d]
    by_kind = {d["kind"]: d for d in docs}
    assert set(by_kind) == {"ConfigMap", "Service", "Deployment"}
    deployment = by_kind["Deployment"]
    assert deployment["metadata"] == {"name": "prod-api", "namespace": "shop-prod"}
    assert deployment["spec"]["replicas"] == 4
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/api:1.4.2"
    assert by_kind["ConfigMap"]["metadata"]["name"].startswith("prod-api-config-")  # content hash suffix
    assert by_kind["ConfigMap"]["data"] == {"LEVEL": "warn"}


def test_the_directory_may_be_named_instead_of_the_file_and_a_new_commit_is_seen(
    engine: EnginePeer, repo: Path
) -> None:
    commit(
        repo,
        {
            "k8s/overlays/prod/kustomization.yaml": BASE["k8s/overlays/prod/kustomization.yaml"].replace(
                "count: 4", "count: 6"
            )
        },
    )
    config = engine.save(_pipeline("KUSTOMIZE4", "k8s/overlays/prod", f"file://{repo}"))
    execution = engine.wait(engine.svc.start_pipeline_config(config, principal="t"))
    assert execution["status"] == "SUCCEEDED", execution["stages"][0]["context"].get("exception")
    docs = [d for d in yaml.safe_load_all(execution["stages"][1]["outputs"]["manifestText"]) if d]
    assert next(d for d in docs if d["kind"] == "Deployment")["spec"]["replicas"] == 6


def test_kustomize_errors_reach_the_stage_as_kubectl_reports_them(engine: EnginePeer, repo: Path) -> None:
    commit(repo, {"k8s/overlays/broken/kustomization.yaml": "resources:\n- ../../missing\n"})
    config = engine.save(_pipeline("KUSTOMIZE4", "k8s/overlays/broken", f"file://{repo}"))
    execution = engine.wait(engine.svc.start_pipeline_config(config, principal="t"))
    assert execution["status"] == "TERMINAL"
    errors = execution["stages"][0]["context"]["exception"]["details"]["errors"]
    assert "kubectl kustomize failed" in errors[0] and "missing" in errors[0]


def test_kustomize_file_path_may_not_leave_the_repository(engine: EnginePeer, repo: Path) -> None:
    config = engine.save(_pipeline("KUSTOMIZE4", "../../../etc", f"file://{repo}"))
    execution = engine.wait(engine.svc.start_pipeline_config(config, principal="t"))
    assert execution["status"] == "TERMINAL"
    errors = execution["stages"][0]["context"]["exception"]["details"]["errors"]
    assert errors == ["kustomizeFilePath '../../../etc' points outside the repository"]
