"""The handler registry: one handler per message kind (no if/elif over kinds).

A handler has two phases: ``prepare`` runs outside any transaction (RunTask runs the task there, and
CancelStage its cancel hook: slow work must not hold locks); ``handle`` runs inside the write
transaction with the execution locked and applies the outcome. Most handlers only ``handle``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from gennaker.engine.messages import Message
from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.tx import Tx

M = TypeVar("M", bound=Message)


class Handler(Generic[M]):
    """Base class; subclasses set ``message_type`` and implement ``handle``."""

    message_type: ClassVar[type[Message]]

    def prepare(self, runtime: EngineRuntime, message: M) -> Any:
        """Work done before the transaction (default: none)."""
        return None

    def handle(self, tx: Tx, message: M, prepared: Any) -> None:
        raise NotImplementedError


HANDLERS: dict[str, Handler[Any]] = {}


def handles(message_type: type[Message]) -> Any:
    """Class decorator: instantiate the handler and register it for ``message_type``'s kind."""

    def wrap(cls: type[Handler[Any]]) -> type[Handler[Any]]:
        if message_type.KIND in HANDLERS:
            raise ValueError(f"a handler for {message_type.KIND!r} is already registered")
        cls.message_type = message_type
        HANDLERS[message_type.KIND] = cls()
        return cls

    return wrap


def lock_config(tx: Tx, config_id: str) -> None:
    """Serialise concurrency decisions for one pipeline config (limitConcurrent, waiting queue). SQLite's
    single writer already does; PostgreSQL takes a transaction-scoped advisory lock."""
    if tx.conn.dialect.name == "postgresql":
        tx.conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext(%(k)s))", {"k": "cfg:" + config_id})
