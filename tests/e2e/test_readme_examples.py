"""The README's pipeline examples are real: each JSON block is a pipeline the server accepts, and the
Kubernetes example deploys to the embedded sandbox (versioned ConfigMap pinned in the Deployment)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.realserver import RealServer, run_pipeline, stage, wait_execution

README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = [pytest.mark.kubectl, pytest.mark.slow]


def readme_pipelines() -> list[dict[str, Any]]:
    blocks = re.findall(r"```json\n(.*?)```", README.read_text(), flags=re.S)
    return [json.loads(block) for block in blocks]


def test_the_readme_examples_are_accepted_and_the_deploy_example_deploys(tmp_path: Path) -> None:
    pipelines = readme_pipelines()
    assert len(pipelines) >= 2
    server = RealServer(tmp_path / "home", sandbox=True).start()
    try:
        server.wait_providers()
        with server.client("reader") as api:
            for pipeline in pipelines:
                saved = api.post("/pipelines", json=pipeline)
                assert saved.status_code == 200, saved.text
            deploy = next(p for p in pipelines if p["stages"][0]["type"] == "deployManifest")
            execution_id = run_pipeline(api, deploy["stages"], app=deploy["application"], name=deploy["name"])
            execution = wait_execution(api, execution_id, timeout_s=120)
        outputs = stage(execution, "1").get("outputs") or {}
        assert execution["status"] == "SUCCEEDED", json.dumps(stage(execution, "1").get("context"), indent=1)
        names = outputs["manifestNamesByNamespace"]["default"]
        assert "configMap web-config-v000" in names and "deployment web" in names
        deployment = next(m for m in outputs["manifests"] if m["kind"] == "Deployment")
        env_from = deployment["spec"]["template"]["spec"]["containers"][0]["envFrom"]
        assert env_from == [{"configMapRef": {"name": "web-config-v000"}}]
    finally:
        server.stop()
