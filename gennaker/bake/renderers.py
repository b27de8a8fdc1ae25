"""The typed registry of template renderers (``templateRenderer`` -> ``Renderer``).

Who calls it: the bakeManifest stage looks the stage's ``templateRenderer`` up (``RENDERERS.get``) and calls
``render``; ``gennaker.bake`` registers the built-ins at import, as a plugin registers its own
(``RENDERERS.register(MyRenderer())``).

A renderer turns a ``BakeRequest`` (its inputs already in a private workspace: ``git/repo`` artifacts as
checked-out trees, anything else as one file) into manifest text (multi-document YAML). Renderers that
Spinnaker knows but Gennaker cannot run (HELM2, HELMFILE) are registered as ``Unsupported`` so the stage
fails with a clear message instead of "unknown renderer".
"""

from __future__ import annotations

import threading
from typing import Protocol

from gennaker.bake.errors import BakeConfigError
from gennaker.bake.request import BakeRequest


class Renderer(Protocol):
    """A template renderer."""

    #: The ``templateRenderer`` values it serves (upper case).
    names: tuple[str, ...]

    def render(self, request: BakeRequest) -> str:
        """The rendered manifests (multi-document YAML); raises ``BakeError`` subclasses."""
        ...


class Unsupported:
    """A renderer Spinnaker has and Gennaker does not: fails with ``reason``."""

    def __init__(self, name: str, reason: str) -> None:
        self.names: tuple[str, ...] = (name,)
        self.reason = reason

    def render(self, request: BakeRequest) -> str:
        raise BakeConfigError(f"templateRenderer {self.names[0]} is not supported: {self.reason}")


class RendererRegistry:
    """Renderers by ``templateRenderer`` name (case-insensitive)."""

    def __init__(self) -> None:
        self._by_name: dict[str, Renderer] = {}
        self._lock = threading.Lock()

    def register(self, renderer: Renderer, *, replace: bool = False) -> Renderer:
        """Add a renderer under each of its names; a taken name is an error unless ``replace``."""
        with self._lock:
            for name in renderer.names:
                key = name.upper()
                if key in self._by_name and not replace:
                    raise ValueError(f"template renderer {key!r} is already registered")
                self._by_name[key] = renderer
        return renderer

    def get(self, name: str) -> Renderer:
        """The renderer for ``name``; ``BakeConfigError`` listing the known ones."""
        renderer = self._by_name.get(name.upper())
        if renderer is None:
            known = ", ".join(sorted(self._by_name))
            raise BakeConfigError(f"Invalid template renderer {name!r}; known renderers: {known}")
        return renderer

    def names(self) -> list[str]:
        return sorted(self._by_name)
