"""Where pod specs are inside a Kubernetes object, by kind: the places artifacts bind into.

Who calls it: the binders (``binders``) and ``gennaker.artifacts.produced``. Spinnaker's replacers scan
``$..spec.template.spec`` in the kinds whose handlers declare them, and ``$.spec`` for a bare Pod; we do the
same with a deep scan for ``spec.template.spec`` (so a CronJob's ``spec.jobTemplate.spec.template.spec`` is
found), limited to ``POD_TEMPLATE_KINDS``. A custom kind with a pod template (an Argo Rollout, say) is one
``register_pod_template_kind`` call away.

Invariant: pure functions over manifest dicts; the returned pod specs are the manifest's own dicts, so a
binder that edits them edits the manifest (callers work on a deep copy).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

POD_TEMPLATE_KINDS: set[str] = {
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
}
BARE_POD_KINDS: set[str] = {"Pod"}


def register_pod_template_kind(kind: str) -> None:
    """Bind artifacts into ``spec.template.spec`` of objects of ``kind`` too."""
    POD_TEMPLATE_KINDS.add(kind)


def _templates(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        spec = node.get("spec")
        if isinstance(spec, dict):
            template = spec.get("template")
            if isinstance(template, dict) and isinstance(template.get("spec"), dict):
                yield template["spec"]
        for value in node.values():
            yield from _templates(value)
    elif isinstance(node, list):
        for item in node:
            yield from _templates(item)


def pod_specs(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The pod specs of ``manifest``: its templates' specs, or a bare Pod's spec; [] for other kinds."""
    kind = manifest.get("kind")
    if kind in BARE_POD_KINDS:
        spec = manifest.get("spec")
        return [spec] if isinstance(spec, dict) else []
    if kind in POD_TEMPLATE_KINDS:
        seen: list[dict[str, Any]] = []
        for spec in _templates(manifest):
            if not any(spec is s for s in seen):
                seen.append(spec)
        return seen
    return []


def is_bare_pod(manifest: dict[str, Any]) -> bool:
    """Whether ``manifest`` is a Pod (only its ``spec.containers`` take images, as in Spinnaker)."""
    return manifest.get("kind") in BARE_POD_KINDS


def containers(spec: dict[str, Any], *, include_init: bool = True) -> list[dict[str, Any]]:
    """The containers (and init containers) of a pod spec that are dicts."""
    keys = ("containers", "initContainers") if include_init else ("containers",)
    found: list[dict[str, Any]] = []
    for key in keys:
        items = spec.get(key)
        if isinstance(items, list):
            found.extend(c for c in items if isinstance(c, dict))
    return found


def dicts(items: Any) -> list[dict[str, Any]]:
    """The dict elements of a list (anything else -> [])."""
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
