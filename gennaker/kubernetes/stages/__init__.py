"""The Kubernetes stage types, one module each, registered through the ``gennaker.stages`` entry points.

==============================  =========================================  =====================
stage type                      module                                     waits for stability
==============================  =========================================  =====================
``deployManifest``              ``deploy_manifest``                        yes
``deleteManifest``              ``delete_manifest``                        no
``scaleManifest``               ``scale_manifest``                         yes
``patchManifest``               ``patch_manifest``                         yes
``undoRolloutManifest``         ``undo_rollout_manifest``                  yes
``rollingRestartManifest``      ``rolling_restart_manifest``               no
``pauseRolloutManifest``        ``pause_rollout_manifest``                 no
``resumeRolloutManifest``       ``resume_rollout_manifest``                no
``enableManifest``              ``enable_manifest``                        yes
``disableManifest``             ``disable_manifest``                       yes
``findArtifactsFromResource``   ``find_artifacts_from_resource``           no
``runJobManifest``              ``run_job_manifest``                       until the Job ends
``deployCanaryServerGroups``    ``canary_server_groups``                   yes
``cleanupCanaryClusters``       ``canary_server_groups``                   no
``deploy`` (classic)            ``deploy``                                 via deployManifest
==============================  =========================================  =====================

Shared parts: ``common`` (errors to stage failures, the service locator), ``artifacts`` (what a stage
can bind), ``source`` (text or artifact manifests, expressions), ``targeted`` (resolve target -> act ->
wait), ``stabilize`` (the wait task, woken by the cache).

Each module's ``register(registry, service=None)`` is its entry point: without a service the stages use
the process default (``set_default_service``); tests pass their own. ``register_stages`` does all.
"""

from __future__ import annotations

from gennaker.engine.registry import StageRegistry
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.stages import (
    canary_server_groups,
    delete_manifest,
    deploy,
    deploy_manifest,
    disable_manifest,
    enable_manifest,
    find_artifacts_from_resource,
    patch_manifest,
    pause_rollout_manifest,
    resume_rollout_manifest,
    rolling_restart_manifest,
    run_job_manifest,
    scale_manifest,
    undo_rollout_manifest,
)

MODULES = (
    deploy_manifest,
    delete_manifest,
    scale_manifest,
    patch_manifest,
    undo_rollout_manifest,
    rolling_restart_manifest,
    pause_rollout_manifest,
    resume_rollout_manifest,
    enable_manifest,
    disable_manifest,
    find_artifacts_from_resource,
    run_job_manifest,
    canary_server_groups,
    deploy,
)

STAGE_TYPES = tuple(m.STAGE_TYPE for m in MODULES)


def register_stages(registry: StageRegistry, service: KubernetesService | None = None) -> None:
    """Register every Kubernetes stage type, bound to ``service`` (replacing entry-point registrations)
    or to the process default."""
    for module in MODULES:
        module.register(registry, service)
