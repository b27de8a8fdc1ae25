"""The built-in kinds, one module per API group family, each registering :class:`ResourceType` entries.

Who calls it: :class:`gennaker.sandbox.apiserver.ApiServer` at construction (:func:`register_builtins`).
A new built-in kind is one entry in one of these modules; nothing else in the sandbox needs to change.
The order of registration is the order of discovery (the first version of a group is preferred).
"""

from __future__ import annotations

from ..registry import Registry
from . import apps, batch, core, other


def register_builtins(reg: Registry) -> None:
    core.register(reg)
    apps.register(reg)
    batch.register(reg)
    other.register(reg)
