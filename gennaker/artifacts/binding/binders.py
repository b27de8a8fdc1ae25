"""One binder per artifact type: where in a manifest an artifact of that type is written, and when.

Who calls it: ``gennaker.artifacts.binding.bind`` (the orchestration), and ``produced`` (which reads the same
places to list a live object's artifacts). Spinnaker's ``Replacer`` list, as data:

=========================  ===================================================================
artifact type              fields (in pod specs of templates; a bare Pod's ``spec``)
=========================  ===================================================================
docker/image               ``containers[].image``, ``initContainers[].image`` (bare Pod:
                           ``containers[].image`` only)
kubernetes/configMap       ``volumes[].configMap.name``, ``volumes[].projected.sources[].configMap.name``,
                           ``(init)containers[].env[].valueFrom.configMapKeyRef.name``,
                           ``(init)containers[].envFrom[].configMapRef.name``
kubernetes/secret          ``volumes[].secret.secretName``, ``volumes[].projected.sources[].secret.name``,
                           ``(init)containers[].env[].valueFrom.secretKeyRef.name``,
                           ``(init)containers[].envFrom[].secretRef.name``
kubernetes/deployment      an HPA's ``spec.scaleTargetRef.name`` when the target kind is Deployment
kubernetes/replicaSet      the same when the target kind is ReplicaSet
=========================  ===================================================================

A field is rewritten to the artifact's ``reference`` only when its value "is" the artifact: for images, the
image's binding name (``images.binding_name``) equals the artifact's name; for the others the value equals
the artifact's name. Unlike Spinnaker, a bare Pod's volumes and env references are bound too (a versioned
ConfigMap would otherwise never reach a Pod). A new artifact type is one ``register_binder`` call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from gennaker.artifacts.binding.images import ImageBindingMode, binding_name
from gennaker.artifacts.binding.pods import containers, dicts, is_bare_pod, pod_specs
from gennaker.model.artifacts import Artifact


@dataclass
class BindAttempt:
    """What one binder did to one manifest: how many fields it rewrote, and the values it saw there."""

    replaced: int = 0
    seen: list[str] = field(default_factory=list)


Binder = Callable[[dict[str, Any], Artifact, ImageBindingMode], BindAttempt]
Slot = tuple[dict[str, Any], str]


def _rewrite(slots: Iterator[Slot], matches: Callable[[str], bool], reference: str) -> BindAttempt:
    attempt = BindAttempt()
    for holder, key in slots:
        value = holder.get(key)
        if not isinstance(value, str):
            continue
        attempt.seen.append(value)
        if matches(value):
            holder[key] = reference
            attempt.replaced += 1
    return attempt


def image_slots(manifest: dict[str, Any]) -> Iterator[Slot]:
    bare = is_bare_pod(manifest)
    for spec in pod_specs(manifest):
        for container in containers(spec, include_init=not bare):
            yield container, "image"


def bind_docker_image(manifest: dict[str, Any], artifact: Artifact, mode: ImageBindingMode) -> BindAttempt:
    """Rewrite container images whose binding name is the artifact's name."""
    name = artifact.name or ""
    return _rewrite(
        image_slots(manifest), lambda image: binding_name(image, mode) == name, artifact.reference or ""
    )


def _volume_and_env_slots(
    manifest: dict[str, Any], volume: tuple[str, str], projected: tuple[str, str], key_ref: str, env_ref: str
) -> Iterator[Slot]:
    for spec in pod_specs(manifest):
        for vol in dicts(spec.get("volumes")):
            source = vol.get(volume[0])
            if isinstance(source, dict):
                yield source, volume[1]
            proj = vol.get("projected")
            if isinstance(proj, dict):
                for item in dicts(proj.get("sources")):
                    ref = item.get(projected[0])
                    if isinstance(ref, dict):
                        yield ref, projected[1]
        for container in containers(spec):
            for env in dicts(container.get("env")):
                value_from = env.get("valueFrom")
                ref = value_from.get(key_ref) if isinstance(value_from, dict) else None
                if isinstance(ref, dict):
                    yield ref, "name"
            for env_from in dicts(container.get("envFrom")):
                ref = env_from.get(env_ref)
                if isinstance(ref, dict):
                    yield ref, "name"


def config_map_slots(manifest: dict[str, Any]) -> Iterator[Slot]:
    """Every place a pod spec of ``manifest`` names a ConfigMap."""
    return _volume_and_env_slots(
        manifest, ("configMap", "name"), ("configMap", "name"), "configMapKeyRef", "configMapRef"
    )


def secret_slots(manifest: dict[str, Any]) -> Iterator[Slot]:
    """Every place a pod spec of ``manifest`` names a Secret."""
    return _volume_and_env_slots(
        manifest, ("secret", "secretName"), ("secret", "name"), "secretKeyRef", "secretRef"
    )


def bind_config_map(manifest: dict[str, Any], artifact: Artifact, mode: ImageBindingMode) -> BindAttempt:
    """Rewrite ConfigMap references equal to the artifact's name."""
    name = artifact.name
    return _rewrite(config_map_slots(manifest), lambda value: value == name, artifact.reference or "")


def bind_secret(manifest: dict[str, Any], artifact: Artifact, mode: ImageBindingMode) -> BindAttempt:
    """Rewrite Secret references equal to the artifact's name."""
    name = artifact.name
    return _rewrite(secret_slots(manifest), lambda value: value == name, artifact.reference or "")


def scale_target_slots(manifest: dict[str, Any], target_kinds: tuple[str, ...]) -> Iterator[Slot]:
    """An HPA's ``spec.scaleTargetRef`` when it targets one of ``target_kinds``."""
    if manifest.get("kind") != "HorizontalPodAutoscaler":
        return
    spec = manifest.get("spec")
    target = spec.get("scaleTargetRef") if isinstance(spec, dict) else None
    if isinstance(target, dict) and target.get("kind") in target_kinds:
        yield target, "name"


def _hpa_binder(target_kinds: tuple[str, ...]) -> Binder:
    def bind(manifest: dict[str, Any], artifact: Artifact, mode: ImageBindingMode) -> BindAttempt:
        name = artifact.name
        slots = scale_target_slots(manifest, target_kinds)
        return _rewrite(slots, lambda value: value == name, artifact.reference or "")

    return bind


BINDERS: dict[str, Binder] = {
    "docker/image": bind_docker_image,
    "kubernetes/configMap": bind_config_map,
    "kubernetes/secret": bind_secret,
    "kubernetes/deployment": _hpa_binder(("Deployment", "deployment")),
    "kubernetes/replicaSet": _hpa_binder(("ReplicaSet", "replicaSet")),
}


def register_binder(artifact_type: str, binder: Binder) -> None:
    """Bind artifacts of ``artifact_type`` with ``binder`` (replaces a built-in one of the same type)."""
    BINDERS[artifact_type] = binder
