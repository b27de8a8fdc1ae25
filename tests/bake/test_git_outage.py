"""A bake whose git repository is served over HTTP (real ``git http-backend``) by a server that is down:
the fetch is retried with the engine's backoff and reported in the stage, then either succeeds when the
server comes back or fails the stage naming the artifact, the account and git's own answer. A repository
that does not exist is a definitive answer and fails at once."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from gennaker.artifacts import retry
from tests.bake.test_kustomize_bake import BASE, _pipeline
from tests.support.engine_peer import EnginePeer
from tests.support.git_http import git_http_server
from tests.support.git_repo import make_repo

OVERLAY = "k8s/overlays/prod/kustomization.yaml"


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> tuple[int, ...]:
    """Shorter waits between attempts (each attempt is still a new run of the task by the engine)."""
    backoff = (400, 800)
    monkeypatch.setattr(retry, "BACKOFF_MS", backoff)
    return backoff


@pytest.fixture
def projects(engine: EnginePeer, tmp_path: Path) -> Path:
    root = tmp_path / "srv"
    make_repo(root / "shop.git", BASE)
    engine.accounts.put(
        {
            "name": "deploy-repo",
            "type": "gitrepo",
            "settings": {"username": "ci", "cacheDir": str(tmp_path)},
            "secrets": {"password": "s3cret"},
        },
        principal="t",
    )
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def first_stage(engine: EnginePeer, execution_id: str) -> dict[str, Any]:
    found = engine.svc.get_execution(execution_id)
    assert found is not None
    return dict(found["stages"][0])


def test_a_git_server_that_is_down_is_retried_then_the_stage_fails_with_gits_answer(
    engine: EnginePeer, projects: Path, fast_retries: tuple[int, ...]
) -> None:
    url = f"http://127.0.0.1:{free_port()}/shop.git"
    config = engine.save(_pipeline("KUSTOMIZE4", OVERLAY, url))
    started = time.monotonic()
    execution = engine.wait(engine.svc.start_pipeline_config(config, principal="t"))
    took = time.monotonic() - started
    assert execution["status"] == "TERMINAL"
    context = execution["stages"][0]["context"]
    [error] = context["exception"]["details"]["errors"]
    assert error.startswith("Could not fetch artifact Artifact(type='git/repo'")
    assert f"through account 'deploy-repo': cannot get {url}: git fetch failed: " in error
    assert "Failed to connect to 127.0.0.1 port" in error  # git's own answer
    assert "(gave up after 3 attempts over " in error
    assert "s3cret" not in error
    assert context["artifactFetchRetry"]["attempts"] == 2
    assert took >= sum(fast_retries) / 1000  # the engine waited between attempts


def test_a_git_server_that_comes_back_during_the_retries_is_baked_from(
    engine: EnginePeer, projects: Path, fast_retries: tuple[int, ...]
) -> None:
    port = free_port()
    config = engine.save(_pipeline("KUSTOMIZE4", OVERLAY, f"http://127.0.0.1:{port}/shop.git"))
    execution_id = engine.svc.start_pipeline_config(config, principal="t")
    deadline = time.monotonic() + 30
    while "artifactFetchRetry" not in first_stage(engine, execution_id)["context"]:
        assert time.monotonic() < deadline, "the failed fetch was not recorded"
        time.sleep(0.02)
    recorded = first_stage(engine, execution_id)["context"]["artifactFetchRetry"]
    assert recorded["attempts"] == 1 and "Failed to connect" in recorded["lastError"]
    assert first_stage(engine, execution_id)["status"] == "RUNNING"  # reported, not failed
    with git_http_server(projects, username="ci", password="s3cret", port=port):
        execution = engine.wait(execution_id)
    assert execution["status"] == "SUCCEEDED", execution["stages"][0]["context"].get("exception")
    docs = [d for d in yaml.safe_load_all(execution["stages"][1]["outputs"]["manifestText"]) if d]
    assert {d["kind"] for d in docs} == {"ConfigMap", "Service", "Deployment"}


def test_a_repository_the_server_does_not_have_fails_at_once(
    engine: EnginePeer, projects: Path, fast_retries: tuple[int, ...]
) -> None:
    with git_http_server(projects, username="ci", password="s3cret") as base:
        config = engine.save(_pipeline("KUSTOMIZE4", OVERLAY, f"{base}/nope.git"))
        execution = engine.wait(engine.svc.start_pipeline_config(config, principal="t"))
    assert execution["status"] == "TERMINAL"
    context = execution["stages"][0]["context"]
    [error] = context["exception"]["details"]["errors"]
    assert f"through account 'deploy-repo': cannot get {base}/nope.git: git fetch failed: " in error
    assert "not found" in error
    assert "artifactFetchRetry" not in context
