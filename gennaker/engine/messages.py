"""Engine messages (Orca's ``orca-queue`` kinds): small JSON documents of ids, never state.

Who uses it: handlers push them (through ``Tx.push``), workers claim them and look up the handler by
``kind`` in ``gennaker.engine.handlers``. The payload is the dataclass's fields in camelCase; the queue
dedups on kind + payload, so two pushes of the same ``StartStage`` become one delivery.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

from pydantic.alias_generators import to_camel, to_snake


@dataclass(frozen=True, slots=True)
class Message:
    """Base of every message: it concerns one execution."""

    KIND: ClassVar[str] = ""
    execution_id: str

    def payload(self) -> dict[str, Any]:
        return {to_camel(k): v for k, v in asdict(self).items()}


MESSAGE_TYPES: dict[str, type[Message]] = {}


def message(kind: str) -> Any:
    """Class decorator: register a message type under its Orca kind name."""

    def wrap(cls: type[Message]) -> type[Message]:
        cls.KIND = kind
        MESSAGE_TYPES[kind] = cls
        return cls

    return wrap


def decode(kind: str, payload: dict[str, Any]) -> Message:
    """Rebuild a message from its queue row."""
    cls = MESSAGE_TYPES[kind]
    names = {f.name for f in fields(cls)}
    return cls(**{to_snake(k): v for k, v in payload.items() if to_snake(k) in names})


# ---------------------------------------------------------------- execution level


@message("startExecution")
@dataclass(frozen=True, slots=True)
class StartExecution(Message):
    pass


@message("completeExecution")
@dataclass(frozen=True, slots=True)
class CompleteExecution(Message):
    pass


@message("cancelExecution")
@dataclass(frozen=True, slots=True)
class CancelExecution(Message):
    pass


@message("pauseExecution")
@dataclass(frozen=True, slots=True)
class PauseExecution(Message):
    pass


@message("resumeExecution")
@dataclass(frozen=True, slots=True)
class ResumeExecution(Message):
    pass


@message("rescheduleExecution")
@dataclass(frozen=True, slots=True)
class RescheduleExecution(Message):
    pass


@message("startWaitingExecutions")
@dataclass(frozen=True, slots=True)
class StartWaitingExecutions(Message):
    """``execution_id`` is the execution that just finished (or was restarted); the handler looks at
    every execution waiting on ``pipeline_config_id``."""

    pipeline_config_id: str = ""
    purge_queue: bool = False


# ---------------------------------------------------------------- stage level


@dataclass(frozen=True, slots=True)
class StageMessage(Message):
    stage_id: str = ""


@message("startStage")
@dataclass(frozen=True, slots=True)
class StartStage(StageMessage):
    pass


@message("continueParentStage")
@dataclass(frozen=True, slots=True)
class ContinueParentStage(StageMessage):
    phase: str = "STAGE_BEFORE"


@message("completeStage")
@dataclass(frozen=True, slots=True)
class CompleteStage(StageMessage):
    pass


@message("skipStage")
@dataclass(frozen=True, slots=True)
class SkipStage(StageMessage):
    pass


@message("abortStage")
@dataclass(frozen=True, slots=True)
class AbortStage(StageMessage):
    pass


@message("cancelStage")
@dataclass(frozen=True, slots=True)
class CancelStage(StageMessage):
    pass


@message("restartStage")
@dataclass(frozen=True, slots=True)
class RestartStage(StageMessage):
    user: str = "anonymous"


# ---------------------------------------------------------------- task level


@dataclass(frozen=True, slots=True)
class TaskMessage(StageMessage):
    task_id: str = ""


@message("startTask")
@dataclass(frozen=True, slots=True)
class StartTask(TaskMessage):
    pass


@message("runTask")
@dataclass(frozen=True, slots=True)
class RunTask(TaskMessage):
    task_type: str = ""


@message("completeTask")
@dataclass(frozen=True, slots=True)
class CompleteTask(TaskMessage):
    status: str = "SUCCEEDED"
    original_status: str | None = None
