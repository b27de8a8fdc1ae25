"""Binding artifacts into Kubernetes manifests (Spinnaker's artifact replacement), as pure functions.

Who calls it: the Kubernetes provider's deploy and patch operations; ``gennaker.artifacts.produced`` reads the
same fields to list a live object's artifacts. Entry points: ``bind_artifacts`` / ``bind_manifest``
(``bind``), the binder registry (``binders``), image reference parsing (``images``) and pod-spec discovery
per kind (``pods``).
"""

from gennaker.artifacts.binding.bind import (
    BindingResult,
    UnboundArtifactsError,
    artifact_key,
    bind_artifacts,
    bind_manifest,
)
from gennaker.artifacts.binding.binders import BINDERS, BindAttempt, register_binder
from gennaker.artifacts.binding.images import ImageBindingMode, ImageReference, binding_name, parse_image
from gennaker.artifacts.binding.pods import register_pod_template_kind

__all__ = [
    "BINDERS",
    "BindAttempt",
    "BindingResult",
    "ImageBindingMode",
    "ImageReference",
    "UnboundArtifactsError",
    "artifact_key",
    "bind_artifacts",
    "bind_manifest",
    "binding_name",
    "parse_image",
    "register_binder",
    "register_pod_template_kind",
]
