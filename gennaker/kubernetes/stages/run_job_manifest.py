"""runJobManifest (Deck's alias ``runJob``): run one Job to completion; capture its logs and properties.

Fields: ``account``, ``application``, ``source`` (``text``: ``manifest`` or ``manifests`` holding exactly
one ``kind: Job``; ``artifact``: ``manifestArtifactId``/``manifestArtifact``), ``requiredArtifactIds`` /
``requiredArtifacts``, ``skipExpressionEvaluation``, ``consumeArtifactSource: propertyFile`` with
``propertyFile`` (the container whose log holds the properties), ``failFastGraceSeconds``.

As clouddriver does: a Job with ``metadata.generateName`` is created (a new name each run); otherwise it is
deleted first and applied again (``strategy.spinnaker.io/recreate`` forced), then it goes through the normal
deploy path (binding, annotations). Tasks: resolveDeploySourceManifest, runJob, waitOnJobCompletion.

Outputs: ``manifestNamesByNamespace``, ``deploy.jobs`` (``{namespace: [name]}``), ``jobStatus`` (the
Job's ``status``), ``jobLogs`` (``{"<pod>/<container>": text}``, the last 16,000 characters each, also
when the job failed), and with ``propertyFile`` every property of that container's log
(``SPINNAKER_PROPERTY_KEY=value`` lines and ``SPINNAKER_CONFIG_JSON={...}`` lines) both as top-level
outputs (so later stages use ``${key}``) and under ``propertyFileContents``. A ``propertyFile`` that yields
nothing fails the stage, as in Orca.
"""

from __future__ import annotations

from typing import Any

from gennaker.engine.stagedef import StageDefinition, TaskDefinition, TaskInput, TaskResult
from gennaker.kubernetes import jobs
from gennaker.kubernetes.errors import KubernetesError, ManifestError
from gennaker.kubernetes.manifests.parse import origin
from gennaker.kubernetes.stages.common import Locate, account_of, failure, guarded, registrar
from gennaker.kubernetes.stages.deploy_manifest import OUTPUT_KEYS, deploy_request, resolve_task
from gennaker.kubernetes.stages.source import MANIFEST_KEYS
from gennaker.kubernetes.stages.stabilize import names_by_namespace, wait_task
from gennaker.model import ExecutionStatus

STAGE_TYPE = "runJobManifest"


def run_task(locate: Locate) -> TaskDefinition:
    @guarded
    def run(task: TaskInput) -> TaskResult:
        service = locate()
        account = account_of(task)
        request = deploy_request(task, account, force_recreate=True)
        if len(request.manifests) != 1 or request.manifests[0].get("kind") != "Job":
            kinds = ", ".join(f"{origin(m)}: {m.get('kind')}" for m in request.manifests)
            raise ManifestError(
                f"runJobManifest needs exactly one manifest of kind Job; got {len(request.manifests)}: "
                f"{kinds}"
            )
        result = service.deploy(request)
        outputs = result.outputs()
        context: dict[str, Any] = {f"outputs.{k}": outputs[k] for k in OUTPUT_KEYS}
        context["deploy.jobs"] = outputs["manifestNamesByNamespace"]
        context["jobName"] = result.manifests[0].manifest["metadata"]["name"]
        context["jobNamespace"] = result.manifests[0].namespace
        return TaskResult.succeeded(context, {**outputs, "deploy.jobs": outputs["manifestNamesByNamespace"]})

    return TaskDefinition(name="runJob", run=run, implementing_class="gennaker.kubernetes.stages.RunJobTask")


def completion_task(locate: Locate) -> TaskDefinition:
    wait = wait_task(locate)

    def finish(task: TaskInput, result: TaskResult) -> TaskResult:
        service = locate()
        account = account_of(task)
        namespace = str(task.context.get("jobNamespace") or next(iter(names_by_namespace(task)), ""))
        name = str(task.context.get("jobName") or "")
        job = service.live_object(account, "Job", namespace, name)
        if job is None:
            return result
        extra: dict[str, Any] = {"jobStatus": job.get("status") or {}}
        try:
            extra["jobLogs"] = jobs.logs(service, account, namespace, job)
        except KubernetesError as exc:
            extra["jobLogs"] = {"error": str(exc)}
        if result.status != ExecutionStatus.SUCCEEDED:
            return TaskResult(result.status, {**result.context, **extra}, {**result.outputs, **extra})
        outputs: dict[str, Any] = dict(extra)
        container = task.context.get("propertyFile")
        if container and str(task.context.get("consumeArtifactSource") or "propertyFile") == "propertyFile":
            properties = jobs.property_file(service, account, namespace, job, str(container))
            if not properties:
                return failure(
                    task,
                    KubernetesError(
                        f"Expected properties file {container} but it was either missing, empty or contained "
                        "invalid syntax"
                    ),
                    **extra,
                )
            outputs.update(properties)
            outputs["propertyFileContents"] = properties
        return TaskResult.succeeded({**result.context, **extra}, outputs)

    @guarded
    def run(task: TaskInput) -> TaskResult:
        result = wait.run(task)
        if result.status.is_complete:
            return finish(task, result)
        return result

    return TaskDefinition(
        name="waitOnJobCompletion",
        run=run,
        implementing_class="gennaker.kubernetes.stages.WaitOnJobCompletion",
        backoff_ms=wait.backoff_ms,
        timeout_ms=wait.timeout_ms,
        timeout_overridable=True,
    )


def definition(locate: Locate) -> StageDefinition:
    return StageDefinition(
        type=STAGE_TYPE,
        tasks=(resolve_task(locate, allow_generate_name=True), run_task(locate), completion_task(locate)),
        unevaluated_keys=MANIFEST_KEYS,
        aliases=("runJob",),
        description="Run a Kubernetes Job to completion; capture its logs and property-file outputs.",
    )


register = registrar(definition)
