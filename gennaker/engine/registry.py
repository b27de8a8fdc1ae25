"""The stage registry: stage type name -> ``StageDefinition``.

Who uses it: the engine's handlers (``get``), the facade's validation on save (``is_known``), and stage
packages (``register``). Loading: ``StageRegistry.from_entry_points()`` calls every entry point in the
group ``gennaker.stages``; each is a callable taking the registry (``def register(registry): ...``).
Gennaker's own stages are declared in ``pyproject.toml`` under that group, so built-ins register through
exactly the mechanism a third-party package uses. Tests build their own registry and register
test-only stage types.

Entry points are loaded on first use (or by ``ensure_loaded``), not when the registry is made: importing
every stage package (Kubernetes, canary, bake...) takes about a second, which a server must not spend
before it answers. ``gennaker server`` loads them on a background thread right after its port opens.
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
        self._pending_group: str | None = None  # entry point group still to load
        self._loading = threading.RLock()
        self._loading_thread: int | None = None
        for d in definitions:
            self.register(d)

    def ensure_loaded(self) -> StageRegistry:
        """Load the entry points this registry was made with, once; other threads wait for it. A failed
        load leaves the registry as it was, so the next use tries again (and says why again)."""
        if self._pending_group is None:
            return self
        with self._loading:
            group = self._pending_group
            if group is None or self._loading_thread == threading.get_ident():
                return self  # loaded meanwhile, or a plugin registering while we load
            self._loading_thread = threading.get_ident()
            before = dict(self._types)
            try:
                self._load_group(group)
                self._pending_group = None
            except Exception:
                self._types = before
                raise
            finally:
                self._loading_thread = None
        return self

    def register(self, definition: StageDefinition, *, replace: bool = False) -> None:
        """Add a stage type (and its aliases). Registering a name twice is an error unless ``replace``."""
        self.ensure_loaded()
        with self._lock:
            for name in (definition.type, *definition.aliases):
                if name in self._types and not replace and self._types[name] is not definition:
                    raise ValueError(f"stage type {name!r} is already registered")
                self._types[name] = definition

    def get(self, stage_type: str) -> StageDefinition:
        """The definition of a type; ``UnknownStageTypeError`` if none."""
        self.ensure_loaded()
        try:
            return self._types[stage_type]
        except KeyError:
            raise UnknownStageTypeError(stage_type) from None

    def is_known(self, stage_type: str) -> bool:
        self.ensure_loaded()
        return stage_type in self._types

    def types(self) -> list[str]:
        self.ensure_loaded()
        return sorted(self._types)

    def load(self, plugin: Callable[[StageRegistry], None]) -> None:
        """Run one plugin's ``register(registry)``."""
        plugin(self)

    @classmethod
    def from_entry_points(cls, group: str = ENTRY_POINT_GROUP, *, lazy: bool = True) -> StageRegistry:
        """A registry of every installed plugin of ``group`` (Gennaker's built-ins included), loaded on
        first use unless ``lazy`` is false."""
        registry = cls()
        registry._pending_group = group
        return registry if lazy else registry.ensure_loaded()

    def _load_group(self, group: str) -> None:
        for ep in sorted(entry_points(group=group), key=lambda e: e.name):
            try:
                self.load(ep.load())
            except Exception:
                log.exception("stage plugin %s (%s) failed to load", ep.name, ep.value)
                raise
