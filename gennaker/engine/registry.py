"""The stage registry: stage type name -> ``StageDefinition``.

Who uses it: the engine's handlers (``get``), the facade's validation on save (``is_known``), and stage
packages (``register``). Loading: ``StageRegistry.from_entry_points()`` calls every entry point in the
group ``gennaker.stages``; each is a callable taking the registry (``def register(registry): ...``).
Gennaker's own stages are declared in ``pyproject.toml`` under that group, so built-ins register through
exactly the mechanism a third-party package uses. Tests build their own registry and register
test-only stage types.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points

from gennaker.engine.stagedef import StageDefinition

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "gennaker.stages"


class UnknownStageTypeError(KeyError):
    """No stage type registered under that name."""


class StageRegistry:
    """A typed, thread-safe registry of stage definitions."""

    def __init__(self, definitions: Iterable[StageDefinition] = ()) -> None:
        self._types: dict[str, StageDefinition] = {}
        self._lock = threading.Lock()
        for d in definitions:
            self.register(d)

    def register(self, definition: StageDefinition, *, replace: bool = False) -> None:
        """Add a stage type (and its aliases). Registering a name twice is an error unless ``replace``."""
        with self._lock:
            for name in (definition.type, *definition.aliases):
                if name in self._types and not replace and self._types[name] is not definition:
                    raise ValueError(f"stage type {name!r} is already registered")
                self._types[name] = definition

    def get(self, stage_type: str) -> StageDefinition:
        """The definition of a type; ``UnknownStageTypeError`` if none."""
        try:
            return self._types[stage_type]
        except KeyError:
            raise UnknownStageTypeError(stage_type) from None

    def is_known(self, stage_type: str) -> bool:
        return stage_type in self._types

    def types(self) -> list[str]:
        return sorted(self._types)

    def load(self, plugin: Callable[[StageRegistry], None]) -> None:
        """Run one plugin's ``register(registry)``."""
        plugin(self)

    @classmethod
    def from_entry_points(cls, group: str = ENTRY_POINT_GROUP) -> StageRegistry:
        """A registry with every installed plugin of ``group`` loaded (Gennaker's built-ins included)."""
        registry = cls()
        for ep in sorted(entry_points(group=group), key=lambda e: e.name):
            try:
                registry.load(ep.load())
            except Exception:
                log.exception("stage plugin %s (%s) failed to load", ep.name, ep.value)
                raise
        return registry
