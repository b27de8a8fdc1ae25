"""``bindProducedArtifacts`` for the Kubernetes stages that produce artifacts (deployManifest,
findArtifactsFromResource): :func:`gennaker.artifacts.stage_artifacts.bind_produced` as a task whose
expected errors fail the stage with their message."""

from __future__ import annotations

from gennaker.artifacts.stage_artifacts import bind_produced
from gennaker.engine.stagedef import TaskDefinition, TaskInput, TaskResult
from gennaker.kubernetes.stages.common import guarded
from gennaker.model.artifacts import Artifact


def bind_produced_task(produced_key: str) -> TaskDefinition:
    """bindProducedArtifacts: ``bind_produced`` over the artifacts in context key ``produced_key``."""

    @guarded
    def run(task: TaskInput) -> TaskResult:
        produced = [Artifact.model_validate(a) for a in task.context.get(produced_key) or []]
        outputs = bind_produced(task, produced)
        return TaskResult.succeeded(outputs, outputs)

    return TaskDefinition(
        name="bindProducedArtifacts",
        run=run,
        implementing_class="gennaker.kubernetes.stages.BindProducedArtifactsTask",
    )
