"""Bake test fixtures: the real engine with the bakeManifest stage on a SQLite file, a real HTTP peer, and
a test-only ``readBakedManifest`` stage that finds the baked artifact downstream by its expected-artifact id
(what deployManifest's ``manifestArtifactId`` does) and decodes it."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from gennaker.artifacts.service import ArtifactAccountService
from gennaker.artifacts.stage_artifacts import bound_artifact_for_id
from gennaker.bake.stage import bake_manifest_stage
from gennaker.engine.stagedef import StageDefinition, TaskDefinition, TaskInput, TaskResult
from tests.support.engine_peer import EnginePeer, make_engine_peer
from tests.support.http_peer import HttpPeer, running_peer


def read_baked_stage(_accounts: ArtifactAccountService) -> StageDefinition:
    def read(task: TaskInput) -> TaskResult:
        artifact = bound_artifact_for_id(task, task.context.own["manifestArtifactId"])
        assert artifact is not None, "the baked artifact is not visible downstream"
        text = base64.b64decode(artifact.reference or "").decode()
        return TaskResult.succeeded(outputs={"manifestText": text, "artifactName": artifact.name})

    return StageDefinition(type="readBakedManifest", tasks=(TaskDefinition("read", read),))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EnginePeer]:
    peer = make_engine_peer(
        f"sqlite:///{tmp_path / 'gennaker.db'}",
        stages=[lambda accounts: bake_manifest_stage(lambda: accounts), read_baked_stage],
    )
    try:
        yield peer
    finally:
        peer.close()


@pytest.fixture
def peer() -> Iterator[HttpPeer]:
    with running_peer() as server:
        yield server
