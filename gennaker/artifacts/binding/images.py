"""Docker image references: splitting ``registry/repo:tag@digest`` and the name used for binding.

Who calls it: the docker/image binder (``binders``), ``gennaker.artifacts.produced`` (images found in live
objects) and the docker trigger (artifacts for new tags).

Rules: a digest starts at ``@``; a tag is what follows the last ``:`` *after the last* ``/``, so the port
of a registry (``host:5000/img``) is never taken for a tag. Spinnaker cuts at the last ``:`` anywhere, so an
untagged ``host:5000/img`` reduces to ``host`` and never binds; we bind it. A name keeps its registry as
written: ``nginx`` and ``docker.io/library/nginx`` are different names, as in Spinnaker.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ImageBindingMode(StrEnum):
    """How a manifest's image is compared with a docker/image artifact's name (Spinnaker's setting
    ``kubernetes.artifact-binding.docker-image``)."""

    #: The image without its tag or digest must equal the artifact's name (Spinnaker's default since 1.23).
    MATCH_NAME_AND_TAG = "match-name-and-tag"
    #: The image must equal the artifact's name exactly; an image that has a tag is never replaced.
    MATCH_NAME_ONLY = "match-name-only"


@dataclass(frozen=True)
class ImageReference:
    """A parsed image reference."""

    name: str
    tag: str | None = None
    digest: str | None = None

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_image(reference: str) -> ImageReference:
    """Split an image reference into name, tag and digest."""
    rest, _, digest = reference.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        return ImageReference(rest[:colon], rest[colon + 1 :] or None, digest or None)
    return ImageReference(rest, None, digest or None)


def binding_name(image: str, mode: ImageBindingMode) -> str:
    """The part of a manifest's ``image`` compared with a docker/image artifact's name."""
    if mode is ImageBindingMode.MATCH_NAME_ONLY:
        return image
    return parse_image(image).name
