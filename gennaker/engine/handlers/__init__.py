"""Message handlers, one per kind, registered in ``HANDLERS`` by importing their modules here."""

from gennaker.engine.handlers import execution, stage_complete, stage_ops, stage_start, task  # noqa: F401
from gennaker.engine.handlers.base import HANDLERS, Handler

__all__ = ["HANDLERS", "Handler"]
