"""Errors of baking. Their messages become the bakeManifest stage's failure (``context.exception``), so
each names what was wrong and where: the stage field, the artifact and account, or the renderer's own
message (Helm's or kustomize's output, unchanged)."""

from __future__ import annotations


class BakeError(Exception):
    """A bake could not be done; the message is shown in the stage."""


class BakeConfigError(BakeError, ValueError):
    """The stage's JSON is wrong (missing field, wrong type, unsupported renderer...)."""


class RendererError(BakeError):
    """The renderer (Helm, kustomize) refused the input; the message carries the tool's own words."""
