"""Stage types, one module each, registered by type.

How stage types are found: ``gennaker.engine.registry.StageRegistry.from_entry_points()`` loads every
entry point of the group ``gennaker.stages``; each names a ``register(registry)`` function. Gennaker's
built-ins are declared in its own ``pyproject.toml`` the same way a third-party package declares its
stages::

    [project.entry-points."gennaker.stages"]
    wait = "gennaker.stages.wait:register"

A stage module builds a ``gennaker.engine.stagedef.StageDefinition`` (tasks, synthetic stage builders,
cancel hook, unevaluated keys) and registers it. ``BUILTIN_PLUGINS`` lists this package's modules for
callers that want the built-ins without entry points (an explicit plugin list).
"""

from __future__ import annotations

from collections.abc import Callable

from gennaker.engine.registry import StageRegistry
from gennaker.stages import (
    applications,
    check_preconditions,
    evaluate_variables,
    manual_judgment,
    pipeline,
    wait,
    webhook,
)

BUILTIN_PLUGINS: tuple[Callable[[StageRegistry], None], ...] = (
    wait.register,
    evaluate_variables.register,
    manual_judgment.register,
    check_preconditions.register,
    webhook.register,
    pipeline.register,
    applications.register,
)


def builtin_registry() -> StageRegistry:
    """A registry with only Gennaker's built-in stages (no third-party plugins)."""
    registry = StageRegistry()
    for plugin in BUILTIN_PLUGINS:
        registry.load(plugin)
    return registry
