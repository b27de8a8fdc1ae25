"""Applying a planned deploy through kubectl, one manifest at a time, in plan order.

Who calls it: ``KubernetesService.deploy`` after ``plan.plan_deploy``. For each manifest, by its strategy:
``recreate`` (or a run job) deletes it first (errors ignored); ``generateName`` creates; ``replace``
replaces (creates when missing); otherwise ``apply``, server-side with field manager ``gennaker`` unless the
manifest asks for client-side, with ``--force-conflicts`` when asked. Each object kubectl returns is handed
to ``observe`` (the cache's write-through), so the next stage sees it at once.

If a manifest fails, ``DeployError`` lists what was applied before it, the one that failed (with kubectl's
message) and what was not attempted: nothing half-applied is left unreported. The result carries Spinnaker's
stage outputs (``DeployResult.outputs``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gennaker.kubernetes.errors import DeployError, KubectlError, KubernetesError
from gennaker.kubernetes.kubectl import Kubectl
from gennaker.kubernetes.kubectl_errors import NOT_FOUND
from gennaker.kubernetes.manifests.parse import strip_origin
from gennaker.kubernetes.manifests.plan import DeployPlan, PlannedManifest
from gennaker.model.artifacts import Artifact


@dataclass
class DeployResult:
    """What a deploy did; ``outputs()`` is the stage's ``outputs`` in Spinnaker's shape."""

    account: str
    manifests: list[PlannedManifest]
    bound: list[Artifact]
    applied: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def created(self) -> list[Artifact]:
        return [p.artifact for p in self.manifests]

    def names_by_namespace(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for p in self.manifests:
            out.setdefault(p.namespace, []).append(p.name)
        return out

    def outputs(self) -> dict[str, Any]:
        created = [a.to_json() for a in self.created]
        return {
            "manifests": [strip_origin(p.manifest) for p in self.manifests],
            "manifestNamesByNamespace": self.names_by_namespace(),
            "boundArtifacts": [a.to_json() for a in self.bound],
            "createdArtifacts": created,
            "artifacts": created,
        }


def _apply_one(kubectl: Kubectl, planned: PlannedManifest, force_recreate: bool) -> dict[str, Any]:
    manifest = strip_origin(planned.manifest)
    metadata = manifest.get("metadata") or {}
    kind = planned.handler.kind
    if metadata.get("generateName") and not metadata.get("name"):
        return kubectl.create(manifest)
    if planned.strategy.recreate or force_recreate:
        with contextlib.suppress(KubernetesError):  # recreate ignores deletion errors, as Spinnaker does
            kubectl.delete(kind, str(metadata["name"]), planned.namespace or None, cascade="background")
    if planned.strategy.replace:
        try:
            return kubectl.replace(manifest)
        except KubectlError as exc:
            if exc.category != NOT_FOUND:
                raise
            return kubectl.create(manifest)
    return kubectl.apply(
        manifest, server_side=planned.strategy.server_side, force_conflicts=planned.strategy.force_conflicts
    )


def apply_plan(
    plan: DeployPlan,
    kubectl: Kubectl,
    *,
    observe: Callable[[dict[str, Any]], None] = lambda obj: None,
    force_recreate: bool = False,
) -> DeployResult:
    """Apply every planned manifest (see the module docstring)."""
    result = DeployResult(plan.account, plan.manifests, plan.bound)
    done: list[str] = []
    for i, planned in enumerate(plan.manifests):
        try:
            obj = _apply_one(kubectl, planned, force_recreate)
        except KubernetesError as exc:
            remaining = [p.describe for p in plan.manifests[i + 1 :]]
            raise DeployError(exc, done, planned.describe, remaining) from exc
        metadata = obj.get("metadata") or {}
        if metadata.get("name") and not planned.manifest["metadata"].get("name"):
            planned.manifest["metadata"]["name"] = metadata["name"]
            planned.artifact = planned.artifact.model_copy(
                update={"name": metadata["name"], "reference": metadata["name"]}
            )
        result.applied.append(obj)
        done.append(planned.describe)
        if obj:
            observe(obj)
    return result
