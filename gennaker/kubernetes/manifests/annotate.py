"""Gennaker's marks on a deployed manifest: moniker and artifact annotations, ``app.kubernetes.io`` labels.

Who calls it: the deploy planner, after versioning and before traffic attachment.

What is written (Spinnaker's KubernetesManifestAnnotater and KubernetesManifestLabeler), on
``metadata`` and on the pod template's ``metadata`` (a bare Pod has no template):

- moniker annotations ``moniker.spinnaker.io/application|cluster|stack|detail``: only when absent (a value
  the user wrote is never overwritten); ``/sequence`` for versioned objects;
- artifact annotations ``artifact.spinnaker.io/type|name|location|version``: always (they say what this
  deploy made, and versioning reads them back);
- ``gennaker.io/content-hash`` on ``metadata`` only (see ``versioning``);
- labels ``app.kubernetes.io/name=<app>`` (only when absent), ``app.kubernetes.io/managed-by=gennaker``
  (always, as Spinnaker always writes its own name) and ``moniker.spinnaker.io/sequence`` for versioned
  objects; not on the template with ``skipSpecTemplateLabels``.
"""

from __future__ import annotations

from typing import Any

from gennaker.artifacts.produced import ANNOTATION_NAME, ANNOTATION_VERSION
from gennaker.kubernetes import moniker as m
from gennaker.kubernetes.manifests.versioning import CONTENT_HASH
from gennaker.kubernetes.moniker import Moniker
from gennaker.model.artifacts import Artifact

ANNOTATION_TYPE = "artifact.spinnaker.io/type"
ANNOTATION_LOCATION = "artifact.spinnaker.io/location"
LABEL_NAME = "app.kubernetes.io/name"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
LABEL_SEQUENCE = "moniker.spinnaker.io/sequence"
MANAGED_BY = "gennaker"


def _section(holder: dict[str, Any], key: str) -> dict[str, Any]:
    value = holder.get(key)
    if not isinstance(value, dict):
        value = {}
        holder[key] = value
    return value


def template_metadata(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """The pod template's metadata (created if the template exists without it), or None."""
    spec = manifest.get("spec")
    if not isinstance(spec, dict):
        return None
    if manifest.get("kind") == "CronJob":
        job = spec.get("jobTemplate")
        spec = job.get("spec") if isinstance(job, dict) else None
        if not isinstance(spec, dict):
            return None
    template = spec.get("template")
    if not isinstance(template, dict):
        return None
    return _section(template, "metadata")


def annotate(
    manifest: dict[str, Any],
    moniker: Moniker,
    artifact: Artifact,
    *,
    content_hash: str,
    skip_template_labels: bool = False,
) -> None:
    """Write the annotations and labels (in place; see the module docstring)."""
    metadata = _section(manifest, "metadata")
    targets = [metadata]
    template = template_metadata(manifest)
    if template is not None:
        targets.append(template)
    for target in targets:
        annotations = _section(target, "annotations")
        for key, value in (
            (m.APPLICATION, moniker.app),
            (m.CLUSTER, moniker.cluster),
            (m.STACK, moniker.stack),
            (m.DETAIL, moniker.detail),
        ):
            if value:
                annotations.setdefault(key, value)
        if moniker.sequence is not None:
            annotations[m.SEQUENCE] = str(moniker.sequence)
        annotations[ANNOTATION_TYPE] = artifact.type or ""
        annotations[ANNOTATION_NAME] = artifact.name or ""
        annotations[ANNOTATION_LOCATION] = artifact.location or ""
        if artifact.version:
            annotations[ANNOTATION_VERSION] = artifact.version
        else:
            annotations.pop(ANNOTATION_VERSION, None)
    _section(metadata, "annotations")[CONTENT_HASH] = content_hash
    label_targets = [metadata] if skip_template_labels or template is None else [metadata, template]
    for target in label_targets:
        labels = _section(target, "labels")
        if moniker.app:
            labels.setdefault(LABEL_NAME, moniker.app)
        labels[LABEL_MANAGED_BY] = MANAGED_BY
        if moniker.sequence is not None:
            labels[LABEL_SEQUENCE] = str(moniker.sequence)
