"""Checks of a user operation on a stage (``PATCH /pipelines/{id}/stages/{stageId}``) before the facade
applies it, so a bad judgment is a 400 naming the field instead of being silently ignored.

- ``judgmentStatus``: "continue" or "stop" (any case), only on a ``manualJudgment`` stage;
- ``judgmentInput``: one of the stage's ``judgmentInputs[].value`` when it lists any;
- ``skipRemainingWait``, ``manualSkip``: booleans.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.engine.errors import InvalidRequestError, NotFoundError


def find_stage(execution: Mapping[str, Any], stage_id: str) -> dict[str, Any]:
    for stage in execution.get("stages") or []:
        if stage.get("id") == stage_id:
            return dict(stage)
    raise NotFoundError(f"execution {execution.get('id')} has no stage {stage_id!r}")


def check_stage_patch(stage: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """The patch to apply (``judgmentStatus`` lower-cased), or ``InvalidRequestError``."""
    out = dict(patch)
    if not out:
        raise InvalidRequestError('the stage patch is empty: send e.g. {"judgmentStatus": "continue"}')
    for key in ("skipRemainingWait", "manualSkip"):
        if key in out and not isinstance(out[key], bool):
            raise InvalidRequestError(f"{key} must be true or false, not {out[key]!r}", field=key)
    if "judgmentStatus" in out:
        if stage.get("type") != "manualJudgment":
            raise InvalidRequestError(
                f"stage {stage.get('name')!r} is a {stage.get('type')} stage: only a manualJudgment stage "
                "takes a judgmentStatus",
                field="judgmentStatus",
            )
        value = out["judgmentStatus"]
        if not isinstance(value, str) or value.lower() not in ("continue", "stop"):
            raise InvalidRequestError(
                f"judgmentStatus must be 'continue' or 'stop', not {value!r}", field="judgmentStatus"
            )
        out["judgmentStatus"] = value.lower()
    if out.get("judgmentInput") is not None:
        options = [
            o.get("value")
            for o in (stage.get("context") or {}).get("judgmentInputs") or []
            if isinstance(o, Mapping)
        ]
        if options and out["judgmentInput"] not in options:
            raise InvalidRequestError(
                f"judgmentInput {out['judgmentInput']!r} is not one of the stage's judgmentInputs "
                f"{options!r}",
                field="judgmentInput",
            )
    return out
